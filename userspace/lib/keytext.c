// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * X25519 keys as base64 text, with libsodium.
 */
#include <string.h>
#include <sodium.h>

#include "keytext.h"

void key_to_b64(char out[KEY_B64_LEN], const uint8_t key[P2P_KEY_LEN])
{
	sodium_bin2base64(out, KEY_B64_LEN, key, P2P_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
}

const char *key_from_b64(uint8_t key[P2P_KEY_LEN], const char *s)
{
	uint8_t buf[P2P_KEY_LEN + 3];
	const char *end;
	size_t len;

	if (sodium_base642bin(buf, sizeof(buf), s, strlen(s), NULL, &len, &end,
			      sodium_base64_VARIANT_ORIGINAL) || *end)
		return "not valid base64";
	if (len != P2P_KEY_LEN)
		return "wrong length (a key is 32 bytes, 44 base64 characters)";
	if (sodium_is_zero(buf, P2P_KEY_LEN))
		return "all zeros";
	memcpy(key, buf, P2P_KEY_LEN);
	sodium_memzero(buf, sizeof(buf));
	return NULL;
}
