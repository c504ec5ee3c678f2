// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl version: this p2pctl's version and the module's.
 */
#include <errno.h>
#include <stdio.h>

#include "nl.h"
#include "p2pctl.h"

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
	struct cli c;

	cli_init(&c, &cmd_version, argc, argv, "", NULL);
	if (cli_no_options(&c) || cli_nargs(&c, 0, 0, NULL))
		return 1;
	printf("p2pctl %s\n", P2PCTL_VERSION);
	fflush(stdout);
	ret = p2p_nl_connect(&nl);
	if (ret == -ENOENT) {
		printf("p2pshare.ko not loaded (%s)\n", p2p_nl_module_hint());
		return 0;
	}
	if (ret)
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
	.summary = "print the versions of p2pctl and of the loaded module",
	.help =
	"Print the version of p2pctl and of the loaded p2pshare module.  Without\n"
	"the module it says so and how to load it, and still exits 0.\n"
	"p2pctl --version is the same.\n"
	"\n"
	"Exit status: 0, also without the module; 1 with a one-line reason on\n"
	"stderr if the module is loaded but cannot be asked (not root).\n",
};
