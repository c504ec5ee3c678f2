// SPDX-License-Identifier: GPL-2.0
/*
 * The selftest's entry point and its case bookkeeping, in the module built
 * with P2P_SELFTEST=1 only.  Like WireGuard's selftest/, the cases run at
 * module load and a failure makes the load fail, naming the case.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/string.h>

#include "../selftest.h"
#include "check.h"

static bool __init count(struct p2p_st *st, bool ok)
{
	st->cases++;
	if (!ok)
		st->failed++;
	return ok;
}

bool __init p2p_st_ok(struct p2p_st *st, bool ok, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (count(st, ok))
		return true;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("selftest: %pV: FAIL\n", &vaf);
	va_end(args);
	return false;
}

bool __init p2p_st_err(struct p2p_st *st, int got, int want,
		       const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (count(st, got == want))
		return true;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("selftest: %pV: FAIL: returned %d, want %d\n", &vaf, got, want);
	va_end(args);
	return false;
}

bool __init p2p_st_mem(struct p2p_st *st, const void *got,
		       const char *want_hex, size_t len, const char *fmt, ...)
{
	struct va_format vaf;
	u8 want[128];
	va_list args;
	bool ok;

	ok = len <= sizeof(want) && p2p_st_hex(want, sizeof(want), want_hex) == len &&
	     !memcmp(got, want, len);
	if (count(st, ok))
		return true;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("selftest: %pV: FAIL: got %*phN, want %s\n", &vaf,
	       (int)min_t(size_t, len, 64), got, want_hex);
	va_end(args);
	return false;
}

int __init p2p_st_hex(void *out, size_t cap, const char *hex)
{
	size_t len = strlen(hex);

	if (!strcmp(hex, "-"))
		return 0;
	if (len % 2 || len / 2 > cap || hex2bin(out, hex, len / 2))
		return -EINVAL;
	return len / 2;
}

int __init p2p_selftest(void)
{
	struct p2p_st st = { 0 };

	p2p_wire_selftest(&st);
	p2p_noise_selftest(&st);
	if (st.failed) {
		pr_err("selftest: %u of %u cases failed\n", st.failed, st.cases);
		return -ENOTRECOVERABLE;
	}
	pr_info("selftest: %u cases passed\n", st.cases);
	return 0;
}
