// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl export: share a directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"
#include "p2pctl.h"
#include "apply.h"
#include "model_nl.h"

#define MAX_USERS 256

struct export_args {
	const char *dir;
	const char *name;
	char namebuf[PATH_MAX];
	const char *users[MAX_USERS];
	uint8_t modes[MAX_USERS];
	int n_users;
};

/* USER, USER:ro or USER:rw; the colon is replaced by a NUL. */
static int user_spec(struct export_args *a, char *spec)
{
	char *colon = strchr(spec, ':');
	uint8_t mode = P2P_GRANT_RO;

	if (a->n_users == MAX_USERS)
		return usage_err(&cmd_export, "too many --user (at most %d)", MAX_USERS);
	if (colon && p2p_grant_parse(colon + 1, &mode))
		return usage_err(&cmd_export, "invalid --user \"%s\": use USER, USER:ro or USER:rw",
				 spec);
	if (colon)
		*colon = '\0';
	if (!name_ok(spec, "user name"))
		return 1;
	a->users[a->n_users] = spec;
	a->modes[a->n_users++] = mode;
	return 0;
}

/* The default name: the directory's last component. */
static int default_name(struct export_args *a)
{
	char *p, *path = realpath(a->dir, NULL);

	if (!path) {
		err("cannot export \"%s\": %s", a->dir, strerror(errno));
		return 1;
	}
	p = strrchr(path, '/');
	snprintf(a->namebuf, sizeof(a->namebuf), "%s", p ? p + 1 : path);
	free(path);
	if (!a->namebuf[0]) {
		err("cannot name the export of \"%s\": give --name NAME", a->dir);
		return 1;
	}
	a->name = a->namebuf;
	return 0;
}

enum { OPT_NAME = 0x100, OPT_USER };

static const struct option export_opts[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "user", required_argument, NULL, OPT_USER },
	CLI_OPTS_END
};

static int export_args(int argc, char **argv, struct export_args *a)
{
	static const char *const names[] = { "DIR" };
	struct cli c;
	int o;

	cli_init(&c, &cmd_export, argc, argv, "", export_opts);
	while ((o = cli_next(&c)) > 0) {
		if (o == OPT_NAME)
			a->name = optarg;
		else if (user_spec(a, optarg))
			return 1;
	}
	if (o == CLI_STOP || cli_nargs(&c, 1, 1, names))
		return 1;
	a->dir = c.args[0];
	if (!a->name && default_name(a))
		return 1;
	return name_ok(a->name, "export name") ? 0 : 1;
}

static int export_list(int argc, char **argv)
{
	struct cli c;

	cli_init(&c, &cmd_export, argc, argv, "", NULL);
	if (cli_no_options(&c) || cli_nargs(&c, 0, 0, NULL))
		return 1;
	return model_list_names(true);
}

/*
 * Opened for reading, not O_PATH: the module exports only a directory the
 * caller may read and search, and an O_PATH descriptor proves neither.
 */
static int open_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOTDIR)
		err("cannot export \"%s\": not a directory", dir);
	else if (errno == EACCES)
		err("cannot export \"%s\": cannot open it for reading: %s", dir,
		    strerror(errno));
	else
		err("cannot export \"%s\": %s", dir, strerror(errno));
	return fd;
}

static int export_main(int argc, char **argv)
{
	struct export_args a = { 0 };
	struct p2p_nl nl;
	int fd, ret;

	/* "list" first, before any option: a directory named list is ./list. */
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return export_list(argc - 1, argv + 1);
	if (export_args(argc, argv, &a))
		return 1;
	fd = open_dir(a.dir);
	if (fd < 0)
		return 1;
	ret = 1;
	if (!p2p_nl_open(&nl)) {
		ret = cp_do(&nl, export_msg(&nl, a.name, fd, a.users, a.modes, a.n_users),
			    "cannot export");
		p2p_nl_close(&nl);
	}
	close(fd);
	return ret;
}

const struct command cmd_export = {
	.name = "export",
	.main = export_main,
	.usage = "DIR [--name NAME] [--user USER[:ro|:rw]]... | list",
	.summary = "share a directory under a name, with grants; or list the exports",
	.help =
	"Share the directory DIR with peers under the name NAME.  p2pctl opens\n"
	"DIR for reading and hands the module the open directory, so the\n"
	"directory exported is the one named here, whatever happens to the path\n"
	"later.  The server starts listening with the first export (see p2pctl\n"
	"listen).\n"
	"\n"
	"p2pctl export list prints the exports' names, one a line, for scripts\n"
	"(p2pctl show has the details); a directory named list is ./list.\n"
	"\n"
	"Options:\n"
	"  --name NAME            the export's name in p2p:// URLs (default: the\n"
	"                         last component of DIR); 1-64 characters of\n"
	"                         A-Z a-z 0-9 . _ -, not . or ..\n"
	"  --user USER[:ro|:rw]   grant USER read-only (ro, the default) or\n"
	"                         read-write (rw) access; may be repeated.\n"
	"\n"
	"The export and its grants are created together: if any USER is\n"
	"unknown, nothing is created.  Refused if DIR is missing or not a\n"
	"directory, if you may not read and search it yourself, if NAME is\n"
	"taken, or if DIR is already exported.\n"
	"\n"
	"Examples:\n"
	"  p2pctl export /srv/music --user alice --user bob:rw\n"
	"  p2pctl export ~/photos --name pics\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
