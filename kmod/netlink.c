// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "p2pshare": the control plane.
 *
 * The family is not parallel_ops: every doit and dumpit runs under
 * genl_mutex, and takes pn->lock inside it.  Dumps walk the id-ordered
 * lists with the last id sent in cb->args, so a change between two
 * parts of a dump never repeats or skips an unchanged object.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/namei.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "compat.h"
#include "hostkey.h"
#include "main.h"
#include "netlink.h"
#include "noise.h"
#include "server.h"
#include "state.h"
#include "uapi/p2pshare.h"

static struct genl_family p2p_genl_family;

/* An export message carries its path: room for a whole one. */
#define EXPORT_MSG_SIZE (PATH_MAX + 512)

/*
 * Names quoted in extack messages, which hold 79 characters: a long
 * name is cut to QNAME_MAX and marked with "...".
 */
#define QNAME_MAX 32
#define QFMT "\"%.*s%s\""
#define QARG(s) (int)min_t(size_t, strlen(s), QNAME_MAX), (s), \
	strlen(s) > QNAME_MAX ? "..." : ""

#define NAME_POLICY { .type = NLA_NUL_STRING, .len = P2P_NAME_MAX }
#define KEY_POLICY NLA_POLICY_EXACT_LEN(P2P_KEY_LEN)
#define MODE_POLICY NLA_POLICY_RANGE(NLA_U8, P2P_GRANT_RO, P2P_GRANT_RW)

static const struct nla_policy p2p_grant_policy[P2P_GRANT_A_MAX + 1] = {
	[P2P_GRANT_A_USER] = NAME_POLICY,
	[P2P_GRANT_A_MODE] = MODE_POLICY,
};

static const struct nla_policy status_policy[P2P_A_MAX + 1] = {
};

static const struct nla_policy user_new_policy[P2P_A_MAX + 1] = {
	[P2P_A_USER_NAME] = NAME_POLICY,
	[P2P_A_USER_PUBKEY] = KEY_POLICY,
	[P2P_A_USER_UID] = { .type = NLA_U32 },
	[P2P_A_USER_GID] = { .type = NLA_U32 },
};

static const struct nla_policy user_name_policy[P2P_A_MAX + 1] = {
	[P2P_A_USER_NAME] = NAME_POLICY,
};

static const struct nla_policy export_new_policy[P2P_A_MAX + 1] = {
	[P2P_A_EXPORT_NAME] = NAME_POLICY,
	[P2P_A_EXPORT_FD] = { .type = NLA_U32 },
	[P2P_A_EXPORT_FLAGS] = NLA_POLICY_MASK(NLA_U32, P2P_EXPORT_F_ALL),
	[P2P_A_GRANT] = NLA_POLICY_NESTED(p2p_grant_policy),
};

static const struct nla_policy export_name_policy[P2P_A_MAX + 1] = {
	[P2P_A_EXPORT_NAME] = NAME_POLICY,
};

static const struct nla_policy grant_policy[P2P_A_MAX + 1] = {
	[P2P_A_EXPORT_NAME] = NAME_POLICY,
	[P2P_A_USER_NAME] = NAME_POLICY,
	[P2P_A_GRANT_MODE] = MODE_POLICY,
};

