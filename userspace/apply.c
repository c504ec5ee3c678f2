// SPDX-License-Identifier: GPL-2.0
/*
 * Requests that change the module's state (apply.h).
 */
#include <string.h>

#include "apply.h"
#include "p2pctl.h"

int cp_do(struct p2p_nl *nl, struct nl_msg *msg, const char *what)
{
	int ret;

	if (!msg) {
		err("out of memory");
		return 1;
	}
	ret = p2p_nl_run(nl, msg, NULL, NULL);
	if (ret)
		return p2p_nl_report(nl, ret, what);
	return 0;
}

struct nl_msg *export_msg(struct p2p_nl *nl, const char *name, int fd,
			  const char *const *users, const uint8_t *modes, int n)
{
	struct nl_msg *msg = p2p_nl_msg(nl, P2P_CMD_EXPORT_NEW, 0);
	struct nlattr *nest;
	int i;

	nla_put_string(msg, P2P_A_EXPORT_NAME, name);
	nla_put_u32(msg, P2P_A_EXPORT_FD, fd);
	for (i = 0; i < n; i++) {
		nest = nla_nest_start(msg, P2P_A_GRANT | NLA_F_NESTED);
		nla_put_string(msg, P2P_GRANT_A_USER, users[i]);
		nla_put_u8(msg, P2P_GRANT_A_MODE, modes[i]);
		nla_nest_end(msg, nest);
	}
	return msg;
}

struct nl_msg *export_msg_of(struct p2p_nl *nl, const struct p2p_model_export *e)
{
	const char *users[e->n_grants ?: 1];
	uint8_t modes[e->n_grants ?: 1];
	int i;

	for (i = 0; i < e->n_grants; i++) {
		users[i] = e->grants[i].user;
		modes[i] = e->grants[i].mode;
	}
	return export_msg(nl, e->name, e->fd, users, modes, e->n_grants);
}

struct nl_msg *user_msg(struct p2p_nl *nl, const struct p2p_model_user *u)
{
	struct nl_msg *msg = p2p_nl_msg(nl, P2P_CMD_USER_NEW, 0);

	nla_put_string(msg, P2P_A_USER_NAME, u->name);
	nla_put(msg, P2P_A_USER_PUBKEY, P2P_KEY_LEN, u->pubkey);
	nla_put_u32(msg, P2P_A_USER_UID, u->uid);
	nla_put_u32(msg, P2P_A_USER_GID, u->gid);
	return msg;
}

/* [ADDR][:PORT] as the attributes of a LISTEN_SET request. */
static int listen_attrs(const char *arg, struct nl_msg *msg)
{
	struct p2p_listen_addr la;

	if (p2p_listen_parse(arg, &la, verr, NULL))
		return -1;
	if (la.family == AF_INET)
		nla_put_u32(msg, P2P_A_LISTEN_ADDR4, la.a4.s_addr);
	else if (la.family == AF_INET6)
		nla_put(msg, P2P_A_LISTEN_ADDR6, sizeof(la.a6), &la.a6);
	if (la.port)
		nla_put_u16(msg, P2P_A_LISTEN_PORT, la.port);
	return 0;
}

/*
 * A request with only a cipher changes only the cipher, one without keeps
 * it (docs/NETLINK.md), and "*" puts no attribute: so the address and the
 * cipher go in a request each.
 */
int listen_apply(struct p2p_nl *nl, const char *addr, bool set_addr,
		 uint16_t cipher)
{
	struct nl_msg *msg;

	if (set_addr) {
		msg = p2p_nl_msg(nl, P2P_CMD_LISTEN_SET, 0);
		if (addr && listen_attrs(addr, msg)) {
			nlmsg_free(msg);
			return 1;
		}
		if (cp_do(nl, msg, "cannot change the listener"))
			return 1;
	}
	if (!cipher)
		return 0;
	msg = p2p_nl_msg(nl, P2P_CMD_LISTEN_SET, 0);
	nla_put_u16(msg, P2P_A_LISTEN_CIPHER, cipher);
	return cp_do(nl, msg, "cannot change the listener's cipher");
}

int name_request(const struct command *cmd, int argc, char **argv, int nargs,
		 int op, const char *what)
{
	static const char *const names[] = { "NAME", "USER" };
	bool grant = op == P2P_CMD_GRANT_SET;
	uint8_t mode = P2P_GRANT_RO;
	struct nl_msg *msg;
	struct p2p_nl nl;
	struct cli c;
	int ret;

	cli_init(&c, cmd, argc, argv, "", NULL);
	if (cli_no_options(&c) || cli_nargs(&c, nargs, nargs + grant, names))
		return 1;
	if (c.nargs > nargs && p2p_grant_parse(c.args[nargs], &mode))
		return usage_err(cmd, "invalid mode \"%s\" (use ro or rw)", c.args[nargs]);
	if (!name_ok(c.args[0], "export name") ||
	    (nargs > 1 && !name_ok(c.args[1], "user name")) || p2p_nl_open(&nl))
		return 1;
	msg = p2p_nl_msg(&nl, op, 0);
	nla_put_string(msg, P2P_A_EXPORT_NAME, c.args[0]);
	if (nargs > 1)
		nla_put_string(msg, P2P_A_USER_NAME, c.args[1]);
	if (grant)
		nla_put_u8(msg, P2P_A_GRANT_MODE, mode);
	ret = cp_do(&nl, msg, what);
	p2p_nl_close(&nl);
	return ret;
}

int limits_apply(struct p2p_nl *nl, const struct p2p_model *m)
{
	struct nl_msg *msg;
	bool any = false;
	int i;

	msg = p2p_nl_msg(nl, P2P_CMD_LIMITS_SET, 0);
	for (i = 0; i < P2P_LIMIT_COUNT; i++) {
		if (!m->has_limit[i])
			continue;
		nla_put_u32(msg, p2p_limit_info[i].attr, m->limits[i]);
		any = true;
	}
	if (!any) {
		nlmsg_free(msg);
		return 0;
	}
	return cp_do(nl, msg, "cannot set the limits");
}
