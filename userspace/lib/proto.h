/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * p2pshare frames over a blocking socket: whole-frame I/O, the HELLO and
 * Noise KK handshake for both sides, and the client's requests.
 *
 * Every function returns 0 (or a count) on success and a negative errno:
 *   -EREMOTEIO     the server answered ERROR: see sess->err
 *   -EACCES        the server refused our authentication (sess->err too)
 *   -EKEYREJECTED  the host key is not the expected one
 *   -EBADMSG       the server failed to prove it holds the host key
 *   -EPROTO        the peer broke the protocol (malformed or unexpected)
 *   -ESHUTDOWN     the peer closed the connection between two frames
 *   -ECONNRESET    the peer closed the connection inside a frame
 *   -ETIMEDOUT     SO_RCVTIMEO/SO_SNDTIMEO expired
 *   -ENOPKG        this machine's kernel TLS (module tls) is not available
 *   -EBADE         a record failed authentication, or was no data record
 *                  or malformed: the connection was tampered with
 *                  (PROTOCOL.md 6.7)
 *   -EKEYEXPIRED   our own record limit would be passed (PROTOCOL.md 6.8);
 *                  the server's comes as -EREMOTEIO, err.code EKEYEXPIRED
 *   anything else  a local error (socket, memory, invalid argument)
 */
#ifndef _P2P_PROTO_H
#define _P2P_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ktls.h"
#include "noise.h"
#include "wire.h"

struct p2p_remote_error {
	uint32_t code;			/* positive errno, 0: none */
	char msg[P2P_ERRMSG_MAX + 1];	/* control characters replaced */
};

struct p2p_session {
	int fd;
	uint16_t version;
	uint8_t host_key[P2P_KEY_LEN];
	uint8_t user_key[P2P_KEY_LEN];
	char user[P2P_NAME_MAX + 1];
	struct noise_session noise;	/* Split() keys, handshake hash */
	uint16_t offer;			/* in: ciphers to offer, 0: all */
	uint16_t cipher;		/* out: P2P_CIPHER_* of the records */
	bool no_records;		/* in, tests only: no kTLS after the
					 * handshake (raw-record fuzzing) */
	uint64_t tx_records;		/* upper bound of records sent */
	uint32_t tag;			/* last tag sent */
	struct p2p_remote_error err;

	/* transfer in progress (READ or PUT) */
	uint32_t xfer_tag;
	uint64_t xfer_left;		/* bytes still to receive or send */
	uint32_t frame_left;		/* READ: bytes left in this frame */
	bool xfer_active;
	bool frame_more;
};

/* Byte and frame I/O; EINTR is retried, SIGPIPE avoided on sockets. */
int p2p_read_full(int fd, void *buf, size_t len);
int p2p_write_full(int fd, const void *buf, size_t len);
int p2p_send_frame(int fd, uint8_t op, uint8_t flags, uint32_t tag,
		   const void *body, uint32_t len);
int p2p_send_error(int fd, uint32_t tag, int code, const char *msg);
int p2p_recv_hdr(int fd, bool from_server, struct p2p_frame *f);
int p2p_recv_frame(int fd, bool from_server, struct p2p_frame *f,
		   void *buf, size_t cap);
int p2p_skip_body(int fd, uint32_t len);

/*
 * Client: HELLO, TCP_ULP "tls", HANDSHAKE1 offering sess->offer (0: all
 * ciphers), HANDSHAKE2, then the records on fd (kTLS TLS_TX and TLS_RX).
 * sess->offer and sess->no_records are read, so the caller zeroes the
 * session (or sets them) first; everything else is reset. With no_records
 * (tests) no kTLS is set and sess->noise keeps the Split() keys, else
 * they are wiped once in the kernel. expected_host_key may be NULL (trust
 * on first use: the caller stores out_host_key). out_host_key is filled
 * as soon as the server sent it, also on -EKEYREJECTED. A server that
 * speaks another version gives -EREMOTEIO, sess->err.code
 * EPROTONOSUPPORT.
 */
int p2p_client_connect(int fd, const char *user,
		       const uint8_t user_priv[P2P_KEY_LEN],
		       const uint8_t *expected_host_key,
		       uint8_t out_host_key[P2P_KEY_LEN],
		       struct p2p_session *sess);

