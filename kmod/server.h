/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_SERVER_H
#define P2P_SERVER_H

#include <linux/in6.h>
#include <linux/types.h>

#include "uapi/p2pshare.h"

struct p2p_net;
struct p2p_user;

/* Exports a connection remembers by id, for p2p_server_export_gone(). */
#define P2P_CONN_EXPORTS 8

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
 * The control plane calls every hook with pn->lock held, from process
 * context.  A connection must therefore never take pn->lock (use the
 * RCU lookups of state.h); the host key exists before the first start.
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

extern unsigned int p2p_max_conns;
extern unsigned int p2p_max_user_conns;
extern unsigned int p2p_idle_timeout;
extern unsigned int p2p_auth_burst;

#endif /* P2P_SERVER_H */
