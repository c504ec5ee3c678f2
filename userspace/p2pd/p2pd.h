/* SPDX-License-Identifier: GPL-2.0 */
/*
 * p2pd: the userspace twin of p2pshare.ko. The same protocol (kmod/wire.c,
 * userspace/lib/proto.c), configured from the file `p2pctl save` writes,
 * one thread per connection. It is the benchmark's baseline and a second
 * implementation for the protocol tests.
 */
#ifndef P2PD_H
#define P2PD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "model.h"
#include "proto.h"

enum pd_mode {
	PD_MODE_COPY,		/* pread into a buffer, write it to the socket */
	PD_MODE_SENDFILE,	/* sendfile(2) from the page cache */
};

enum pd_grant_mode {
	PD_GRANT_RO = P2P_ACCESS_RO,
	PD_GRANT_RW = P2P_ACCESS_RW,
};

/* Read-only once the server runs: no lock needed. */
struct pd_config {
	struct p2p_server_keys keys;
	struct sockaddr_storage listen;
	socklen_t listen_len;
	struct p2p_model model;		/* users, exports (fd: O_PATH), grants */
	enum pd_mode mode;
	unsigned int max_conns;
	unsigned int idle_timeout;	/* seconds */
	uint64_t record_limit;		/* records one connection sends */
};

/* config.c: read the `p2pctl save` file; prints why on failure. */
int pd_config_load(struct pd_config *cfg, const char *file);
int pd_parse_addr(const char *arg, struct sockaddr_storage *ss,
		  socklen_t *len);
const struct p2p_model_user *pd_user_find(const struct pd_config *cfg,
					  const char *name);
const struct p2p_model_export *pd_export_find(const struct pd_config *cfg,
					      const char *name, size_t len,
					      const struct p2p_model_user *user,
					      enum pd_grant_mode *mode);

/* ratelimit.c: failed handshakes per source address (as the module). */
bool pd_auth_allowed(const struct sockaddr_storage *peer);
void pd_auth_failed(const struct sockaddr_storage *peer);

/* conn.c: one connection, on its own thread; owns fd. */
struct pd_conn {
	int fd;
	const struct pd_config *cfg;
	struct sockaddr_storage peer;
	struct p2p_session sess;
	const struct p2p_model_user *user;
	uint32_t tag;			/* of the request being served */
	uint8_t *rbuf;			/* a request body */
	uint8_t *wbuf;			/* a reply body */
	uint8_t *iobuf;			/* copy mode: file data */
	uint64_t tx_records;		/* upper bound of the records sent */
};

#define PD_BUF_LEN	(P2P_HDR_LEN + P2P_MAX_BODY)
#define PD_IOBUF_LEN	(128 * 1024)

/* session.c: a connection's thread, from the handshake to the close. */
void *pd_session_run(void *conn);

/* conn.c: frames in and out of one connection. */
void pd_conn_set_timeout(struct pd_conn *c, unsigned int secs);
/* Header, then the body of every op but PUT_DATA (ops.c reads that). */
struct p2p_frame;
int pd_conn_recv_frame(struct pd_conn *c, struct p2p_frame *f);
/* The lingering close, then the connection's memory. */
void pd_conn_free(struct pd_conn *c);
int pd_conn_recv(struct pd_conn *c, void *buf, size_t len);
struct iovec;
int pd_conn_sendv(struct pd_conn *c, struct iovec *iov, int cnt,
		  int msg_flags);
int pd_conn_send(struct pd_conn *c, uint8_t op, uint8_t flags,
		 const void *body, size_t len, int msg_flags);
int pd_conn_send_error(struct pd_conn *c, int err, const char *msg);
/*
 * Before a reply of at most records records: 0, or -EKEYEXPIRED when it
 * could pass the record limit, after ERROR EKEYEXPIRED went out (the
 * caller then closes, PROTOCOL.md 6.8).
 */
int pd_conn_reserve(struct pd_conn *c, uint64_t records);
/* Counts the records of one write of len bytes; -EKEYEXPIRED: not made. */
int pd_conn_count(struct pd_conn *c, size_t len);

/* ops.c: one request; its body (except PUT_DATA's) is in c->rbuf. */
int pd_ops_dispatch(struct pd_conn *c, uint8_t op, uint32_t len);

/*
 * fs.c: confined resolution with openat2(2), credentials of a thread; the
 * reserved names of uploads (".p2p-" HEX ".part"), which no request reaches.
 */
int pd_resolve(int root, const char *path, size_t len);
int pd_reopen(int pathfd, int flags);
int pd_become(uid_t uid, gid_t gid);

#endif /* P2PD_H */
