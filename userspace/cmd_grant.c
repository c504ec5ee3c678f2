// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl grant: let a user into an export, or change the grant's mode.
 */
#include "apply.h"
#include "p2pctl.h"

static int grant_main(int argc, char **argv)
{
	return name_request(&cmd_grant, argc, argv, 2, P2P_CMD_GRANT_SET,
			    "cannot grant");
}

const struct command cmd_grant = {
	.name = "grant",
	.main = grant_main,
	.usage = "NAME USER [ro|rw]",
	.summary = "let a user into an export, read-only or read-write",
	.help =
	"Let USER access the export NAME, read-only (ro, the default) or\n"
	"read-write (rw).  If USER already has a grant on NAME, its mode\n"
	"changes.  Both must exist.\n"
	"\n"
	"Examples:\n"
	"  p2pctl grant music alice\n"
	"  p2pctl grant music bob rw\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
