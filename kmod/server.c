// SPDX-License-Identifier: GPL-2.0
/*
 * The peer server of one namespace: a listening socket, an accept loop and
 * one work item per connection, queued while the connection has work (a
 * parked one has none: park.c), all on a workqueue of the namespace's own
 * so that stopping it can wait for every one of them.
 */
#include <linux/cred.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched/task.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <net/tcp.h>

#include <net/netns/generic.h>

#include "conn.h"
#include "objects.h"
#include "park.h"
#include "ratelimit.h"
#include "server.h"
#include "session.h"
#include "transport.h"

struct p2p_server {
	struct p2p_net *pn;
	struct socket *lsock;
	struct p2p_listen_cfg lcfg;	/* what lsock is bound to */
	struct workqueue_struct *wq;	/* connections: P2P_WORKERS at once */
	struct workqueue_struct *accept_wq;	/* the accept loop, blocking */
	struct work_struct accept_work;
	bool closing_listener;
	struct mutex conns_lock;	/* conns, nconns, nevicted, stopping */
	struct list_head conns;		/* oldest first */
	unsigned int nconns;		/* evicted ones too, until they end */
	unsigned int nevicted;
	bool stopping;
	spinlock_t rl_lock;
	struct p2p_rl_slot rl[P2P_RL_SLOTS];
	wait_queue_head_t rl_wait;	/* parked HELLOs waiting for a token */
	wait_queue_head_t conns_gone;	/* nconns reached 0 */
	struct p2p_admission adm;	/* lent to each connection */
};

/* Evicted connections that may still hold memory, beyond max_conns. */
#define P2P_EVICT_SLACK 16

/*
 * A connection holds a worker only while it has work that does not wait
 * on its socket (park.c): its handshake's computation, a request, a
 * reply's next bytes.  So a few workers serve any number of connections:
 * twice the CPUs, at least 4, run at once; more queue behind them.  What
 * may still sleep in a run is the file system (a read from disk, an
 * upload's commit, hashing a file the first time), as in nginx.  The
 * accept loop, which blocks in accept, has a workqueue of its own.
 */
static unsigned int p2p_workers(void)
{
	return max(4U, 2 * num_online_cpus());
}

/* Runs of connections at once, all namespaces, and the most seen. */
static atomic_t workers_busy = ATOMIC_INIT(0);
static atomic_t workers_peak = ATOMIC_INIT(0);

void p2p_server_workers(unsigned int *limit, unsigned int *busy,
			unsigned int *peak, bool reset)
{
	*limit = p2p_workers();
	*busy = atomic_read(&workers_busy);
	*peak = reset ? atomic_xchg(&workers_peak, 0) : atomic_read(&workers_peak);
}

static void worker_in(void)
{
	int busy = atomic_inc_return(&workers_busy);
	int peak = atomic_read(&workers_peak);

	while (busy > peak && !atomic_try_cmpxchg(&workers_peak, &peak, busy))
		;
}

/*
 * Connection ids of all namespaces: never reused, so that a dump resumes
 * after the last one it sent even if the server restarted in between.
 */
static atomic64_t conn_ids = ATOMIC64_INIT(0);

static struct p2p_server *srv_of(struct p2p_net *pn)
{
	return READ_ONCE(pn->server);
}

bool p2p_server_active(struct p2p_net *pn)
{
	return srv_of(pn) != NULL;
}

static bool listen_same(const struct p2p_listen_cfg *a,
			const struct p2p_listen_cfg *b)
{
	if (a->family != b->family || a->port != b->port)
		return false;
	if (a->family == AF_INET)
		return a->addr4 == b->addr4;
	if (a->family == AF_INET6)
		return ipv6_addr_equal(&a->addr6, &b->addr6);
	return true;
}

