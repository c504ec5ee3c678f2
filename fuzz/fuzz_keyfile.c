// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: p2pctl's key parsers (userspace/keys.c): a base64 key
 * as given on the command line, and a key file (--key-file, --pubkey FILE,
 * hostkey set FILE) read through key_read().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keys.h"
#include "p2pctl.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

/* keys.c reports through p2pctl's err(); nothing to print here. */
const char *err_context = "";

void err(const char *fmt, ...)
{
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	CHECK(sodium_init() >= 0);
	return 0;
}

static void check_key(const uint8_t key[P2P_KEY_LEN])
{
	char b64[KEY_B64_LEN];
	uint8_t again[P2P_KEY_LEN];

	CHECK(!sodium_is_zero(key, P2P_KEY_LEN));
	key_to_b64(b64, key);
	CHECK(strlen(b64) == KEY_B64_LEN - 1);
	CHECK(key_from_b64(again, b64) == NULL);
	CHECK(!memcmp(again, key, P2P_KEY_LEN));
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	uint8_t key[P2P_KEY_LEN];
	char *s = malloc(n + 1);
	FILE *f;

	memcpy(s, d, n);
	s[n] = '\0';
	if (!key_from_b64(key, s))
		check_key(key);
	free(s);
	if (!n)
		return 0;
	f = fmemopen((void *)d, n, "r");
	if (f) {
		if (!key_read(key, f, "fuzz"))
			check_key(key);
		fclose(f);
	}
	return 0;
}
