/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_SERVER_H
#define P2P_SERVER_H

#include <linux/types.h>

struct p2p_net;

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
/* True while the listening socket is open (status: P2P_A_LISTEN_ACTIVE). */
bool p2p_server_active(struct p2p_net *pn);

extern unsigned int p2p_max_conns;
extern unsigned int p2p_idle_timeout;
extern unsigned int p2p_auth_burst;

#endif /* P2P_SERVER_H */
