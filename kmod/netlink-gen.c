// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	docs/netlink.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/p2pshare_nl.h>
#include <p2pshare_proto.h>
#include <p2pshare_proto.h>
#include <p2pshare_proto.h>
#include <p2pshare_proto.h>
#include <p2pshare_proto.h>
#include <p2pshare_proto.h>

/* Common nested types */
const struct nla_policy p2pshare_grant_nl_policy[P2P_GRANT_A_MODE + 1] = {
	[P2P_GRANT_A_USER] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
	[P2P_GRANT_A_MODE] = NLA_POLICY_RANGE(NLA_U8, 1, 2),
};

/* P2P_CMD_STATUS_GET - do */
static const struct nla_policy p2pshare_status_get_nl_policy[P2P_A_PAD + 1] = {
};

/* P2P_CMD_USER_NEW - do */
static const struct nla_policy p2pshare_user_new_nl_policy[P2P_A_USER_GID + 1] = {
	[P2P_A_USER_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
	[P2P_A_USER_PUBKEY] = NLA_POLICY_EXACT_LEN(P2P_KEY_LEN),
	[P2P_A_USER_UID] = { .type = NLA_U32, },
	[P2P_A_USER_GID] = { .type = NLA_U32, },
};

/* P2P_CMD_USER_DEL - do */
static const struct nla_policy p2pshare_user_del_nl_policy[P2P_A_USER_NAME + 1] = {
	[P2P_A_USER_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
};

/* P2P_CMD_USER_GET - do */
static const struct nla_policy p2pshare_user_get_do_nl_policy[P2P_A_USER_NAME + 1] = {
	[P2P_A_USER_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
};

/* P2P_CMD_USER_GET - dump */
static const struct nla_policy p2pshare_user_get_dump_nl_policy[P2P_A_USER_NAME + 1] = {
	[P2P_A_USER_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
};

/* P2P_CMD_EXPORT_NEW - do */
static const struct nla_policy p2pshare_export_new_nl_policy[P2P_A_GRANT + 1] = {
	[P2P_A_EXPORT_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
	[P2P_A_EXPORT_FD] = { .type = NLA_U32, },
	[P2P_A_EXPORT_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x0),
	[P2P_A_GRANT] = NLA_POLICY_NESTED(p2pshare_grant_nl_policy),
};

/* P2P_CMD_EXPORT_DEL - do */
static const struct nla_policy p2pshare_export_del_nl_policy[P2P_A_EXPORT_NAME + 1] = {
	[P2P_A_EXPORT_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
};

/* P2P_CMD_EXPORT_GET - do */
static const struct nla_policy p2pshare_export_get_do_nl_policy[P2P_A_EXPORT_NAME + 1] = {
	[P2P_A_EXPORT_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
};

/* P2P_CMD_EXPORT_GET - dump */
static const struct nla_policy p2pshare_export_get_dump_nl_policy[P2P_A_EXPORT_NAME + 1] = {
	[P2P_A_EXPORT_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
};

/* P2P_CMD_GRANT_SET - do */
static const struct nla_policy p2pshare_grant_set_nl_policy[P2P_A_GRANT_MODE + 1] = {
	[P2P_A_EXPORT_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
	[P2P_A_USER_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
	[P2P_A_GRANT_MODE] = NLA_POLICY_RANGE(NLA_U8, 1, 2),
};

/* P2P_CMD_GRANT_DEL - do */
static const struct nla_policy p2pshare_grant_del_nl_policy[P2P_A_EXPORT_NAME + 1] = {
	[P2P_A_EXPORT_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
	[P2P_A_USER_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
};

/* P2P_CMD_GRANT_GET - do */
static const struct nla_policy p2pshare_grant_get_do_nl_policy[P2P_A_EXPORT_NAME + 1] = {
	[P2P_A_EXPORT_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
	[P2P_A_USER_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
};

/* P2P_CMD_GRANT_GET - dump */
static const struct nla_policy p2pshare_grant_get_dump_nl_policy[P2P_A_EXPORT_NAME + 1] = {
	[P2P_A_EXPORT_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
	[P2P_A_USER_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
};

/* P2P_CMD_LISTEN_SET - do */
static const struct nla_policy p2pshare_listen_set_nl_policy[P2P_A_LISTEN_CIPHER + 1] = {
	[P2P_A_LISTEN_ADDR4] = { .type = NLA_U32, },
	[P2P_A_LISTEN_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[P2P_A_LISTEN_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[P2P_A_LISTEN_CIPHER] = { .type = NLA_U16, },
};

/* P2P_CMD_HOSTKEY_SET - do */
static const struct nla_policy p2pshare_hostkey_set_nl_policy[P2P_A_HOSTKEY_PRIV + 1] = {
	[P2P_A_HOSTKEY_PRIV] = NLA_POLICY_EXACT_LEN(P2P_KEY_LEN),
};

/* P2P_CMD_HOSTKEY_GET - do */
static const struct nla_policy p2pshare_hostkey_get_nl_policy[P2P_A_PAD + 1] = {
};

/* P2P_CMD_CONN_GET - dump */
static const struct nla_policy p2pshare_conn_get_nl_policy[P2P_A_PAD + 1] = {
};

/* P2P_CMD_USER_SET - do */
static const struct nla_policy p2pshare_user_set_nl_policy[P2P_A_USER_GID + 1] = {
	[P2P_A_USER_NAME] = { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX, },
	[P2P_A_USER_PUBKEY] = NLA_POLICY_EXACT_LEN(P2P_KEY_LEN),
	[P2P_A_USER_UID] = { .type = NLA_U32, },
	[P2P_A_USER_GID] = { .type = NLA_U32, },
};

/* P2P_CMD_LIMITS_SET - do */
static const struct nla_policy p2pshare_limits_set_nl_policy[P2P_A_LIMIT_IDLE_TIMEOUT + 1] = {
	[P2P_A_LIMIT_MAX_CONNS] = { .type = NLA_U32, },
	[P2P_A_LIMIT_MAX_USER_CONNS] = { .type = NLA_U32, },
	[P2P_A_LIMIT_AUTH_BURST] = { .type = NLA_U32, },
	[P2P_A_LIMIT_IDLE_TIMEOUT] = { .type = NLA_U32, },
};

/* Ops table for p2pshare */
const struct genl_split_ops p2pshare_nl_ops[19] = {
	{
		.cmd		= P2P_CMD_STATUS_GET,
		.doit		= p2pshare_nl_status_get_doit,
		.policy		= p2pshare_status_get_nl_policy,
		.maxattr	= P2P_A_PAD,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_USER_NEW,
		.doit		= p2pshare_nl_user_new_doit,
		.policy		= p2pshare_user_new_nl_policy,
		.maxattr	= P2P_A_USER_GID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_USER_DEL,
		.doit		= p2pshare_nl_user_del_doit,
		.policy		= p2pshare_user_del_nl_policy,
		.maxattr	= P2P_A_USER_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_USER_GET,
		.doit		= p2pshare_nl_user_get_doit,
		.policy		= p2pshare_user_get_do_nl_policy,
		.maxattr	= P2P_A_USER_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_USER_GET,
		.dumpit		= p2pshare_nl_user_get_dumpit,
		.policy		= p2pshare_user_get_dump_nl_policy,
		.maxattr	= P2P_A_USER_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= P2P_CMD_EXPORT_NEW,
		.doit		= p2pshare_nl_export_new_doit,
		.policy		= p2pshare_export_new_nl_policy,
		.maxattr	= P2P_A_GRANT,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_EXPORT_DEL,
		.doit		= p2pshare_nl_export_del_doit,
		.policy		= p2pshare_export_del_nl_policy,
		.maxattr	= P2P_A_EXPORT_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_EXPORT_GET,
		.doit		= p2pshare_nl_export_get_doit,
		.policy		= p2pshare_export_get_do_nl_policy,
		.maxattr	= P2P_A_EXPORT_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_EXPORT_GET,
		.dumpit		= p2pshare_nl_export_get_dumpit,
		.policy		= p2pshare_export_get_dump_nl_policy,
		.maxattr	= P2P_A_EXPORT_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= P2P_CMD_GRANT_SET,
		.doit		= p2pshare_nl_grant_set_doit,
		.policy		= p2pshare_grant_set_nl_policy,
		.maxattr	= P2P_A_GRANT_MODE,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_GRANT_DEL,
		.doit		= p2pshare_nl_grant_del_doit,
		.policy		= p2pshare_grant_del_nl_policy,
		.maxattr	= P2P_A_EXPORT_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_GRANT_GET,
		.doit		= p2pshare_nl_grant_get_doit,
		.policy		= p2pshare_grant_get_do_nl_policy,
		.maxattr	= P2P_A_EXPORT_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_GRANT_GET,
		.dumpit		= p2pshare_nl_grant_get_dumpit,
		.policy		= p2pshare_grant_get_dump_nl_policy,
		.maxattr	= P2P_A_EXPORT_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= P2P_CMD_LISTEN_SET,
		.doit		= p2pshare_nl_listen_set_doit,
		.policy		= p2pshare_listen_set_nl_policy,
		.maxattr	= P2P_A_LISTEN_CIPHER,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_HOSTKEY_SET,
		.doit		= p2pshare_nl_hostkey_set_doit,
		.policy		= p2pshare_hostkey_set_nl_policy,
		.maxattr	= P2P_A_HOSTKEY_PRIV,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_HOSTKEY_GET,
		.doit		= p2pshare_nl_hostkey_get_doit,
		.policy		= p2pshare_hostkey_get_nl_policy,
		.maxattr	= P2P_A_PAD,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_CONN_GET,
		.dumpit		= p2pshare_nl_conn_get_dumpit,
		.policy		= p2pshare_conn_get_nl_policy,
		.maxattr	= P2P_A_PAD,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= P2P_CMD_USER_SET,
		.doit		= p2pshare_nl_user_set_doit,
		.policy		= p2pshare_user_set_nl_policy,
		.maxattr	= P2P_A_USER_GID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= P2P_CMD_LIMITS_SET,
		.doit		= p2pshare_nl_limits_set_doit,
		.policy		= p2pshare_limits_set_nl_policy,
		.maxattr	= P2P_A_LIMIT_IDLE_TIMEOUT,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group p2pshare_nl_mcgrps[] = {
	[P2PSHARE_NLGRP_EVENTS] = { "events", },
};
