/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_VERSION_H
#define P2P_VERSION_H

#define P2P_MODULE_VERSION "0.1.0"

#endif /* P2P_VERSION_H */
