// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl apply: make this namespace's state the one a configuration file
 * describes (p2pshare.conf(5)), changing only what differs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "confdiff.h"
#include "conffile.h"
#include "model_nl.h"
#include "p2pctl.h"
#include "p2pshare_proto.h"

static char ctx[4096 + 32];
static const char *conf_file;

static void at_line(int line)
{
	if (line)
		snprintf(ctx, sizeof(ctx), "%s:%d: ", conf_file, line);
	err_context = line ? ctx : "";
}

/* The parser's refusals, "p2pctl: FILE:LINE: why". */
static void conf_err(void *arg, const char *fmt, va_list ap)
{
	const struct p2p_conf *c = arg;

	at_line(c->line);
	verr(NULL, fmt, ap);
}

static int read_conf(const char *file, struct p2p_model *m)
{
	struct p2p_conf c = { .file = file, .open_flags = O_RDONLY, .err = conf_err };
	FILE *f;
	int ret;

	f = strcmp(file, "-") ? fopen(file, "re") : stdin;
	if (!f) {
		err("%s: %s", file, strerror(errno));
		return -1;
	}
	ret = p2p_conf_read(&c, f, m);
	if (f != stdin)
		fclose(f);
	err_context = "";
	return ret;
}

/* The port a listener without one gets: the module parameter port=. */
static uint16_t default_port(void)
{
	FILE *f = fopen("/sys/module/p2pshare/parameters/port", "re");
	unsigned int port = 0;

	if (f) {
		if (fscanf(f, "%u", &port) != 1)
			port = 0;
		fclose(f);
	}
	return port && port <= 65535 ? port : P2P_PORT;
}

static struct nl_msg *name_msg(struct p2p_nl *nl, int cmd, const char *export,
			       const char *user)
{
	struct nl_msg *msg = p2p_nl_msg(nl, cmd, 0);

	if (export)
		nla_put_string(msg, P2P_A_EXPORT_NAME, export);
	if (user)
		nla_put_string(msg, P2P_A_USER_NAME, user);
	return msg;
}

static int limit_set(struct p2p_nl *nl, const struct p2p_change *c)
{
	struct nl_msg *msg = p2p_nl_msg(nl, P2P_CMD_LIMITS_SET, 0);

	nla_put_u32(msg, p2p_limit_info[c->limit].attr, c->value);
	return cp_do(nl, msg, "cannot set the limit");
}

static int hostkey_set(struct p2p_nl *nl, const struct p2p_model *want)
{
	struct nl_msg *msg = p2p_nl_msg(nl, P2P_CMD_HOSTKEY_SET, 0);

	nla_put(msg, P2P_A_HOSTKEY_PRIV, P2P_KEY_LEN, want->priv);
	return cp_do(nl, msg, "cannot set the host key");
}

static int user_set(struct p2p_nl *nl, const struct p2p_model_user *u)
{
	struct nl_msg *msg = name_msg(nl, P2P_CMD_USER_SET, NULL, u->name);

	nla_put(msg, P2P_A_USER_PUBKEY, P2P_KEY_LEN, u->pubkey);
	nla_put_u32(msg, P2P_A_USER_UID, u->uid);
	nla_put_u32(msg, P2P_A_USER_GID, u->gid);
	return cp_do(nl, msg, "cannot change the user");
}

static int grant_set(struct p2p_nl *nl, const struct p2p_change *c)
{
	struct nl_msg *msg = name_msg(nl, P2P_CMD_GRANT_SET, c->export->name,
				      c->grant_user);

	nla_put_u8(msg, P2P_A_GRANT_MODE, c->mode);
	return cp_do(nl, msg, "cannot grant");
}

static int export_new(struct p2p_nl *nl, const struct p2p_model_export *e)
{
	if (e->fd < 0) {
		err("cannot export \"%s\": \"%s\" is no longer its directory",
		    e->name, e->path);
		return 1;
	}
	return cp_do(nl, export_msg_of(nl, e), "cannot export");
}

/* One change's request; 0, or 1 after a message. */
static int run_change(struct p2p_nl *nl, const struct p2p_model *want,
		      const struct p2p_change *c)
{
	switch (c->kind) {
	case P2P_CH_HOSTKEY:
		return hostkey_set(nl, want);
	case P2P_CH_LISTEN:
		return listen_apply(nl, want->has_listen ? want->listen : NULL, true, 0);
	case P2P_CH_CIPHER:
		return listen_apply(nl, NULL, false, want->cipher ?: P2P_CIPHER_DEFAULT);
	case P2P_CH_LIMIT:
		return limit_set(nl, c);
	case P2P_CH_GRANT_DEL:
		return cp_do(nl, name_msg(nl, P2P_CMD_GRANT_DEL, c->export->name,
					  c->grant_user), "cannot revoke");
	case P2P_CH_EXPORT_DEL:
		return cp_do(nl, name_msg(nl, P2P_CMD_EXPORT_DEL, c->export->name, NULL),
			     "cannot unexport");
	case P2P_CH_USER_NEW:
		return cp_do(nl, user_msg(nl, c->user), "cannot add the user");
	case P2P_CH_USER_SET:
		return user_set(nl, c->user);
	case P2P_CH_EXPORT_NEW:
		return export_new(nl, c->export);
	case P2P_CH_GRANT_SET:
		return grant_set(nl, c);
	case P2P_CH_USER_DEL:
		return cp_do(nl, name_msg(nl, P2P_CMD_USER_DEL, NULL, c->user->name),
			     "cannot remove the user");
	}
	return 1;
}

