// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl load: the name older versions gave apply (cmd_apply.c).
 */
#include "apply.h"
#include "p2pctl.h"

static int load_main(int argc, char **argv)
{
	return apply_file_main(&cmd_load, argc, argv);
}

const struct command cmd_load = {
	.name = "load",
	.main = load_main,
	.usage = "[--dry-run] FILE",
	.summary = "the same as apply (older name)",
	.help =
	"The same as p2pctl apply FILE (see p2pctl apply --help): make this\n"
	"namespace's state the one FILE describes, changing only what differs.\n"
	"Earlier versions removed every export and user first, ending every\n"
	"connection; load now keeps what the file does not change, with its\n"
	"connections.\n"
	"\n"
	"Example:\n"
	"  p2pctl save > state.conf; rmmod p2pshare; insmod p2pshare.ko\n"
	"  p2pctl load state.conf\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