static int listener_addr(const struct p2p_listen_cfg *cfg,
			 struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6;

	memset(ss, 0, sizeof(*ss));
	if (cfg->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = cfg->addr4;
		sin->sin_port = htons(cfg->port);
		return sizeof(*sin);
	}
	sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	if (cfg->family == AF_INET6)
		sin6->sin6_addr = cfg->addr6;
	sin6->sin6_port = htons(cfg->port);
	return sizeof(*sin6);
}

/*
 * A listening socket for CFG, created with the kernel's credentials so
 * that it belongs to root whoever configured it.  SO_REUSEPORT lets
 * p2p_server_relisten() open the new socket beside the old one on the
 * same port (every address and then one, say), so that the port is never
 * free in between for a local user to take; the kernel admits a socket
 * beside a reuseport listener only from the same owner, so no unprivileged
 * process can join or squat it, only root.
 */
static int make_listener(struct p2p_net *pn, const struct p2p_listen_cfg *cfg,
			 struct socket **res)
{
	const struct cred *old_cred;
	struct sockaddr_storage ss;
	struct socket *sock;
	struct cred *cred;
	int len, ret;

	cred = prepare_kernel_cred(&init_task);
	if (!cred)
		return -ENOMEM;
	old_cred = override_creds(cred);
	ret = sock_create_kern(pn->net, cfg->family == AF_INET ? AF_INET : AF_INET6,
			       SOCK_STREAM, IPPROTO_TCP, &sock);
	revert_creds(old_cred);
	put_cred(cred);
	if (ret)
		return ret;
	sock_set_reuseaddr(sock->sk);
	sock_set_reuseport(sock->sk);
	len = listener_addr(cfg, &ss);
	ret = kernel_bind(sock, (struct sockaddr *)&ss, len);
	if (!ret)
		ret = kernel_listen(sock, 128);
	if (ret) {
		sock_release(sock);
		return ret;
	}
	*res = sock;
	return 0;
}

/* Refuse a connection over the cap without spending a worker on it. */
static void refuse_busy(struct p2p_server *srv, struct socket *sock)
{
	p2p_stat_inc(srv->pn, P2P_STAT_CONNS_REFUSED);
	p2p_conn_send_busy(sock);
	/* Sent at once on a fresh connection; then abort, leaving nothing. */
	sock_no_linger(sock->sk);
	sock_release(sock);
}

/*
 * At the cap, the oldest connection still in its handshake or closing
 * makes room, as sunrpc's svc_check_conn_limits() closes its oldest
 * temporary socket: peers that never complete a handshake cannot lock out
 * those that do, and a closing one only cuts its drain short.  Only a
 * server full of authenticated connections answers EBUSY.  Every
 * connection counts until its memory is freed, an evicted one too, so
 * that at most max_conns + P2P_EVICT_SLACK connections exist.
 */
static bool room_for_one(struct p2p_server *srv)
{
	unsigned int max = READ_ONCE(srv->pn->limits.max_conns);
	struct p2p_conn *conn;

	if (srv->nconns - srv->nevicted >= max) {
		list_for_each_entry(conn, &srv->conns, node)
			if ((!conn->authed || conn->closing) && !conn->evicted)
				break;
		if (list_entry_is_head(conn, &srv->conns, node))
			return false;
		conn->evicted = true;
		srv->nevicted++;
		p2p_conn_kill(conn);
		p2p_stat_inc(srv->pn, P2P_STAT_CONNS_EVICTED);
	}
	return srv->nconns < max + P2P_EVICT_SLACK;
}

/* The connection is done with its peer: it may be evicted while it drains. */
static void conn_closing(struct p2p_server *srv, struct p2p_conn *conn)
{
	mutex_lock(&srv->conns_lock);
	conn->closing = true;
	mutex_unlock(&srv->conns_lock);
}

/*
 * Out of the list before its socket is released (the server kills listed
 * connections), but counted until conn_done(): true if it was evicted.
 */
