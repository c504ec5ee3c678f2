// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl save, load: the whole state as a text file, as wg showconf/setconf.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <sodium.h>

#include "keys.h"
#include "nl.h"
#include "p2pctl.h"
#include "p2pshare_proto.h"
#include "snapshot.h"

#define MAX_ITEMS 4096

__attribute__((format(printf, 2, 3)))
static int bad_export(const struct snap_export *e, const char *fmt, ...)
{
	char msg[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err("cannot save export \"%s\": %s", e->name, msg);
	return -1;
}

static void save(const struct snapshot *s)
{
	char b64[KEY_B64_LEN], c[8];
	int i, j;

	printf("# p2pshare state, written by p2pctl save; read back with p2pctl load\n");
	key_to_b64(b64, s->priv);
	printf("hostkey %s\n", b64);
	sodium_memzero(b64, sizeof(b64));
	printf("listen %s", s->listen);
	if (s->cipher)
		printf(" cipher %s", cipher_label(s->cipher, c));
	printf("\n");
	for (i = 0; i < s->n_users; i++) {
		key_to_b64(b64, s->users[i].pubkey);
		printf("user %s %s %u %u\n", s->users[i].name, b64,
		       s->users[i].uid, s->users[i].gid);
	}
	for (i = 0; i < s->n_exports; i++)
		printf("export %s dev=%u:%u ino=%" PRIu64 " %s\n", s->exports[i].name,
		       s->exports[i].dev_major, s->exports[i].dev_minor,
		       s->exports[i].ino, s->exports[i].path);
	for (i = 0; i < s->n_exports; i++)
		for (j = 0; j < s->exports[i].n_grants; j++)
			printf("grant %s %s %s\n", s->exports[i].name,
			       s->exports[i].grants[j].user,
			       mode_name(s->exports[i].grants[j].mode));
}

static bool same_dir(const struct stat *st, uint32_t major_, uint32_t minor_,
		     uint64_t ino)
{
	return major(st->st_dev) == major_ && minor(st->st_dev) == minor_ &&
	       st->st_ino == ino;
}

/*
 * The module reports the directory's path from this mount namespace's
 * root, but for a directory exported from another mount namespace (ip
 * netns exec gives each command one of its own) the path may name another
 * directory here: "/" for a mount point.  Save only a path that names the
 * exported directory itself, checked by device and inode; load checks them
 * again.
 */
static int savable_export(const struct snap_export *e)
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
	if (!same_dir(&st, e->dev_major, e->dev_minor, e->ino))
		return bad_export(e, "%s\"%s\" names another directory %s", elsewhere,
				  e->path, e->reachable ? "now (a mount over it?)" : "here");
	return 0;
}

static int savable(const struct snapshot *s)
{
	int i;

	for (i = 0; i < s->n_exports; i++)
		if (savable_export(&s->exports[i]))
			return -1;
	return 0;
}

