// SPDX-License-Identifier: GPL-2.0
/*
 * One peer connection as an object: its socket and buffers, its lifetime
 * and the exports it touched.  session.c runs its protocol.
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

void p2p_conn_wake(struct p2p_conn *conn)
{
	if (test_and_clear_bit(P2P_CONN_PARKED, &conn->flags))
		queue_work(conn->wq, &conn->work);
}

/* The idle deadline of a parked connection (park.c) passed. */
static void idle_expired(struct timer_list *t)
{
	struct p2p_conn *conn = from_timer(conn, t, idle_timer);

	p2p_conn_wake(conn);
}

/*
 * Until the peer has authenticated it gets small buffers: larger ones
 * would let anyone who can connect pin max_conns times their size.
 */
struct p2p_conn *p2p_conn_alloc(struct p2p_net *pn, struct socket *sock)
{
	struct p2p_conn *conn;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return ERR_PTR(-ENOMEM);
	conn->rsize = P2P_HDR_LEN + P2P_HS_BUF;
	conn->rbuf = kvmalloc(conn->rsize, GFP_KERNEL);
	conn->wsize = P2P_HS_BUF;
	conn->wbuf = kmalloc(conn->wsize, GFP_KERNEL);
	if (!conn->rbuf || !conn->wbuf) {
		kvfree(conn->rbuf);
		kfree(conn->wbuf);
		kfree(conn);
		return ERR_PTR(-ENOMEM);
	}
	conn->pn = pn;
	conn->sock = sock;
	/* Before the connection is listed: the control plane shows it. */
	peer_addr(conn);
	conn->deadline = jiffies + P2P_HANDSHAKE_TIMEOUT_S * HZ;
	spin_lock_init(&conn->exports_lock);
	timer_setup(&conn->idle_timer, idle_expired, 0);
	atomic_inc(&p2p_live_conns);
	return conn;
}

void p2p_conn_free(struct p2p_conn *conn)
{
	sock_no_linger(conn->sock->sk);
	sock_release(conn->sock);
	if (conn->cred)
		put_cred(conn->cred);
	if (conn->account)
		p2p_user_put(conn->account);
	kvfree(conn->rbuf);
	kfree(conn->wbuf);
	kvfree(conn->out);
	kfree(conn);
	atomic_dec(&p2p_live_conns);
}

void p2p_conn_kill(struct p2p_conn *conn)
{
	WRITE_ONCE(conn->killed, true);
	kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	p2p_conn_wake(conn);
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

