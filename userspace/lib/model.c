// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The model of one host's state (model.h) and the small rules every
 * reader of it applies: names, numbers, listener addresses, ciphers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <sodium.h>

#include "ktls.h"
#include "model.h"
#include "wire.h"

void *p2p_model_grow(void *arr, int *n, size_t size)
{
	char *p = realloc(*(void **)arr, (*n + 1) * size);

	if (!p)
		return NULL;
	*(void **)arr = p;
	memset(p + *n * size, 0, size);
	return p + (*n)++ * size;
}

void p2p_model_free(struct p2p_model *m)
{
	int i;

	for (i = 0; i < m->n_exports; i++) {
		if (m->exports[i].fd >= 0)
			close(m->exports[i].fd);
		free(m->exports[i].path);
		free(m->exports[i].grants);
	}
	free(m->exports);
	free(m->users);
	free(m->conns);
	sodium_memzero(m->priv, sizeof(m->priv));
	m->exports = NULL;
	m->users = NULL;
	m->conns = NULL;
	m->n_exports = m->n_users = m->n_conns = 0;
}

bool p2p_model_is_dir(const struct p2p_model_export *e, const struct stat *st)
{
	return major(st->st_dev) == e->dev_major && minor(st->st_dev) == e->dev_minor &&
	       st->st_ino == e->ino;
}

struct p2p_model_user *p2p_model_user(const struct p2p_model *m, const char *name)
{
	int i;

	for (i = 0; i < m->n_users; i++)
		if (!strcmp(m->users[i].name, name))
			return &m->users[i];
	return NULL;
}

struct p2p_model_export *p2p_model_export(const struct p2p_model *m,
					  const char *name, size_t len)
{
	int i;

	for (i = 0; i < m->n_exports; i++)
		if (strlen(m->exports[i].name) == len &&
		    !memcmp(m->exports[i].name, name, len))
			return &m->exports[i];
	return NULL;
}

const struct p2p_limit_info p2p_limit_info[P2P_LIMIT_COUNT] = {
	[P2P_LIMIT_MAX_CONNS] = { "max_conns", P2P_A_LIMIT_MAX_CONNS,
				  1, P2P_MAX_CONNS_LIMIT },
	[P2P_LIMIT_MAX_USER_CONNS] = { "max_user_conns", P2P_A_LIMIT_MAX_USER_CONNS,
				       0, P2P_MAX_USER_CONNS_LIMIT },
	[P2P_LIMIT_AUTH_BURST] = { "auth_burst", P2P_A_LIMIT_AUTH_BURST,
				   0, P2P_AUTH_BURST_LIMIT },
	[P2P_LIMIT_IDLE_TIMEOUT] = { "idle_timeout", P2P_A_LIMIT_IDLE_TIMEOUT,
				     1, P2P_IDLE_TIMEOUT_LIMIT },
};

int p2p_limit_find(const char *name)
{
	int i;

	for (i = 0; i < P2P_LIMIT_COUNT; i++)
		if (!strcmp(p2p_limit_info[i].name, name))
			return i;
	return -1;
}

const char *p2p_grant_name(uint8_t mode)
{
	return mode == P2P_GRANT_RW ? "rw" : "ro";
}

int p2p_grant_parse(const char *s, uint8_t *mode)
{
	if (!strcmp(s, "ro"))
		*mode = P2P_GRANT_RO;
	else if (!strcmp(s, "rw"))
		*mode = P2P_GRANT_RW;
	else
		return -1;
	return 0;
}

const char *p2p_name_problem(const char *s)
{
	size_t len = strlen(s);

	if (p2p_name_valid(s, len))
		return NULL;
	if (len > P2P_NAME_MAX)
		return "name too long (at most 64 characters)";
	return "use 1-64 characters of A-Z a-z 0-9 . _ - (not . or ..)";
}

int p2p_parse_u64(const char *s, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!*s || !strchr("0123456789", *s))
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

int p2p_parse_u32(const char *s, uint32_t *v)
{
	uint64_t x;

	if (p2p_parse_u64(s, &x) || x > UINT32_MAX)
		return -1;
	*v = x;
	return 0;
}

__attribute__((format(printf, 3, 4)))
static int refuse(p2p_verr_fn *err, void *arg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err(arg, fmt, ap);
	va_end(ap);
	return -1;
}

static int listen_port(const char *s, const char *arg, struct p2p_listen_addr *la,
		       p2p_verr_fn *err, void *earg)
{
	uint32_t port;

	if (p2p_parse_u32(s, &port) || !port || port > 65535)
		return refuse(err, earg, "invalid port \"%s\" in \"%s\" (1-65535)", s, arg);
	la->port = port;
	return 0;
}

static int listen_host(const char *s, const char *arg, struct p2p_listen_addr *la,
		       p2p_verr_fn *err, void *earg)
{
	if (!*s || !strcmp(s, "*"))
		return 0;
	if (inet_pton(AF_INET, s, &la->a4) == 1) {
		la->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &la->a6) == 1) {
		la->family = AF_INET6;
		return 0;
	}
	return refuse(err, earg, "invalid address \"%s\" in \"%s\" (an IPv4 or IPv6 "
		      "address, or *)", s, arg);
}

int p2p_listen_parse(const char *arg, struct p2p_listen_addr *la,
		     p2p_verr_fn *err, void *earg)
{
	char buf[INET6_ADDRSTRLEN + 16], *port = NULL, *addr = buf;

	memset(la, 0, sizeof(*la));
	if (strlen(arg) >= sizeof(buf))
		return refuse(err, earg, "invalid listen address \"%s\"", arg);
	strcpy(buf, arg);
	if (buf[0] == '[') {
		port = strchr(buf, ']');
		if (!port || (port[1] && port[1] != ':'))
			return refuse(err, earg, "invalid listen address \"%s\" "
				      "(use [ADDR6]:PORT)", arg);
		*port++ = '\0';
		addr++;
		port = *port ? port + 1 : NULL;
	} else if (strchr(buf, ':') == strrchr(buf, ':') && strchr(buf, ':')) {
		port = strchr(buf, ':');
		*port++ = '\0';
	}
	if (listen_host(addr, arg, la, err, earg))
		return -1;
	return port ? listen_port(port, arg, la, err, earg) : 0;
}

int p2p_cipher_one(const char *s, const char *where, uint16_t *cipher,
		   p2p_verr_fn *err, void *earg)
{
	uint16_t set = 0;

	if (strchr(s, ','))
		return refuse(err, earg, "%s takes one cipher, not the list \"%s\"",
			      where, s);
	if (p2p_cipher_parse(s, &set) || !set || (set & (set - 1)))
		return refuse(err, earg, "unknown cipher \"%s\" in %s (use aes-128-gcm "
			      "or chacha20-poly1305)", s, where);
	*cipher = set;
	return 0;
}

const char *p2p_cipher_label(uint16_t cipher, char buf[8])
{
	const char *name = p2p_cipher_name(cipher);

	if (name && !(cipher & (cipher - 1)))
		return name;
	snprintf(buf, 8, "0x%04x", cipher);
	return buf;
}
