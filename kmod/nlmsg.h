/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_NLMSG_H
#define P2P_NLMSG_H

#include <linux/skbuff.h>

#include "state.h"

/* The attributes of O in a message of CMD (P2P_CMD_*); non-zero if they do not fit. */
int p2p_nlmsg_put(struct sk_buff *skb, u8 cmd, const struct p2p_obj *o);
/* Room for one message of CMD. */
size_t p2p_nlmsg_size(u8 cmd);

#endif /* P2P_NLMSG_H */
