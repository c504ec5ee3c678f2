// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "p2pshare": the control plane.  Its policies
 * and ops table are generated from docs/netlink.yaml (netlink-gen.c); this
 * file parses each request, calls the transaction of state.c that decides
 * it, and fills the replies and events.
 *
 * The family is not parallel_ops: every doit and dumpit runs under
 * genl_mutex, and state.c takes pn->lock inside it.  Dumps walk the
 * id-ordered lists with the last id sent in cb->args, so a change between
 * two parts of a dump never repeats or skips an unchanged object.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "netlink-gen.h"
#include "netlink.h"
#include "nlmsg.h"
#include "noise.h"
#include "path.h"
#include "state.h"
#include "uapi/p2pshare.h"
#include "version.h"
#include "wire.h"

static struct genl_family p2p_genl_family;

/* A request as state.c sees it: its extack, events and id check. */
struct nl_req {
	struct p2p_ctx ctx;
	struct sk_buff *skb;
	struct genl_info *info;
	u8 cmd;				/* of the reply */
};

/* Attribute checks, each with its message */

static bool need(struct genl_info *info, int attr, const char *what)
{
	if (info->attrs[attr])
		return true;
	NL_SET_ERR_ATTR_MISS(info->extack, NULL, attr);
	NL_SET_ERR_MSG_FMT(info->extack, "missing %s", what);
	return false;
}

/* A name attribute: 1-64 of [A-Za-z0-9._-], not "." or ".."; NULL if bad. */
static const char *name_attr(struct nlattr *a, const char *what,
			     struct netlink_ext_ack *extack)
{
	const char *s = nla_data(a);
	size_t len = strlen(s);		/* the policy saw a NUL */

	if (!len || len + 1 != nla_len(a)) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, a, "%s is empty or holds a NUL byte", what);
		return NULL;
	}
	if (p2p_name_valid(s, len))
		return s;
	NL_SET_ERR_MSG_ATTR_FMT(extack, a, "invalid %s \"%*pE\" (allowed: A-Z a-z 0-9 . _ -)",
				what, (int)min_t(size_t, len, QNAME_MAX), s);
	return NULL;
}

static const char *get_name(struct genl_info *info, int attr, const char *what)
{
	if (!need(info, attr, what))
		return NULL;
	return name_attr(info->attrs[attr], what, info->extack);
}

static u8 get_mode(struct nlattr *a)
{
	return a ? nla_get_u8(a) : P2P_GRANT_RO;
}

/* One message of CMD carrying O; -EMSGSIZE if it does not fit. */
static int fill(struct sk_buff *skb, u8 cmd, const struct p2p_obj *o,
		u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &p2p_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (p2p_nlmsg_put(skb, cmd, o)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* The reply to a do request: the one object state.c found. */
static int reply(const struct p2p_obj *o, void *arg)
{
	struct nl_req *r = arg;
	struct sk_buff *msg;
	int ret;

	msg = nlmsg_new(p2p_nlmsg_size(r->cmd), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = fill(msg, r->cmd, o, r->info->snd_portid, r->info->snd_seq, 0);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, r->info);
}

/* An event to the namespace's "events" group. */
static void notify(struct p2p_net *pn, u8 cmd, const struct p2p_obj *o)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&p2p_genl_family, pn->net, 0))
		return;
	msg = nlmsg_new(p2p_nlmsg_size(cmd), GFP_KERNEL);
	if (!msg)
		return;
	if (fill(msg, cmd, o, 0, 0, 0)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&p2p_genl_family, pn->net, msg, 0, 0, GFP_KERNEL);
}

/* The sender and the socket's opener hold CAP, as GENL_ADMIN_PERM checks. */
static bool capable_of(const struct p2p_ctx *ctx, int cap)
{
	return netlink_capable(container_of(ctx, struct nl_req, ctx)->skb, cap);
}

/*
 * A key no one can authenticate with is refused: all zeros, or any other
 * low-order point, whose DH result is zero and so known to everyone.
 */
static int pubkey_ok(struct genl_info *info, struct nlattr *a)
{
	int ret;

	if (!memchr_inv(nla_data(a), 0, P2P_KEY_LEN)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "public key is all zeros");
		return -EINVAL;
	}
	ret = p2p_noise_check_pubkey(nla_data(a));
	if (ret == -EDOM) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "public key is a low-order point: no one can authenticate with it");
		return -EINVAL;
	}
	if (ret)
		NL_SET_ERR_MSG_ATTR(info->extack, a, "cannot check the public key (curve25519)");
	return ret;
}

