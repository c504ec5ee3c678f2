// SPDX-License-Identifier: GPL-2.0
/*
 * One peer connection: the handshake, then requests until the peer leaves,
 * goes quiet for too long, breaks the protocol or the server stops.
 */
#include <linux/cred.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/random.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "conn.h"
#include "server.h"
#include "wire.h"

atomic_t p2p_live_conns = ATOMIC_INIT(0);
atomic_t p2p_live_uploads = ATOMIC_INIT(0);

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

static void peer_addr(struct p2p_conn *conn)
{
	struct sockaddr_storage ss = {};

	if (kernel_getpeername(conn->sock, (struct sockaddr *)&ss) < 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		ipv6_addr_set_v4mapped(sin->sin_addr.s_addr, &conn->peer);
		conn->peer_port = ntohs(sin->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		conn->peer = sin6->sin6_addr;
		conn->peer_port = ntohs(sin6->sin6_port);
	}
}

/*
 * Until the peer has authenticated it gets small buffers: larger ones
 * would let anyone who can connect pin max_conns times their size.
 */
struct p2p_conn *p2p_conn_alloc(struct p2p_server *srv, struct socket *sock)
{
	struct p2p_conn *conn;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return ERR_PTR(-ENOMEM);
	if (rbuf_resize(conn, P2P_HDR_LEN + P2P_HS_BUF) ||
	    wbuf_resize(conn, P2P_HS_BUF)) {
		kvfree(conn->rbuf);
		kfree(conn);
		return ERR_PTR(-ENOMEM);
	}
	conn->srv = srv;
	conn->pn = srv->pn;
	conn->sock = sock;
	/* Before the connection is listed: the control plane shows it. */
	peer_addr(conn);
	conn->deadline = jiffies + P2P_HANDSHAKE_TIMEOUT_S * HZ;
	spin_lock_init(&conn->exports_lock);
	INIT_WORK(&conn->work, p2p_conn_work);
	atomic_inc(&p2p_live_conns);
	return conn;
}

/*
 * Let what we queued (an ERROR, the end of a reply) reach the peer and
 * give it a moment to close its side: up to 2 MiB of what it still sends
 * (an upload we refused) is read and dropped, for 2 s at most, so that our
 * close does not reset the connection before the peer reads the ERROR;
 * at the cap, the server may cut it short (room_for_one()).  conn_free()
 * then aborts, so that no socket of ours lingers in TCP after the
 * namespace or the module is gone.
 */
#define P2P_DRAIN_BYTES		(2 * 1024 * 1024)
#define P2P_DRAIN_JIFFIES	(2 * HZ)

static void conn_drain(struct p2p_conn *conn)
{
	unsigned long end = jiffies + P2P_DRAIN_JIFFIES;
	struct msghdr msg = {};
	size_t drained = 0;
	struct kvec iov;
	long left;
	int ret;

	if (READ_ONCE(conn->killed) ||
	    kernel_sock_shutdown(conn->sock, SHUT_WR))
		return;
	while (drained < P2P_DRAIN_BYTES && !READ_ONCE(conn->killed)) {
		left = (long)(end - jiffies);
		if (left <= 0)
			break;
		WRITE_ONCE(conn->sock->sk->sk_rcvtimeo, left);
		iov.iov_base = conn->rbuf;
		iov.iov_len = conn->rsize;
		ret = kernel_recvmsg(conn->sock, &msg, &iov, 1, conn->rsize, 0);
		if (ret <= 0)
			break;
		drained += ret;
	}
}

static void conn_free(struct p2p_conn *conn)
{
	sock_no_linger(conn->sock->sk);
	sock_release(conn->sock);
	if (conn->cred)
		put_cred(conn->cred);
	if (conn->account)
		p2p_user_put(conn->account);
	memzero_explicit(&conn->keys, sizeof(conn->keys));
	kvfree(conn->rbuf);
	kfree(conn->wbuf);
	kfree(conn);
	atomic_dec(&p2p_live_conns);
}

void p2p_conn_kill(struct p2p_conn *conn)
{
	WRITE_ONCE(conn->killed, true);
	kernel_sock_shutdown(conn->sock, SHUT_RDWR);
}

bool p2p_conn_uses_export(struct p2p_conn *conn, u32 export_id)
{
	bool used;
	unsigned int i;

	spin_lock(&conn->exports_lock);
	used = conn->many_exports;
	for (i = 0; i < conn->nexports && !used; i++)
		used = conn->exports[i] == export_id;
	spin_unlock(&conn->exports_lock);
	return used;
}

void p2p_conn_use_export(struct p2p_conn *conn, u32 export_id)
{
	unsigned int i;

	spin_lock(&conn->exports_lock);
	for (i = 0; i < conn->nexports; i++)
		if (conn->exports[i] == export_id)
			goto out;
	if (conn->nexports < P2P_CONN_EXPORTS)
		conn->exports[conn->nexports++] = export_id;
	else
		conn->many_exports = true;
out:
	spin_unlock(&conn->exports_lock);
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

/* One receive into the free end of rbuf: at least a byte, or an error. */
static int recv_more(struct p2p_conn *conn)
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
			     MSG_NOSIGNAL);
	if (ret == -EAGAIN)
		return -ETIMEDOUT;
	if (ret < 0)
		return ret;
	if (ret == 0)
		return -ECONNRESET;
	p2p_stat_add(conn->pn, P2P_STAT_BYTES_RECV, ret);
	p2p_conn_count(&conn->bytes_recv, ret);
	conn->rend += ret;
	return 0;
}

