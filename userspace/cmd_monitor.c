// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl monitor: print the module's change events.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <netlink/genl/ctrl.h>

#include "keys.h"
#include "nl.h"
#include "p2pctl.h"
#include "print.h"
#include "model_nl.h"

static const char *const event_names[__P2P_CMD_MAX] = {
	[P2P_CMD_USER_NEW] = "user-add",
	[P2P_CMD_USER_DEL] = "user-del",
	[P2P_CMD_USER_SET] = "user-set",
	[P2P_CMD_EXPORT_NEW] = "export-add",
	[P2P_CMD_EXPORT_DEL] = "export-del",
	[P2P_CMD_GRANT_SET] = "grant",
	[P2P_CMD_GRANT_DEL] = "revoke",
	[P2P_CMD_LISTEN_SET] = "listen",
	[P2P_CMD_HOSTKEY_SET] = "hostkey",
	[P2P_CMD_LIMITS_SET] = "limits",
};

static void event_str(struct nlattr *a, const char *key)
{
	if (a)
		print_str(key, " %s", nla_get_string(a));
}

static void event_key(struct nlattr *a, const char *key, const char *label)
{
	char b64[KEY_B64_LEN];

	if (!a || nla_len(a) != P2P_KEY_LEN)
		return;
	key_to_b64(b64, nla_data(a));
	print_human(" %s", label);
	print_str(key, " %s", b64);
}

static void event_u32(struct nlattr *a, const char *key, const char *fmt)
{
	if (a)
		print_u64(key, fmt, nla_get_u32(a));
}

static void event_listen(struct nlattr **tb)
{
	struct p2p_model s;
	char c[8];

	memset(&s, 0, sizeof(s));
	model_listen(&s, tb);
	print_str("listen", " %s", s.listen);
	if (s.cipher)
		print_str("cipher", " cipher %s", p2p_cipher_label(s.cipher, c));
}

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[P2P_A_MAX + 1];
	int i;

	if (g->cmd >= __P2P_CMD_MAX || !event_names[g->cmd] || p2p_nl_parse(msg, tb))
		return NL_SKIP;
	print_start(*(bool *)arg);
	print_str("event", "%s", event_names[g->cmd]);
	event_str(tb[P2P_A_EXPORT_NAME], "export");
	event_str(tb[P2P_A_USER_NAME], "user");
	event_str(tb[P2P_A_EXPORT_PATH], "path");
	event_key(tb[P2P_A_USER_PUBKEY], "pubkey", "pubkey");
	event_u32(tb[P2P_A_USER_UID], "uid", " uid %" PRIu64);
	event_u32(tb[P2P_A_USER_GID], "gid", " gid %" PRIu64);
	if (tb[P2P_A_GRANT_MODE])
		print_str("mode", " %s", p2p_grant_name(nla_get_u8(tb[P2P_A_GRANT_MODE])));
	if (g->cmd == P2P_CMD_LISTEN_SET)
		event_listen(tb);
	event_key(tb[P2P_A_HOSTKEY_PUB], "hostkey", "public");
	for (i = 0; i < P2P_LIMIT_COUNT; i++)
		if (tb[p2p_limit_info[i].attr]) {
			print_human(" %s", p2p_limit_info[i].name);
			event_u32(tb[p2p_limit_info[i].attr], p2p_limit_info[i].name,
				  " %" PRIu64);
		}
	print_human("\n");
	print_end();
	return NL_OK;
}

static const struct option json_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	CLI_OPTS_END
};

static int monitor_main(int argc, char **argv)
{
	struct p2p_nl nl;
	bool json = false;
	struct cli c;
	int grp, o, ret;

	cli_init(&c, &cmd_monitor, argc, argv, "j", json_opts);
	while ((o = cli_next(&c)) > 0)
		json = true;
	if (o == CLI_STOP || cli_nargs(&c, 0, 0, NULL))
		return 1;
	if (p2p_nl_open(&nl))
		return 1;
	grp = genl_ctrl_resolve_grp(nl.sk, P2P_GENL_NAME, P2P_MCGRP_EVENTS);
	ret = grp < 0 ? grp : nl_socket_add_membership(nl.sk, grp);
	if (ret < 0) {
		err("cannot listen to the module's events: %s%s", nl_geterror(ret),
		    ret == -NLE_PERM ? " (p2pctl needs CAP_NET_ADMIN: run it as root)" : "");
		p2p_nl_close(&nl);
		return 1;
	}
	nl_socket_disable_seq_check(nl.sk);
	nl_socket_modify_cb(nl.sk, NL_CB_VALID, NL_CB_CUSTOM, event_cb, &json);
	for (;;) {
		ret = nl_recvmsgs_default(nl.sk);
		if (ret < 0 && ret != -NLE_NOMEM && ret != -NLE_INTR) {
			err("reading events: %s", nl_geterror(ret));
			break;
		}
	}
	p2p_nl_close(&nl);
	return 1;
}

const struct command cmd_monitor = {
	.name = "monitor",
	.main = monitor_main,
	.usage = "[-j|--json]",
	.summary = "print each change of this namespace's state as it happens",
	.help =
	"Print one line for each change of this namespace's state, as it\n"
	"happens, until interrupted: users added, changed or deleted, exports\n"
	"added or removed, grants set or revoked, listener and host key\n"
	"changes.\n"
	"Deleting a user or an export removes its grants without a revoke\n"
	"line.  Private keys never appear.\n"
	"\n"
	"Lines:\n"
	"  user-add USER pubkey KEY uid UID gid GID     user-del USER\n"
	"  user-set USER pubkey KEY uid UID gid GID     (the user as it is now)\n"
	"  export-add EXPORT PATH                       export-del EXPORT\n"
	"  grant EXPORT USER ro|rw                      revoke EXPORT USER ro|rw\n"
	"  listen ADDR:PORT cipher CIPHER               hostkey public KEY\n"
	"\n"
	"Options:\n"
	"  -j, --json   one JSON object per line instead: {\"event\": ...,\n"
	"               \"export\", \"user\", \"path\", \"pubkey\", \"uid\", \"gid\",\n"
	"               \"mode\", \"listen\", \"cipher\", \"hostkey\" as they\n"
	"               apply}\n"
	"\n"
	"Example:\n"
	"  p2pctl monitor &\n"
	"  p2pctl user add alice --pubkey alice.pub   # monitor: user-add alice ...\n"
	"\n"
	"Exit status: 1 when reading events fails (it runs until killed).\n",
};