static struct nl_req req_of(struct sk_buff *skb, struct genl_info *info)
{
	return (struct nl_req){
		.ctx = { .extack = info->extack, .notify = notify,
			 .capable = capable_of,
			 .uid_attr = info->attrs[P2P_A_USER_UID],
			 .gid_attr = info->attrs[P2P_A_USER_GID] },
		.skb = skb, .info = info, .cmd = info->genlhdr->cmd,
	};
}

static struct p2p_net *info_pn(struct genl_info *info)
{
	return p2p_net(genl_info_net(info));
}

/* Status and host key */

int p2pshare_nl_status_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nl_req r = req_of(skb, info);

	return p2p_state_status(info_pn(info), &r.ctx, reply, &r);
}

int p2pshare_nl_hostkey_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nl_req r = req_of(skb, info);

	return p2p_state_status(info_pn(info), &r.ctx, reply, &r);
}

int p2pshare_nl_hostkey_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nl_req r = req_of(skb, info);
	const u8 *priv;

	if (!need(info, P2P_A_HOSTKEY_PRIV, "private key"))
		return -EINVAL;
	priv = nla_data(info->attrs[P2P_A_HOSTKEY_PRIV]);
	if (!memchr_inv(priv, 0, P2P_KEY_LEN)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[P2P_A_HOSTKEY_PRIV],
				    "private key is all zeros");
		return -EINVAL;
	}
	return p2p_state_hostkey_set(info_pn(info), &r.ctx, priv);
}

/* Listener */

static int listen_parse(struct genl_info *info, struct p2p_listen_cfg *cfg)
{
	struct nlattr **a = info->attrs;

	memset(cfg, 0, sizeof(*cfg));
	cfg->family = AF_UNSPEC;
	if (a[P2P_A_LISTEN_ADDR4] && a[P2P_A_LISTEN_ADDR6]) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[P2P_A_LISTEN_ADDR6],
				    "give an IPv4 or an IPv6 address, not both");
		return -EINVAL;
	}
	if (a[P2P_A_LISTEN_ADDR4]) {
		cfg->family = AF_INET;
		cfg->addr4 = nla_get_in_addr(a[P2P_A_LISTEN_ADDR4]);
	}
	if (a[P2P_A_LISTEN_ADDR6]) {
		cfg->family = AF_INET6;
		cfg->addr6 = nla_get_in6_addr(a[P2P_A_LISTEN_ADDR6]);
	}
	if (a[P2P_A_LISTEN_PORT])
		cfg->port = nla_get_u16(a[P2P_A_LISTEN_PORT]);
	return 0;
}

/* One of P2P_CIPHER_*: the cipher the server picks when a client offers it. */
static int cipher_parse(struct genl_info *info, u16 *cipher)
{
	struct nlattr *a = info->attrs[P2P_A_LISTEN_CIPHER];

	*cipher = nla_get_u16(a);
	if (*cipher == P2P_CIPHER_AES_128_GCM ||
	    *cipher == P2P_CIPHER_CHACHA20_POLY1305)
		return 0;
	NL_SET_ERR_MSG_ATTR(info->extack, a,
			    "unknown cipher: 1 (aes-128-gcm) or 2 (chacha20-poly1305)");
	return -EINVAL;
}

/* Only a cipher: the listener stays as it is. */
static bool cipher_only(struct genl_info *info)
{
	return info->attrs[P2P_A_LISTEN_CIPHER] &&
	       !info->attrs[P2P_A_LISTEN_ADDR4] &&
	       !info->attrs[P2P_A_LISTEN_ADDR6] &&
	       !info->attrs[P2P_A_LISTEN_PORT];
}

int p2pshare_nl_listen_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nl_req r = req_of(skb, info);
	struct p2p_listen_cfg cfg;
	u16 cipher = 0;
	int ret;

	ret = listen_parse(info, &cfg);
	if (!ret && info->attrs[P2P_A_LISTEN_CIPHER])
		ret = cipher_parse(info, &cipher);
	if (ret)
		return ret;
	return p2p_state_listen_set(info_pn(info), &r.ctx,
				    cipher_only(info) ? NULL : &cfg, cipher);
}

/* Limits */

struct limit_range {
	int attr;
	const char *name;		/* as p2pctl and the module parameter say it */
	u32 min, max;
};