/* Make the next NEED bytes of the stream contiguous in rbuf. */
static int fill(struct p2p_conn *conn, size_t need)
{
	size_t unread = conn->rend - conn->rpos;
	int ret;

	if (unread >= need)
		return 0;
	if (need > conn->rsize) {
		ret = rbuf_resize(conn, need);
		if (ret)
			return ret;
	} else if (conn->rpos + need > conn->rsize || !unread) {
		memmove(conn->rbuf, conn->rbuf + conn->rpos, unread);
		conn->rpos = 0;
		conn->rend = unread;
	}
	while (conn->rend - conn->rpos < need) {
		ret = recv_more(conn);
		if (ret)
			return ret;
	}
	return 0;
}

int p2p_conn_recv_some(struct p2p_conn *conn, size_t max, const u8 **p)
{
	size_t n;
	int ret;

	ret = fill(conn, 1);
	if (ret)
		return ret;
	n = min(max, conn->rend - conn->rpos);
	*p = conn->rbuf + conn->rpos;
	conn->rpos += n;
	return n;
}

int p2p_conn_recv_hdr(struct p2p_conn *conn, struct p2p_frame *f)
{
	int ret;

	ret = fill(conn, P2P_HDR_LEN);
	if (ret)
		return ret;
	ret = p2p_hdr_decode(conn->rbuf + conn->rpos, false, f);
	if (ret)
		return ret;
	conn->rpos += P2P_HDR_LEN;
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

static int send_counted(struct p2p_conn *conn, struct kvec *vec, int n,
			size_t total, int msg_flags)
{
	int ret = send_kvec(conn->sock, vec, n, total, msg_flags);

	if (!ret)
		p2p_conn_sent(conn, total);
	return ret;
}

int p2p_conn_send_raw(struct p2p_conn *conn, const void *buf, size_t len,
		      int msg_flags)
{
	struct kvec vec = { .iov_base = (void *)buf, .iov_len = len };

	return send_counted(conn, &vec, 1, len, msg_flags);
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
	struct p2p_error e;
	int len;

	err = p2p_wire_errno(err);
	if (!msg)
		msg = p2p_errno_msg(err);
	e.code = err;
	e.msg.s = msg;
	e.msg.len = strlen(msg);
	len = p2p_enc_error(conn->wbuf, conn->wsize, &e);
	if (len < 0)
		return len;
	p2p_stat_inc(conn->pn, P2P_STAT_ERRORS);
	return p2p_conn_send(conn, P2P_OP_ERROR, 0, conn->wbuf, len, 0);
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
 * Receive one frame's header and, for every op but PUT_DATA, its body:
 * conn->body, valid until the next receive.
 */
static int recv_frame(struct p2p_conn *conn, struct p2p_frame *f)
{
	int ret;

	/* A header refused is answered with tag 0 (PROTOCOL.md 3). */
	conn->tag = 0;
	ret = p2p_conn_recv_hdr(conn, f);
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

static const struct cred *user_cred(kuid_t uid, kgid_t gid)
{
	struct cred *c = prepare_kernel_cred(&init_task);

	if (!c)
		return NULL;
	c->uid = c->euid = c->suid = c->fsuid = uid;
	c->gid = c->egid = c->sgid = c->fsgid = gid;
	c->cap_inheritable = CAP_EMPTY_SET;
	c->cap_permitted = CAP_EMPTY_SET;
	c->cap_effective = CAP_EMPTY_SET;
	c->cap_bset = CAP_EMPTY_SET;
	c->cap_ambient = CAP_EMPTY_SET;
	return c;
}

static void set_timeout(struct p2p_conn *conn, unsigned int secs)
{
	long t = secs ? secs * HZ : MAX_SCHEDULE_TIMEOUT;

	WRITE_ONCE(conn->sock->sk->sk_rcvtimeo, t);
	WRITE_ONCE(conn->sock->sk->sk_sndtimeo, t);
}

struct hs_state {
	struct p2p_hello hello;
	u8 prologue[P2P_MAX_PROLOGUE];
	int prologue_len;
	u8 rs[P2P_KEY_LEN];
	u8 priv[P2P_KEY_LEN];
	u8 pub[P2P_KEY_LEN];
	u8 challenge[P2P_CHALLENGE_LEN];
	u8 msg2[P2P_HANDSHAKE2_LEN];
};

/* HELLO: pick the version, look the user up (a dummy key if unknown). */
static int read_hello(struct p2p_conn *conn, struct hs_state *hs)
{
	struct p2p_frame f;
	int ret;

	ret = recv_frame(conn, &f);
	if (ret)
		return ret;
	if (f.op != P2P_OP_HELLO)
		return p2p_conn_send_error(conn, EPROTO, "expected HELLO") ?: -EPROTO;
	if (p2p_dec_hello(conn->body, f.len, &hs->hello))
		return p2p_conn_send_error(conn, EINVAL, "malformed HELLO") ?: -EINVAL;
	if (hs->hello.version_min > P2P_PROTO_VERSION ||
	    hs->hello.version_max < P2P_PROTO_VERSION)
		return p2p_conn_send_error(conn, EPROTONOSUPPORT, NULL) ?: -EPROTONOSUPPORT;
	ret = p2p_server_auth_take(conn->srv, conn);
	if (ret == -EAGAIN) {
		p2p_stat_inc(conn->pn, P2P_STAT_AUTH_RATELIMITED);
		return p2p_conn_send_error(conn, EAGAIN, NULL) ?: -EAGAIN;
	}
	if (ret)
		return ret;
	memcpy(conn->user, hs->hello.user.s, hs->hello.user.len);
	conn->user[hs->hello.user.len] = '\0';
	conn->ulen = hs->hello.user.len;
	/* Bound to this object: its key is checked below, its ids are used. */
	conn->account = p2p_user_get(conn->pn, conn->user, conn->ulen);
	memcpy(hs->rs, conn->account ? conn->account->pubkey : conn->srv->dummy_key,
	       P2P_KEY_LEN);
	get_random_bytes(hs->challenge, sizeof(hs->challenge));
	/* The prologue copies the user name out of rbuf before it is reused. */
	hs->prologue_len = p2p_prologue(hs->prologue, sizeof(hs->prologue),
					&hs->hello, P2P_PROTO_VERSION,
					hs->challenge);
	return hs->prologue_len < 0 ? hs->prologue_len : 0;
}

static int send_hello_reply(struct p2p_conn *conn, struct hs_state *hs)
{
	struct p2p_hello_reply r = { .version = P2P_PROTO_VERSION };
	int len, ret;

	ret = p2p_hostkey(conn->pn, hs->priv, hs->pub);
	if (ret)
		return p2p_conn_send_error(conn, EIO, "no host key") ?: ret;
	memcpy(r.host_key, hs->pub, P2P_KEY_LEN);
	memcpy(r.challenge, hs->challenge, P2P_CHALLENGE_LEN);
	len = p2p_enc_hello_reply(conn->wbuf, conn->wsize, &r);
	if (len < 0)
		return len;
	return p2p_conn_send(conn, P2P_OP_HELLO_REPLY, 0, conn->wbuf, len, 0);
}

static int auth_failed(struct p2p_conn *conn)
{
	p2p_stat_inc(conn->pn, P2P_STAT_AUTH_FAILED);
	return p2p_conn_send_error(conn, EACCES, "authentication failed") ?: -EACCES;
}

/* HANDSHAKE1 -> HANDSHAKE2, or the same refusal for any failure. */
static int noise(struct p2p_conn *conn, struct hs_state *hs)
{
	struct p2p_frame f;
	int ret;

	ret = recv_frame(conn, &f);
	if (ret)
		return ret;
	if (f.op != P2P_OP_HANDSHAKE1)
		return p2p_conn_send_error(conn, EPROTO, "expected HANDSHAKE1") ?: -EPROTO;
	if (f.len != P2P_HANDSHAKE1_LEN)
		return auth_failed(conn);
	ret = p2p_noise_respond(hs->priv, hs->pub, hs->rs, hs->prologue,
				hs->prologue_len, conn->body, hs->msg2,
				&conn->keys);
	if (ret == -ENOMEM || ret == -ENOPKG)
		return p2p_conn_send_error(conn, EIO, "handshake failed") ?: ret;
	if (ret || !conn->account)
		return auth_failed(conn);
	p2p_server_auth_put(conn->srv, conn, true);
	conn->cred = user_cred(conn->account->uid, conn->account->gid);
	if (!conn->cred || rbuf_resize(conn, P2P_REQ_BUF) ||
	    wbuf_resize(conn, P2P_REPLY_BUF))
		return p2p_conn_send_error(conn, EIO, NULL) ?: -ENOMEM;
	ret = p2p_server_conn_authed(conn->srv, conn);
	if (ret == -EBUSY)
		return p2p_conn_send_error(conn, EBUSY,
					   "too many connections for this user") ?: ret;
	if (ret == -EACCES)	/* the user was deleted or re-keyed meanwhile */
		return p2p_conn_send_error(conn, EACCES, "authentication failed") ?: ret;
	if (ret)
		return ret;
	ret = p2p_conn_send(conn, P2P_OP_HANDSHAKE2, 0, hs->msg2,
			    P2P_HANDSHAKE2_LEN, 0);
	if (!ret)
		p2p_stat_inc(conn->pn, P2P_STAT_AUTH_OK);
	return ret;
}

static int handshake(struct p2p_conn *conn)
{
	struct hs_state *hs;
	int ret;

	hs = kzalloc(sizeof(*hs), GFP_KERNEL);
	if (!hs)
		return -ENOMEM;
	ret = read_hello(conn, hs);
	if (!ret)
		ret = send_hello_reply(conn, hs);
	if (!ret)
		ret = noise(conn, hs);
	/* A token still held is spent: the peer did not authenticate. */
	p2p_server_auth_put(conn->srv, conn, false);
	kfree_sensitive(hs);
	return ret;
}

/* Requests until the peer leaves or an error ends the connection. */
static void serve(struct p2p_conn *conn)
{
	struct p2p_frame f;
	int ret;

	for (;;) {
		set_timeout(conn, READ_ONCE(p2p_idle_timeout));
		ret = recv_frame(conn, &f);
		if (ret == -EPROTO || ret == -EMSGSIZE || ret == -EINVAL) {
			p2p_conn_send_error(conn, ret, NULL);
			return;
		}
		if (ret)
			return;
		p2p_stat_inc(conn->pn, P2P_STAT_REQUESTS);
		p2p_conn_count(&conn->requests, 1);
		WRITE_ONCE(conn->last_req, jiffies);
		ret = p2p_ops_dispatch(conn, f.op, f.flags, f.len);
		if (ret)
			return;
		p2p_conn_trim(conn);
	}
}

void p2p_conn_work(struct work_struct *work)
{
	struct p2p_conn *conn = container_of(work, struct p2p_conn, work);
	struct p2p_server *srv = conn->srv;
	bool evicted;

	tcp_sock_set_nodelay(conn->sock->sk);
	if (!handshake(conn))
		serve(conn);
	/* Counted against max_conns until freed, draining included. */
	p2p_server_conn_closing(srv, conn);
	conn_drain(conn);
	evicted = p2p_server_conn_unlist(srv, conn);
	conn_free(conn);
	p2p_server_conn_done(srv, evicted);
}
