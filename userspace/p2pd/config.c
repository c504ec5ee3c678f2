// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration: the file `p2pctl save` writes (format in
 * userspace/cmd_save.c): hostkey, listen, user, export, grant lines.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <sodium.h>

#include "p2pd.h"

struct parser {
	struct pd_config *cfg;
	const char *file;
	int line;
	bool has_hostkey;
};

static int bad(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "p2pd: %s:%d: ", p->file, p->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static int parse_key(uint8_t key[P2P_KEY_LEN], const char *s)
{
	uint8_t buf[P2P_KEY_LEN + 3];
	const char *end;
	size_t len;

	if (sodium_base642bin(buf, sizeof(buf), s, strlen(s), NULL, &len, &end,
			      sodium_base64_VARIANT_ORIGINAL) || *end ||
	    len != P2P_KEY_LEN || sodium_is_zero(buf, P2P_KEY_LEN))
		return -1;
	memcpy(key, buf, P2P_KEY_LEN);
	sodium_memzero(buf, sizeof(buf));
	return 0;
}

static int parse_id(const char *s, uint32_t *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || end == s || s[0] == '-' || n >= UINT32_MAX)
		return -1;
	*v = n;
	return 0;
}

static int parse_port(const char *s, in_port_t *port)
{
	uint32_t v;

	if (parse_id(s, &v) || !v || v > 65535)
		return -1;
	*port = htons(v);
	return 0;
}

/* "", ":PORT", "ADDR", "ADDR:PORT", "[ADDR6]:PORT", "ADDR6", "*:PORT". */
int pd_parse_addr(const char *arg, struct sockaddr_storage *ss,
		  socklen_t *len)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	char buf[INET6_ADDRSTRLEN + 16], *addr = buf, *port = NULL;
	in_port_t p = htons(P2P_PORT);

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	if (buf[0] == '[') {
		port = strchr(buf, ']');
		if (!port || (port[1] && port[1] != ':'))
			return -1;
		*port++ = '\0';
		addr++;
		port = *port ? port + 1 : NULL;
	} else if (strchr(buf, ':') && strchr(buf, ':') == strrchr(buf, ':')) {
		port = strchr(buf, ':');
		*port++ = '\0';
	}
	if (port && parse_port(port, &p))
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = p;
		*len = sizeof(*sin);
		return 0;
	}
	if (*addr && strcmp(addr, "*") &&
	    inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
		return -1;
	sin6->sin6_family = AF_INET6;	/* every address: dual stack */
	sin6->sin6_port = p;
	*len = sizeof(*sin6);
	return 0;
}

const struct pd_user *pd_user_find(const struct pd_config *cfg,
				   const char *name)
{
	int i;

	for (i = 0; i < cfg->n_users; i++)
		if (!strcmp(cfg->users[i].name, name))
			return &cfg->users[i];
	return NULL;
}

static struct pd_export *export_find(const struct pd_config *cfg,
				     const char *name, size_t len)
{
	int i;

	for (i = 0; i < cfg->n_exports; i++)
		if (strlen(cfg->exports[i].name) == len &&
		    !memcmp(cfg->exports[i].name, name, len))
			return &cfg->exports[i];
	return NULL;
}

const struct pd_export *pd_export_find(const struct pd_config *cfg,
				       const char *name, size_t len,
				       const struct pd_user *user,
				       enum pd_grant_mode *mode)
{
	const struct pd_export *e = export_find(cfg, name, len);
	int i;

	for (i = 0; e && i < e->n_grants; i++) {
		if (e->grants[i].user == user) {
			*mode = e->grants[i].mode;
			return e;
		}
	}
	return NULL;
}

static int split(char *s, char **tok, int max)
{
	char *save;
	int n = 0;

	for (s = strtok_r(s, " \t", &save); s; s = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		tok[n++] = s;
	}
	return n;
}

static int on_hostkey(struct parser *p, char **tok, int n)
{
	struct p2p_server_keys *k = &p->cfg->keys;

	if (n != 2 || p->has_hostkey)
		return bad(p, n != 2 ? "use: hostkey PRIVATE-KEY" : "a second hostkey");
	if (parse_key(k->priv, tok[1]))
		return bad(p, "invalid host key");
	crypto_scalarmult_base(k->pub, k->priv);
	p->has_hostkey = true;
	return 0;
}

static int on_listen(struct parser *p, char **tok, int n)
{
	struct pd_config *c = p->cfg;

	uint16_t cipher;

	if ((n != 2 && n != 4) || (n == 4 && strcmp(tok[2], "cipher")))
		return bad(p, "use: listen [ADDR][:PORT] [cipher CIPHER]");
	if (pd_parse_addr(tok[1], &c->listen, &c->listen_len))
		return bad(p, "invalid listen address \"%s\"", tok[1]);
	if (n == 4 && (p2p_cipher_parse(tok[3], &cipher) ||
		       !p2p_cipher_name(cipher)))
		return bad(p, "unknown cipher \"%s\"", tok[3]);
	/* --cipher on the command line wins over the file */
	if (n == 4 && !c->keys.cipher_pref)
		c->keys.cipher_pref = cipher;
	return 0;
}

