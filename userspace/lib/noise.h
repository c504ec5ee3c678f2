/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Noise protocol framework (revision 34), suite 25519_ChaChaPoly_SHA256, on
 * libsodium. p2pshare uses the KK pattern; the other base patterns are here
 * so that published test vectors for them can run too.
 *
 * Every function returns 0 or a negative errno: -EBADMSG when a peer's
 * message fails authentication (or carries a low-order point), -EMSGSIZE
 * when a buffer is too small, -EINVAL on misuse (wrong turn, missing key).
 * After a failure the handshake state is dead: wipe it.
 */
#ifndef _P2P_NOISE_H
#define _P2P_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOISE_DHLEN	32
#define NOISE_KEYLEN	32
#define NOISE_HASHLEN	32
#define NOISE_TAGLEN	16
#define NOISE_MAX_MSG	65535

struct noise_cipher {
	uint8_t k[NOISE_KEYLEN];
	uint64_t n;
	bool has_key;
};

struct noise_symmetric {
	struct noise_cipher cs;
	uint8_t ck[NOISE_HASHLEN];
	uint8_t h[NOISE_HASHLEN];
};

struct noise_keypair {
	uint8_t priv[NOISE_DHLEN];
	uint8_t pub[NOISE_DHLEN];
	bool set;
};

struct noise_pattern;

struct noise_handshake {
	struct noise_symmetric sym;
	const struct noise_pattern *pattern;
	struct noise_keypair s;
	struct noise_keypair e;
	uint8_t rs[NOISE_DHLEN];
	uint8_t re[NOISE_DHLEN];
	bool has_rs;
	bool has_re;
	bool initiator;
	bool failed;
	unsigned int msg;		/* index of the next handshake message */
};

/* Transport state after the handshake, seen from one side. */
struct noise_session {
	struct noise_cipher tx;
	struct noise_cipher rx;
	uint8_t hash[NOISE_HASHLEN];	/* handshake hash h */
};

int noise_init(void);
/* HKDF(ck, ikm, 2) of section 4.3; out1 may be ck (MixKey does that). */
void noise_hkdf2(uint8_t out1[NOISE_HASHLEN], uint8_t out2[NOISE_HASHLEN],
		 const uint8_t ck[NOISE_HASHLEN], const uint8_t *ikm,
		 size_t ikm_len);
void noise_genkey(uint8_t priv[NOISE_DHLEN]);
int noise_pubkey(uint8_t pub[NOISE_DHLEN], const uint8_t priv[NOISE_DHLEN]);

/*
 * pattern is a base pattern name ("KK", "IK", "XX", ...). s_priv is the
 * local static private key, rs the remote static public key; each may be
 * NULL where the pattern does not need it beforehand.
 */
int noise_handshake_init(struct noise_handshake *hs, const char *pattern,
			 bool initiator, const void *prologue,
			 size_t prologue_len, const uint8_t *s_priv,
			 const uint8_t *rs);
/* For test vectors: use this ephemeral private key instead of a new one. */
int noise_handshake_set_ephemeral(struct noise_handshake *hs,
				  const uint8_t e_priv[NOISE_DHLEN]);
int noise_write_message(struct noise_handshake *hs, const void *payload,
			size_t payload_len, uint8_t *out, size_t cap,
			size_t *out_len);
int noise_read_message(struct noise_handshake *hs, const uint8_t *msg,
		       size_t len, uint8_t *payload, size_t cap,
		       size_t *payload_len);
bool noise_handshake_done(const struct noise_handshake *hs);
bool noise_handshake_my_turn(const struct noise_handshake *hs);
/* Split() into tx/rx for this side and the handshake hash; wipes hs. */
int noise_handshake_split(struct noise_handshake *hs,
			  struct noise_session *out);
void noise_handshake_wipe(struct noise_handshake *hs);

/* Transport messages: out holds len + NOISE_TAGLEN (encrypt) or len -
 * NOISE_TAGLEN (decrypt) bytes. */
int noise_encrypt(struct noise_cipher *c, const void *ad, size_t ad_len,
		  const void *in, size_t len, uint8_t *out);
int noise_decrypt(struct noise_cipher *c, const void *ad, size_t ad_len,
		  const uint8_t *in, size_t len, uint8_t *out);
void noise_session_wipe(struct noise_session *s);

#endif /* _P2P_NOISE_H */
