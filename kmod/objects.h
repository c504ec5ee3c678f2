/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_OBJECTS_H
#define P2P_OBJECTS_H

#include <linux/in6.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/path.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <net/net_namespace.h>

#include "uapi/p2pshare.h"
#include "uapi/p2pshare_proto.h"

struct p2p_stats {
	u64 v[__P2P_STAT_MAX];
};

struct p2p_hostkey;
struct p2p_server;

/* Where the server listens; family AF_UNSPEC means every address. */
struct p2p_listen_cfg {
	sa_family_t family;
	__be32 addr4;
	struct in6_addr addr6;
	u16 port;			/* 0: the module parameter port= */
};

/*
 * The namespace's limits (limits-set; module parameters give a new
 * namespace's).  Written under pn->lock, read with READ_ONCE by the
 * server and the connections whenever they apply one, so a change holds
 * for what comes next: the next accept, handshake or wait.
 */
struct p2p_limits {
	u32 max_conns;			/* 1-P2P_MAX_CONNS_LIMIT */
	u32 max_user_conns;		/* 0: no limit */
	u32 auth_burst;			/* 0: no limit */
	u32 idle_timeout;		/* seconds */
};

/*
 * A user as one connection authenticated it: its name, key and ids never
 * change.  `user set` links a new object in its place (same name and id,
 * the grants moved to it) and kills the old one; so does `user del`.
 */
struct p2p_user {
	struct list_head node;		/* in p2p_net.users */
	struct rcu_head rcu;
	refcount_t ref;			/* the list's and each connection's */
	bool dead;			/* unlinked: READ_ONCE */
	u32 id;
	kuid_t uid;
	kgid_t gid;
	u8 pubkey[P2P_KEY_LEN];
	char name[P2P_NAME_MAX + 1];
};

struct p2p_grant {
	struct list_head node;		/* in p2p_export.grants */
	struct rcu_head rcu;
	struct p2p_user *user;		/* READ_ONCE: `user set` moves it */
	u8 mode;			/* enum p2p_grant_mode, READ_ONCE */
};

struct p2p_export {
	struct list_head node;		/* in p2p_net.exports */
	struct rcu_head rcu;
	refcount_t ref;			/* the list holds one */
	bool unlinked;			/* READ_ONCE, see p2p_export_unlinked() */
	u32 id;
	u32 flags;
	struct path root;
	struct list_head grants;	/* sorted by user id */
	char name[P2P_NAME_MAX + 1];
};

/*
 * Everything one network namespace (one "host") owns.
 *
 * Locking: every change takes @lock (and runs in process context).
 * Readers (the data plane, on every request) walk @users, @exports and
 * each export's grants under rcu_read_lock().  Removed users and grants
 * are freed after a grace period; an export lives until its last
 * reference is put, and its memory a grace period after that.  The
 * lists are kept in id order, which the netlink dumps use as cursor.
 */
struct p2p_net {
	struct net *net;
	struct mutex lock;
	struct list_head users;
	struct list_head exports;
	u32 next_user_id;
	u32 next_export_id;
	unsigned int n_users;
	unsigned int n_exports;
	struct p2p_hostkey __rcu *hostkey;
	spinlock_t listen_lock;		/* protects listen */
	struct p2p_listen_cfg listen;
	u16 cipher;			/* preferred P2P_CIPHER_*, READ_ONCE */
	struct p2p_limits limits;	/* READ_ONCE each */
	struct p2p_server *server;	/* server.c's, READ_ONCE */
	struct p2p_stats __percpu *stats;
};

extern unsigned int p2p_net_id;
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

/*
 * The data plane's view.  None of these needs pn->lock; they may be
 * called from any process context (p2p_grants_for_user and the lookups
 * take rcu_read_lock() themselves).
 *
 * p2p_export_get() returns the export NAME with a reference, or NULL if
 * it is unknown or USER holds no grant on it; *mode is the grant's mode.
 * Grants are matched by the user object, never by name: a connection of
 * a deleted or re-keyed user gets nothing, whoever holds its name now.
 * p2p_export_put() may sleep (the last put releases the root path): call
 * it from process context, never under rcu_read_lock() or a spinlock.
 * An unexported export stays usable by whoever holds a reference; the
 * server is told through p2p_server_export_gone() to close connections.
 */
