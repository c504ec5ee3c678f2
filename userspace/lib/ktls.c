// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Record keys and the kernel's TLS record layer (PROTOCOL.md 6.5-6.8).
 * No TLS handshake happens: the keys come from the Noise handshake.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/tls.h>

#include <sodium.h>

#include "ktls.h"

#ifndef SOL_TLS
#define SOL_TLS		282
#endif
#ifndef TLS_RX_EXPECT_NO_PAD
#define TLS_RX_EXPECT_NO_PAD	4
#endif

void p2p_record_key_derive(struct p2p_record_key *out,
			   const uint8_t k[NOISE_KEYLEN],
			   const uint8_t hash[NOISE_HASHLEN])
{
	uint8_t info[P2P_KDF_LABEL_LEN + NOISE_HASHLEN];
	uint8_t o1[NOISE_HASHLEN], o2[NOISE_HASHLEN];

	memcpy(info, P2P_KDF_LABEL, P2P_KDF_LABEL_LEN);
	memcpy(info + P2P_KDF_LABEL_LEN, hash, NOISE_HASHLEN);
	noise_hkdf2(o1, o2, k, info, sizeof(info));
	memcpy(out->key, o1, P2P_TLS_KEY_LEN);
	memcpy(out->iv, o2, P2P_TLS_IV_LEN);
	sodium_memzero(o1, sizeof(o1));
	sodium_memzero(o2, sizeof(o2));
}

static const struct {
	uint16_t bit;
	const char *name;
} ciphers[] = {
	{ P2P_CIPHER_AES_128_GCM, "aes-128-gcm" },
	{ P2P_CIPHER_CHACHA20_POLY1305, "chacha20-poly1305" },
};

#define N_CIPHERS	(sizeof(ciphers) / sizeof(ciphers[0]))

const char *p2p_cipher_name(uint16_t cipher)
{
	size_t i;

	for (i = 0; i < N_CIPHERS; i++)
		if (ciphers[i].bit == cipher)
			return ciphers[i].name;
	return NULL;
}

static int cipher_of(const char *s, size_t len, uint16_t *bit)
{
	size_t i;

	for (i = 0; i < N_CIPHERS; i++) {
		if (strlen(ciphers[i].name) == len &&
		    !memcmp(ciphers[i].name, s, len)) {
			*bit = ciphers[i].bit;
			return 0;
		}
	}
	return -EINVAL;
}

int p2p_cipher_parse(const char *list, uint16_t *set)
{
	uint16_t bits = 0, bit;
	size_t n;

	for (;;) {
		n = strcspn(list, ",");
		if (cipher_of(list, n, &bit))
			return -EINVAL;
		bits |= bit;
		if (!list[n])
			break;
		list += n + 1;
	}
	*set = bits;
	return 0;
}

uint16_t p2p_cipher_choose(uint16_t offer, uint16_t pref)
{
	offer &= P2P_CIPHERS_ALL;
	if (!pref)
		pref = P2P_CIPHER_DEFAULT;
	if (offer & pref)
		return pref;
	return offer & -offer;	/* the lowest bit, 0 if none */
}

int p2p_ktls_ulp(int fd)
{
	if (!setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		return 0;
	if (errno == ENOENT || errno == ENOPROTOOPT || errno == EOPNOTSUPP)
		return -ENOPKG;
	return -errno;
}

static int set_aes(int fd, int dir, const struct p2p_record_key *rk)
{
	struct tls12_crypto_info_aes_gcm_128 ci = { 0 };
	int ret;

	ci.info.version = TLS_1_3_VERSION;
	ci.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	memcpy(ci.salt, rk->iv, sizeof(ci.salt));
	memcpy(ci.iv, rk->iv + sizeof(ci.salt), sizeof(ci.iv));
	memcpy(ci.key, rk->key, sizeof(ci.key));
	ret = setsockopt(fd, SOL_TLS, dir, &ci, sizeof(ci)) ? -errno : 0;
	sodium_memzero(&ci, sizeof(ci));
	return ret;
}

static int set_chacha(int fd, int dir, const struct p2p_record_key *rk)
{
	struct tls12_crypto_info_chacha20_poly1305 ci = { 0 };
	int ret;

	ci.info.version = TLS_1_3_VERSION;
	ci.info.cipher_type = TLS_CIPHER_CHACHA20_POLY1305;
	memcpy(ci.iv, rk->iv, sizeof(ci.iv));
	memcpy(ci.key, rk->key, sizeof(ci.key));
	ret = setsockopt(fd, SOL_TLS, dir, &ci, sizeof(ci)) ? -errno : 0;
	sodium_memzero(&ci, sizeof(ci));
	return ret;
}

int p2p_ktls_set(int fd, int dir, uint16_t cipher,
		 const struct p2p_record_key *rk)
{
	switch (cipher) {
	case P2P_CIPHER_AES_128_GCM:
		return set_aes(fd, dir, rk);
	case P2P_CIPHER_CHACHA20_POLY1305:
		return set_chacha(fd, dir, rk);
	default:
		return -EINVAL;
	}
}

/*
 * No peer of ours pads its records (PROTOCOL.md 6.7), so the kernel may
 * decrypt a record straight into the reader's buffer instead of into pages
 * of its own and copying from there. A padded record still reads right: the
 * kernel then decrypts it again the slow way (TlsDecryptRetry in
 * /proc/net/tls_stat). Kernels before 6.0 lack the option; it only saves
 * work, so its absence is no error.
 */
static void expect_no_pad(int fd)
{
	unsigned int one = 1;

	setsockopt(fd, SOL_TLS, TLS_RX_EXPECT_NO_PAD, &one, sizeof(one));
}

int p2p_ktls_start(int fd, uint16_t cipher, const struct noise_session *ns)
{
	struct p2p_record_key rk;
	int ret;

	p2p_record_key_derive(&rk, ns->tx.k, ns->hash);
	ret = p2p_ktls_set(fd, TLS_TX, cipher, &rk);
	if (!ret) {
		p2p_record_key_derive(&rk, ns->rx.k, ns->hash);
		ret = p2p_ktls_set(fd, TLS_RX, cipher, &rk);
	}
	if (!ret)
		expect_no_pad(fd);
	sodium_memzero(&rk, sizeof(rk));
	return ret;
}

uint64_t p2p_record_limit(void)
{
	static uint64_t limit;
	uint64_t v = __atomic_load_n(&limit, __ATOMIC_RELAXED);
	const char *s;
	char *end;

	if (v)
		return v;
	v = P2P_RECORD_LIMIT;
	s = getenv("P2P_RECORD_LIMIT");
	if (s && *s >= '0' && *s <= '9') {
		unsigned long long n;

		errno = 0;
		n = strtoull(s, &end, 10);
		if (!errno && !*end && n > 1 && n <= P2P_RECORD_LIMIT)
			v = n;
	}
	__atomic_store_n(&limit, v, __ATOMIC_RELAXED);
	return v;
}
