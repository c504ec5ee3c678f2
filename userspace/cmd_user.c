// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl user add|set|del.
 */
#include <string.h>

#include "keys.h"
#include "nl.h"
#include "p2pctl.h"
#include "apply.h"
#include "model_nl.h"

struct user_args {
	const char *name;
	const char *pubkey;
	uint32_t uid, gid;
	bool has_uid, has_gid;
};

static int id_arg(const char *opt, const char *val, uint32_t *v, bool *has)
{
	if (p2p_parse_u32(val, v) || *v == UINT32_MAX)
		return usage_err(&cmd_user, "invalid %s \"%s\" (a number below 4294967295)",
				 opt, val);
	*has = true;
	return 0;
}

enum { OPT_PUBKEY = 0x100, OPT_UID, OPT_GID };

static const struct option user_opts[] = {
	{ "pubkey", required_argument, NULL, OPT_PUBKEY },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "gid", required_argument, NULL, OPT_GID },
	CLI_OPTS_END
};

/* USER and its options; add and set take the same ones. */
static int user_args(int argc, char **argv, struct user_args *a, const char *sub)
{
	struct cli c;
	int o;

	cli_init(&c, &cmd_user, argc, argv, "", user_opts);
	while ((o = cli_next(&c)) > 0) {
		if (o == OPT_PUBKEY)
			a->pubkey = optarg;
		else if (o == OPT_UID && id_arg("uid", optarg, &a->uid, &a->has_uid))
			return 1;
		else if (o == OPT_GID && id_arg("gid", optarg, &a->gid, &a->has_gid))
			return 1;
	}
	if (o == CLI_STOP)
		return 1;
	if (!c.nargs)
		return usage_err(&cmd_user, "%s needs a USER", sub);
	if (c.nargs > 1)
		return usage_err(&cmd_user, "unexpected argument \"%s\"", c.args[1]);
	a->name = c.args[0];
	return 0;
}

static void put_user_attrs(struct nl_msg *msg, const struct user_args *a,
			   const uint8_t *key)
{
	nla_put_string(msg, P2P_A_USER_NAME, a->name);
	if (key)
		nla_put(msg, P2P_A_USER_PUBKEY, P2P_KEY_LEN, key);
	if (a->has_uid)
		nla_put_u32(msg, P2P_A_USER_UID, a->uid);
	if (a->has_gid)
		nla_put_u32(msg, P2P_A_USER_GID, a->gid);
}

static int user_add(struct p2p_nl *nl, int argc, char **argv)
{
	struct user_args a = { 0 };
	uint8_t key[P2P_KEY_LEN];
	struct nl_msg *msg;

	if (user_args(argc, argv, &a, "add"))
		return 1;
	if (!a.pubkey)
		return usage_err(&cmd_user, "add needs --pubkey KEY|FILE");
	if (!name_ok(a.name, "user name") || key_from_arg(key, a.pubkey, "public key"))
		return 1;
	if (p2p_nl_open(nl))
		return 1;
	msg = p2p_nl_msg(nl, P2P_CMD_USER_NEW, 0);
	put_user_attrs(msg, &a, key);
	return cp_do(nl, msg, "cannot add the user");
}

static int user_set(struct p2p_nl *nl, int argc, char **argv)
{
	struct user_args a = { 0 };
	uint8_t key[P2P_KEY_LEN];
	struct nl_msg *msg;

	if (user_args(argc, argv, &a, "set"))
		return 1;
	if (!a.pubkey && !a.has_uid && !a.has_gid)
		return usage_err(&cmd_user, "set needs --pubkey, --uid or --gid");
	if (!name_ok(a.name, "user name") ||
	    (a.pubkey && key_from_arg(key, a.pubkey, "public key")))
		return 1;
	if (p2p_nl_open(nl))
		return 1;
	msg = p2p_nl_msg(nl, P2P_CMD_USER_SET, 0);
	put_user_attrs(msg, &a, a.pubkey ? key : NULL);
	return cp_do(nl, msg, "cannot change the user");
}

