/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2PCTL_H
#define P2PCTL_H

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#define P2PCTL_VERSION "0.1.0"

struct command {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *usage;	/* arguments after the command name */
	const char *summary;	/* one line in p2pctl --help */
	const char *help;	/* full help text, printed by --help */
};

extern const char *prog;
/* Printed by err() after "p2pctl: ", e.g. "FILE:LINE: " while loading. */
extern const char *err_context;

/* cli.c: print "p2pctl: MESSAGE" to stderr. */
void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for lib code (a p2p_verr_fn); arg is unused. */
void verr(void *arg, const char *fmt, va_list ap);
/* The same as a warning: "p2pctl: warning: MESSAGE". */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a one-line usage error naming the command and return 1. */
int usage_err(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print the command's usage and help on stdout. */
void print_help(const struct command *cmd);

/*
 * One option parser for every command and sub-command: getopt_long over
 * argv, argv[0] being the command or sub-command name.  Options and
 * operands mix (GNU order) unless shortopts starts with '+' (options stop
 * at the first operand: a command with sub-commands); "--" ends the
 * options; "--opt=VALUE" and "--opt VALUE", "-oVALUE" and "-o VALUE" are
 * the same; short flags combine (-jc).  Long options match exactly (no
 * abbreviations).  -h and --help print the command's help and exit 0.
 */
struct cli {
	const struct command *cmd;
	int argc;
	char **argv;
	const struct option *longopts;
	char shortopts[32];
	char **args;		/* the operands, once cli_next() returned CLI_END */
	int nargs;
};

/* Ends every longopts array: --help, then the terminator. */
#define CLI_OPTS_END	{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
#define CLI_END		(-1)	/* no more options: the operands are in args */
#define CLI_STOP	0	/* a usage error was printed: exit status 1 */

/* longopts NULL: the command has no option but --help. */
void cli_init(struct cli *c, const struct command *cmd, int argc, char **argv,
	      const char *shortopts, const struct option *longopts);
/* The next option (getopt_long's value, its argument in optarg),
 * CLI_END or CLI_STOP. */
int cli_next(struct cli *c);
/* For a command or sub-command with no option of its own: 0 (the
 * operands are in args) or 1 after a usage error. */
int cli_no_options(struct cli *c);
/* Between min and max operands, else a usage error ("missing NAME" from
 * names[nargs], or the first extra one); 0 or 1. */
int cli_nargs(struct cli *c, int min, int max, const char *const *names);

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
DECLARE_CMD(apply);
DECLARE_CMD(monitor);
DECLARE_CMD(ls);
DECLARE_CMD(stat);
DECLARE_CMD(hash);
DECLARE_CMD(get);
DECLARE_CMD(put);
DECLARE_CMD(announce);
DECLARE_CMD(discover);

#endif /* P2PCTL_H */