struct p2p_export *p2p_export_get(struct p2p_net *pn, const char *name, size_t len,
				  const struct p2p_user *user, enum p2p_grant_mode *mode);
void p2p_export_put(struct p2p_export *exp);
const struct path *p2p_export_root(const struct p2p_export *exp);
u32 p2p_export_id(const struct p2p_export *exp);	/* unique per netns, never reused */
/*
 * True once p2p_export_unlink() began: it is set before the server is
 * told (p2p_server_export_gone), so a connection that recorded the id in
 * its export set and then finds this false will be killed if it goes.
 */
static inline bool p2p_export_unlinked(const struct p2p_export *exp)
{
	return READ_ONCE(exp->unlinked);
}

/* USER's grant mode on EXP now, P2P_GRANT_UNSPEC if it has none. */
enum p2p_grant_mode p2p_grant_mode(struct p2p_export *exp,
				   const struct p2p_user *user);
/* The user NAME with a reference, or NULL; drop it with p2p_user_put(). */
struct p2p_user *p2p_user_get(struct p2p_net *pn, const char *name, size_t len);
void p2p_user_put(struct p2p_user *user);
/* Deleted or replaced since it was looked up: its sessions must end. */
static inline bool p2p_user_dead(const struct p2p_user *user)
{
	return READ_ONCE(user->dead);
}
/*
 * Call CB for each export USER holds a grant on, under rcu_read_lock():
 * CB must not sleep.  A non-zero return from CB stops the walk and is
 * returned.
 */
int p2p_grants_for_user(struct p2p_net *pn, const struct p2p_user *user,
			int (*cb)(void *arg, const char *export, enum p2p_grant_mode mode),
			void *arg);
/* The effective listener settings (port resolved to the default). */
void p2p_listen_get(struct p2p_net *pn, struct p2p_listen_cfg *cfg);

/* Control plane, all with pn->lock held. */
struct p2p_user *p2p_user_find(struct p2p_net *pn, const char *name);
struct p2p_user *p2p_user_add(struct p2p_net *pn, const char *name,
			      const u8 pubkey[P2P_KEY_LEN], kuid_t uid, kgid_t gid);
/*
 * Both unlink USER (OLD) and mark it dead; the caller ends its connections
 * (p2p_server_user_gone) and then drops the list's reference.
 */
void p2p_user_del(struct p2p_net *pn, struct p2p_user *user);
/* A new object for OLD's name and id, holding OLD's grants; NULL if no memory. */
struct p2p_user *p2p_user_replace(struct p2p_net *pn, struct p2p_user *old,
				  const u8 pubkey[P2P_KEY_LEN], kuid_t uid, kgid_t gid);

struct p2p_export *p2p_export_find(struct p2p_net *pn, const char *name);
struct p2p_export *p2p_export_find_path(struct p2p_net *pn, const struct path *path);
struct p2p_export *p2p_export_alloc(const char *name, const struct path *root, u32 flags);
void p2p_export_link(struct p2p_net *pn, struct p2p_export *exp);
void p2p_export_unlink(struct p2p_net *pn, struct p2p_export *exp);

struct p2p_grant *p2p_grant_alloc(struct p2p_user *user, u8 mode);
struct p2p_grant *p2p_grant_find(struct p2p_export *exp, const struct p2p_user *user);
void p2p_grant_link(struct p2p_export *exp, struct p2p_grant *grant);
void p2p_grant_del(struct p2p_grant *grant);

void p2p_listen_set(struct p2p_net *pn, const struct p2p_listen_cfg *cfg);
void p2p_listen_read(struct p2p_net *pn, struct p2p_listen_cfg *cfg);

/* Live objects of all namespaces, for leak tests (debugfs "objects"). */
extern atomic_t p2p_live_users, p2p_live_exports, p2p_live_grants;

/* The default listening port (module parameter port=). */
extern unsigned short p2p_port;

/* Namespace lifetime: called by state.c's pernet operations. */
int p2p_net_objects_init(struct p2p_net *pn, struct net *net);
void p2p_net_objects_free(struct p2p_net *pn);

#endif /* P2P_OBJECTS_H */
