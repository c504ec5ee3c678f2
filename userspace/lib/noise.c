// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Noise (revision 34) with 25519, ChaChaPoly and SHA256 from libsodium. The
 * state machines follow section 5 of the specification name for name.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "noise.h"

#define SUITE		"_25519_ChaChaPoly_SHA256"
#define MAX_MSGS	4

/* Base patterns (section 7). Tokens separated by one space. */
struct noise_pattern {
	const char *name;
	const char *pre_i;	/* "s" or "" */
	const char *pre_r;
	const char *msgs[MAX_MSGS];
};

static const struct noise_pattern patterns[] = {
	{ "N",  "",  "s", { "e es" } },
	{ "K",  "s", "s", { "e es ss" } },
	{ "X",  "",  "s", { "e es s ss" } },
	{ "NN", "",  "",  { "e", "e ee" } },
	{ "NK", "",  "s", { "e es", "e ee" } },
	{ "NX", "",  "",  { "e", "e ee s es" } },
	{ "KN", "s", "",  { "e", "e ee se" } },
	{ "KK", "s", "s", { "e es ss", "e ee se" } },
	{ "KX", "s", "",  { "e", "e ee se s es" } },
	{ "XN", "",  "",  { "e", "e ee", "s se" } },
	{ "XK", "",  "s", { "e es", "e ee", "s se" } },
	{ "XX", "",  "",  { "e", "e ee s es", "s se" } },
	{ "IN", "",  "",  { "e s", "e ee se" } },
	{ "IK", "",  "s", { "e es s ss", "e ee se" } },
	{ "IX", "",  "",  { "e s", "e ee se s es" } },
};

static const struct noise_pattern *find_pattern(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		if (!strcmp(patterns[i].name, name))
			return &patterns[i];
	return NULL;
}

static unsigned int msg_count(const struct noise_pattern *p)
{
	unsigned int n = 0;

	while (n < MAX_MSGS && p->msgs[n])
		n++;
	return n;
}

/* Next token of *s into tok (at most 2 chars); false at the end. */
static bool next_token(const char **s, char tok[3])
{
	size_t n;

	while (**s == ' ')
		(*s)++;
	n = strcspn(*s, " ");
	if (!n || n > 2)
		return false;
	memcpy(tok, *s, n);
	tok[n] = '\0';
	*s += n;
	return true;
}

/* Keys */

int noise_init(void)
{
	return sodium_init() < 0 ? -ENOSYS : 0;
}

void noise_genkey(uint8_t priv[NOISE_DHLEN])
{
	randombytes_buf(priv, NOISE_DHLEN);
	priv[0] &= 248;
	priv[31] &= 127;
	priv[31] |= 64;
}

int noise_pubkey(uint8_t pub[NOISE_DHLEN], const uint8_t priv[NOISE_DHLEN])
{
	return crypto_scalarmult_base(pub, priv) ? -EINVAL : 0;
}

static int keypair_set(struct noise_keypair *kp, const uint8_t *priv)
{
	memcpy(kp->priv, priv, NOISE_DHLEN);
	kp->set = !noise_pubkey(kp->pub, kp->priv);
	return kp->set ? 0 : -EINVAL;
}

/* A low-order peer key gives an all-zero result: reject it. */
static int dh(uint8_t out[NOISE_DHLEN], const struct noise_keypair *kp,
	      const uint8_t *pub)
{
	return crypto_scalarmult(out, kp->priv, pub) ? -EBADMSG : 0;
}

/* HASH, HMAC-HASH, HKDF (section 4.3) */

