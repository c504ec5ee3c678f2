// SPDX-License-Identifier: GPL-2.0
/*
 * One peer connection's bytes: frames in and out, error frames, timeouts
 * and the lingering close. After the handshake the socket carries kTLS
 * records (the lib installs them); this file counts the records sent
 * against the limit and those that failed authentication. session.c
 * drives it, ops.c answers through it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include <sodium.h>

#include "ktls.h"
#include "p2pd.h"

#define LINGER_S	1		/* at most, draining before the close */
#define LINGER_MAX	(4 << 20)	/* bytes drained at most */

static atomic_ulong decrypt_errors;

/*
 * A record failed authentication (or was no data record): the connection
 * was tampered with. The caller closes it and sends nothing more; an
 * upload in flight is dropped (ops.c).
 */
static int record_failed(struct pd_conn *c, int ret)
{
	const struct sockaddr_in6 *sin6 = (const void *)&c->peer;
	const struct sockaddr_in *sin = (const void *)&c->peer;
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned long n;

	if (ret != -EBADE)
		return ret;
	n = atomic_fetch_add(&decrypt_errors, 1) + 1;
	if (c->peer.ss_family == AF_INET)
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
	else if (c->peer.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
	fprintf(stderr, "p2pd: %s: a record failed authentication, connection closed (decrypt errors: %lu)\n",
		a, n);
	return ret;
}

int pd_conn_recv(struct pd_conn *c, void *buf, size_t len)
{
	int ret = p2p_read_full(c->fd, buf, len);

	return record_failed(c, ret == -ESHUTDOWN ? -ECONNRESET : ret);
}

int pd_conn_count(struct pd_conn *c, size_t len)
{
	uint64_t more = p2p_records_of(len);

	if (c->tx_records + more > c->cfg->record_limit)
		return -EKEYEXPIRED;
	c->tx_records += more;
	return 0;
}

int pd_conn_sendv(struct pd_conn *c, struct iovec *iov, int cnt,
		  int msg_flags)
{
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = cnt };
	ssize_t n;

	while (mh.msg_iovlen) {
		size_t left = 0;
		size_t i;

		for (i = 0; i < mh.msg_iovlen; i++)
			left += mh.msg_iov[i].iov_len;
		if (pd_conn_count(c, left))
			return -EKEYEXPIRED;
		n = sendmsg(c->fd, &mh, msg_flags | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		while (mh.msg_iovlen && (size_t)n >= mh.msg_iov->iov_len) {
			n -= mh.msg_iov->iov_len;
			mh.msg_iov++;
			mh.msg_iovlen--;
		}
		if (mh.msg_iovlen) {
			mh.msg_iov->iov_base = (char *)mh.msg_iov->iov_base + n;
			mh.msg_iov->iov_len -= n;
		}
	}
	return 0;
}

static int send_frame(struct pd_conn *c, uint8_t op, uint8_t flags,
		      const void *body, size_t len, int msg_flags)
{
	struct p2p_frame f = {
		.len = len, .op = op, .flags = flags, .tag = c->tag,
	};
	uint8_t hdr[P2P_HDR_LEN];
	struct iovec iov[2] = {
		{ hdr, sizeof(hdr) },
		{ (void *)body, len },
	};

	p2p_hdr_encode(hdr, &f);
	return pd_conn_sendv(c, iov, len ? 2 : 1, msg_flags);
}

/* EKEYEXPIRED is no code of p2p_wire_errno's table: encoded here. */
static void send_expired(struct pd_conn *c)
{
	static const char msg[] = "record limit reached, reconnect";
	struct p2p_error e = { EKEYEXPIRED, { msg, sizeof(msg) - 1 } };
	uint8_t buf[64];
	int len;

	len = p2p_enc_error(buf, sizeof(buf), &e);
	if (len > 0)
		send_frame(c, P2P_OP_ERROR, 0, buf, len, 0);
}

/* One record stays free for the ERROR that ends the connection. */
int pd_conn_reserve(struct pd_conn *c, uint64_t records)
{
	if (c->tx_records + records + 1 <= c->cfg->record_limit)
		return 0;
	send_expired(c);
	return -EKEYEXPIRED;
}

int pd_conn_send(struct pd_conn *c, uint8_t op, uint8_t flags,
		 const void *body, size_t len, int msg_flags)
{
	int ret = pd_conn_reserve(c, p2p_records_of(P2P_HDR_LEN + len));

	return ret ? ret : send_frame(c, op, flags, body, len, msg_flags);
}

int pd_conn_send_error(struct pd_conn *c, int err, const char *msg)
{
	int len;

	len = p2p_enc_error_code(c->wbuf, PD_BUF_LEN, err, msg);
	if (len < 0)
		return len;
	return pd_conn_send(c, P2P_OP_ERROR, 0, c->wbuf, len, 0);
}

void pd_conn_set_timeout(struct pd_conn *c, unsigned int secs)
{
	struct timeval tv = { .tv_sec = secs };

	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Header, then the body of every op but PUT_DATA (ops.c reads that). */
int pd_conn_recv_frame(struct pd_conn *c, struct p2p_frame *f)
{
	uint8_t hdr[P2P_HDR_LEN];
	int ret;

	ret = p2p_read_full(c->fd, hdr, sizeof(hdr));
	if (ret)
		return record_failed(c, ret);
	c->tag = 0;	/* a header that cannot be parsed belongs to no request */
	ret = p2p_hdr_decode(hdr, false, f);
	if (ret)
		return ret;
	c->tag = f->tag;
	if (f->op == P2P_OP_PUT_DATA)
		return 0;
	return pd_conn_recv(c, c->rbuf, f->len);
}

/*
 * A lingering close, as nginx makes one: FIN after what was sent, then what
 * the peer still sends is read and dropped for a moment. A close with unread
 * bytes (the body after a refused header, an upload's next frame) sends a
 * reset at once, and the peer's stack may then drop the ERROR frame that
 * tells why before the peer reads it.
 */
static void close_gently(int fd)
{
	struct timeval tv = { .tv_sec = LINGER_S };
	char buf[4096];
	size_t total = 0;
	ssize_t n;

	shutdown(fd, SHUT_WR);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (total < LINGER_MAX && (n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
}

void pd_conn_free(struct pd_conn *c)
{
	close_gently(c->fd);
	p2p_session_wipe(&c->sess);
	free(c->rbuf);
	free(c->wbuf);
	free(c->iobuf);
	free(c);
}
