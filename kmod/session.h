/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_SESSION_H
#define P2P_SESSION_H

#include <linux/types.h>

#include "admission.h"

struct p2p_conn;


/*
 * The handshake, then requests: true when the connection parked (its work
 * item runs this again once woken), false when it ended.
 */
bool p2p_session_run(struct p2p_conn *conn);

#endif /* P2P_SESSION_H */
