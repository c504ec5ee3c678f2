/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_OPS_H
#define P2P_OPS_H

#include <linux/types.h>

struct p2p_conn;

/* One request, after its header; the body is at conn->body. */
int p2p_ops_dispatch(struct p2p_conn *conn, u8 op, u8 flags, u32 len);
/*
 * An upload's PUT_DATA frames once PUT_BEGIN was answered (conn->put):
 * what is there, without waiting.  0 once the upload is answered,
 * -EAGAIN while it waits for the peer's bytes, P2P_YIELD when the run's
 * budget is spent, else what ends the connection.
 */
int p2p_ops_put_step(struct p2p_conn *conn);
/* What the upload needs in rbuf to go on without reading (park.c). */
size_t p2p_ops_put_need(struct p2p_conn *conn);
/* The upload in progress, if any, is aborted: the connection ends. */
void p2p_ops_put_abort(struct p2p_conn *conn);

#endif /* P2P_OPS_H */
