/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Failed handshakes per source address: a token bucket of BURST tokens per
 * address, one back every PERIOD ticks, in a small fixed table where a new
 * address takes the stalest slot no handshake holds a token of.  Shared
 * verbatim by the module (kmod/server.c, ticks are jiffies) and the
 * userspace twin (userspace/p2pd, ticks are milliseconds); the caller
 * holds its lock around every call and decides when a token is taken and
 * given back.
 */
#ifndef _P2P_RATELIMIT_H
#define _P2P_RATELIMIT_H

#ifdef __KERNEL__
#include <linux/in6.h>
#include <linux/types.h>
#else
#include <netinet/in.h>
#include <stdbool.h>
#include <linux/types.h>
#endif

#define P2P_RL_SLOTS 64

struct p2p_rl_slot {
	struct in6_addr addr;		/* IPv4 as v4-mapped */
	unsigned long stamp;		/* ticks of the last refill */
	unsigned int tokens;
	unsigned int pending;		/* handshakes holding a token */
	__u32 gen;			/* new with each address */
	bool used;
};

/* The slot of addr in table[P2P_RL_SLOTS], or NULL if it has none. */
struct p2p_rl_slot *p2p_rl_find(struct p2p_rl_slot *table,
				const struct in6_addr *addr);
/*
 * The slot of addr, else the stalest one made addr's with burst tokens:
 * free slots first, then those no handshake holds (tokens held in a reused
 * slot are not given back to it: gen changes).
 */
struct p2p_rl_slot *p2p_rl_slot(struct p2p_rl_slot *table,
				const struct in6_addr *addr,
				unsigned long now, unsigned int burst);
/* The tokens that came back since s->stamp, one per period. */
void p2p_rl_refill(struct p2p_rl_slot *s, unsigned long now,
		   unsigned long period, unsigned int burst);

#endif /* _P2P_RATELIMIT_H */
