// SPDX-License-Identifier: GPL-2.0
/*
 * The byte stream of a connection: every byte a connection receives or
 * sends, frame headers, bodies and file pages alike, passes through here,
 * and nothing else touches its socket's data.
 */
#include <linux/fs.h>
#include <linux/pipe_fs_i.h>
#include <linux/slab.h>
#include <linux/splice.h>
#include <linux/tcp.h>
#include <linux/tls.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "compat.h"
#include "conn.h"
#include "noise.h"
#include "transport.h"
#include "wire.h"

/*
 * The receive buffer holds what the peer sent and we have not used yet,
 * [rpos, rend): a recvmsg takes all that is there, so pipelined requests
 * cost one call for many.  Resizing keeps those bytes.
 */
static int rbuf_resize(struct p2p_conn *conn, size_t size)
{
	size_t unread = conn->rend - conn->rpos;
	u8 *r;

	if (unread > size)
		return -EINVAL;
	r = kvmalloc(size, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	if (unread)
		memcpy(r, conn->rbuf + conn->rpos, unread);
	kvfree(conn->rbuf);
	conn->rbuf = r;
	conn->rsize = size;
	conn->rpos = 0;
	conn->rend = unread;
	return 0;
}

static int wbuf_resize(struct p2p_conn *conn, size_t size)
{
	u8 *w = kmalloc(size, GFP_KERNEL);

	if (!w)
		return -ENOMEM;
	kfree(conn->wbuf);
	conn->wbuf = w;
	conn->wsize = size;
	return 0;
}

/* Back to the idle size once a large request or an upload is done. */
void p2p_conn_trim(struct p2p_conn *conn)
{
	if (conn->rsize > P2P_REQ_BUF &&
	    conn->rend - conn->rpos <= P2P_REQ_BUF)
		rbuf_resize(conn, P2P_REQ_BUF);	/* if it fails, keep it */
}

int p2p_conn_reserve(struct p2p_conn *conn, size_t size)
{
	return conn->rsize < size ? rbuf_resize(conn, size) : 0;
}

/* The buffers' sizes for the connection's next phase; rbuf keeps its bytes. */
int p2p_conn_bufs(struct p2p_conn *conn, size_t rsize, size_t wsize)
{
	return rbuf_resize(conn, rsize) ?: wbuf_resize(conn, wsize);
}

static void bufs_put(struct p2p_conn *conn)
{
	kvfree(conn->rbuf);
	conn->rbuf = NULL;
	conn->rsize = 0;
	conn->rpos = 0;
	conn->rend = 0;
	kfree(conn->wbuf);
	conn->wbuf = NULL;
	conn->wsize = 0;
}

void p2p_conn_set_timeout(struct p2p_conn *conn, unsigned int secs)
{
	long t = secs ? secs * HZ : MAX_SCHEDULE_TIMEOUT;

	WRITE_ONCE(conn->sock->sk->sk_rcvtimeo, t);
	WRITE_ONCE(conn->sock->sk->sk_sndtimeo, t);
}

/*
 * The handshake has one deadline as a whole, not a timeout per receive:
 * else a peer sending a byte every few seconds would keep its slot, and
 * enough of them all slots, for ever.
 */
static int handshake_wait(struct p2p_conn *conn)
{
	long left = (long)(conn->deadline - jiffies);

	if (conn->authed)
		return 0;
	if (left <= 0)
		return -ETIMEDOUT;
	WRITE_ONCE(conn->sock->sk->sk_rcvtimeo, left);
	WRITE_ONCE(conn->sock->sk->sk_sndtimeo, left);
	return 0;
}

/*
 * What the record layer reports for a record that failed authentication
 * (EBADMSG), one of another type (EIO) or a malformed header (EINVAL,
 * EMSGSIZE): the stream was tampered with, and it ends here, with nothing
 * more sent (PROTOCOL.md 6.7).
 */
static int record_error(struct p2p_conn *conn, int err)
{
	if (err != -EBADMSG && err != -EIO && err != -EINVAL &&
	    err != -EMSGSIZE)
		return err;
	p2p_stat_inc(conn->pn, P2P_STAT_DECRYPT_ERRORS);
	WRITE_ONCE(conn->killed, true);
	return -EBADMSG;
}

/*
 * One receive into the free end of rbuf: at least a byte, or an error;
 * with MSG_DONTWAIT in flags, -EAGAIN if there is none yet.
 */
static int recv_more(struct p2p_conn *conn, int flags)
{
	struct msghdr msg = {};
	struct kvec iov;
	int ret;

	ret = handshake_wait(conn);
	if (ret)
		return ret;
	iov.iov_base = conn->rbuf + conn->rend;
	iov.iov_len = conn->rsize - conn->rend;
	ret = kernel_recvmsg(conn->sock, &msg, &iov, 1, iov.iov_len,
			     MSG_NOSIGNAL | flags);
	if (ret == -EAGAIN)
		return flags & MSG_DONTWAIT ? -EAGAIN : -ETIMEDOUT;
	if (ret < 0)
		return conn->tls ? record_error(conn, ret) : ret;
	if (ret == 0)
		return -ECONNRESET;
	p2p_stat_add(conn->pn, P2P_STAT_BYTES_RECV, ret);
	p2p_conn_count(&conn->bytes_recv, ret);
	conn->rend += ret;
	return 0;
}

/* Room in rbuf for the next NEED bytes of the stream, contiguous. */
static int make_room(struct p2p_conn *conn, size_t need)
{
	size_t unread = conn->rend - conn->rpos;

	if (need > conn->rsize)
		return rbuf_resize(conn, need);
	if (conn->rpos + need > conn->rsize || !unread) {
		memmove(conn->rbuf, conn->rbuf + conn->rpos, unread);
		conn->rpos = 0;
		conn->rend = unread;
	}
	return 0;
}

/*
 * Make the next NEED bytes of the stream contiguous in rbuf; with
 * MSG_DONTWAIT in flags, -EAGAIN once the socket has no more for now.
 */
static int fill_flags(struct p2p_conn *conn, size_t need, int flags)
{
	int ret;

	if (conn->rend - conn->rpos >= need)
		return 0;
	ret = make_room(conn, need);
	while (!ret && conn->rend - conn->rpos < need)
		ret = recv_more(conn, flags);
	return ret;
}

static int fill(struct p2p_conn *conn, size_t need)
{
	return fill_flags(conn, need, 0);
}

/*
 * After authentication, with bytes to read: whether the next frame is
 * whole in rbuf, reading what the socket has without waiting: 0 if so,
 * or if the read that follows ends at once anyway (a header it refuses,
 * PUT_DATA out of place); -EAGAIN while more is to come.  A frame then
 * never waits for its last records with a worker held.
 */
static int frame_whole(struct p2p_conn *conn)
{
	struct p2p_frame f;
	int ret;

	ret = fill_flags(conn, P2P_HDR_LEN, MSG_DONTWAIT);
	if (ret)
		return ret;
	if (p2p_hdr_decode(conn->rbuf + conn->rpos, false, &f) ||
	    f.op == P2P_OP_PUT_DATA)
		return 0;
	return fill_flags(conn, P2P_HDR_LEN + f.len, MSG_DONTWAIT);
}

/*
 * Can the reader go on: need bytes unread in rbuf, or any in the socket?
 * 0, -EAGAIN or an error; never waits.
 */
int p2p_conn_poll_bytes(struct p2p_conn *conn, size_t need)
{
	struct msghdr msg = {};
	struct kvec iov;
	u8 byte;
	int ret;

	if (conn->rend - conn->rpos >= need)
		return 0;
	iov.iov_base = &byte;
	iov.iov_len = sizeof(byte);
	ret = kernel_recvmsg(conn->sock, &msg, &iov, 1, sizeof(byte),
			     MSG_PEEK | MSG_NOSIGNAL | MSG_DONTWAIT);
	if (ret == -EAGAIN)
		return ret;
	if (ret < 0)
		return conn->tls ? record_error(conn, ret) : ret;
	return ret ? 0 : -ECONNRESET;
}

/*
 * Between requests, with nothing unread: a one-byte peek that does not
 * wait, which leaves what it finds (a whole record, decrypted, under kTLS)
 * for the receive that follows.  Only a connection that waits with
 * nothing unread gives its buffers back; one whose next request is there,
 * or its first part, keeps them, and reads what the socket has of it
 * without waiting (frame_whole()).
 */
int p2p_conn_poll(struct p2p_conn *conn)
{
	int ret;

	if (conn->rend != conn->rpos)
		return frame_whole(conn);
	ret = p2p_conn_poll_bytes(conn, 1);
	if (ret == -EAGAIN) {
		bufs_put(conn);
		return ret;
	}
	if (ret)
		return ret;
	if (!conn->rbuf) {
		ret = p2p_conn_bufs(conn, P2P_REQ_BUF, P2P_REPLY_BUF);
		if (ret)
			return ret;
	}
	return frame_whole(conn);
}

/*
 * Before authentication, in cleartext: 0 once the next frame is whole in
 * the socket, so that the read that follows does not wait, or once the
 * read would end at once anyway (an error, the peer's FIN, a header no
 * handshake frame has); -EAGAIN while the frame is not all there.  The
 * peek goes to the free rbuf (P2P_HDR_LEN + P2P_HS_BUF until then).
 */
int p2p_conn_poll_frame(struct p2p_conn *conn)
{
	struct msghdr msg = {};
	struct p2p_frame f;
	struct kvec iov;
	int ret;

	if (conn->rend != conn->rpos || !conn->rbuf)
		return 0;
	conn->rpos = 0;
	conn->rend = 0;
	iov.iov_base = conn->rbuf;
	iov.iov_len = min_t(size_t, conn->rsize, P2P_HDR_LEN + P2P_HS_BUF);
	ret = kernel_recvmsg(conn->sock, &msg, &iov, 1, iov.iov_len,
			     MSG_PEEK | MSG_NOSIGNAL | MSG_DONTWAIT);
	if (ret < 0)
		return ret == -EAGAIN ? ret : 0;
	if (!ret || READ_ONCE(conn->sock->sk->sk_shutdown) & RCV_SHUTDOWN)
		return 0;
	if (ret < P2P_HDR_LEN)
		return -EAGAIN;
	if (p2p_hdr_decode(conn->rbuf, false, &f) || f.len > P2P_HS_BUF)
		return 0;
	return ret < P2P_HDR_LEN + f.len ? -EAGAIN : 0;
}

int p2p_conn_recv_some(struct p2p_conn *conn, size_t max, const u8 **p,
		       int flags)
{
	size_t n;
	int ret;

	ret = fill_flags(conn, 1, flags);
	if (ret)
		return ret;
	n = min(max, conn->rend - conn->rpos);
	*p = conn->rbuf + conn->rpos;
	conn->rpos += n;
	return n;
}

int p2p_conn_recv_hdr(struct p2p_conn *conn, struct p2p_frame *f, int flags)
{
	int ret;

	ret = fill_flags(conn, P2P_HDR_LEN, flags);
	if (ret)
		return ret;
	ret = p2p_hdr_decode(conn->rbuf + conn->rpos, false, f);
	if (ret)
		return ret;
	conn->rpos += P2P_HDR_LEN;
	return 0;
}

/*
 * Receive one frame's header and, for every op but PUT_DATA, its body:
 * conn->body, valid until the next receive.
 */
int p2p_conn_recv_frame(struct p2p_conn *conn, struct p2p_frame *f)
{
	int ret;

	/* A header refused is answered with tag 0 (PROTOCOL.md 3). */
	conn->tag = 0;
	ret = p2p_conn_recv_hdr(conn, f, 0);
	if (ret)
		return ret;
	conn->tag = f->tag;
	if (f->op == P2P_OP_PUT_DATA)
		return 0;
	if (!conn->authed && f->len > P2P_HS_BUF)
		return -EMSGSIZE;
	ret = fill(conn, f->len);
	if (ret)
		return ret;
	conn->body = conn->rbuf + conn->rpos;
	conn->rpos += f->len;
	return 0;
}

static int send_kvec(struct socket *sock, struct kvec *vec, int n,
		     size_t total, int flags)
{
	struct msghdr msg = { .msg_flags = flags | MSG_NOSIGNAL };
	int ret;

	ret = kernel_sendmsg(sock, &msg, vec, n, total);
	if (ret == -EAGAIN || (ret >= 0 && ret != total))
		return -ETIMEDOUT;
	return ret < 0 ? ret : 0;
}

/*
 * n bytes went out in one call: the namespace's counter and the
 * connection's, and the records they may have taken.  A call fills open
 * records and closes at most one short one (its last, unless MSG_MORE), so
 * it takes no more than 1 + n / 2^14 records.
 */
static void count_sent(struct p2p_conn *conn, u64 n)
{
	p2p_stat_add(conn->pn, P2P_STAT_BYTES_SENT, n);
	p2p_conn_count(&conn->bytes_sent, n);
	if (conn->tls)
		conn->tx_records += 1 + n / P2P_TLS_MAX_PLAINTEXT;
}

/*
 * Small replies (every frame but READ_DATA's file bytes) never wait for
 * room: what the socket does not take at once waits in conn->out, and the
 * connection sends it (p2p_conn_flush()) before it reads or sends anything
 * else, parking meanwhile like a READ reply.  A request has one reply, and
 * at most an ERROR after it: P2P_OUT_MAX bounds what one connection keeps.
 */
#define P2P_OUT_MAX (2 * (P2P_HDR_LEN + P2P_MAX_BODY))

/* The bytes of vec[0..n) past the first skip, after those pending. */
static int out_keep(struct p2p_conn *conn, const struct kvec *vec, int n,
		    size_t total, size_t skip)
{
	size_t old = conn->out_len - conn->out_off, len = old + total - skip;
	size_t seg;
	u8 *buf, *p;
	int i;

	if (len > P2P_OUT_MAX)
		return -ENOBUFS;
	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (old)
		memcpy(buf, conn->out + conn->out_off, old);
	p = buf + old;
	for (i = 0; i < n; i++) {
		seg = vec[i].iov_len;
		if (skip >= seg) {
			skip -= seg;
			continue;
		}
		memcpy(p, vec[i].iov_base + skip, seg - skip);
		p += seg - skip;
		skip = 0;
	}
	kvfree(conn->out);
	conn->out = buf;
	conn->out_off = 0;
	conn->out_len = len;
	return 0;
}

static void out_put(struct p2p_conn *conn)
{
	kvfree(conn->out);
	conn->out = NULL;
	conn->out_off = 0;
	conn->out_len = 0;
}

static int send_counted(struct p2p_conn *conn, struct kvec *vec, int n,
			size_t total, int msg_flags)
{
	struct msghdr msg = {
		.msg_flags = msg_flags | MSG_DONTWAIT | MSG_NOSIGNAL,
	};
	int ret;

	if (conn->out)		/* behind what waits, in order */
		return out_keep(conn, vec, n, total, 0);
	ret = kernel_sendmsg(conn->sock, &msg, vec, n, total);
	if (ret == -EAGAIN)
		ret = 0;
	if (ret < 0)
		return ret;
	if (ret)
		count_sent(conn, ret);
	return ret < total ? out_keep(conn, vec, n, total, ret) : 0;
}

int p2p_conn_flush(struct p2p_conn *conn)
{
	struct kvec vec;
	struct msghdr msg = {
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
	};
	int ret;

	if (!conn->out)
		return 0;
	vec.iov_base = conn->out + conn->out_off;
	vec.iov_len = conn->out_len - conn->out_off;
	ret = kernel_sendmsg(conn->sock, &msg, &vec, 1, vec.iov_len);
	if (ret < 0)
		return ret;
	count_sent(conn, ret);
	conn->out_off += ret;
	if (conn->out_off < conn->out_len)
		return -EAGAIN;
	out_put(conn);
	return 0;
}

void p2p_conn_out_drop(struct p2p_conn *conn)
{
	out_put(conn);
}

int p2p_conn_send(struct p2p_conn *conn, u8 op, u8 flags, const void *body,
		  size_t len, int msg_flags)
{
	struct p2p_frame f = {
		.len = len, .op = op, .flags = flags, .tag = conn->tag,
	};
	u8 hdr[P2P_HDR_LEN];
	struct kvec vec[2] = {
		{ .iov_base = hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)body, .iov_len = len },
	};

	p2p_hdr_encode(hdr, &f);
	return send_counted(conn, vec, len ? 2 : 1, sizeof(hdr) + len,
			    msg_flags);
}

