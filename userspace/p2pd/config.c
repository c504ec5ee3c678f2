// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration: the state file `p2pctl save` writes, read by the
 * parser p2pctl load uses (userspace/lib/conffile.c), and the lookups of
 * the connections in the model it fills.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "conffile.h"
#include "p2pd.h"

_Static_assert(P2P_GRANT_RO == (int)PD_GRANT_RO && P2P_GRANT_RW == (int)PD_GRANT_RW,
	       "a grant's mode is its access on the wire");

static void quiet(void *arg, const char *fmt, va_list ap)
{
}

/* "", ":PORT", "ADDR", "ADDR:PORT", "[ADDR6]:PORT", "ADDR6", "*:PORT". */
int pd_parse_addr(const char *arg, struct sockaddr_storage *ss,
		  socklen_t *len)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct p2p_listen_addr la;

	if (p2p_listen_parse(arg, &la, quiet, NULL))
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (la.family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(la.port ?: P2P_PORT);
		sin->sin_addr = la.a4;
		*len = sizeof(*sin);
		return 0;
	}
	sin6->sin6_family = AF_INET6;	/* every address: dual stack */
	sin6->sin6_port = htons(la.port ?: P2P_PORT);
	if (la.family == AF_INET6)
		sin6->sin6_addr = la.a6;
	*len = sizeof(*sin6);
	return 0;
}

const struct p2p_model_user *pd_user_find(const struct pd_config *cfg,
					  const char *name)
{
	return p2p_model_user(&cfg->model, name);
}

const struct p2p_model_export *pd_export_find(const struct pd_config *cfg,
					      const char *name, size_t len,
					      const struct p2p_model_user *user,
					      enum pd_grant_mode *mode)
{
	const struct p2p_model_export *e = p2p_model_export(&cfg->model, name, len);
	int i;

	for (i = 0; e && i < e->n_grants; i++) {
		if (e->grants[i].u == user) {
			*mode = e->grants[i].mode;
			return e;
		}
	}
	return NULL;
}

/* "p2pd: FILE:LINE: why", as p2pctl load says it. */
static void conf_err(void *arg, const char *fmt, va_list ap)
{
	const struct p2p_conf *c = arg;

	fprintf(stderr, "p2pd: %s:%d: ", c->file, c->line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* Stands in for unknown users: a real key whose private half is gone. */
static void make_dummy_key(uint8_t pub[P2P_KEY_LEN])
{
	uint8_t priv[P2P_KEY_LEN];

	randombytes_buf(priv, sizeof(priv));
	crypto_scalarmult_base(pub, priv);
	sodium_memzero(priv, sizeof(priv));
}

/* The model's host key, listener and cipher where p2pd keeps them. */
static int use_model(struct pd_config *cfg, const char *file)
{
	struct p2p_server_keys *k = &cfg->keys;
	struct p2p_model *m = &cfg->model;

	if (!m->has_hostkey) {
		fprintf(stderr, "p2pd: %s: no hostkey line\n", file);
		return -1;
	}
	memcpy(k->priv, m->priv, P2P_KEY_LEN);
	crypto_scalarmult_base(k->pub, k->priv);
	/* The file's listen line: p2p_conf_read() checked it. */
	if (m->has_listen)
		pd_parse_addr(m->listen, &cfg->listen, &cfg->listen_len);
	/* --cipher on the command line wins over the file */
	if (m->cipher && !k->cipher_pref)
		k->cipher_pref = m->cipher;
	/*
	 * The file's limits that p2pd has too, unless the command line gave
	 * them; it has no per-user cap and keeps its own handshake rate
	 * limit, so max_user_conns and auth_burst are read and ignored.
	 */
	if (!cfg->max_conns)
		cfg->max_conns = m->has_limit[P2P_LIMIT_MAX_CONNS] ?
				 m->limits[P2P_LIMIT_MAX_CONNS] : P2P_MAX_CONNS;
	if (!cfg->idle_timeout)
		cfg->idle_timeout = m->has_limit[P2P_LIMIT_IDLE_TIMEOUT] ?
				    m->limits[P2P_LIMIT_IDLE_TIMEOUT] : P2P_IDLE_TIMEOUT_S;
	make_dummy_key(k->dummy_pub);
	return 0;
}

int pd_config_load(struct pd_config *cfg, const char *file)
{
	struct p2p_conf c = { .file = file, .open_flags = O_PATH, .err = conf_err };
	FILE *f;
	int ret;

	f = fopen(file, "re");
	if (!f) {
		fprintf(stderr, "p2pd: %s: %s\n", file, strerror(errno));
		return -1;
	}
	ret = p2p_conf_read(&c, f, &cfg->model);
	fclose(f);
	return ret ? ret : use_model(cfg, file);
}