static int save_main(int argc, char **argv)
{
	struct snapshot snap;
	struct p2p_nl nl;
	int ret;

	if (argc > 1)
		return usage_err(&cmd_save, "unexpected argument \"%s\" (the state goes to "
				 "standard output)", argv[1]);
	if (private_stdout() || p2p_nl_open(&nl))
		return 1;
	ret = snapshot_read(&nl, &snap, SNAP_PRIV);
	p2p_nl_close(&nl);
	if (ret)
		return 1;
	ret = savable(&snap);
	if (!ret)
		save(&snap);
	snapshot_free(&snap);
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
	.help =
	"Write this namespace's whole state to standard output as text that\n"
	"p2pctl load reads back: the host's private key, the listener, users,\n"
	"exports (by path, device and inode) and grants.  Because the file\n"
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
	"  hostkey PRIVATE-KEY-BASE64\n"
	"  listen [ADDR][:PORT] [cipher CIPHER]\n"
	"                                  (* for every address; CIPHER:\n"
	"                                  aes-128-gcm or chacha20-poly1305)\n"
	"  user NAME PUBLIC-KEY-BASE64 UID GID\n"
	"  export NAME [dev=MAJOR:MINOR ino=INODE] PATH\n"
	"                                  (PATH: the rest of the line)\n"
	"  grant EXPORT USER ro|rw\n"
	"\n"
	"Example:\n"
	"  p2pctl save > /etc/p2pshare.conf\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};

struct cfg_user {
	char *name, *pubkey;
	uint32_t uid, gid;
	int line;
};

struct cfg_grant {
	char *export, *user;
	uint8_t mode;
	int line;
};

struct cfg_export {
	char *name, *path;
	int fd, line;
	dev_t dev;
	ino_t ino;
	bool has_saved;			/* dev= and ino= on the line */
	uint32_t saved_major, saved_minor;
	uint64_t saved_ino;
	const char *users[MAX_ITEMS];
	uint8_t modes[MAX_ITEMS];
	int n_grants;
};

struct config {
	const char *file;
	int line;
	bool has_hostkey, has_listen;
	uint8_t hostkey[P2P_KEY_LEN];
	char *listen;
	uint16_t cipher;		/* 0: the default */
	struct cfg_user users[MAX_ITEMS];
	int n_users;
	struct cfg_export *exports[MAX_ITEMS];
	int n_exports;
	struct cfg_grant grants[MAX_ITEMS];
	int n_grants;
};

static char ctx[4096 + 32];

static void at_line(struct config *c, int line)
{
	snprintf(ctx, sizeof(ctx), "%s:%d: ", c->file, line);
	err_context = ctx;
}

static int bad(const char *fmt, const char *arg)
{
	err(fmt, arg);
	return -1;
}

static struct cfg_user *cfg_user(struct config *c, const char *name)
{
	int i;

	for (i = 0; i < c->n_users; i++)
		if (!strcmp(c->users[i].name, name))
			return &c->users[i];
	return NULL;
}

static struct cfg_export *cfg_export(struct config *c, const char *name)
{
	int i;

	for (i = 0; i < c->n_exports; i++)
		if (!strcmp(c->exports[i]->name, name))
			return c->exports[i];
	return NULL;
}

static int check_name(const char *name, const char *what)
{
	return name_ok(name, what) ? 0 : -1;
}

static int parse_hostkey(struct config *c, char **tok, int n)
{
	const char *why;

	if (n != 2 || c->has_hostkey)
		return bad("%s", n != 2 ? "use: hostkey PRIVATE-KEY" : "a second hostkey");
	why = key_from_b64(c->hostkey, tok[1]);
	if (why)
		return bad("invalid host key: %s", why);
	c->has_hostkey = true;
	return 0;
}

static int parse_listen(struct config *c, char **tok, int n)
{
	struct nl_msg *scratch;
	int ret;

	if ((n != 2 && n != 4) || (n == 4 && strcmp(tok[2], "cipher")))
		return bad("%s", "use: listen [ADDR][:PORT] [cipher CIPHER]");
	if (c->has_listen)
		return bad("%s", "a second listen");
	if (n == 4 && cipher_one(tok[3], "the listen line", &c->cipher))
		return -1;
	scratch = nlmsg_alloc();
	if (!scratch)
		return bad("%s", "out of memory");
	ret = listen_parse(tok[1], scratch);
	nlmsg_free(scratch);
	c->listen = tok[1];
	c->has_listen = true;
	return ret;
}

static int parse_user(struct config *c, char **tok, int n)
{
	struct cfg_user *u = &c->users[c->n_users];
	uint8_t key[P2P_KEY_LEN];
	const char *why;

	if (n != 5)
		return bad("%s", "use: user NAME PUBLIC-KEY UID GID");
	/* Before anything is written through u, which is one past the end. */
	if (c->n_users == MAX_ITEMS)
		return bad("%s", "too many users");
	if (check_name(tok[1], "user name"))
		return -1;
	if (cfg_user(c, tok[1]))
		return bad("user \"%s\" appears twice", tok[1]);
	why = key_from_b64(key, tok[2]);
	if (why)
		return bad("invalid public key: %s", why);
	if (parse_u32(tok[3], &u->uid) || u->uid == UINT32_MAX)
		return bad("invalid uid \"%s\"", tok[3]);
	if (parse_u32(tok[4], &u->gid) || u->gid == UINT32_MAX)
		return bad("invalid gid \"%s\"", tok[4]);
	u->name = tok[1];
	u->pubkey = tok[2];
	u->line = c->line;
	c->n_users++;
	return 0;
}

/* The directory must still be the one saved, if the line says which. */
static int check_saved(const struct cfg_export *e, const struct stat *st)
{
	if (!e->has_saved || same_dir(st, e->saved_major, e->saved_minor, e->saved_ino))
		return 0;
	err("\"%s\" is not the directory saved (dev %u:%u ino %" PRIu64 "; now dev "
	    "%u:%u ino %" PRIu64 "): if that is meant, remove dev= and ino= from the line",
	    e->path, e->saved_major, e->saved_minor, e->saved_ino,
	    major(st->st_dev), minor(st->st_dev), (uint64_t)st->st_ino);
	return -1;
}

static int open_export(struct config *c, struct cfg_export *e)
{
	struct stat st;
	int i;

	e->fd = open(e->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (e->fd < 0 || fstat(e->fd, &st)) {
		err("\"%s\": %s", e->path,
		    errno == ENOTDIR ? "not a directory" : strerror(errno));
		return -1;
	}
	if (check_saved(e, &st))
		return -1;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	for (i = 0; c->exports[i] != e; i++)
		if (c->exports[i]->dev == e->dev && c->exports[i]->ino == e->ino)
			return bad("directory already exported as \"%s\"", c->exports[i]->name);
	return 0;
}

#define EXPORT_USE "use: export NAME [dev=MAJOR:MINOR ino=INODE] PATH"

/* Cut the space-ended token off *S; NULL if there is no space. */
static char *token(char **s)
{
	char *t = *s, *sp = strchr(t, ' ');

	if (!sp)
		return NULL;
	*sp = '\0';
	*s = sp + 1;
	return t;
}

/* "dev=MAJOR:MINOR ino=INODE " before the path (save writes them). */
static int parse_saved(struct cfg_export *e, char **path)
{
	char *dev, *ino, *colon;

	if (strncmp(*path, "dev=", 4))
		return 0;
	dev = token(path);
	ino = dev ? token(path) : NULL;
	if (!ino || !**path || strncmp(ino, "ino=", 4))
		return bad("%s", EXPORT_USE);
	colon = strchr(dev, ':');
	if (colon)
		*colon = '\0';
	if (!colon || parse_u32(dev + 4, &e->saved_major) ||
	    parse_u32(colon + 1, &e->saved_minor) || parse_u64(ino + 4, &e->saved_ino))
		return bad("%s", EXPORT_USE);
	e->has_saved = true;
	return 0;
}

/*
 * "export NAME [dev=MAJOR:MINOR ino=INODE] PATH": PATH is the rest of the
 * line, spaces and all.  Files of older versions have no dev= and ino=.
 */
static int parse_export(struct config *c, char *line)
{
	struct cfg_export *e;
	char *name, *path;

	name = line + strlen("export ");
	path = strchr(name, ' ');
	if (!path || !path[1])
		return bad("%s", EXPORT_USE);
	*path++ = '\0';
	if (check_name(name, "export name"))
		return -1;
	if (cfg_export(c, name))
		return bad("export \"%s\" appears twice", name);
	if (c->n_exports == MAX_ITEMS)
		return bad("%s", "too many exports");
	e = calloc(1, sizeof(*e));
	if (e)
		e->fd = -1;
	if (!e)
		return bad("%s", "out of memory");
	e->name = name;
	e->line = c->line;
	c->exports[c->n_exports++] = e;
	if (parse_saved(e, &path))
		return -1;
	e->path = path;
	return open_export(c, e);
}

static int parse_grant(struct config *c, char **tok, int n)
{
	struct cfg_grant *g = &c->grants[c->n_grants];

	if (n != 4 || (strcmp(tok[3], "ro") && strcmp(tok[3], "rw")))
		return bad("%s", "use: grant EXPORT USER ro|rw");
	if (check_name(tok[1], "export name") || check_name(tok[2], "user name"))
		return -1;
	if (c->n_grants == MAX_ITEMS)
		return bad("%s", "too many grants");
	g->export = tok[1];
	g->user = tok[2];
	g->mode = strcmp(tok[3], "rw") ? P2P_GRANT_RO : P2P_GRANT_RW;
	g->line = c->line;
	c->n_grants++;
	return 0;
}

static int split(char *s, char **tok, int max)
{
	int n = 0;
	char *save;

	for (s = strtok_r(s, " \t", &save); s && n < max; s = strtok_r(NULL, " \t", &save))
		tok[n++] = s;
	return s ? max + 1 : n;
}

static int parse_line(struct config *c, char *line)
{
	char *tok[6], *copy;
	int n;

	if (!line[0] || line[0] == '#')
		return 0;
	if (!strncmp(line, "export ", 7))
		return parse_export(c, line);
	copy = line;
	n = split(copy, tok, 5);
	if (!n)
		return 0;
	if (!strcmp(tok[0], "hostkey"))
		return parse_hostkey(c, tok, n);
	if (!strcmp(tok[0], "listen"))
		return parse_listen(c, tok, n);
	if (!strcmp(tok[0], "user"))
		return parse_user(c, tok, n);
	if (!strcmp(tok[0], "grant"))
		return parse_grant(c, tok, n);
	return bad("unknown keyword \"%s\"", tok[0]);
}

/* Every grant names an export and a user of the file, once. */
static int attach_grants(struct config *c)
{
	struct cfg_export *e;
	int i, j;

	for (i = 0; i < c->n_grants; i++) {
		struct cfg_grant *g = &c->grants[i];

		at_line(c, g->line);
		e = cfg_export(c, g->export);
		if (!e)
			return bad("export \"%s\" is not in the file", g->export);
		if (!cfg_user(c, g->user))
			return bad("user \"%s\" is not in the file", g->user);
		for (j = 0; j < e->n_grants; j++)
			if (!strcmp(e->users[j], g->user))
				return bad("user \"%s\" granted twice", g->user);
		e->users[e->n_grants] = g->user;
		e->modes[e->n_grants++] = g->mode;
	}
	return 0;
}

static int parse_file(struct config *c, FILE *f, char **lines)
{
	size_t cap = 0;
	ssize_t len;
	char *line = NULL;

	while ((len = getline(&line, &cap, f)) >= 0) {
		c->line++;
		at_line(c, c->line);
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strlen(line) != (size_t)len) {
			free(line);
			return bad("%s", "a NUL byte in the line");
		}
		*lines++ = line;
		if (parse_line(c, line))
			return -1;
		line = NULL;
		cap = 0;
		if (c->line == MAX_ITEMS * 4)
			return bad("%s", "too many lines");
	}
	free(line);
	return attach_grants(c);
}

/* Load replaces the state: first everything that is there goes. */
static int clear_state(struct p2p_nl *nl)
{
	struct snapshot s;
	struct nl_msg *msg;
	int i, ret = 0;

	if (snapshot_read(nl, &s, 0))
		return -1;
	for (i = 0; i < s.n_exports && !ret; i++) {
		msg = p2p_nl_msg(nl, P2P_CMD_EXPORT_DEL, 0);
		nla_put_string(msg, P2P_A_EXPORT_NAME, s.exports[i].name);
		ret = cp_do(nl, msg, "cannot remove the current exports");
	}
	for (i = 0; i < s.n_users && !ret; i++) {
		msg = p2p_nl_msg(nl, P2P_CMD_USER_DEL, 0);
		nla_put_string(msg, P2P_A_USER_NAME, s.users[i].name);
		ret = cp_do(nl, msg, "cannot remove the current users");
	}
	snapshot_free(&s);
	return ret ? -1 : 0;
}

static int apply_host(struct p2p_nl *nl, struct config *c)
{
	struct nl_msg *msg;

	if (c->has_hostkey) {
		msg = p2p_nl_msg(nl, P2P_CMD_HOSTKEY_SET, 0);
		nla_put(msg, P2P_A_HOSTKEY_PRIV, P2P_KEY_LEN, c->hostkey);
		if (cp_do(nl, msg, "cannot set the host key"))
			return -1;
	}
	return listen_apply(nl, c->has_listen ? c->listen : NULL, true,
			    c->cipher ?: P2P_CIPHER_DEFAULT) ? -1 : 0;
}

static int apply_user(struct p2p_nl *nl, struct config *c, struct cfg_user *u)
{
	uint8_t key[P2P_KEY_LEN];
	struct nl_msg *msg;

	at_line(c, u->line);
	key_from_b64(key, u->pubkey);
	msg = p2p_nl_msg(nl, P2P_CMD_USER_NEW, 0);
	nla_put_string(msg, P2P_A_USER_NAME, u->name);
	nla_put(msg, P2P_A_USER_PUBKEY, P2P_KEY_LEN, key);
	nla_put_u32(msg, P2P_A_USER_UID, u->uid);
	nla_put_u32(msg, P2P_A_USER_GID, u->gid);
	return cp_do(nl, msg, "cannot add the user") ? -1 : 0;
}

static int apply(struct p2p_nl *nl, struct config *c)
{
	struct cfg_export *e;
	int i;

	if (clear_state(nl) || apply_host(nl, c))
		return -1;
	for (i = 0; i < c->n_users; i++)
		if (apply_user(nl, c, &c->users[i]))
			return -1;
	for (i = 0; i < c->n_exports; i++) {
		e = c->exports[i];
		at_line(c, e->line);
		if (cp_do(nl, export_msg(nl, e->name, e->fd, e->users, e->modes, e->n_grants),
			  "cannot export"))
			return -1;
	}
	return 0;
}

static int restore_export(struct p2p_nl *nl, const struct snap_export *e)
{
	const char *users[e->n_grants ?: 1];
	uint8_t modes[e->n_grants ?: 1];
	struct stat st;
	int fd, i, ret;

	/* Only the directory that was exported, never another at its path. */
	fd = open(e->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !e->has_dir_id ||
	    !same_dir(&st, e->dev_major, e->dev_minor, e->ino)) {
		err("cannot restore export \"%s\": \"%s\" is not its directory",
		    e->name, e->path);
		close(fd);
		return -1;
	}
	for (i = 0; i < e->n_grants; i++) {
		users[i] = e->grants[i].user;
		modes[i] = e->grants[i].mode;
	}
	ret = cp_do(nl, export_msg(nl, e->name, fd, users, modes, e->n_grants),
		    "cannot restore an export");
	close(fd);
	return ret;
}

/*
 * A load that the kernel refused half-way puts back the state it found,
 * so that a failed load changes nothing, like one refused while parsing.
 */
static void restore(struct p2p_nl *nl, const struct snapshot *s)
{
	struct nl_msg *msg;
	int i;

	err_context = "";
	if (clear_state(nl))
		return;
	msg = p2p_nl_msg(nl, P2P_CMD_HOSTKEY_SET, 0);
	nla_put(msg, P2P_A_HOSTKEY_PRIV, P2P_KEY_LEN, s->priv);
	cp_do(nl, msg, "cannot restore the host key");
	listen_apply(nl, s->listen, true, s->cipher);
	for (i = 0; i < s->n_users; i++) {
		msg = p2p_nl_msg(nl, P2P_CMD_USER_NEW, 0);
		nla_put_string(msg, P2P_A_USER_NAME, s->users[i].name);
		nla_put(msg, P2P_A_USER_PUBKEY, P2P_KEY_LEN, s->users[i].pubkey);
		nla_put_u32(msg, P2P_A_USER_UID, s->users[i].uid);
		nla_put_u32(msg, P2P_A_USER_GID, s->users[i].gid);
		cp_do(nl, msg, "cannot restore a user");
	}
	for (i = 0; i < s->n_exports; i++)
		restore_export(nl, &s->exports[i]);
}

static int apply_or_restore(struct p2p_nl *nl, struct config *c)
{
	struct snapshot old;
	int ret;

	if (snapshot_read(nl, &old, SNAP_PRIV))
		return -1;
	ret = apply(nl, c);
	if (ret)
		restore(nl, &old);
	sodium_memzero(old.priv, sizeof(old.priv));
	snapshot_free(&old);
	return ret;
}

static void config_free(struct config *c, char **lines)
{
	int i;

	for (i = 0; i < c->n_exports; i++) {
		if (c->exports[i]->fd >= 0)
			close(c->exports[i]->fd);
		free(c->exports[i]);
	}
	for (i = 0; lines[i]; i++)
		free(lines[i]);
	free(lines);
	sodium_memzero(c->hostkey, sizeof(c->hostkey));
	free(c);
}

static int load_main(int argc, char **argv)
{
	struct config *c = calloc(1, sizeof(*c));
	char **lines = calloc(MAX_ITEMS * 4 + 1, sizeof(*lines));
	struct p2p_nl nl;
	FILE *f;
	int ret = 1;

	if (!c || !lines) {
		free(c);
		free(lines);
		err("out of memory");
		return 1;
	}
	if (argc != 2) {
		config_free(c, lines);
		if (argc < 2)
			return usage_err(&cmd_load, "missing FILE");
		return usage_err(&cmd_load, "unexpected argument \"%s\"", argv[2]);
	}
	c->file = argv[1];
	f = strcmp(argv[1], "-") ? fopen(argv[1], "re") : stdin;
	if (!f) {
		err("%s: %s", argv[1], strerror(errno));
		goto out;
	}
	ret = parse_file(c, f, lines) ? 1 : 0;
	if (f != stdin)
		fclose(f);
	err_context = "";
	if (ret || p2p_nl_open(&nl))
		goto out;
	ret = apply_or_restore(&nl, c) ? 1 : 0;
	p2p_nl_close(&nl);
out:
	config_free(c, lines);
	return ret;
}

const struct command cmd_load = {
	.name = "load",
	.main = load_main,
	.usage = "FILE",
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
	"cipher aes-128-gcm), as it does without cipher on the line.  Should the kernel refuse an item\n"
	"while applying, load names that item's line and puts back the state\n"
	"it found, so that a failed load changes nothing either.\n"
	"\n"
	"Example:\n"
	"  p2pctl save > state.conf; rmmod p2pshare; insmod p2pshare.ko\n"
	"  p2pctl load state.conf\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