int p2p_conn_send_error(struct p2p_conn *conn, int err, const char *msg)
{
	int len;

	len = p2p_enc_error_code(conn->wbuf, conn->wsize, err, msg);
	if (len < 0)
		return len;
	p2p_stat_inc(conn->pn, P2P_STAT_ERRORS);
	return p2p_conn_send(conn, P2P_OP_ERROR, 0, conn->wbuf, len, 0);
}

/* PROTOCOL.md 6.8: below P2P_RECORD_LIMIT; debugfs lowers it to test the limit. */
unsigned long p2p_record_limit = P2P_RECORD_LIMIT;

/* The final ERROR EKEYEXPIRED's records, kept back from every reply. */
#define P2P_RECORD_RESERVE 3

/*
 * A frame of d file bytes takes a header call and at most d / 64 KiB + 1
 * page batches (count_sent()): 3 + d / 2^14 + d / 2^16 records, so k
 * records beyond 3 carry k * 2^14 * 4 / 5 bytes.
 */
u64 p2p_conn_room(struct p2p_conn *conn)
{
	unsigned long limit = READ_ONCE(p2p_record_limit);
	u64 left;

	if (!conn->tls)
		return P2P_MAX_DATA_CHUNK;
	if (conn->tx_records + P2P_RECORD_RESERVE + 3 >= limit)
		return 0;
	left = limit - conn->tx_records - P2P_RECORD_RESERVE - 3;
	return min_t(u64, P2P_MAX_DATA_CHUNK,
		     left * (P2P_TLS_MAX_PLAINTEXT / 5 * 4));
}

