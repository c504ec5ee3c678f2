// SPDX-License-Identifier: GPL-2.0
/*
 * One peer connection on its own thread: the handshake, then requests until
 * the peer leaves, goes quiet for too long or breaks the protocol. The
 * order of checks and the error frames are those of kmod/session.c. Bytes
 * go through conn.c, each request to ops.c.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "p2pd.h"

/*
 * Over the limit of failed handshakes: answer the HELLO with EAGAIN after
 * the checks the module makes first (op, body, version).
 */
static void refuse_rate_limited(struct pd_conn *c)
{
	struct p2p_hello hello;
	struct p2p_frame f;
	int ret;

	ret = pd_conn_recv_frame(c, &f);
	if (ret == -EPROTO || ret == -EMSGSIZE)
		pd_conn_send_error(c, ret, "malformed frame");
	else if (ret)
		return;
	else if (f.op != P2P_OP_HELLO)
		pd_conn_send_error(c, EPROTO, "expected HELLO");
	else if (p2p_dec_hello(c->rbuf, f.len, &hello))
		pd_conn_send_error(c, EINVAL, "malformed HELLO");
	else if (hello.version_min > P2P_PROTO_VERSION ||
		 hello.version_max < P2P_PROTO_VERSION)
		pd_conn_send_error(c, EPROTONOSUPPORT,
				   p2p_version_msg(hello.version_max));
	else
		pd_conn_send_error(c, EAGAIN, NULL);
}

static int lookup_user(void *ctx, const char *name, uint8_t pub[P2P_KEY_LEN])
{
	struct pd_conn *c = ctx;

	c->user = pd_user_find(c->cfg, name);
	if (!c->user)
		return -ENOENT;
	memcpy(pub, c->user->pubkey, P2P_KEY_LEN);
	return 0;
}

static int handshake(struct pd_conn *c)
{
	int ret;

	if (!pd_auth_allowed(&c->peer)) {
		refuse_rate_limited(c);
		return -EAGAIN;
	}
	ret = p2p_server_handshake(c->fd, &c->cfg->keys, lookup_user, c,
				   &c->sess);
	if (ret == -EACCES)
		pd_auth_failed(&c->peer);
	if (ret)
		return ret;
	/* An unknown user cannot pass (the dummy key), but say it plainly. */
	if (!c->user)
		return -EACCES;
	ret = pd_become(c->user->uid, c->user->gid);
	if (ret)
		pd_conn_send_error(c, EIO, NULL);
	return ret;
}

/* Requests until the peer leaves or an error ends the connection. */
static void serve(struct pd_conn *c)
{
	struct p2p_frame f;
	int ret;

	for (;;) {
		pd_conn_set_timeout(c, c->cfg->idle_timeout);
		ret = pd_conn_recv_frame(c, &f);
		if (ret == -EPROTO || ret == -EMSGSIZE || ret == -EINVAL) {
			pd_conn_send_error(c, ret, NULL);
			return;
		}
		if (ret)
			return;
		ret = pd_ops_dispatch(c, f.op, f.len);
		if (ret)
			return;
	}
}

void *pd_session_run(void *arg)
{
	struct pd_conn *c = arg;
	int one = 1;

	c->rbuf = malloc(PD_BUF_LEN);
	c->wbuf = malloc(PD_BUF_LEN);
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pd_conn_set_timeout(c, P2P_HANDSHAKE_TIMEOUT_S);
	if (c->rbuf && c->wbuf && !handshake(c))
		serve(c);
	pd_conn_free(c);
	return NULL;
}
