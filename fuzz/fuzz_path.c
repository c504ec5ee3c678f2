// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: the path and name checks of kmod/wire.c, which decide
 * what the kernel hands to vfs_path_lookup(), against a second, deliberately
 * naive implementation written from docs/PROTOCOL.md section 5 alone.  Any
 * disagreement (an accepted "..", a lost ENAMETOOLONG, a different error
 * order) aborts.  The lookup itself (LOOKUP_BENEATH in kmod/path.c) needs a
 * kernel: tests/helpers/hard_fuzz.c sends the same kind of paths to it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

/* "Errors, checked in this order: len > 4096, a NUL byte, then components
 * from left to right: longer than 255, empty, . or ..". */
static int ref_path(const char *s, size_t len)
{
	size_t i, start = 0, clen;

	if (len > 4096)
		return -ENAMETOOLONG;
	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '\0')
			return -EINVAL;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '/')
			continue;
		clen = i - start;
		if (clen > 255)
			return -ENAMETOOLONG;
		if (clen == 0 || (clen == 1 && s[start] == '.') ||
		    (clen == 2 && s[start] == '.' && s[start + 1] == '.'))
			return -EINVAL;
		start = i + 1;
	}
	return 0;
}

/* "1 <= len <= 64, bytes [A-Za-z0-9._-], not . or ..". */
static int ref_name(const char *s, size_t len)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz0123456789._-";
	size_t i;

	if (len < 1 || len > 64)
		return 0;
	if ((len == 1 && s[0] == '.') || (len == 2 && !memcmp(s, "..", 2)))
		return 0;
	for (i = 0; i < len; i++)
		if (!s[i] || !strchr(ok, s[i]))
			return 0;
	return 1;
}

/* "a file name, 1..255 bytes, no /, no NUL, not . or ..". */
static int ref_component(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > 255)
		return 0;
	if ((len == 1 && s[0] == '.') || (len == 2 && !memcmp(s, "..", 2)))
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == '\0')
			return 0;
	return 1;
}

/* A path that passed must survive the encoder and the decoder unchanged. */
static void round_trip(const char *s, size_t len)
{
	static uint8_t buf[2 + P2P_PATH_MAX];
	struct p2p_str in = { s, len }, got;
	struct p2p_wr w;
	struct p2p_rd r;

	p2p_wr_init(&w, buf, sizeof(buf));
	CHECK(p2p_put_path(&w, &in) == 0);
	p2p_rd_init(&r, buf, w.off);
	CHECK(p2p_get_path(&r, &got) == 0 && !p2p_rd_end(&r));
	CHECK(got.len == len && !memcmp(got.s, s, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const char *s = (const char *)d;
	int ret = p2p_path_check(s, n);

	CHECK(ret == ref_path(s, n));
	if (!ret && n)
		round_trip(s, n);
	CHECK(p2p_name_valid(s, n) == ref_name(s, n));
	CHECK(p2p_component_valid(s, n) == ref_component(s, n));
	return 0;
}