static int on_user(struct parser *p, char **tok, int n)
{
	struct pd_config *c = p->cfg;
	struct pd_user *u = &c->users[c->n_users];
	uint32_t uid, gid;

	if (n != 5)
		return bad(p, "use: user NAME PUBLIC-KEY UID GID");
	if (!p2p_name_valid(tok[1], strlen(tok[1])))
		return bad(p, "invalid user name \"%s\"", tok[1]);
	if (pd_user_find(c, tok[1]))
		return bad(p, "user \"%s\" appears twice", tok[1]);
	if (c->n_users == PD_MAX_USERS)
		return bad(p, "too many users");
	if (parse_key(u->pub, tok[2]))
		return bad(p, "invalid public key for \"%s\"", tok[1]);
	if (parse_id(tok[3], &uid) || parse_id(tok[4], &gid))
		return bad(p, "invalid uid or gid for \"%s\"", tok[1]);
	strcpy(u->name, tok[1]);
	u->uid = uid;
	u->gid = gid;
	c->n_users++;
	return 0;
}

/*
 * "export NAME [dev=MAJOR:MINOR ino=INODE] PATH": PATH is the rest of the
 * line, spaces and all; p2pctl save writes the directory's device and
 * inode, and the directory opened must still be that one.
 */
static int on_export(struct parser *p, char *line)
{
	struct pd_config *c = p->cfg;
	struct pd_export *e = &c->exports[c->n_exports];
	char *name = line + strlen("export "), *path;
	unsigned int maj, min;
	unsigned long long ino;
	bool saved = false;
	struct stat st;
	int n = 0;

	path = strchr(name, ' ');
	if (!path || !path[1])
		return bad(p, "use: export NAME [dev=MAJOR:MINOR ino=INODE] PATH");
	*path++ = '\0';
	if (!strncmp(path, "dev=", 4)) {
		if (sscanf(path, "dev=%u:%u ino=%llu %n", &maj, &min, &ino, &n) != 3 ||
		    !n || !path[n])
			return bad(p, "use: export NAME [dev=MAJOR:MINOR ino=INODE] PATH");
		path += n;
		saved = true;
	}
	if (!p2p_name_valid(name, strlen(name)))
		return bad(p, "invalid export name \"%s\"", name);
	if (export_find(c, name, strlen(name)))
		return bad(p, "export \"%s\" appears twice", name);
	if (c->n_exports == PD_MAX_EXPORTS)
		return bad(p, "too many exports");
	e->root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (e->root < 0 || fstat(e->root, &st))
		return bad(p, "\"%s\": %s", path, strerror(errno));
	if (saved && (major(st.st_dev) != maj || minor(st.st_dev) != min ||
		      st.st_ino != ino))
		return bad(p, "\"%s\" is not the directory saved", path);
	e->path = strdup(path);
	if (!e->path)
		return bad(p, "out of memory");
	strcpy(e->name, name);
	c->n_exports++;
	return 0;
}

static int on_grant(struct parser *p, char **tok, int n)
{
	const struct pd_user *u;
	struct pd_export *e;
	struct pd_grant *g;

	if (n != 4 || (strcmp(tok[3], "ro") && strcmp(tok[3], "rw")))
		return bad(p, "use: grant EXPORT USER ro|rw");
	e = export_find(p->cfg, tok[1], strlen(tok[1]));
	u = pd_user_find(p->cfg, tok[2]);
	if (!e || !u)
		return bad(p, "grant names an unknown %s \"%s\"",
			   e ? "user" : "export", e ? tok[2] : tok[1]);
	g = realloc(e->grants, (e->n_grants + 1) * sizeof(*g));
	if (!g)
		return bad(p, "out of memory");
	e->grants = g;
	g[e->n_grants].user = u;
	g[e->n_grants].mode = strcmp(tok[3], "rw") ? PD_GRANT_RO : PD_GRANT_RW;
	e->n_grants++;
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	char *tok[6];
	int n;

	if (!line[0] || line[0] == '#')
		return 0;
	if (!strncmp(line, "export ", 7))
		return on_export(p, line);
	n = split(line, tok, 5);
	if (!n)
		return 0;
	if (!strcmp(tok[0], "hostkey"))
		return on_hostkey(p, tok, n);
	if (!strcmp(tok[0], "listen"))
		return on_listen(p, tok, n);
	if (!strcmp(tok[0], "user"))
		return on_user(p, tok, n);
	if (!strcmp(tok[0], "grant"))
		return on_grant(p, tok, n);
	return bad(p, "unknown keyword \"%s\"", tok[0]);
}

static int parse_file(struct parser *p, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ret = 0;

	while (!ret && (len = getline(&line, &cap, f)) >= 0) {
		p->line++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		ret = parse_line(p, line);
	}
	if (line)
		sodium_memzero(line, cap);
	free(line);
	return ret;
}

/* Stands in for unknown users: a real key whose private half is gone. */
static void make_dummy_key(uint8_t pub[P2P_KEY_LEN])
{
	uint8_t priv[P2P_KEY_LEN];

	randombytes_buf(priv, sizeof(priv));
	crypto_scalarmult_base(pub, priv);
	sodium_memzero(priv, sizeof(priv));
}

int pd_config_load(struct pd_config *cfg, const char *file)
{
	struct parser p = { .cfg = cfg, .file = file };
	FILE *f;
	int ret;

	cfg->users = calloc(PD_MAX_USERS, sizeof(*cfg->users));
	cfg->exports = calloc(PD_MAX_EXPORTS, sizeof(*cfg->exports));
	if (!cfg->users || !cfg->exports) {
		fprintf(stderr, "p2pd: out of memory\n");
		return -1;
	}
	f = fopen(file, "re");
	if (!f) {
		fprintf(stderr, "p2pd: %s: %s\n", file, strerror(errno));
		return -1;
	}
	ret = parse_file(&p, f);
	fclose(f);
	if (ret)
		return ret;
	if (!p.has_hostkey) {
		fprintf(stderr, "p2pd: %s: no hostkey line\n", file);
		return -1;
	}
	make_dummy_key(cfg->keys.dummy_pub);
	return 0;
}
