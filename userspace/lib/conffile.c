// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The state file (conffile.h): the one parser and the one writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <sodium.h>

#include "conffile.h"
#include "keytext.h"

#define MAX_ITEMS	P2P_CONF_MAX_ITEMS
#define EXPORT_USE	"use: export NAME [dev=MAJOR:MINOR ino=INODE] PATH"
#define LIMITS_NAMES	"max_conns, max_user_conns, auth_burst or idle_timeout"
#define LIMITS_USE	"use: limits NAME VALUE [NAME VALUE]... (NAME: " LIMITS_NAMES ")"

__attribute__((format(printf, 2, 3)))
static int bad(struct p2p_conf *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	c->err(c, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_name(struct p2p_conf *c, const char *name, const char *what)
{
	const char *why = p2p_name_problem(name);

	return why ? bad(c, "invalid %s \"%s\": %s", what, name, why) : 0;
}

/* The first line of file (relative to the configuration file's directory). */
static int read_key_file(struct p2p_conf *c, uint8_t key[P2P_KEY_LEN], const char *file)
{
	const char *slash = strrchr(c->file, '/'), *why;
	char path[4096], line[128];
	size_t len;
	FILE *f;

	if (file[0] == '/' || !slash || !strcmp(c->file, "-"))
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - c->file), c->file, file);
	f = fopen(path, "re");
	if (!f)
		return bad(c, "host key file \"%s\": %s", path, strerror(errno));
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	len = strcspn(line, "\n");
	line[len] = '\0';
	why = key_from_b64(key, line);
	sodium_memzero(line, sizeof(line));
	return why ? bad(c, "host key file \"%s\": invalid key: %s", path, why) : 0;
}

/* "hostkey PRIVATE-KEY" or "hostkey file PATH". */
static int parse_hostkey(struct p2p_conf *c, struct p2p_model *m, char **tok, int n)
{
	const char *why;

	if (m->has_hostkey)
		return bad(c, "%s", "a second hostkey");
	if (n >= 2 && !strcmp(tok[1], "file")) {
		if (n != 3)
			return bad(c, "%s", "use: hostkey file PATH");
		if (read_key_file(c, m->priv, tok[2]))
			return -1;
	} else if (n == 2) {
		why = key_from_b64(m->priv, tok[1]);
		if (why)
			return bad(c, "invalid host key: %s", why);
	} else {
		return bad(c, "%s", "use: hostkey PRIVATE-KEY | hostkey file PATH");
	}
	m->has_hostkey = true;
	return 0;
}

/* "saveconfig yes|no": read by the unit's stop step, not by the module. */
static int parse_saveconfig(struct p2p_conf *c, char **tok, int n)
{
	if (n != 2 || (strcmp(tok[1], "yes") && strcmp(tok[1], "no")))
		return bad(c, "%s", "use: saveconfig yes|no");
	if (c->saveconfig >= 0)
		return bad(c, "%s", "a second saveconfig");
	c->saveconfig = !strcmp(tok[1], "yes");
	return 0;
}

static int parse_listen(struct p2p_conf *c, struct p2p_model *m, char **tok, int n)
{
	struct p2p_listen_addr la;

	if ((n != 2 && n != 4) || (n == 4 && strcmp(tok[2], "cipher")))
		return bad(c, "%s", "use: listen [ADDR][:PORT] [cipher CIPHER]");
	if (m->has_listen)
		return bad(c, "%s", "a second listen");
	if (n == 4 && p2p_cipher_one(tok[3], "the listen line", &m->cipher, c->err, c))
		return -1;
	if (p2p_listen_parse(tok[1], &la, c->err, c))
		return -1;
	/* It fits: p2p_listen_parse() refuses longer ones. */
	snprintf(m->listen, sizeof(m->listen), "%s", tok[1]);
	m->has_listen = true;
	return 0;
}