static bool conn_unlist(struct p2p_server *srv, struct p2p_conn *conn)
{
	bool evicted;

	mutex_lock(&srv->conns_lock);
	list_del(&conn->node);
	evicted = conn->evicted;
	mutex_unlock(&srv->conns_lock);
	return evicted;
}

/* Called by a connection's worker once its memory is freed. */
static void conn_done(struct p2p_server *srv, bool evicted)
{
	mutex_lock(&srv->conns_lock);
	WRITE_ONCE(srv->nconns, srv->nconns - 1);
	if (evicted)
		srv->nevicted--;
	mutex_unlock(&srv->conns_lock);
	p2p_stat_add(srv->pn, P2P_STAT_CONNS_ACTIVE, -1);
	/* The server is freed only once this work item has returned. */
	wake_up(&srv->conns_gone);
}

/* How many authenticated connections conn's user holds; under conns_lock. */
static unsigned int user_conns(struct p2p_server *srv, struct p2p_conn *conn)
{
	struct p2p_conn *c;
	unsigned int n = 0;

	list_for_each_entry(c, &srv->conns, node)
		if (c->authed && !c->closing && c->account == conn->account)
			n++;
	return n;
}

/* p2p_admission.authed */
static int conn_authed(struct p2p_conn *conn)
{
	struct p2p_server *srv = conn->srv;
	unsigned int max = READ_ONCE(srv->pn->limits.max_user_conns);
	int ret = 0;

	mutex_lock(&srv->conns_lock);
	if (conn->evicted)
		ret = -ECONNABORTED;
	else if (p2p_user_dead(conn->account))
		ret = -EACCES;
	else if (max && user_conns(srv, conn) >= max)
		ret = -EBUSY;
	conn->authed = !ret;
	mutex_unlock(&srv->conns_lock);
	if (ret == -EBUSY)
		p2p_stat_inc(srv->pn, P2P_STAT_CONNS_REFUSED);
	return ret;
}

static int auth_take(struct p2p_conn *conn)
{
	return p2p_server_auth_take(conn->srv, conn);
}

static void auth_put(struct p2p_conn *conn, bool authed)
{
	p2p_server_auth_put(conn->srv, conn, authed);
}

static void closing(struct p2p_conn *conn)
{
	conn_closing(conn->srv, conn);
}

static const struct p2p_admission admission = {
	.auth_take = auth_take,
	.auth_put = auth_put,
	.authed = conn_authed,
	.closing = closing,
};

static void conn_work(struct work_struct *work)
{
	struct p2p_conn *conn = container_of(work, struct p2p_conn, work);
	struct p2p_server *srv = conn->srv;
	bool evicted;

	worker_in();
	if (p2p_session_run(conn)) {
		atomic_dec(&workers_busy);
		return;		/* parked: woken, it is queued again */
	}
	p2p_conn_unpark(conn);	/* none of its callbacks may run past here */
	/* Counted against max_conns until freed, draining included. */
	evicted = conn_unlist(srv, conn);
	p2p_conn_free(conn);
	atomic_dec(&workers_busy);
	conn_done(srv, evicted);
}

static void accept_one(struct p2p_server *srv, struct socket *sock)
{
	struct p2p_conn *conn;

	mutex_lock(&srv->conns_lock);
	if (srv->stopping) {
		mutex_unlock(&srv->conns_lock);
		sock_no_linger(sock->sk);
		sock_release(sock);
		return;
	}
	if (!room_for_one(srv)) {
		mutex_unlock(&srv->conns_lock);
		refuse_busy(srv, sock);
		return;
	}
	conn = p2p_conn_alloc(srv->pn, sock);
	if (IS_ERR(conn)) {
		mutex_unlock(&srv->conns_lock);
		sock_no_linger(sock->sk);
		sock_release(sock);
		return;
	}
	conn->srv = srv;
	conn->adm = &srv->adm;
	conn->wq = srv->wq;
	INIT_WORK(&conn->work, conn_work);
	/* Taken under conns_lock: the list stays in id order. */
	conn->id = atomic64_inc_return(&conn_ids);
	conn->start = jiffies;
	conn->last_req = conn->start;
	list_add_tail(&conn->node, &srv->conns);
	WRITE_ONCE(srv->nconns, srv->nconns + 1);
	mutex_unlock(&srv->conns_lock);
	p2p_stat_inc(srv->pn, P2P_STAT_CONNS_TOTAL);
	p2p_stat_inc(srv->pn, P2P_STAT_CONNS_ACTIVE);
	queue_work(srv->wq, &conn->work);
}

