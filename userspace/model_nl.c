// SPDX-License-Identifier: GPL-2.0
/*
 * The model (lib/model.h) read from the module: status, users, exports and
 * grants, and for p2pctl show the open connections.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_nl.h"
#include "print.h"

static void copy_name(char *dst, struct nlattr *a)
{
	snprintf(dst, P2P_NAME_MAX + 1, "%s", a ? nla_get_string(a) : "");
}

static void copy_key(uint8_t *dst, struct nlattr *a)
{
	if (a && nla_len(a) == P2P_KEY_LEN)
		memcpy(dst, nla_data(a), P2P_KEY_LEN);
}

void model_listen(struct p2p_model *s, struct nlattr **tb)
{
	struct in_addr a4;

	s->listen_addr[0] = '\0';
	if (tb[P2P_A_LISTEN_ADDR4]) {
		a4.s_addr = nla_get_u32(tb[P2P_A_LISTEN_ADDR4]);
		inet_ntop(AF_INET, &a4, s->listen_addr, sizeof(s->listen_addr));
	} else if (tb[P2P_A_LISTEN_ADDR6] && nla_len(tb[P2P_A_LISTEN_ADDR6]) == 16) {
		inet_ntop(AF_INET6, nla_data(tb[P2P_A_LISTEN_ADDR6]),
			  s->listen_addr, sizeof(s->listen_addr));
	}
	if (tb[P2P_A_LISTEN_PORT])
		s->port = nla_get_u16(tb[P2P_A_LISTEN_PORT]);
	if (tb[P2P_A_LISTEN_CIPHER] && nla_len(tb[P2P_A_LISTEN_CIPHER]) == 2)
		s->cipher = nla_get_u16(tb[P2P_A_LISTEN_CIPHER]);
	s->has_listen = true;
	snprintf(s->listen, sizeof(s->listen),
		 strchr(s->listen_addr, ':') ? "[%s]:%u" : "%s:%u",
		 s->listen_addr[0] ? s->listen_addr : "*", s->port);
}

void model_limits(struct p2p_model *s, struct nlattr **tb)
{
	struct nlattr *a;
	int i;

	for (i = 0; i < P2P_LIMIT_COUNT; i++) {
		a = tb[p2p_limit_info[i].attr];
		s->has_limit[i] = a && nla_len(a) == 4;
		if (s->has_limit[i])
			s->limits[i] = nla_get_u32(a);
	}
}

static int status_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[P2P_A_MAX + 1], *a;
	struct p2p_model *s = arg;
	int rem;

	if (p2p_nl_parse(msg, tb))
		return NL_SKIP;
	if (tb[P2P_A_VERSION])
		snprintf(s->version, sizeof(s->version), "%s",
			 nla_get_string(tb[P2P_A_VERSION]));
	copy_key(s->pub, tb[P2P_A_HOSTKEY_PUB]);
	model_listen(s, tb);
	s->active = tb[P2P_A_LISTEN_ACTIVE] && nla_get_u8(tb[P2P_A_LISTEN_ACTIVE]);
	model_limits(s, tb);
	if (tb[P2P_A_STATS]) {
		s->has_stats = true;
		nla_for_each_nested(a, tb[P2P_A_STATS], rem)
			if (nla_type(a) < __P2P_STAT_MAX && nla_len(a) == 8)
				s->stats[nla_type(a)] = nla_get_u64(a);
	}
	return NL_OK;
}

static int hostkey_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[P2P_A_MAX + 1];
	struct p2p_model *s = arg;

	if (p2p_nl_parse(msg, tb))
		return NL_SKIP;
	copy_key(s->priv, tb[P2P_A_HOSTKEY_PRIV]);
	s->has_hostkey = true;
	return NL_OK;
}

static int user_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[P2P_A_MAX + 1];
	struct p2p_model *s = arg;
	struct p2p_model_user *u;

	if (p2p_nl_parse(msg, tb) || !tb[P2P_A_USER_NAME])
		return NL_SKIP;
	u = p2p_model_grow(&s->users, &s->n_users, sizeof(*u));
	if (!u)
		return NL_STOP;
	copy_name(u->name, tb[P2P_A_USER_NAME]);
	copy_key(u->pubkey, tb[P2P_A_USER_PUBKEY]);
	u->uid = tb[P2P_A_USER_UID] ? nla_get_u32(tb[P2P_A_USER_UID]) : P2P_UID_NOBODY;
	u->gid = tb[P2P_A_USER_GID] ? nla_get_u32(tb[P2P_A_USER_GID]) : P2P_UID_NOBODY;
	return NL_OK;
}

static bool attr_len(struct nlattr *a, int len)
{
	return a && nla_len(a) == len;
}

static int export_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[P2P_A_MAX + 1];
	struct p2p_model *s = arg;
	struct p2p_model_export *e;

	if (p2p_nl_parse(msg, tb) || !tb[P2P_A_EXPORT_NAME])
		return NL_SKIP;
	e = p2p_model_grow(&s->exports, &s->n_exports, sizeof(*e));
	if (!e)
		return NL_STOP;
	e->fd = -1;
	copy_name(e->name, tb[P2P_A_EXPORT_NAME]);
	e->path = strdup(tb[P2P_A_EXPORT_PATH] ?
			 nla_get_string(tb[P2P_A_EXPORT_PATH]) : "?");
	if (tb[P2P_A_EXPORT_ID])
		e->id = nla_get_u32(tb[P2P_A_EXPORT_ID]);
	if (tb[P2P_A_EXPORT_FLAGS])
		e->flags = nla_get_u32(tb[P2P_A_EXPORT_FLAGS]);
	e->reachable = attr_len(tb[P2P_A_EXPORT_REACHABLE], 1) ?
		       !!nla_get_u8(tb[P2P_A_EXPORT_REACHABLE]) : -1;
	if (attr_len(tb[P2P_A_EXPORT_DEV_MAJOR], 4) && attr_len(tb[P2P_A_EXPORT_DEV_MINOR], 4) &&
	    attr_len(tb[P2P_A_EXPORT_INO], 8)) {
		e->has_dir_id = true;
		e->dev_major = nla_get_u32(tb[P2P_A_EXPORT_DEV_MAJOR]);
		e->dev_minor = nla_get_u32(tb[P2P_A_EXPORT_DEV_MINOR]);
		e->ino = nla_get_u64(tb[P2P_A_EXPORT_INO]);
	}
	return NL_OK;
}

static int grant_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[P2P_A_MAX + 1];
	struct p2p_model *s = arg;
	struct p2p_model_export *e;
	struct p2p_model_grant *g;

	if (p2p_nl_parse(msg, tb) || !tb[P2P_A_EXPORT_NAME] || !tb[P2P_A_USER_NAME])
		return NL_SKIP;
	e = p2p_model_export(s, nla_get_string(tb[P2P_A_EXPORT_NAME]),
			     strlen(nla_get_string(tb[P2P_A_EXPORT_NAME])));
	if (!e)
		return NL_SKIP;
	g = p2p_model_grow(&e->grants, &e->n_grants, sizeof(*g));
	if (!g)
		return NL_STOP;
	copy_name(g->user, tb[P2P_A_USER_NAME]);
	g->mode = tb[P2P_A_GRANT_MODE] ? nla_get_u8(tb[P2P_A_GRANT_MODE]) : P2P_GRANT_RO;
	return NL_OK;
}

static void conn_attr(struct p2p_model_conn *c, struct nlattr *a)
{
	switch (nla_type(a)) {
	case P2P_CONN_A_ID:
		c->id = nla_get_u64(a);
		break;
	case P2P_CONN_A_PEER4:
		if (nla_len(a) == 4)
			inet_ntop(AF_INET, nla_data(a), c->addr,
				  sizeof(c->addr));
		break;
	case P2P_CONN_A_PEER6:
		if (nla_len(a) == 16)
			inet_ntop(AF_INET6, nla_data(a), c->addr, sizeof(c->addr));
		break;
	case P2P_CONN_A_PORT:
		c->port = nla_get_u16(a);
		break;
	case P2P_CONN_A_USER:
		copy_name(c->user, a);
		break;
	case P2P_CONN_A_HANDSHAKE:
		c->handshake = true;
		break;
	case P2P_CONN_A_BYTES_SENT:
		c->bytes_sent = nla_get_u64(a);
		break;
	case P2P_CONN_A_BYTES_RECV:
		c->bytes_recv = nla_get_u64(a);
		break;
	case P2P_CONN_A_REQUESTS:
		c->requests = nla_get_u64(a);
		break;
	case P2P_CONN_A_AGE:
		c->age = nla_get_u32(a);
		break;
	case P2P_CONN_A_IDLE:
		c->idle = nla_get_u32(a);
		break;
	case P2P_CONN_A_EXPORT:
		if (c->n_exports < P2P_MODEL_CONN_EXPORTS)
			copy_name(c->exports[c->n_exports++], a);
		else
			c->exports_more = true;
		break;
	case P2P_CONN_A_EXPORTS_MORE:
		c->exports_more = true;
		break;
	case P2P_CONN_A_CIPHER:
		if (nla_len(a) == 2)
			c->cipher = nla_get_u16(a);
		break;
	}
}

static int conn_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[P2P_A_MAX + 1], *a;
	struct p2p_model *s = arg;
	struct p2p_model_conn *c;
	int rem;

	if (p2p_nl_parse(msg, tb) || !tb[P2P_A_CONN])
		return NL_SKIP;
	c = p2p_model_grow(&s->conns, &s->n_conns, sizeof(*c));
	if (!c)
		return NL_STOP;
	strcpy(c->addr, "?");
	nla_for_each_nested(a, tb[P2P_A_CONN], rem)
		conn_attr(c, a);
	return NL_OK;
}

/* A module without conn-get (EOPNOTSUPP) just has no list to show. */
static int read_conns(struct p2p_nl *nl, struct p2p_model *s)
{
	int ret;

	ret = p2p_nl_run(nl, p2p_nl_msg(nl, P2P_CMD_CONN_GET, NLM_F_DUMP),
			 conn_cb, s);
	if (ret == -EOPNOTSUPP)
		return 0;
	if (ret)
		return p2p_nl_report(nl, ret, "cannot list the connections"), -1;
	s->has_conns = true;
	return 0;
}

