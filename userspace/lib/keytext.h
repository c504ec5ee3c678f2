/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* X25519 keys as base64 text (the format of `wg genkey`). */
#ifndef P2P_KEYTEXT_H
#define P2P_KEYTEXT_H

#include <stdint.h>

#include "p2pshare_proto.h"

/* Base64 of a 32-byte key: 44 characters and a NUL. */
#define KEY_B64_LEN 45

void key_to_b64(char out[KEY_B64_LEN], const uint8_t key[P2P_KEY_LEN]);
/*
 * Decode a base64 key; NULL on success, else why not ("not valid base64",
 * "wrong length ...", "all zeros").
 */
const char *key_from_b64(uint8_t key[P2P_KEY_LEN], const char *s);

#endif /* P2P_KEYTEXT_H */
