// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "p2pshare": the control plane.
 */
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "main.h"
#include "netlink.h"
#include "state.h"
#include "uapi/p2pshare.h"

static struct genl_family p2p_genl_family;

static const struct nla_policy p2p_status_policy[P2P_A_MAX + 1] = {
};

static int put_stats(struct sk_buff *skb, struct p2p_net *pn)
{
	struct p2p_stats st;
	struct nlattr *nest;
	int i;

	p2p_stats_read(pn, &st);
	nest = nla_nest_start(skb, P2P_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = P2P_STAT_PAD + 1; i < __P2P_STAT_MAX; i++) {
		if (nla_put_u64_64bit(skb, i, st.v[i], P2P_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int fill_status(struct sk_buff *skb, struct p2p_net *pn,
		       struct genl_info *info)
{
	void *hdr;

	hdr = genlmsg_put_reply(skb, info, &p2p_genl_family, 0,
				P2P_CMD_STATUS_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, P2P_A_VERSION, P2P_MODULE_VERSION) ||
	    nla_put_u16(skb, P2P_A_LISTEN_PORT, p2p_port) ||
	    put_stats(skb, pn)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int p2p_nl_status_get(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = p2p_net(genl_info_net(info));
	struct sk_buff *msg;
	int ret;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = fill_status(msg, pn, info);
	if (ret) {
		nlmsg_free(msg);
		NL_SET_ERR_MSG(info->extack, "status does not fit in a message");
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static const struct genl_ops p2p_genl_ops[] = {
	{
		.cmd = P2P_CMD_STATUS_GET,
		.doit = p2p_nl_status_get,
		.policy = p2p_status_policy,
		.maxattr = P2P_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group p2p_genl_mcgrps[] = {
	{ .name = P2P_MCGRP_EVENTS, },
};

static struct genl_family p2p_genl_family __ro_after_init = {
	.name = P2P_GENL_NAME,
	.version = P2P_GENL_VERSION,
	.maxattr = P2P_A_MAX,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = p2p_genl_ops,
	.n_ops = ARRAY_SIZE(p2p_genl_ops),
	.mcgrps = p2p_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(p2p_genl_mcgrps),
};

int __init p2p_genl_init(void)
{
	return genl_register_family(&p2p_genl_family);
}

void p2p_genl_uninit(void)
{
	genl_unregister_family(&p2p_genl_family);
}