int p2p_conn_expire(struct p2p_conn *conn)
{
	p2p_stat_inc(conn->pn, P2P_STAT_RECORD_LIMIT);
	p2p_conn_send_error(conn, EKEYEXPIRED,
			    "record limit reached, reconnect");
	return -EKEYEXPIRED;
}

/* kTLS takes a TLS 1.3 record state per direction; PROTOCOL.md 6.6. */
union tls_info {
	struct tls_crypto_info base;
	struct tls12_crypto_info_aes_gcm_128 gcm;
	struct tls12_crypto_info_chacha20_poly1305 chacha;
};

static int tls_info(union tls_info *ti, u16 cipher,
		    const struct p2p_tls_keys *k)
{
	memset(ti, 0, sizeof(*ti));
	ti->base.version = TLS_1_3_VERSION;
	switch (cipher) {
	case P2P_CIPHER_AES_128_GCM:
		ti->base.cipher_type = TLS_CIPHER_AES_GCM_128;
		memcpy(ti->gcm.salt, k->iv, TLS_CIPHER_AES_GCM_128_SALT_SIZE);
		memcpy(ti->gcm.iv, k->iv + TLS_CIPHER_AES_GCM_128_SALT_SIZE,
		       TLS_CIPHER_AES_GCM_128_IV_SIZE);
		memcpy(ti->gcm.key, k->key, TLS_CIPHER_AES_GCM_128_KEY_SIZE);
		return sizeof(ti->gcm);
	case P2P_CIPHER_CHACHA20_POLY1305:
		ti->base.cipher_type = TLS_CIPHER_CHACHA20_POLY1305;
		memcpy(ti->chacha.iv, k->iv, TLS_CIPHER_CHACHA20_POLY1305_IV_SIZE);
		memcpy(ti->chacha.key, k->key,
		       TLS_CIPHER_CHACHA20_POLY1305_KEY_SIZE);
		return sizeof(ti->chacha);
	}
	return -EINVAL;
}