static const struct nla_policy listen_policy[P2P_A_MAX + 1] = {
	[P2P_A_LISTEN_ADDR4] = { .type = NLA_U32 },
	[P2P_A_LISTEN_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[P2P_A_LISTEN_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[P2P_A_LISTEN_CIPHER] = { .type = NLA_U16 },
};

static const struct nla_policy hostkey_set_policy[P2P_A_MAX + 1] = {
	[P2P_A_HOSTKEY_PRIV] = KEY_POLICY,
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

static bool name_char_ok(char c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-';
}

/* A name attribute: 1-64 of [A-Za-z0-9._-], not "." or ".."; NULL if bad. */
static const char *name_attr(struct nlattr *a, const char *what,
			     struct netlink_ext_ack *extack)
{
	const char *s = nla_data(a);
	size_t i, len = strlen(s);	/* the policy saw a NUL */

	if (!len || len + 1 != nla_len(a)) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, a, "%s is empty or holds a NUL byte", what);
		return NULL;
	}
	for (i = 0; i < len; i++)
		if (!name_char_ok(s[i]))
			goto bad;
	if (strcmp(s, ".") && strcmp(s, ".."))
		return s;
bad:
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

static struct p2p_user *user_attr(struct p2p_net *pn, struct genl_info *info)
{
	struct p2p_user *user;
	const char *name;

	name = get_name(info, P2P_A_USER_NAME, "user name");
	if (!name)
		return ERR_PTR(-EINVAL);
	user = p2p_user_find(pn, name);
	if (!user) {
		NL_SET_ERR_MSG_FMT(info->extack, "user " QFMT " unknown", QARG(name));
		return ERR_PTR(-ENOENT);
	}
	return user;
}

static struct p2p_export *export_attr(struct p2p_net *pn, struct genl_info *info)
{
	struct p2p_export *exp;
	const char *name;

	name = get_name(info, P2P_A_EXPORT_NAME, "export name");
	if (!name)
		return ERR_PTR(-EINVAL);
	exp = p2p_export_find(pn, name);
	if (!exp) {
		NL_SET_ERR_MSG_FMT(info->extack, "export " QFMT " unknown", QARG(name));
		return ERR_PTR(-ENOENT);
	}
	return exp;
}

static u8 get_mode(struct nlattr *a)
{
	return a ? nla_get_u8(a) : P2P_GRANT_RO;
}

/* Messages */

static void *msg_start(struct sk_buff *skb, u32 portid, u32 seq, int flags, u8 cmd)
{
	return genlmsg_put(skb, portid, seq, &p2p_genl_family, flags, cmd);
}

static int msg_end(struct sk_buff *skb, void *hdr, int err)
{
	if (err) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int fill_user(struct sk_buff *skb, const struct p2p_user *user,
		     u32 portid, u32 seq, int flags, u8 cmd)
{
	struct user_namespace *ns = current_user_ns();
	void *hdr;

	hdr = msg_start(skb, portid, seq, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr,
		       nla_put_string(skb, P2P_A_USER_NAME, user->name) ||
		       nla_put(skb, P2P_A_USER_PUBKEY, P2P_KEY_LEN, user->pubkey) ||
		       nla_put_u32(skb, P2P_A_USER_UID, from_kuid_munged(ns, user->uid)) ||
		       nla_put_u32(skb, P2P_A_USER_GID, from_kgid_munged(ns, user->gid)));
}

/*
 * d_path() names the directory from the requester's root even when it is
 * not below that root: an export made in another mount namespace, such as
 * the private one of `ip netns exec`, which died with its command, prints
 * as a path from its own top, "/" for a mount point.  Such a path names
 * some other directory here, so the reply says whether it is reachable.
 */
static bool path_reachable(const struct path *path)
{
	struct path root;
	bool ret;

	if (!current->fs)
		return false;
	get_fs_root(current->fs, &root);
	ret = path_is_under(path, &root);
	path_put(&root);
	return ret;
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
	      nla_put_u8(skb, P2P_A_EXPORT_REACHABLE, path_reachable(path));
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

static int fill_export(struct sk_buff *skb, const struct p2p_export *exp,
		       u32 portid, u32 seq, int flags, u8 cmd)
{
	void *hdr;

	hdr = msg_start(skb, portid, seq, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr,
		       nla_put_string(skb, P2P_A_EXPORT_NAME, exp->name) ||
		       nla_put_u32(skb, P2P_A_EXPORT_ID, exp->id) ||
		       nla_put_u32(skb, P2P_A_EXPORT_FLAGS, exp->flags) ||
		       (cmd != P2P_CMD_EXPORT_DEL &&
			(put_path(skb, &exp->root) || put_dir_id(skb, &exp->root))));
}

static int fill_grant(struct sk_buff *skb, const struct p2p_export *exp,
		      const struct p2p_user *user, u8 mode,
		      u32 portid, u32 seq, int flags, u8 cmd)
{
	void *hdr;

	hdr = msg_start(skb, portid, seq, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr,
		       nla_put_string(skb, P2P_A_EXPORT_NAME, exp->name) ||
		       nla_put_string(skb, P2P_A_USER_NAME, user->name) ||
		       nla_put_u8(skb, P2P_A_GRANT_MODE, mode));
}

static int put_listen(struct sk_buff *skb, struct p2p_net *pn)
{
	struct p2p_listen_cfg cfg;

	p2p_listen_get(pn, &cfg);
	if (cfg.family == AF_INET &&
	    nla_put_in_addr(skb, P2P_A_LISTEN_ADDR4, cfg.addr4))
		return -EMSGSIZE;
	if (cfg.family == AF_INET6 &&
	    nla_put_in6_addr(skb, P2P_A_LISTEN_ADDR6, &cfg.addr6))
		return -EMSGSIZE;
	return nla_put_u16(skb, P2P_A_LISTEN_PORT, cfg.port) ||
	       nla_put_u16(skb, P2P_A_LISTEN_CIPHER, READ_ONCE(pn->cipher));
}

static int fill_listen(struct sk_buff *skb, struct p2p_net *pn,
		       u32 portid, u32 seq, int flags, u8 cmd)
{
	void *hdr;

	hdr = msg_start(skb, portid, seq, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr, put_listen(skb, pn));
}

static int fill_hostkey(struct sk_buff *skb, const struct p2p_hostkey *key,
			bool priv, u32 portid, u32 seq, int flags, u8 cmd)
{
	void *hdr;

	hdr = msg_start(skb, portid, seq, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr,
		       nla_put(skb, P2P_A_HOSTKEY_PUB, P2P_KEY_LEN, key->pub) ||
		       (priv && nla_put(skb, P2P_A_HOSTKEY_PRIV, P2P_KEY_LEN, key->priv)));
}

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
		       const struct p2p_hostkey *key,
		       u32 portid, u32 seq, int flags, u8 cmd)
{
	void *hdr;

	hdr = msg_start(skb, portid, seq, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr,
		       nla_put_string(skb, P2P_A_VERSION, P2P_MODULE_VERSION) ||
		       nla_put(skb, P2P_A_HOSTKEY_PUB, P2P_KEY_LEN, key->pub) ||
		       put_listen(skb, pn) ||
		       nla_put_u8(skb, P2P_A_LISTEN_ACTIVE, p2p_server_active(pn)) ||
		       put_stats(skb, pn));
}

/*
 * FILL(skb, ARGS..., portid, seq, flags, cmd) builds one message; REPLY
 * sends it to the requester as CMD, NOTIFY to the namespace's "events".
 */
#define REPLY(info, size, cmd, fill, args...) ({			\
	struct sk_buff *__msg = nlmsg_new(size, GFP_KERNEL);		\
	int __ret = -ENOMEM;						\
									\
	if (__msg) {							\
		__ret = fill(__msg, args, (info)->snd_portid,		\
			     (info)->snd_seq, 0, cmd);			\
		if (__ret)						\
			nlmsg_free(__msg);				\
		else							\
			__ret = genlmsg_reply(__msg, info);		\
	}								\
	__ret;								\
})

#define NOTIFY(pn, size, cmd, fill, args...) do {				\
	struct sk_buff *__msg;						\
									\
	if (!genl_has_listeners(&p2p_genl_family, (pn)->net, 0))	\
		break;							\
	__msg = nlmsg_new(size, GFP_KERNEL);				\
	if (!__msg)							\
		break;							\
	if (fill(__msg, args, 0, 0, 0, cmd)) {			\
		nlmsg_free(__msg);					\
		break;							\
	}								\
	genlmsg_multicast_netns(&p2p_genl_family, (pn)->net, __msg,	\
				0, 0, GFP_KERNEL);			\
} while (0)

