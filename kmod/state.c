// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: each namespace is one independent host.
 */
#include <linux/slab.h>
#include <net/netns/generic.h>

#include "state.h"

static unsigned int p2p_net_id __read_mostly;

struct p2p_net *p2p_net(const struct net *net)
{
	return net_generic(net, p2p_net_id);
}

void p2p_stats_read(struct p2p_net *pn, struct p2p_stats *out)
{
	int cpu, i;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct p2p_stats *s = per_cpu_ptr(pn->stats, cpu);

		for (i = 0; i < __P2P_STAT_MAX; i++)
			out->v[i] += READ_ONCE(s->v[i]);
	}
}

static int __net_init p2p_net_init(struct net *net)
{
	struct p2p_net *pn = p2p_net(net);

	pn->net = net;
	mutex_init(&pn->lock);
	pn->stats = alloc_percpu(struct p2p_stats);
	if (!pn->stats)
		return -ENOMEM;
	return 0;
}

static void __net_exit p2p_net_exit(struct net *net)
{
	struct p2p_net *pn = p2p_net(net);

	free_percpu(pn->stats);
	pn->stats = NULL;
}

static struct pernet_operations p2p_net_ops = {
	.init = p2p_net_init,
	.exit = p2p_net_exit,
	.id = &p2p_net_id,
	.size = sizeof(struct p2p_net),
};

int p2p_state_init(void)
{
	return register_pernet_subsys(&p2p_net_ops);
}

void p2p_state_uninit(void)
{
	unregister_pernet_subsys(&p2p_net_ops);
}
