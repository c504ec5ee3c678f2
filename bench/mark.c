// SPDX-License-Identifier: GPL-2.0
/*
 * mark start|stop: executes the instruction that bench/insn_count.c (the
 * QEMU plugin) watches for, so that the guest instructions between a start
 * and a stop are one benchmark phase. A "nopl disp32(%rax,%rax,1)" whose
 * displacement is 0x5032_50xx: a no-op on any x86-64, harmless without the
 * plugin; compilers pad with displacement 0, so it occurs nowhere else.
 * Static and without libc, so that it adds few instructions of its own.
 */
#define MARK(code) \
	__asm__ volatile(".byte 0x0f, 0x1f, 0x84, 0x00, " #code ", 0x50, 0x32, 0x50" ::: "memory")

__asm__(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call mark_main\n"
	"	mov %eax, %edi\n"
	"	mov $231, %eax\n"	/* exit_group */
	"	syscall\n");

static int is(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

__attribute__((used)) int mark_main(long *sp)
{
	char **argv = (char **)(sp + 1);

	if (sp[0] != 2)
		return 2;
	if (is(argv[1], "start"))
		MARK(1);
	else if (is(argv[1], "stop"))
		MARK(2);
	else
		return 2;
	return 0;
}