static struct p2p_net *info_pn(struct genl_info *info)
{
	return p2p_net(genl_info_net(info));
}

/* The request, kept by pre_doit for netlink_capable(). */
static struct sk_buff *info_skb(struct genl_info *info)
{
	return info->user_ptr[0];
}

static int p2p_nl_pre_doit(const struct p2p_genl_split_ops *ops,
			   struct sk_buff *skb, struct genl_info *info)
{
	info->user_ptr[0] = skb;
	return 0;
}

/* Status and host key */

static void hostkey_error(struct netlink_ext_ack *extack, int err)
{
	if (err == -EINTR)
		NL_SET_ERR_MSG(extack, "cannot make the host key: interrupted waiting for the RNG");
	else
		NL_SET_ERR_MSG(extack, "cannot make the host key (curve25519)");
}

static int p2p_nl_status_get(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	const struct p2p_hostkey *key;
	int ret;

	mutex_lock(&pn->lock);
	key = p2p_hostkey_ensure(pn);
	if (IS_ERR(key)) {
		ret = PTR_ERR(key);
		hostkey_error(info->extack, ret);
		goto out_unlock;
	}
	ret = REPLY(info, NLMSG_DEFAULT_SIZE, P2P_CMD_STATUS_GET, fill_status, pn, key);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

static int p2p_nl_hostkey_get(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	const struct p2p_hostkey *key;
	int ret;

	mutex_lock(&pn->lock);
	key = p2p_hostkey_ensure(pn);
	if (IS_ERR(key)) {
		ret = PTR_ERR(key);
		hostkey_error(info->extack, ret);
		goto out_unlock;
	}
	ret = REPLY(info, NLMSG_GOODSIZE, P2P_CMD_HOSTKEY_GET, fill_hostkey, key, true);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

static int p2p_nl_hostkey_set(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	const u8 *priv;
	int ret;

	if (!need(info, P2P_A_HOSTKEY_PRIV, "private key"))
		return -EINVAL;
	priv = nla_data(info->attrs[P2P_A_HOSTKEY_PRIV]);
	if (!memchr_inv(priv, 0, P2P_KEY_LEN)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[P2P_A_HOSTKEY_PRIV],
				    "private key is all zeros");
		return -EINVAL;
	}
	mutex_lock(&pn->lock);
	ret = p2p_hostkey_set(pn, priv);
	if (ret)
		NL_SET_ERR_MSG(info->extack, "cannot use the host key (curve25519)");
	else
		NOTIFY(pn, NLMSG_GOODSIZE, P2P_CMD_HOSTKEY_SET, fill_hostkey,
		       p2p_hostkey_ensure(pn), false);
	mutex_unlock(&pn->lock);
	return ret;
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

static void listen_error(struct p2p_net *pn, int err, struct netlink_ext_ack *extack)
{
	struct p2p_listen_cfg cfg;

	p2p_listen_get(pn, &cfg);
	if (err == -EADDRINUSE)
		NL_SET_ERR_MSG_FMT(extack, "port %u is already in use", cfg.port);
	else if (err == -EADDRNOTAVAIL)
		NL_SET_ERR_MSG(extack, "the listen address is not configured here");
	else
		NL_SET_ERR_MSG_FMT(extack, "cannot listen on port %u (error %d)",
				   cfg.port, err);
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

static int p2p_nl_listen_set(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	struct p2p_listen_cfg cfg, old;
	u16 cipher = 0;
	int ret;

	ret = listen_parse(info, &cfg);
	if (!ret && info->attrs[P2P_A_LISTEN_CIPHER])
		ret = cipher_parse(info, &cipher);
	if (ret)
		return ret;
	mutex_lock(&pn->lock);
	if (cipher_only(info))
		goto notify;
	p2p_listen_read(pn, &old);
	p2p_listen_set(pn, &cfg);
	if (p2p_server_active(pn)) {
		ret = p2p_server_relisten(pn);
		if (ret) {
			listen_error(pn, ret, info->extack);
			p2p_listen_set(pn, &old);
			p2p_server_relisten(pn);
			goto out_unlock;
		}
	}
notify:
	if (cipher)
		WRITE_ONCE(pn->cipher, cipher);
	NOTIFY(pn, NLMSG_GOODSIZE, P2P_CMD_LISTEN_SET, fill_listen, pn);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

/* Users */

static bool own_uid(kuid_t uid)
{
	const struct cred *cred = current_cred();

	return uid_eq(uid, cred->uid) || uid_eq(uid, cred->euid) ||
	       uid_eq(uid, cred->suid);
}

static bool own_gid(kgid_t gid)
{
	const struct cred *cred = current_cred();

	return gid_eq(gid, cred->gid) || gid_eq(gid, cred->egid) ||
	       gid_eq(gid, cred->sgid);
}

static void id_refused(struct genl_info *info, int attr, const char *id,
		       u32 val, u32 own, const char *cap)
{
	struct nlattr *a = info->attrs[attr];

	if (a)
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, a, "mapping to %s %u needs %s",
					id, val, cap);
	else if (info->genlhdr->cmd == P2P_CMD_USER_SET)
		NL_SET_ERR_MSG_FMT(info->extack,
				   "the user is mapped to %s %u: changing it needs %s",
				   id, val, cap);
	else
		NL_SET_ERR_MSG_FMT(info->extack,
				   "mapping to %s %u (default) needs %s; use your %s %u",
				   id, val, cap, id, own);
}

/*
 * A peer mapped to a uid or gid gets its file rights, owner bits in full
 * even without capabilities: fsuid 0 owns /etc/shadow.  So a mapping to
 * an id the caller does not hold needs what setresuid()/setresgid() would,
 * CAP_SETUID/CAP_SETGID in the initial user namespace, held by both the
 * sender and the socket's opener, as GENL_ADMIN_PERM checks CAP_NET_ADMIN.
 */
static int ids_allowed(struct genl_info *info, kuid_t uid, kgid_t gid)
{
	struct user_namespace *ns = current_user_ns();
	struct sk_buff *skb = info_skb(info);

	if (!own_uid(uid) && !netlink_capable(skb, CAP_SETUID)) {
		id_refused(info, P2P_A_USER_UID, "uid", from_kuid_munged(ns, uid),
			   from_kuid_munged(ns, current_euid()), "CAP_SETUID");
		return -EPERM;
	}
	if (!own_gid(gid) && !netlink_capable(skb, CAP_SETGID)) {
		id_refused(info, P2P_A_USER_GID, "gid", from_kgid_munged(ns, gid),
			   from_kgid_munged(ns, current_egid()), "CAP_SETGID");
		return -EPERM;
	}
	return 0;
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

/*
 * The ids a user will have: those the request gives, else DEF_UID and
 * DEF_GID; valid here, and the caller may map them.
 */
static int user_ids(struct genl_info *info, kuid_t def_uid, kgid_t def_gid,
		    kuid_t *uid, kgid_t *gid)
{
	struct user_namespace *ns = current_user_ns();
	struct nlattr **a = info->attrs;

	*uid = a[P2P_A_USER_UID] ? make_kuid(ns, nla_get_u32(a[P2P_A_USER_UID])) :
	       def_uid;
	*gid = a[P2P_A_USER_GID] ? make_kgid(ns, nla_get_u32(a[P2P_A_USER_GID])) :
	       def_gid;
	if (!uid_valid(*uid)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[P2P_A_USER_UID],
				    "uid is not valid in this user namespace");
		return -EINVAL;
	}
	if (!gid_valid(*gid)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[P2P_A_USER_GID],
				    "gid is not valid in this user namespace");
		return -EINVAL;
	}
	return ids_allowed(info, *uid, *gid);
}

static int p2p_nl_user_new(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	struct p2p_user *user;
	const char *name;
	const u8 *key;
	kuid_t uid;
	kgid_t gid;
	int ret;

	name = get_name(info, P2P_A_USER_NAME, "user name");
	if (!name || !need(info, P2P_A_USER_PUBKEY, "public key"))
		return -EINVAL;
	key = nla_data(info->attrs[P2P_A_USER_PUBKEY]);
	ret = pubkey_ok(info, info->attrs[P2P_A_USER_PUBKEY]);
	if (ret)
		return ret;
	ret = user_ids(info, make_kuid(current_user_ns(), P2P_UID_NOBODY),
		       make_kgid(current_user_ns(), P2P_UID_NOBODY), &uid, &gid);
	if (ret)
		return ret;

	mutex_lock(&pn->lock);
	ret = -EEXIST;
	if (p2p_user_find(pn, name)) {
		NL_SET_ERR_MSG_FMT(info->extack, "user " QFMT " exists", QARG(name));
		goto out_unlock;
	}
	ret = -ENOMEM;
	user = p2p_user_add(pn, name, key, uid, gid);
	if (!user)
		goto out_unlock;
	ret = 0;
	NOTIFY(pn, NLMSG_GOODSIZE, P2P_CMD_USER_NEW, fill_user, user);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

static int p2p_nl_user_del(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	struct p2p_user *user;
	int ret = 0;

	mutex_lock(&pn->lock);
	user = user_attr(pn, info);
	if (IS_ERR(user)) {
		ret = PTR_ERR(user);
		goto out_unlock;
	}
	NOTIFY(pn, NLMSG_GOODSIZE, P2P_CMD_USER_DEL, fill_user, user);
	p2p_user_del(pn, user);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

/* The key USER will have: the one given (if usable), else its own. */
static const u8 *set_key(struct genl_info *info, const struct p2p_user *user)
{
	struct nlattr *a = info->attrs[P2P_A_USER_PUBKEY];
	int ret;

	if (!a)
		return user->pubkey;
	ret = pubkey_ok(info, a);
	return ret ? ERR_PTR(ret) : nla_data(a);
}

static bool user_same(const struct p2p_user *user, const u8 *key, kuid_t uid,
		      kgid_t gid)
{
	return !memcmp(user->pubkey, key, P2P_KEY_LEN) && uid_eq(user->uid, uid) &&
	       gid_eq(user->gid, gid);
}

/*
 * A new user object replaces the old one in a single step under pn->lock,
 * so the old key's or old ids' connections end and no connection ever
 * runs with a mix of both.  A set that changes nothing leaves it alone.
 */
static int p2p_nl_user_set(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	struct nlattr **a = info->attrs;
	struct p2p_user *user;
	const u8 *key;
	kuid_t uid;
	kgid_t gid;
	int ret;

	if (!need(info, P2P_A_USER_NAME, "user name"))
		return -EINVAL;
	if (!a[P2P_A_USER_PUBKEY] && !a[P2P_A_USER_UID] && !a[P2P_A_USER_GID]) {
		NL_SET_ERR_MSG(info->extack, "nothing to set: give a public key, a uid or a gid");
		return -EINVAL;
	}
	mutex_lock(&pn->lock);
	user = user_attr(pn, info);
	if (IS_ERR(user)) {
		ret = PTR_ERR(user);
		goto out_unlock;
	}
	key = set_key(info, user);
	if (IS_ERR(key)) {
		ret = PTR_ERR(key);
		goto out_unlock;
	}
	/* Even for a key alone: re-keying a uid-0 user is as good as adding one. */
	ret = user_ids(info, user->uid, user->gid, &uid, &gid);
	if (ret || user_same(user, key, uid, gid))
		goto out_unlock;
	ret = -ENOMEM;
	user = p2p_user_replace(pn, user, key, uid, gid);
	if (!user)
		goto out_unlock;
	ret = 0;
	NOTIFY(pn, NLMSG_GOODSIZE, P2P_CMD_USER_SET, fill_user, user);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

static int dump_end(struct sk_buff *skb, int ret)
{
	/* Nothing fit into an empty message: that object can never be sent. */
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

static struct p2p_net *dump_pn(struct sk_buff *skb)
{
	return p2p_net(sock_net(skb->sk));
}

#define DUMP_ARGS(cb, cmd) NETLINK_CB((cb)->skb).portid, (cb)->nlh->nlmsg_seq, \
	NLM_F_MULTI, cmd

static int p2p_nl_user_get(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	struct p2p_user *user;
	int ret;

	mutex_lock(&pn->lock);
	user = user_attr(pn, info);
	ret = IS_ERR(user) ? PTR_ERR(user) :
	      REPLY(info, NLMSG_GOODSIZE, P2P_CMD_USER_GET, fill_user, user);
	mutex_unlock(&pn->lock);
	return ret;
}

static int p2p_nl_user_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct p2p_net *pn = dump_pn(skb);
	struct p2p_user *user;
	int ret = 0;

	mutex_lock(&pn->lock);
	list_for_each_entry(user, &pn->users, node) {
		if (user->id <= cb->args[0])
			continue;
		ret = fill_user(skb, user, DUMP_ARGS(cb, P2P_CMD_USER_GET));
		if (ret)
			break;
		cb->args[0] = user->id;
	}
	mutex_unlock(&pn->lock);
	return dump_end(skb, ret);
}

/* Exports */

struct grant_req {
	const char *user;
	u8 mode;
};

static int grant_req_parse(struct nlattr *a, struct grant_req *req,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[P2P_GRANT_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, P2P_GRANT_A_MAX, a, p2p_grant_policy, extack);
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
static int grant_reqs_parse(struct genl_info *info, struct grant_req **reqs, int *n)
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

/* Grants of a new, still private export: all users must exist. */
static int grants_make(struct p2p_net *pn, struct p2p_export *exp,
		       const struct grant_req *reqs, int n,
		       struct netlink_ext_ack *extack)
{
	struct p2p_grant *grant;
	struct p2p_user *user;
	int i;

	for (i = 0; i < n; i++) {
		user = p2p_user_find(pn, reqs[i].user);
		if (!user) {
			NL_SET_ERR_MSG_FMT(extack, "user " QFMT " unknown", QARG(reqs[i].user));
			return -ENOENT;
		}
		if (p2p_grant_find(exp, user)) {
			NL_SET_ERR_MSG_FMT(extack, "user " QFMT " granted twice",
					   QARG(reqs[i].user));
			return -EINVAL;
		}
		grant = p2p_grant_alloc(user, reqs[i].mode);
		if (!grant)
			return -ENOMEM;
		p2p_grant_link(exp, grant);
	}
	return 0;
}

static void export_discard(struct p2p_export *exp)
{
	struct p2p_grant *grant, *tmp;

	list_for_each_entry_safe(grant, tmp, &exp->grants, node)
		p2p_grant_del(grant);
	p2p_export_put(exp);
}

/*
 * Peers read the export with their own mapped ids, but what is exported is
 * the caller's choice: it must be a directory the caller may read and
 * search.  An O_PATH descriptor proves neither (search permission on the
 * parent makes one of /root), so the descriptor must be open for reading,
 * and the rights are checked again with the caller's credentials, since a
 * descriptor can be handed over.
 */
static int export_file_ok(struct file *f, struct nlattr *a,
			  struct netlink_ext_ack *extack)
{
	struct inode *inode = file_inode(f);

	if (!d_is_dir(f->f_path.dentry)) {
		NL_SET_ERR_MSG_ATTR(extack, a, "not a directory");
		return -ENOTDIR;
	}
	if (!(f->f_mode & FMODE_READ)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "an O_PATH descriptor carries no right: open the directory for reading");
		return -EBADF;
	}
	if (inode_permission(p2p_mnt_idmap(f->f_path.mnt), inode, MAY_READ)) {
		NL_SET_ERR_MSG_ATTR(extack, a, "no read permission on the directory");
		return -EACCES;
	}
	if (inode_permission(p2p_mnt_idmap(f->f_path.mnt), inode, MAY_EXEC)) {
		NL_SET_ERR_MSG_ATTR(extack, a, "no search (x) permission on the directory");
		return -EACCES;
	}
	return 0;
}

/* The directory behind P2P_A_EXPORT_FD, which the caller opened. */
static struct file *export_file(struct genl_info *info)
{
	struct nlattr *a = info->attrs[P2P_A_EXPORT_FD];
	struct file *f;
	int ret;

	/* fget_raw: an O_PATH descriptor gets its own message below. */
	f = fget_raw(nla_get_u32(a));
	if (!f) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "bad file descriptor");
		return ERR_PTR(-EBADF);
	}
	ret = export_file_ok(f, a, info->extack);
	if (ret) {
		fput(f);
		return ERR_PTR(ret);
	}
	return f;
}

static int export_check_new(struct p2p_net *pn, const char *name,
			    const struct path *root, struct netlink_ext_ack *extack)
{
	struct p2p_export *other;

	if (p2p_export_find(pn, name)) {
		NL_SET_ERR_MSG_FMT(extack, "export " QFMT " exists", QARG(name));
		return -EEXIST;
	}
	other = p2p_export_find_path(pn, root);
	if (other) {
		NL_SET_ERR_MSG_FMT(extack, "directory already exported as " QFMT,
				   QARG(other->name));
		return -EEXIST;
	}
	return 0;
}

/* The listener starts with the first export; the host key before it. */
static int server_start(struct p2p_net *pn, struct netlink_ext_ack *extack)
{
	const struct p2p_hostkey *key;
	int ret;

	if (p2p_server_active(pn))
		return 0;
	key = p2p_hostkey_ensure(pn);
	if (IS_ERR(key)) {
		hostkey_error(extack, PTR_ERR(key));
		return PTR_ERR(key);
	}
	ret = p2p_server_start(pn);
	if (ret)
		listen_error(pn, ret, extack);
	return ret;
}

static void export_notify(struct p2p_net *pn, struct p2p_export *exp)
{
	struct p2p_grant *grant;

	NOTIFY(pn, EXPORT_MSG_SIZE, P2P_CMD_EXPORT_NEW, fill_export, exp);
	list_for_each_entry(grant, &exp->grants, node)
		NOTIFY(pn, NLMSG_GOODSIZE, P2P_CMD_GRANT_SET, fill_grant,
		       exp, grant->user, grant->mode);
}

static int export_add(struct p2p_net *pn, struct genl_info *info, const char *name,
		      struct file *f, const struct grant_req *reqs, int n)
{
	struct nlattr *flags = info->attrs[P2P_A_EXPORT_FLAGS];
	struct p2p_export *exp;
	int ret;

	ret = export_check_new(pn, name, &f->f_path, info->extack);
	if (ret)
		return ret;
	exp = p2p_export_alloc(name, &f->f_path, flags ? nla_get_u32(flags) : 0);
	if (!exp)
		return -ENOMEM;
	ret = grants_make(pn, exp, reqs, n, info->extack);
	if (ret) {
		export_discard(exp);
		return ret;
	}
	p2p_export_link(pn, exp);
	ret = server_start(pn, info->extack);
	if (ret) {
		p2p_export_unlink(pn, exp);
		return ret;
	}
	export_notify(pn, exp);
	return 0;
}

static int p2p_nl_export_new(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	struct grant_req *reqs;
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
	mutex_lock(&pn->lock);
	ret = export_add(pn, info, name, f, reqs, n);
	mutex_unlock(&pn->lock);
	fput(f);
out_free:
	kfree(reqs);
	return ret;
}

static int p2p_nl_export_del(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	struct p2p_export *exp;
	int ret = 0;
	u32 id;

	mutex_lock(&pn->lock);
	exp = export_attr(pn, info);
	if (IS_ERR(exp)) {
		ret = PTR_ERR(exp);
		goto out_unlock;
	}
	NOTIFY(pn, NLMSG_GOODSIZE, P2P_CMD_EXPORT_DEL, fill_export, exp);
	id = exp->id;
	p2p_export_unlink(pn, exp);
	p2p_server_export_gone(pn, id);
	if (!pn->n_exports)
		p2p_server_stop(pn);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

static int p2p_nl_export_get(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	struct p2p_export *exp;
	int ret;

	mutex_lock(&pn->lock);
	exp = export_attr(pn, info);
	ret = IS_ERR(exp) ? PTR_ERR(exp) :
	      REPLY(info, EXPORT_MSG_SIZE, P2P_CMD_EXPORT_GET, fill_export, exp);
	mutex_unlock(&pn->lock);
	return ret;
}

static int p2p_nl_export_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct p2p_net *pn = dump_pn(skb);
	struct p2p_export *exp;
	int ret = 0;

	mutex_lock(&pn->lock);
	list_for_each_entry(exp, &pn->exports, node) {
		if (exp->id <= cb->args[0])
			continue;
		ret = fill_export(skb, exp, DUMP_ARGS(cb, P2P_CMD_EXPORT_GET));
		if (ret)
			break;
		cb->args[0] = exp->id;
	}
	mutex_unlock(&pn->lock);
	return dump_end(skb, ret);
}

/* Grants */

/* Both names, checked before either is looked up. */
static bool need_grant_names(struct genl_info *info)
{
	return need(info, P2P_A_EXPORT_NAME, "export name") &&
	       need(info, P2P_A_USER_NAME, "user name");
}

static int p2p_nl_grant_set(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	u8 mode = get_mode(info->attrs[P2P_A_GRANT_MODE]);
	struct p2p_export *exp;
	struct p2p_grant *grant;
	struct p2p_user *user;
	int ret = 0;

	if (!need_grant_names(info))
		return -EINVAL;
	mutex_lock(&pn->lock);
	exp = export_attr(pn, info);
	user = IS_ERR(exp) ? ERR_CAST(exp) : user_attr(pn, info);
	if (IS_ERR(user)) {
		ret = PTR_ERR(user);
		goto out_unlock;
	}
	grant = p2p_grant_find(exp, user);
	if (grant) {
		WRITE_ONCE(grant->mode, mode);
	} else {
		ret = -ENOMEM;
		grant = p2p_grant_alloc(user, mode);
		if (!grant)
			goto out_unlock;
		p2p_grant_link(exp, grant);
		ret = 0;
	}
	NOTIFY(pn, NLMSG_GOODSIZE, P2P_CMD_GRANT_SET, fill_grant, exp, user, mode);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

/* The grant named by the request; ERR_PTR with a message if none. */
static struct p2p_grant *grant_attr(struct p2p_net *pn, struct genl_info *info,
				   struct p2p_export **exp)
{
	struct p2p_grant *grant;
	struct p2p_user *user;

	if (!need_grant_names(info))
		return ERR_PTR(-EINVAL);
	*exp = export_attr(pn, info);
	if (IS_ERR(*exp))
		return ERR_CAST(*exp);
	user = user_attr(pn, info);
	if (IS_ERR(user))
		return ERR_CAST(user);
	grant = p2p_grant_find(*exp, user);
	if (!grant) {
		NL_SET_ERR_MSG_FMT(info->extack, "user " QFMT " has no grant on that export",
				   QARG(user->name));
		return ERR_PTR(-ENOENT);
	}
	return grant;
}

static int p2p_nl_grant_del(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	struct p2p_export *exp;
	struct p2p_grant *grant;
	int ret = 0;

	mutex_lock(&pn->lock);
	grant = grant_attr(pn, info, &exp);
	if (IS_ERR(grant)) {
		ret = PTR_ERR(grant);
		goto out_unlock;
	}
	NOTIFY(pn, NLMSG_GOODSIZE, P2P_CMD_GRANT_DEL, fill_grant,
	       exp, grant->user, grant->mode);
	p2p_grant_del(grant);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

static int p2p_nl_grant_get(struct sk_buff *skb, struct genl_info *info)
{
	struct p2p_net *pn = info_pn(info);
	struct p2p_export *exp;
	struct p2p_grant *grant;
	int ret;

	mutex_lock(&pn->lock);
	grant = grant_attr(pn, info, &exp);
	ret = IS_ERR(grant) ? PTR_ERR(grant) :
	      REPLY(info, NLMSG_GOODSIZE, P2P_CMD_GRANT_GET, fill_grant,
		    exp, grant->user, grant->mode);
	mutex_unlock(&pn->lock);
	return ret;
}

/* The optional filters of a grant dump; ERR_PTR if a name is unknown. */
static int grant_filter(struct p2p_net *pn, struct netlink_callback *cb,
			struct p2p_export **exp, struct p2p_user **user)
{
	struct nlattr **a = p2p_dump_attrs(cb);
	const char *name;

	*exp = NULL;
	*user = NULL;
	if (a[P2P_A_EXPORT_NAME]) {
		name = nla_data(a[P2P_A_EXPORT_NAME]);
		*exp = p2p_export_find(pn, name);
		if (!*exp) {
			NL_SET_ERR_MSG_FMT(cb->extack, "export " QFMT " unknown", QARG(name));
			return -ENOENT;
		}
	}
	if (a[P2P_A_USER_NAME]) {
		name = nla_data(a[P2P_A_USER_NAME]);
		*user = p2p_user_find(pn, name);
		if (!*user) {
			NL_SET_ERR_MSG_FMT(cb->extack, "user " QFMT " unknown", QARG(name));
			return -ENOENT;
		}
	}
	return 0;
}

/* cb->args: the export being dumped and the last user id sent in it. */
static int grants_dump(struct sk_buff *skb, struct netlink_callback *cb,
		       struct p2p_net *pn, struct p2p_export *fexp,
		       struct p2p_user *fuser)
{
	struct p2p_export *exp;
	struct p2p_grant *g;
	int ret;

	list_for_each_entry(exp, &pn->exports, node) {
		if (exp->id < cb->args[0] || (fexp && exp != fexp))
			continue;
		if (exp->id > cb->args[0]) {
			cb->args[0] = exp->id;
			cb->args[1] = 0;
		}
		list_for_each_entry(g, &exp->grants, node) {
			if (g->user->id <= cb->args[1] || (fuser && g->user != fuser))
				continue;
			ret = fill_grant(skb, exp, g->user, g->mode,
					 DUMP_ARGS(cb, P2P_CMD_GRANT_GET));
			if (ret)
				return ret;
			cb->args[1] = g->user->id;
		}
	}
	return 0;
}

static int p2p_nl_grant_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct p2p_net *pn = dump_pn(skb);
	struct p2p_export *exp;
	struct p2p_user *user;
	int ret;

	mutex_lock(&pn->lock);
	ret = grant_filter(pn, cb, &exp, &user);
	if (!ret)
		ret = grants_dump(skb, cb, pn, exp, user);
	mutex_unlock(&pn->lock);
	if (ret == -ENOENT)
		return ret;
	return dump_end(skb, ret);
}

/* Connections */

static const struct p2p_export *export_by_id(struct p2p_net *pn, u32 id)
{
	struct p2p_export *exp;

	list_for_each_entry(exp, &pn->exports, node)
		if (exp->id == id)
			return exp;
	return NULL;
}

/* By name: an export removed since the connection used it is left out. */
static int put_conn_exports(struct sk_buff *skb, struct p2p_net *pn,
			    const struct p2p_conn_info *ci)
{
	const struct p2p_export *exp;
	unsigned int i;

	for (i = 0; i < ci->nexports; i++) {
		exp = export_by_id(pn, ci->exports[i]);
		if (exp && nla_put_string(skb, P2P_CONN_A_EXPORT, exp->name))
			return -EMSGSIZE;
	}
	if (ci->many_exports && nla_put_flag(skb, P2P_CONN_A_EXPORTS_MORE))
		return -EMSGSIZE;
	return 0;
}

static int put_conn_peer(struct sk_buff *skb, const struct p2p_conn_info *ci)
{
	if (ipv6_addr_v4mapped(&ci->peer))
		return nla_put_in_addr(skb, P2P_CONN_A_PEER4, ci->peer.s6_addr32[3]);
	return nla_put_in6_addr(skb, P2P_CONN_A_PEER6, &ci->peer);
}

static int put_conn_attrs(struct sk_buff *skb, struct p2p_net *pn,
			  const struct p2p_conn_info *ci)
{
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
	return put_conn_exports(skb, pn, ci);
}

static int put_conn(struct sk_buff *skb, struct p2p_net *pn,
		    const struct p2p_conn_info *ci)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, P2P_A_CONN);
	if (!nest)
		return -EMSGSIZE;
	if (put_conn_attrs(skb, pn, ci)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int fill_conn(struct sk_buff *skb, struct p2p_net *pn,
		     const struct p2p_conn_info *ci,
		     u32 portid, u32 seq, int flags, u8 cmd)
{
	void *hdr;

	hdr = msg_start(skb, portid, seq, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr, put_conn(skb, pn, ci));
}

struct conn_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct p2p_net *pn;
};

static int conn_dump_one(const struct p2p_conn_info *ci, void *arg)
{
	struct conn_dump *d = arg;

	return fill_conn(d->skb, d->pn, ci, DUMP_ARGS(d->cb, P2P_CMD_CONN_GET));
}

/*
 * cb->args[0]: the id of the last connection sent.  Connections live in
 * the server, not in pn; pn->lock keeps the server from stopping while
 * its list is walked, and nothing of a connection is kept between parts.
 */
static int p2p_nl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct conn_dump d = { .skb = skb, .cb = cb, .pn = dump_pn(skb) };
	u64 cursor = cb->args[0];
	int ret;

	mutex_lock(&d.pn->lock);
	ret = p2p_server_conns_walk(d.pn, &cursor, conn_dump_one, &d);
	mutex_unlock(&d.pn->lock);
	cb->args[0] = cursor;
	return dump_end(skb, ret);
}

#define OP(c, pol, d) {						\
	.cmd = P2P_CMD_##c, .doit = d, .policy = pol,			\
	.maxattr = P2P_A_MAX, .flags = GENL_ADMIN_PERM,			\
}
#define OP_DUMP(c, pol, d, dump) {					\
	.cmd = P2P_CMD_##c, .doit = d, .dumpit = dump, .policy = pol,	\
	.maxattr = P2P_A_MAX, .flags = GENL_ADMIN_PERM,			\
}