static int set_tls(struct socket *sock, int dir, u16 cipher,
		   const struct p2p_tls_keys *k)
{
	union tls_info ti;
	int len, ret;

	len = tls_info(&ti, cipher, k);
	if (len < 0)
		return len;
	ret = sock->ops->setsockopt(sock, SOL_TLS, dir, KERNEL_SOCKPTR(&ti),
				    len);
	memzero_explicit(&ti, sizeof(ti));
	return ret;
}

/* Loads the tls module if need be: our worker holds CAP_NET_ADMIN. */
int p2p_conn_tls_ulp(struct p2p_conn *conn)
{
	static char ulp[] = "tls";	/* KERNEL_SOCKPTR() takes no const */
	struct socket *sock = conn->sock;

	return sock->ops->setsockopt(sock, SOL_TCP, TCP_ULP,
				     KERNEL_SOCKPTR(ulp), sizeof(ulp) - 1);
}

int p2p_conn_tls_start(struct p2p_conn *conn, const struct p2p_noise_keys *keys)
{
	int ret;

	ret = set_tls(conn->sock, TLS_TX, keys->cipher, &keys->tx);
	if (!ret)
		ret = set_tls(conn->sock, TLS_RX, keys->cipher, &keys->rx);
	if (ret)
		return ret;
	conn->tls = true;
	WRITE_ONCE(conn->cipher, keys->cipher);
	return 0;
}