static void hmac(uint8_t out[NOISE_HASHLEN], const uint8_t *key,
		 const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, NOISE_HASHLEN);
	crypto_auth_hmacsha256_update(&st, a, a_len);
	crypto_auth_hmacsha256_update(&st, b, b_len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

/* HKDF with two outputs, the only number this suite's patterns use. */
void noise_hkdf2(uint8_t out1[NOISE_HASHLEN], uint8_t out2[NOISE_HASHLEN],
		  const uint8_t ck[NOISE_HASHLEN], const uint8_t *ikm,
		  size_t ikm_len)
{
	static const uint8_t one = 1, two = 2;
	uint8_t temp[NOISE_HASHLEN], t1[NOISE_HASHLEN];

	hmac(temp, ck, ikm, ikm_len, NULL, 0);
	hmac(t1, temp, &one, 1, NULL, 0);
	hmac(out2, temp, t1, NOISE_HASHLEN, &two, 1);
	memcpy(out1, t1, NOISE_HASHLEN);
	sodium_memzero(temp, sizeof(temp));
	sodium_memzero(t1, sizeof(t1));
}

/* CipherState (section 5.1) */

static void cipher_init(struct noise_cipher *c, const uint8_t *k)
{
	memcpy(c->k, k, NOISE_KEYLEN);
	c->n = 0;
	c->has_key = true;
}

static void nonce(uint8_t out[12], uint64_t n)
{
	int i;

	memset(out, 0, 4);
	for (i = 0; i < 8; i++)
		out[4 + i] = n >> (8 * i);
}

int noise_encrypt(struct noise_cipher *c, const void *ad, size_t ad_len,
		  const void *in, size_t len, uint8_t *out)
{
	uint8_t npub[12];

	if (!c->has_key) {
		memmove(out, in, len);
		return 0;
	}
	if (c->n == UINT64_MAX)
		return -EOVERFLOW;
	nonce(npub, c->n);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, in, len, ad,
						  ad_len, NULL, npub, c->k);
	c->n++;
	return 0;
}

int noise_decrypt(struct noise_cipher *c, const void *ad, size_t ad_len,
		  const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t npub[12];

	if (!c->has_key) {
		memmove(out, in, len);
		return 0;
	}
	if (c->n == UINT64_MAX)
		return -EOVERFLOW;
	if (len < NOISE_TAGLEN)
		return -EBADMSG;
	nonce(npub, c->n);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(out, NULL, NULL, in, len,
						      ad, ad_len, npub, c->k))
		return -EBADMSG;
	c->n++;
	return 0;
}

/* SymmetricState (section 5.2) */

static void sym_init(struct noise_symmetric *ss, const char *name)
{
	size_t len = strlen(name);

	memset(ss, 0, sizeof(*ss));
	if (len <= NOISE_HASHLEN)
		memcpy(ss->h, name, len);
	else
		crypto_hash_sha256(ss->h, (const uint8_t *)name, len);
	memcpy(ss->ck, ss->h, NOISE_HASHLEN);
}

static void mix_hash(struct noise_symmetric *ss, const void *data,
		     size_t len)
{
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, ss->h, NOISE_HASHLEN);
	crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, ss->h);
}

static void mix_key(struct noise_symmetric *ss, const uint8_t *ikm,
		    size_t len)
{
	uint8_t k[NOISE_HASHLEN];

	noise_hkdf2(ss->ck, k, ss->ck, ikm, len);
	cipher_init(&ss->cs, k);
	sodium_memzero(k, sizeof(k));
}

static int encrypt_and_hash(struct noise_symmetric *ss, const void *in,
			    size_t len, uint8_t *out)
{
	int ret;

	ret = noise_encrypt(&ss->cs, ss->h, NOISE_HASHLEN, in, len, out);
	if (!ret)
		mix_hash(ss, out, len + (ss->cs.has_key ? NOISE_TAGLEN : 0));
	return ret;
}

static int decrypt_and_hash(struct noise_symmetric *ss, const uint8_t *in,
			    size_t len, uint8_t *out)
{
	uint8_t h[NOISE_HASHLEN];
	int ret;

	memcpy(h, ss->h, NOISE_HASHLEN);
	mix_hash(ss, in, len);
	ret = noise_decrypt(&ss->cs, h, NOISE_HASHLEN, in, len, out);
	return ret;
}

static size_t overhead(const struct noise_symmetric *ss)
{
	return ss->cs.has_key ? NOISE_TAGLEN : 0;
}

/* HandshakeState (section 5.3) */

static void mix_pre(struct noise_handshake *hs, const char *pre, bool mine)
{
	if (!*pre)
		return;
	mix_hash(&hs->sym, mine ? hs->s.pub : hs->rs, NOISE_DHLEN);
}

