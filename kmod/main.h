/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_MAIN_H
#define P2P_MAIN_H

#define P2P_MODULE_VERSION "0.1.0"

extern unsigned short p2p_port;

#endif /* P2P_MAIN_H */