void p2p_conn_send_busy(struct socket *sock)
{
	static const char msg[] = "server busy";
	struct p2p_error e = {
		.code = EBUSY, .msg = { .s = msg, .len = sizeof(msg) - 1 },
	};
	struct p2p_frame f = { .op = P2P_OP_ERROR };
	u8 buf[P2P_HDR_LEN + 32];
	struct kvec vec;
	int len;

	len = p2p_enc_error(buf + P2P_HDR_LEN, sizeof(buf) - P2P_HDR_LEN, &e);
	if (len < 0)
		return;
	f.len = len;
	p2p_hdr_encode(buf, &f);
	vec.iov_base = buf;
	vec.iov_len = P2P_HDR_LEN + len;
	send_kvec(sock, &vec, 1, vec.iov_len, MSG_DONTWAIT);
}

/*
 * File pages: the read side puts page-cache pages in a pipe (its 16
 * buffers), and they go to the socket as they are, never copied, in one
 * pass through the socket layer per batch, as sendfile(2) does: a pass and
 * a push per page cost the module 1.3 to 3 times sendfile's instructions
 * per GiB (docs/BENCHMARKS.md).  compat.h's p2p_send_pages() does the pass.
 */
struct splice_out {
	struct p2p_conn *conn;
	size_t left;			/* of the range */
	int msg_flags;
};

