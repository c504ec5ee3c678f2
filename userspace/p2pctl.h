/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2PCTL_H
#define P2PCTL_H

#include <stdbool.h>
#include <stdio.h>

#define P2PCTL_VERSION "0.1.0"

struct command {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *usage;	/* arguments after the command name */
	const char *help;	/* full help text, printed by --help */
};

extern const char *prog;

/* Print "p2pctl: MESSAGE" to stderr. */
void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a usage error naming the command and return 1. */
int usage_err(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* True when argv[1] asks for help; prints it. */
bool want_help(const struct command *cmd, int argc, char **argv);
const struct command *find_command(const char *name);

#define DECLARE_CMD(n) extern const struct command cmd_##n
DECLARE_CMD(version);
DECLARE_CMD(show);

#endif /* P2PCTL_H */
