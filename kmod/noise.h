/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_NOISE_H
#define P2P_NOISE_H

#include <linux/types.h>

#include "uapi/p2pshare_proto.h"

/* One direction's record key (AES-128-GCM takes the first 16 bytes). */
struct p2p_tls_keys {
	u8 key[P2P_TLS_KEY_LEN];
	u8 iv[P2P_TLS_IV_LEN];
};

/* What a completed handshake leaves: the keys of the record layer. */
struct p2p_noise_keys {
	struct p2p_tls_keys rx;		/* initiator -> responder */
	struct p2p_tls_keys tx;		/* responder -> initiator */
	u8 hash[P2P_HASH_LEN];		/* handshake hash */
	u16 cipher;			/* P2P_CIPHER_*, one bit */
};

/*
 * The responder half of Noise_KK_25519_ChaChaPoly_SHA256: read the
 * initiator's message MSG1 (P2P_HANDSHAKE1_LEN bytes) against the pinned
 * initiator key RS, pick the record cipher from its offer (PREFER if
 * offered), write MSG2 (P2P_HANDSHAKE2_LEN bytes) and derive the record
 * keys.  Returns 0, -EBADMSG when MSG1 does not authenticate, -ENOPROTOOPT
 * when it offers no cipher we know, or another errno.
 */
int p2p_noise_respond(const u8 s_priv[P2P_KEY_LEN],
		      const u8 s_pub[P2P_KEY_LEN],
		      const u8 rs[P2P_KEY_LEN],
		      const u8 *prologue, size_t prologue_len,
		      const u8 msg1[P2P_HANDSHAKE1_LEN], u16 prefer,
		      u8 msg2[P2P_HANDSHAKE2_LEN],
		      struct p2p_noise_keys *keys);

/* X25519 public key of PRIV, with the crypto API's curve25519 kpp. */
int p2p_noise_pubkey(const u8 priv[P2P_KEY_LEN], u8 pub[P2P_KEY_LEN]);

/* 0 if PUB is a usable public key, -EDOM for a low-order point. */
int p2p_noise_check_pubkey(const u8 pub[P2P_KEY_LEN]);

/* Transform sets alive and those idle in the pool (debugfs "noise_objects"). */
void p2p_noise_objects(unsigned int *sets, unsigned int *idle);

/* Frees the pooled transforms: only once no handshake can run. */
void p2p_noise_uninit(void);

#endif /* P2P_NOISE_H */
