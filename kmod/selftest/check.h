/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_SELFTEST_CHECK_H
#define P2P_SELFTEST_CHECK_H

#include <linux/compiler.h>
#include <linux/init.h>
#include <linux/types.h>

/* Cases run and failed so far: each failure is logged as it happens. */
struct p2p_st {
	unsigned int cases;
	unsigned int failed;
};

/* Each names its case with a printf format; returns whether it passed. */
__printf(3, 4) bool p2p_st_ok(struct p2p_st *st, bool ok, const char *fmt, ...);
__printf(4, 5) bool p2p_st_err(struct p2p_st *st, int got, int want,
			       const char *fmt, ...);
__printf(5, 6) bool p2p_st_mem(struct p2p_st *st, const void *got,
			       const char *want_hex, size_t len,
			       const char *fmt, ...);

/* HEX ("-" for nothing) into OUT: its length, or -EINVAL. */
int p2p_st_hex(void *out, size_t cap, const char *hex);

void p2p_noise_selftest(struct p2p_st *st);
void p2p_wire_selftest(struct p2p_st *st);

#endif /* P2P_SELFTEST_CHECK_H */
