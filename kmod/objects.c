// SPDX-License-Identifier: GPL-2.0
/*
 * The objects of one network namespace (one host): its users, exports,
 * grants and listener settings, and the lookups the data plane makes
 * under RCU.  Nothing here knows the server: state.c tells it.
 */
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <net/netns/generic.h>

#include "objects.h"
#include "uapi/p2pshare_proto.h"

unsigned int p2p_net_id __read_mostly;

unsigned short p2p_port = 7437;
module_param_named(port, p2p_port, ushort, 0444);
MODULE_PARM_DESC(port, "TCP port the peer server listens on by default (7437)");

/*
 * The limits a new namespace starts with; each namespace then has its own
 * (limits-set).  Read-only once loaded: one value for every namespace,
 * changed at run time, is what limits-set replaced.
 */
static unsigned int max_conns = P2P_MAX_CONNS;
/* Half the default cap: one user cannot take every slot from the others. */
static unsigned int max_user_conns = P2P_MAX_CONNS / 2;
static unsigned int auth_burst = P2P_AUTH_BURST;
static unsigned int idle_timeout = P2P_IDLE_TIMEOUT_S;

static int max_conns_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, P2P_MAX_CONNS_LIMIT);
}

static int max_user_conns_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, P2P_MAX_USER_CONNS_LIMIT);
}

static int auth_burst_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, P2P_AUTH_BURST_LIMIT);
}

static int idle_timeout_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, P2P_IDLE_TIMEOUT_LIMIT);
}

static const struct kernel_param_ops max_conns_ops = {
	.set = max_conns_set, .get = param_get_uint,
};

static const struct kernel_param_ops max_user_conns_ops = {
	.set = max_user_conns_set, .get = param_get_uint,
};

static const struct kernel_param_ops auth_burst_ops = {
	.set = auth_burst_set, .get = param_get_uint,
};

static const struct kernel_param_ops idle_timeout_ops = {
	.set = idle_timeout_set, .get = param_get_uint,
};

module_param_cb(max_conns, &max_conns_ops, &max_conns, 0444);
__MODULE_PARM_TYPE(max_conns, "uint");
MODULE_PARM_DESC(max_conns, "Default max_conns of a new namespace: peer connections before new ones get EBUSY (256; 1-4096). Load time only: p2pctl limits set changes a namespace's");
module_param_cb(max_user_conns, &max_user_conns_ops, &max_user_conns, 0444);
__MODULE_PARM_TYPE(max_user_conns, "uint");
MODULE_PARM_DESC(max_user_conns, "Default max_user_conns of a new namespace: authenticated connections per user (128; 0-4096, 0: no limit). Load time only: p2pctl limits set changes a namespace's");
module_param_cb(auth_burst, &auth_burst_ops, &auth_burst, 0444);
__MODULE_PARM_TYPE(auth_burst, "uint");
MODULE_PARM_DESC(auth_burst, "Default auth_burst of a new namespace: handshakes per source address before rate limiting, one more per 3 s (10; 0-1000000, 0: no limit). Load time only: p2pctl limits set changes a namespace's");
module_param_cb(idle_timeout, &idle_timeout_ops, &idle_timeout, 0444);
__MODULE_PARM_TYPE(idle_timeout, "uint");
MODULE_PARM_DESC(idle_timeout, "Default idle_timeout of a new namespace: seconds a connection may stay silent (60; 1-86400). Load time only: p2pctl limits set changes a namespace's");

atomic_t p2p_live_users = ATOMIC_INIT(0);
atomic_t p2p_live_exports = ATOMIC_INIT(0);
atomic_t p2p_live_grants = ATOMIC_INIT(0);

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

static bool name_eq(const char *a, const char *b, size_t blen)
{
	return strnlen(a, P2P_NAME_MAX + 1) == blen && !memcmp(a, b, blen);
}

/* Users */

static struct p2p_user *user_find_rcu(struct p2p_net *pn, const char *name,
				      size_t len)
{
	struct p2p_user *user;

	list_for_each_entry_rcu(user, &pn->users, node, lockdep_is_held(&pn->lock))
		if (name_eq(user->name, name, len))
			return user;
	return NULL;
}

