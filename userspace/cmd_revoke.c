// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl revoke: take a user's grant away.
 */
#include "apply.h"
#include "p2pctl.h"

static int revoke_main(int argc, char **argv)
{
	return name_request(&cmd_revoke, argc, argv, 2, P2P_CMD_GRANT_DEL,
			    "cannot revoke");
}

const struct command cmd_revoke = {
	.name = "revoke",
	.main = revoke_main,
	.usage = "NAME USER",
	.summary = "take away a user's grant on an export",
	.help =
	"Take away USER's grant on the export NAME.  Requests USER makes on\n"
	"NAME fail from then on.\n"
	"\n"
	"Example:\n"
	"  p2pctl revoke music bob\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