static const struct limit_range limit_ranges[] = {
	{ P2P_A_LIMIT_MAX_CONNS, "max_conns", 1, P2P_MAX_CONNS_LIMIT },
	{ P2P_A_LIMIT_MAX_USER_CONNS, "max_user_conns", 0, P2P_MAX_USER_CONNS_LIMIT },
	{ P2P_A_LIMIT_AUTH_BURST, "auth_burst", 0, P2P_AUTH_BURST_LIMIT },
	{ P2P_A_LIMIT_IDLE_TIMEOUT, "idle_timeout", 1, P2P_IDLE_TIMEOUT_LIMIT },
};

/* The limit's value if given and in range; else NULL, *err says which. */
static const u32 *limit_attr(struct genl_info *info, const struct limit_range *r,
			     u32 *v, int *err)
{
	struct nlattr *a = info->attrs[r->attr];

	if (!a || *err)
		return NULL;
	*v = nla_get_u32(a);
	if (*v >= r->min && *v <= r->max)
		return v;
	NL_SET_ERR_MSG_ATTR_FMT(info->extack, a, "%s %u out of range: %u-%u",
				r->name, *v, r->min, r->max);
	*err = -ERANGE;
	return NULL;
}

int p2pshare_nl_limits_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct limit_range *r = limit_ranges;
	struct nl_req rq = req_of(skb, info);
	struct p2p_limits_req req;
	u32 v[ARRAY_SIZE(limit_ranges)];
	int err = 0;

	req.max_conns = limit_attr(info, &r[0], &v[0], &err);
	req.max_user_conns = limit_attr(info, &r[1], &v[1], &err);
	req.auth_burst = limit_attr(info, &r[2], &v[2], &err);
	req.idle_timeout = limit_attr(info, &r[3], &v[3], &err);
	if (err)
		return err;
	if (!req.max_conns && !req.max_user_conns && !req.auth_burst &&
	    !req.idle_timeout) {
		NL_SET_ERR_MSG(info->extack,
			       "no limit given: max_conns, max_user_conns, auth_burst or idle_timeout");
		return -EINVAL;
	}
	return p2p_state_limits_set(info_pn(info), &rq.ctx, &req);
}

/* Users */

/* The ids a request gives, if valid here; NULL where it gives none. */
static int attr_ids(struct genl_info *info, kuid_t *uid, kgid_t *gid,
		    const kuid_t **uidp, const kgid_t **gidp)
{
	struct user_namespace *ns = current_user_ns();
	struct nlattr **a = info->attrs;

	*uidp = NULL;
	*gidp = NULL;
	if (a[P2P_A_USER_UID]) {
		*uid = make_kuid(ns, nla_get_u32(a[P2P_A_USER_UID]));
		*uidp = uid;
	}
	if (a[P2P_A_USER_GID]) {
		*gid = make_kgid(ns, nla_get_u32(a[P2P_A_USER_GID]));
		*gidp = gid;
	}
	if (*uidp && !uid_valid(*uid)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[P2P_A_USER_UID],
				    "uid is not valid in this user namespace");
		return -EINVAL;
	}
	if (*gidp && !gid_valid(*gid)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[P2P_A_USER_GID],
				    "gid is not valid in this user namespace");
		return -EINVAL;
	}
	return 0;
}

int p2pshare_nl_user_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct user_namespace *ns = current_user_ns();
	struct nl_req r = req_of(skb, info);
	kuid_t uid = make_kuid(ns, P2P_UID_NOBODY);
	kgid_t gid = make_kgid(ns, P2P_UID_NOBODY);
	const kuid_t *uidp;
	const kgid_t *gidp;
	const char *name;
	int ret;

	name = get_name(info, P2P_A_USER_NAME, "user name");
	if (!name || !need(info, P2P_A_USER_PUBKEY, "public key"))
		return -EINVAL;
	ret = pubkey_ok(info, info->attrs[P2P_A_USER_PUBKEY]) ?:
	      attr_ids(info, &uid, &gid, &uidp, &gidp);
	if (ret)
		return ret;
	return p2p_state_user_new(info_pn(info), &r.ctx, name,
				  nla_data(info->attrs[P2P_A_USER_PUBKEY]), uid, gid);
}

int p2pshare_nl_user_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nl_req r = req_of(skb, info);
	const char *name;

	name = get_name(info, P2P_A_USER_NAME, "user name");
	if (!name)
		return -EINVAL;
	return p2p_state_user_del(info_pn(info), &r.ctx, name);
}

