// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl export, unexport, grant, revoke.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"
#include "p2pctl.h"
#include "snapshot.h"

#define MAX_USERS 256

struct export_args {
	const char *dir;
	const char *name;
	char namebuf[PATH_MAX];
	const char *users[MAX_USERS];
	uint8_t modes[MAX_USERS];
	int n_users;
};

static int parse_mode(const char *s, uint8_t *mode)
{
	if (!strcmp(s, "ro"))
		*mode = P2P_GRANT_RO;
	else if (!strcmp(s, "rw"))
		*mode = P2P_GRANT_RW;
	else
		return -1;
	return 0;
}

/* USER, USER:ro or USER:rw; the colon is replaced by a NUL. */
static int user_spec(struct export_args *a, char *spec)
{
	char *colon = strchr(spec, ':');
	uint8_t mode = P2P_GRANT_RO;

	if (a->n_users == MAX_USERS)
		return usage_err(&cmd_export, "too many --user (at most %d)", MAX_USERS);
	if (colon && parse_mode(colon + 1, &mode))
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

static int export_args(int argc, char **argv, struct export_args *a)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--name") || !strcmp(argv[i], "--user")) {
			if (!val)
				return usage_err(&cmd_export, "%s needs a value", argv[i]);
			if (argv[i][2] == 'n')
				a->name = val;
			else if (user_spec(a, argv[i + 1]))
				return 1;
			i++;
		} else if (argv[i][0] == '-' || a->dir) {
			return usage_err(&cmd_export, "unknown argument \"%s\"", argv[i]);
		} else {
			a->dir = argv[i];
		}
	}
	if (!a->dir)
		return usage_err(&cmd_export, "missing DIR");
	if (!a->name && default_name(a))
		return 1;
	return name_ok(a->name, "export name") ? 0 : 1;
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

struct nl_msg *export_msg(struct p2p_nl *nl, const char *name, int fd,
			  const char *const *users, const uint8_t *modes, int n)
{
	struct nl_msg *msg = p2p_nl_msg(nl, P2P_CMD_EXPORT_NEW, 0);
	struct nlattr *nest;
	int i;

	nla_put_string(msg, P2P_A_EXPORT_NAME, name);
	nla_put_u32(msg, P2P_A_EXPORT_FD, fd);
	for (i = 0; i < n; i++) {
		nest = nla_nest_start(msg, P2P_A_GRANT | NLA_F_NESTED);
		nla_put_string(msg, P2P_GRANT_A_USER, users[i]);
		nla_put_u8(msg, P2P_GRANT_A_MODE, modes[i]);
		nla_nest_end(msg, nest);
	}
	return msg;
}

static int export_main(int argc, char **argv)
{
	struct export_args a = { 0 };
	struct p2p_nl nl;
	int fd, ret;

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
	.usage = "DIR [--name NAME] [--user USER[:ro|:rw]]...",
	.help =
	"Share the directory DIR with peers under the name NAME.  p2pctl opens\n"
	"DIR for reading and hands the module the open directory, so the\n"
	"directory exported is the one named here, whatever happens to the path\n"
	"later.  The server starts listening with the first export (see p2pctl\n"
	"listen).\n"
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

static int name_cmd(const struct command *cmd, int argc, char **argv, int nargs,
		    uint8_t mode, int op, const char *what)
{
	struct nl_msg *msg;
	struct p2p_nl nl;
	int ret;

	if (argc - 1 < nargs)
		return usage_err(cmd, "missing %s", nargs == 1 || argc == 1 ? "NAME" : "USER");
	if (argc - 1 > nargs)
		return usage_err(cmd, "unexpected argument \"%s\"", argv[nargs + 1]);
	if (!name_ok(argv[1], "export name") ||
	    (nargs > 1 && !name_ok(argv[2], "user name")) || p2p_nl_open(&nl))
		return 1;
	msg = p2p_nl_msg(&nl, op, 0);
	nla_put_string(msg, P2P_A_EXPORT_NAME, argv[1]);
	if (nargs > 1)
		nla_put_string(msg, P2P_A_USER_NAME, argv[2]);
	if (mode)
		nla_put_u8(msg, P2P_A_GRANT_MODE, mode);
	ret = cp_do(&nl, msg, what);
	p2p_nl_close(&nl);
	return ret;
}

static int unexport_main(int argc, char **argv)
{
	return name_cmd(&cmd_unexport, argc, argv, 1, 0, P2P_CMD_EXPORT_DEL,
			"cannot unexport");
}

const struct command cmd_unexport = {
	.name = "unexport",
	.main = unexport_main,
	.usage = "NAME",
	.help =
	"Stop sharing the export NAME: its grants go with it, and the peer\n"
	"connections that used it are closed.  The directory itself is not\n"
	"touched.  With the last export gone the server stops listening.\n"
	"\n"
	"Example:\n"
	"  p2pctl unexport music\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};

static int grant_main(int argc, char **argv)
{
	uint8_t mode = P2P_GRANT_RO;

	if (argc > 4)
		return usage_err(&cmd_grant, "unexpected argument \"%s\"", argv[4]);
	if (argc == 4 && parse_mode(argv[3], &mode))
		return usage_err(&cmd_grant, "invalid mode \"%s\" (use ro or rw)", argv[3]);
	if (argc == 4)
		argc--;
	return name_cmd(&cmd_grant, argc, argv, 2, mode, P2P_CMD_GRANT_SET,
			"cannot grant");
}

const struct command cmd_grant = {
	.name = "grant",
	.main = grant_main,
	.usage = "NAME USER [ro|rw]",
	.help =
	"Let USER access the export NAME, read-only (ro, the default) or\n"
	"read-write (rw).  If USER already has a grant on NAME, its mode\n"
	"changes.  Both must exist.\n"
	"\n"
	"Examples:\n"
	"  p2pctl grant music alice\n"
	"  p2pctl grant music bob rw\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};

static int revoke_main(int argc, char **argv)
{
	return name_cmd(&cmd_revoke, argc, argv, 2, 0, P2P_CMD_GRANT_DEL,
			"cannot revoke");
}

const struct command cmd_revoke = {
	.name = "revoke",
	.main = revoke_main,
	.usage = "NAME USER",
	.help =
	"Take away USER's grant on the export NAME.  Requests USER makes on\n"
	"NAME fail from then on.\n"
	"\n"
	"Example:\n"
	"  p2pctl revoke music bob\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
