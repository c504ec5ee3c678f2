// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * p2pshare frames over a blocking socket, the handshake for client and
 * server, and the client's requests. docs/PROTOCOL.md is the contract.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/tls.h>

#include <sodium.h>

#include "ktls.h"
#include "proto.h"

/* Every reply but READ_DATA and list replies fits, ERROR included. */
#define SMALL_REPLY	(P2P_ERRMSG_MAX + 64)
#define HELLO_MAX	(2 + 2 + 1 + P2P_NAME_MAX)

static int io_err(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
}

/*
 * kTLS fails a read with EBADMSG for a record that does not authenticate
 * (or is shorter than its tag), EIO for one of another content type (an
 * alert, a handshake message), EINVAL for a header with another version
 * and EMSGSIZE for a length past 2^14 + 256: each means the connection
 * was tampered with (PROTOCOL.md 6.7). A read of a plain socket fails
 * with none of them.
 */
static int read_err(void)
{
	if (errno == EBADMSG || errno == EIO || errno == EINVAL ||
	    errno == EMSGSIZE)
		return -EBADE;
	return io_err();
}

/* Byte I/O */

int p2p_read_full(int fd, void *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = read(fd, (char *)buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return read_err();
		if (n == 0)
			return off ? -ECONNRESET : -ESHUTDOWN;
		off += n;
	}
	return 0;
}

static ssize_t send_iov(int fd, struct iovec *iov, int cnt)
{
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = cnt };
	ssize_t n;

	n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	if (n < 0 && errno == ENOTSOCK)
		n = writev(fd, iov, cnt);
	return n;
}

static size_t iov_len(const struct iovec *iov, int cnt)
{
	size_t len = 0;

	while (cnt--)
		len += iov++->iov_len;
	return len;
}

/*
 * records, when not NULL, counts an upper bound of the records the writes
 * make; a write that could pass the record limit is not made.
 */
