// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl: configure the p2pshare module and talk to its peers.
 */
#include <stdlib.h>
#include <string.h>

#include "p2pctl.h"

static const struct command *commands[] = {
	&cmd_genkey,
	&cmd_pubkey,
	&cmd_user,
	&cmd_export,
	&cmd_unexport,
	&cmd_grant,
	&cmd_revoke,
	&cmd_listen,
	&cmd_limits,
	&cmd_hostkey,
	&cmd_show,
	&cmd_save,
	&cmd_load,
	&cmd_monitor,
	&cmd_announce,
	&cmd_discover,
	&cmd_ls,
	&cmd_stat,
	&cmd_get,
	&cmd_put,
	&cmd_version,
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s COMMAND [ARGS...]\n\n"
		"Share directories with peers through the p2pshare kernel module.\n\n"
		"Commands:\n", prog);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i]->name, commands[i]->usage);
	fprintf(f, "\n'%s COMMAND --help' describes a command.\n"
		"Exit status: 0 on success, 1 on any error (one line on stderr).\n",
		prog);
}

int main(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		if (argc > 2 && (cmd = find_command(argv[2])))
			printf("usage: %s %s %s\n\n%s", prog, cmd->name,
			       cmd->usage, cmd->help);
		else
			usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		argv[1] = "version";

	cmd = find_command(argv[1]);
	if (!cmd) {
		err("unknown command \"%s\" (try '%s --help')", argv[1], prog);
		return 1;
	}
	if (want_help(cmd, argc - 1, argv + 1))
		return 0;
	return cmd->main(argc - 1, argv + 1);
}
