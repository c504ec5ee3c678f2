/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * p2p://USER@HOST[:PORT]/EXPORT[/PATH] URLs.
 *
 * USER and EXPORT are protocol names (1-64 of A-Z a-z 0-9 . _ -, not . or
 * ..). HOST is a name, an IPv4 literal or an IPv6 literal in brackets (a
 * zone may follow as %25ZONE or %ZONE). PORT is 1-65535, default 7437.
 * PATH is split on '/', empty components dropped (so a trailing '/' is
 * fine), each component percent-decoded (%XX, two hex digits; a literal
 * '%' is %25); a component that is "." or ".." or decodes to one, holds a
 * '/' (%2F) or a NUL (%00), or is longer than 255 bytes is refused, like a
 * path over 4096 bytes. Nothing else is special: '?' and '#' are ordinary
 * characters.
 */
#ifndef _P2P_URL_H
#define _P2P_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/p2pshare_proto.h"

#define P2P_URL_HOST_MAX	255
/* "[" host "]:" port */
#define P2P_URL_HOSTPORT_MAX	(P2P_URL_HOST_MAX + 9)

/* What the caller needs beyond USER@HOST. */
#define P2P_URL_NEED_EXPORT	0x1
#define P2P_URL_NEED_PATH	0x2

struct p2p_url {
	char user[P2P_NAME_MAX + 1];
	char host[P2P_URL_HOST_MAX + 1];	/* without brackets */
	char export[P2P_NAME_MAX + 1];		/* "": none given */
	char path[P2P_PATH_MAX + 1];		/* decoded; "": export root */
	uint16_t port;
	bool ipv6;
	bool trailing_slash;			/* the URL ended in '/' */
	/* "host:port" or "[v6]:port", host lower-cased: known_hosts key */
	char hostport[P2P_URL_HOSTPORT_MAX + 1];
};

/*
 * Parse s. On error return -EINVAL and write into why (whylen bytes) a
 * reason that names the offending part, e.g. `missing user (expected
 * p2p://USER@HOST/...)`; the caller prefixes `invalid URL "s": `.
 */
int p2p_url_parse(const char *s, unsigned int need, struct p2p_url *u,
		  char *why, size_t whylen);

/* Last component of u->path, or "" for the export root. */
const char *p2p_url_basename(const struct p2p_url *u);

#endif /* _P2P_URL_H */
