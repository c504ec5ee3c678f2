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
 * updates); the total is the sum over the vCPUs at the mark. With the
 * argument inline=on, for single-threaded TCG only (-accel tcg,thread=single,
 * where one thread runs every vCPU), the block instead adds its count to one
 * shared counter with code QEMU emits into the block itself: no call per
 * block, the same counts, a counting run some 15-25% shorter. A block left
 * early by an exception still counts whole: the error is a few instructions
 * per exception, far below the run-to-run spread.
 *
 * Profile mode (plugin argument prof=FILE, optional): between a start and
 * a stop mark, the instructions executed are also counted per translation
 * block, keyed by the block's guest virtual address; at each stop mark FILE
 * gets a section
 *
 *   phase SEQ TOTAL
 *   ADDR COUNT
 *   ...
 *
 * SEQ being the stop mark's SEQ in the out= file, TOTAL the sum of the
 * section's COUNTs (equal to the difference of the two marks' totals in
 * single-threaded TCG), one line per block address with a non-zero count
 * (hex address, blocks translated more than once, or with different
 * lengths, added up), in address order; then the counts start from zero
 * again. Addresses are virtual: user addresses of all processes mix.
 * Without prof=, blocks are counted exactly as before, at no extra cost.
 *
 *   qemu-system-x86_64 ... -plugin file=insn_count.so,out=FILE[,prof=FILE][,inline=on]
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

/*
 * Profile mode. One block per (vaddr, length) pair, found again when the
 * same code is translated anew, so that the execution callback of every
 * translation adds to the same counter; blocks never move or go away (the
 * callbacks hold their address). A hash table of pointers finds them at
 * translation time; the list of chunks walks them at a stop mark.
 */
struct blk {
	uint64_t vaddr;
	uint64_t n;			/* instructions in the block */
	_Atomic uint64_t count;		/* instructions executed this phase */
	struct blk *next;		/* hash chain */
};

#define CHUNK_BLKS	4096

struct chunk {
	struct chunk *next;
	size_t used;
	struct blk blk[CHUNK_BLKS];
};

static FILE *prof;
static _Atomic int prof_on;		/* between a start and a stop mark */
static pthread_mutex_t prof_lock = PTHREAD_MUTEX_INITIALIZER;
static struct blk **prof_hash;
static size_t prof_hash_size;		/* a power of two */
static size_t prof_nblks;
static struct chunk *prof_chunks;

static size_t blk_hash(uint64_t vaddr, uint64_t n)
{
	uint64_t h = (vaddr ^ (n << 56)) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & (prof_hash_size - 1);
}

static int prof_grow(void)
{
	size_t size = prof_hash_size ? prof_hash_size * 2 : 1 << 16, i;
	struct blk **hash = calloc(size, sizeof(*hash)), **old = prof_hash;
	size_t old_size = prof_hash_size;
	struct blk *b, *next;

	if (!hash)
		return -1;
	prof_hash = hash;
	prof_hash_size = size;
	for (i = 0; i < old_size; i++)
		for (b = old[i]; b; b = next) {
			next = b->next;
			b->next = hash[blk_hash(b->vaddr, b->n)];
			hash[blk_hash(b->vaddr, b->n)] = b;
		}
	free(old);
	return 0;
}

/* The block of (vaddr, n), made on first sight; NULL if out of memory. */
static struct blk *prof_blk(uint64_t vaddr, uint64_t n)
{
	struct blk *b;
	struct chunk *c;

	pthread_mutex_lock(&prof_lock);
	for (b = prof_hash[blk_hash(vaddr, n)]; b; b = b->next)
		if (b->vaddr == vaddr && b->n == n)
			goto out;
	if (prof_nblks >= prof_hash_size && prof_grow())
		goto out;		/* b is NULL */
	c = prof_chunks;
	if (!c || c->used == CHUNK_BLKS) {
		c = calloc(1, sizeof(*c));
		if (!c)
			goto out;
		c->next = prof_chunks;
		prof_chunks = c;
	}
	b = &c->blk[c->used++];
	b->vaddr = vaddr;
	b->n = n;
	b->next = prof_hash[blk_hash(vaddr, n)];
	prof_hash[blk_hash(vaddr, n)] = b;
	prof_nblks++;
out:
	pthread_mutex_unlock(&prof_lock);
	return b;
}

