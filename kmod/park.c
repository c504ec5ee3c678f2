// SPDX-License-Identifier: GPL-2.0
/*
 * A connection with nothing to read holds no worker: it parks, between
 * requests and, before it authenticated, until HELLO and HANDSHAKE1 are
 * whole in the socket; and one whose reply found the socket full parks
 * until there is room.  Its worker sets the socket's callbacks and
 * returns; the first of "bytes are there" (a record, under kTLS) or
 * "room to send", "the connection changed state" (the peer left, or
 * p2p_conn_kill() shut it down), "an error" (a reset, a record kTLS
 * cannot parse) and the deadline (idle, or the handshake's) queues its
 * work item again, which takes the callbacks back and goes on.
 *
 * The callbacks are ours only while parked and are set and taken back
 * under the socket's lock, which every caller of sk_data_ready,
 * sk_write_space, sk_state_change and sk_error_report on a TCP socket
 * holds too (softirq
 * under bh_lock_sock, process context under lock_sock; the error queue,
 * whose timestamps and MSG_ZEROCOPY notices report without it, is not
 * used on these sockets): none of ours runs once unpark() returns, so
 * neither the connection nor the module can go away under one.
 */
#include <linux/jiffies.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <net/tls.h>

#include "admission.h"
#include "conn.h"
#include "ops.h"
#include "park.h"
#include "transport.h"

typedef void (*p2p_sk_cb)(struct sock *sk);

/*
 * Where "bytes to read" is reported.  Under kTLS the socket's own
 * sk_data_ready is the record layer's, which calls the one it saved once
 * a whole record is there: ours goes there, so that a record still
 * arriving in pieces wakes nobody.
 */
static p2p_sk_cb *ready_slot(struct p2p_conn *conn)
{
	struct sock *sk = conn->sock->sk;

	if (conn->tls)
		return &tls_sw_ctx_rx(tls_get_ctx(sk))->saved_data_ready;
	return &sk->sk_data_ready;
}

/*
 * Where "room to send" is reported: under kTLS, the callback the record
 * layer saved, which its own sk_write_space calls after it pushed what
 * records were pending.
 */
static p2p_sk_cb *write_slot(struct p2p_conn *conn)
{
	struct sock *sk = conn->sock->sk;

	if (conn->tls)
		return &tls_get_ctx(sk)->sk_write_space;
	return &sk->sk_write_space;
}

static struct p2p_conn *parked_conn(struct sock *sk)
{
	struct p2p_conn *conn;

	rcu_read_lock();
	conn = rcu_dereference_sk_user_data(sk);
	rcu_read_unlock();
	return conn;
}

static void park_ready(struct sock *sk)
{
	struct p2p_conn *conn = parked_conn(sk);

	conn->saved_ready(sk);
	p2p_conn_wake(conn);
}

/*
 * Room to send.  TCP calls sk_write_space at every ACK that frees
 * anything while the socket is marked out of room; a writer blocked in
 * sk_stream_wait_memory() is woken only once a third of the send buffer
 * is free (sk_stream_write_space).  Waking at every ACK instead ran the
 * worker for a few segments each time and parked it again (four times
 * the wake-ups for a large file).  Until then SOCK_NOSPACE stays set
 * (only a wake-up clears it), so the next ACK calls again.
 */
static void park_room(struct sock *sk)
{
	struct p2p_conn *conn = parked_conn(sk);

	conn->saved_ready(sk);
	if (!sk_stream_is_writeable(sk) && !sk->sk_err &&
	    !(sk->sk_shutdown & SEND_SHUTDOWN))
		return;
	p2p_conn_wake(conn);
}

static void park_state_change(struct sock *sk)
{
	struct p2p_conn *conn = parked_conn(sk);

	conn->saved_state_change(sk);
	p2p_conn_wake(conn);
}

/* kTLS reports a malformed record header so, not as data. */
static void park_error_report(struct sock *sk)
{
	struct p2p_conn *conn = parked_conn(sk);

	conn->saved_error_report(sk);
	p2p_conn_wake(conn);
}

void p2p_conn_idle_from_now(struct p2p_conn *conn)
{
	unsigned int secs = READ_ONCE(conn->pn->limits.idle_timeout);

	p2p_conn_set_timeout(conn, secs);
	conn->idle_secs = secs;
	conn->idle_deadline = jiffies + secs * HZ;
}

/* How often a HELLO waiting for a token looks for a refill (3 s each). */
#define P2P_TOKEN_RECHECK (HZ / 4)

/* A token came back or was spent: the waiting HELLO asks again. */
static int token_wake(struct wait_queue_entry *wq, unsigned int mode,
		      int sync, void *key)
{
	p2p_conn_wake(container_of(wq, struct p2p_conn, token_wq));
	return 0;
}

/* Whether it waits for room to send: a reply, or small replies' bytes. */
static bool wants_room(struct p2p_conn *conn)
{
	return conn->out || (conn->reply.file && !conn->ending);
}

