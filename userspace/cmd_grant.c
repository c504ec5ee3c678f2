// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl grant: let a user into an export, or change the grant's mode.
 */
#include "apply.h"
#include "p2pctl.h"

static int grant_main(int argc, char **argv)
{
	uint8_t mode = P2P_GRANT_RO;

	if (argc > 4)
		return usage_err(&cmd_grant, "unexpected argument \"%s\"", argv[4]);
	if (argc == 4 && p2p_grant_parse(argv[3], &mode))
		return usage_err(&cmd_grant, "invalid mode \"%s\" (use ro or rw)", argv[3]);
	if (argc == 4)
		argc--;
	return name_request(&cmd_grant, argc, argv, 2, mode, P2P_CMD_GRANT_SET,
			    "cannot grant");
}

const struct command cmd_grant = {
	.name = "grant",
	.main = grant_main,
	.usage = "NAME USER [ro|rw]",
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