/* "limits NAME VALUE...": any of the four, each once, in the module's range. */
static int parse_limits(struct p2p_conf *c, struct p2p_model *m, char **tok, int n)
{
	const struct p2p_limit_info *li;
	uint32_t v;
	int i, l;

	if (n < 3 || n % 2 == 0)
		return bad(c, "%s", LIMITS_USE);
	for (i = 0; i < P2P_LIMIT_COUNT; i++)
		if (m->has_limit[i])
			return bad(c, "%s", "a second limits line");
	for (i = 1; i < n; i += 2) {
		l = p2p_limit_find(tok[i]);
		if (l < 0)
			return bad(c, "unknown limit \"%s\" (%s)", tok[i], LIMITS_NAMES);
		li = &p2p_limit_info[l];
		if (m->has_limit[l])
			return bad(c, "%s appears twice", li->name);
		if (p2p_parse_u32(tok[i + 1], &v))
			return bad(c, "invalid %s \"%s\"", li->name, tok[i + 1]);
		if (v < li->min || v > li->max)
			return bad(c, "%s %u out of range: %u-%u", li->name, v, li->min, li->max);
		m->limits[l] = v;
		m->has_limit[l] = true;
	}
	return 0;
}

static int parse_user(struct p2p_conf *c, struct p2p_model *m, char **tok, int n)
{
	struct p2p_model_user *u;
	uint8_t key[P2P_KEY_LEN];
	uint32_t uid, gid;
	const char *why;

	if (n != 3 && n != 5)
		return bad(c, "%s", "use: user NAME PUBLIC-KEY [UID GID]");
	if (m->n_users == MAX_ITEMS)
		return bad(c, "%s", "too many users");
	if (check_name(c, tok[1], "user name"))
		return -1;
	if (p2p_model_user(m, tok[1]))
		return bad(c, "user \"%s\" appears twice", tok[1]);
	why = key_from_b64(key, tok[2]);
	if (why)
		return bad(c, "invalid public key: %s", why);
	uid = gid = P2P_UID_NOBODY;
	if (n == 5 && (p2p_parse_u32(tok[3], &uid) || uid == UINT32_MAX))
		return bad(c, "invalid uid \"%s\"", tok[3]);
	if (n == 5 && (p2p_parse_u32(tok[4], &gid) || gid == UINT32_MAX))
		return bad(c, "invalid gid \"%s\"", tok[4]);
	u = p2p_model_grow(&m->users, &m->n_users, sizeof(*u));
	if (!u)
		return bad(c, "%s", "out of memory");
	strcpy(u->name, tok[1]);
	memcpy(u->pubkey, key, P2P_KEY_LEN);
	u->uid = uid;
	u->gid = gid;
	u->line = c->line;
	return 0;
}

/* The directory must still be the one saved, if the line says which. */
static int check_saved(struct p2p_conf *c, const struct p2p_model_export *e,
		       const struct stat *st)
{
	if (!e->has_dir_id || p2p_model_is_dir(e, st))
		return 0;
	return bad(c, "\"%s\" is not the directory saved (dev %u:%u ino %" PRIu64 "; now "
		   "dev %u:%u ino %" PRIu64 "): if that is meant, remove dev= and ino= "
		   "from the line", e->path, e->dev_major, e->dev_minor, e->ino,
		   major(st->st_dev), minor(st->st_dev), (uint64_t)st->st_ino);
}

/* Open the directory; from then on the export says which one it is. */
static int open_export(struct p2p_conf *c, struct p2p_model *m,
		       struct p2p_model_export *e)
{
	struct stat st;
	int i;

	e->fd = open(e->path, c->open_flags | O_DIRECTORY | O_CLOEXEC);
	if (e->fd < 0 || fstat(e->fd, &st))
		return bad(c, "\"%s\": %s", e->path,
			   errno == ENOTDIR ? "not a directory" : strerror(errno));
	if (check_saved(c, e, &st))
		return -1;
	e->has_dir_id = true;
	e->dev_major = major(st.st_dev);
	e->dev_minor = minor(st.st_dev);
	e->ino = st.st_ino;
	for (i = 0; &m->exports[i] != e; i++)
		if (p2p_model_is_dir(&m->exports[i], &st))
			return bad(c, "directory already exported as \"%s\"",
				   m->exports[i].name);
	return 0;
}