/* When the timer wakes a parked connection, if ever. */
static bool wake_at(struct p2p_conn *conn, unsigned long *when)
{
	if (conn->ending && conn->drain_end && !conn->out) {
		*when = conn->drain_end;
	} else if (!conn->authed) {
		*when = conn->deadline;
		if (conn->token == P2P_TOKEN_WAIT &&
		    time_before(jiffies + P2P_TOKEN_RECHECK, *when))
			*when = jiffies + P2P_TOKEN_RECHECK;
	} else if (conn->idle_secs) {
		*when = conn->idle_deadline;
	} else {
		return false;
	}
	return true;
}

static void arm(struct p2p_conn *conn)
{
	struct sock *sk = conn->sock->sk;
	unsigned long when;
	p2p_sk_cb *slot;

	lock_sock(sk);
	rcu_assign_sk_user_data(sk, conn);
	if (wants_room(conn)) {
		slot = write_slot(conn);
		/* TCP reports room only to a socket marked as out of it. */
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
	} else {
		slot = ready_slot(conn);
	}
	conn->park_slot = slot;
	conn->saved_ready = *slot;
	WRITE_ONCE(*slot, wants_room(conn) ? park_room : park_ready);
	conn->saved_state_change = sk->sk_state_change;
	WRITE_ONCE(sk->sk_state_change, park_state_change);
	conn->saved_error_report = sk->sk_error_report;
	WRITE_ONCE(sk->sk_error_report, park_error_report);
	conn->armed = true;
	set_bit(P2P_CONN_PARKED, &conn->flags);
	if (conn->token == P2P_TOKEN_WAIT) {
		init_waitqueue_func_entry(&conn->token_wq, token_wake);
		add_wait_queue(conn->adm->token_wq, &conn->token_wq);
		conn->token_queued = true;
	}
	if (wake_at(conn, &when))
		mod_timer(&conn->idle_timer, when);
	release_sock(sk);
}

void p2p_conn_unpark(struct p2p_conn *conn)
{
	struct sock *sk = conn->sock->sk;

	if (!conn->armed)
		return;
	lock_sock(sk);
	WRITE_ONCE(*conn->park_slot, conn->saved_ready);
	WRITE_ONCE(sk->sk_state_change, conn->saved_state_change);
	WRITE_ONCE(sk->sk_error_report, conn->saved_error_report);
	rcu_assign_sk_user_data(sk, NULL);
	release_sock(sk);
	if (conn->token_queued) {
		remove_wait_queue(conn->adm->token_wq, &conn->token_wq);
		conn->token_queued = false;
	}
	conn->armed = false;
	del_timer_sync(&conn->idle_timer);
}

static bool expired_now(struct p2p_conn *conn)
{
	if (conn->ending && conn->drain_end && !conn->out)
		return time_after_eq(jiffies, conn->drain_end);
	if (!conn->authed)
		return time_after_eq(jiffies, conn->deadline);
	return conn->idle_secs && time_after_eq(jiffies, conn->idle_deadline);
}

/* The token HELLO waits for: 0 once auth_take answered, else -EAGAIN. */
static int token_look(struct p2p_conn *conn)
{
	int ret;

	if (READ_ONCE(conn->killed))
		return -ECONNABORTED;
	ret = conn->adm->auth_take(conn);
	if (ret == -EINPROGRESS)
		return -EAGAIN;
	conn->token_ret = ret;
	conn->token = P2P_TOKEN_DONE;
	return 0;
}

/* Whether the next step can go on without waiting: 0, -EAGAIN, an error. */
static int look(struct p2p_conn *conn)
{
	if (conn->out)
		return p2p_conn_writable(conn);
	if (conn->ending)	/* the drain: whatever the peer sends next */
		return conn->drain_end ? p2p_conn_poll_bytes(conn, SIZE_MAX) : 0;
	if (conn->reply.file)
		return p2p_conn_writable(conn);
	if (conn->put)
		return p2p_conn_poll_bytes(conn, p2p_ops_put_need(conn));
	if (conn->token == P2P_TOKEN_WAIT)
		return token_look(conn);
	if (conn->token == P2P_TOKEN_DONE)
		return 0;
	return conn->authed ? p2p_conn_poll(conn) : p2p_conn_poll_frame(conn);
}

/*
 * Bytes that came before the callbacks were ours woke nobody: after
 * arm(), a second look.  Whoever clears P2P_CONN_PARKED first owns the
 * connection's next step: a waker queues the work item (this run then
 * only returns), or this run takes the callbacks back itself.  An error
 * that look saw is kept for the queued run: a socket error is reported
 * once, and the next look would find nothing.
 */
int p2p_conn_park(struct p2p_conn *conn)
{
	int ret = conn->park_err;

	if (ret) {
		conn->park_err = 0;
		return ret;
	}
	if (expired_now(conn))
		return -ETIMEDOUT;
	ret = look(conn);
	if (ret != -EAGAIN)
		return ret;
	arm(conn);
	ret = look(conn);
	if (ret == -EAGAIN)
		return P2P_PARKED;
	if (!test_and_clear_bit(P2P_CONN_PARKED, &conn->flags)) {
		conn->park_err = min(ret, 0);
		return P2P_PARKED;
	}
	p2p_conn_unpark(conn);
	return ret;
}