int noise_handshake_init(struct noise_handshake *hs, const char *pattern,
			 bool initiator, const void *prologue,
			 size_t prologue_len, const uint8_t *s_priv,
			 const uint8_t *rs)
{
	const struct noise_pattern *p = find_pattern(pattern);
	const char *pre_mine, *pre_theirs;
	char name[64];
	int ret;

	memset(hs, 0, sizeof(*hs));
	if (!p)
		return -EINVAL;
	pre_mine = initiator ? p->pre_i : p->pre_r;
	pre_theirs = initiator ? p->pre_r : p->pre_i;
	if ((*pre_mine && !s_priv) || (*pre_theirs && !rs))
		return -EINVAL;
	if (s_priv) {
		ret = keypair_set(&hs->s, s_priv);
		if (ret)
			return ret;
	}
	if (rs) {
		memcpy(hs->rs, rs, NOISE_DHLEN);
		hs->has_rs = true;
	}
	hs->pattern = p;
	hs->initiator = initiator;
	snprintf(name, sizeof(name), "Noise_%s" SUITE, p->name);
	sym_init(&hs->sym, name);
	mix_hash(&hs->sym, prologue, prologue_len);
	/* Pre-message keys: the initiator's first, then the responder's. */
	mix_pre(hs, p->pre_i, initiator);
	mix_pre(hs, p->pre_r, !initiator);
	return 0;
}

int noise_handshake_set_ephemeral(struct noise_handshake *hs,
				  const uint8_t e_priv[NOISE_DHLEN])
{
	return keypair_set(&hs->e, e_priv);
}

bool noise_handshake_done(const struct noise_handshake *hs)
{
	return hs->pattern && hs->msg >= msg_count(hs->pattern);
}

bool noise_handshake_my_turn(const struct noise_handshake *hs)
{
	return !noise_handshake_done(hs) && !hs->failed &&
	       (hs->msg % 2 == 0) == hs->initiator;
}

/* "ee", "es", "se", "ss": es is DH(initiator e, responder s), and so on. */
static int mix_dh(struct noise_handshake *hs, const char *tok)
{
	bool first_e = tok[0] == 'e', second_e = tok[1] == 'e';
	const struct noise_keypair *mine;
	const uint8_t *theirs;
	uint8_t out[NOISE_DHLEN];
	int ret;

	if (hs->initiator) {
		mine = first_e ? &hs->e : &hs->s;
		theirs = second_e ? hs->re : hs->rs;
	} else {
		mine = second_e ? &hs->e : &hs->s;
		theirs = first_e ? hs->re : hs->rs;
	}
	if (!mine->set || (theirs == hs->re ? !hs->has_re : !hs->has_rs))
		return -EINVAL;
	ret = dh(out, mine, theirs);
	if (!ret)
		mix_key(&hs->sym, out, NOISE_DHLEN);
	sodium_memzero(out, sizeof(out));
	return ret;
}

struct cursor {
	uint8_t *p;
	size_t len;
	size_t off;
};

static int write_e(struct noise_handshake *hs, struct cursor *c)
{
	uint8_t priv[NOISE_DHLEN];
	int ret = 0;

	if (NOISE_DHLEN > c->len - c->off)
		return -EMSGSIZE;
	if (!hs->e.set) {
		noise_genkey(priv);
		ret = keypair_set(&hs->e, priv);
		sodium_memzero(priv, sizeof(priv));
	}
	if (ret)
		return ret;
	memcpy(c->p + c->off, hs->e.pub, NOISE_DHLEN);
	c->off += NOISE_DHLEN;
	mix_hash(&hs->sym, hs->e.pub, NOISE_DHLEN);
	return 0;
}

static int write_s(struct noise_handshake *hs, struct cursor *c)
{
	size_t n = NOISE_DHLEN + overhead(&hs->sym);
	int ret;

	if (!hs->s.set)
		return -EINVAL;
	if (n > c->len - c->off)
		return -EMSGSIZE;
	ret = encrypt_and_hash(&hs->sym, hs->s.pub, NOISE_DHLEN,
			       c->p + c->off);
	c->off += n;
	return ret;
}

static int write_token(struct noise_handshake *hs, const char *tok,
		       struct cursor *c)
{
	if (!strcmp(tok, "e"))
		return write_e(hs, c);
	if (!strcmp(tok, "s"))
		return write_s(hs, c);
	return mix_dh(hs, tok);
}

static int write_tokens(struct noise_handshake *hs, const void *payload,
			size_t payload_len, struct cursor *c)
{
	const char *toks = hs->pattern->msgs[hs->msg];
	char tok[3];
	int ret;

	while (next_token(&toks, tok)) {
		ret = write_token(hs, tok, c);
		if (ret)
			return ret;
	}
	if (payload_len + overhead(&hs->sym) > c->len - c->off)
		return -EMSGSIZE;
	ret = encrypt_and_hash(&hs->sym, payload, payload_len, c->p + c->off);
	c->off += payload_len + overhead(&hs->sym);
	return ret;
}

