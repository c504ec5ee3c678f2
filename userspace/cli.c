// SPDX-License-Identifier: GPL-2.0
/*
 * What every p2pctl command shares: one-line errors, usage and help, the
 * name check, a private standard output for secrets.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "model.h"
#include "p2pctl.h"

const char *prog = "p2pctl";
const char *err_context = "";

/*
 * A message quotes names from the user, the kernel and peers: whatever
 * their bytes, it reaches stderr as one line of printable text
 * (lib/escape.h).
 */
static void put_text(const char *msg)
{
	size_t n = p2p_esc_text(NULL, 0, msg, strlen(msg));
	char *out = malloc(n + 1);

	if (out)
		p2p_esc_text(out, n + 1, msg, strlen(msg));
	fputs(out ? out : "(out of memory)", stderr);
	free(out);
}

static void put_escaped(const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0) {
		fputs("(out of memory)", stderr);
		return;
	}
	put_text(msg);
	free(msg);
}

void verr(void *arg, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	put_text(err_context);	/* "FILE:LINE: " of the file load reads */
	put_escaped(fmt, ap);
	fputc('\n', stderr);
}

void err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(NULL, fmt, ap);
	va_end(ap);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", prog);
	va_start(ap, fmt);
	put_escaped(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_err(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", prog, cmd->name);
	va_start(ap, fmt);
	put_escaped(fmt, ap);
	va_end(ap);
	/* One line, as every error: the usage is one --help away. */
	fprintf(stderr, " (usage: %s %s %s)\n", prog, cmd->name, cmd->usage);
	return 1;
}

void print_help(const struct command *cmd)
{
	printf("usage: %s %s %s\n\n%s", prog, cmd->name, cmd->usage, cmd->help);
}

/* Options */

static const struct option help_only[] = { CLI_OPTS_END };

void cli_init(struct cli *c, const struct command *cmd, int argc, char **argv,
	      const char *shortopts, const struct option *longopts)
{
	bool in_order = shortopts[0] == '+';

	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->argc = argc;
	c->argv = argv;
	c->longopts = longopts ? longopts : help_only;
	/* ':' first: a missing value is told apart from an unknown option. */
	snprintf(c->shortopts, sizeof(c->shortopts), "%s:h%s",
		 in_order ? "+" : "", shortopts + in_order);
	optind = 0;	/* glibc: start afresh, as a new argv */
	opterr = 0;
}

/* The argv element an option came from, as typed. */
static const char *token(const struct cli *c, const struct option *o)
{
	if (o->has_arg == required_argument && optarg == c->argv[optind - 1])
		return c->argv[optind - 2];
	return c->argv[optind - 1];
}

/* getopt_long takes any unambiguous prefix of a long option. */
static bool exact(const char *tok, const char *name)
{
	size_t n = strcspn(tok + 2, "=");

	return n == strlen(name) && !strncmp(tok + 2, name, n);
}

static bool known(const struct cli *c, const char *tok)
{
	const struct option *o;

	for (o = c->longopts; o->name; o++)
		if (exact(tok, o->name))
			return true;
	return false;
}

/*
 * getopt_long's '?' or ':'.  A long option always moves optind past its
 * token; an unknown letter inside "-xyz" may not, so optopt tells it.
 */
static void bad_option(struct cli *c, int ret)
{
	const char *tok = c->argv[optind - 1];
	const struct option *o;

	if (ret == ':' && !strncmp(tok, "--", 2)) {
		if (known(c, tok))
			usage_err(c->cmd, "%s needs a value", tok);
		else
			usage_err(c->cmd, "unknown option \"%s\"", tok);
		return;
	}
	if (ret == ':') {
		usage_err(c->cmd, "-%c needs a value", optopt);
		return;
	}
	if (!strncmp(tok, "--", 2) && !known(c, tok)) {
		usage_err(c->cmd, "unknown option \"%s\"", tok);
		return;
	}
	for (o = c->longopts; optopt && o->name; o++)
		if (o->val == optopt && o->has_arg == no_argument &&
		    !strncmp(tok, "--", 2) && exact(tok, o->name)) {
			usage_err(c->cmd, "--%s takes no value", o->name);
			return;
		}
	if (optopt)
		usage_err(c->cmd, "unknown option \"-%c\"", optopt);
	else
		usage_err(c->cmd, "unknown option \"%s\"", tok);
}

int cli_next(struct cli *c)
{
	int idx = -1, ret;

	ret = getopt_long(c->argc, c->argv, c->shortopts, c->longopts, &idx);
	if (ret == -1) {
		c->args = c->argv + optind;
		c->nargs = c->argc - optind;
		return CLI_END;
	}
	if (ret == '?' || ret == ':') {
		bad_option(c, ret);
		return CLI_STOP;
	}
	if (idx >= 0 && !exact(token(c, &c->longopts[idx]), c->longopts[idx].name)) {
		usage_err(c->cmd, "unknown option \"%s\"", token(c, &c->longopts[idx]));
		return CLI_STOP;
	}
	if (ret == 'h') {
		print_help(c->cmd);
		exit(fflush(stdout) ? 1 : 0);
	}
	return ret;
}

int cli_no_options(struct cli *c)
{
	int ret;

	while ((ret = cli_next(c)) > 0)
		;
	return ret == CLI_STOP;
}

int cli_nargs(struct cli *c, int min, int max, const char *const *names)
{
	if (c->nargs < min)
		return usage_err(c->cmd, "missing %s", names[c->nargs]);
	if (c->nargs > max)
		return usage_err(c->cmd, "unexpected argument \"%s\"", c->args[max]);
	return 0;
}

bool name_ok(const char *s, const char *what)
{
	const char *why = p2p_name_problem(s);

	if (why)
		err("invalid %s \"%s\": %s", what, s, why);
	return !why;
}

/* A secret goes to stdout: a regular file there must be private. */
int private_stdout(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) || !S_ISREG(st.st_mode) ||
	    !(st.st_mode & 077))
		return 0;
	if (fchmod(STDOUT_FILENO, st.st_mode & 0700)) {
		err("cannot make the output file private (mode 0600): %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}
