/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_SESSION_H
#define P2P_SESSION_H

#include <linux/types.h>

#include "uapi/p2pshare_proto.h"

struct p2p_conn;

/*
 * What the server that accepted a connection decides during its
 * handshake, lent to the session so that the session never calls back
 * into its owner by name:
 * - auth_take, at HELLO: a token of the peer address's bucket, 0; -EAGAIN
 *   when rate limited; -ETIMEDOUT if the handshake's deadline passed while
 *   waiting.
 * - auth_put, at the end of the handshake: the token back if AUTHED, else
 *   spent.
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
	u8 dummy_key[P2P_KEY_LEN];
};

/*
 * The handshake, then requests: true when the connection parked (its work
 * item runs this again once woken), false when it ended.
 */
bool p2p_session_run(struct p2p_conn *conn);

#endif /* P2P_SESSION_H */