/* Server: the user's public key, or -ENOENT for an unknown user. */
typedef int (*p2p_lookup_user_fn)(void *ctx, const char *user,
				  uint8_t pub[P2P_KEY_LEN]);

struct p2p_server_keys {
	uint8_t priv[P2P_KEY_LEN];
	uint8_t pub[P2P_KEY_LEN];
	uint8_t dummy_pub[P2P_KEY_LEN];	/* a real key nobody holds */
	uint16_t cipher_pref;		/* P2P_CIPHER_*, 0: the default */
};

/*
 * Runs the server side: HELLO, HANDSHAKE1, the cipher (keys->cipher_pref
 * if offered, PROTOCOL.md 6.5), HANDSHAKE2, then kTLS on fd; sess->offer
 * and sess->cipher tell what was offered and chosen. sess->no_records is
 * read as for the client. On failure the ERROR frame was already sent (in
 * clear) and the caller closes the connection.
 */
int p2p_server_handshake(int fd, const struct p2p_server_keys *keys,
			 p2p_lookup_user_fn lookup, void *ctx,
			 struct p2p_session *sess);
int p2p_server_busy(int fd);
/* The message of ERROR EPROTONOSUPPORT for a HELLO up to version_max. */
const char *p2p_version_msg(uint16_t version_max);

/* Client requests. Decoded replies point into the caller's buf. */
uint32_t p2p_next_tag(struct p2p_session *sess);
int p2p_call(struct p2p_session *sess, uint8_t op, const void *req,
	     size_t req_len, uint8_t reply_op, void *buf, size_t cap,
	     size_t *reply_len);
int p2p_list_exports(struct p2p_session *sess, void *buf, size_t cap,
		     struct p2p_list_reply *out);
int p2p_stat(struct p2p_session *sess, const char *export,
	     const char *path, struct p2p_fattr *out);
int p2p_readdir(struct p2p_session *sess, const char *export,
		const char *path, uint64_t cookie, uint32_t max_entries,
		void *buf, size_t cap, struct p2p_readdir_reply *out);
/* HASH: one reply, from block FIRST; buf needs P2P_MAX_BODY bytes. */
int p2p_hash(struct p2p_session *sess, const char *export, const char *path,
	     uint32_t first, void *buf, size_t cap, struct p2p_hash_reply *out);
/* BLOCKS: which blocks the server has; buf needs P2P_MAX_BODY bytes. */
int p2p_blocks(struct p2p_session *sess, const char *export,
	       const char *path, void *buf, size_t cap,
	       struct p2p_blocks_reply *out);

/* READ: begin, then read_data until it returns 0 (all total bytes). */
int p2p_read_begin(struct p2p_session *sess, const char *export,
		   const char *path, uint64_t offset, uint64_t length,
		   struct p2p_read_reply *out);
ssize_t p2p_read_data(struct p2p_session *sess, void *buf, size_t cap);

/*
 * Pipelined READs (PROTOCOL.md section 2): p2p_enc_read_frame() writes a
 * whole READ frame, header and body with a fresh tag (*tag), into buf and
 * returns its length (a negative errno if it does not fit), so that the
 * caller sends several in one write; then, in the order sent,
 * p2p_read_reply() takes the READ_REPLY of each (or its ERROR:
 * -EREMOTEIO, the connection stays usable) and p2p_read_data() its bytes.
 */
int p2p_enc_read_frame(struct p2p_session *sess, void *buf, size_t cap,
		       const char *export, const char *path, uint64_t offset,
		       uint64_t length, uint32_t *tag);
int p2p_read_reply(struct p2p_session *sess, uint32_t tag,
		   struct p2p_read_reply *out);

/* PUT: begin, data (any sizes, exactly size bytes in all), end. Calling
 * end early aborts the upload: the server keeps nothing. */
int p2p_put_begin(struct p2p_session *sess, const char *export,
		  const char *path, uint64_t size, uint32_t mode);
int p2p_put_data(struct p2p_session *sess, const void *buf, size_t len);
int p2p_put_end(struct p2p_session *sess);

void p2p_session_wipe(struct p2p_session *sess);

#endif /* _P2P_PROTO_H */
