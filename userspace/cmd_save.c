// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl save: the module's state as the text file p2pctl apply and p2pd
 * read (lib/conffile.h, p2pshare.conf(5)), as wg showconf.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conffile.h"
#include "model_nl.h"
#include "p2pctl.h"

__attribute__((format(printf, 2, 3)))
static int bad_export(const struct p2p_model_export *e, const char *fmt, ...)
{
	char msg[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err("cannot save export \"%s\": %s", e->name, msg);
	return -1;
}

/*
 * The module reports the directory's path from this mount namespace's
 * root, but for a directory exported from another mount namespace (ip
 * netns exec gives each command one of its own) the path may name another
 * directory here: "/" for a mount point.  Save only a path that names the
 * exported directory itself, checked by device and inode; load checks them
 * again.
 */
static int savable_export(const struct p2p_model_export *e)
{
	const char *elsewhere = e->reachable ? "" :
		"it was exported from another mount namespace (ip netns exec?) and ";
	struct stat st;
	int fd;

	if (strchr(e->path, '\n') || strstr(e->path, " (deleted)"))
		return bad_export(e, "its path \"%s\" cannot be written or was deleted",
				  e->path);
	if (!e->has_dir_id)
		return bad_export(e, "the module does not report which directory "
				  "\"%s\" is (older than p2pctl?)", e->path);
	fd = open(e->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		bad_export(e, "%s\"%s\": %s", elsewhere, e->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (!p2p_model_is_dir(e, &st))
		return bad_export(e, "%s\"%s\" names another directory %s", elsewhere,
				  e->path, e->reachable ? "now (a mount over it?)" : "here");
	return 0;
}

static int savable(const struct p2p_model *m)
{
	int i;

	for (i = 0; i < m->n_exports; i++)
		if (savable_export(&m->exports[i]))
			return -1;
	return 0;
}

static int save_main(int argc, char **argv)
{
	struct p2p_model m;
	struct p2p_nl nl;
	struct cli c;
	int ret;

	cli_init(&c, &cmd_save, argc, argv, "", NULL);
	if (cli_no_options(&c))
		return 1;
	if (c.nargs)
		return usage_err(&cmd_save, "unexpected argument \"%s\" (the state goes to "
				 "standard output)", c.args[0]);
	if (private_stdout() || p2p_nl_open(&nl))
		return 1;
	ret = model_read(&nl, &m, MODEL_PRIV);
	p2p_nl_close(&nl);
	if (ret)
		return 1;
	ret = savable(&m);
	if (!ret)
		p2p_conf_write(stdout, &m);
	p2p_model_free(&m);
	if (ret || fflush(stdout)) {
		if (!ret)
			err("cannot write the state: %s", strerror(errno));
		return 1;
	}
	return 0;
}

const struct command cmd_save = {
	.name = "save",
	.main = save_main,
	.usage = "> FILE",
	.summary = "write the whole state, private host key included, for apply",
	.help =
	"Write this namespace's whole state to standard output in the format\n"
	"p2pctl apply reads (p2pshare.conf(5)): the host's private key, the\n"
	"listener, the limits, users, exports (by path, device and inode) and\n"
	"grants; applied to the same state it changes nothing.  Because the file\n"
	"holds the private key, a regular file on standard output is made mode\n"
	"0600 first.\n"
	"\n"
	"An export is saved only if its path names the exported directory from\n"
	"this mount namespace (same device and inode).  A directory exported\n"
	"from another mount namespace, such as the private one of ip netns\n"
	"exec, may have a path that names another directory here (\"/\" for a\n"
	"mount point): then save writes nothing, names the export and fails.\n"
	"\n"
	"Format, one item per line ('#' starts a comment line):\n"
	"  hostkey PRIVATE-KEY-BASE64 | hostkey file PATH\n"
	"  listen [ADDR][:PORT] [cipher CIPHER]\n"
	"                                  (* for every address; CIPHER:\n"
	"                                  aes-128-gcm or chacha20-poly1305)\n"
	"  limits NAME VALUE [NAME VALUE]...\n"
	"                                  (max_conns, max_user_conns,\n"
	"                                  auth_burst, idle_timeout; see\n"
	"                                  p2pctl limits)\n"
	"  user NAME PUBLIC-KEY-BASE64 [UID GID]\n"
	"  export NAME [dev=MAJOR:MINOR ino=INODE] PATH\n"
	"                                  (PATH: the rest of the line)\n"
	"  grant EXPORT USER ro|rw\n"
	"  saveconfig yes|no               (for p2pshare.service)\n"
	"\n"
	"Example:\n"
	"  p2pctl save > /etc/p2pshare/p2pshare.conf\n"
	"  p2pctl apply --dry-run /etc/p2pshare/p2pshare.conf\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
