// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl load: make the module's state the one a file describes
 * (lib/conffile.h), as wg setconf.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "conffile.h"
#include "model_nl.h"
#include "p2pctl.h"
#include "p2pshare_proto.h"

static char ctx[4096 + 32];

static void at_line(const char *file, int line)
{
	snprintf(ctx, sizeof(ctx), "%s:%d: ", file, line);
	err_context = ctx;
}

/* The parser's refusals, "p2pctl: FILE:LINE: why". */
static void conf_err(void *arg, const char *fmt, va_list ap)
{
	const struct p2p_conf *c = arg;

	at_line(c->file, c->line);
	verr(NULL, fmt, ap);
}

/* Load replaces the state: first everything that is there goes. */
static int clear_state(struct p2p_nl *nl)
{
	struct p2p_model m;
	struct nl_msg *msg;
	int i, ret = 0;

	if (model_read(nl, &m, 0))
		return -1;
	for (i = 0; i < m.n_exports && !ret; i++) {
		msg = p2p_nl_msg(nl, P2P_CMD_EXPORT_DEL, 0);
		nla_put_string(msg, P2P_A_EXPORT_NAME, m.exports[i].name);
		ret = cp_do(nl, msg, "cannot remove the current exports");
	}
	for (i = 0; i < m.n_users && !ret; i++) {
		msg = p2p_nl_msg(nl, P2P_CMD_USER_DEL, 0);
		nla_put_string(msg, P2P_A_USER_NAME, m.users[i].name);
		ret = cp_do(nl, msg, "cannot remove the current users");
	}
	p2p_model_free(&m);
	return ret ? -1 : 0;
}

static int apply_host(struct p2p_nl *nl, const struct p2p_model *m)
{
	struct nl_msg *msg;

	if (m->has_hostkey) {
		msg = p2p_nl_msg(nl, P2P_CMD_HOSTKEY_SET, 0);
		nla_put(msg, P2P_A_HOSTKEY_PRIV, P2P_KEY_LEN, m->priv);
		if (cp_do(nl, msg, "cannot set the host key"))
			return -1;
	}
	if (listen_apply(nl, m->has_listen ? m->listen : NULL, true,
			 m->cipher ?: P2P_CIPHER_DEFAULT))
		return -1;
	return limits_apply(nl, m) ? -1 : 0;
}

static int apply(struct p2p_nl *nl, const char *file, const struct p2p_model *m)
{
	const struct p2p_model_export *e;
	int i;

	if (clear_state(nl) || apply_host(nl, m))
		return -1;
	for (i = 0; i < m->n_users; i++) {
		at_line(file, m->users[i].line);
		if (cp_do(nl, user_msg(nl, &m->users[i]), "cannot add the user"))
			return -1;
	}
	for (i = 0; i < m->n_exports; i++) {
		e = &m->exports[i];
		at_line(file, e->line);
		if (cp_do(nl, export_msg_of(nl, e), "cannot export"))
			return -1;
	}
	return 0;
}

static int restore_export(struct p2p_nl *nl, const struct p2p_model_export *e)
{
	struct p2p_model_export again = *e;
	struct stat st;
	int ret;

	/* Only the directory that was exported, never another at its path. */
	again.fd = open(e->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (again.fd < 0)
		return -1;
	if (fstat(again.fd, &st) || !e->has_dir_id || !p2p_model_is_dir(e, &st)) {
		err("cannot restore export \"%s\": \"%s\" is not its directory",
		    e->name, e->path);
		close(again.fd);
		return -1;
	}
	ret = cp_do(nl, export_msg_of(nl, &again), "cannot restore an export");
	close(again.fd);
	return ret;
}

/*
 * A load that the kernel refused half-way puts back the state it found,
 * so that a failed load changes nothing, like one refused while parsing.
 */
static void restore(struct p2p_nl *nl, const struct p2p_model *m)
{
	struct nl_msg *msg;
	int i;

	err_context = "";
	if (clear_state(nl))
		return;
	msg = p2p_nl_msg(nl, P2P_CMD_HOSTKEY_SET, 0);
	nla_put(msg, P2P_A_HOSTKEY_PRIV, P2P_KEY_LEN, m->priv);
	cp_do(nl, msg, "cannot restore the host key");
	listen_apply(nl, m->listen, true, m->cipher);
	limits_apply(nl, m);
	for (i = 0; i < m->n_users; i++)
		cp_do(nl, user_msg(nl, &m->users[i]), "cannot restore a user");
	for (i = 0; i < m->n_exports; i++)
		restore_export(nl, &m->exports[i]);
}

static int apply_or_restore(struct p2p_nl *nl, const char *file,
			    const struct p2p_model *m)
{
	struct p2p_model old;
	int ret;

	if (model_read(nl, &old, MODEL_PRIV))
		return -1;
	ret = apply(nl, file, m);
	if (ret)
		restore(nl, &old);
	p2p_model_free(&old);
	return ret;
}

static int load_main(int argc, char **argv)
{
	struct p2p_conf c = { .open_flags = O_RDONLY, .err = conf_err };
	struct p2p_model m = { 0 };
	struct p2p_nl nl;
	static const char *const names[] = { "FILE" };
	struct cli cl;
	FILE *f;
	int ret = 1;

	cli_init(&cl, &cmd_load, argc, argv, "", NULL);
	if (cli_no_options(&cl) || cli_nargs(&cl, 1, 1, names))
		return 1;
	c.file = cl.args[0];
	f = strcmp(c.file, "-") ? fopen(c.file, "re") : stdin;
	if (!f) {
		err("%s: %s", c.file, strerror(errno));
		return 1;
	}
	ret = p2p_conf_read(&c, f, &m) ? 1 : 0;
	if (f != stdin)
		fclose(f);
	err_context = "";
	if (ret || p2p_nl_open(&nl))
		goto out;
	ret = apply_or_restore(&nl, c.file, &m) ? 1 : 0;
	p2p_nl_close(&nl);
out:
	p2p_model_free(&m);
	return ret;
}

const struct command cmd_load = {
	.name = "load",
	.main = load_main,
	.usage = "FILE",
	.summary = "make this namespace's state the one a saved file describes",
	.help =
	"Make this namespace's state exactly the one FILE describes (FILE as\n"
	"written by p2pctl save; - for standard input), as wg setconf does.\n"
	"\n"
	"The whole file is checked first: syntax, names, keys, that every\n"
	"exported directory exists, is the one saved (its device and inode, if\n"
	"the line has dev= and ino=; lines without them, as older versions\n"
	"wrote, go by path alone) and is exported once, and that every grant\n"
	"names an export and a user of the file.  An error names FILE:LINE and\n"
	"changes nothing.  Then the current exports and users are removed\n"
	"(closing the peer connections that use them) and the file's host key,\n"
	"listener, users, exports and grants are set.  A file without a\n"
	"hostkey line keeps the current host key; without a listen line the\n"
	"listener returns to its default (every address, the default port,\n"
	"cipher aes-128-gcm), as it does without cipher on the line; a limit\n"
	"the file does not give (no limits line, as older versions wrote)\n"
	"keeps its current value.  Should the kernel refuse an item\n"
	"while applying, load names that item's line and puts back the state\n"
	"it found, so that a failed load changes nothing either.\n"
	"\n"
	"Example:\n"
	"  p2pctl save > state.conf; rmmod p2pshare; insmod p2pshare.ko\n"
	"  p2pctl load state.conf\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
