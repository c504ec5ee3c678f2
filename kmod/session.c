// SPDX-License-Identifier: GPL-2.0
/*
 * One connection's session: the handshake, then requests until the peer
 * leaves, goes quiet for too long, breaks the protocol or the server stops.
 */
#include <linux/cred.h>
#include <linux/random.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "conn.h"
#include "hostkey.h"
#include "noise.h"
#include "ops.h"
#include "park.h"
#include "session.h"
#include "transport.h"
#include "wire.h"

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

/* HELLO: the version picked, the user's name kept. */
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
	memcpy(conn->user, hs->hello.user.s, hs->hello.user.len);
	conn->user[hs->hello.user.len] = '\0';
	conn->ulen = hs->hello.user.len;
	return 0;
}

/*
 * With the address's rate-limit token (TOKEN, what auth_take said): the
 * user looked up (a dummy key if unknown).  hs->hello still points into
 * rbuf, which nothing reads into while the token is awaited.
 */
static int hello_token(struct p2p_conn *conn, struct hs_state *hs, int token)
{
	if (token == -EAGAIN) {
		p2p_stat_inc(conn->pn, P2P_STAT_AUTH_RATELIMITED);
		return p2p_conn_send_error(conn, EAGAIN, NULL) ?: -EAGAIN;
	}
	if (token)
		return token;
	/* Bound to this object: its key is checked below, its ids are used. */
	conn->account = p2p_user_get(conn->pn, conn->user, conn->ulen);
	memcpy(hs->rs, conn->account ? conn->account->pubkey : conn->adm->dummy_key,
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
	conn->adm->auth_put(conn, true);
	if (ret)
		return p2p_conn_send_error(conn, ENOPROTOOPT, "no cipher in common") ?:
		       ret;
	conn->cred = user_cred(conn->account->uid, conn->account->gid);
	if (!conn->cred || p2p_conn_bufs(conn, P2P_REQ_BUF, P2P_REPLY_BUF))
		return p2p_conn_send_error(conn, EIO, NULL) ?: -ENOMEM;
	ret = conn->adm->authed(conn);
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
	/*
	 * The records' keys go on right after HANDSHAKE2, so it must be all in
	 * the socket, in clear: a fresh socket always takes its ~200 bytes.
	 */
	if (!ret && conn->out) {
		p2p_conn_out_drop(conn);
		ret = -ENOBUFS;
	}
	if (!ret)
		ret = p2p_conn_tls_start(conn, &hs->keys);
	if (!ret)
		p2p_stat_inc(conn->pn, P2P_STAT_AUTH_OK);
	return ret;
}

/* One request read and answered: 0, or what ends the connection. */
static int serve_one(struct p2p_conn *conn)
{
	struct p2p_frame f;
	int ret;

	ret = p2p_conn_recv_frame(conn, &f);
	if (ret == -EPROTO || ret == -EMSGSIZE || ret == -EINVAL)
		return p2p_conn_send_error(conn, ret, NULL) ?: ret;
	if (ret)
		return ret;
	p2p_stat_inc(conn->pn, P2P_STAT_REQUESTS);
	p2p_conn_count(&conn->requests, 1);
	/* Room for any reply but READ_DATA's, which send_data() checks. */
	if (p2p_conn_room(conn) < P2P_MAX_BODY + P2P_HDR_LEN) {
		p2p_conn_expire(conn);
		return -ENOSPC;
	}
	WRITE_ONCE(conn->last_req, jiffies);
	ret = p2p_ops_dispatch(conn, f.op, f.flags, f.len);
	if (ret)
		return ret;
	if (!conn->put)		/* an upload keeps its large rbuf */
		p2p_conn_trim(conn);
	p2p_conn_idle_from_now(conn);
	return 0;
}

/*
 * The pending READ reply: what the socket takes now, as the user (the
 * file's reads pass the security hooks with the caller's credentials).
 * The idle deadline counts from the last bytes the peer took, so that a
 * peer that stops reading is dropped after idle_timeout.  0 while the
 * reply waits for room (p2p_conn_park() parks it) or is done.
 */
static int reply_step(struct p2p_conn *conn)
{
	u64 sent = conn->bytes_sent;
	const struct cred *old;
	int ret;

	old = override_creds(conn->cred);
	ret = p2p_reply_send(conn);
	revert_creds(old);
	if (conn->bytes_sent != sent)
		p2p_conn_idle_from_now(conn);
	return ret == -EAGAIN ? 0 : ret;
}

/* A token still held is spent; what HELLO gave is wiped. */
static void handshake_end(struct p2p_conn *conn)
{
	conn->adm->auth_put(conn, false);
	kfree_sensitive(conn->hs);
	conn->hs = NULL;
}

/*
 * One step of the handshake: HELLO read, its token taken and HELLO
 * answered, or HANDSHAKE1 (the connection is then authenticated).
 * conn->hs keeps what HELLO gave for HANDSHAKE1, the connection parking in
 * between like an idle one; and, when other handshakes of its address
 * hold the tokens, until one comes back (park.c asks auth_take again).
 */
static int handshake_step(struct p2p_conn *conn)
{
	struct hs_state *hs = conn->hs;
	int ret;

	if (hs && conn->token == P2P_TOKEN_NONE) {
		ret = noise(conn, hs);
		handshake_end(conn);
		if (!ret)
			p2p_conn_idle_from_now(conn);
		return ret;
	}
	if (!hs) {
		hs = kzalloc(sizeof(*hs), GFP_KERNEL);
		if (!hs)
			return -ENOMEM;
		conn->hs = hs;
		ret = read_hello(conn, hs);
		if (ret)
			return ret;
		ret = conn->adm->auth_take(conn);
		if (ret == -EINPROGRESS) {
			conn->token = P2P_TOKEN_WAIT;
			return 0;
		}
	} else {
		ret = conn->token_ret;	/* P2P_TOKEN_DONE: park.c asked */
	}
	conn->token = P2P_TOKEN_NONE;
	ret = hello_token(conn, hs, ret);
	return ret ?: send_hello_reply(conn, hs);
}

/* An upload's next bytes; the idle deadline as for a reply. */
static int put_step(struct p2p_conn *conn)
{
	u64 got = conn->bytes_recv;
	int ret;

	ret = p2p_ops_put_step(conn);
	if (conn->bytes_recv != got || !ret)
		p2p_conn_idle_from_now(conn);
	return ret == -EAGAIN ? 0 : ret;
}

/*
 * Done with the peer: what is left of the last reply goes out (conn->out),
 * then the drain; the server may evict the connection meanwhile.  false
 * if there is nothing to wait for.
 */
static bool end_begin(struct p2p_conn *conn)
{
	handshake_end(conn);	/* a handshake cut short */
	p2p_reply_end(conn);	/* a reply cut short */
	p2p_ops_put_abort(conn);	/* an upload cut short */
	if (conn->ending || READ_ONCE(conn->killed))
		return false;
	conn->ending = true;
	conn->adm->closing(conn);
	return true;
}

/* What the socket takes of conn->out; the idle deadline as for a reply. */
static int flush_step(struct p2p_conn *conn)
{
	u64 sent = conn->bytes_sent;
	int ret;

	ret = p2p_conn_flush(conn);
	if (conn->bytes_sent != sent)
		p2p_conn_idle_from_now(conn);
	return ret == -EAGAIN ? 0 : ret;
}

static int step(struct p2p_conn *conn)
{
	if (conn->out)
		return flush_step(conn);
	if (conn->ending)
		return p2p_conn_drain(conn) == -EAGAIN ? 0 : -ECONNRESET;
	if (conn->reply.file)
		return reply_step(conn);
	if (conn->put)
		return put_step(conn);
	return conn->authed ? serve_one(conn) : handshake_step(conn);
}

/*
 * One loop for every state: park until the next step can go on without
 * waiting (a request's bytes are there; before authentication, HELLO or
 * HANDSHAKE1 whole, or a rate-limit token; while a reply is pending, room
 * in the socket; at the end, the drain's bytes), then the step.  true:
 * parked, or queued again after a reply's budget; false: the connection
 * ends.
 */
bool p2p_session_run(struct p2p_conn *conn)
{
	int ret;

	/* Queued again by a wake or a yield: the connection goes on. */
	if (conn->armed) {
		p2p_conn_unpark(conn);
	} else if (!conn->started) {
		tcp_sock_set_nodelay(conn->sock->sk);
		conn->started = true;
	}
	do {
		do {
			ret = p2p_conn_park(conn);
			if (ret == P2P_PARKED)
				return true;
			if (!ret)
				ret = step(conn);
		} while (!ret);
		if (ret == P2P_YIELD) {
			queue_work(conn->wq, &conn->work);
			return true;
		}
	} while (end_begin(conn));
	return false;
}
