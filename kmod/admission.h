/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_ADMISSION_H
#define P2P_ADMISSION_H

#include <linux/types.h>

#include "uapi/p2pshare_proto.h"

struct p2p_conn;
struct wait_queue_head;

/*
 * What the server that accepted a connection decides during its
 * handshake, lent to the session so that the session never calls back
 * into its owner by name:
 * - auth_take, at HELLO: a token of the peer address's bucket, 0; -EAGAIN
 *   when rate limited; -EINPROGRESS while other handshakes of the address
 *   hold its tokens (never waits: the connection parks on token_wq, woken
 *   when a token is given back or spent, and asks again).
 * - auth_put, at the end of the handshake: the token back if AUTHED, else
 *   spent.
 * - closing, when the connection is done with its peer and only drains:
 *   the server may evict it from then on.
 * - authed, once the peer proved its key: 0, -EBUSY if its user holds
 *   max_user_conns connections already, -ECONNABORTED if it was evicted
 *   meanwhile, -EACCES if its user was deleted or replaced since HELLO; on
 *   an error the connection must end.
 * - dummy_key stands in for unknown users.
 */
struct p2p_admission {
	int (*auth_take)(struct p2p_conn *conn);
	void (*auth_put)(struct p2p_conn *conn, bool authed);
	int (*authed)(struct p2p_conn *conn);
	void (*closing)(struct p2p_conn *conn);
	struct wait_queue_head *token_wq;
	u8 dummy_key[P2P_KEY_LEN];
};

#endif /* P2P_ADMISSION_H */
