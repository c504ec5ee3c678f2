/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_CONN_H
#define P2P_CONN_H

#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "objects.h"
#include "uapi/p2pshare_proto.h"

struct p2p_admission;
struct p2p_rl_slot;
struct p2p_server;

/* Exports a connection remembers by id, for p2p_server_export_gone(). */
#define P2P_CONN_EXPORTS 8

struct file;
struct p2p_put;
struct sock;

/*
 * A READ reply on its way out (transport.c): header bytes [hoff, hlen) of
 * hdr, then the current READ_DATA frame's file bytes, then the next frame.
 * READ_REPLY with its body and a READ_DATA header are 52 bytes.
 */
#define P2P_REPLY_HDRS 64

struct p2p_reply {
	struct file *file;		/* NULL: no reply pending */
	loff_t pos;			/* of the next file byte to send */
	u64 left;			/* file bytes not yet sent */
	u64 frame_left;			/* of them, in the current frame */
	u8 hoff, hlen;
	u8 hdr[P2P_REPLY_HDRS];
};

/* p2p_conn.token: none asked for, waiting for one, auth_take answered. */
enum {
	P2P_TOKEN_NONE,
	P2P_TOKEN_WAIT,
	P2P_TOKEN_DONE,
};

/* p2p_conn.flags */
enum {
	P2P_CONN_PARKED,	/* a waker may queue the work item (park.c) */
};

/*
 * One peer connection, served by its own work item while it has work:
 * from accept through the handshake, then one request after another
 * until none is pending, when it parks (park.c) until the peer sends.
 */
struct p2p_conn {
	struct list_head node;		/* in p2p_server.conns */
	struct work_struct work;
	struct workqueue_struct *wq;	/* the server's, for p2p_conn_wake() */
	struct p2p_server *srv;		/* set by the server that accepted it */
	const struct p2p_admission *adm;	/* the server's, see session.h */
	struct p2p_net *pn;
	struct socket *sock;
	struct in6_addr peer;
	u16 peer_port;
	u64 id;				/* set at accept, under srv->conns_lock */
	unsigned long start;		/* jiffies at accept */
	/* Written by the worker (p2p_conn_count), read by the control plane. */
	unsigned long last_req;		/* jiffies, READ_ONCE */
	u64 bytes_sent, bytes_recv, requests;
	unsigned long deadline;		/* jiffies: end of the handshake */
	bool authed;			/* under srv->conns_lock */
	bool evicted;			/* under srv->conns_lock */
	bool closing;			/* under srv->conns_lock */
	/* The rate-limit token its HELLO took, until the handshake ends. */
	struct p2p_rl_slot *rl;
	u32 rl_gen;
	/* The name from HELLO; the user object, with a reference, if known. */
	char user[P2P_NAME_MAX + 1];
	size_t ulen;
	struct p2p_user *account;	/* read by others only once authed */
	/* After authentication: */
	const struct cred *cred;	/* the account's mapped uid/gid */
	/* The record layer (PROTOCOL.md 6.7), once HANDSHAKE2 is out. */
	bool tls;
	u16 cipher;			/* P2P_CIPHER_*, read by the control plane */
	u64 tx_records;			/* upper bound of records sent */
	/* Exports this connection touched, for p2p_server_export_gone(). */
	spinlock_t exports_lock;
	u32 exports[P2P_CONN_EXPORTS];
	unsigned int nexports;
	bool many_exports;
	/*
	 * Received bytes, [rpos, rend) not yet used, and the body of the
	 * request being served; small replies are built in wbuf.  Both are
	 * small until authentication, and NULL while an authenticated
	 * connection waits for its next request (p2p_conn_poll()).
	 */
	u8 *rbuf;
	size_t rsize, rpos, rend;
	const u8 *body;
	u8 *wbuf;
	size_t wsize;
	u32 tag;			/* of the request being served */
	/* Small replies' bytes the socket did not take yet (transport.c). */
	u8 *out;
	size_t out_off, out_len;
	struct p2p_reply reply;		/* owned by the worker */
	struct p2p_put *put;		/* ops.c: an upload in progress */
	bool killed;			/* by the server: close at once */
	bool started;			/* the worker's first run is done */
	/* Done with the peer: conn->out sent, then p2p_conn_drain(). */
	bool ending;
	unsigned long drain_end;	/* jiffies, 0 until the drain starts */
	size_t drained;
	/* A HELLO's rate-limit token (session.c, park.c): P2P_TOKEN_* */
	u8 token;
	bool token_queued;		/* token_wq is on the admission's queue */
	int token_ret;			/* auth_take's answer, once DONE */
	struct wait_queue_entry token_wq;
	/* Owned by the worker: park.c's callbacks are set (parked). */
	bool armed;
	unsigned long flags;		/* P2P_CONN_*, atomic bitops */
	int park_err;			/* seen by a look whose wake came first */
	unsigned int idle_secs;		/* idle_timeout when the deadline was set */
	unsigned long idle_deadline;	/* jiffies */
	struct timer_list idle_timer;
	/* session.c's handshake state, from HELLO to HANDSHAKE2 */
	void *hs;
	/* Where park.c put its "go on" callback: bytes to read, or room to send. */
	void (**park_slot)(struct sock *sk);
	void (*saved_ready)(struct sock *sk);
	void (*saved_state_change)(struct sock *sk);
	void (*saved_error_report)(struct sock *sk);
};

/* HELLO, HANDSHAKE1 and what answers them, ERROR included. */
#define P2P_HS_BUF 256
/*
 * After authentication: rbuf holds any request but an odd, oversized one
 * (READ and PUT_BEGIN bodies are below 4.3 KiB), and grows for that one or
 * for an upload; wbuf holds every reply but LIST_EXPORTS and READDIR's,
 * which get a buffer of their own while they are built.
 */
#define P2P_REQ_BUF 8192
#define P2P_REPLY_BUF 512
#define P2P_PUT_BUF (128 * 1024)

/* A counter of the connection; only its own worker adds to it. */
static inline void p2p_conn_count(u64 *counter, u64 n)
{
	WRITE_ONCE(*counter, *counter + n);
}

/* Connections and uploads alive in all namespaces, for leak tests. */
extern atomic_t p2p_live_conns, p2p_live_uploads;

/*
 * A connection on SOCK with the small buffers of the handshake; it owns
 * SOCK from then on, and p2p_conn_free() releases both.
 */
struct p2p_conn *p2p_conn_alloc(struct p2p_net *pn, struct socket *sock);
void p2p_conn_free(struct p2p_conn *conn);
/*
 * Queue the work item of a parked connection (kmod/park.c), once however
 * many wake it; from any context.
 */
void p2p_conn_wake(struct p2p_conn *conn);
/* Shut its socket down: its worker, woken if parked, then ends by itself. */
void p2p_conn_kill(struct p2p_conn *conn);
bool p2p_conn_uses_export(struct p2p_conn *conn, u32 export_id);
void p2p_conn_use_export(struct p2p_conn *conn, u32 export_id);

#endif /* P2P_CONN_H */
