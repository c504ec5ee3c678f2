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
 * docs/netlink.yaml describes the same family in the kernel's YNL format,
 * docs/NETLINK.md each command in prose.
 */
#ifndef _UAPI_LINUX_P2PSHARE_H
#define _UAPI_LINUX_P2PSHARE_H

#include <linux/types.h>

#define P2P_GENL_NAME		"p2pshare"
#define P2P_GENL_VERSION	1
#define P2P_MCGRP_EVENTS	"events"

#define P2P_NAME_MAX		64	/* user and export names: [A-Za-z0-9._-], not . or .. */
#define P2P_KEY_LEN		32	/* X25519 keys */
#define P2P_DEFAULT_PORT	7437
#define P2P_UID_NOBODY		65534

enum p2p_cmd {
	P2P_CMD_UNSPEC,
	P2P_CMD_STATUS_GET,	/* version, host public key, listener, counters */
	P2P_CMD_USER_NEW,
	P2P_CMD_USER_DEL,
	P2P_CMD_USER_GET,	/* do (by name) or dump */
	P2P_CMD_EXPORT_NEW,
	P2P_CMD_EXPORT_DEL,
	P2P_CMD_EXPORT_GET,	/* do (by name) or dump */
	P2P_CMD_GRANT_SET,	/* create or change (export, user, mode) */
	P2P_CMD_GRANT_DEL,
	P2P_CMD_GRANT_GET,	/* dump, optionally filtered by export or user */
	P2P_CMD_LISTEN_SET,
	P2P_CMD_HOSTKEY_SET,
	P2P_CMD_HOSTKEY_GET,	/* private key included: for `p2pctl save` */
	P2P_CMD_CONN_GET,	/* dump of open peer connections */
	P2P_CMD_USER_SET,	/* new key or ids; the user's connections end */

	__P2P_CMD_MAX
};
#define P2P_CMD_MAX (__P2P_CMD_MAX - 1)

enum p2p_grant_mode {
	P2P_GRANT_UNSPEC,
	P2P_GRANT_RO,
	P2P_GRANT_RW,

	__P2P_GRANT_MAX
};
#define P2P_GRANT_MAX (__P2P_GRANT_MAX - 1)

/* P2P_A_EXPORT_FLAGS */
#define P2P_EXPORT_F_NONE	0
#define P2P_EXPORT_F_ALL	0

enum p2p_attr {
	P2P_A_UNSPEC,
	P2P_A_PAD,
	P2P_A_VERSION,		/* string: module version */
	P2P_A_STATS,		/* nest: enum p2p_stat */
	P2P_A_HOSTKEY_PUB,	/* binary[32] */
	P2P_A_HOSTKEY_PRIV,	/* binary[32] */
	P2P_A_LISTEN_ADDR4,	/* u32, network byte order */
	P2P_A_LISTEN_ADDR6,	/* binary[16] */
	P2P_A_LISTEN_PORT,	/* u16, host byte order */
	P2P_A_LISTEN_ACTIVE,	/* u8: 1 while the listening socket is open */
	P2P_A_USER_NAME,	/* string */
	P2P_A_USER_PUBKEY,	/* binary[32] */
	P2P_A_USER_UID,		/* u32 */
	P2P_A_USER_GID,		/* u32 */
	P2P_A_EXPORT_NAME,	/* string */
	P2P_A_EXPORT_FD,	/* u32: descriptor of the directory, open for reading */
	P2P_A_EXPORT_PATH,	/* string, reply only: where the export lives */
	P2P_A_EXPORT_FLAGS,	/* u32: P2P_EXPORT_F_* */
	P2P_A_GRANT_MODE,	/* u8: enum p2p_grant_mode */
	P2P_A_GRANT,		/* nest, multi: enum p2p_grant_attr */
	P2P_A_CONN,		/* nest: enum p2p_conn_attr, reply only */
	P2P_A_EXPORT_ID,	/* u32, reply only: unique per netns, never reused */
	P2P_A_EXPORT_REACHABLE,	/* u8, reply only: 1 if P2P_A_EXPORT_PATH is
				 * below the requester's root; 0: the directory
				 * is in another mount namespace (the path names
				 * another directory here)
				 */
	P2P_A_EXPORT_DEV_MAJOR,	/* u32, reply only: the directory's device */
	P2P_A_EXPORT_DEV_MINOR,	/* u32, reply only */
	P2P_A_EXPORT_INO,	/* u64, reply only: the directory's inode */
	P2P_A_LISTEN_CIPHER,	/* u16: P2P_CIPHER_* the server prefers */

	__P2P_A_MAX
};
#define P2P_A_MAX (__P2P_A_MAX - 1)

enum p2p_grant_attr {
	P2P_GRANT_A_UNSPEC,
	P2P_GRANT_A_USER,	/* string */
	P2P_GRANT_A_MODE,	/* u8: enum p2p_grant_mode */

	__P2P_GRANT_A_MAX
};
#define P2P_GRANT_A_MAX (__P2P_GRANT_A_MAX - 1)

enum p2p_conn_attr {
	P2P_CONN_A_UNSPEC,
	P2P_CONN_A_PAD,
	P2P_CONN_A_PEER4,	/* u32, network byte order */
	P2P_CONN_A_PEER6,	/* binary[16] */
	P2P_CONN_A_PORT,	/* u16, host byte order */
	P2P_CONN_A_USER,	/* string, once authenticated */
	P2P_CONN_A_BYTES_SENT,	/* u64 */
	P2P_CONN_A_BYTES_RECV,	/* u64 */
	P2P_CONN_A_ID,		/* u64: unique in all namespaces, never reused */
	P2P_CONN_A_HANDSHAKE,	/* flag: not authenticated (yet) */
	P2P_CONN_A_REQUESTS,	/* u64: requests received */
	P2P_CONN_A_AGE,		/* u32: seconds since accept */
	P2P_CONN_A_IDLE,	/* u32: seconds since its last request began */
	P2P_CONN_A_EXPORT,	/* string, multi: exports it has used */
	P2P_CONN_A_EXPORTS_MORE,	/* flag: and more than those listed */
	P2P_CONN_A_CIPHER,	/* u16: P2P_CIPHER_* of its records, once authenticated */

	__P2P_CONN_A_MAX
};
#define P2P_CONN_A_MAX (__P2P_CONN_A_MAX - 1)

/* Counters of one namespace, all u64. */
enum p2p_stat {
	P2P_STAT_UNSPEC,
	P2P_STAT_PAD,
	P2P_STAT_CONNS_ACTIVE,
	P2P_STAT_CONNS_TOTAL,
	P2P_STAT_CONNS_REFUSED,		/* over the connection cap */
	P2P_STAT_AUTH_OK,
	P2P_STAT_AUTH_FAILED,
	P2P_STAT_AUTH_RATELIMITED,
	P2P_STAT_REQUESTS,
	P2P_STAT_ERRORS,		/* error frames sent */
	P2P_STAT_BYTES_SENT,
	P2P_STAT_BYTES_SENT_ZEROCOPY,	/* file bytes spliced from the page cache */
	P2P_STAT_BYTES_RECV,
	P2P_STAT_FILES_PUT,
	P2P_STAT_CONNS_EVICTED,		/* in their handshake, at the cap */
	P2P_STAT_DECRYPT_ERRORS,	/* records that failed authentication */
	P2P_STAT_RECORD_LIMIT,		/* connections ended at the record limit */

	__P2P_STAT_MAX
};
#define P2P_STAT_MAX (__P2P_STAT_MAX - 1)

#endif /* _UAPI_LINUX_P2PSHARE_H */
