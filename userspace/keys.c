// SPDX-License-Identifier: GPL-2.0
/*
 * X25519 keys as base64 text (the format of `wg genkey`), with libsodium.
 */
#include <errno.h>
#include <string.h>
#include <sodium.h>

#include "keys.h"
#include "p2pctl.h"

/* One line, without its newline; -1 if none or too long. */
static int read_line(char *buf, size_t size, FILE *f)
{
	size_t len;

	if (!fgets(buf, size, f))
		return -1;
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	else if (!feof(f))
		return -1;
	return 0;
}

int key_read(uint8_t key[P2P_KEY_LEN], FILE *f, const char *what)
{
	char line[128];
	const char *why;

	if (read_line(line, sizeof(line), f)) {
		err("%s: no key found (expected one line of base64)", what);
		return -1;
	}
	why = key_from_b64(key, line);
	sodium_memzero(line, sizeof(line));
	if (why) {
		err("%s: invalid key: %s", what, why);
		return -1;
	}
	return 0;
}

int key_from_arg(uint8_t key[P2P_KEY_LEN], const char *arg, const char *what)
{
	const char *why;
	FILE *f;
	int ret;

	why = key_from_b64(key, arg);
	if (!why)
		return 0;
	f = fopen(arg, "re");
	if (!f) {
		if (errno == ENOENT && !strchr(arg, '/'))
			err("invalid %s \"%s\": %s (nor is it a file)", what, arg, why);
		else
			err("%s: %s", arg, strerror(errno));
		return -1;
	}
	ret = key_read(key, f, arg);
	fclose(f);
	return ret;
}

int key_public(uint8_t pub[P2P_KEY_LEN], const uint8_t priv[P2P_KEY_LEN])
{
	return crypto_scalarmult_curve25519_base(pub, priv);
}
