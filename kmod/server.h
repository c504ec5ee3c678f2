/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_SERVER_H
#define P2P_SERVER_H

#include <linux/in6.h>
#include <linux/types.h>

#include "conn.h"
#include "uapi/p2pshare.h"

struct p2p_net;
struct p2p_server;
struct p2p_user;

/* One connection as the control plane sees it, copied under its lock. */
struct p2p_conn_info {
	u64 id;
	struct in6_addr peer;		/* IPv4 as v4-mapped */
	u16 port;
	bool authed;
	char user[P2P_NAME_MAX + 1];	/* once authed */
	u64 bytes_sent, bytes_recv, requests;
	u16 cipher;			/* P2P_CIPHER_*, once authed */
	u32 age, idle;			/* seconds */
	u32 exports[P2P_CONN_EXPORTS];
	unsigned int nexports;
	bool many_exports;
};

/*
 * The server of each namespace is stopped by these pernet operations'
 * pre_exit: register them after state.c's (p2p_state_init), so that the
 * namespace's objects outlive its server.
 */
int p2p_server_init(void);
void p2p_server_uninit(void);

/*
 * The control plane calls every hook with pn->lock held, from process
 * context.  A connection must therefore never take pn->lock (use the
 * RCU lookups of objects.h); the host key exists before the first start.
 */

/* When an export is added and the server is not active. */
int p2p_server_start(struct p2p_net *pn);
/* When the last export is removed, and from the namespace's pre_exit. */
void p2p_server_stop(struct p2p_net *pn);
/* After the listener settings changed while the server is active. */
int p2p_server_relisten(struct p2p_net *pn);
/* After an export was removed: close the connections that used it. */
void p2p_server_export_gone(struct p2p_net *pn, u32 export_id);
/* USER was deleted or replaced (and marked dead): close its connections. */
void p2p_server_user_gone(struct p2p_net *pn, struct p2p_user *user);
/* True while the listening socket is open (status: P2P_A_LISTEN_ACTIVE). */
bool p2p_server_active(struct p2p_net *pn);
/*
 * Call FN for each open connection whose id is above *CURSOR, in id order,
 * moving *CURSOR to the id of each one FN took (returned 0); a non-zero
 * return stops the walk and is returned.  FN runs under the server's
 * connection lock: it must not sleep long, nor call into the server.
 */
int p2p_server_conns_walk(struct p2p_net *pn, u64 *cursor,
			  int (*fn)(const struct p2p_conn_info *ci, void *arg),
			  void *arg);

/*
 * The connections' workers, all namespaces: each server runs LIMIT at
 * once; BUSY now, PEAK the most since the module loaded or the last
 * RESET (debugfs "workers", for tests).
 */
void p2p_server_workers(unsigned int *limit, unsigned int *busy,
			unsigned int *peak, bool reset);

/* The handshake rate limiter, lent to connections by p2p_admission. */
int p2p_server_auth_take(struct p2p_server *srv, struct p2p_conn *conn);
void p2p_server_auth_put(struct p2p_server *srv, struct p2p_conn *conn,
			 bool authed);

#endif /* P2P_SERVER_H */