static void accept_loop(struct work_struct *work)
{
	struct p2p_server *srv = container_of(work, struct p2p_server,
					      accept_work);
	struct socket *sock;
	int ret;

	for (;;) {
		ret = kernel_accept(srv->lsock, &sock, 0);
		if (READ_ONCE(srv->closing_listener)) {
			if (!ret) {
				sock_no_linger(sock->sk);
				sock_release(sock);
			}
			return;
		}
		if (ret) {
			/* Out of memory or an aborted connection: go on. */
			msleep(10);
			continue;
		}
		accept_one(srv, sock);
	}
}

/* Wake the accept loop with a shutdown and wait for it to return. */
static void close_listener(struct p2p_server *srv)
{
	if (!srv->lsock)
		return;
	WRITE_ONCE(srv->closing_listener, true);
	kernel_sock_shutdown(srv->lsock, SHUT_RDWR);
	flush_work(&srv->accept_work);
	sock_release(srv->lsock);
	srv->lsock = NULL;
	WRITE_ONCE(srv->closing_listener, false);
}

/* No accept loop runs: the server starts, or close_listener() returned. */
static void run_listener(struct p2p_server *srv, struct socket *sock,
			 const struct p2p_listen_cfg *cfg)
{
	srv->lsock = sock;
	srv->lcfg = *cfg;
	queue_work(srv->accept_wq, &srv->accept_work);
}

static int open_listener(struct p2p_server *srv)
{
	struct p2p_listen_cfg cfg;
	struct socket *sock;
	int ret;

	p2p_listen_get(srv->pn, &cfg);
	ret = make_listener(srv->pn, &cfg, &sock);
	if (!ret)
		run_listener(srv, sock, &cfg);
	return ret;
}

int p2p_server_start(struct p2p_net *pn)
{
	struct p2p_server *srv;
	int ret;

	if (srv_of(pn))
		return 0;
	srv = kzalloc(sizeof(*srv), GFP_KERNEL);
	if (!srv)
		return -ENOMEM;
	srv->pn = pn;
	mutex_init(&srv->conns_lock);
	INIT_LIST_HEAD(&srv->conns);
	INIT_WORK(&srv->accept_work, accept_loop);
	spin_lock_init(&srv->rl_lock);
	init_waitqueue_head(&srv->rl_wait);
	init_waitqueue_head(&srv->conns_gone);
	srv->adm = admission;
	srv->adm.token_wq = &srv->rl_wait;
	get_random_bytes(srv->adm.dummy_key, sizeof(srv->adm.dummy_key));
	ret = -ENOMEM;
	srv->wq = alloc_workqueue("p2pshare", WQ_UNBOUND, p2p_workers());
	if (!srv->wq)
		goto err_free;
	srv->accept_wq = alloc_workqueue("p2pshare-accept", WQ_UNBOUND, 1);
	if (!srv->accept_wq)
		goto err_wq;
	ret = open_listener(srv);
	if (ret)
		goto err_accept;
	WRITE_ONCE(pn->server, srv);
	return 0;

err_accept:
	destroy_workqueue(srv->accept_wq);
err_wq:
	destroy_workqueue(srv->wq);
err_free:
	kfree(srv);
	return ret;
}