struct p2p_user *p2p_user_find(struct p2p_net *pn, const char *name)
{
	lockdep_assert_held(&pn->lock);
	return user_find_rcu(pn, name, strlen(name));
}

struct p2p_user *p2p_user_get(struct p2p_net *pn, const char *name, size_t len)
{
	struct p2p_user *user;

	rcu_read_lock();
	user = user_find_rcu(pn, name, len);
	if (user && !refcount_inc_not_zero(&user->ref))
		user = NULL;
	rcu_read_unlock();
	return user;
}

/* The last put may come from a connection, a grace period after unlink. */
void p2p_user_put(struct p2p_user *user)
{
	if (!refcount_dec_and_test(&user->ref))
		return;
	atomic_dec(&p2p_live_users);
	kfree_rcu(user, rcu);
}

static struct p2p_user *user_alloc(const char *name, const u8 pubkey[P2P_KEY_LEN],
				   kuid_t uid, kgid_t gid)
{
	struct p2p_user *user;

	user = kzalloc(sizeof(*user), GFP_KERNEL);
	if (!user)
		return NULL;
	refcount_set(&user->ref, 1);
	strscpy(user->name, name, sizeof(user->name));
	memcpy(user->pubkey, pubkey, P2P_KEY_LEN);
	user->uid = uid;
	user->gid = gid;
	atomic_inc(&p2p_live_users);
	return user;
}

struct p2p_user *p2p_user_add(struct p2p_net *pn, const char *name,
			      const u8 pubkey[P2P_KEY_LEN], kuid_t uid, kgid_t gid)
{
	struct p2p_user *user;

	lockdep_assert_held(&pn->lock);
	user = user_alloc(name, pubkey, uid, gid);
	if (!user)
		return NULL;
	user->id = ++pn->next_user_id;
	list_add_tail_rcu(&user->node, &pn->users);
	pn->n_users++;
	return user;
}

/*
 * USER is off the list: mark it dead.  The caller then ends its
 * connections (p2p_server_user_gone) and drops the list's reference.
 * dead is written before the server's kill walk takes its connection
 * lock, and conn_authed() in server.c reads it under that lock: a
 * connection that looked USER up during its handshake is either
 * authenticated already, and killed by the walk, or sees dead and ends.
 */
static void user_gone(struct p2p_user *user)
{
	WRITE_ONCE(user->dead, true);
}

/* Removes the user's grants too: no grant outlives its user. */
void p2p_user_del(struct p2p_net *pn, struct p2p_user *user)
{
	struct p2p_export *exp;
	struct p2p_grant *grant;

	lockdep_assert_held(&pn->lock);
	list_for_each_entry(exp, &pn->exports, node) {
		grant = p2p_grant_find(exp, user);
		if (grant)
			p2p_grant_del(grant);
	}
	list_del_rcu(&user->node);
	pn->n_users--;
	user_gone(user);
}

/*
 * The grants move first, then the new object takes the old one's place in
 * the list: a lookup by name finds the new user only once it holds every
 * grant, and from the first move on the old user's requests are refused.
 */
struct p2p_user *p2p_user_replace(struct p2p_net *pn, struct p2p_user *old,
				  const u8 pubkey[P2P_KEY_LEN], kuid_t uid, kgid_t gid)
{
	struct p2p_export *exp;
	struct p2p_grant *grant;
	struct p2p_user *user;

	lockdep_assert_held(&pn->lock);
	user = user_alloc(old->name, pubkey, uid, gid);
	if (!user)
		return NULL;
	user->id = old->id;
	list_for_each_entry(exp, &pn->exports, node) {
		grant = p2p_grant_find(exp, old);
		if (grant)
			WRITE_ONCE(grant->user, user);
	}
	list_replace_rcu(&old->node, &user->node);
	user_gone(old);
	return user;
}

/* Grants */

struct p2p_grant *p2p_grant_alloc(struct p2p_user *user, u8 mode)
{
	struct p2p_grant *grant;