/* The buffers at the pipe's tail, at most max: their bytes, or an error. */
static ssize_t pipe_batch(struct pipe_inode_info *pipe, struct bio_vec *bv,
			  unsigned int max, unsigned int *n)
{
	unsigned int mask = pipe->ring_size - 1, tail;
	struct pipe_buffer *buf;
	ssize_t len = 0;
	int ret;

	*n = 0;
	for (tail = pipe->tail; tail != pipe->head && *n < max; tail++) {
		buf = &pipe->bufs[tail & mask];
		if (!buf->len)
			continue;
		ret = pipe_buf_confirm(pipe, buf);
		if (ret)
			return ret;
		bv[*n].bv_page = buf->page;
		bv[*n].bv_offset = buf->offset;
		bv[*n].bv_len = buf->len;
		(*n)++;
		len += buf->len;
	}
	return len;
}

/* Drop the n bytes the socket took from the pipe, and empty buffers. */
static void pipe_consume(struct pipe_inode_info *pipe, size_t n)
{
	unsigned int mask = pipe->ring_size - 1;
	struct pipe_buffer *buf;
	size_t seg;

	while (!pipe_empty(pipe->head, pipe->tail)) {
		buf = &pipe->bufs[pipe->tail & mask];
		seg = min_t(size_t, n, buf->len);
		buf->offset += seg;
		buf->len -= seg;
		n -= seg;
		if (buf->len)
			break;
		pipe_buf_release(pipe, buf);
		pipe->tail++;
	}
}