int noise_write_message(struct noise_handshake *hs, const void *payload,
			size_t payload_len, uint8_t *out, size_t cap,
			size_t *out_len)
{
	struct cursor c = { out, cap < NOISE_MAX_MSG ? cap : NOISE_MAX_MSG, 0 };
	int ret;

	if (!noise_handshake_my_turn(hs))
		return -EINVAL;
	ret = write_tokens(hs, payload, payload_len, &c);
	if (ret) {
		hs->failed = true;
		return ret;
	}
	hs->msg++;
	*out_len = c.off;
	return 0;
}

static int read_e(struct noise_handshake *hs, const uint8_t *msg,
		  size_t len, size_t *off)
{
	if (NOISE_DHLEN > len - *off)
		return -EBADMSG;
	memcpy(hs->re, msg + *off, NOISE_DHLEN);
	hs->has_re = true;
	*off += NOISE_DHLEN;
	mix_hash(&hs->sym, hs->re, NOISE_DHLEN);
	return 0;
}

static int read_s(struct noise_handshake *hs, const uint8_t *msg,
		  size_t len, size_t *off)
{
	size_t n = NOISE_DHLEN + overhead(&hs->sym);
	int ret;

	if (n > len - *off)
		return -EBADMSG;
	ret = decrypt_and_hash(&hs->sym, msg + *off, n, hs->rs);
	if (ret)
		return ret;
	hs->has_rs = true;
	*off += n;
	return 0;
}

static int read_token(struct noise_handshake *hs, const char *tok,
		      const uint8_t *msg, size_t len, size_t *off)
{
	if (!strcmp(tok, "e"))
		return read_e(hs, msg, len, off);
	if (!strcmp(tok, "s"))
		return read_s(hs, msg, len, off);
	return mix_dh(hs, tok);
}

static int read_tokens(struct noise_handshake *hs, const uint8_t *msg,
		       size_t len, uint8_t *payload, size_t cap,
		       size_t *payload_len)
{
	const char *toks = hs->pattern->msgs[hs->msg];
	size_t off = 0, n;
	char tok[3];
	int ret;

	while (next_token(&toks, tok)) {
		ret = read_token(hs, tok, msg, len, &off);
		if (ret)
			return ret;
	}
	n = len - off;
	if (n < overhead(&hs->sym))
		return -EBADMSG;
	n -= overhead(&hs->sym);
	if (n > cap)
		return -EMSGSIZE;
	ret = decrypt_and_hash(&hs->sym, msg + off, len - off, payload);
	if (!ret)
		*payload_len = n;
	return ret;
}

int noise_read_message(struct noise_handshake *hs, const uint8_t *msg,
		       size_t len, uint8_t *payload, size_t cap,
		       size_t *payload_len)
{
	int ret;

	if (hs->failed || !hs->pattern || noise_handshake_done(hs) ||
	    noise_handshake_my_turn(hs))
		return -EINVAL;
	ret = len > NOISE_MAX_MSG ? -EMSGSIZE :
	      read_tokens(hs, msg, len, payload, cap, payload_len);
	if (ret) {
		hs->failed = true;
		return ret;
	}
	hs->msg++;
	return 0;
}

/* Split (section 5.2): c1 carries initiator to responder traffic. */
int noise_handshake_split(struct noise_handshake *hs,
			  struct noise_session *out)
{
	uint8_t k1[NOISE_KEYLEN], k2[NOISE_KEYLEN];

	if (hs->failed || !noise_handshake_done(hs))
		return -EINVAL;
	noise_hkdf2(k1, k2, hs->sym.ck, NULL, 0);
	cipher_init(hs->initiator ? &out->tx : &out->rx, k1);
	cipher_init(hs->initiator ? &out->rx : &out->tx, k2);
	memcpy(out->hash, hs->sym.h, NOISE_HASHLEN);
	sodium_memzero(k1, sizeof(k1));
	sodium_memzero(k2, sizeof(k2));
	noise_handshake_wipe(hs);
	return 0;
}

void noise_handshake_wipe(struct noise_handshake *hs)
{
	sodium_memzero(hs, sizeof(*hs));
}

void noise_session_wipe(struct noise_session *s)
{
	sodium_memzero(s, sizeof(*s));
}
