/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_SELFTEST_H
#define P2P_SELFTEST_H

/*
 * Known-answer tests run by module init in a build with P2P_SELFTEST=1
 * (kmod/selftest/); 0 when every case passed.  The normal build has none.
 */
#ifdef P2P_SELFTEST
int p2p_selftest(void);
#else
static inline int p2p_selftest(void)
{
	return 0;
}
#endif

#endif /* P2P_SELFTEST_H */
