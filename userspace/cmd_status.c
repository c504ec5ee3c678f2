// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl version, p2pctl show.
 */
#include <inttypes.h>
#include <string.h>

#include "nl.h"
#include "p2pctl.h"
#include "print.h"

static const char *const stat_names[__P2P_STAT_MAX] = {
	[P2P_STAT_CONNS_ACTIVE] = "conns_active",
	[P2P_STAT_CONNS_TOTAL] = "conns_total",
	[P2P_STAT_CONNS_REFUSED] = "conns_refused",
	[P2P_STAT_AUTH_OK] = "auth_ok",
	[P2P_STAT_AUTH_FAILED] = "auth_failed",
	[P2P_STAT_AUTH_RATELIMITED] = "auth_ratelimited",
	[P2P_STAT_REQUESTS] = "requests",
	[P2P_STAT_ERRORS] = "errors",
	[P2P_STAT_BYTES_SENT] = "bytes_sent",
	[P2P_STAT_BYTES_SENT_ZEROCOPY] = "bytes_sent_zerocopy",
	[P2P_STAT_BYTES_RECV] = "bytes_recv",
	[P2P_STAT_FILES_PUT] = "files_put",
};

static int version_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[P2P_A_MAX + 1];
	char *out = arg;

	if (p2p_nl_parse(msg, tb) || !tb[P2P_A_VERSION])
		return NL_SKIP;
	snprintf(out, 64, "%s", nla_get_string(tb[P2P_A_VERSION]));
	return NL_OK;
}

static int version_main(int argc, char **argv)
{
	struct p2p_nl nl;
	char kver[64] = "unknown";
	int ret;

	if (argc > 1)
		return usage_err(&cmd_version, "unexpected argument \"%s\"", argv[1]);
	printf("p2pctl %s\n", P2PCTL_VERSION);
	fflush(stdout);
	if (p2p_nl_open(&nl))
		return 1;
	ret = p2p_nl_run(&nl, p2p_nl_msg(&nl, P2P_CMD_STATUS_GET, 0),
			 version_cb, kver);
	if (ret) {
		p2p_nl_report(&nl, ret, "cannot read the module version");
		p2p_nl_close(&nl);
		return 1;
	}
	printf("p2pshare.ko %s\n", kver);
	p2p_nl_close(&nl);
	return 0;
}

const struct command cmd_version = {
	.name = "version",
	.main = version_main,
	.usage = "",
	.help =
	"Print the version of p2pctl and of the loaded p2pshare module.\n",
};

static void show_stats(struct nlattr *nest)
{
	struct nlattr *a;
	int rem;

	print_human("counters:\n");
	print_obj_open("counters");
	nla_for_each_nested(a, nest, rem) {
		int t = nla_type(a);

		if (t <= P2P_STAT_PAD || t >= __P2P_STAT_MAX || !stat_names[t] ||
		    nla_len(a) != 8)
			continue;
		print_human("  %-20s ", stat_names[t]);
		print_u64(stat_names[t], "%" PRIu64 "\n", nla_get_u64(a));
	}
	print_obj_close();
}

static int status_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[P2P_A_MAX + 1];

	if (p2p_nl_parse(msg, tb))
		return NL_SKIP;
	if (tb[P2P_A_VERSION])
		print_str("version", "p2pshare %s\n",
			  nla_get_string(tb[P2P_A_VERSION]));
	if (tb[P2P_A_LISTEN_PORT]) {
		print_obj_open("listener");
		print_u64("port", "listen port %" PRIu64,
			  nla_get_u16(tb[P2P_A_LISTEN_PORT]));
		print_bool("active", " (active: %s)\n",
			   tb[P2P_A_LISTEN_ACTIVE] &&
			   nla_get_u8(tb[P2P_A_LISTEN_ACTIVE]));
		print_obj_close();
	}
	if (tb[P2P_A_STATS])
		show_stats(tb[P2P_A_STATS]);
	return NL_OK;
}

static int show_main(int argc, char **argv)
{
	struct p2p_nl nl;
	bool json = false;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			json = true;
		else
			return usage_err(&cmd_show, "unknown argument \"%s\"", argv[i]);
	}
	if (p2p_nl_open(&nl))
		return 1;
	print_start(json);
	ret = p2p_nl_run(&nl, p2p_nl_msg(&nl, P2P_CMD_STATUS_GET, 0),
			 status_cb, NULL);
	if (ret) {
		p2p_nl_close(&nl);
		return p2p_nl_report(&nl, ret, "cannot read the status");
	}
	print_end();
	p2p_nl_close(&nl);
	return 0;
}

const struct command cmd_show = {
	.name = "show",
	.main = show_main,
	.usage = "[-j|--json]",
	.help =
	"Show this host's state in the current network namespace: module\n"
	"version, host public key, listener, exports with their grants, users,\n"
	"connections and counters.  Private keys are never shown.\n"
	"\n"
	"  -j, --json   print one JSON object instead of the human form\n",
};