static const struct genl_ops p2p_genl_ops[] = {
	OP(STATUS_GET, status_policy, p2p_nl_status_get),
	OP(USER_NEW, user_new_policy, p2p_nl_user_new),
	OP(USER_DEL, user_name_policy, p2p_nl_user_del),
	OP(USER_SET, user_new_policy, p2p_nl_user_set),
	OP_DUMP(USER_GET, user_name_policy, p2p_nl_user_get, p2p_nl_user_dump),
	OP(EXPORT_NEW, export_new_policy, p2p_nl_export_new),
	OP(EXPORT_DEL, export_name_policy, p2p_nl_export_del),
	OP_DUMP(EXPORT_GET, export_name_policy, p2p_nl_export_get, p2p_nl_export_dump),
	OP(GRANT_SET, grant_policy, p2p_nl_grant_set),
	OP(GRANT_DEL, grant_policy, p2p_nl_grant_del),
	OP_DUMP(GRANT_GET, grant_policy, p2p_nl_grant_get, p2p_nl_grant_dump),
	OP(LISTEN_SET, listen_policy, p2p_nl_listen_set),
	OP(HOSTKEY_SET, hostkey_set_policy, p2p_nl_hostkey_set),
	OP(HOSTKEY_GET, status_policy, p2p_nl_hostkey_get),
	OP_DUMP(CONN_GET, status_policy, NULL, p2p_nl_conn_dump),
};

static const struct genl_multicast_group p2p_genl_mcgrps[] = {
	{ .name = P2P_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN, },
};

static struct genl_family p2p_genl_family __ro_after_init = {
	.name = P2P_GENL_NAME,
	.version = P2P_GENL_VERSION,
	.maxattr = P2P_A_MAX,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = p2p_genl_ops,
	.n_ops = ARRAY_SIZE(p2p_genl_ops),
	.pre_doit = p2p_nl_pre_doit,
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
