/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_STATE_H
#define P2P_STATE_H

#include <linux/mutex.h>
#include <linux/percpu.h>
#include <net/net_namespace.h>

#include "uapi/p2pshare.h"

struct p2p_stats {
	u64 v[__P2P_STAT_MAX];
};

/* Everything one network namespace (one "host") owns. */
struct p2p_net {
	struct net *net;
	struct mutex lock;		/* serialises changes to the objects */
	struct p2p_stats __percpu *stats;
};

struct p2p_net *p2p_net(const struct net *net);

static inline void p2p_stat_add(struct p2p_net *pn, enum p2p_stat s, u64 n)
{
	this_cpu_add(pn->stats->v[s], n);
}

static inline void p2p_stat_inc(struct p2p_net *pn, enum p2p_stat s)
{
	p2p_stat_add(pn, s, 1);
}

void p2p_stats_read(struct p2p_net *pn, struct p2p_stats *out);

int p2p_state_init(void);
void p2p_state_uninit(void);

#endif /* P2P_STATE_H */