int p2pshare_nl_user_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nl_req r = req_of(skb, info);
	struct nlattr **a = info->attrs;
	const kuid_t *uidp;
	const kgid_t *gidp;
	const char *name;
	const u8 *key = NULL;
	kuid_t uid;
	kgid_t gid;
	int ret;

	if (!need(info, P2P_A_USER_NAME, "user name"))
		return -EINVAL;
	if (!a[P2P_A_USER_PUBKEY] && !a[P2P_A_USER_UID] && !a[P2P_A_USER_GID]) {
		NL_SET_ERR_MSG(info->extack, "nothing to set: give a public key, a uid or a gid");
		return -EINVAL;
	}
	name = get_name(info, P2P_A_USER_NAME, "user name");
	if (!name)
		return -EINVAL;
	if (a[P2P_A_USER_PUBKEY]) {
		ret = pubkey_ok(info, a[P2P_A_USER_PUBKEY]);
		if (ret)
			return ret;
		key = nla_data(a[P2P_A_USER_PUBKEY]);
	}
	ret = attr_ids(info, &uid, &gid, &uidp, &gidp);
	if (ret)
		return ret;
	return p2p_state_user_set(info_pn(info), &r.ctx, name, key, uidp, gidp);
}

/* Exports */

static int grant_req_parse(struct nlattr *a, struct p2p_grant_req *req,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[P2P_GRANT_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, P2P_GRANT_A_MAX, a, p2pshare_grant_nl_policy, extack);
	if (ret)
		return ret;
	if (!tb[P2P_GRANT_A_USER]) {
		NL_SET_ERR_ATTR_MISS(extack, a, P2P_GRANT_A_USER);
		NL_SET_ERR_MSG(extack, "missing user name in grant");
		return -EINVAL;
	}
	req->user = name_attr(tb[P2P_GRANT_A_USER], "user name", extack);
	if (!req->user)
		return -EINVAL;
	req->mode = get_mode(tb[P2P_GRANT_A_MODE]);
	return 0;
}

/* The P2P_A_GRANT nests of a request, as a kcalloc'ed array. */
static int grant_reqs_parse(struct genl_info *info, struct p2p_grant_req **reqs, int *n)
{
	struct nlattr *a;
	int rem, i = 0, ret;

	*n = 0;
	*reqs = NULL;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem)
		*n += nla_type(a) == P2P_A_GRANT;
	if (!*n)
		return 0;
	*reqs = kcalloc(*n, sizeof(**reqs), GFP_KERNEL);
	if (!*reqs)
		return -ENOMEM;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != P2P_A_GRANT)
			continue;
		ret = grant_req_parse(a, &(*reqs)[i++], info->extack);
		if (ret) {
			kfree(*reqs);
			*reqs = NULL;
			return ret;
		}
	}
	return 0;
}

/* The directory behind P2P_A_EXPORT_FD, which the caller opened. */
static struct file *export_file(struct genl_info *info)
{
	struct nlattr *a = info->attrs[P2P_A_EXPORT_FD];
	const char *why;
	struct file *f;

	f = p2p_path_export_dir(nla_get_u32(a), &why);
	if (IS_ERR(f))
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, a, "%s", why);
	return f;
}

int p2pshare_nl_export_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *flags = info->attrs[P2P_A_EXPORT_FLAGS];
	struct nl_req r = req_of(skb, info);
	struct p2p_grant_req *reqs;
	const char *name;
	struct file *f;
	int n, ret;

	name = get_name(info, P2P_A_EXPORT_NAME, "export name");
	if (!name || !need(info, P2P_A_EXPORT_FD, "directory file descriptor"))
		return -EINVAL;
	ret = grant_reqs_parse(info, &reqs, &n);
	if (ret)
		return ret;
	f = export_file(info);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto out_free;
	}
	ret = p2p_state_export_new(info_pn(info), &r.ctx, name, &f->f_path,
				   flags ? nla_get_u32(flags) : 0, reqs, n);
	fput(f);
out_free:
	kfree(reqs);
	return ret;
}

int p2pshare_nl_export_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nl_req r = req_of(skb, info);
	const char *name;

	name = get_name(info, P2P_A_EXPORT_NAME, "export name");
	if (!name)
		return -EINVAL;
	return p2p_state_export_del(info_pn(info), &r.ctx, name);
}

/* Grants */

/* Both names, checked before either is looked up. */
static bool grant_names(struct genl_info *info, const char **export,
			const char **user)
{
	if (!need(info, P2P_A_EXPORT_NAME, "export name") ||
	    !need(info, P2P_A_USER_NAME, "user name"))
		return false;
	*export = get_name(info, P2P_A_EXPORT_NAME, "export name");
	*user = *export ? get_name(info, P2P_A_USER_NAME, "user name") : NULL;
	return *user;
}

