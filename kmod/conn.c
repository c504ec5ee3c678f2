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
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "conn.h"
#include "server.h"
#include "transport.h"
#include "wire.h"

atomic_t p2p_live_conns = ATOMIC_INIT(0);
atomic_t p2p_live_uploads = ATOMIC_INIT(0);

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
	if (p2p_conn_bufs(conn, P2P_HDR_LEN + P2P_HS_BUF, P2P_HS_BUF)) {
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

static void conn_free(struct p2p_conn *conn)
{
	sock_no_linger(conn->sock->sk);
	sock_release(conn->sock);
	if (conn->cred)
		put_cred(conn->cred);
	if (conn->account)
		p2p_user_put(conn->account);
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

struct hs_state {
	struct p2p_hello hello;
	u8 prologue[P2P_MAX_PROLOGUE];
	int prologue_len;
	u8 rs[P2P_KEY_LEN];
	u8 priv[P2P_KEY_LEN];
	u8 pub[P2P_KEY_LEN];
	u8 challenge[P2P_CHALLENGE_LEN];
	u8 msg2[P2P_HANDSHAKE2_LEN];
	struct p2p_noise_keys keys;
};

static const char v1_refused[] =
	"protocol version 1 is not supported: this server speaks version 2 (encrypted); upgrade the client";

/* HELLO: pick the version, look the user up (a dummy key if unknown). */
static int read_hello(struct p2p_conn *conn, struct hs_state *hs)
{
	struct p2p_frame f;
	int ret;

	ret = p2p_conn_recv_frame(conn, &f);
	if (ret)
		return ret;
	if (f.op != P2P_OP_HELLO)
		return p2p_conn_send_error(conn, EPROTO, "expected HELLO") ?: -EPROTO;
	if (p2p_dec_hello(conn->body, f.len, &hs->hello))
		return p2p_conn_send_error(conn, EINVAL, "malformed HELLO") ?: -EINVAL;
	if (hs->hello.version_min > P2P_PROTO_VERSION ||
	    hs->hello.version_max < P2P_PROTO_VERSION)
		return p2p_conn_send_error(conn, EPROTONOSUPPORT,
					   hs->hello.version_max == 1 ? v1_refused : NULL) ?:
		       -EPROTONOSUPPORT;
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

	ret = p2p_conn_recv_frame(conn, &f);
	if (ret)
		return ret;
	if (f.op != P2P_OP_HANDSHAKE1)
		return p2p_conn_send_error(conn, EPROTO, "expected HANDSHAKE1") ?: -EPROTO;
	if (f.len != P2P_HANDSHAKE1_LEN)
		return auth_failed(conn);
	/* PROTOCOL.md 6.4: records follow HANDSHAKE2, nothing may precede it. */
	if (conn->rend != conn->rpos)
		return p2p_conn_send_error(conn, EPROTO, "data after HANDSHAKE1") ?:
		       -EPROTO;
	ret = p2p_noise_respond(hs->priv, hs->pub, hs->rs, hs->prologue,
				hs->prologue_len, conn->body,
				READ_ONCE(conn->pn->cipher), hs->msg2,
				&hs->keys);
	if (ret == -ENOMEM || ret == -ENOPKG)
		return p2p_conn_send_error(conn, EIO, "handshake failed") ?: ret;
	if ((ret && ret != -ENOPROTOOPT) || !conn->account)
		return auth_failed(conn);
	/* The peer proved its key: its token goes back, even without a cipher. */
	p2p_server_auth_put(conn->srv, conn, true);
	if (ret)
		return p2p_conn_send_error(conn, ENOPROTOOPT, "no cipher in common") ?:
		       ret;
	conn->cred = user_cred(conn->account->uid, conn->account->gid);
	if (!conn->cred || p2p_conn_bufs(conn, P2P_REQ_BUF, P2P_REPLY_BUF))
		return p2p_conn_send_error(conn, EIO, NULL) ?: -ENOMEM;
	ret = p2p_server_conn_authed(conn->srv, conn);
	if (ret == -EBUSY)
		return p2p_conn_send_error(conn, EBUSY,
					   "too many connections for this user") ?: ret;
	if (ret == -EACCES)	/* the user was deleted or re-keyed meanwhile */
		return p2p_conn_send_error(conn, EACCES, "authentication failed") ?: ret;
	if (ret)
		return ret;
	ret = p2p_conn_tls_ulp(conn);
	if (ret) {
		pr_warn_ratelimited("kernel TLS unavailable (%d): is the tls module there?\n",
				    ret);
		return p2p_conn_send_error(conn, EIO, "kernel TLS unavailable") ?: ret;
	}
	ret = p2p_conn_send(conn, P2P_OP_HANDSHAKE2, 0, hs->msg2,
			    P2P_HANDSHAKE2_LEN, 0);
	if (!ret)
		ret = p2p_conn_tls_start(conn, &hs->keys);
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
		p2p_conn_set_timeout(conn, READ_ONCE(p2p_idle_timeout));
		ret = p2p_conn_recv_frame(conn, &f);
		if (ret == -EPROTO || ret == -EMSGSIZE || ret == -EINVAL) {
			p2p_conn_send_error(conn, ret, NULL);
			return;
		}
		if (ret)
			return;
		p2p_stat_inc(conn->pn, P2P_STAT_REQUESTS);
		p2p_conn_count(&conn->requests, 1);
		/* Room for any reply but READ_DATA's, which send_data() checks. */
		if (p2p_conn_room(conn) < P2P_MAX_BODY + P2P_HDR_LEN) {
			p2p_conn_expire(conn);
			return;
		}
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
	p2p_conn_drain(conn);
	evicted = p2p_server_conn_unlist(srv, conn);
	conn_free(conn);
	p2p_server_conn_done(srv, evicted);
}
