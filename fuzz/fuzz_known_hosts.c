// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: the client's known_hosts reader
 * (userspace/lib/known_hosts.c), one line and a whole file.  A file is
 * whatever sits in ~/.config/p2pshare/known_hosts, possibly written by
 * another program: over-long lines, NUL bytes, no final newline.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "known_hosts.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	CHECK(sodium_init() >= 0);
	return 0;
}

static void one_line(const uint8_t *d, size_t n)
{
	char *line = malloc(n + 1), hp[64];
	uint8_t key[P2P_KEY_LEN];
	int ret;

	memcpy(line, d, n);
	line[n] = '\0';
	ret = p2p_kh_parse_line(line, hp, sizeof(hp), key);
	CHECK(ret >= -22 && ret <= 1);
	if (ret == 1) {
		CHECK(strlen(hp) < sizeof(hp) && strchr(hp, ':'));
		CHECK(!sodium_is_zero(key, sizeof(key)));
	}
	free(line);
}

static void whole_file(const uint8_t *d, size_t n)
{
	uint8_t key[P2P_KEY_LEN];
	unsigned int line = 0;
	FILE *f;

	if (!n)
		return;
	f = fmemopen((void *)d, n, "r");
	if (!f)
		return;
	if (p2p_kh_lookup(f, "198.18.0.1:7437", key, &line) == 1)
		CHECK(line >= 1);
	rewind(f);
	p2p_kh_lookup(f, "[fd00::1]:7437", key, &line);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	one_line(d, n);
	whole_file(d, n);
	return 0;
}
