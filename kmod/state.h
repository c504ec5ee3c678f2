/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_STATE_H
#define P2P_STATE_H

#include <linux/netlink.h>

#include "objects.h"
#include "server.h"

/*
 * The transactions of the control plane, one function each: every one
 * takes pn->lock itself, decides, and reports a refusal in ctx->extack.
 * netlink.c parses the request before and fills the reply after.
 */

/*
 * Names quoted in extack messages, which hold 79 characters: a long
 * name is cut to QNAME_MAX and marked with "...".
 */
#define QNAME_MAX 32
#define QFMT "\"%.*s%s\""
#define QARG(s) (int)min_t(size_t, strlen(s), QNAME_MAX), (s), \
	strlen(s) > QNAME_MAX ? "..." : ""

/* One object as a reply or an event carries it; what the command needs is set. */
struct p2p_obj {
	const struct p2p_user *user;
	const struct p2p_export *exp;
	u8 mode;				/* of the grant (exp, user) */
	const struct p2p_listen_cfg *listen;	/* effective, port resolved */
	u16 cipher;
	const struct p2p_limits *limits;
	const u8 *pub, *priv;			/* host key */
	bool active;				/* the server listens */
	const struct p2p_stats *stats;
	const struct p2p_conn_info *conn;
	const char *conn_exports[P2P_CONN_EXPORTS];	/* by name, still there */
	unsigned int n_conn_exports;
};

struct p2p_ctx {
	struct netlink_ext_ack *extack;
	/* Each change, under pn->lock and in order: the events (P2P_CMD_*). */
	void (*notify)(struct p2p_net *pn, u8 cmd, const struct p2p_obj *obj);
	/* The requester holds CAP (netlink_capable()). */
	bool (*capable)(const struct p2p_ctx *ctx, int cap);
	/* The ids a user-new or user-set gives, for a refusal to point at. */
	const struct nlattr *uid_attr, *gid_attr;
};

/* A grant of export-new: the user by name, and the mode. */
struct p2p_grant_req {
	const char *user;
	u8 mode;
};

/* Status and host key (made on first need); FN sees them under pn->lock. */
int p2p_state_status(struct p2p_net *pn, const struct p2p_ctx *ctx,
		     int (*fn)(const struct p2p_obj *obj, void *arg), void *arg);
int p2p_state_hostkey_set(struct p2p_net *pn, const struct p2p_ctx *ctx,
			  const u8 priv[P2P_KEY_LEN]);
/* CFG NULL: only the cipher changes; CIPHER 0: it stays. */
int p2p_state_listen_set(struct p2p_net *pn, const struct p2p_ctx *ctx,
			 const struct p2p_listen_cfg *cfg, u16 cipher);

/* The limits a request gives; a field it does not give is NULL and stays. */
struct p2p_limits_req {
	const u32 *max_conns, *max_user_conns, *auth_burst, *idle_timeout;
};

/* For what comes next: open connections stay, whatever the new limits. */
int p2p_state_limits_set(struct p2p_net *pn, const struct p2p_ctx *ctx,
			 const struct p2p_limits_req *req);

int p2p_state_user_new(struct p2p_net *pn, const struct p2p_ctx *ctx,
		       const char *name, const u8 key[P2P_KEY_LEN],
		       kuid_t uid, kgid_t gid);
int p2p_state_user_del(struct p2p_net *pn, const struct p2p_ctx *ctx,
		       const char *name);
/* What is NULL stays as the user has it. */
int p2p_state_user_set(struct p2p_net *pn, const struct p2p_ctx *ctx,
		       const char *name, const u8 *key, const kuid_t *uid,
		       const kgid_t *gid);

/* With its grants, atomically; the first export starts the server. */
int p2p_state_export_new(struct p2p_net *pn, const struct p2p_ctx *ctx,
			 const char *name, const struct path *root, u32 flags,
			 const struct p2p_grant_req *reqs, int n);
/* Its connections end; the last export stops the server. */
int p2p_state_export_del(struct p2p_net *pn, const struct p2p_ctx *ctx,
			 const char *name);
int p2p_state_grant_set(struct p2p_net *pn, const struct p2p_ctx *ctx,
			const char *export, const char *user, u8 mode);
int p2p_state_grant_del(struct p2p_net *pn, const struct p2p_ctx *ctx,
			const char *export, const char *user);

/*
 * Get or dump the objects of one kind (cmd: P2P_CMD_USER_GET, _EXPORT_GET,
 * _GRANT_GET or _CONN_GET), in id order, under pn->lock.  With one set,
 * the one object the names give, or -ENOENT with a message; else those
 * after cursor (the last id sent, and for grants the last user id in that
 * export), the names filtering grants.  FN returns non-zero to stop; the
 * cursor moves past each object FN took.
 */
struct p2p_walk {
	u8 cmd;
	bool one;
	const char *export, *user;
	u64 cursor[2];
	int (*fn)(const struct p2p_obj *obj, void *arg);
	void *arg;
};

int p2p_state_walk(struct p2p_net *pn, const struct p2p_ctx *ctx,
		   struct p2p_walk *w);

int p2p_state_init(void);
void p2p_state_uninit(void);

#endif /* P2P_STATE_H */