/* Shut every connection's socket down: each worker then ends by itself. */
static void shutdown_conns(struct p2p_server *srv, u32 export_id, bool all)
{
	struct p2p_conn *conn;

	mutex_lock(&srv->conns_lock);
	if (all)
		srv->stopping = true;
	list_for_each_entry(conn, &srv->conns, node)
		if (all || p2p_conn_uses_export(conn, export_id))
			p2p_conn_kill(conn);
	mutex_unlock(&srv->conns_lock);
}

void p2p_server_stop(struct p2p_net *pn)
{
	struct p2p_server *srv = srv_of(pn);

	if (!srv)
		return;
	WRITE_ONCE(pn->server, NULL);
	close_listener(srv);
	shutdown_conns(srv, 0, true);
	/*
	 * Every connection, parked ones woken by the kill, ends and is freed
	 * first: a callback or timer of one still parked could queue work
	 * while the workqueue drains.  Then the last work items return.
	 */
	wait_event(srv->conns_gone, !READ_ONCE(srv->nconns));
	destroy_workqueue(srv->accept_wq);
	destroy_workqueue(srv->wq);
	WARN_ON_ONCE(srv->nconns);
	kfree(srv);
}

/*
 * The new socket is bound and listening before the old one closes, so
 * that the port stays taken throughout; if it cannot open, the old
 * listener stays.  Connections still queued on the old socket are reset.
 */
int p2p_server_relisten(struct p2p_net *pn)
{
	struct p2p_server *srv = srv_of(pn);
	struct p2p_listen_cfg cfg;
	struct socket *sock;
	int ret;

	if (!srv)
		return 0;
	p2p_listen_get(pn, &cfg);
	if (listen_same(&cfg, &srv->lcfg))
		return 0;
	ret = make_listener(pn, &cfg, &sock);
	if (ret)
		return ret;
	close_listener(srv);
	run_listener(srv, sock, &cfg);
	return 0;
}

void p2p_server_export_gone(struct p2p_net *pn, u32 export_id)
{
	struct p2p_server *srv = srv_of(pn);

	if (srv)
		shutdown_conns(srv, export_id, false);
}

/*
 * Only authenticated connections are walked: one still in its handshake
 * meets the dead flag in conn_authed(), under the same lock.
 */
void p2p_server_user_gone(struct p2p_net *pn, struct p2p_user *user)
{
	struct p2p_server *srv = srv_of(pn);
	struct p2p_conn *conn;

	if (!srv)
		return;
	mutex_lock(&srv->conns_lock);
	list_for_each_entry(conn, &srv->conns, node)
		if (conn->authed && conn->account == user)
			p2p_conn_kill(conn);
	mutex_unlock(&srv->conns_lock);
}

static u32 secs_since(unsigned long t)
{
	return (jiffies - t) / HZ;
}

/* The worker writes the counters; the user name is stable once authed. */
static void conn_info(struct p2p_conn *conn, struct p2p_conn_info *ci)
{
	ci->id = conn->id;
	ci->peer = conn->peer;
	ci->port = conn->peer_port;
	ci->authed = conn->authed;
	if (ci->authed)
		strscpy(ci->user, conn->user, sizeof(ci->user));
	ci->bytes_sent = READ_ONCE(conn->bytes_sent);
	ci->bytes_recv = READ_ONCE(conn->bytes_recv);
	ci->requests = READ_ONCE(conn->requests);
	ci->cipher = READ_ONCE(conn->cipher);
	ci->age = secs_since(conn->start);
	ci->idle = secs_since(READ_ONCE(conn->last_req));
	spin_lock(&conn->exports_lock);
	ci->nexports = conn->nexports;
	memcpy(ci->exports, conn->exports, ci->nexports * sizeof(u32));
	ci->many_exports = conn->many_exports;
	spin_unlock(&conn->exports_lock);
}

