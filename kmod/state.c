// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: each namespace is one independent host
 * with its users, exports, grants, host key and listener settings.
 */
#include <linux/cred.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "compat.h"
#include "hostkey.h"
#include "objects.h"
#include "server.h"
#include "state.h"

static int __net_init p2p_net_init(struct net *net)
{
	return p2p_net_objects_init(p2p_net(net), net);
}

/* server.c's pernet operations, registered after these, stopped its server. */
static void __net_exit p2p_net_exit(struct net *net)
{
	struct p2p_net *pn = p2p_net(net);

	mutex_lock(&pn->lock);
	p2p_net_objects_free(pn);
	p2p_hostkey_clear(pn);
	mutex_unlock(&pn->lock);
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

/* The host keys are freed by RCU callbacks in this module: wait for them. */
void p2p_state_uninit(void)
{
	unregister_pernet_subsys(&p2p_net_ops);
	rcu_barrier();
}

/* Refusals the server and the host key give, in the words of the control plane. */

static void hostkey_error(const struct p2p_ctx *ctx, int err)
{
	if (err == -EINTR)
		NL_SET_ERR_MSG(ctx->extack, "cannot make the host key: interrupted waiting for the RNG");
	else
		NL_SET_ERR_MSG(ctx->extack, "cannot make the host key (curve25519)");
}

static void listen_error(struct p2p_net *pn, const struct p2p_ctx *ctx, int err)
{
	struct p2p_listen_cfg cfg;

	p2p_listen_get(pn, &cfg);
	if (err == -EADDRINUSE)
		NL_SET_ERR_MSG_FMT(ctx->extack, "port %u is already in use", cfg.port);
	else if (err == -EADDRNOTAVAIL)
		NL_SET_ERR_MSG(ctx->extack, "the listen address is not configured here");
	else
		NL_SET_ERR_MSG_FMT(ctx->extack, "cannot listen on port %u (error %d)",
				   cfg.port, err);
}

static struct p2p_user *user_lookup(struct p2p_net *pn, const struct p2p_ctx *ctx,
				    const char *name)
{
	struct p2p_user *user = p2p_user_find(pn, name);

	if (!user) {
		NL_SET_ERR_MSG_FMT(ctx->extack, "user " QFMT " unknown", QARG(name));
		return ERR_PTR(-ENOENT);
	}
	return user;
}

static struct p2p_export *export_lookup(struct p2p_net *pn, const struct p2p_ctx *ctx,
					const char *name)
{
	struct p2p_export *exp = p2p_export_find(pn, name);

	if (!exp) {
		NL_SET_ERR_MSG_FMT(ctx->extack, "export " QFMT " unknown", QARG(name));
		return ERR_PTR(-ENOENT);
	}
	return exp;
}

static void notify_user(struct p2p_net *pn, const struct p2p_ctx *ctx, u8 cmd,
			const struct p2p_user *user)
{
	struct p2p_obj o = { .user = user };

	ctx->notify(pn, cmd, &o);
}

static void notify_export(struct p2p_net *pn, const struct p2p_ctx *ctx, u8 cmd,
			  const struct p2p_export *exp)
{
	struct p2p_obj o = { .exp = exp };

	ctx->notify(pn, cmd, &o);
}

static void notify_grant(struct p2p_net *pn, const struct p2p_ctx *ctx, u8 cmd,
			 const struct p2p_export *exp, const struct p2p_user *user,
			 u8 mode)
{
	struct p2p_obj o = { .exp = exp, .user = user, .mode = mode };

	ctx->notify(pn, cmd, &o);
}

/* Status and host key */

int p2p_state_status(struct p2p_net *pn, const struct p2p_ctx *ctx,
		     int (*fn)(const struct p2p_obj *obj, void *arg), void *arg)
{
	const struct p2p_hostkey *key;
	struct p2p_listen_cfg cfg;
	struct p2p_stats st;
	struct p2p_obj o = { .listen = &cfg, .stats = &st };
	int ret;

	mutex_lock(&pn->lock);
	key = p2p_hostkey_ensure(pn);
	if (IS_ERR(key)) {
		ret = PTR_ERR(key);
		hostkey_error(ctx, ret);
		goto out_unlock;
	}
	o.pub = key->pub;
	o.priv = key->priv;
	p2p_listen_get(pn, &cfg);
	o.cipher = READ_ONCE(pn->cipher);
	o.limits = &pn->limits;
	o.active = p2p_server_active(pn);
	p2p_stats_read(pn, &st);
	ret = fn(&o, arg);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

int p2p_state_hostkey_set(struct p2p_net *pn, const struct p2p_ctx *ctx,
			  const u8 priv[P2P_KEY_LEN])
{
	struct p2p_obj o = {};
	int ret;

	mutex_lock(&pn->lock);
	ret = p2p_hostkey_set(pn, priv);
	if (ret) {
		NL_SET_ERR_MSG(ctx->extack, "cannot use the host key (curve25519)");
	} else {
		o.pub = p2p_hostkey_ensure(pn)->pub;
		ctx->notify(pn, P2P_CMD_HOSTKEY_SET, &o);
	}
	mutex_unlock(&pn->lock);
	return ret;
}

/* Listener */

static void notify_listen(struct p2p_net *pn, const struct p2p_ctx *ctx)
{
	struct p2p_listen_cfg cfg;
	struct p2p_obj o = { .listen = &cfg };

	p2p_listen_get(pn, &cfg);
	o.cipher = READ_ONCE(pn->cipher);
	ctx->notify(pn, P2P_CMD_LISTEN_SET, &o);
}

/* A running server moves at once; if it cannot, the old settings stay. */
static int listen_move(struct p2p_net *pn, const struct p2p_ctx *ctx,
		       const struct p2p_listen_cfg *cfg)
{
	struct p2p_listen_cfg old;
	int ret;

	p2p_listen_read(pn, &old);
	p2p_listen_set(pn, cfg);
	if (!p2p_server_active(pn))
		return 0;
	ret = p2p_server_relisten(pn);
	if (ret) {
		listen_error(pn, ctx, ret);
		p2p_listen_set(pn, &old);
		p2p_server_relisten(pn);
	}
	return ret;
}

int p2p_state_listen_set(struct p2p_net *pn, const struct p2p_ctx *ctx,
			 const struct p2p_listen_cfg *cfg, u16 cipher)
{
	int ret = 0;

	mutex_lock(&pn->lock);
	if (cfg)
		ret = listen_move(pn, ctx, cfg);
	if (!ret) {
		if (cipher)
			WRITE_ONCE(pn->cipher, cipher);
		notify_listen(pn, ctx);
	}
	mutex_unlock(&pn->lock);
	return ret;
}

/* Limits */

static void limit_set(u32 *limit, const u32 *v)
{
	if (v)
		WRITE_ONCE(*limit, *v);
}

int p2p_state_limits_set(struct p2p_net *pn, const struct p2p_ctx *ctx,
			 const struct p2p_limits_req *req)
{
	struct p2p_limits *l = &pn->limits;
	struct p2p_obj o = { .limits = l };

	mutex_lock(&pn->lock);
	limit_set(&l->max_conns, req->max_conns);
	limit_set(&l->max_user_conns, req->max_user_conns);
	limit_set(&l->auth_burst, req->auth_burst);
	limit_set(&l->idle_timeout, req->idle_timeout);
	ctx->notify(pn, P2P_CMD_LIMITS_SET, &o);
	mutex_unlock(&pn->lock);
	return 0;
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

static void id_refused(const struct p2p_ctx *ctx, const struct nlattr *a,
		       bool set, const char *id, u32 val, u32 own, const char *cap)
{
	if (a)
		NL_SET_ERR_MSG_ATTR_FMT(ctx->extack, a, "mapping to %s %u needs %s",
					id, val, cap);
	else if (set)
		NL_SET_ERR_MSG_FMT(ctx->extack,
				   "the user is mapped to %s %u: changing it needs %s",
				   id, val, cap);
	else
		NL_SET_ERR_MSG_FMT(ctx->extack,
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
static int ids_allowed(const struct p2p_ctx *ctx, kuid_t uid, kgid_t gid, bool set)
{
	struct user_namespace *ns = current_user_ns();

	if (!own_uid(uid) && !ctx->capable(ctx, CAP_SETUID)) {
		id_refused(ctx, ctx->uid_attr, set, "uid", from_kuid_munged(ns, uid),
			   from_kuid_munged(ns, current_euid()), "CAP_SETUID");
		return -EPERM;
	}
	if (!own_gid(gid) && !ctx->capable(ctx, CAP_SETGID)) {
		id_refused(ctx, ctx->gid_attr, set, "gid", from_kgid_munged(ns, gid),
			   from_kgid_munged(ns, current_egid()), "CAP_SETGID");
		return -EPERM;
	}
	return 0;
}


int p2p_state_user_new(struct p2p_net *pn, const struct p2p_ctx *ctx,
		       const char *name, const u8 key[P2P_KEY_LEN],
		       kuid_t uid, kgid_t gid)
{
	struct p2p_user *user;
	int ret;

	ret = ids_allowed(ctx, uid, gid, false);
	if (ret)
		return ret;
	mutex_lock(&pn->lock);
	ret = -EEXIST;
	if (p2p_user_find(pn, name)) {
		NL_SET_ERR_MSG_FMT(ctx->extack, "user " QFMT " exists", QARG(name));
		goto out_unlock;
	}
	ret = -ENOMEM;
	user = p2p_user_add(pn, name, key, uid, gid);
	if (!user)
		goto out_unlock;
	ret = 0;
	notify_user(pn, ctx, P2P_CMD_USER_NEW, user);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

/* USER is unlinked and marked dead: its connections end, then the list's reference. */
static void user_gone(struct p2p_net *pn, struct p2p_user *user)
{
	p2p_server_user_gone(pn, user);
	p2p_user_put(user);
}

int p2p_state_user_del(struct p2p_net *pn, const struct p2p_ctx *ctx,
		       const char *name)
{
	struct p2p_user *user;
	int ret = 0;

	mutex_lock(&pn->lock);
	user = user_lookup(pn, ctx, name);
	if (IS_ERR(user)) {
		ret = PTR_ERR(user);
		goto out_unlock;
	}
	notify_user(pn, ctx, P2P_CMD_USER_DEL, user);
	p2p_user_del(pn, user);
	user_gone(pn, user);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
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
int p2p_state_user_set(struct p2p_net *pn, const struct p2p_ctx *ctx,
		       const char *name, const u8 *key, const kuid_t *uidp,
		       const kgid_t *gidp)
{
	struct p2p_user *user, *old;
	kuid_t uid;
	kgid_t gid;
	int ret;

	mutex_lock(&pn->lock);
	old = user_lookup(pn, ctx, name);
	if (IS_ERR(old)) {
		ret = PTR_ERR(old);
		goto out_unlock;
	}
	key = key ?: old->pubkey;
	uid = uidp ? *uidp : old->uid;
	gid = gidp ? *gidp : old->gid;
	/* Even for a key alone: re-keying a uid-0 user is as good as adding one. */
	ret = ids_allowed(ctx, uid, gid, true);
	if (ret || user_same(old, key, uid, gid))
		goto out_unlock;
	ret = -ENOMEM;
	user = p2p_user_replace(pn, old, key, uid, gid);
	if (!user)
		goto out_unlock;
	user_gone(pn, old);
	ret = 0;
	notify_user(pn, ctx, P2P_CMD_USER_SET, user);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

/* Exports */

static int export_check_new(struct p2p_net *pn, const struct p2p_ctx *ctx,
			    const char *name, const struct path *root)
{
	struct p2p_export *other;

	if (p2p_export_find(pn, name)) {
		NL_SET_ERR_MSG_FMT(ctx->extack, "export " QFMT " exists", QARG(name));
		return -EEXIST;
	}
	other = p2p_export_find_path(pn, root);
	if (other) {
		NL_SET_ERR_MSG_FMT(ctx->extack, "directory already exported as " QFMT,
				   QARG(other->name));
		return -EEXIST;
	}
	return 0;
}

/* Grants of a new, still private export: all users must exist. */
static int grants_make(struct p2p_net *pn, const struct p2p_ctx *ctx,
		       struct p2p_export *exp, const struct p2p_grant_req *reqs,
		       int n)
{
	struct p2p_grant *grant;
	struct p2p_user *user;
	int i;

	for (i = 0; i < n; i++) {
		user = user_lookup(pn, ctx, reqs[i].user);
		if (IS_ERR(user))
			return PTR_ERR(user);
		if (p2p_grant_find(exp, user)) {
			NL_SET_ERR_MSG_FMT(ctx->extack, "user " QFMT " granted twice",
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

/* The listener starts with the first export; the host key before it. */
static int server_start(struct p2p_net *pn, const struct p2p_ctx *ctx)
{
	const struct p2p_hostkey *key;
	int ret;

	if (p2p_server_active(pn))
		return 0;
	key = p2p_hostkey_ensure(pn);
	if (IS_ERR(key)) {
		hostkey_error(ctx, PTR_ERR(key));
		return PTR_ERR(key);
	}
	ret = p2p_server_start(pn);
	if (ret)
		listen_error(pn, ctx, ret);
	return ret;
}

static int export_add(struct p2p_net *pn, const struct p2p_ctx *ctx,
		      const char *name, const struct path *root, u32 flags,
		      const struct p2p_grant_req *reqs, int n)
{
	struct p2p_export *exp;
	struct p2p_grant *grant;
	int ret;

	ret = export_check_new(pn, ctx, name, root);
	if (ret)
		return ret;
	exp = p2p_export_alloc(name, root, flags);
	if (!exp)
		return -ENOMEM;
	ret = grants_make(pn, ctx, exp, reqs, n);
	if (ret) {
		export_discard(exp);
		return ret;
	}
	p2p_export_link(pn, exp);
	ret = server_start(pn, ctx);
	if (ret) {
		p2p_export_unlink(pn, exp);
		return ret;
	}
	notify_export(pn, ctx, P2P_CMD_EXPORT_NEW, exp);
	list_for_each_entry(grant, &exp->grants, node)
		notify_grant(pn, ctx, P2P_CMD_GRANT_SET, exp, grant->user, grant->mode);
	return 0;
}

int p2p_state_export_new(struct p2p_net *pn, const struct p2p_ctx *ctx,
			 const char *name, const struct path *root, u32 flags,
			 const struct p2p_grant_req *reqs, int n)
{
	int ret;

	mutex_lock(&pn->lock);
	ret = export_add(pn, ctx, name, root, flags, reqs, n);
	mutex_unlock(&pn->lock);
	return ret;
}

int p2p_state_export_del(struct p2p_net *pn, const struct p2p_ctx *ctx,
			 const char *name)
{
	struct p2p_export *exp;
	int ret = 0;
	u32 id;

	mutex_lock(&pn->lock);
	exp = export_lookup(pn, ctx, name);
	if (IS_ERR(exp)) {
		ret = PTR_ERR(exp);
		goto out_unlock;
	}
	notify_export(pn, ctx, P2P_CMD_EXPORT_DEL, exp);
	id = exp->id;
	p2p_export_unlink(pn, exp);
	p2p_server_export_gone(pn, id);
	if (!pn->n_exports)
		p2p_server_stop(pn);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

/* Grants */

int p2p_state_grant_set(struct p2p_net *pn, const struct p2p_ctx *ctx,
			const char *export, const char *name, u8 mode)
{
	struct p2p_export *exp;
	struct p2p_grant *grant;
	struct p2p_user *user;
	int ret = 0;

	mutex_lock(&pn->lock);
	exp = export_lookup(pn, ctx, export);
	user = IS_ERR(exp) ? ERR_CAST(exp) : user_lookup(pn, ctx, name);
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
	notify_grant(pn, ctx, P2P_CMD_GRANT_SET, exp, user, mode);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

/* The grant of NAME on EXPORT; ERR_PTR with a message if none. */
static struct p2p_grant *grant_lookup(struct p2p_net *pn, const struct p2p_ctx *ctx,
				      const char *export, const char *name,
				      struct p2p_export **exp)
{
	struct p2p_grant *grant;
	struct p2p_user *user;

	*exp = export_lookup(pn, ctx, export);
	if (IS_ERR(*exp))
		return ERR_CAST(*exp);
	user = user_lookup(pn, ctx, name);
	if (IS_ERR(user))
		return ERR_CAST(user);
	grant = p2p_grant_find(*exp, user);
	if (!grant) {
		NL_SET_ERR_MSG_FMT(ctx->extack, "user " QFMT " has no grant on that export",
				   QARG(user->name));
		return ERR_PTR(-ENOENT);
	}
	return grant;
}

int p2p_state_grant_del(struct p2p_net *pn, const struct p2p_ctx *ctx,
			const char *export, const char *name)
{
	struct p2p_export *exp;
	struct p2p_grant *grant;
	int ret = 0;

	mutex_lock(&pn->lock);
	grant = grant_lookup(pn, ctx, export, name, &exp);
	if (IS_ERR(grant)) {
		ret = PTR_ERR(grant);
		goto out_unlock;
	}
	notify_grant(pn, ctx, P2P_CMD_GRANT_DEL, exp, grant->user, grant->mode);
	p2p_grant_del(grant);
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}

/* Gets and dumps */

static int walk_users(struct p2p_net *pn, const struct p2p_ctx *ctx,
		      struct p2p_walk *w)
{
	struct p2p_obj o = {};
	struct p2p_user *user;
	int ret = 0;

	if (w->one) {
		o.user = user_lookup(pn, ctx, w->user);
		return IS_ERR(o.user) ? PTR_ERR(o.user) : w->fn(&o, w->arg);
	}
	list_for_each_entry(user, &pn->users, node) {
		if (user->id <= w->cursor[0])
			continue;
		o.user = user;
		ret = w->fn(&o, w->arg);
		if (ret)
			break;
		w->cursor[0] = user->id;
	}
	return ret;
}

static int walk_exports(struct p2p_net *pn, const struct p2p_ctx *ctx,
			struct p2p_walk *w)
{
	struct p2p_obj o = {};
	struct p2p_export *exp;
	int ret = 0;

	if (w->one) {
		o.exp = export_lookup(pn, ctx, w->export);
		return IS_ERR(o.exp) ? PTR_ERR(o.exp) : w->fn(&o, w->arg);
	}
	list_for_each_entry(exp, &pn->exports, node) {
		if (exp->id <= w->cursor[0])
			continue;
		o.exp = exp;
		ret = w->fn(&o, w->arg);
		if (ret)
			break;
		w->cursor[0] = exp->id;
	}
	return ret;
}

/* cursor: the export being dumped and the last user id sent in it. */
static int walk_grants_of(struct p2p_walk *w, struct p2p_net *pn,
			  const struct p2p_export *fexp, const struct p2p_user *fuser)
{
	struct p2p_export *exp;
	struct p2p_grant *g;
	struct p2p_obj o;
	int ret;

	list_for_each_entry(exp, &pn->exports, node) {
		if (exp->id < w->cursor[0] || (fexp && exp != fexp))
			continue;
		if (exp->id > w->cursor[0]) {
			w->cursor[0] = exp->id;
			w->cursor[1] = 0;
		}
		list_for_each_entry(g, &exp->grants, node) {
			if (g->user->id <= w->cursor[1] || (fuser && g->user != fuser))
				continue;
			o = (struct p2p_obj){ .exp = exp, .user = g->user, .mode = g->mode };
			ret = w->fn(&o, w->arg);
			if (ret)
				return ret;
			w->cursor[1] = g->user->id;
		}
	}
	return 0;
}

static int walk_grants(struct p2p_net *pn, const struct p2p_ctx *ctx,
		       struct p2p_walk *w)
{
	const struct p2p_export *exp = NULL;
	const struct p2p_user *user = NULL;
	struct p2p_export *gexp;
	struct p2p_grant *grant;
	struct p2p_obj o;

	if (w->one) {
		grant = grant_lookup(pn, ctx, w->export, w->user, &gexp);
		if (IS_ERR(grant))
			return PTR_ERR(grant);
		o = (struct p2p_obj){ .exp = gexp, .user = grant->user, .mode = grant->mode };
		return w->fn(&o, w->arg);
	}
	if (w->export) {
		exp = export_lookup(pn, ctx, w->export);
		if (IS_ERR(exp))
			return PTR_ERR(exp);
	}
	if (w->user) {
		user = user_lookup(pn, ctx, w->user);
		if (IS_ERR(user))
			return PTR_ERR(user);
	}
	return walk_grants_of(w, pn, exp, user);
}

static const struct p2p_export *export_by_id(struct p2p_net *pn, u32 id)
{
	struct p2p_export *exp;

	list_for_each_entry(exp, &pn->exports, node)
		if (exp->id == id)
			return exp;
	return NULL;
}

struct conn_walk {
	struct p2p_net *pn;
	struct p2p_walk *w;
};

/* By name: an export removed since the connection used it is left out. */
static int walk_conn(const struct p2p_conn_info *ci, void *arg)
{
	struct conn_walk *cw = arg;
	struct p2p_obj o = { .conn = ci };
	const struct p2p_export *exp;
	unsigned int i;

	for (i = 0; i < ci->nexports; i++) {
		exp = export_by_id(cw->pn, ci->exports[i]);
		if (exp)
			o.conn_exports[o.n_conn_exports++] = exp->name;
	}
	return cw->w->fn(&o, cw->w->arg);
}

/*
 * Connections live in the server, not in pn; pn->lock keeps the server
 * from stopping while its list is walked.
 */
static int walk_conns(struct p2p_net *pn, struct p2p_walk *w)
{
	struct conn_walk cw = { .pn = pn, .w = w };

	return p2p_server_conns_walk(pn, &w->cursor[0], walk_conn, &cw);
}

int p2p_state_walk(struct p2p_net *pn, const struct p2p_ctx *ctx,
		   struct p2p_walk *w)
{
	int ret = -EOPNOTSUPP;

	mutex_lock(&pn->lock);
	if (w->cmd == P2P_CMD_USER_GET)
		ret = walk_users(pn, ctx, w);
	else if (w->cmd == P2P_CMD_EXPORT_GET)
		ret = walk_exports(pn, ctx, w);
	else if (w->cmd == P2P_CMD_GRANT_GET)
		ret = walk_grants(pn, ctx, w);
	else if (w->cmd == P2P_CMD_CONN_GET)
		ret = walk_conns(pn, w);
	mutex_unlock(&pn->lock);
	return ret;
}