/*
 * Make the changes in their order; stop at the first the module refuses.
 * 0, or 1 after a message naming its line.
 */
static int run_diff(struct p2p_nl *nl, const struct p2p_model *want,
		    const struct p2p_diff *d)
{
	int i;

	for (i = 0; i < d->n; i++) {
		at_line(d->v[i].line);
		if (d->v[i].send && run_change(nl, want, &d->v[i]))
			return 1;
		err_context = "";
	}
	return 0;
}

static void print_diff(const struct p2p_diff *d)
{
	int i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].text)
			printf("%s\n", d->v[i].text);
}

/* The exports of a state read from the module, reopened to be made again. */
static void reopen_exports(struct p2p_model *m)
{
	struct p2p_model_export *e;
	struct stat st;
	int i;

	for (i = 0; i < m->n_exports; i++) {
		e = &m->exports[i];
		e->fd = open(e->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (e->fd >= 0 && (fstat(e->fd, &st) || !p2p_model_is_dir(e, &st))) {
			close(e->fd);
			e->fd = -1;
		}
	}
}

/*
 * After a refusal part-way: the steps from where it stopped back to old,
 * silent unless one fails (the refusal was the one line to say).
 */
static void roll_back(struct p2p_nl *nl, struct p2p_model *old)
{
	struct p2p_model now;
	struct p2p_diff d;
	int ret = -1, i;

	/* Its steps are not the file's lines. */
	err_context = "";
	reopen_exports(old);
	if (model_read(nl, &now, MODEL_PRIV))
		goto out;
	if (!p2p_conf_diff(&now, old, default_port(), &d))
		for (ret = 0, i = 0; i < d.n; i++)
			if (d.v[i].send && run_change(nl, old, &d.v[i]))
				ret = -1;
	p2p_diff_free(&d);
	p2p_model_free(&now);
out:
	err_context = "";
	if (ret)
		err("the state before apply could not be put back entirely");
}

static int apply_state(struct p2p_nl *nl, const struct p2p_model *want, bool dry_run)
{
	struct p2p_model cur;
	struct p2p_diff d;
	int ret = 1;

	if (model_read(nl, &cur, MODEL_PRIV))
		return 1;
	if (p2p_conf_diff(&cur, want, default_port(), &d)) {
		err("out of memory");
	} else if (!d.n) {
		printf("no change\n");
		ret = 0;
	} else if (dry_run) {
		print_diff(&d);
		ret = 0;
	} else {
		/* Printed once made: a refused apply is undone and says one line. */
		ret = run_diff(nl, want, &d);
		if (ret)
			roll_back(nl, &cur);
		else
			print_diff(&d);
	}
	p2p_diff_free(&d);
	p2p_model_free(&cur);
	return ret;
}

int apply_file_main(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		CLI_OPTS_END
	};
	static const char *const names[] = { "FILE" };
	struct p2p_model want = { 0 };
	bool dry_run = false;
	struct p2p_nl nl;
	struct cli c;
	int opt, ret = 1;

	cli_init(&c, cmd, argc, argv, "n", opts);
	while ((opt = cli_next(&c)) > 0)
		dry_run = true;		/* 'n', the only option */
	if (opt == CLI_STOP || cli_nargs(&c, 1, 1, names))
		return 1;
	conf_file = c.args[0];
	if (read_conf(conf_file, &want) || p2p_nl_open(&nl))
		goto out;
	ret = apply_state(&nl, &want, dry_run);
	p2p_nl_close(&nl);
out:
	p2p_model_free(&want);
	return ret;
}

static int apply_main(int argc, char **argv)
{
	return apply_file_main(&cmd_apply, argc, argv);
}

const struct command cmd_apply = {
	.name = "apply",
	.main = apply_main,
	.usage = "[--dry-run] FILE",
	.summary = "make the state the one a configuration file describes",
	.help =
	"Make this network namespace's state equal to FILE (p2pshare.conf(5);\n"
	"- for standard input): add, remove and change users, exports, grants,\n"
	"the listener, the limits and the host key so that they are what FILE\n"
	"says, and touch nothing else.  Each change made is printed as a line:\n"
	"  + user alice            - export old\n"
	"  ~ grant music bob ro -> rw\n"
	"and \"no change\" when the state already is the file's, so applying the\n"
	"same file twice changes nothing the second time.\n"
	"\n"
	"The whole file is checked before the first change: syntax, names,\n"
	"keys (host key file included), that every exported directory opens and\n"
	"is exported once, that every grant names an export and a user of the\n"
	"file.  An error names FILE:LINE and changes nothing.  The changes are\n"
	"made in an order that keeps every step consistent (users before the\n"
	"exports that grant them, exports removed before their users).  Should\n"
	"the module refuse one part-way, apply names its line, makes the steps\n"
	"back to the state it found and exits 1.\n"
	"\n"
	"What the file does not say stays: the host key without a hostkey line,\n"
	"a limit its limits line does not name.  Without a listen line, or\n"
	"without a port or cipher on it, the listener takes every address, the\n"
	"module's port and cipher aes-128-gcm.\n"
	"\n"
	"  -n, --dry-run   print the changes, one a line, and make none\n"
	"\n"
	"Example:\n"
	"  p2pctl apply --dry-run /etc/p2pshare/p2pshare.conf\n"
	"  p2pctl apply /etc/p2pshare/p2pshare.conf\n"
	"\n"
	"Exit status: 0 (also when nothing changed), or 1 with a one-line reason\n"
	"on stderr.\n",
};
