// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * insn_count: a QEMU TCG plugin (API of QEMU 7.2, include/qemu/qemu-plugin.h
 * from Debian's qemu source package) that counts the guest instructions
 * executed on all vCPUs and writes the running total each time the guest
 * executes a phase mark (bench/mark.c): "nopl 0x5032_50xx(%rax,%rax,1)",
 * code xx = 1 start, 2 stop. Lines of the output file:
 *
 *   start|stop SEQ VCPU TOTAL
 *
 * Counting: every translation block gets an execution callback that adds
 * its instruction count to its vCPU's own counter (MTTCG runs vCPUs on
 * threads of their own, so an inline add to one shared counter would lose
 * updates); the total is the sum over the vCPUs at the mark. A block left
 * early by an exception still counts whole: the error is a few instructions
 * per exception, far below the run-to-run spread.
 *
 *   qemu-system-x86_64 ... -plugin file=insn_count.so,out=FILE
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_VCPUS	64
#define MARK_LEN	8

static const uint8_t mark_prefix[] = { 0x0f, 0x1f, 0x84, 0x00 };
static const uint8_t mark_suffix[] = { 0x50, 0x32, 0x50 };

/* One cache line per vCPU: the counters are written on every block. */
static struct {
	_Atomic uint64_t insns;
	char pad[64 - sizeof(uint64_t)];
} counts[MAX_VCPUS];

static FILE *out;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int seq;

static uint64_t total(void)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < MAX_VCPUS; i++)
		sum += atomic_load_explicit(&counts[i].insns, memory_order_relaxed);
	return sum;
}

static void tb_exec(unsigned int vcpu, void *udata)
{
	/* Only this vCPU's thread writes its counter. */
	uint64_t n = atomic_load_explicit(&counts[vcpu % MAX_VCPUS].insns,
					  memory_order_relaxed);

	atomic_store_explicit(&counts[vcpu % MAX_VCPUS].insns,
			      n + (uintptr_t)udata, memory_order_relaxed);
}

static void mark_exec(unsigned int vcpu, void *udata)
{
	unsigned int code = (uintptr_t)udata;

	pthread_mutex_lock(&out_lock);
	fprintf(out, "%s %u %u %" PRIu64 "\n", code == 1 ? "start" : "stop",
		seq++, vcpu, total());
	fflush(out);
	pthread_mutex_unlock(&out_lock);
}

static int mark_code(struct qemu_plugin_insn *insn)
{
	const uint8_t *p = qemu_plugin_insn_data(insn);

	if (qemu_plugin_insn_size(insn) != MARK_LEN ||
	    memcmp(p, mark_prefix, sizeof(mark_prefix)) ||
	    memcmp(p + 5, mark_suffix, sizeof(mark_suffix)))
		return 0;
	return p[4] == 1 || p[4] == 2 ? p[4] : 0;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	struct qemu_plugin_insn *insn;
	int code;

	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS,
					     (void *)(uintptr_t)n);
	for (i = 0; i < n; i++) {
		insn = qemu_plugin_tb_get_insn(tb, i);
		code = mark_code(insn);
		if (code)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_exec,
							       QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)code);
	}
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	pthread_mutex_lock(&out_lock);
	fprintf(out, "exit %u 0 %" PRIu64 "\n", seq, total());
	fclose(out);
	out = NULL;
	pthread_mutex_unlock(&out_lock);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL;
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
	if (!path) {
		fprintf(stderr, "insn_count: give out=FILE\n");
		return -1;
	}
	if (info->system_emulation && info->system.max_vcpus > MAX_VCPUS) {
		fprintf(stderr, "insn_count: at most %d vCPUs\n", MAX_VCPUS);
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
