/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The record layer of protocol v2 (PROTOCOL.md 6.5-6.8): record keys from
 * the Noise Split() keys and handshake hash, the kernel's TLS 1.3 records
 * (kTLS) installed on a TCP socket with them, and the record limit.
 */
#ifndef _P2P_KTLS_H
#define _P2P_KTLS_H

#include <stddef.h>
#include <stdint.h>

#include "noise.h"
#include "wire.h"

/* One direction's record protection. AES-128-GCM uses key[0..16). */
struct p2p_record_key {
	uint8_t key[P2P_TLS_KEY_LEN];
	uint8_t iv[P2P_TLS_IV_LEN];
};

/* o1, o2 = HKDF(k, P2P_KDF_LABEL || hash, 2); key = o1, iv = o2[:12]. */
void p2p_record_key_derive(struct p2p_record_key *out,
			   const uint8_t k[NOISE_KEYLEN],
			   const uint8_t hash[NOISE_HASHLEN]);

/* Cipher names as on the command line: "aes-128-gcm", "chacha20-poly1305". */
const char *p2p_cipher_name(uint16_t cipher);
/* A comma-separated list of names into a set of P2P_CIPHER_* bits. */
int p2p_cipher_parse(const char *list, uint16_t *set);

/* The server's choice from an offer (PROTOCOL.md 6.5): pref if offered,
 * else the lowest known bit; 0 when none is known. pref 0: the default. */
uint16_t p2p_cipher_choose(uint16_t offer, uint16_t pref);

/* TCP_ULP "tls": -ENOPKG when this kernel has no TLS record layer. */
int p2p_ktls_ulp(int fd);
/* TLS_TX or TLS_RX with these keys, TLS 1.3, record sequence 0. */
int p2p_ktls_set(int fd, int dir, uint16_t cipher,
		 const struct p2p_record_key *rk);
/* Both directions: the record keys of ns->tx as TLS_TX, of ns->rx as
 * TLS_RX (the ULP is already on fd). Wipes what it derived. */
int p2p_ktls_start(int fd, uint16_t cipher, const struct noise_session *ns);

/*
 * Records one key may protect: P2P_RECORD_LIMIT, or for tests the value of
 * the environment variable P2P_RECORD_LIMIT (a decimal number, 2 up to
 * P2P_RECORD_LIMIT: it can only lower the limit), read once per process.
 */
uint64_t p2p_record_limit(void);
/* Upper bound of the records one write(2) of len bytes makes. */
static inline uint64_t p2p_records_of(size_t len)
{
	return 1 + len / P2P_TLS_MAX_PLAINTEXT;
}

#endif /* _P2P_KTLS_H */
