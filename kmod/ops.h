/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_OPS_H
#define P2P_OPS_H

#include <linux/types.h>

struct p2p_conn;

/* One request, after its header; the body is at conn->body. */
int p2p_ops_dispatch(struct p2p_conn *conn, u8 op, u8 flags, u32 len);

#endif /* P2P_OPS_H */