static int user_del(struct p2p_nl *nl, int argc, char **argv)
{
	static const char *const names[] = { "USER" };
	struct nl_msg *msg;
	struct cli c;

	cli_init(&c, &cmd_user, argc, argv, "", NULL);
	if (cli_no_options(&c))
		return 1;
	if (!c.nargs)
		return usage_err(&cmd_user, "del needs a USER");
	if (cli_nargs(&c, 1, 1, names))
		return 1;
	if (!name_ok(c.args[0], "user name") || p2p_nl_open(nl))
		return 1;
	msg = p2p_nl_msg(nl, P2P_CMD_USER_DEL, 0);
	nla_put_string(msg, P2P_A_USER_NAME, c.args[0]);
	return cp_do(nl, msg, "cannot delete the user");
}

static int user_list(int argc, char **argv)
{
	struct cli c;

	cli_init(&c, &cmd_user, argc, argv, "", NULL);
	if (cli_no_options(&c) || cli_nargs(&c, 0, 0, NULL))
		return 1;
	return model_list_names(false);
}

/* Sub-commands get argv from their own name on. */
static int user_main(int argc, char **argv)
{
	struct p2p_nl nl = { 0 };
	struct cli c;
	char *sub;
	int ret;

	cli_init(&c, &cmd_user, argc, argv, "+", NULL);
	if (cli_no_options(&c))
		return 1;
	if (!c.nargs)
		return usage_err(&cmd_user, "missing add, set, del or list");
	sub = c.args[0];
	if (!strcmp(sub, "list"))
		return user_list(c.nargs, c.args);
	if (!strcmp(sub, "add"))
		ret = user_add(&nl, c.nargs, c.args);
	else if (!strcmp(sub, "set"))
		ret = user_set(&nl, c.nargs, c.args);
	else if (!strcmp(sub, "del"))
		ret = user_del(&nl, c.nargs, c.args);
	else
		return usage_err(&cmd_user, "unknown argument \"%s\"", sub);
	p2p_nl_close(&nl);
	return ret;
}

const struct command cmd_user = {
	.name = "user",
	.main = user_main,
	.usage = "add USER --pubkey KEY|FILE [--uid UID] [--gid GID] | "
		 "set USER [--pubkey KEY|FILE] [--uid UID] [--gid GID] | del USER | "
		 "list",
	.summary = "add, change, delete or list the users (names and public keys)",
	.help =
	"Manage the users this host knows.  A user is a name and an X25519\n"
	"public key; the host never holds the user's private key.  Files are\n"
	"opened for a user with the local uid and gid it is mapped to, so Unix\n"
	"permissions apply on top of its grants.\n"
	"\n"
	"  add USER --pubkey KEY|FILE [--uid UID] [--gid GID]\n"
	"      Add USER (1-64 characters of A-Z a-z 0-9 . _ -, not . or ..).\n"
	"      --pubkey  the user's public key in base64 (p2pctl pubkey), or a\n"
	"                file holding it on its first line.\n"
	"      --uid     local user id the user's file accesses run as\n"
	"                (default 65534, nobody).  A uid other than your own\n"
	"                needs CAP_SETUID (root has it): the peer gets that\n"
	"                uid's file rights, with uid 0 root's own files.\n"
	"      --gid     local group id (default 65534, nogroup); a gid other\n"
	"                than your own needs CAP_SETGID.\n"
	"      Refused if USER exists or the key is malformed (bad base64,\n"
	"      wrong length, all zeros).\n"
	"  set USER [--pubkey KEY|FILE] [--uid UID] [--gid GID]\n"
	"      Give USER a new key, new ids or both, keeping its grants; what\n"
	"      is not given stays.  The change is atomic, and USER's open\n"
	"      connections end at once: they authenticated with the old key\n"
	"      and run as the old ids.  A set that changes nothing does nothing.\n"
	"  del USER\n"
	"      Delete USER and all its grants; its open connections end at once.\n"
	"  list\n"
	"      The users' names, one a line, for scripts (p2pctl show has the\n"
	"      details).\n"
	"\n"
	"Examples:\n"
	"  p2pctl user add alice --pubkey alice.pub\n"
	"  p2pctl user add bob --pubkey \"$(cat bob.pub)\" --uid 1000 --gid 1000\n"
	"  p2pctl user set bob --pubkey bob-new.pub\n"
	"  p2pctl user del bob\n"
	"  p2pctl user list\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
