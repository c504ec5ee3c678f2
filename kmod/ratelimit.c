// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The handshake rate limiter's table, for the kernel and for userspace
 * (ratelimit.h).
 */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif
#include "ratelimit.h"

/* a is before b, across the wrap of the tick counter (as time_before). */
static bool before(unsigned long a, unsigned long b)
{
	return (long)(a - b) < 0;
}

/* Free slots first, then those no handshake holds, the stalest first. */
static bool staler(const struct p2p_rl_slot *a, const struct p2p_rl_slot *b)
{
	if (a->used != b->used)
		return !a->used;
	if (!a->pending != !b->pending)
		return !a->pending;
	return before(a->stamp, b->stamp);
}

struct p2p_rl_slot *p2p_rl_find(struct p2p_rl_slot *table,
				const struct in6_addr *addr)
{
	int i;

	for (i = 0; i < P2P_RL_SLOTS; i++)
		if (table[i].used && !memcmp(&table[i].addr, addr, sizeof(*addr)))
			return &table[i];
	return NULL;
}

struct p2p_rl_slot *p2p_rl_slot(struct p2p_rl_slot *table,
				const struct in6_addr *addr,
				unsigned long now, unsigned int burst)
{
	struct p2p_rl_slot *s = p2p_rl_find(table, addr), *old = &table[0];
	int i;

	if (s)
		return s;
	for (i = 1; i < P2P_RL_SLOTS; i++)
		if (staler(&table[i], old))
			old = &table[i];
	old->used = true;
	old->addr = *addr;
	old->tokens = burst;
	old->pending = 0;
	old->gen++;
	old->stamp = now;
	return old;
}

void p2p_rl_refill(struct p2p_rl_slot *s, unsigned long now,
		   unsigned long period, unsigned int burst)
{
	unsigned long n = (now - s->stamp) / period;

	if (!n)
		return;
	s->tokens = s->tokens + n < burst ? s->tokens + n : burst;
	s->stamp += n * period;
	if (s->tokens == burst)
		s->stamp = now;
}
