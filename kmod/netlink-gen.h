/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	docs/netlink.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_P2PSHARE_GEN_H
#define _LINUX_P2PSHARE_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/p2pshare_nl.h>
#include <p2pshare_proto.h>
#include <p2pshare_proto.h>
#include <p2pshare_proto.h>
#include <p2pshare_proto.h>
#include <p2pshare_proto.h>
#include <p2pshare_proto.h>

/* Common nested types */
extern const struct nla_policy p2pshare_grant_nl_policy[P2P_GRANT_A_MODE + 1];

/* Ops table for p2pshare */
extern const struct genl_split_ops p2pshare_nl_ops[19];

int p2pshare_nl_status_get_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_user_new_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_user_del_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_user_get_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_user_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int p2pshare_nl_export_new_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_export_del_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_export_get_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_export_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb);
int p2pshare_nl_grant_set_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_grant_del_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_grant_get_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_grant_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int p2pshare_nl_listen_set_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_hostkey_set_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_hostkey_get_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_conn_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int p2pshare_nl_user_set_doit(struct sk_buff *skb, struct genl_info *info);
int p2pshare_nl_limits_set_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	P2PSHARE_NLGRP_EVENTS,
};

#endif /* _LINUX_P2PSHARE_GEN_H */
