// SPDX-License-Identifier: GPL-2.0
/*
 * What every p2pctl command shares: one-line errors, usage and help, the
 * name check, a private standard output for secrets.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model.h"
#include "p2pctl.h"

const char *prog = "p2pctl";
const char *err_context = "";

void verr(void *arg, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", prog, err_context);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(NULL, fmt, ap);
	va_end(ap);
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
