// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl: configure the p2pshare module and talk to its peers.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "p2pctl.h"
#include "p2pshare.h"

const char *prog = "p2pctl";
const char *err_context = "";

static const struct command *commands[] = {
	&cmd_genkey,
	&cmd_pubkey,
	&cmd_user,
	&cmd_export,
	&cmd_unexport,
	&cmd_grant,
	&cmd_revoke,
	&cmd_listen,
	&cmd_hostkey,
	&cmd_show,
	&cmd_save,
	&cmd_load,
	&cmd_monitor,
	&cmd_ls,
	&cmd_stat,
	&cmd_get,
	&cmd_put,
	&cmd_version,
};

void err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s", prog, err_context);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_err(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", prog, cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* One line, as every error: the usage is one --help away. */
	fprintf(stderr, " (usage: %s %s %s)\n", prog, cmd->name, cmd->usage);
	return 1;
}

bool want_help(const struct command *cmd, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: %s %s %s\n\n%s", prog, cmd->name,
			       cmd->usage, cmd->help);
			return true;
		}
		if (!strcmp(argv[i], "--"))
			break;
	}
	return false;
}

const char *name_problem(const char *s)
{
	size_t i, len = strlen(s);

	if (len > P2P_NAME_MAX)
		return "name too long (at most 64 characters)";
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			break;
	if (!len || i < len || !strcmp(s, ".") || !strcmp(s, ".."))
		return "use 1-64 characters of A-Z a-z 0-9 . _ - (not . or ..)";
	return NULL;
}

bool name_ok(const char *s, const char *what)
{
	const char *why = name_problem(s);

	if (why)
		err("invalid %s \"%s\": %s", what, s, why);
	return !why;
}

const struct command *find_command(const char *name)
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
