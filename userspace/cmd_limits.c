// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl limits: this namespace's limits, or set some of them.
 */
#include <string.h>

#include "apply.h"
#include "model_nl.h"
#include "p2pctl.h"

static int limits_show(struct p2p_nl *nl)
{
	struct p2p_model m = { 0 };
	int i;

	if (model_read(nl, &m, 0))
		return 1;
	for (i = 0; i < P2P_LIMIT_COUNT; i++)
		if (m.has_limit[i])
			printf("%s %u\n", p2p_limit_info[i].name, m.limits[i]);
	p2p_model_free(&m);
	return 0;
}

/* NAME VALUE pairs into m; the module checks each range and says why. */
static int parse_pairs(int argc, char **argv, struct p2p_model *m)
{
	int i, l;

	if (!argc)
		return usage_err(&cmd_limits, "set needs NAME VALUE");
	for (i = 0; i < argc; i += 2) {
		l = p2p_limit_find(argv[i]);
		if (l < 0)
			return usage_err(&cmd_limits, "unknown limit \"%s\" (max_conns, "
					 "max_user_conns, auth_burst or idle_timeout)", argv[i]);
		if (m->has_limit[l])
			return usage_err(&cmd_limits, "%s given twice", argv[i]);
		if (i + 1 == argc)
			return usage_err(&cmd_limits, "%s needs a value", argv[i]);
		if (p2p_parse_u32(argv[i + 1], &m->limits[l]))
			return usage_err(&cmd_limits, "invalid %s \"%s\"", argv[i], argv[i + 1]);
		m->has_limit[l] = true;
	}
	return 0;
}

static int limits_main(int argc, char **argv)
{
	struct p2p_model m = { 0 };
	struct p2p_nl nl;
	struct cli c;
	int ret;

	cli_init(&c, &cmd_limits, argc, argv, "", NULL);
	if (cli_no_options(&c))
		return 1;
	if (c.nargs && strcmp(c.args[0], "set"))
		return usage_err(&cmd_limits, "unexpected argument \"%s\"", c.args[0]);
	if (c.nargs && parse_pairs(c.nargs - 1, c.args + 1, &m))
		return 1;
	if (p2p_nl_open(&nl))
		return 1;
	ret = c.nargs ? limits_apply(&nl, &m) : limits_show(&nl);
	p2p_nl_close(&nl);
	return ret;
}

const struct command cmd_limits = {
	.name = "limits",
	.main = limits_main,
	.usage = "[set NAME VALUE [NAME VALUE]...]",
	.summary = "print or set this namespace's connection and handshake limits",
	.help =
	"Print this network namespace's limits, one \"NAME VALUE\" a line, or\n"
	"set some of them (what is not named stays), as ip link set or wg set\n"
	"do.  Each namespace has its own; a new one starts with the module's\n"
	"parameters (modinfo p2pshare), which are read at load time only.\n"
	"\n"
	"Limits (the names are those of show, save and the module parameters):\n"
	"  max_conns N       peer connections the server holds, 1-4096 (256):\n"
	"                    beyond, the oldest one still in its handshake\n"
	"                    makes room, else the newcomer gets EBUSY\n"
	"  max_user_conns N  authenticated connections of one user, 0-4096\n"
	"                    (128; 0: no limit): the next one gets EBUSY\n"
	"  auth_burst N      handshakes per source address before rate\n"
	"                    limiting, one more per 3 s, 0-1000000 (10; 0: no\n"
	"                    limit); a successful handshake gives its back\n"
	"  idle_timeout S    seconds a connection may stay silent, or blocked\n"
	"                    in a send or receive, 1-86400 (60)\n"
	"\n"
	"A value out of range is refused with the range, and nothing changes.\n"
	"A new value applies to what comes next: new connections, handshakes,\n"
	"and the next request of an open connection for idle_timeout (a wait\n"
	"already begun keeps the old one).  Open connections are never closed\n"
	"by a lower limit: lowering max_conns below the connections open\n"
	"refuses new ones until enough have ended.\n"
	"\n"
	"Examples:\n"
	"  p2pctl limits\n"
	"  p2pctl limits set max_conns 64 idle_timeout 30\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