	grant = kzalloc(sizeof(*grant), GFP_KERNEL);
	if (!grant)
		return NULL;
	INIT_LIST_HEAD(&grant->node);
	grant->user = user;
	grant->mode = mode;
	atomic_inc(&p2p_live_grants);
	return grant;
}

static void grant_free(struct p2p_grant *grant)
{
	atomic_dec(&p2p_live_grants);
	kfree_rcu(grant, rcu);
}

struct p2p_grant *p2p_grant_find(struct p2p_export *exp, const struct p2p_user *user)
{
	struct p2p_grant *grant;

	list_for_each_entry(grant, &exp->grants, node)
		if (grant->user == user)
			return grant;
	return NULL;
}

/* Keep the list sorted by user id: the grant dump's cursor. */
void p2p_grant_link(struct p2p_export *exp, struct p2p_grant *grant)
{
	struct list_head *pos = &exp->grants;
	struct p2p_grant *g;

	list_for_each_entry(g, &exp->grants, node) {
		if (g->user->id > grant->user->id) {
			pos = &g->node;
			break;
		}
	}
	list_add_tail_rcu(&grant->node, pos);
}

void p2p_grant_del(struct p2p_grant *grant)
{
	list_del_rcu(&grant->node);
	grant_free(grant);
}

/* Exports */

static struct p2p_export *export_find_rcu(struct p2p_net *pn, const char *name,
					  size_t len)
{
	struct p2p_export *exp;

	list_for_each_entry_rcu(exp, &pn->exports, node, lockdep_is_held(&pn->lock))
		if (name_eq(exp->name, name, len))
			return exp;
	return NULL;
}

struct p2p_export *p2p_export_find(struct p2p_net *pn, const char *name)
{
	lockdep_assert_held(&pn->lock);
	return export_find_rcu(pn, name, strlen(name));
}

struct p2p_export *p2p_export_find_path(struct p2p_net *pn, const struct path *path)
{
	struct p2p_export *exp;

	lockdep_assert_held(&pn->lock);
	list_for_each_entry(exp, &pn->exports, node)
		if (path_equal(&exp->root, path))
			return exp;
	return NULL;
}

struct p2p_export *p2p_export_alloc(const char *name, const struct path *root, u32 flags)
{
	struct p2p_export *exp;

	exp = kzalloc(sizeof(*exp), GFP_KERNEL);
	if (!exp)
		return NULL;
	refcount_set(&exp->ref, 1);
	INIT_LIST_HEAD(&exp->grants);
	strscpy(exp->name, name, sizeof(exp->name));
	exp->flags = flags;
	exp->root = *root;
	path_get(&exp->root);
	atomic_inc(&p2p_live_exports);
	return exp;
}

void p2p_export_link(struct p2p_net *pn, struct p2p_export *exp)
{
	lockdep_assert_held(&pn->lock);
	exp->id = ++pn->next_export_id;
	list_add_tail_rcu(&exp->node, &pn->exports);
	pn->n_exports++;
}

/* Unlinks EXP and its grants and drops the list's reference. */
void p2p_export_unlink(struct p2p_net *pn, struct p2p_export *exp)
{
	struct p2p_grant *grant, *tmp;

	lockdep_assert_held(&pn->lock);
	WRITE_ONCE(exp->unlinked, true);
	list_del_rcu(&exp->node);
	pn->n_exports--;
	list_for_each_entry_safe(grant, tmp, &exp->grants, node)
		p2p_grant_del(grant);
	p2p_export_put(exp);
}

static struct p2p_grant *grant_find_rcu(struct p2p_export *exp,
					const struct p2p_user *user)
{
	struct p2p_grant *grant;

	list_for_each_entry_rcu(grant, &exp->grants, node)
		if (READ_ONCE(grant->user) == user)
			return grant;
	return NULL;
}

