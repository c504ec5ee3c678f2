/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_TRANSPORT_H
#define P2P_TRANSPORT_H

#include <linux/jiffies.h>
#include <linux/types.h>

struct file;
struct p2p_noise_keys;
struct p2p_conn;
struct p2p_frame;
struct socket;

/*
 * Every byte a connection receives or sends.  Sends never wait; receives
 * wait only where the bytes are known to be there (p2p_conn_poll() and
 * p2p_conn_poll_frame() said so), with the socket's timeouts, which
 * p2p_conn_set_timeout() sets (0: none), as a bound all the same.
 */
int p2p_conn_bufs(struct p2p_conn *conn, size_t rsize, size_t wsize);
int p2p_conn_reserve(struct p2p_conn *conn, size_t size);
void p2p_conn_trim(struct p2p_conn *conn);
void p2p_conn_set_timeout(struct p2p_conn *conn, unsigned int secs);
/*
 * Is the next request there, whole?  0 if so, with the buffers; -EAGAIN
 * if not yet, with none held unless its first part is in rbuf; never
 * waits.
 */
int p2p_conn_poll(struct p2p_conn *conn);
/*
 * Can a reader that needs NEED bytes go on: that many unread in rbuf, or
 * any in the socket?  0, -EAGAIN or an error; never waits.
 */
int p2p_conn_poll_bytes(struct p2p_conn *conn, size_t need);
int p2p_conn_poll_frame(struct p2p_conn *conn);

/* MSG_DONTWAIT in flags: -EAGAIN instead of waiting, the bytes kept. */
int p2p_conn_recv_hdr(struct p2p_conn *conn, struct p2p_frame *f, int flags);
/* A header and, but for PUT_DATA, its body at conn->body until the next. */
int p2p_conn_recv_frame(struct p2p_conn *conn, struct p2p_frame *f);
/* 1 to max bytes of the stream, in rbuf at *p until the next receive. */
int p2p_conn_recv_some(struct p2p_conn *conn, size_t max, const u8 **p,
		       int flags);

/*
 * A frame, or what the socket does not take of it kept in conn->out (an
 * error only if that cannot be); never waits.  p2p_conn_flush() sends what
 * is kept: 0 once all is out, -EAGAIN while the socket is full.
 */
int p2p_conn_send(struct p2p_conn *conn, u8 op, u8 flags, const void *body,
		  size_t len, int msg_flags);
int p2p_conn_flush(struct p2p_conn *conn);
void p2p_conn_out_drop(struct p2p_conn *conn);
int p2p_conn_send_error(struct p2p_conn *conn, int err, const char *msg);
/*
 * A READ reply (conn->reply): the pre bytes already built, then total
 * bytes of file from pos in READ_DATA frames, its page-cache pages passed
 * to the socket without a copy.  p2p_reply_send() sends what the socket
 * takes without waiting: 0 when all is out, -EAGAIN when the socket is
 * full (p2p_conn_writable() says when to go on), P2P_YIELD when the run's
 * budget is spent, or an error that ends the connection.  The reply holds
 * a reference to file until it ends or p2p_reply_end() drops it.
 */
#define P2P_YIELD 2

int p2p_reply_start(struct p2p_conn *conn, struct file *file, loff_t pos,
		    u64 total, const void *pre, size_t len);
int p2p_reply_send(struct p2p_conn *conn);
void p2p_reply_end(struct p2p_conn *conn);
int p2p_conn_writable(struct p2p_conn *conn);
/*
 * The record layer (PROTOCOL.md 6.7): the "tls" upper layer goes on before
 * HANDSHAKE2 is sent, so that a server without it refuses in clear; the
 * keys right after HANDSHAKE2, before anything else is read or sent.
 */
int p2p_conn_tls_ulp(struct p2p_conn *conn);
int p2p_conn_tls_start(struct p2p_conn *conn, const struct p2p_noise_keys *keys);
/*
 * The record limit (PROTOCOL.md 6.8): the file bytes one more frame may
 * carry, 0 if none; then p2p_conn_expire() sends the ERROR EKEYEXPIRED that
 * ends the connection and returns -EKEYEXPIRED.
 */
u64 p2p_conn_room(struct p2p_conn *conn);
int p2p_conn_expire(struct p2p_conn *conn);
/*
 * Records a connection may send with one key: P2P_RECORD_LIMIT, lowered
 * only by a test (debugfs "record_limit", P2P_RECORD_LIMIT_MIN and up).
 */
extern unsigned long p2p_record_limit;
#define P2P_RECORD_LIMIT_MIN 16

/* An ERROR EBUSY on a socket that gets no worker; never blocks. */
void p2p_conn_send_busy(struct socket *sock);

/*
 * After the last reply: let it reach the peer, drop what it still sends;
 * -EAGAIN while waiting for the peer, 1 when done.  P2P_DRAIN_JIFFIES and
 * P2P_DRAIN_BYTES bound the wait and what is read.
 */
#define P2P_DRAIN_BYTES		(2 * 1024 * 1024)
#define P2P_DRAIN_JIFFIES	(2 * HZ)

int p2p_conn_drain(struct p2p_conn *conn);

#endif /* P2P_TRANSPORT_H */
