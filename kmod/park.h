/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_PARK_H
#define P2P_PARK_H

struct p2p_conn;

/* p2p_conn_park(): the worker returns, the connection waits without one. */
#define P2P_PARKED 1

/*
 * Between requests: 0 once the next request's bytes are there (buffers
 * taken), P2P_PARKED when the worker must return (the connection's work
 * item is queued again when the peer sends, leaves or the idle deadline
 * passes), or an error that ends the connection.  Before authentication
 * the same for the next handshake frame, whole, and the handshake's
 * deadline; while a reply is pending (conn->reply), for room in the
 * socket, the idle deadline counting from the last bytes sent.
 */
int p2p_conn_park(struct p2p_conn *conn);
/*
 * First thing of a run after P2P_PARKED, and before the connection is
 * freed; a no-op if not parked.  p2p_conn_wake() (conn.h) ends a park.
 */
void p2p_conn_unpark(struct p2p_conn *conn);
/* The idle deadline starts again: after the handshake, after a request. */
void p2p_conn_idle_from_now(struct p2p_conn *conn);

#endif /* P2P_PARK_H */
