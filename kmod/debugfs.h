/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_DEBUGFS_H
#define P2P_DEBUGFS_H

/*
 * /sys/kernel/debug/p2pshare/ (objects, conn_objects, noise_objects,
 * record_limit); without CONFIG_DEBUG_FS the calls do nothing.
 */
void p2p_debugfs_init(void);
void p2p_debugfs_uninit(void);

#endif /* P2P_DEBUGFS_H */