static int direct_actor(struct pipe_inode_info *pipe, struct splice_desc *sd)
{
	struct splice_out *out = sd->u.data;
	struct bio_vec bv[PIPE_DEF_BUFFERS];
	int flags, sent = 0, ret;
	unsigned int n;
	ssize_t len;

	while (!pipe_empty(pipe->head, pipe->tail)) {
		len = pipe_batch(pipe, bv, ARRAY_SIZE(bv), &n);
		if (len < 0)
			return sent ?: len;
		flags = out->msg_flags | MSG_NOSIGNAL |
			(out->left > len ? MSG_MORE : 0);
		ret = len ? p2p_send_pages(out->conn->sock, bv, n, len, flags) : 0;
		if (ret < 0)
			return sent ?: ret;
		pipe_consume(pipe, ret);
		sent += ret;
		out->left -= ret;
		p2p_stat_add(out->conn->pn, P2P_STAT_BYTES_SENT_ZEROCOPY, ret);
		count_sent(out->conn, ret);
		if (ret < len)
			break;		/* the socket is full: the range ends short */
	}
	return sent;
}

/*
 * Up to len bytes of the file at pos: how many the socket took, -EAGAIN if
 * none (MSG_DONTWAIT and a full socket), -EIO if the file ended before
 * (it shrank under us: the range cannot be sent whole).
 */
static ssize_t send_file(struct p2p_conn *conn, struct file *file, loff_t pos,
			 size_t len, int msg_flags)
{
	struct splice_out out = {
		.conn = conn, .left = len, .msg_flags = msg_flags,
	};
	struct splice_desc sd = {
		.total_len = len,
		.pos = pos,
		.u.data = &out,
	};
	ssize_t ret;

	ret = splice_direct_to_actor(file, &sd, direct_actor);
	return ret ?: -EIO;
}

/*
 * A READ reply goes out as the socket takes it, never waiting for room
 * (MSG_DONTWAIT): its headers from reply.hdr, then file pages, frame after
 * frame.  When the socket is full the worker returns and the connection
 * parks until sk_write_space says there is room again (park.c), so that a
 * peer reading slowly holds no worker.  A run sends at most
 * P2P_SEND_BUDGET file bytes, then gives its worker to others.
 */
#define P2P_SEND_BUDGET (1024 * 1024)

/* The next READ_DATA frame's header after the pending ones; false at the record limit. */
static bool next_frame(struct p2p_conn *conn, struct p2p_reply *r)
{
	struct p2p_frame f = { .op = P2P_OP_READ_DATA, .tag = conn->tag };
	u64 chunk = min_t(u64, r->left, p2p_conn_room(conn));

	/* Frames shrink near the record limit, and end at it. */
	if (!chunk && r->left)
		return false;
	if (r->hoff == r->hlen)
		r->hoff = r->hlen = 0;
	f.len = chunk;
	f.flags = r->left > chunk ? P2P_F_MORE : 0;
	p2p_hdr_encode(r->hdr + r->hlen, &f);
	r->hlen += P2P_HDR_LEN;
	r->frame_left = chunk;
	return true;
}

/*
 * A reply of total bytes of the file from pos, after the pre bytes (the
 * READ_REPLY frame): the first READ_DATA header joins them, so that a
 * small file takes two passes through the socket, the least splicing
 * allows.  p2p_reply_send() sends it.
 */
int p2p_reply_start(struct p2p_conn *conn, struct file *file, loff_t pos,
		    u64 total, const void *pre, size_t len)
{
	struct p2p_reply *r = &conn->reply;

	if (len > sizeof(r->hdr) - P2P_HDR_LEN)
		return -EINVAL;
	memcpy(r->hdr, pre, len);
	r->hoff = 0;
	r->hlen = len;
	r->pos = pos;
	r->left = total;
	r->frame_left = 0;
	r->file = get_file(file);
	next_frame(conn, r);	/* none at the limit: READ_REPLY, then the ERROR */
	return 0;
}

/* The pending header bytes, in one call: -EAGAIN if the socket took less. */
static int reply_hdrs(struct p2p_conn *conn, struct p2p_reply *r)
{
	struct kvec vec = {
		.iov_base = r->hdr + r->hoff, .iov_len = r->hlen - r->hoff,
	};
	struct msghdr msg = {
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL |
			     (r->frame_left ? MSG_MORE : 0),
	};
	int ret;

	ret = kernel_sendmsg(conn->sock, &msg, &vec, 1, vec.iov_len);
	if (ret < 0)
		return ret;
	count_sent(conn, ret);
	r->hoff += ret;
	return r->hoff < r->hlen ? -EAGAIN : 0;
}