static int write_iov(int fd, struct iovec *iov, int cnt, uint64_t *records)
{
	uint64_t more;
	ssize_t n;

	while (cnt) {
		if (records) {
			more = p2p_records_of(iov_len(iov, cnt));
			if (*records + more > p2p_record_limit())
				return -EKEYEXPIRED;
			*records += more;
		}
		n = send_iov(fd, iov, cnt);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return io_err();
		while (cnt && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

int p2p_write_full(int fd, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };

	return write_iov(fd, &iov, 1, NULL);
}

/* Frames */

static int send_frame(int fd, uint8_t op, uint8_t flags, uint32_t tag,
		      const void *body, uint32_t len, uint64_t *records)
{
	struct p2p_frame f = { .len = len, .op = op, .flags = flags,
			       .tag = tag };
	uint8_t hdr[P2P_HDR_LEN];
	struct iovec iov[2] = {
		{ hdr, sizeof(hdr) },
		{ (void *)body, len },
	};

	if (len > p2p_max_body(op))
		return -EMSGSIZE;
	p2p_hdr_encode(hdr, &f);
	return write_iov(fd, iov, len ? 2 : 1, records);
}

int p2p_send_frame(int fd, uint8_t op, uint8_t flags, uint32_t tag,
		   const void *body, uint32_t len)
{
	return send_frame(fd, op, flags, tag, body, len, NULL);
}

/* A frame of the session: its records count against the limit. */
static int sess_send(struct p2p_session *sess, uint8_t op, uint8_t flags,
		     uint32_t tag, const void *body, uint32_t len)
{
	return send_frame(sess->fd, op, flags, tag, body, len,
			  &sess->tx_records);
}

int p2p_send_error(int fd, uint32_t tag, int code, const char *msg)
{
	struct p2p_error e = { code, { msg, strlen(msg) } };
	uint8_t buf[SMALL_REPLY];
	int len;

	len = p2p_enc_error(buf, sizeof(buf), &e);
	if (len < 0)
		return len;
	return p2p_send_frame(fd, P2P_OP_ERROR, 0, tag, buf, len);
}

int p2p_recv_hdr(int fd, bool from_server, struct p2p_frame *f)
{
	uint8_t hdr[P2P_HDR_LEN];
	int ret;

	ret = p2p_read_full(fd, hdr, sizeof(hdr));
	if (ret)
		return ret;
	return p2p_hdr_decode(hdr, from_server, f);
}

static int recv_body(int fd, void *buf, uint32_t len)
{
	int ret = p2p_read_full(fd, buf, len);

	return ret == -ESHUTDOWN ? -ECONNRESET : ret;
}

int p2p_skip_body(int fd, uint32_t len)
{
	uint8_t buf[4096];
	uint32_t n;
	int ret;

	for (; len; len -= n) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		ret = recv_body(fd, buf, n);
		if (ret)
			return ret;
	}
	return 0;
}

/* The body is left unread on -EMSGSIZE: the connection is unusable. */
int p2p_recv_frame(int fd, bool from_server, struct p2p_frame *f,
		   void *buf, size_t cap)
{
	int ret;

	ret = p2p_recv_hdr(fd, from_server, f);
	if (ret)
		return ret;
	if (f->len > cap)
		return -EMSGSIZE;
	return recv_body(fd, buf, f->len);
}

/* Client side */

uint32_t p2p_next_tag(struct p2p_session *sess)
{
	if (!++sess->tag)
		sess->tag = 1;
	return sess->tag;
}

static void keep_error(struct p2p_session *sess, const struct p2p_error *e)
{
	size_t i;

	sess->err.code = e->code;
	for (i = 0; i < e->msg.len; i++) {
		unsigned char c = e->msg.s[i];

		sess->err.msg[i] = c < 0x20 || c == 0x7f ? '?' : c;
	}
	sess->err.msg[i] = '\0';
}

static int take_error(struct p2p_session *sess, const void *body,
		      uint32_t len)
{
	struct p2p_error e;

	if (p2p_dec_error(body, len, &e))
		return -EPROTO;
	keep_error(sess, &e);
	return -EREMOTEIO;
}

/*
 * One reply to tag: want_op, or ERROR (-EREMOTEIO). Tag 0 carries errors
 * that concern the connection, such as EBUSY before HELLO.
 */
static int recv_reply(struct p2p_session *sess, uint32_t tag,
		      uint8_t want_op, void *buf, size_t cap, size_t *len)
{
	struct p2p_frame f;
	int ret;

	ret = p2p_recv_hdr(sess->fd, true, &f);
	if (ret)
		return ret == -EMSGSIZE ? -EPROTO : ret;
	if (f.tag != tag && !(f.op == P2P_OP_ERROR && !f.tag))
		return -EPROTO;
	if (f.op != want_op && f.op != P2P_OP_ERROR)
		return -EPROTO;
	if (f.len > cap)
		return f.op == P2P_OP_ERROR ? -EPROTO : -EMSGSIZE;
	ret = recv_body(sess->fd, buf, f.len);
	if (ret)
		return ret;
	if (f.op == P2P_OP_ERROR)
		return take_error(sess, buf, f.len);
	*len = f.len;
	return 0;
}

int p2p_call(struct p2p_session *sess, uint8_t op, const void *req,
	     size_t req_len, uint8_t reply_op, void *buf, size_t cap,
	     size_t *reply_len)
{
	uint32_t tag = p2p_next_tag(sess);
	int ret;

	if (sess->xfer_active)
		return -EBUSY;
	sess->err.code = 0;
	sess->err.msg[0] = '\0';
	ret = sess_send(sess, op, 0, tag, req, req_len);
	if (!ret)
		ret = recv_reply(sess, tag, reply_op, buf, cap, reply_len);
	return ret;
}

static int send_hello(struct p2p_session *sess, const struct p2p_hello *h)
{
	uint8_t buf[HELLO_MAX];
	int len;

	len = p2p_enc_hello(buf, sizeof(buf), h);
	if (len < 0)
		return len;
	return p2p_send_frame(sess->fd, P2P_OP_HELLO, 0, p2p_next_tag(sess),
			      buf, len);
}

static int recv_hello_reply(struct p2p_session *sess,
			    struct p2p_hello_reply *hr)
{
	uint8_t buf[SMALL_REPLY];
	size_t len;
	int ret;

	ret = recv_reply(sess, sess->tag, P2P_OP_HELLO_REPLY, buf,
			 sizeof(buf), &len);
	if (ret)
		return ret;
	if (p2p_dec_hello_reply(buf, len, hr))
		return -EPROTO;
	if (hr->version < P2P_VERSION_MIN || hr->version > P2P_VERSION_MAX)
		return -EPROTO;
	return 0;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

/* Exactly one bit, and one that was offered and that we can install. */
static bool choice_valid(uint16_t choice, uint16_t offer)
{
	return choice && !(choice & (choice - 1)) && (choice & offer) &&
	       (choice & P2P_CIPHERS_ALL);
}

/*
 * HANDSHAKE1 out, HANDSHAKE2 in (its 50 bytes and nothing after them: the
 * records start there), then Split().
 */
static int client_noise(struct p2p_session *sess, struct noise_handshake *hs)
{
	uint16_t offer = sess->offer ? sess->offer : P2P_CIPHERS_ALL;
	uint8_t buf[SMALL_REPLY], pay[P2P_HS_PAYLOAD_LEN];
	size_t len, plen;
	int ret;

	put_be16(pay, offer);
	ret = noise_write_message(hs, pay, sizeof(pay), buf, sizeof(buf),
				  &len);
	if (!ret)
		ret = p2p_send_frame(sess->fd, P2P_OP_HANDSHAKE1, 0,
				     p2p_next_tag(sess), buf, len);
	if (!ret)
		ret = recv_reply(sess, sess->tag, P2P_OP_HANDSHAKE2, buf,
				 sizeof(buf), &len);
	if (ret == -EREMOTEIO && sess->err.code == EACCES)
		return -EACCES;
	if (ret)
		return ret;
	if (len != P2P_HANDSHAKE2_LEN)
		return -EPROTO;
	ret = noise_read_message(hs, buf, len, pay, sizeof(pay), &plen);
	if (ret)
		return -EBADMSG;
	if (plen != P2P_HS_PAYLOAD_LEN || !choice_valid(get_be16(pay), offer))
		return -EPROTO;
	sess->cipher = get_be16(pay);
	return noise_handshake_split(hs, &sess->noise);
}

/* The Split() keys served their purpose once they are in the kernel. */
static void forget_keys(struct p2p_session *sess)
{
	sodium_memzero(&sess->noise.tx, sizeof(sess->noise.tx));
	sodium_memzero(&sess->noise.rx, sizeof(sess->noise.rx));
}

/* Records on fd with the session's keys, unless a test asked for none. */
static int start_records(struct p2p_session *sess)
{
	int ret;

	if (sess->no_records)
		return 0;
	ret = p2p_ktls_start(sess->fd, sess->cipher, &sess->noise);
	forget_keys(sess);
	return ret;
}

static int client_hello(struct p2p_session *sess, const struct p2p_hello *h,
			struct p2p_hello_reply *hr)
{
	int ret, r;

	ret = send_hello(sess, h);
	if (!ret || ret == -EPIPE || ret == -ECONNRESET) {
		/* A busy server sends ERROR and closes before reading HELLO. */
		r = recv_hello_reply(sess, hr);
		ret = ret && r != -EREMOTEIO ? ret : r;
	}
	return ret;
}

int p2p_client_connect(int fd, const char *user,
		       const uint8_t user_priv[P2P_KEY_LEN],
		       const uint8_t *expected_host_key,
		       uint8_t out_host_key[P2P_KEY_LEN],
		       struct p2p_session *sess)
{
	struct p2p_hello hello = { P2P_VERSION_MIN, P2P_VERSION_MAX,
				   { user, strlen(user) } };
	bool no_records = sess->no_records;
	uint16_t offer = sess->offer;
	struct p2p_hello_reply hr;
	struct noise_handshake hs;
	uint8_t prologue[P2P_MAX_PROLOGUE];
	int ret, plen;

	memset(sess, 0, sizeof(*sess));
	sess->fd = fd;
	sess->offer = offer;
	sess->no_records = no_records;
	if (!p2p_name_valid(user, hello.user.len))
		return -EINVAL;
	ret = client_hello(sess, &hello, &hr);
	if (ret)
		return ret;
	memcpy(out_host_key, hr.host_key, P2P_KEY_LEN);
	if (expected_host_key &&
	    memcmp(expected_host_key, hr.host_key, P2P_KEY_LEN))
		return -EKEYREJECTED;
	/* No kTLS, no handshake: say so before the server spends work. */
	if (!no_records) {
		ret = p2p_ktls_ulp(fd);
		if (ret)
			return ret;
	}

	plen = p2p_prologue(prologue, sizeof(prologue), &hello, hr.version,
			    hr.challenge);
	if (plen < 0)
		return plen;
	ret = noise_handshake_init(&hs, "KK", true, prologue, plen,
				   user_priv, hr.host_key);
	if (!ret)
		ret = client_noise(sess, &hs);
	noise_handshake_wipe(&hs);
	if (!ret)
		ret = start_records(sess);
	if (ret) {
		noise_session_wipe(&sess->noise);
		return ret;
	}
	sess->version = hr.version;
	memcpy(sess->host_key, hr.host_key, P2P_KEY_LEN);
	memcpy(sess->user, user, hello.user.len);
	return noise_pubkey(sess->user_key, user_priv);
}

/* Server side */

int p2p_server_busy(int fd)
{
	return p2p_send_error(fd, 0, EBUSY, "server busy");
}

const char *p2p_version_msg(uint16_t version_max)
{
	if (version_max == 1)
		return "protocol version 1 is not supported: this server "
		       "speaks version 2 (encrypted); upgrade the client";
	return "protocol version not supported";
}

/*
 * Receive one frame of op want; another op gets ERROR EPROTO. A body over
 * cap bytes (but within the protocol's limit) is read and dropped and gives
 * -E2BIG: the caller answers as for any malformed body of that op, as the
 * module does.
 */
static int server_expect(int fd, uint8_t want, struct p2p_frame *f,
			 void *buf, size_t cap)
{
	int ret;

	ret = p2p_recv_hdr(fd, false, f);
	if (ret == -EPROTO || ret == -EMSGSIZE) {
		p2p_send_error(fd, 0, -ret, "malformed frame");
		return ret;
	}
	if (ret)
		return ret;
	if (f->op != want) {
		p2p_send_error(fd, f->tag, EPROTO, "unexpected frame");
		return -EPROTO;
	}
	if (f->len > cap) {
		ret = p2p_skip_body(fd, f->len);
		return ret ? ret : -E2BIG;
	}
	return recv_body(fd, buf, f->len);
}

static int server_hello(int fd, struct p2p_session *sess, uint8_t *buf,
			struct p2p_hello *hello, uint32_t *tag)
{
	struct p2p_frame f;
	int ret;

	ret = server_expect(fd, P2P_OP_HELLO, &f, buf, HELLO_MAX);
	if (ret && ret != -E2BIG)
		return ret;
	*tag = f.tag;
	if (ret || p2p_dec_hello(buf, f.len, hello)) {
		p2p_send_error(fd, f.tag, EINVAL, "malformed HELLO");
		return -EINVAL;
	}
	if (hello->version_max < P2P_VERSION_MIN ||
	    hello->version_min > P2P_VERSION_MAX) {
		p2p_send_error(fd, f.tag, EPROTONOSUPPORT,
			       p2p_version_msg(hello->version_max));
		return -EPROTONOSUPPORT;
	}
	sess->version = hello->version_max < P2P_VERSION_MAX ?
			hello->version_max : P2P_VERSION_MAX;
	memcpy(sess->user, hello->user.s, hello->user.len);
	sess->user[hello->user.len] = '\0';
	return 0;
}

static int send_hello_reply(int fd, uint32_t tag,
			    const struct p2p_hello_reply *hr)
{
	uint8_t buf[sizeof(struct p2p_hello_reply_body)];
	int len;

	len = p2p_enc_hello_reply(buf, sizeof(buf), hr);
	if (len < 0)
		return len;
	return p2p_send_frame(fd, P2P_OP_HELLO_REPLY, 0, tag, buf, len);
}

/* The client must wait for HANDSHAKE2: a byte now would be neither clear
 * text nor a record. */
static bool bytes_pending(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

/*
 * HANDSHAKE1's offer; the client's tag and the offer in *tag, *offer.
 * Bytes behind it are refused before the work of the handshake, as the
 * module does; server_ready() looks again just before HANDSHAKE2.
 */
static int server_msg1(int fd, struct noise_handshake *hs, uint32_t *tag,
		       uint16_t *offer)
{
	uint8_t buf[SMALL_REPLY], pay[P2P_HS_PAYLOAD_LEN];
	struct p2p_frame f;
	size_t len;
	int ret;

	ret = server_expect(fd, P2P_OP_HANDSHAKE1, &f, buf, sizeof(buf));
	if (ret && ret != -E2BIG)
		return ret;
	*tag = f.tag;
	if (!ret && f.len == P2P_HANDSHAKE1_LEN && bytes_pending(fd)) {
		p2p_send_error(fd, f.tag, EPROTO, "data after HANDSHAKE1");
		return -EPROTO;
	}
	if (ret || f.len != P2P_HANDSHAKE1_LEN ||
	    noise_read_message(hs, buf, f.len, pay, sizeof(pay), &len) ||
	    len != P2P_HS_PAYLOAD_LEN) {
		p2p_send_error(fd, f.tag, EACCES, "authentication failed");
		return -EACCES;
	}
	*offer = get_be16(pay);
	return 0;
}

/* Everything that can fail before HANDSHAKE2 leaves, answered in clear. */
static int server_ready(int fd, struct p2p_session *sess, uint32_t tag)
{
	int ret;

	if (!sess->cipher) {
		p2p_send_error(fd, tag, ENOPROTOOPT, "no cipher in common");
		return -ENOPROTOOPT;
	}
	if (!sess->no_records) {
		ret = p2p_ktls_ulp(fd);
		if (ret) {
			p2p_send_error(fd, tag, EIO, "kernel TLS unavailable");
			return ret;
		}
	}
	if (bytes_pending(fd)) {
		p2p_send_error(fd, tag, EPROTO, "data after HANDSHAKE1");
		return -EPROTO;
	}
	return 0;
}

/*
 * An unknown user gets the dummy key: the same work and the same answer
 * as a wrong key, so a probe cannot tell the two apart.
 */
static int server_noise(int fd, const struct p2p_server_keys *keys,
			struct p2p_session *sess, struct noise_handshake *hs)
{
	uint8_t buf[SMALL_REPLY], pay[P2P_HS_PAYLOAD_LEN];
	uint16_t offer;
	uint32_t tag;
	size_t len;
	int ret;

	ret = server_msg1(fd, hs, &tag, &offer);
	if (ret)
		return ret;
	sess->offer = offer;
	sess->cipher = p2p_cipher_choose(offer, keys->cipher_pref);
	ret = server_ready(fd, sess, tag);
	if (ret)
		return ret;
	put_be16(pay, sess->cipher);
	ret = noise_write_message(hs, pay, sizeof(pay), buf, sizeof(buf),
				  &len);
	if (!ret)
		ret = p2p_send_frame(fd, P2P_OP_HANDSHAKE2, 0, tag, buf, len);
	if (!ret)
		ret = noise_handshake_split(hs, &sess->noise);
	return ret;
}

int p2p_server_handshake(int fd, const struct p2p_server_keys *keys,
			 p2p_lookup_user_fn lookup, void *ctx,
			 struct p2p_session *sess)
{
	struct p2p_hello_reply hr = { 0 };
	uint8_t buf[HELLO_MAX], prologue[P2P_MAX_PROLOGUE];
	struct noise_handshake hs;
	struct p2p_hello hello;
	uint32_t tag;
	int ret, plen;

	bool no_records = sess->no_records;

	memset(sess, 0, sizeof(*sess));
	sess->fd = fd;
	sess->no_records = no_records;
	ret = server_hello(fd, sess, buf, &hello, &tag);
	if (ret)
		return ret;
	if (lookup(ctx, sess->user, sess->user_key))
		memcpy(sess->user_key, keys->dummy_pub, P2P_KEY_LEN);
	hr.version = sess->version;
	memcpy(hr.host_key, keys->pub, P2P_KEY_LEN);
	randombytes_buf(hr.challenge, sizeof(hr.challenge));
	ret = send_hello_reply(fd, tag, &hr);
	if (ret)
		return ret;

	plen = p2p_prologue(prologue, sizeof(prologue), &hello, hr.version,
			    hr.challenge);
	if (plen < 0)
		return plen;
	ret = noise_handshake_init(&hs, "KK", false, prologue, plen,
				   keys->priv, sess->user_key);
	if (!ret)
		ret = server_noise(fd, keys, sess, &hs);
	noise_handshake_wipe(&hs);
	if (!ret)
		ret = start_records(sess);
	if (ret) {
		noise_session_wipe(&sess->noise);
		return ret;
	}
	memcpy(sess->host_key, keys->pub, P2P_KEY_LEN);
	return 0;
}

/* Requests */

static void str_arg(struct p2p_str *s, const char *c)
{
	s->s = c;
	s->len = strlen(c);
}

int p2p_list_exports(struct p2p_session *sess, void *buf, size_t cap,
		     struct p2p_list_reply *out)
{
	size_t len;
	int ret;

	ret = p2p_call(sess, P2P_OP_LIST_EXPORTS, NULL, 0,
		       P2P_OP_LIST_EXPORTS_REPLY, buf, cap, &len);
	if (ret)
		return ret;
	return p2p_dec_list_reply(buf, len, out) ? -EPROTO : 0;
}

int p2p_stat(struct p2p_session *sess, const char *export,
	     const char *path, struct p2p_fattr *out)
{
	struct p2p_stat_req req;
	uint8_t buf[SMALL_REPLY + P2P_PATH_MAX];
	size_t len;
	int ret;

	str_arg(&req.export, export);
	str_arg(&req.path, path);
	ret = p2p_enc_stat_req(buf, sizeof(buf), &req);
	if (ret < 0)
		return ret;
	ret = p2p_call(sess, P2P_OP_STAT, buf, ret, P2P_OP_STAT_REPLY, buf,
		       sizeof(buf), &len);
	if (ret)
		return ret;
	return p2p_dec_attr(buf, len, out) ? -EPROTO : 0;
}

int p2p_hash(struct p2p_session *sess, const char *export, const char *path,
	     uint32_t first, void *buf, size_t cap, struct p2p_hash_reply *out)
{
	struct p2p_hash_req req = { .first = first };
	uint8_t rbuf[P2P_PATH_MAX + 128];
	size_t len;
	int ret;

	str_arg(&req.export, export);
	str_arg(&req.path, path);
	ret = p2p_enc_hash_req(rbuf, sizeof(rbuf), &req);
	if (ret < 0)
		return ret;
	ret = p2p_call(sess, P2P_OP_HASH, rbuf, ret, P2P_OP_HASH_REPLY, buf,
		       cap, &len);
	if (ret)
		return ret;
	if (p2p_dec_hash_reply(buf, len, out) || out->first != first)
		return -EPROTO;
	return 0;
}

int p2p_blocks(struct p2p_session *sess, const char *export,
	       const char *path, void *buf, size_t cap,
	       struct p2p_blocks_reply *out)
{
	struct p2p_stat_req req;
	uint8_t rbuf[P2P_PATH_MAX + 128];
	size_t len;
	int ret;

	str_arg(&req.export, export);
	str_arg(&req.path, path);
	ret = p2p_enc_stat_req(rbuf, sizeof(rbuf), &req);
	if (ret < 0)
		return ret;
	ret = p2p_call(sess, P2P_OP_BLOCKS, rbuf, ret, P2P_OP_BLOCKS_REPLY,
		       buf, cap, &len);
	if (ret)
		return ret;
	return p2p_dec_blocks_reply(buf, len, out) ? -EPROTO : 0;
}

int p2p_readdir(struct p2p_session *sess, const char *export,
		const char *path, uint64_t cookie, uint32_t max_entries,
		void *buf, size_t cap, struct p2p_readdir_reply *out)
{
	struct p2p_readdir_req req = { .cookie = cookie,
				       .max_entries = max_entries };
	uint8_t rbuf[P2P_PATH_MAX + 128];
	size_t len;
	int ret;

	str_arg(&req.export, export);
	str_arg(&req.path, path);
	ret = p2p_enc_readdir_req(rbuf, sizeof(rbuf), &req);
	if (ret < 0)
		return ret;
	ret = p2p_call(sess, P2P_OP_READDIR, rbuf, ret,
		       P2P_OP_READDIR_REPLY, buf, cap, &len);
	if (ret)
		return ret;
	return p2p_dec_readdir_reply(buf, len, out) ? -EPROTO : 0;
}

static int read_started(struct p2p_session *sess, uint32_t tag,
			const void *buf, size_t len, struct p2p_read_reply *out)
{
	if (p2p_dec_read_reply(buf, len, out))
		return -EPROTO;
	sess->xfer_tag = tag;
	sess->xfer_left = out->total;
	sess->frame_left = 0;
	sess->frame_more = true;
	sess->xfer_active = true;
	return 0;
}

int p2p_read_begin(struct p2p_session *sess, const char *export,
		   const char *path, uint64_t offset, uint64_t length,
		   struct p2p_read_reply *out)
{
	struct p2p_read_req req = { .offset = offset, .length = length };
	uint8_t buf[SMALL_REPLY + P2P_PATH_MAX];
	size_t len;
	int ret;

	str_arg(&req.export, export);
	str_arg(&req.path, path);
	ret = p2p_enc_read_req(buf, sizeof(buf), &req);
	if (ret < 0)
		return ret;
	ret = p2p_call(sess, P2P_OP_READ, buf, ret, P2P_OP_READ_REPLY, buf,
		       sizeof(buf), &len);
	if (ret)
		return ret;
	return read_started(sess, sess->tag, buf, len, out);
}

int p2p_enc_read_frame(struct p2p_session *sess, void *buf, size_t cap,
		       const char *export, const char *path, uint64_t offset,
		       uint64_t length, uint32_t *tag)
{
	struct p2p_read_req req = { .offset = offset, .length = length };
	struct p2p_frame f = { .op = P2P_OP_READ };
	int len;

	if (cap < P2P_HDR_LEN)
		return -ENOSPC;
	str_arg(&req.export, export);
	str_arg(&req.path, path);
	len = p2p_enc_read_req((uint8_t *)buf + P2P_HDR_LEN, cap - P2P_HDR_LEN,
			       &req);
	if (len < 0)
		return len;
	f.len = len;
	f.tag = *tag = p2p_next_tag(sess);
	p2p_hdr_encode(buf, &f);
	return P2P_HDR_LEN + len;
}

int p2p_read_reply(struct p2p_session *sess, uint32_t tag,
		   struct p2p_read_reply *out)
{
	uint8_t buf[SMALL_REPLY];
	size_t len;
	int ret;

	if (sess->xfer_active)
		return -EBUSY;
	sess->err.code = 0;
	sess->err.msg[0] = '\0';
	ret = recv_reply(sess, tag, P2P_OP_READ_REPLY, buf, sizeof(buf), &len);
	if (ret)
		return ret;
	return read_started(sess, tag, buf, len, out);
}

/* The next READ_DATA header: sizes must add up to exactly total. */
static int next_data_frame(struct p2p_session *sess)
{
	uint8_t buf[SMALL_REPLY];
	struct p2p_frame f;
	int ret;

	ret = p2p_recv_hdr(sess->fd, true, &f);
	if (ret)
		return ret == -EMSGSIZE ? -EPROTO : ret;
	if (f.tag != sess->xfer_tag)
		return -EPROTO;
	if (f.op == P2P_OP_ERROR && f.len <= sizeof(buf)) {
		ret = recv_body(sess->fd, buf, f.len);
		return ret ? ret : take_error(sess, buf, f.len);
	}
	sess->frame_more = f.flags & P2P_F_MORE;
	if (f.op != P2P_OP_READ_DATA || f.len > sess->xfer_left ||
	    (!sess->frame_more && f.len != sess->xfer_left) ||
	    (sess->frame_more && !f.len))
		return -EPROTO;
	sess->frame_left = f.len;
	return 0;
}

ssize_t p2p_read_data(struct p2p_session *sess, void *buf, size_t cap)
{
	size_t n;
	int ret;

	while (sess->xfer_active && !sess->frame_left) {
		if (!sess->frame_more) {
			sess->xfer_active = false;
			return 0;
		}
		ret = next_data_frame(sess);
		if (ret) {
			sess->xfer_active = false;
			return ret;
		}
	}
	if (!sess->xfer_active)
		return 0;
	n = cap < sess->frame_left ? cap : sess->frame_left;
	ret = recv_body(sess->fd, buf, n);
	if (ret) {
		sess->xfer_active = false;
		return ret;
	}
	sess->frame_left -= n;
	sess->xfer_left -= n;
	return n;
}

int p2p_put_begin(struct p2p_session *sess, const char *export,
		  const char *path, uint64_t size, uint32_t mode)
{
	struct p2p_put_req req = { .size = size, .mode = mode };
	uint8_t buf[SMALL_REPLY + P2P_PATH_MAX];
	size_t len;
	int ret;

	str_arg(&req.export, export);
	str_arg(&req.path, path);
	ret = p2p_enc_put_req(buf, sizeof(buf), &req);
	if (ret < 0)
		return ret;
	ret = p2p_call(sess, P2P_OP_PUT_BEGIN, buf, ret, P2P_OP_OK, buf,
		       sizeof(buf), &len);
	if (ret)
		return ret;
	if (len)
		return -EPROTO;
	sess->xfer_tag = sess->tag;
	sess->xfer_left = size;
	sess->frame_more = true;	/* the last frame is still to send */
	sess->xfer_active = true;
	return 0;
}

static int send_data(struct p2p_session *sess, const void *buf, size_t len)
{
	bool last = len == sess->xfer_left;
	int ret;

	ret = sess_send(sess, P2P_OP_PUT_DATA, last ? 0 : P2P_F_MORE,
			sess->xfer_tag, buf, len);
	if (ret)
		return ret;
	sess->xfer_left -= len;
	sess->frame_more = !last;
	return 0;
}

/*
 * A server that fails mid-upload sends ERROR and closes the connection:
 * report its reason, and send nothing more.
 */
static int early_reply(struct p2p_session *sess)
{
	struct pollfd pfd = { .fd = sess->fd, .events = POLLIN };
	uint8_t buf[SMALL_REPLY];
	size_t len;
	int ret;

	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	ret = recv_reply(sess, sess->xfer_tag, P2P_OP_ERROR, buf,
			 sizeof(buf), &len);
	sess->xfer_active = false;
	return ret ? ret : -EPROTO;
}

/* Sending failed: the server may have sent ERROR before it closed. */
static int put_failed(struct p2p_session *sess, int ret)
{
	uint8_t buf[SMALL_REPLY];
	size_t len;

	sess->xfer_active = false;
	if (ret != -EPIPE && ret != -ECONNRESET)
		return ret;
	if (recv_reply(sess, sess->xfer_tag, P2P_OP_ERROR, buf, sizeof(buf),
		       &len) == -EREMOTEIO)
		return -EREMOTEIO;
	return ret;
}

int p2p_put_data(struct p2p_session *sess, const void *buf, size_t len)
{
	const char *p = buf;
	size_t n;
	int ret;

	if (!sess->xfer_active || !sess->frame_more || len > sess->xfer_left)
		return -EINVAL;
	while (len) {
		ret = early_reply(sess);
		if (ret)
			return ret;
		n = len < P2P_MAX_DATA_CHUNK ? len : P2P_MAX_DATA_CHUNK;
		ret = send_data(sess, p, n);
		if (ret)
			return put_failed(sess, ret);
		p += n;
		len -= n;
	}
	return 0;
}

int p2p_put_end(struct p2p_session *sess)
{
	uint8_t buf[SMALL_REPLY];
	size_t len;
	int ret = 0;

	if (!sess->xfer_active)
		return -EINVAL;
	sess->xfer_active = false;
	if (sess->frame_more)
		ret = sess_send(sess, P2P_OP_PUT_DATA, 0, sess->xfer_tag,
				NULL, 0);
	if (ret)
		return put_failed(sess, ret);
	ret = recv_reply(sess, sess->xfer_tag, P2P_OP_OK, buf, sizeof(buf),
			 &len);
	if (!ret && len)
		ret = -EPROTO;
	return ret;
}

void p2p_session_wipe(struct p2p_session *sess)
{
	sodium_memzero(sess, sizeof(*sess));
}