struct prof_line {
	uint64_t vaddr;
	uint64_t count;
};

static int prof_line_cmp(const void *a, const void *b)
{
	const struct prof_line *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/*
 * At a stop mark: one section with the counts of the phase, by address,
 * then every count back to zero. Called with out_lock held.
 */
static void prof_dump(unsigned int stop_seq)
{
	struct prof_line *lines;
	struct chunk *c;
	uint64_t sum = 0, v;
	size_t n = 0, i, j;

	pthread_mutex_lock(&prof_lock);
	lines = malloc((prof_nblks ? prof_nblks : 1) * sizeof(*lines));
	for (c = prof_chunks; c; c = c->next)
		for (i = 0; i < c->used; i++) {
			v = atomic_exchange_explicit(&c->blk[i].count, 0,
						     memory_order_relaxed);
			if (!v || !lines)
				continue;
			lines[n].vaddr = c->blk[i].vaddr;
			lines[n].count = v;
			n++;
		}
	pthread_mutex_unlock(&prof_lock);
	if (!lines) {
		fprintf(prof, "phase %u error out of memory\n", stop_seq);
		fflush(prof);
		return;
	}
	qsort(lines, n, sizeof(*lines), prof_line_cmp);
	for (i = 0; i < n; i++)
		sum += lines[i].count;
	fprintf(prof, "phase %u %" PRIu64 "\n", stop_seq, sum);
	for (i = 0; i < n; i = j) {
		v = 0;
		for (j = i; j < n && lines[j].vaddr == lines[i].vaddr; j++)
			v += lines[j].count;
		fprintf(prof, "%" PRIx64 " %" PRIu64 "\n", lines[i].vaddr, v);
	}
	fflush(prof);
	free(lines);
}

static uint64_t inline_total;
static int use_inline;

static uint64_t total(void)
{
	uint64_t sum = inline_total;
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

/* Profile mode: the same count, and the block's own while in a phase. */
static void tb_exec_prof(unsigned int vcpu, void *udata)
{
	struct blk *b = udata;
	uint64_t n = atomic_load_explicit(&counts[vcpu % MAX_VCPUS].insns,
					  memory_order_relaxed);

	atomic_store_explicit(&counts[vcpu % MAX_VCPUS].insns, n + b->n,
			      memory_order_relaxed);
	if (atomic_load_explicit(&prof_on, memory_order_relaxed))
		atomic_fetch_add_explicit(&b->count, b->n, memory_order_relaxed);
}

static void mark_exec(unsigned int vcpu, void *udata)
{
	unsigned int code = (uintptr_t)udata;

	pthread_mutex_lock(&out_lock);
	fprintf(out, "%s %u %u %" PRIu64 "\n", code == 1 ? "start" : "stop",
		seq, vcpu, total());
	fflush(out);
	if (prof && code == 2) {
		atomic_store_explicit(&prof_on, 0, memory_order_relaxed);
		prof_dump(seq);
	} else if (prof) {
		/* The counts are all zero: the last stop mark took them. */
		atomic_store_explicit(&prof_on, 1, memory_order_relaxed);
	}
	seq++;
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

	struct blk *b = NULL;

	if (prof)
		b = prof_blk(qemu_plugin_tb_vaddr(tb), n);
	if (b)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec_prof,
						     QEMU_PLUGIN_CB_NO_REGS, b);
	else if (use_inline)
		qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
							 &inline_total, n);
	else
		qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec,
						     QEMU_PLUGIN_CB_NO_REGS,
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
	if (prof) {
		atomic_store_explicit(&prof_on, 0, memory_order_relaxed);
		fclose(prof);
		prof = NULL;
	}
	pthread_mutex_unlock(&out_lock);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL, *prof_path = NULL;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
		else if (!strcmp(argv[i], "inline=on"))
			use_inline = 1;
		else if (!strncmp(argv[i], "prof=", 5))
			prof_path = argv[i] + 5;
	}
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
	if (prof_path) {
		prof = fopen(prof_path, "w");
		if (!prof || prof_grow()) {
			perror(prof_path);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