/* The current frame's file bytes, at most *budget of them. */
static int reply_file(struct p2p_conn *conn, struct p2p_reply *r,
		      size_t *budget)
{
	size_t n = min_t(u64, r->frame_left, *budget);
	ssize_t ret;

	ret = send_file(conn, r->file, r->pos, n,
			MSG_DONTWAIT | (r->left > n ? MSG_MORE : 0));
	if (ret < 0)
		return ret;
	r->pos += ret;
	r->left -= ret;
	r->frame_left -= ret;
	*budget -= ret;
	return ret < n ? -EAGAIN : 0;
}

/*
 * Sends what the socket takes of the pending reply: 0 once it is all out
 * (the reply ends), -EAGAIN when the socket is full, P2P_YIELD when this
 * run's budget is spent, or an error that ends the connection (the record
 * limit's after its ERROR frame).
 */
int p2p_reply_send(struct p2p_conn *conn)
{
	struct p2p_reply *r = &conn->reply;
	size_t budget = P2P_SEND_BUDGET;
	int ret;

	for (;;) {
		if (r->hoff < r->hlen) {
			ret = reply_hdrs(conn, r);
			if (ret)
				return ret;
		}
		if (!r->frame_left && !r->left) {
			p2p_reply_end(conn);
			return 0;
		}
		if (!budget)
			return P2P_YIELD;
		if (r->frame_left)
			ret = reply_file(conn, r, &budget);
		else
			ret = next_frame(conn, r) ? 0 : p2p_conn_expire(conn);
		if (ret)
			return ret;
	}
}

void p2p_reply_end(struct p2p_conn *conn)
{
	if (!conn->reply.file)
		return;
	__fput_sync(conn->reply.file);
	conn->reply.file = NULL;
}

/*
 * Whether a send can make progress now: 0 if the socket has room (or an
 * error or a shutdown the send will report), else -EAGAIN.
 */
int p2p_conn_writable(struct p2p_conn *conn)
{
	struct sock *sk = conn->sock->sk;

	if (READ_ONCE(sk->sk_err) ||
	    READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN)
		return 0;
	return sk_stream_is_writeable(sk) ? 0 : -EAGAIN;
}

/*
 * Let what we sent (an ERROR, the end of a reply) reach the peer and give
 * it a moment to close its side: once conn->out is empty, our side is shut
 * and up to P2P_DRAIN_BYTES of what the peer still sends (an upload we
 * refused) are read and dropped, for P2P_DRAIN_JIFFIES at most, so that
 * our close does not reset the connection before the peer reads the
 * ERROR; at the cap, the server may cut it short (room_for_one()).
 * p2p_conn_free() then aborts, so that no socket of ours lingers in TCP
 * after the namespace or the module is gone.  Never waits: -EAGAIN while
 * the peer has sent nothing more (the connection parks), 1 when done.
 */
int p2p_conn_drain(struct p2p_conn *conn)
{
	struct msghdr msg = {};
	struct kvec iov;
	u8 small[64];
	int ret;

	if (READ_ONCE(conn->killed))
		return 1;
	if (!conn->drain_end) {
		if (kernel_sock_shutdown(conn->sock, SHUT_WR))
			return 1;
		conn->drain_end = jiffies + P2P_DRAIN_JIFFIES ?: 1;
	}
	while (conn->drained < P2P_DRAIN_BYTES) {
		/* A connection that parked with nothing unread has no rbuf. */
		iov.iov_base = conn->rbuf ?: small;
		iov.iov_len = conn->rbuf ? conn->rsize : sizeof(small);
		ret = kernel_recvmsg(conn->sock, &msg, &iov, 1, iov.iov_len,
				     MSG_DONTWAIT | MSG_NOSIGNAL);
		if (ret == -EAGAIN)
			return ret;
		if (ret <= 0)
			return 1;
		conn->drained += ret;
	}
	return 1;
}
