/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * p2pshare generic netlink control plane.
 *
 * Family "p2pshare", one per network namespace.  Every command needs
 * CAP_NET_ADMIN in the initial user namespace: an unprivileged user
 * namespace must never export files with credentials it does not hold.
 * CAP_NET_ADMIN configures the network side only: mapping a user to a uid
 * or gid other than the caller's own also needs CAP_SETUID or CAP_SETGID,
 * and an export needs a directory the caller may read and search.
 * docs/netlink.yaml describes the family in the kernel's YNL format and is
 * the source of p2pshare_nl.h (commands, attributes, counters); the
 * constants the spec names with `header:` are in p2pshare_proto.h;
 * docs/NETLINK.md describes each command in prose.
 */
#ifndef P2P_UAPI_P2PSHARE_H
#define P2P_UAPI_P2PSHARE_H

#include "p2pshare_proto.h"
#include "p2pshare_nl.h"

/* The generator starts enum p2p_cmd at 1 and names no command 0. */
#define P2P_CMD_UNSPEC		0

#endif /* P2P_UAPI_P2PSHARE_H */
