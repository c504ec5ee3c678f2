// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: p2pctl's p2p:// URL parser (userspace/lib/url.c).  The
 * input is the URL (it stops at a NUL, as an argv string would).  Whatever
 * it accepts must be something the wire codec accepts too: valid user and
 * export names, a path that passes p2p_path_check(), a host:port key that
 * fits; and every refusal must come with a reason.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"
#include "wire.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static void check_url(const struct p2p_url *u, unsigned int need)
{
	size_t plen = strlen(u->path), elen = strlen(u->export);

	CHECK(p2p_name_valid(u->user, strlen(u->user)));
	CHECK(!elen || p2p_name_valid(u->export, elen));
	CHECK(!plen || elen);
	CHECK(p2p_path_check(u->path, plen) == 0);
	CHECK(u->port != 0);
	CHECK(strlen(u->host) > 0 && strlen(u->hostport) > strlen(u->host));
	CHECK(!(need & P2P_URL_NEED_EXPORT) || elen);
	CHECK(!(need & P2P_URL_NEED_PATH) || plen);
	CHECK(strlen(p2p_url_basename(u)) <= P2P_COMPONENT_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct p2p_url u;
	char *s = malloc(n + 1), why[256];
	unsigned int need;
	int ret;

	memcpy(s, d, n);
	s[n] = '\0';
	for (need = 0; need < 4; need++) {
		ret = p2p_url_parse(s, need, &u, why, sizeof(why));
		if (ret) {
			CHECK(ret == -EINVAL && why[0]);
			continue;
		}
		check_url(&u, need);
	}
	/* A tiny reason buffer must be enough not to overflow. */
	p2p_url_parse(s, 0, &u, why, 1);
	free(s);
	return 0;
}
