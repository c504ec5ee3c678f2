// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl unexport: stop sharing an export.
 */
#include "apply.h"
#include "p2pctl.h"

static int unexport_main(int argc, char **argv)
{
	return name_request(&cmd_unexport, argc, argv, 1, P2P_CMD_EXPORT_DEL,
			    "cannot unexport");
}

const struct command cmd_unexport = {
	.name = "unexport",
	.main = unexport_main,
	.usage = "NAME",
	.summary = "stop sharing an export; its connections close",
	.help =
	"Stop sharing the export NAME: its grants go with it, and the peer\n"
	"connections that used it are closed.  The directory itself is not\n"
	"touched.  With the last export gone the server stops listening.\n"
	"\n"
	"Example:\n"
	"  p2pctl unexport music\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
