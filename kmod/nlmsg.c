// SPDX-License-Identifier: GPL-2.0
/*
 * The messages of the "p2pshare" family: each object a reply or an event
 * carries, as attributes (docs/netlink.yaml names them).
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

#include "nlmsg.h"
#include "path.h"
#include "uapi/p2pshare.h"
#include "version.h"

/* An export message carries its path: room for a whole one. */
#define EXPORT_MSG_SIZE (PATH_MAX + 512)

static int put_user_obj(struct sk_buff *skb, const struct p2p_user *user)
{
	struct user_namespace *ns = current_user_ns();

	return nla_put_string(skb, P2P_A_USER_NAME, user->name) ||
	       nla_put(skb, P2P_A_USER_PUBKEY, P2P_KEY_LEN, user->pubkey) ||
	       nla_put_u32(skb, P2P_A_USER_UID, from_kuid_munged(ns, user->uid)) ||
	       nla_put_u32(skb, P2P_A_USER_GID, from_kgid_munged(ns, user->gid));
}

static int put_path(struct sk_buff *skb, const struct path *path)
{
	char *buf, *p;
	int ret;

	buf = (char *)__get_free_page(GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	p = d_path(path, buf, PAGE_SIZE);
	ret = nla_put_string(skb, P2P_A_EXPORT_PATH, IS_ERR(p) ? "?" : p) ||
	      nla_put_u8(skb, P2P_A_EXPORT_REACHABLE, p2p_path_reachable(path));
	free_page((unsigned long)buf);
	return ret;
}

/* Device and inode as stat(2) reports them, so a saved path can be checked. */
static int put_dir_id(struct sk_buff *skb, const struct path *path)
{
	struct kstat st;

	if (vfs_getattr(path, &st, STATX_INO, AT_STATX_DONT_SYNC))
		return 0;
	return nla_put_u32(skb, P2P_A_EXPORT_DEV_MAJOR, MAJOR(st.dev)) ||
	       nla_put_u32(skb, P2P_A_EXPORT_DEV_MINOR, MINOR(st.dev)) ||
	       nla_put_u64_64bit(skb, P2P_A_EXPORT_INO, st.ino, P2P_A_PAD);
}

static int put_export(struct sk_buff *skb, const struct p2p_export *exp, u8 cmd)
{
	return nla_put_string(skb, P2P_A_EXPORT_NAME, exp->name) ||
	       nla_put_u32(skb, P2P_A_EXPORT_ID, exp->id) ||
	       nla_put_u32(skb, P2P_A_EXPORT_FLAGS, exp->flags) ||
	       (cmd != P2P_CMD_EXPORT_DEL &&
		(put_path(skb, &exp->root) || put_dir_id(skb, &exp->root)));
}

static int put_grant(struct sk_buff *skb, const struct p2p_obj *o)
{
	return nla_put_string(skb, P2P_A_EXPORT_NAME, o->exp->name) ||
	       nla_put_string(skb, P2P_A_USER_NAME, o->user->name) ||
	       nla_put_u8(skb, P2P_A_GRANT_MODE, o->mode);
}

static int put_listen(struct sk_buff *skb, const struct p2p_obj *o)
{
	const struct p2p_listen_cfg *cfg = o->listen;

	if (cfg->family == AF_INET &&
	    nla_put_in_addr(skb, P2P_A_LISTEN_ADDR4, cfg->addr4))
		return -EMSGSIZE;
	if (cfg->family == AF_INET6 &&
	    nla_put_in6_addr(skb, P2P_A_LISTEN_ADDR6, &cfg->addr6))
		return -EMSGSIZE;
	return nla_put_u16(skb, P2P_A_LISTEN_PORT, cfg->port) ||
	       nla_put_u16(skb, P2P_A_LISTEN_CIPHER, o->cipher);
}

static int put_stats(struct sk_buff *skb, const struct p2p_stats *st)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, P2P_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = P2P_STAT_PAD + 1; i < __P2P_STAT_MAX; i++) {
		if (nla_put_u64_64bit(skb, i, st->v[i], P2P_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_limits(struct sk_buff *skb, const struct p2p_limits *l)
{
	return nla_put_u32(skb, P2P_A_LIMIT_MAX_CONNS, READ_ONCE(l->max_conns)) ||
	       nla_put_u32(skb, P2P_A_LIMIT_MAX_USER_CONNS, READ_ONCE(l->max_user_conns)) ||
	       nla_put_u32(skb, P2P_A_LIMIT_AUTH_BURST, READ_ONCE(l->auth_burst)) ||
	       nla_put_u32(skb, P2P_A_LIMIT_IDLE_TIMEOUT, READ_ONCE(l->idle_timeout));
}

static int put_status(struct sk_buff *skb, const struct p2p_obj *o)
{
	return nla_put_string(skb, P2P_A_VERSION, P2P_MODULE_VERSION) ||
	       nla_put(skb, P2P_A_HOSTKEY_PUB, P2P_KEY_LEN, o->pub) ||
	       put_listen(skb, o) ||
	       nla_put_u8(skb, P2P_A_LISTEN_ACTIVE, o->active) ||
	       put_stats(skb, o->stats) ||
	       put_limits(skb, o->limits);
}

/* By name: an export removed since the connection used it is left out. */
static int put_conn_exports(struct sk_buff *skb, const struct p2p_obj *o)
{
	unsigned int i;

	for (i = 0; i < o->n_conn_exports; i++)
		if (nla_put_string(skb, P2P_CONN_A_EXPORT, o->conn_exports[i]))
			return -EMSGSIZE;
	if (o->conn->many_exports && nla_put_flag(skb, P2P_CONN_A_EXPORTS_MORE))
		return -EMSGSIZE;
	return 0;
}

static int put_conn_peer(struct sk_buff *skb, const struct p2p_conn_info *ci)
{
	if (ipv6_addr_v4mapped(&ci->peer))
		return nla_put_in_addr(skb, P2P_CONN_A_PEER4, ci->peer.s6_addr32[3]);
	return nla_put_in6_addr(skb, P2P_CONN_A_PEER6, &ci->peer);
}

static int put_conn_attrs(struct sk_buff *skb, const struct p2p_obj *o)
{
	const struct p2p_conn_info *ci = o->conn;

	if (nla_put_u64_64bit(skb, P2P_CONN_A_ID, ci->id, P2P_CONN_A_PAD) ||
	    put_conn_peer(skb, ci) ||
	    nla_put_u16(skb, P2P_CONN_A_PORT, ci->port))
		return -EMSGSIZE;
	if (ci->authed ? nla_put_string(skb, P2P_CONN_A_USER, ci->user) :
			 nla_put_flag(skb, P2P_CONN_A_HANDSHAKE))
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, P2P_CONN_A_BYTES_SENT, ci->bytes_sent, P2P_CONN_A_PAD) ||
	    nla_put_u64_64bit(skb, P2P_CONN_A_BYTES_RECV, ci->bytes_recv, P2P_CONN_A_PAD) ||
	    nla_put_u64_64bit(skb, P2P_CONN_A_REQUESTS, ci->requests, P2P_CONN_A_PAD) ||
	    (ci->authed && ci->cipher &&
	     nla_put_u16(skb, P2P_CONN_A_CIPHER, ci->cipher)) ||
	    nla_put_u32(skb, P2P_CONN_A_AGE, ci->age) ||
	    nla_put_u32(skb, P2P_CONN_A_IDLE, ci->idle))
		return -EMSGSIZE;
	return put_conn_exports(skb, o);
}

static int put_conn(struct sk_buff *skb, const struct p2p_obj *o)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, P2P_A_CONN);
	if (!nest)
		return -EMSGSIZE;
	if (put_conn_attrs(skb, o)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int p2p_nlmsg_put(struct sk_buff *skb, u8 cmd, const struct p2p_obj *o)
{
	switch (cmd) {
	case P2P_CMD_STATUS_GET:
		return put_status(skb, o);
	case P2P_CMD_HOSTKEY_GET:
	case P2P_CMD_HOSTKEY_SET:
		return nla_put(skb, P2P_A_HOSTKEY_PUB, P2P_KEY_LEN, o->pub) ||
		       (cmd == P2P_CMD_HOSTKEY_GET &&
			nla_put(skb, P2P_A_HOSTKEY_PRIV, P2P_KEY_LEN, o->priv));
	case P2P_CMD_LISTEN_SET:
		return put_listen(skb, o);
	case P2P_CMD_LIMITS_SET:
		return put_limits(skb, o->limits);
	case P2P_CMD_USER_NEW:
	case P2P_CMD_USER_DEL:
	case P2P_CMD_USER_SET:
	case P2P_CMD_USER_GET:
		return put_user_obj(skb, o->user);
	case P2P_CMD_EXPORT_NEW:
	case P2P_CMD_EXPORT_DEL:
	case P2P_CMD_EXPORT_GET:
		return put_export(skb, o->exp, cmd);
	case P2P_CMD_CONN_GET:
		return put_conn(skb, o);
	default:
		return put_grant(skb, o);
	}
}

size_t p2p_nlmsg_size(u8 cmd)
{
	if (cmd == P2P_CMD_EXPORT_NEW || cmd == P2P_CMD_EXPORT_DEL ||
	    cmd == P2P_CMD_EXPORT_GET)
		return EXPORT_MSG_SIZE;
	return cmd == P2P_CMD_STATUS_GET ? NLMSG_DEFAULT_SIZE : NLMSG_GOODSIZE;
}
