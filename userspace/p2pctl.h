/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2PCTL_H
#define P2PCTL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#define P2PCTL_VERSION "0.1.0"

struct command {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *usage;	/* arguments after the command name */
	const char *summary;	/* one line for p2pctl --help */
	const char *help;	/* full help text, printed by --help */
};

extern const char *prog;
/* Printed by err() after "p2pctl: ", e.g. "FILE:LINE: " while loading. */
extern const char *err_context;

/* cli.c: print "p2pctl: MESSAGE" to stderr. */
void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for lib code (a p2p_verr_fn); arg is unused. */
void verr(void *arg, const char *fmt, va_list ap);
/* Print a one-line usage error naming the command and return 1. */
int usage_err(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* True when argv[1] asks for help; prints it. */
bool want_help(const struct command *cmd, int argc, char **argv);

/*
 * True if S is a valid user or export name: 1-64 of [A-Za-z0-9._-], not
 * "." or "..".  Otherwise prints why, naming WHAT ("user name").
 */
bool name_ok(const char *s, const char *what);
/* Make a regular file on stdout mode 0600 before a secret goes there. */
int private_stdout(void);

#define DECLARE_CMD(n) extern const struct command cmd_##n
DECLARE_CMD(version);
DECLARE_CMD(show);
DECLARE_CMD(genkey);
DECLARE_CMD(pubkey);
DECLARE_CMD(hostkey);
DECLARE_CMD(user);
DECLARE_CMD(export);
DECLARE_CMD(unexport);
DECLARE_CMD(grant);
DECLARE_CMD(revoke);
DECLARE_CMD(listen);
DECLARE_CMD(limits);
DECLARE_CMD(save);
DECLARE_CMD(load);
DECLARE_CMD(monitor);
DECLARE_CMD(ls);
DECLARE_CMD(stat);
DECLARE_CMD(get);
DECLARE_CMD(put);
DECLARE_CMD(announce);
DECLARE_CMD(discover);

#endif /* P2PCTL_H */
