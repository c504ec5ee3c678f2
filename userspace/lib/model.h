/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * One host's state, the one model of userspace: the host key, the
 * listener, users, exports and their grants, plus what only a running
 * module reports (version, counters, open connections).  p2pctl reads it
 * from the module over netlink (userspace/model_nl.c) and shows it; save
 * writes it as a file and load reads that file back (conffile.c), as the
 * userspace twin p2pd does to serve it.
 */
#ifndef P2P_MODEL_H
#define P2P_MODEL_H

#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "p2pshare.h"

struct p2p_model_user {
	char name[P2P_NAME_MAX + 1];
	uint8_t pubkey[P2P_KEY_LEN];
	uint32_t uid, gid;
	int line;			/* of a file: where it was read */
};

struct p2p_model_grant {
	char user[P2P_NAME_MAX + 1];
	uint8_t mode;			/* P2P_GRANT_RO or P2P_GRANT_RW */
	const struct p2p_model_user *u;	/* of a file: the user named */
	int line;
};

struct p2p_model_export {
	char name[P2P_NAME_MAX + 1];
	char *path;
	int fd;				/* of a file: the directory, open; else -1 */
	uint32_t id, flags;
	int reachable;			/* 1, 0, or -1: the module does not say */
	bool has_dir_id;		/* the directory's device and inode: */
	uint32_t dev_major, dev_minor;
	uint64_t ino;
	struct p2p_model_grant *grants;
	int n_grants;
	int line;
};

#define P2P_MODEL_CONN_EXPORTS 8

/* One open peer connection (conn-get). */
struct p2p_model_conn {
	uint64_t id;
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;
	bool handshake;			/* not authenticated (yet): no user */
	char user[P2P_NAME_MAX + 1];
	uint64_t bytes_sent, bytes_recv, requests;
	uint32_t age, idle;		/* seconds */
	char exports[P2P_MODEL_CONN_EXPORTS][P2P_NAME_MAX + 1];
	int n_exports;
	bool exports_more;		/* it used more exports than listed */
	uint16_t cipher;		/* P2P_CIPHER_* of its records, 0: none yet */
};

/* The limits of a namespace (limits-set), in the order show and save list them. */
enum p2p_limit {
	P2P_LIMIT_MAX_CONNS,
	P2P_LIMIT_MAX_USER_CONNS,
	P2P_LIMIT_AUTH_BURST,
	P2P_LIMIT_IDLE_TIMEOUT,
	P2P_LIMIT_COUNT
};

struct p2p_limit_info {
	const char *name;		/* max_conns: p2pctl, files, module parameter */
	int attr;			/* P2P_A_LIMIT_* */
	uint32_t min, max;		/* the module's range (p2pshare_proto.h) */
};

extern const struct p2p_limit_info p2p_limit_info[P2P_LIMIT_COUNT];

/* The limit called name, or -1. */
int p2p_limit_find(const char *name);

/* "[ADDR][:PORT]" as a file holds it, or "*:7437", "[fd00::1]:7437". */
#define P2P_LISTEN_STR_LEN (INET6_ADDRSTRLEN + 16)

struct p2p_model {
	char version[64];
	bool has_hostkey;		/* a file's hostkey line, or the module's key */
	uint8_t pub[P2P_KEY_LEN];
	uint8_t priv[P2P_KEY_LEN];
	bool has_listen;
	char listen[P2P_LISTEN_STR_LEN];
	char listen_addr[INET6_ADDRSTRLEN];	/* "" for every address */
	uint16_t port;
	uint16_t cipher;		/* preferred P2P_CIPHER_*, 0: the default */
	bool active;
	bool has_limit[P2P_LIMIT_COUNT];	/* the module or the file gave it */
	uint32_t limits[P2P_LIMIT_COUNT];
	bool has_stats;
	uint64_t stats[__P2P_STAT_MAX];
	struct p2p_model_user *users;
	int n_users;
	struct p2p_model_export *exports;
	int n_exports;
	bool has_conns;			/* the module lists them */
	struct p2p_model_conn *conns;
	int n_conns;
};

/* Everything a model holds, private key zeroed, descriptors closed. */
void p2p_model_free(struct p2p_model *m);
/* Append one zeroed element to *arr of *n of size; NULL if out of memory. */
void *p2p_model_grow(void *arr, int *n, size_t size);
struct stat;
/* The directory of st is the one e names by device and inode. */
bool p2p_model_is_dir(const struct p2p_model_export *e, const struct stat *st);
struct p2p_model_user *p2p_model_user(const struct p2p_model *m, const char *name);
struct p2p_model_export *p2p_model_export(const struct p2p_model *m,
					  const char *name, size_t len);

/*
 * How lib code says why it refuses something: one printf-style message
 * for the program to print its way ("p2pctl: ...", "p2pd: FILE:LINE: ...").
 */
typedef void p2p_verr_fn(void *arg, const char *fmt, va_list ap);

/* "ro" or "rw". */
const char *p2p_grant_name(uint8_t mode);
/* "ro" or "rw" into P2P_GRANT_RO or P2P_GRANT_RW; -1 if s is neither. */
int p2p_grant_parse(const char *s, uint8_t *mode);
/* Why s is not a valid user or export name (kmod/wire.c's rule), or NULL. */
const char *p2p_name_problem(const char *s);
/* A decimal u64 or u32, nothing else; -1 if s is not one. */
int p2p_parse_u64(const char *s, uint64_t *v);
int p2p_parse_u32(const char *s, uint32_t *v);

/* A listener address: "", ":PORT", "ADDR", "ADDR:PORT", "[ADDR6]",
 * "[ADDR6]:PORT", "ADDR6", "*:PORT". */
struct p2p_listen_addr {
	int family;			/* AF_INET, AF_INET6, or 0: every address */
	struct in_addr a4;
	struct in6_addr a6;
	uint16_t port;			/* 0: the default */
};

int p2p_listen_parse(const char *arg, struct p2p_listen_addr *la,
		     p2p_verr_fn *err, void *arg_err);

/* One cipher name into its P2P_CIPHER_* bit; -1 after a message if s is
 * not exactly one known name (where: "--cipher", "the listen line"...). */
int p2p_cipher_one(const char *s, const char *where, uint16_t *cipher,
		   p2p_verr_fn *err, void *arg_err);
/* "aes-128-gcm", or "0x0004" for a cipher this code does not know. */
const char *p2p_cipher_label(uint16_t cipher, char buf[8]);

#endif /* P2P_MODEL_H */
