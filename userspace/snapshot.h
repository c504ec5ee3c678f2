/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2PCTL_SNAPSHOT_H
#define P2PCTL_SNAPSHOT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "nl.h"

struct snap_user {
	char name[P2P_NAME_MAX + 1];
	uint8_t pubkey[P2P_KEY_LEN];
	uint32_t uid, gid;
};

struct snap_grant {
	char user[P2P_NAME_MAX + 1];
	uint8_t mode;
};

struct snap_export {
	char name[P2P_NAME_MAX + 1];
	char *path;
	uint32_t id, flags;
	int reachable;			/* 1, 0, or -1: the module does not say */
	bool has_dir_id;		/* the directory's device and inode: */
	uint32_t dev_major, dev_minor;
	uint64_t ino;
	struct snap_grant *grants;
	int n_grants;
};

#define SNAP_CONN_EXPORTS 8

/* One open peer connection (conn-get). */
struct snap_conn {
	uint64_t id;
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;
	bool handshake;			/* not authenticated (yet): no user */
	char user[P2P_NAME_MAX + 1];
	uint64_t bytes_sent, bytes_recv, requests;
	uint32_t age, idle;		/* seconds */
	char exports[SNAP_CONN_EXPORTS][P2P_NAME_MAX + 1];
	int n_exports;
	bool exports_more;		/* it used more exports than listed */
	uint16_t cipher;		/* P2P_CIPHER_* of its records, 0: none yet */
};

/* "*:7437", "198.18.0.1:7437" or "[fd00::1]:7437". */
#define LISTEN_STR_LEN (INET6_ADDRSTRLEN + 10)

/* The whole state of the module in this network namespace. */
struct snapshot {
	char version[64];
	uint8_t pub[P2P_KEY_LEN];
	uint8_t priv[P2P_KEY_LEN];	/* only with SNAP_PRIV */
	char listen[LISTEN_STR_LEN];
	char listen_addr[INET6_ADDRSTRLEN];	/* "" for every address */
	uint16_t port;
	uint16_t cipher;		/* preferred P2P_CIPHER_*, 0: not reported */
	bool active;
	bool has_stats;
	uint64_t stats[__P2P_STAT_MAX];
	struct snap_user *users;
	int n_users;
	struct snap_export *exports;
	int n_exports;
	bool has_conns;		/* SNAP_CONNS and the module lists them */
	struct snap_conn *conns;
	int n_conns;
};

#define SNAP_PRIV 1	/* read the host's private key too */
#define SNAP_CONNS 2	/* read the open peer connections too */

/* Read everything; prints why and returns -1 on failure. */
int snapshot_read(struct p2p_nl *nl, struct snapshot *s, int flags);
void snapshot_free(struct snapshot *s);
/* Fill s->listen* from a message's listener attributes. */
void snapshot_listen(struct snapshot *s, struct nlattr **tb);
const char *mode_name(uint8_t mode);
/* Send a request without a reply; 0, or 1 after printing why WHAT failed. */
int cp_do(struct p2p_nl *nl, struct nl_msg *msg, const char *what);
/* An EXPORT_NEW request for the directory open at FD, with N grants. */
struct nl_msg *export_msg(struct p2p_nl *nl, const char *name, int fd,
			  const char *const *users, const uint8_t *modes, int n);
/* Parse [ADDR][:PORT] into the attributes of a LISTEN_SET request. */
int listen_parse(const char *s, struct nl_msg *msg);
/* If set_addr, the listener's address (NULL: the defaults); then the
 * cipher if not 0.  0, or 1 after a message. */
int listen_apply(struct p2p_nl *nl, const char *addr, bool set_addr,
		 uint16_t cipher);
/* One cipher name into its P2P_CIPHER_* bit; prints why and returns -1
 * if S is not exactly one known name (WHERE: "--cipher", "line"...). */
int cipher_one(const char *s, const char *where, uint16_t *cipher);
/* "aes-128-gcm", or "0x0004" for a cipher this p2pctl does not know. */
const char *cipher_label(uint16_t cipher, char buf[8]);
/* A decimal u32, nothing else; -1 if S is not one. */
int parse_u32(const char *s, uint32_t *v);
/* A decimal u64, nothing else; -1 if S is not one. */
int parse_u64(const char *s, uint64_t *v);

#endif /* P2PCTL_SNAPSHOT_H */