static int step(struct p2p_nl *nl, int cmd, int flags, p2p_nl_cb cb,
		struct p2p_model *s, const char *what)
{
	int ret;

	ret = p2p_nl_run(nl, p2p_nl_msg(nl, cmd, flags), cb, s);
	if (ret)
		return p2p_nl_report(nl, ret, what), -1;
	return 0;
}

int model_read(struct p2p_nl *nl, struct p2p_model *s, int flags)
{
	memset(s, 0, sizeof(*s));
	if (step(nl, P2P_CMD_STATUS_GET, 0, status_cb, s, "cannot read the status") ||
	    ((flags & MODEL_PRIV) &&
	     step(nl, P2P_CMD_HOSTKEY_GET, 0, hostkey_cb, s, "cannot read the host key")) ||
	    step(nl, P2P_CMD_USER_GET, NLM_F_DUMP, user_cb, s, "cannot list the users") ||
	    step(nl, P2P_CMD_EXPORT_GET, NLM_F_DUMP, export_cb, s, "cannot list the exports") ||
	    step(nl, P2P_CMD_GRANT_GET, NLM_F_DUMP, grant_cb, s, "cannot list the grants") ||
	    ((flags & MODEL_CONNS) && read_conns(nl, s))) {
		p2p_model_free(s);
		return -1;
	}
	return 0;
}

int model_list_names(bool exports)
{
	struct p2p_model m = { 0 };
	struct p2p_nl nl;
	int i, ret = 1;

	if (p2p_nl_open(&nl))
		return 1;
	if (!model_read(&nl, &m, 0)) {
		if (exports)
			for (i = 0; i < m.n_exports; i++)
				printf("%s\n", shown(m.exports[i].name));
		else
			for (i = 0; i < m.n_users; i++)
				printf("%s\n", shown(m.users[i].name));
		ret = 0;
	}
	p2p_model_free(&m);
	p2p_nl_close(&nl);
	return ret;
}