int p2p_server_conns_walk(struct p2p_net *pn, u64 *cursor,
			  int (*fn)(const struct p2p_conn_info *ci, void *arg),
			  void *arg)
{
	struct p2p_server *srv = srv_of(pn);
	struct p2p_conn_info ci;
	struct p2p_conn *conn;
	int ret = 0;

	if (!srv)
		return 0;
	mutex_lock(&srv->conns_lock);
	list_for_each_entry(conn, &srv->conns, node) {
		if (conn->id <= *cursor)
			continue;
		conn_info(conn, &ci);
		ret = fn(&ci, arg);
		if (ret)
			break;
		*cursor = conn->id;
	}
	mutex_unlock(&srv->conns_lock);
	return ret;
}

/*
 * Handshakes per source address: a token bucket of auth_burst tokens,
 * one back every P2P_RL_REFILL.  HELLO takes a token before the server
 * spends any X25519 work on the peer; a handshake that authenticates gives
 * it back, any other end (wrong key, unknown user, timeout, hang-up)
 * leaves it spent.  So N concurrent handshakes from one address cost at
 * most the tokens it had, and successes never drain the bucket.  A HELLO
 * that finds no token while handshakes of its address still hold some
 * waits for their outcome (within its handshake deadline) instead of being
 * refused: good clients opening many connections at once are served in
 * turn.  It waits parked (park.c), woken by each token given back or
 * spent, and every P2P_TOKEN_RECHECK for a refill.  The table is small and fixed; a new address takes the stalest
 * slot no handshake holds a token of.
 */
#define P2P_RL_REFILL (3 * HZ)

/* 0 with a token taken, -EAGAIN, or -EINPROGRESS: others hold them. */
static int rl_take(struct p2p_server *srv, struct p2p_conn *conn)
{
	unsigned int burst = READ_ONCE(srv->pn->limits.auth_burst);
	struct p2p_rl_slot *s;
	int ret = 0;

	spin_lock_bh(&srv->rl_lock);
	s = p2p_rl_slot(srv->rl, &conn->peer, jiffies, burst);
	p2p_rl_refill(s, jiffies, P2P_RL_REFILL, burst);
	if (s->tokens) {
		s->tokens--;
		s->pending++;
		conn->rl = s;
		conn->rl_gen = s->gen;
	} else {
		ret = s->pending ? -EINPROGRESS : -EAGAIN;
	}
	spin_unlock_bh(&srv->rl_lock);
	return ret;
}

int p2p_server_auth_take(struct p2p_server *srv, struct p2p_conn *conn)
{
	if (!READ_ONCE(srv->pn->limits.auth_burst))
		return 0;
	return rl_take(srv, conn);
}

void p2p_server_auth_put(struct p2p_server *srv, struct p2p_conn *conn,
			 bool authed)
{
	unsigned int burst = READ_ONCE(srv->pn->limits.auth_burst);
	struct p2p_rl_slot *s = conn->rl;

	if (!s)
		return;
	conn->rl = NULL;
	spin_lock_bh(&srv->rl_lock);
	if (s->gen == conn->rl_gen) {
		s->pending--;
		if (authed && s->tokens < burst)
			s->tokens++;
	}
	spin_unlock_bh(&srv->rl_lock);
	wake_up_all(&srv->rl_wait);
}

/* Kernel sockets do not pin their namespace: stop the server first. */
static void __net_exit p2p_server_net_pre_exit(struct net *net)
{
	struct p2p_net *pn = p2p_net(net);

	mutex_lock(&pn->lock);
	p2p_server_stop(pn);
	mutex_unlock(&pn->lock);
}

static struct pernet_operations p2p_server_net_ops = {
	.pre_exit = p2p_server_net_pre_exit,
};

int p2p_server_init(void)
{
	return register_pernet_subsys(&p2p_server_net_ops);
}

void p2p_server_uninit(void)
{
	unregister_pernet_subsys(&p2p_server_net_ops);
}