int p2pshare_nl_grant_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nl_req r = req_of(skb, info);
	const char *export, *user;

	if (!grant_names(info, &export, &user))
		return -EINVAL;
	return p2p_state_grant_set(info_pn(info), &r.ctx, export, user,
				   get_mode(info->attrs[P2P_A_GRANT_MODE]));
}

int p2pshare_nl_grant_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nl_req r = req_of(skb, info);
	const char *export, *user;

	if (!grant_names(info, &export, &user))
		return -EINVAL;
	return p2p_state_grant_del(info_pn(info), &r.ctx, export, user);
}

/* Gets and dumps: one object by name, or all of a kind by id */

static int get_one(struct sk_buff *skb, struct genl_info *info,
		   const char *export, const char *user)
{
	struct nl_req r = req_of(skb, info);
	struct p2p_walk w = {
		.cmd = r.cmd, .one = true, .export = export, .user = user,
		.fn = reply, .arg = &r,
	};

	return p2p_state_walk(info_pn(info), &r.ctx, &w);
}

int p2pshare_nl_user_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	const char *name = get_name(info, P2P_A_USER_NAME, "user name");

	return name ? get_one(skb, info, NULL, name) : -EINVAL;
}

int p2pshare_nl_export_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	const char *name = get_name(info, P2P_A_EXPORT_NAME, "export name");

	return name ? get_one(skb, info, name, NULL) : -EINVAL;
}

int p2pshare_nl_grant_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	const char *export, *user;

	if (!grant_names(info, &export, &user))
		return -EINVAL;
	return get_one(skb, info, export, user);
}

struct dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u8 cmd;
};

static int dump_one(const struct p2p_obj *o, void *arg)
{
	struct dump *d = arg;

	return fill(d->skb, d->cmd, o, NETLINK_CB(d->cb->skb).portid,
		    d->cb->nlh->nlmsg_seq, NLM_F_MULTI);
}

/*
 * cb->args[0..1]: the walk's cursor.  Names filter a grant dump; an
 * unknown one ends it with -ENOENT and a message.
 */
static int dump_by_id(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	struct nlattr **a = p2p_dump_attrs(cb);
	struct p2p_ctx ctx = { .extack = cb->extack };
	struct dump d = { .skb = skb, .cb = cb, .cmd = cmd };
	struct p2p_walk w = {
		.cmd = cmd, .cursor = { cb->args[0], cb->args[1] },
		.fn = dump_one, .arg = &d,
	};
	int ret;

	if (cmd == P2P_CMD_GRANT_GET) {
		w.export = a[P2P_A_EXPORT_NAME] ? nla_data(a[P2P_A_EXPORT_NAME]) : NULL;
		w.user = a[P2P_A_USER_NAME] ? nla_data(a[P2P_A_USER_NAME]) : NULL;
	}
	ret = p2p_state_walk(p2p_net(sock_net(skb->sk)), &ctx, &w);
	cb->args[0] = w.cursor[0];
	cb->args[1] = w.cursor[1];
	if (ret == -ENOENT)
		return ret;
	/* Nothing fit into an empty message: that object can never be sent. */
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

int p2pshare_nl_user_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_by_id(skb, cb, P2P_CMD_USER_GET);
}

int p2pshare_nl_export_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_by_id(skb, cb, P2P_CMD_EXPORT_GET);
}

int p2pshare_nl_grant_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_by_id(skb, cb, P2P_CMD_GRANT_GET);
}

int p2pshare_nl_conn_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_by_id(skb, cb, P2P_CMD_CONN_GET);
}

/* The events group needs CAP_NET_ADMIN, which the generator cannot say. */
static const struct genl_multicast_group p2p_genl_mcgrps[] = {
	[P2PSHARE_NLGRP_EVENTS] = {
		.name = P2P_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family p2p_genl_family __ro_after_init = {
	.name = P2P_GENL_NAME,
	.version = P2P_GENL_VERSION,
	.maxattr = P2P_A_MAX,
	.netnsok = true,
	.module = THIS_MODULE,
	.mcgrps = p2p_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(p2p_genl_mcgrps),
};

int __init p2p_genl_init(void)
{
	p2p_genl_set_ops(&p2p_genl_family, p2pshare_nl_ops, ARRAY_SIZE(p2pshare_nl_ops));
	return genl_register_family(&p2p_genl_family);
}

void p2p_genl_uninit(void)
{
	genl_unregister_family(&p2p_genl_family);
}