struct p2p_export *p2p_export_get(struct p2p_net *pn, const char *name, size_t len,
				  const struct p2p_user *user, enum p2p_grant_mode *mode)
{
	struct p2p_export *exp;
	struct p2p_grant *grant = NULL;

	rcu_read_lock();
	exp = export_find_rcu(pn, name, len);
	if (exp)
		grant = grant_find_rcu(exp, user);
	if (grant && refcount_inc_not_zero(&exp->ref))
		*mode = READ_ONCE(grant->mode);
	else
		exp = NULL;
	rcu_read_unlock();
	return exp;
}

/*
 * Grants were removed when the export was unlinked; readers that still
 * walk them hold rcu_read_lock(), so the memory waits a grace period.
 */
void p2p_export_put(struct p2p_export *exp)
{
	might_sleep();
	if (!refcount_dec_and_test(&exp->ref))
		return;
	WARN_ON_ONCE(!list_empty(&exp->grants));
	path_put(&exp->root);
	atomic_dec(&p2p_live_exports);
	kfree_rcu(exp, rcu);
}

const struct path *p2p_export_root(const struct p2p_export *exp)
{
	return &exp->root;
}

u32 p2p_export_id(const struct p2p_export *exp)
{
	return exp->id;
}

enum p2p_grant_mode p2p_grant_mode(struct p2p_export *exp,
				   const struct p2p_user *user)
{
	enum p2p_grant_mode mode = P2P_GRANT_UNSPEC;
	struct p2p_grant *grant;

	rcu_read_lock();
	grant = grant_find_rcu(exp, user);
	if (grant)
		mode = READ_ONCE(grant->mode);
	rcu_read_unlock();
	return mode;
}

int p2p_grants_for_user(struct p2p_net *pn, const struct p2p_user *user,
			int (*cb)(void *arg, const char *export, enum p2p_grant_mode mode),
			void *arg)
{
	struct p2p_export *exp;
	struct p2p_grant *grant;
	int ret = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(exp, &pn->exports, node) {
		grant = grant_find_rcu(exp, user);
		if (!grant)
			continue;
		ret = cb(arg, exp->name, READ_ONCE(grant->mode));
		if (ret)
			break;
	}
	rcu_read_unlock();
	return ret;
}

/* Listener settings */

void p2p_listen_read(struct p2p_net *pn, struct p2p_listen_cfg *cfg)
{
	spin_lock(&pn->listen_lock);
	*cfg = pn->listen;
	spin_unlock(&pn->listen_lock);
}

void p2p_listen_get(struct p2p_net *pn, struct p2p_listen_cfg *cfg)
{
	p2p_listen_read(pn, cfg);
	if (!cfg->port)
		cfg->port = p2p_port;
}

void p2p_listen_set(struct p2p_net *pn, const struct p2p_listen_cfg *cfg)
{
	spin_lock(&pn->listen_lock);
	pn->listen = *cfg;
	spin_unlock(&pn->listen_lock);
}

/* Namespace lifetime */

int p2p_net_objects_init(struct p2p_net *pn, struct net *net)
{
	pn->net = net;
	mutex_init(&pn->lock);
	INIT_LIST_HEAD(&pn->users);
	INIT_LIST_HEAD(&pn->exports);
	spin_lock_init(&pn->listen_lock);
	pn->listen.family = AF_UNSPEC;
	pn->cipher = P2P_CIPHER_DEFAULT;
	pn->limits.max_conns = max_conns;
	pn->limits.max_user_conns = max_user_conns;
	pn->limits.auth_burst = auth_burst;
	pn->limits.idle_timeout = idle_timeout;
	pn->stats = alloc_percpu(struct p2p_stats);
	if (!pn->stats)
		return -ENOMEM;
	return 0;
}

/* With pn->lock held, once the server is stopped: no connection holds a user. */
void p2p_net_objects_free(struct p2p_net *pn)
{
	struct p2p_export *exp, *etmp;
	struct p2p_user *user, *utmp;

	lockdep_assert_held(&pn->lock);
	list_for_each_entry_safe(exp, etmp, &pn->exports, node)
		p2p_export_unlink(pn, exp);
	list_for_each_entry_safe(user, utmp, &pn->users, node) {
		list_del_rcu(&user->node);
		pn->n_users--;
		p2p_user_put(user);
	}
}