/* Cut the space-ended token off *s; NULL if there is no space. */
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
static int parse_saved(struct p2p_conf *c, struct p2p_model_export *e, char **path)
{
	char *dev, *ino, *colon;

	if (strncmp(*path, "dev=", 4))
		return 0;
	dev = token(path);
	ino = dev ? token(path) : NULL;
	if (!ino || !**path || strncmp(ino, "ino=", 4))
		return bad(c, "%s", EXPORT_USE);
	colon = strchr(dev, ':');
	if (colon)
		*colon = '\0';
	if (!colon || p2p_parse_u32(dev + 4, &e->dev_major) ||
	    p2p_parse_u32(colon + 1, &e->dev_minor) || p2p_parse_u64(ino + 4, &e->ino))
		return bad(c, "%s", EXPORT_USE);
	e->has_dir_id = true;
	return 0;
}

/*
 * "export NAME [dev=MAJOR:MINOR ino=INODE] PATH": PATH is the rest of the
 * line, spaces and all.  Files of older versions have no dev= and ino=.
 */
static int parse_export(struct p2p_conf *c, struct p2p_model *m, char *line)
{
	struct p2p_model_export *e;
	char *name, *path;

	name = line + strlen("export ");
	path = strchr(name, ' ');
	if (!path || !path[1])
		return bad(c, "%s", EXPORT_USE);
	*path++ = '\0';
	if (check_name(c, name, "export name"))
		return -1;
	if (p2p_model_export(m, name, strlen(name)))
		return bad(c, "export \"%s\" appears twice", name);
	if (m->n_exports == MAX_ITEMS)
		return bad(c, "%s", "too many exports");
	e = p2p_model_grow(&m->exports, &m->n_exports, sizeof(*e));
	if (!e)
		return bad(c, "%s", "out of memory");
	e->fd = -1;
	e->reachable = -1;
	strcpy(e->name, name);
	e->line = c->line;
	if (parse_saved(c, e, &path))
		return -1;
	e->path = strdup(path);
	if (!e->path)
		return bad(c, "%s", "out of memory");
	return open_export(c, m, e);
}

/* Grants wait for the end of the file: they may come before their objects. */
struct pending {
	struct p2p_model_grant *v;
	char (*export)[P2P_NAME_MAX + 1];
	int n;
};

