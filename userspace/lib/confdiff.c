// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * From the state a host has to the state a file wants (confdiff.h).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "confdiff.h"
#include "keytext.h"

static struct p2p_change *vadd(struct p2p_diff *d, enum p2p_change_kind kind,
			       bool send, const char *fmt, va_list ap)
{
	struct p2p_change *c = p2p_model_grow(&d->v, &d->n, sizeof(*c));

	if (!c)
		return NULL;
	c->kind = kind;
	c->send = send;
	if (fmt && vasprintf(&c->text, fmt, ap) < 0) {
		c->text = NULL;
		return NULL;
	}
	return c;
}

/* A change, its line made from fmt (NULL: it prints nothing). */
__attribute__((format(printf, 4, 5)))
static struct p2p_change *add(struct p2p_diff *d, enum p2p_change_kind kind,
			      bool send, const char *fmt, ...)
{
	struct p2p_change *c;
	va_list ap;

	va_start(ap, fmt);
	c = vadd(d, kind, send, fmt, ap);
	va_end(ap);
	return c;
}

void p2p_diff_free(struct p2p_diff *d)
{
	int i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

static int diff_hostkey(const struct p2p_model *cur, const struct p2p_model *want,
			struct p2p_diff *d)
{
	char old[KEY_B64_LEN], new[KEY_B64_LEN];
	uint8_t pub[P2P_KEY_LEN];

	if (!want->has_hostkey || (cur->has_hostkey &&
				   !sodium_memcmp(cur->priv, want->priv, P2P_KEY_LEN)))
		return 0;
	if (crypto_scalarmult_curve25519_base(pub, want->priv))
		memset(pub, 0, sizeof(pub));
	key_to_b64(old, cur->pub);
	key_to_b64(new, pub);
	return add(d, P2P_CH_HOSTKEY, true, "~ hostkey %s -> %s", old, new) ? 0 : -1;
}

/* The listener want asks for, written as the module's is ("*:7437"). */
static void want_listen(const struct p2p_model *want, uint16_t default_port,
			char buf[P2P_LISTEN_STR_LEN])
{
	char addr[INET6_ADDRSTRLEN] = "*";
	struct p2p_listen_addr la = { 0 };

	/* p2p_conf_read() checked it: no message can come. */
	if (want->has_listen)
		p2p_listen_parse(want->listen, &la, NULL, NULL);
	if (la.family == AF_INET)
		inet_ntop(AF_INET, &la.a4, addr, sizeof(addr));
	else if (la.family == AF_INET6)
		inet_ntop(AF_INET6, &la.a6, addr, sizeof(addr));
	snprintf(buf, P2P_LISTEN_STR_LEN, la.family == AF_INET6 ? "[%s]:%u" : "%s:%u",
		 addr, la.port ?: default_port);
}

static int diff_listen(const struct p2p_model *cur, const struct p2p_model *want,
		       uint16_t default_port, struct p2p_diff *d)
{
	uint16_t cipher = want->cipher ?: P2P_CIPHER_DEFAULT;
	char to[P2P_LISTEN_STR_LEN], c1[8], c2[8];

	want_listen(want, default_port, to);
	if (strcmp(to, cur->listen) &&
	    !add(d, P2P_CH_LISTEN, true, "~ listen %s -> %s", cur->listen, to))
		return -1;
	if (cipher != cur->cipher &&
	    !add(d, P2P_CH_CIPHER, true, "~ cipher %s -> %s",
		 p2p_cipher_label(cur->cipher, c1), p2p_cipher_label(cipher, c2)))
		return -1;
	return 0;
}

static int diff_limits(const struct p2p_model *cur, const struct p2p_model *want,
		       struct p2p_diff *d)
{
	struct p2p_change *c;
	int i;

	for (i = 0; i < P2P_LIMIT_COUNT; i++) {
		if (!want->has_limit[i] ||
		    (cur->has_limit[i] && cur->limits[i] == want->limits[i]))
			continue;
		if (cur->has_limit[i])
			c = add(d, P2P_CH_LIMIT, true, "~ limit %s %u -> %u",
				p2p_limit_info[i].name, cur->limits[i], want->limits[i]);
		else
			c = add(d, P2P_CH_LIMIT, true, "~ limit %s %u",
				p2p_limit_info[i].name, want->limits[i]);
		if (!c)
			return -1;
		c->limit = i;
		c->value = want->limits[i];
	}
	return 0;
}

static const struct p2p_model_grant *grant_of(const struct p2p_model_export *e,
					       const char *user)
{
	int i;

	for (i = 0; e && i < e->n_grants; i++)
		if (!strcmp(e->grants[i].user, user))
			return &e->grants[i];
	return NULL;
}

static const struct p2p_model_export *export_in(const struct p2p_model *m,
						const char *name)
{
	return p2p_model_export(m, name, strlen(name));
}

/* Same name, another directory (device and inode): removed, then made anew. */
static bool moved(const struct p2p_model_export *old, const struct p2p_model_export *new)
{
	return old->dev_major != new->dev_major || old->dev_minor != new->dev_minor ||
	       old->ino != new->ino;
}

static struct p2p_change *grant_change(struct p2p_diff *d, enum p2p_change_kind kind,
				       bool send, const struct p2p_model_export *e,
				       const struct p2p_model_grant *g, const char *text)
{
	struct p2p_change *c = add(d, kind, send, "%s", text);

	if (!c)
		return NULL;
	c->export = e;
	c->grant_user = g->user;
	c->mode = g->mode;
	c->line = g->line;
	return c;
}

/* The grants of old (cur's, or NULL) that want's e does not have. */
static int grants_gone(struct p2p_diff *d, const struct p2p_model_export *old,
		       const struct p2p_model_export *e, bool send)
{
	char text[2 * P2P_NAME_MAX + 32];
	const struct p2p_model_grant *g;
	int i;

	for (i = 0; old && i < old->n_grants; i++) {
		g = &old->grants[i];
		if (grant_of(e, g->user))
			continue;
		snprintf(text, sizeof(text), "- grant %s %s %s", old->name, g->user,
			 p2p_grant_name(g->mode));
		if (!grant_change(d, P2P_CH_GRANT_DEL, send, old, g, text))
			return -1;
	}
	return 0;
}

/* The grants of want's e that old (cur's, or NULL) lacks or has another mode of. */
static int grants_come(struct p2p_diff *d, const struct p2p_model_export *old,
		       const struct p2p_model_export *e, bool send)
{
	char text[2 * P2P_NAME_MAX + 32];
	const struct p2p_model_grant *g, *was;
	int i;

	for (i = 0; i < e->n_grants; i++) {
		g = &e->grants[i];
		was = grant_of(old, g->user);
		if (was && was->mode == g->mode)
			continue;
		if (was)
			snprintf(text, sizeof(text), "~ grant %s %s %s -> %s", e->name,
				 g->user, p2p_grant_name(was->mode), p2p_grant_name(g->mode));
		else
			snprintf(text, sizeof(text), "+ grant %s %s %s", e->name, g->user,
				 p2p_grant_name(g->mode));
		if (!grant_change(d, P2P_CH_GRANT_SET, send, e, g, text))
			return -1;
	}
	return 0;
}

__attribute__((format(printf, 4, 5)))
static int export_change(struct p2p_diff *d, enum p2p_change_kind kind,
			 const struct p2p_model_export *e, const char *fmt, ...)
{
	struct p2p_change *c;
	va_list ap;

	va_start(ap, fmt);
	c = vadd(d, kind, true, fmt, ap);
	va_end(ap);
	if (!c)
		return -1;
	c->export = e;
	c->line = e->line;
	return 0;
}

/* cur's export old: gone from want, moved to another directory, or its grants. */
static int export_gone(struct p2p_diff *d, const struct p2p_model_export *old,
		       const struct p2p_model_export *e)
{
	if (!e)
		return export_change(d, P2P_CH_EXPORT_DEL, old, "- export %s", old->name);
	if (!moved(old, e))
		return grants_gone(d, old, e, true);
	if (strcmp(old->path, e->path))
		return export_change(d, P2P_CH_EXPORT_DEL, old, "~ export %s %s (was %s)",
				     e->name, e->path, old->path);
	return export_change(d, P2P_CH_EXPORT_DEL, old,
			     "~ export %s %s (another directory at that path)",
			     e->name, e->path);
}

/* want's export e: new, made anew in its new directory, or its grants. */
static int export_come(struct p2p_diff *d, const struct p2p_model_export *old,
		       const struct p2p_model_export *e)
{
	if (old && !moved(old, e))
		return grants_come(d, old, e, true);
	if (old) {
		/* Printed as "~ export" when the old one went. */
		if (export_change(d, P2P_CH_EXPORT_NEW, e, NULL))
			return -1;
		return grants_gone(d, old, e, false) ?: grants_come(d, old, e, false);
	}
	if (export_change(d, P2P_CH_EXPORT_NEW, e, "+ export %s %s", e->name, e->path))
		return -1;
	return grants_come(d, NULL, e, false);
}

static int user_change(struct p2p_diff *d, enum p2p_change_kind kind,
		       const struct p2p_model_user *u, const char *text)
{
	struct p2p_change *c = add(d, kind, true, "%s", text);

	if (!c)
		return -1;
	c->user = u;
	c->line = u->line;
	return 0;
}

/* "~ user bob pubkey OLD -> NEW uid 1000 -> 1001", or "" if nothing differs. */
static void user_diff(char *buf, size_t size, const struct p2p_model_user *old,
		      const struct p2p_model_user *u)
{
	char k1[KEY_B64_LEN], k2[KEY_B64_LEN];
	int n = snprintf(buf, size, "~ user %s", u->name);

	if (memcmp(old->pubkey, u->pubkey, P2P_KEY_LEN)) {
		key_to_b64(k1, old->pubkey);
		key_to_b64(k2, u->pubkey);
		n += snprintf(buf + n, size - n, " pubkey %s -> %s", k1, k2);
	}
	if (old->uid != u->uid)
		n += snprintf(buf + n, size - n, " uid %u -> %u", old->uid, u->uid);
	if (old->gid != u->gid)
		n += snprintf(buf + n, size - n, " gid %u -> %u", old->gid, u->gid);
	if (n == (int)(strlen("~ user ") + strlen(u->name)))
		buf[0] = '\0';
}

static int users_come(const struct p2p_model *cur, const struct p2p_model *want,
		      struct p2p_diff *d)
{
	char text[P2P_NAME_MAX + 2 * KEY_B64_LEN + 96];
	const struct p2p_model_user *u, *old;
	int i;

	for (i = 0; i < want->n_users; i++) {
		u = &want->users[i];
		old = p2p_model_user(cur, u->name);
		if (!old) {
			snprintf(text, sizeof(text), "+ user %s", u->name);
			if (user_change(d, P2P_CH_USER_NEW, u, text))
				return -1;
			continue;
		}
		user_diff(text, sizeof(text), old, u);
		if (text[0] && user_change(d, P2P_CH_USER_SET, u, text))
			return -1;
	}
	return 0;
}

static int users_gone(const struct p2p_model *cur, const struct p2p_model *want,
		      struct p2p_diff *d)
{
	char text[P2P_NAME_MAX + 16];
	int i;

	for (i = 0; i < cur->n_users; i++) {
		if (p2p_model_user(want, cur->users[i].name))
			continue;
		snprintf(text, sizeof(text), "- user %s", cur->users[i].name);
		if (user_change(d, P2P_CH_USER_DEL, &cur->users[i], text))
			return -1;
		d->v[d->n - 1].line = 0;
	}
	return 0;
}

int p2p_conf_diff(const struct p2p_model *cur, const struct p2p_model *want,
		  uint16_t default_port, struct p2p_diff *d)
{
	int i;

	memset(d, 0, sizeof(*d));
	if (diff_hostkey(cur, want, d) || diff_listen(cur, want, default_port, d) ||
	    diff_limits(cur, want, d))
		return -1;
	for (i = 0; i < cur->n_exports; i++)
		if (export_gone(d, &cur->exports[i], export_in(want, cur->exports[i].name)))
			return -1;
	if (users_come(cur, want, d))
		return -1;
	for (i = 0; i < want->n_exports; i++)
		if (export_come(d, export_in(cur, want->exports[i].name), &want->exports[i]))
			return -1;
	return users_gone(cur, want, d);
}
