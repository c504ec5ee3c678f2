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
	&cmd_apply,
	&cmd_save,
	&cmd_load,
	&cmd_monitor,
	&cmd_announce,
	&cmd_discover,
	&cmd_ls,
	&cmd_stat,
	&cmd_hash,
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

	fprintf(f, "usage: %s COMMAND [ARGS...]\n"
		"       %s --help | --version\n\n"
		"Share directories with peers through the p2pshare kernel module.\n\n"
		"Commands:\n", prog, prog);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\n'%s COMMAND --help' (or '%s help COMMAND') describes a command,\n"
		"its arguments and its options.  Options follow getopt_long: --opt=VALUE\n"
		"or --opt VALUE, -oVALUE or -o VALUE, flags combine (-jc), -- ends them.\n"
		"Exit status: 0 on success, 1 on any error (one line on stderr).\n",
		prog, prog);
}

static int help(int argc, char **argv)
{
	const struct command *cmd;

	if (argc > 2 && !(cmd = find_command(argv[2]))) {
		err("unknown command \"%s\" (try '%s --help')", argv[2], prog);
		return 1;
	}
	if (argc > 2)
		print_help(cmd);
	else
		usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help"))
		return help(argc, argv);
	if (!strcmp(argv[1], "--version"))
		argv[1] = "version";

	cmd = find_command(argv[1]);
	if (!cmd && argv[1][0] == '-') {
		err("unknown option \"%s\" (try '%s --help')", argv[1], prog);
		return 1;
	}
	if (!cmd) {
		err("unknown command \"%s\" (try '%s --help')", argv[1], prog);
		return 1;
	}
	return cmd->main(argc - 1, argv + 1);
}