static int parse_grant(struct p2p_conf *c, struct pending *p, char **tok, int n)
{
	struct p2p_model_grant *g;
	uint8_t mode;
	void *ex;
	int n_ex;

	if (n != 4 || p2p_grant_parse(tok[3], &mode))
		return bad(c, "%s", "use: grant EXPORT USER ro|rw");
	if (check_name(c, tok[1], "export name") || check_name(c, tok[2], "user name"))
		return -1;
	if (p->n == MAX_ITEMS)
		return bad(c, "%s", "too many grants");
	n_ex = p->n;
	ex = p2p_model_grow(&p->export, &n_ex, sizeof(*p->export));
	g = ex ? p2p_model_grow(&p->v, &p->n, sizeof(*g)) : NULL;
	if (!g)
		return bad(c, "%s", "out of memory");
	strcpy(p->export[p->n - 1], tok[1]);
	strcpy(g->user, tok[2]);
	g->mode = mode;
	g->line = c->line;
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

static int parse_line(struct p2p_conf *c, struct p2p_model *m, struct pending *p,
		      char *line)
{
	char *tok[10];
	int n;

	if (!line[0] || line[0] == '#')
		return 0;
	if (!strncmp(line, "export ", 7))
		return parse_export(c, m, line);
	n = split(line, tok, 9);
	if (!n)
		return 0;
	if (!strcmp(tok[0], "hostkey"))
		return parse_hostkey(c, m, tok, n);
	if (!strcmp(tok[0], "listen"))
		return parse_listen(c, m, tok, n);
	if (!strcmp(tok[0], "limits"))
		return parse_limits(c, m, tok, n);
	if (!strcmp(tok[0], "user"))
		return parse_user(c, m, tok, n);
	if (!strcmp(tok[0], "grant"))
		return parse_grant(c, p, tok, n);
	if (!strcmp(tok[0], "saveconfig"))
		return parse_saveconfig(c, tok, n);
	return bad(c, "unknown keyword \"%s\"", tok[0]);
}

/* Every grant names an export and a user of the file, once. */
static int attach_grants(struct p2p_conf *c, struct p2p_model *m, struct pending *p)
{
	struct p2p_model_export *e;
	struct p2p_model_grant *g;
	int i, j;

	for (i = 0; i < p->n; i++) {
		c->line = p->v[i].line;
		e = p2p_model_export(m, p->export[i], strlen(p->export[i]));
		if (!e)
			return bad(c, "export \"%s\" is not in the file", p->export[i]);
		if (!p2p_model_user(m, p->v[i].user))
			return bad(c, "user \"%s\" is not in the file", p->v[i].user);
		for (j = 0; j < e->n_grants; j++)
			if (!strcmp(e->grants[j].user, p->v[i].user))
				return bad(c, "user \"%s\" granted twice", p->v[i].user);
		g = p2p_model_grow(&e->grants, &e->n_grants, sizeof(*g));
		if (!g)
			return bad(c, "%s", "out of memory");
		*g = p->v[i];
	}
	/* Now that no array moves any more. */
	for (i = 0; i < m->n_exports; i++)
		for (j = 0; j < m->exports[i].n_grants; j++) {
			g = &m->exports[i].grants[j];
			g->u = p2p_model_user(m, g->user);
		}
	return 0;
}

static int read_lines(struct p2p_conf *c, FILE *f, struct p2p_model *m,
		      struct pending *p)
{
	size_t cap = 0;
	ssize_t len;
	char *line = NULL;
	int ret = 0;

	while (!ret && (len = getline(&line, &cap, f)) >= 0) {
		c->line++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strlen(line) != (size_t)len)
			ret = bad(c, "%s", "a NUL byte in the line");
		else
			ret = parse_line(c, m, p, line);
		if (!ret && c->line == MAX_ITEMS * 4)
			ret = bad(c, "%s", "too many lines");
	}
	if (line)
		sodium_memzero(line, cap);
	free(line);
	return ret;
}

int p2p_conf_read(struct p2p_conf *c, FILE *f, struct p2p_model *m)
{
	struct pending p = { 0 };
	int ret;

	c->line = 0;
	c->saveconfig = -1;
	ret = read_lines(c, f, m, &p);
	if (!ret)
		ret = attach_grants(c, m, &p);
	free(p.v);
	free(p.export);
	return ret;
}

void p2p_conf_write(FILE *f, const struct p2p_model *m)
{
	char b64[KEY_B64_LEN], c[8];
	int i, j;

	fprintf(f, "# p2pshare state, written by p2pctl save; p2pctl apply reads it (p2pshare.conf(5))\n");
	key_to_b64(b64, m->priv);
	fprintf(f, "hostkey %s\n", b64);
	sodium_memzero(b64, sizeof(b64));
	fprintf(f, "listen %s", m->listen);
	if (m->cipher)
		fprintf(f, " cipher %s", p2p_cipher_label(m->cipher, c));
	fprintf(f, "\n");
	for (i = 0, j = 0; i < P2P_LIMIT_COUNT; i++)
		if (m->has_limit[i])
			fprintf(f, "%s %s %u", j++ ? "" : "limits", p2p_limit_info[i].name,
				m->limits[i]);
	if (j)
		fprintf(f, "\n");
	for (i = 0; i < m->n_users; i++) {
		key_to_b64(b64, m->users[i].pubkey);
		fprintf(f, "user %s %s %u %u\n", m->users[i].name, b64,
			m->users[i].uid, m->users[i].gid);
	}
	for (i = 0; i < m->n_exports; i++)
		fprintf(f, "export %s dev=%u:%u ino=%" PRIu64 " %s\n", m->exports[i].name,
			m->exports[i].dev_major, m->exports[i].dev_minor,
			m->exports[i].ino, m->exports[i].path);
	for (i = 0; i < m->n_exports; i++)
		for (j = 0; j < m->exports[i].n_grants; j++)
			fprintf(f, "grant %s %s %s\n", m->exports[i].name,
				m->exports[i].grants[j].user,
				p2p_grant_name(m->exports[i].grants[j].mode));
}
