// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * p2p:// URL parsing. Every refusal says which part is wrong and how the
 * part should look, so that one line on stderr is enough to fix it.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"
#include "wire.h"

#define EXPECT		"(expected p2p://USER@HOST/...)"
#define NAME_CHARS	"1-64 characters of A-Z a-z 0-9 . _ -, not . or .."

struct parser {
	char *why;
	size_t whylen;
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->why, p->whylen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Copy [s, s+len) as a NUL-terminated string into dst (cap bytes). */
static void copy(char *dst, size_t cap, const char *s, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static int scheme(struct parser *p, const char **s)
{
	const char *sep = strstr(*s, "://");

	if (!strncasecmp(*s, "p2p://", 6)) {
		*s += 6;
		return 0;
	}
	if (sep && sep != *s && sep - *s <= 16 && !memchr(*s, '/', sep - *s))
		return fail(p, "unsupported scheme \"%.*s\" " EXPECT,
			    (int)(sep - *s), *s);
	return fail(p, "must start with p2p:// " EXPECT);
}

static int name(struct parser *p, const char *what, const char *s,
		size_t len, char *out)
{
	if (len > P2P_NAME_MAX)
		return fail(p, "%s \"%.*s\" is too long (at most %d characters)",
			    what, (int)len, s, P2P_NAME_MAX);
	if (!p2p_name_valid(s, len))
		return fail(p, "invalid %s \"%.*s\" (" NAME_CHARS ")", what,
			    (int)len, s);
	copy(out, P2P_NAME_MAX + 1, s, len);
	return 0;
}

static int user(struct parser *p, const char *auth, size_t len,
		struct p2p_url *u, const char **host)
{
	const char *at = memchr(auth, '@', len);

	if (!at || at == auth)
		return fail(p, "missing user " EXPECT);
	*host = at + 1;
	return name(p, "user", auth, at - auth, u->user);
}

static int port(struct parser *p, const char *s, size_t len,
		struct p2p_url *u)
{
	unsigned long v = 0;
	size_t i;

	if (!len)
		return fail(p, "missing port after ':' (expected 1-65535)");
	for (i = 0; i < len && v <= 65535; i++) {
		if (!isdigit((unsigned char)s[i]))
			break;
		v = v * 10 + (s[i] - '0');
	}
	if (i < len || !v || v > 65535)
		return fail(p, "invalid port \"%.*s\" (expected 1-65535)",
			    (int)len, s);
	u->port = v;
	return 0;
}

/* [ADDR] or [ADDR%ZONE] or [ADDR%25ZONE]; s points after '['. */
static int ipv6(struct parser *p, const char *s, size_t len,
		struct p2p_url *u)
{
	char addr[INET6_ADDRSTRLEN + 1], zone[64 + 1] = "";
	const char *pct = memchr(s, '%', len);
	size_t alen = pct ? (size_t)(pct - s) : len;
	unsigned char bin[16];

	if (alen >= sizeof(addr))
		goto bad;
	copy(addr, sizeof(addr), s, alen);
	if (inet_pton(AF_INET6, addr, bin) != 1)
		goto bad;
	if (pct) {
		const char *z = pct + 1;
		size_t zlen = len - alen - 1;

		if (zlen > 2 && !strncmp(z, "25", 2)) {
			z += 2;
			zlen -= 2;
		}
		if (!zlen || zlen >= sizeof(zone) || memchr(z, '%', zlen))
			goto bad;
		copy(zone, sizeof(zone), z, zlen);
	}
	snprintf(u->host, sizeof(u->host), "%s%s%s", addr, pct ? "%" : "",
		 zone);
	u->ipv6 = true;
	return 0;
bad:
	return fail(p, "invalid IPv6 address \"[%.*s]\"", (int)len, s);
}

static bool host_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

static int hostname(struct parser *p, const char *s, size_t len,
		    struct p2p_url *u)
{
	size_t i;

	if (!len)
		return fail(p, "missing host " EXPECT);
	if (len > 253)
		return fail(p, "host \"%.*s\" is too long (at most 253 characters)",
			    (int)len, s);
	for (i = 0; i < len; i++)
		if (!host_char(s[i]))
			return fail(p, "invalid host \"%.*s\" (a name, an IPv4 "
				    "address or an [IPv6] address)", (int)len, s);
	copy(u->host, sizeof(u->host), s, len);
	return 0;
}

/* HOST[:PORT] in [s, s+len). */
static int hostport(struct parser *p, const char *s, size_t len,
		    struct p2p_url *u)
{
	const char *close, *colon;
	int ret;

	u->port = P2P_PORT;
	if (len && s[0] == '[') {
		close = memchr(s, ']', len);
		if (!close)
			return fail(p, "missing ']' after the IPv6 address \"%.*s\"",
				    (int)len, s);
		ret = ipv6(p, s + 1, close - s - 1, u);
		if (ret || close + 1 == s + len)
			return ret;
		if (close[1] != ':')
			return fail(p, "unexpected \"%.*s\" after \"%.*s\" "
				    "(expected :PORT or /)",
				    (int)(s + len - close - 1), close + 1,
				    (int)(close + 1 - s), s);
		return port(p, close + 2, s + len - close - 2, u);
	}
	colon = memchr(s, ':', len);
	if (colon && memchr(colon + 1, ':', s + len - colon - 1))
		return fail(p, "an IPv6 address must be in brackets: "
			    "p2p://USER@[%.*s]/...", (int)len, s);
	ret = hostname(p, s, colon ? (size_t)(colon - s) : len, u);
	if (!ret && colon)
		ret = port(p, colon + 1, s + len - colon - 1, u);
	return ret;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode one raw component into out (at most P2P_COMPONENT_MAX bytes). */
static int component(struct parser *p, const char *s, size_t len,
		     char *out, size_t *olen)
{
	size_t i, n = 0;
	int hi, lo;

	for (i = 0; i < len; i++, n++) {
		char c = s[i];

		if (c == '%') {
			hi = i + 1 < len ? hexval(s[i + 1]) : -1;
			lo = i + 2 < len ? hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return fail(p, "bad escape \"%.*s\" in the path "
					    "(use %%XX with two hex digits; %%25 "
					    "for a '%%')", (int)(len - i < 3 ?
					    len - i : 3), s + i);
			c = hi << 4 | lo;
			if (!c)
				return fail(p, "a NUL byte (%%00) is not allowed "
					    "in the path");
			if (c == '/')
				return fail(p, "an escaped '/' (%%2F) is not "
					    "allowed in a path component");
			i += 2;
		}
		if (n >= P2P_COMPONENT_MAX)
			return fail(p, "path component \"%.*s%s\" is longer "
				    "than %d bytes", len > 40 ? 40 : (int)len, s,
				    len > 40 ? "..." : "", P2P_COMPONENT_MAX);
		out[n] = c;
	}
	if ((n == 1 && out[0] == '.') ||
	    (n == 2 && out[0] == '.' && out[1] == '.'))
		return fail(p, "\"%.*s\" is not allowed in the path "
			    "(no . or .. components)", (int)len, s);
	*olen = n;
	return 0;
}

/* Append one component (raw in [s, s+len)) to u->path. */
static int add_component(struct parser *p, const char *s, size_t len,
			 struct p2p_url *u, size_t *plen)
{
	char comp[P2P_COMPONENT_MAX];
	size_t clen = 0, sep = *plen ? 1 : 0;
	int ret;

	ret = component(p, s, len, comp, &clen);
	if (ret)
		return ret;
	if (*plen + sep + clen > P2P_PATH_MAX)
		return fail(p, "path is longer than %d bytes", P2P_PATH_MAX);
	if (sep)
		u->path[(*plen)++] = '/';
	memcpy(u->path + *plen, comp, clen);
	*plen += clen;
	u->path[*plen] = '\0';
	return 0;
}

/* "/EXPORT/PATH..." or "" */
static int export_path(struct parser *p, const char *s, struct p2p_url *u)
{
	size_t plen = 0, len;
	bool first = true;
	int ret;

	u->trailing_slash = *s && s[strlen(s) - 1] == '/';
	while (*s) {
		s += strspn(s, "/");
		len = strcspn(s, "/");
		if (!len)
			break;
		if (first)
			ret = name(p, "export", s, len, u->export);
		else
			ret = add_component(p, s, len, u, &plen);
		if (ret)
			return ret;
		first = false;
		s += len;
	}
	return 0;
}

static void make_hostport(struct p2p_url *u)
{
	char *c;

	snprintf(u->hostport, sizeof(u->hostport), u->ipv6 ? "[%s]:%u" :
		 "%s:%u", u->host, u->port);
	for (c = u->hostport; *c; c++)
		*c = tolower((unsigned char)*c);
}

static int need(struct parser *p, unsigned int flags, const struct p2p_url *u)
{
	if ((flags & (P2P_URL_NEED_EXPORT | P2P_URL_NEED_PATH)) && !*u->export)
		return fail(p, "missing export (expected p2p://USER@HOST/EXPORT%s)",
			    flags & P2P_URL_NEED_PATH ? "/PATH" : "[/PATH]");
	if ((flags & P2P_URL_NEED_PATH) && !*u->path)
		return fail(p, "missing path after the export (expected "
			    "p2p://USER@HOST/EXPORT/PATH)");
	return 0;
}

int p2p_url_parse(const char *s, unsigned int flags, struct p2p_url *u,
		  char *why, size_t whylen)
{
	struct parser p = { why, whylen };
	const char *auth, *host = NULL;
	size_t alen;
	int ret;

	memset(u, 0, sizeof(*u));
	if (whylen)
		why[0] = '\0';
	ret = scheme(&p, &s);
	if (ret)
		return ret;
	auth = s;
	alen = strcspn(s, "/");
	ret = user(&p, auth, alen, u, &host);
	if (!ret)
		ret = hostport(&p, host, auth + alen - host, u);
	if (!ret)
		ret = export_path(&p, auth + alen, u);
	if (!ret)
		ret = need(&p, flags, u);
	if (!ret)
		make_hostport(u);
	return ret;
}

const char *p2p_url_basename(const struct p2p_url *u)
{
	const char *slash = strrchr(u->path, '/');

	return slash ? slash + 1 : u->path;
}
