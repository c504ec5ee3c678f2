/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_NETLINK_H
#define P2P_NETLINK_H

int p2p_genl_init(void);
void p2p_genl_uninit(void);

#endif /* P2P_NETLINK_H */
