// SPDX-License-Identifier: GPL-2.0
/*
 * Noise against published vectors (cacophony, snow: see
 * vectors/noise_25519_chachapoly_sha256.txt), p2pshare's own v2 vector
 * (vectors/p2pshare_v2.txt: handshake, record keys, a record), and the
 * HELLO + KK flow over a socket pair: success, wrong key, unknown user,
 * replay, pinning, busy, version, ciphers, bytes after HANDSHAKE1, the
 * record limit. The host kernel has no kTLS: the flows run with
 * no_records, and kTLS itself is tested in the guest.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "kselftest_harness.h"
/* proto.h brings userspace/lib/noise.h (kmod/noise.h is the kernel's) */
#include "proto.h"
#include "ktls.h"

#define MAX_MSGS	8
#define MAX_BUF		1024
#define MAX_FIELDS	40

struct blob {
	uint8_t b[MAX_BUF];
	size_t len;
	bool set;
};

struct field {
	char name[32];
	struct blob val;
};

struct vec {
	char name[64];
	struct field f[MAX_FIELDS];
	int nfields;
	struct blob payload[MAX_MSGS];
	struct blob cipher[MAX_MSGS];
	int nmsgs;
};

static int unhex(const char *s, struct blob *out)
{
	size_t n = strlen(s), i;
	unsigned int x;

	out->set = true;
	out->len = 0;
	if (!strcmp(s, "-"))
		return 0;
	if (n % 2 || n / 2 > MAX_BUF)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &x) != 1)
			return -1;
		out->b[i] = x;
	}
	out->len = n / 2;
	return 0;
}

static const struct blob *field(const struct vec *v, const char *name)
{
	int i;

	for (i = 0; i < v->nfields; i++)
		if (!strcmp(v->f[i].name, name))
			return &v->f[i].val;
	return NULL;
}

/* $P2P_ROOT, the working directory, or the tree the binary was built in. */
static FILE *open_vectors(const char *file)
{
	const char *roots[] = { getenv("P2P_ROOT"), ".", NULL };
	char path[4096], exe[4096];
	FILE *fp = NULL;
	ssize_t n;
	size_t i;

	/* build/tests/host/test_noise */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 32);
	if (n > 0) {
		exe[n] = '\0';
		strcpy(strrchr(exe, '/'), "/../../..");
		roots[2] = exe;
	}
	for (i = 0; i < 3 && !fp; i++) {
		if (!roots[i])
			continue;
		snprintf(path, sizeof(path), "%s/tests/host/vectors/%s",
			 roots[i], file);
		fp = fopen(path, "r");
	}
	return fp;
}

static int parse_line(struct vec *v, char *key, char *a, char *b)
{
	struct field *f;

	if (!strcmp(key, "msg")) {
		if (v->nmsgs >= MAX_MSGS || !b)
			return -1;
		if (unhex(a, &v->payload[v->nmsgs]) ||
		    unhex(b, &v->cipher[v->nmsgs]))
			return -1;
		v->nmsgs++;
		return 0;
	}
	if (v->nfields >= MAX_FIELDS || strlen(key) >= sizeof(f->name))
		return -1;
	f = &v->f[v->nfields++];
	strcpy(f->name, key);
	return unhex(a, &f->val);
}

/* The entry "vector NAME" after a "# source: ..." line naming source. */
static int load_vector(const char *file, const char *source,
		       const char *name, struct vec *v)
{
	char line[4096], *key, *a, *b, *save;
	bool in_source = false, in_vec = false;
	FILE *fp = open_vectors(file);
	int ret = -1;

	memset(v, 0, sizeof(*v));
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "# source: ", 10))
			in_source = strstr(line + 10, source) != NULL;
		key = strtok_r(line, " ", &save);
		if (!key || key[0] == '#')
			continue;
		a = strtok_r(NULL, " ", &save);
		b = strtok_r(NULL, " ", &save);
		if (!strcmp(key, "vector")) {
			in_vec = in_source && a && !strcmp(a, name);
			if (in_vec)
				snprintf(v->name, sizeof(v->name), "%s", a);
		} else if (in_vec && !strcmp(key, "end")) {
			ret = 0;
			break;
		} else if (in_vec && (!a || parse_line(v, key, a, b))) {
			break;
		}
	}
	fclose(fp);
	return ret;
}

static const uint8_t *key_or_null(const struct vec *v, const char *name)
{
	const struct blob *b = field(v, name);

	return b && b->len == NOISE_DHLEN ? b->b : NULL;
}

/* "Noise_KK_25519_..." -> "KK" */
static void pattern_of(const char *name, char *out, size_t cap)
{
	const char *p = name + strlen("Noise_");
	size_t n = strcspn(p, "_");

	snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
}

static int init_side(struct noise_handshake *hs, const struct vec *v,
		     const char *pattern, bool initiator)
{
	const char *side = initiator ? "init" : "resp";
	const struct blob *prologue, *e;
	char key[32];
	int ret;

	snprintf(key, sizeof(key), "%s_prologue", side);
	prologue = field(v, key);
	snprintf(key, sizeof(key), "%s_static", side);
	{
		const uint8_t *s = key_or_null(v, key);

		snprintf(key, sizeof(key), "%s_remote_static", side);
		ret = noise_handshake_init(hs, pattern, initiator,
					   prologue->b, prologue->len, s,
					   key_or_null(v, key));
	}
	if (ret)
		return ret;
	snprintf(key, sizeof(key), "%s_ephemeral", side);
	e = field(v, key);
	return e ? noise_handshake_set_ephemeral(hs, e->b) : 0;
}

FIXTURE(vector) {
	struct vec v;
	char pattern[8];
};

FIXTURE_VARIANT(vector) {
	const char *source;
	const char *name;
};

#define VEC(src, pat) \
	FIXTURE_VARIANT_ADD(vector, src##_##pat) { \
		.source = #src, \
		.name = "Noise_" #pat "_25519_ChaChaPoly_SHA256", \
	}

VEC(cacophony, KK);
VEC(cacophony, N);
VEC(cacophony, K);
VEC(cacophony, X);
VEC(cacophony, NN);
VEC(cacophony, NK);
VEC(cacophony, NX);
VEC(cacophony, KN);
VEC(cacophony, KX);
VEC(cacophony, XN);
VEC(cacophony, XK);
VEC(cacophony, XX);
VEC(cacophony, IN);
VEC(cacophony, IK);
VEC(cacophony, IX);
VEC(snow, KK);
VEC(snow, IK);
VEC(snow, XX);

FIXTURE_SETUP(vector)
{
	ASSERT_EQ(0, noise_init());
	ASSERT_EQ(0, load_vector("noise_25519_chachapoly_sha256.txt",
				 variant->source, variant->name, &self->v)) {
		TH_LOG("vector %s from %s not found", variant->name,
		       variant->source);
	}
	ASSERT_GE(self->v.nmsgs, 2);
	pattern_of(self->v.name, self->pattern, sizeof(self->pattern));
}

FIXTURE_TEARDOWN(vector)
{
}

/*
 * Every message in order: handshake messages through write/read, then
 * transport messages through the split cipher states. Messages alternate
 * between the parties, except in one-way patterns (N, K, X).
 */
TEST_F(vector, messages)
{
	struct noise_handshake hi, hr;
	struct noise_session si, sr;
	uint8_t out[MAX_BUF], plain[MAX_BUF];
	bool one_way = strlen(self->pattern) == 1, done = false;
	const struct blob *hash = field(&self->v, "handshake_hash");
	size_t len, plen;
	int i;

	ASSERT_EQ(0, init_side(&hi, &self->v, self->pattern, true));
	ASSERT_EQ(0, init_side(&hr, &self->v, self->pattern, false));
	for (i = 0; i < self->v.nmsgs; i++) {
		const struct blob *p = &self->v.payload[i];
		const struct blob *c = &self->v.cipher[i];
		bool from_i = one_way || i % 2 == 0;
		struct noise_handshake *tx = from_i ? &hi : &hr;
		struct noise_handshake *rx = from_i ? &hr : &hi;

		if (!done) {
			ASSERT_EQ(0, noise_write_message(tx, p->b, p->len, out,
							 sizeof(out), &len));
			ASSERT_EQ(c->len, len);
			ASSERT_EQ(0, memcmp(c->b, out, len)) {
				TH_LOG("handshake message %d differs", i);
			}
			ASSERT_EQ(0, noise_read_message(rx, out, len, plain,
							sizeof(plain), &plen));
			ASSERT_EQ(p->len, plen);
			ASSERT_EQ(0, memcmp(p->b, plain, plen));
			if (!noise_handshake_done(&hi))
				continue;
			ASSERT_TRUE(noise_handshake_done(&hr));
			ASSERT_EQ(0, noise_handshake_split(&hi, &si));
			ASSERT_EQ(0, noise_handshake_split(&hr, &sr));
			ASSERT_EQ(0, memcmp(si.hash, sr.hash, NOISE_HASHLEN));
			if (hash)
				ASSERT_EQ(0, memcmp(hash->b, si.hash,
						    NOISE_HASHLEN));
			done = true;
			continue;
		}
		ASSERT_EQ(0, noise_encrypt(from_i ? &si.tx : &sr.tx, NULL, 0,
					   p->b, p->len, out));
		ASSERT_EQ(c->len, p->len + NOISE_TAGLEN);
		ASSERT_EQ(0, memcmp(c->b, out, c->len)) {
			TH_LOG("transport message %d differs", i);
		}
		ASSERT_EQ(0, noise_decrypt(from_i ? &sr.rx : &si.rx, NULL, 0,
					   out, c->len, plain));
		ASSERT_EQ(0, memcmp(p->b, plain, p->len));
	}
	ASSERT_TRUE(done);
}

/*
 * A flipped bit anywhere in the first authenticated handshake message (the
 * first one sent after a key exists) makes the reader fail.
 */
TEST_F(vector, tampered)
{
	struct noise_handshake hs[2], copy;
	uint8_t out[MAX_BUF], plain[MAX_BUF];
	bool one_way = strlen(self->pattern) == 1;
	size_t len, plen, i;
	int m;
	volatile int tx = 0;

	ASSERT_EQ(0, init_side(&hs[0], &self->v, self->pattern, true));
	ASSERT_EQ(0, init_side(&hs[1], &self->v, self->pattern, false));
	for (m = 0; !noise_handshake_done(&hs[0]); m++) {
		tx = one_way ? 0 : m % 2;
		ASSERT_EQ(0, noise_write_message(&hs[tx], self->v.payload[m].b,
						 self->v.payload[m].len, out,
						 sizeof(out), &len));
		if (hs[tx].sym.cs.has_key)
			break;
		ASSERT_EQ(0, noise_read_message(&hs[!tx], out, len, plain,
						sizeof(plain), &plen));
	}
	ASSERT_TRUE(hs[tx].sym.cs.has_key);
	for (i = 0; i < len; i++) {
		copy = hs[!tx];
		out[i] ^= 0x40;
		ASSERT_EQ(-EBADMSG, noise_read_message(&copy, out, len, plain,
						       sizeof(plain), &plen)) {
			TH_LOG("message %d byte %zu", m, i);
		}
		out[i] ^= 0x40;
	}
	ASSERT_EQ(0, noise_read_message(&hs[!tx], out, len, plain,
					sizeof(plain), &plen));
}

/* p2pshare's KK handshake with fixed keys: vectors/p2pshare_v2.txt */

static void fill(uint8_t *b, size_t n, uint8_t start)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = start + i;
}

#define MSG_LEN		P2P_HANDSHAKE1_LEN
static const uint8_t offer_all[2] = { 0x00, 0x03 };
static const uint8_t choice_aes[2] = { 0x00, 0x01 };

struct kk_keys {
	uint8_t user_priv[32], user_pub[32];
	uint8_t host_priv[32], host_pub[32];
	uint8_t ie[32], re[32];
	uint8_t challenge[32];
	uint8_t prologue[P2P_MAX_PROLOGUE];
	int prologue_len;
};

static void kk_keys_fixed(struct kk_keys *k, const char *user)
{
	struct p2p_hello hello = { 2, 2, { user, strlen(user) } };

	fill(k->user_priv, 32, 0x01);
	fill(k->host_priv, 32, 0x21);
	fill(k->ie, 32, 0x41);
	fill(k->re, 32, 0x61);
	fill(k->challenge, 32, 0x81);
	noise_pubkey(k->user_pub, k->user_priv);
	noise_pubkey(k->host_pub, k->host_priv);
	k->prologue_len = p2p_prologue(k->prologue, sizeof(k->prologue),
				       &hello, 2, k->challenge);
}

/* Runs msg1 and msg2; the responder believes the user key is rs. */
static int kk_run(struct kk_keys *k, const uint8_t *rs, const uint8_t *prol,
		  size_t prol_len, uint8_t msg1[MSG_LEN], uint8_t msg2[MSG_LEN],
		  struct noise_session *si, struct noise_session *sr)
{
	struct noise_handshake hi, hr;
	uint8_t plain[16];
	size_t len, plen;
	int ret;

	ret = noise_handshake_init(&hi, "KK", true, k->prologue,
				   k->prologue_len, k->user_priv, k->host_pub);
	if (!ret)
		ret = noise_handshake_init(&hr, "KK", false, prol, prol_len,
					   k->host_priv, rs);
	if (!ret)
		ret = noise_write_message(&hi, offer_all, 2, msg1, MSG_LEN,
					  &len);
	if (!ret)
		ret = noise_read_message(&hr, msg1, len, plain, sizeof(plain),
					 &plen);
	if (!ret)
		ret = noise_write_message(&hr, choice_aes, 2, msg2, MSG_LEN,
					  &len);
	if (!ret)
		ret = noise_read_message(&hi, msg2, len, plain, sizeof(plain),
					 &plen);
	if (!ret)
		ret = noise_handshake_split(&hi, si);
	if (!ret)
		ret = noise_handshake_split(&hr, sr);
	noise_handshake_wipe(&hi);
	noise_handshake_wipe(&hr);
	return ret;
}

static bool same(const struct vec *v, const char *name, const void *b,
		 size_t len)
{
	const struct blob *f = field(v, name);

	return f && f->len == len && !memcmp(f->b, b, len);
}

TEST(p2pshare_vector)
{
	struct noise_handshake hi, hr;
	struct noise_session si, sr;
	uint8_t msg1[MSG_LEN], msg2[MSG_LEN], plain[16];
	struct kk_keys k;
	struct vec v;
	size_t len, plen;

	ASSERT_EQ(0, noise_init());
	ASSERT_EQ(0, load_vector("p2pshare_v2.txt", "p2pshare",
				 "p2pshare_v2_kk", &v));
	kk_keys_fixed(&k, "alice");
	ASSERT_EQ(55, k.prologue_len);
	ASSERT_TRUE(same(&v, "prologue", k.prologue, k.prologue_len));
	ASSERT_TRUE(same(&v, "user_pub", k.user_pub, 32));
	ASSERT_TRUE(same(&v, "host_pub", k.host_pub, 32));
	ASSERT_TRUE(same(&v, "offer", offer_all, 2));
	ASSERT_TRUE(same(&v, "choice", choice_aes, 2));

	ASSERT_EQ(0, noise_handshake_init(&hi, "KK", true, k.prologue,
					  k.prologue_len, k.user_priv,
					  k.host_pub));
	ASSERT_EQ(0, noise_handshake_set_ephemeral(&hi, k.ie));
	ASSERT_EQ(0, noise_handshake_init(&hr, "KK", false, k.prologue,
					  k.prologue_len, k.host_priv,
					  k.user_pub));
	ASSERT_EQ(0, noise_handshake_set_ephemeral(&hr, k.re));
	ASSERT_EQ(0, noise_write_message(&hi, offer_all, 2, msg1, MSG_LEN,
					 &len));
	ASSERT_EQ(50U, len);
	ASSERT_TRUE(same(&v, "handshake1", msg1, 50));
	ASSERT_EQ(0, noise_read_message(&hr, msg1, 50, plain, 16, &plen));
	ASSERT_EQ(2U, plen);
	ASSERT_EQ(0, memcmp(plain, offer_all, 2));
	ASSERT_EQ(0, noise_write_message(&hr, choice_aes, 2, msg2, MSG_LEN,
					 &len));
	ASSERT_EQ(50U, len);
	ASSERT_TRUE(same(&v, "handshake2", msg2, 50));
	ASSERT_EQ(0, noise_read_message(&hi, msg2, 50, plain, 16, &plen));
	ASSERT_EQ(2U, plen);
	ASSERT_EQ(0, memcmp(plain, choice_aes, 2));
	ASSERT_EQ(0, noise_handshake_split(&hi, &si));
	ASSERT_EQ(0, noise_handshake_split(&hr, &sr));
	ASSERT_TRUE(same(&v, "handshake_hash", si.hash, 32));
	ASSERT_TRUE(same(&v, "handshake_hash", sr.hash, 32));
	ASSERT_TRUE(same(&v, "k1", si.tx.k, 32));
	ASSERT_TRUE(same(&v, "k1", sr.rx.k, 32));
	ASSERT_TRUE(same(&v, "k2", si.rx.k, 32));
	ASSERT_TRUE(same(&v, "k2", sr.tx.k, 32));
}

/* Record keys and IVs of both directions, both ciphers (6.6). */
TEST(p2pshare_vector_record_keys)
{
	struct p2p_record_key c2s, s2c;
	const struct blob *k1, *k2, *h;
	struct vec v;

	ASSERT_EQ(0, load_vector("p2pshare_v2.txt", "p2pshare",
				 "p2pshare_v2_kk", &v));
	k1 = field(&v, "k1");
	k2 = field(&v, "k2");
	h = field(&v, "handshake_hash");
	ASSERT_TRUE(k1 && k2 && h);
	p2p_record_key_derive(&c2s, k1->b, h->b);
	p2p_record_key_derive(&s2c, k2->b, h->b);
	ASSERT_TRUE(same(&v, "c2s_aes_128_gcm_key", c2s.key, 16));
	ASSERT_TRUE(same(&v, "c2s_aes_128_gcm_iv", c2s.iv, 12));
	ASSERT_TRUE(same(&v, "c2s_chacha20_poly1305_key", c2s.key, 32));
	ASSERT_TRUE(same(&v, "c2s_chacha20_poly1305_iv", c2s.iv, 12));
	ASSERT_TRUE(same(&v, "s2c_aes_128_gcm_key", s2c.key, 16));
	ASSERT_TRUE(same(&v, "s2c_aes_128_gcm_iv", s2c.iv, 12));
	ASSERT_TRUE(same(&v, "s2c_chacha20_poly1305_key", s2c.key, 32));
	ASSERT_TRUE(same(&v, "s2c_chacha20_poly1305_iv", s2c.iv, 12));
}

/*
 * The first client -> server record (6.7), ChaCha20-Poly1305: libsodium
 * has no AES-128-GCM; the kernel checks both records in the guest.
 */
TEST(p2pshare_vector_record)
{
	const struct blob *pt, *rec, *key, *iv;
	uint8_t inner[64], out[64];
	unsigned long long n;
	struct vec v;

	ASSERT_EQ(0, noise_init());
	ASSERT_EQ(0, load_vector("p2pshare_v2.txt", "p2pshare",
				 "p2pshare_v2_kk", &v));
	pt = field(&v, "record0_plaintext");
	rec = field(&v, "c2s_chacha20_poly1305_record0");
	key = field(&v, "c2s_chacha20_poly1305_key");
	iv = field(&v, "c2s_chacha20_poly1305_iv");
	ASSERT_TRUE(pt && rec && key && iv);
	ASSERT_EQ(12U, pt->len);
	/* 5-byte header, the frame, content type 0x17, the tag */
	ASSERT_EQ(5U + 12 + 1 + 16, rec->len);
	memcpy(inner, pt->b, pt->len);
	inner[pt->len] = 0x17;
	/* sequence number 0: the nonce is the iv */
	crypto_aead_chacha20poly1305_ietf_encrypt(out, &n, inner, pt->len + 1,
						  rec->b, 5, NULL, iv->b,
						  key->b);
	ASSERT_EQ(rec->len - 5, n);
	ASSERT_EQ(0, memcmp(rec->b, "\x17\x03\x03\x00\x1d", 5));
	ASSERT_EQ(0, memcmp(rec->b + 5, out, n));
	/* The AES-128-GCM record has the same header and length. */
	rec = field(&v, "c2s_aes_128_gcm_record0");
	ASSERT_TRUE(rec && rec->len == 34);
	ASSERT_EQ(0, memcmp(rec->b, "\x17\x03\x03\x00\x1d", 5));
}

/* The key of 6.6 is the first 16 or 32 bytes of o1, for any k and h. */
TEST(record_key_derive)
{
	uint8_t k[32], h[32], info[47], o1[32], o2[32];
	struct p2p_record_key rk;

	ASSERT_EQ(0, noise_init());
	randombytes_buf(k, sizeof(k));
	randombytes_buf(h, sizeof(h));
	memcpy(info, "p2pshare/2 kTLS", 15);
	memcpy(info + 15, h, 32);
	noise_hkdf2(o1, o2, k, info, sizeof(info));
	p2p_record_key_derive(&rk, k, h);
	ASSERT_EQ(0, memcmp(rk.key, o1, 32));
	ASSERT_EQ(0, memcmp(rk.iv, o2, 12));
	/* Another hash, other keys: the records are bound to h. */
	h[0] ^= 1;
	p2p_record_key_derive(&rk, k, h);
	ASSERT_NE(0, memcmp(rk.key, o1, 32));
}

TEST(cipher_names)
{
	uint16_t set = 0xffff;

	ASSERT_STREQ("aes-128-gcm", p2p_cipher_name(P2P_CIPHER_AES_128_GCM));
	ASSERT_STREQ("chacha20-poly1305",
		     p2p_cipher_name(P2P_CIPHER_CHACHA20_POLY1305));
	ASSERT_EQ(NULL, p2p_cipher_name(0));
	ASSERT_EQ(NULL, p2p_cipher_name(P2P_CIPHERS_ALL));
	ASSERT_EQ(NULL, p2p_cipher_name(0x0004));
	ASSERT_EQ(0, p2p_cipher_parse("aes-128-gcm", &set));
	ASSERT_EQ(P2P_CIPHER_AES_128_GCM, set);
	ASSERT_EQ(0, p2p_cipher_parse("chacha20-poly1305", &set));
	ASSERT_EQ(P2P_CIPHER_CHACHA20_POLY1305, set);
	ASSERT_EQ(0, p2p_cipher_parse("chacha20-poly1305,aes-128-gcm", &set));
	ASSERT_EQ(P2P_CIPHERS_ALL, set);
	set = 7;
	ASSERT_EQ(-EINVAL, p2p_cipher_parse("aes-256-gcm", &set));
	ASSERT_EQ(-EINVAL, p2p_cipher_parse("", &set));
	ASSERT_EQ(-EINVAL, p2p_cipher_parse("aes-128-gcm,", &set));
	ASSERT_EQ(-EINVAL, p2p_cipher_parse("AES-128-GCM", &set));
	ASSERT_EQ(-EINVAL, p2p_cipher_parse("aes-128-gcmx", &set));
	ASSERT_EQ(-EINVAL, p2p_cipher_parse("aes", &set));
	ASSERT_EQ(7, set);
}

/* 6.5: the preference if offered, else the lowest known bit offered. */
TEST(cipher_choose)
{
	ASSERT_EQ(P2P_CIPHER_AES_128_GCM, p2p_cipher_choose(0x0003, 0));
	ASSERT_EQ(P2P_CIPHER_CHACHA20_POLY1305,
		  p2p_cipher_choose(0x0003, P2P_CIPHER_CHACHA20_POLY1305));
	ASSERT_EQ(P2P_CIPHER_CHACHA20_POLY1305, p2p_cipher_choose(0x0002, 0));
	ASSERT_EQ(P2P_CIPHER_AES_128_GCM,
		  p2p_cipher_choose(0x0001, P2P_CIPHER_CHACHA20_POLY1305));
	ASSERT_EQ(P2P_CIPHER_CHACHA20_POLY1305, p2p_cipher_choose(0xfffe, 0));
	ASSERT_EQ(0, p2p_cipher_choose(0, 0));
	ASSERT_EQ(0, p2p_cipher_choose(0xfffc, P2P_CIPHER_AES_128_GCM));
}

/* Our KK flow at the Noise level */

TEST(kk_complete)
{
	struct noise_session si, sr;
	uint8_t msg1[MSG_LEN], msg2[MSG_LEN], ct[64], pt[64];
	struct kk_keys k;

	ASSERT_EQ(0, noise_init());
	kk_keys_fixed(&k, "alice");
	noise_genkey(k.user_priv);
	noise_pubkey(k.user_pub, k.user_priv);
	ASSERT_EQ(0, kk_run(&k, k.user_pub, k.prologue, k.prologue_len, msg1,
			    msg2, &si, &sr));
	ASSERT_EQ(0, memcmp(si.hash, sr.hash, 32));
	ASSERT_EQ(0, memcmp(si.tx.k, sr.rx.k, 32));
	ASSERT_EQ(0, memcmp(si.rx.k, sr.tx.k, 32));
	ASSERT_NE(0, memcmp(si.tx.k, si.rx.k, 32));
	ASSERT_EQ(0, noise_encrypt(&sr.tx, NULL, 0, "hello", 5, ct));
	ASSERT_EQ(0, noise_decrypt(&si.rx, NULL, 0, ct, 5 + 16, pt));
	ASSERT_EQ(0, memcmp(pt, "hello", 5));
	/* A replayed transport message fails: the nonce moved on. */
	ASSERT_EQ(-EBADMSG, noise_decrypt(&si.rx, NULL, 0, ct, 21, pt));
}

TEST(kk_wrong_client_key)
{
	struct noise_session si, sr;
	uint8_t msg1[MSG_LEN], msg2[MSG_LEN], other[32], other_pub[32];
	struct kk_keys k;

	ASSERT_EQ(0, noise_init());
	kk_keys_fixed(&k, "alice");
	noise_genkey(other);
	noise_pubkey(other_pub, other);
	ASSERT_EQ(-EBADMSG, kk_run(&k, other_pub, k.prologue, k.prologue_len,
				   msg1, msg2, &si, &sr));
}

TEST(kk_unknown_user_dummy_key)
{
	struct noise_session si, sr;
	uint8_t msg1[MSG_LEN], msg2[MSG_LEN], dummy[32], dummy_pub[32];
	struct kk_keys k;

	ASSERT_EQ(0, noise_init());
	kk_keys_fixed(&k, "nobody");
	noise_genkey(dummy);
	noise_pubkey(dummy_pub, dummy);
	ASSERT_EQ(-EBADMSG, kk_run(&k, dummy_pub, k.prologue, k.prologue_len,
				   msg1, msg2, &si, &sr));
}

/* A low-order "public key" is refused, not used. */
TEST(kk_low_order_key)
{
	struct noise_session si, sr;
	uint8_t msg1[MSG_LEN], msg2[MSG_LEN], zero[32] = { 0 };
	struct kk_keys k;

	ASSERT_EQ(0, noise_init());
	kk_keys_fixed(&k, "alice");
	ASSERT_EQ(-EBADMSG, kk_run(&k, zero, k.prologue, k.prologue_len,
				   msg1, msg2, &si, &sr));
}

/* msg1 of one connection, fed to a responder with a new challenge. */
TEST(kk_replay_fresh_challenge)
{
	struct p2p_hello hello = { 2, 2, { "alice", 5 } };
	struct noise_handshake hr;
	struct noise_session si, sr;
	uint8_t msg1[MSG_LEN], msg2[MSG_LEN], challenge[32], prol[P2P_MAX_PROLOGUE];
	uint8_t plain[16];
	struct kk_keys k;
	size_t plen;
	int len;

	ASSERT_EQ(0, noise_init());
	kk_keys_fixed(&k, "alice");
	ASSERT_EQ(0, kk_run(&k, k.user_pub, k.prologue, k.prologue_len, msg1,
			    msg2, &si, &sr));
	randombytes_buf(challenge, sizeof(challenge));
	len = p2p_prologue(prol, sizeof(prol), &hello, 2, challenge);
	ASSERT_EQ(k.prologue_len, len);
	ASSERT_EQ(0, noise_handshake_init(&hr, "KK", false, prol, len,
					  k.host_priv, k.user_pub));
	ASSERT_EQ(-EBADMSG, noise_read_message(&hr, msg1, MSG_LEN, plain, 16,
					       &plen));
	/* The same challenge would accept it: the server must vary it. */
	ASSERT_EQ(0, noise_handshake_init(&hr, "KK", false, k.prologue,
					  k.prologue_len, k.host_priv,
					  k.user_pub));
	ASSERT_EQ(0, noise_read_message(&hr, msg1, MSG_LEN, plain, 16,
					&plen));
}

/* Version range, chosen version and user name are bound by the prologue. */
TEST(kk_prologue_binding)
{
	static const struct {
		struct p2p_hello hello;
		uint16_t version;
	} other[] = {
		{ { 1, 2, { "alice", 5 } }, 2 },	/* a widened range */
		{ { 2, 3, { "alice", 5 } }, 2 },
		{ { 2, 2, { "alice", 5 } }, 3 },
		{ { 2, 2, { "alicf", 5 } }, 2 },
	};
	struct noise_session si, sr;
	uint8_t msg1[MSG_LEN], msg2[MSG_LEN], prol[P2P_MAX_PROLOGUE];
	struct kk_keys k;
	size_t i;
	int len;

	ASSERT_EQ(0, noise_init());
	kk_keys_fixed(&k, "alice");
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		len = p2p_prologue(prol, sizeof(prol), &other[i].hello,
				   other[i].version, k.challenge);
		ASSERT_GT(len, 0);
		ASSERT_EQ(-EBADMSG, kk_run(&k, k.user_pub, prol, len, msg1,
					   msg2, &si, &sr));
	}
}

/* The client pinned a host key whose private half the server lacks. */
TEST(kk_impostor_host)
{
	struct noise_handshake hi, hr;
	uint8_t msg1[MSG_LEN], msg2[MSG_LEN], plain[16], fake[32];
	struct kk_keys k;
	size_t len, plen;

	ASSERT_EQ(0, noise_init());
	kk_keys_fixed(&k, "alice");
	noise_genkey(fake);
	ASSERT_EQ(0, noise_handshake_init(&hi, "KK", true, k.prologue,
					  k.prologue_len, k.user_priv,
					  k.host_pub));
	ASSERT_EQ(0, noise_handshake_init(&hr, "KK", false, k.prologue,
					  k.prologue_len, fake, k.user_pub));
	ASSERT_EQ(0, noise_write_message(&hi, offer_all, 2, msg1, MSG_LEN,
					 &len));
	/* The impostor cannot even read msg1 (es, ss use the host key). */
	ASSERT_EQ(-EBADMSG, noise_read_message(&hr, msg1, len, plain, 16,
					       &plen));
	/* Nor can it make a msg2 the client accepts. */
	fill(msg2, sizeof(msg2), 7);
	ASSERT_EQ(-EBADMSG, noise_read_message(&hi, msg2, MSG_LEN, plain, 16,
					       &plen));
}

/* The HELLO + KK flow over a socket pair, server in a thread */

struct srv {
	int fd;
	struct p2p_server_keys keys;
	uint8_t user_pub[32];
	const char *user;
	bool records;		/* try kTLS (and fail: AF_UNIX) */
	int ret;
	struct p2p_session sess;
};

static int lookup(void *ctx, const char *user, uint8_t pub[32])
{
	struct srv *s = ctx;

	if (strcmp(user, s->user))
		return -ENOENT;
	memcpy(pub, s->user_pub, 32);
	return 0;
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	s->ret = p2p_server_handshake(s->fd, &s->keys, lookup, s, &s->sess);
	return NULL;
}

struct pair {
	struct srv srv;
	pthread_t thread;
	int cfd;
	uint8_t user_priv[32];
};

static void pair_init(struct pair *p)
{
	uint8_t dummy[32];

	memset(p, 0, sizeof(*p));
	noise_init();
	p->srv.user = "alice";
	noise_genkey(p->srv.keys.priv);
	noise_pubkey(p->srv.keys.pub, p->srv.keys.priv);
	noise_genkey(dummy);
	noise_pubkey(p->srv.keys.dummy_pub, dummy);
	noise_genkey(p->user_priv);
	noise_pubkey(p->srv.user_pub, p->user_priv);
}

/* A new connection to the same server. */
static int pair_run(struct pair *p)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	p->cfd = sv[0];
	p->srv.fd = sv[1];
	p->srv.ret = 1;
	/* the host kernel has no kTLS, and AF_UNIX none at all */
	memset(&p->srv.sess, 0, sizeof(p->srv.sess));
	p->srv.sess.no_records = !p->srv.records;
	return pthread_create(&p->thread, NULL, srv_main, &p->srv);
}

static int pair_start(struct pair *p)
{
	pair_init(p);
	return pair_run(p);
}

static void pair_stop(struct pair *p)
{
	shutdown(p->srv.fd, SHUT_RDWR);
	shutdown(p->cfd, SHUT_RDWR);
	pthread_join(p->thread, NULL);
	close(p->cfd);
	close(p->srv.fd);
}

TEST(flow_ok)
{
	struct p2p_session cs = { .no_records = true };
	uint8_t hk[32];
	struct pair p;

	ASSERT_EQ(0, pair_start(&p));
	ASSERT_EQ(0, p2p_client_connect(p.cfd, "alice", p.user_priv, NULL,
					hk, &cs));
	pair_stop(&p);
	ASSERT_EQ(0, p.srv.ret);
	ASSERT_EQ(0, memcmp(hk, p.srv.keys.pub, 32));
	ASSERT_EQ(0, memcmp(cs.host_key, p.srv.keys.pub, 32));
	ASSERT_STREQ("alice", p.srv.sess.user);
	ASSERT_EQ(2, cs.version);
	ASSERT_EQ(2, p.srv.sess.version);
	ASSERT_EQ(P2P_CIPHERS_ALL, p.srv.sess.offer);
	ASSERT_EQ(P2P_CIPHER_AES_128_GCM, p.srv.sess.cipher);
	ASSERT_EQ(P2P_CIPHER_AES_128_GCM, cs.cipher);
	ASSERT_EQ(0U, cs.tx_records);
	ASSERT_EQ(0, memcmp(cs.noise.hash, p.srv.sess.noise.hash, 32));
	ASSERT_EQ(0, memcmp(cs.noise.tx.k, p.srv.sess.noise.rx.k, 32));
	ASSERT_EQ(0, memcmp(cs.noise.rx.k, p.srv.sess.noise.tx.k, 32));
}

TEST(flow_pinned_key)
{
	struct p2p_session cs = { .no_records = true };
	uint8_t hk[32], hk2[32];
	struct pair p;

	ASSERT_EQ(0, pair_start(&p));
	ASSERT_EQ(0, p2p_client_connect(p.cfd, "alice", p.user_priv, NULL,
					hk, &cs));
	pair_stop(&p);
	ASSERT_EQ(0, pair_start(&p));
	/* A different host key than the one pinned: refuse before auth. */
	ASSERT_EQ(-EKEYREJECTED, p2p_client_connect(p.cfd, "alice",
						    p.user_priv, hk, hk2,
						    &cs));
	ASSERT_EQ(0, memcmp(hk2, p.srv.keys.pub, 32));
	pair_stop(&p);
	ASSERT_EQ(0, pair_start(&p));
	ASSERT_EQ(0, p2p_client_connect(p.cfd, "alice", p.user_priv,
					p.srv.keys.pub, hk2, &cs));
	pair_stop(&p);
}

/* Wrong key and unknown user: the client sees exactly the same. */
TEST(flow_wrong_key_unknown_user)
{
	struct p2p_session cs1 = { .no_records = true }, cs2 = cs1;
	uint8_t hk[32], other[32];
	struct pair p;

	ASSERT_EQ(0, pair_start(&p));
	noise_genkey(other);
	ASSERT_EQ(-EACCES, p2p_client_connect(p.cfd, "alice", other, NULL,
					      hk, &cs1));
	pair_stop(&p);
	ASSERT_EQ(-EACCES, p.srv.ret);

	ASSERT_EQ(0, pair_start(&p));
	ASSERT_EQ(-EACCES, p2p_client_connect(p.cfd, "mallory", other, NULL,
					      hk, &cs2));
	pair_stop(&p);
	ASSERT_EQ(-EACCES, p.srv.ret);
	ASSERT_EQ((uint32_t)EACCES, cs1.err.code);
	ASSERT_EQ(cs1.err.code, cs2.err.code);
	ASSERT_STREQ(cs1.err.msg, cs2.err.msg);
	ASSERT_STREQ("authentication failed", cs2.err.msg);
}

/* Raw client: send a frame, read one reply frame. */
static int raw(int fd, uint8_t op, uint32_t tag, const void *body,
	       uint32_t len, struct p2p_frame *f, uint8_t *buf, size_t cap)
{
	int ret = p2p_send_frame(fd, op, 0, tag, body, len);

	return ret ? ret : p2p_recv_frame(fd, true, f, buf, cap);
}

/* A raw client's HELLO (2..2, alice): the HELLO_REPLY in *hr. */
static int raw_hello(struct pair *p, struct p2p_hello_reply *hr)
{
	struct p2p_hello hello = { 2, 2, { "alice", 5 } };
	uint8_t buf[2048];
	struct p2p_frame f;
	int n, ret;

	n = p2p_enc_hello(buf, sizeof(buf), &hello);
	ret = raw(p->cfd, P2P_OP_HELLO, 1, buf, n, &f, buf, sizeof(buf));
	if (ret)
		return ret;
	if (f.op != P2P_OP_HELLO_REPLY)
		return -EPROTO;
	return p2p_dec_hello_reply(buf, f.len, hr);
}

/* HANDSHAKE1 offering offer, after raw_hello(), into msg1 (50 bytes). */
static int raw_msg1(struct pair *p, const struct p2p_hello_reply *hr,
		    uint16_t offer, uint8_t msg1[MSG_LEN])
{
	struct p2p_hello hello = { 2, 2, { "alice", 5 } };
	uint8_t prol[P2P_MAX_PROLOGUE], pay[2] = { offer >> 8, offer };
	struct noise_handshake hs;
	size_t len;
	int n, ret;

	n = p2p_prologue(prol, sizeof(prol), &hello, 2, hr->challenge);
	ret = noise_handshake_init(&hs, "KK", true, prol, n, p->user_priv,
				   hr->host_key);
	if (!ret)
		ret = noise_write_message(&hs, pay, 2, msg1, MSG_LEN, &len);
	noise_handshake_wipe(&hs);
	return ret;
}

/* One ERROR frame: its tag and code in f and e. */
static int raw_error(int fd, struct p2p_frame *f, struct p2p_error *e,
		     uint8_t *buf, size_t cap)
{
	int ret = p2p_recv_frame(fd, true, f, buf, cap);

	if (ret)
		return ret;
	if (f->op != P2P_OP_ERROR)
		return -EPROTO;
	return p2p_dec_error(buf, f->len, e);
}

/* HANDSHAKE1 captured on one connection, replayed on the next. */
TEST(flow_replay)
{
	struct p2p_hello_reply hr;
	struct p2p_error e;
	struct p2p_frame f;
	uint8_t buf[2048], msg1[MSG_LEN];
	struct pair p;

	ASSERT_EQ(0, pair_start(&p));
	ASSERT_EQ(0, raw_hello(&p, &hr));
	ASSERT_EQ(0, raw_msg1(&p, &hr, P2P_CIPHERS_ALL, msg1));
	ASSERT_EQ(0, raw(p.cfd, P2P_OP_HANDSHAKE1, 2, msg1, MSG_LEN, &f, buf,
			 sizeof(buf)));
	ASSERT_EQ(P2P_OP_HANDSHAKE2, f.op);
	ASSERT_EQ(50U, f.len);
	pair_stop(&p);
	ASSERT_EQ(0, p.srv.ret);

	/* Same server keys, same user, new connection and challenge. */
	ASSERT_EQ(0, pair_run(&p));
	ASSERT_EQ(0, raw_hello(&p, &hr));
	ASSERT_EQ(0, raw(p.cfd, P2P_OP_HANDSHAKE1, 2, msg1, MSG_LEN, &f, buf,
			 sizeof(buf)));
	ASSERT_EQ(P2P_OP_ERROR, f.op);
	ASSERT_EQ(2U, f.tag);
	ASSERT_EQ(0, p2p_dec_error(buf, f.len, &e));
	ASSERT_EQ((uint32_t)EACCES, e.code);
	pair_stop(&p);
	ASSERT_EQ(-EACCES, p.srv.ret);
}

/* A v1 HANDSHAKE1 (48 bytes, empty payload) fails authentication. */
TEST(flow_v1_handshake1)
{
	struct p2p_hello_reply hr;
	struct p2p_error e;
	struct p2p_frame f;
	uint8_t buf[2048];
	struct pair p;

	ASSERT_EQ(0, pair_start(&p));
	ASSERT_EQ(0, raw_hello(&p, &hr));
	memset(buf, 0x55, 48);
	ASSERT_EQ(0, p2p_send_frame(p.cfd, P2P_OP_HANDSHAKE1, 0, 2, buf, 48));
	ASSERT_EQ(0, raw_error(p.cfd, &f, &e, buf, sizeof(buf)));
	ASSERT_EQ((uint32_t)EACCES, e.code);
	pair_stop(&p);
	ASSERT_EQ(-EACCES, p.srv.ret);
}

TEST(flow_busy)
{
	struct p2p_session cs = { .no_records = true };
	uint8_t hk[32], user_priv[32];
	int sv[2];

	ASSERT_EQ(0, noise_init());
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	noise_genkey(user_priv);
	ASSERT_EQ(0, p2p_server_busy(sv[1]));
	ASSERT_EQ(-EREMOTEIO, p2p_client_connect(sv[0], "alice", user_priv,
						 NULL, hk, &cs));
	ASSERT_EQ((uint32_t)EBUSY, cs.err.code);
	ASSERT_STREQ("server busy", cs.err.msg);
	close(sv[0]);
	close(sv[1]);
}

/* A server of another version: the client gets its ERROR as it came. */
TEST(flow_server_other_version)
{
	struct p2p_session cs = { .no_records = true };
	uint8_t hk[32], user_priv[32];
	int sv[2];

	ASSERT_EQ(0, noise_init());
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	noise_genkey(user_priv);
	ASSERT_EQ(0, p2p_send_error(sv[1], 1, EPROTONOSUPPORT,
				    "protocol version not supported"));
	ASSERT_EQ(-EREMOTEIO, p2p_client_connect(sv[0], "alice", user_priv,
						 NULL, hk, &cs));
	ASSERT_EQ((uint32_t)EPROTONOSUPPORT, cs.err.code);
	ASSERT_STREQ("protocol version not supported", cs.err.msg);
	close(sv[0]);
	close(sv[1]);
}

/* HELLO ranges: only version 2 is spoken; v1 gets PROTOCOL.md's words. */
TEST(flow_version)
{
	static const struct {
		uint16_t min, max, chosen;	/* chosen 0: refused */
		const char *msg;
	} cases[] = {
		{ 1, 1, 0, "protocol version 1 is not supported: this server "
			   "speaks version 2 (encrypted); upgrade the client" },
		{ 3, 4, 0, "protocol version not supported" },
		{ 1, 2, 2, NULL },
		{ 2, 9, 2, NULL },
	};
	struct p2p_hello_reply hr;
	struct p2p_hello hello = { 0, 0, { "alice", 5 } };
	struct p2p_error e;
	struct p2p_frame f;
	uint8_t buf[2048];
	struct pair p;
	size_t i;
	int n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, pair_start(&p));
		hello.version_min = cases[i].min;
		hello.version_max = cases[i].max;
		n = p2p_enc_hello(buf, sizeof(buf), &hello);
		ASSERT_EQ(0, raw(p.cfd, P2P_OP_HELLO, 9, buf, n, &f, buf,
				 sizeof(buf)));
		ASSERT_EQ(9U, f.tag);
		if (cases[i].chosen) {
			ASSERT_EQ(P2P_OP_HELLO_REPLY, f.op);
			ASSERT_EQ(0, p2p_dec_hello_reply(buf, f.len, &hr));
			ASSERT_EQ(cases[i].chosen, hr.version);
			pair_stop(&p);
			continue;
		}
		ASSERT_EQ(P2P_OP_ERROR, f.op);
		ASSERT_EQ(0, p2p_dec_error(buf, f.len, &e));
		ASSERT_EQ((uint32_t)EPROTONOSUPPORT, e.code);
		ASSERT_EQ(strlen(cases[i].msg), e.msg.len);
		ASSERT_EQ(0, memcmp(cases[i].msg, e.msg.s, e.msg.len));
		pair_stop(&p);
		ASSERT_EQ(-EPROTONOSUPPORT, p.srv.ret);
	}
}

/* A request before the handshake is a protocol error. */
TEST(flow_no_hello)
{
	struct p2p_error e;
	struct p2p_frame f;
	uint8_t buf[2048];
	struct pair p;

	ASSERT_EQ(0, pair_start(&p));
	ASSERT_EQ(0, raw(p.cfd, P2P_OP_LIST_EXPORTS, 1, NULL, 0, &f, buf,
			 sizeof(buf)));
	ASSERT_EQ(P2P_OP_ERROR, f.op);
	ASSERT_EQ(0, p2p_dec_error(buf, f.len, &e));
	ASSERT_EQ((uint32_t)EPROTO, e.code);
	pair_stop(&p);
	ASSERT_EQ(-EPROTO, p.srv.ret);
}

/* The server's preference wins when offered, else the offer decides. */
TEST(flow_cipher)
{
	static const struct {
		uint16_t pref, offer, chosen;
	} cases[] = {
		{ 0, 0, P2P_CIPHER_AES_128_GCM },
		{ P2P_CIPHER_CHACHA20_POLY1305, 0, P2P_CIPHER_CHACHA20_POLY1305 },
		{ P2P_CIPHER_CHACHA20_POLY1305, P2P_CIPHER_AES_128_GCM,
		  P2P_CIPHER_AES_128_GCM },
		{ P2P_CIPHER_AES_128_GCM, P2P_CIPHER_CHACHA20_POLY1305,
		  P2P_CIPHER_CHACHA20_POLY1305 },
		{ 0, 0x8002, P2P_CIPHER_CHACHA20_POLY1305 },
	};
	struct p2p_session cs;
	uint8_t hk[32];
	struct pair p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pair_init(&p);
		p.srv.keys.cipher_pref = cases[i].pref;
		ASSERT_EQ(0, pair_run(&p));
		memset(&cs, 0, sizeof(cs));
		cs.no_records = true;
		cs.offer = cases[i].offer;
		ASSERT_EQ(0, p2p_client_connect(p.cfd, "alice", p.user_priv,
						NULL, hk, &cs));
		pair_stop(&p);
		ASSERT_EQ(0, p.srv.ret);
		ASSERT_EQ(cases[i].chosen, cs.cipher);
		ASSERT_EQ(cases[i].chosen, p.srv.sess.cipher);
		ASSERT_EQ(cases[i].offer ? cases[i].offer : P2P_CIPHERS_ALL,
			  p.srv.sess.offer);
	}
}

/* An offer of unknown bits only, or of none: ENOPROTOOPT after auth. */
TEST(flow_no_common_cipher)
{
	struct p2p_session cs = { .no_records = true, .offer = 0xfffc };
	struct p2p_hello_reply hr;
	struct p2p_error e;
	struct p2p_frame f;
	uint8_t hk[32], buf[2048], msg1[MSG_LEN];
	struct pair p;

	ASSERT_EQ(0, pair_start(&p));
	ASSERT_EQ(-EREMOTEIO, p2p_client_connect(p.cfd, "alice", p.user_priv,
						 NULL, hk, &cs));
	pair_stop(&p);
	ASSERT_EQ(-ENOPROTOOPT, p.srv.ret);
	ASSERT_EQ((uint32_t)ENOPROTOOPT, cs.err.code);
	ASSERT_STREQ("no cipher in common", cs.err.msg);

	ASSERT_EQ(0, pair_run(&p));
	ASSERT_EQ(0, raw_hello(&p, &hr));
	ASSERT_EQ(0, raw_msg1(&p, &hr, 0, msg1));
	ASSERT_EQ(0, raw(p.cfd, P2P_OP_HANDSHAKE1, 2, msg1, MSG_LEN, &f, buf,
			 sizeof(buf)));
	ASSERT_EQ(P2P_OP_ERROR, f.op);
	ASSERT_EQ(2U, f.tag);
	ASSERT_EQ(0, p2p_dec_error(buf, f.len, &e));
	ASSERT_EQ((uint32_t)ENOPROTOOPT, e.code);
	pair_stop(&p);
	ASSERT_EQ(-ENOPROTOOPT, p.srv.ret);
}

/* Bytes right behind HANDSHAKE1 are neither clear text nor records. */
TEST(flow_bytes_after_handshake1)
{
	struct p2p_frame fr = { .len = MSG_LEN, .op = P2P_OP_HANDSHAKE1,
				.tag = 2 };
	struct p2p_hello_reply hr;
	struct p2p_error e;
	struct p2p_frame f;
	uint8_t buf[2048], out[P2P_HDR_LEN + MSG_LEN + 1];
	struct pair p;

	ASSERT_EQ(0, pair_start(&p));
	ASSERT_EQ(0, raw_hello(&p, &hr));
	p2p_hdr_encode(out, &fr);
	ASSERT_EQ(0, raw_msg1(&p, &hr, P2P_CIPHERS_ALL, out + P2P_HDR_LEN));
	out[sizeof(out) - 1] = 0x17;
	ASSERT_EQ(0, p2p_write_full(p.cfd, out, sizeof(out)));
	ASSERT_EQ(0, raw_error(p.cfd, &f, &e, buf, sizeof(buf)));
	ASSERT_EQ(2U, f.tag);
	ASSERT_EQ((uint32_t)EPROTO, e.code);
	ASSERT_EQ(0, memcmp("data after HANDSHAKE1", e.msg.s, e.msg.len));
	pair_stop(&p);
	ASSERT_EQ(-EPROTO, p.srv.ret);

	/* Checked before authentication, as the module does. */
	ASSERT_EQ(0, pair_run(&p));
	ASSERT_EQ(0, raw_hello(&p, &hr));
	memset(out + P2P_HDR_LEN, 0x55, MSG_LEN);
	ASSERT_EQ(0, p2p_write_full(p.cfd, out, sizeof(out)));
	ASSERT_EQ(0, raw_error(p.cfd, &f, &e, buf, sizeof(buf)));
	ASSERT_EQ((uint32_t)EPROTO, e.code);
	pair_stop(&p);
	ASSERT_EQ(-EPROTO, p.srv.ret);
}

/*
 * Without no_records the client sets TCP_ULP before HANDSHAKE1: here
 * (AF_UNIX, a host without kTLS) that is -ENOPKG and nothing is sent.
 * A server without kTLS says so in clear after HANDSHAKE1.
 */
TEST(flow_no_ktls)
{
	struct p2p_session cs = { 0 };
	uint8_t hk[32];
	struct pair p;

	ASSERT_EQ(0, pair_start(&p));
	ASSERT_EQ(-ENOPKG, p2p_client_connect(p.cfd, "alice", p.user_priv,
					      NULL, hk, &cs));
	pair_stop(&p);
	ASSERT_EQ(-ESHUTDOWN, p.srv.ret);	/* no HANDSHAKE1 came */

	pair_init(&p);
	p.srv.records = true;
	ASSERT_EQ(0, pair_run(&p));
	cs.no_records = true;
	ASSERT_EQ(-EREMOTEIO, p2p_client_connect(p.cfd, "alice", p.user_priv,
						 NULL, hk, &cs));
	pair_stop(&p);
	ASSERT_EQ(-ENOPKG, p.srv.ret);
	ASSERT_EQ((uint32_t)EIO, cs.err.code);
	ASSERT_STREQ("kernel TLS unavailable", cs.err.msg);
}

/* The client's record count: one write of n bytes, 1 + n / 2^14 records. */
TEST(flow_record_limit)
{
	static const uint8_t ls_reply[4] = { 0 };
	struct p2p_session cs = { .no_records = true };
	struct p2p_list_reply lr;
	struct p2p_frame f;
	uint8_t hk[32], buf[256];
	struct pair p;

	ASSERT_EQ(P2P_RECORD_LIMIT, p2p_record_limit());
	ASSERT_EQ(0, pair_start(&p));
	ASSERT_EQ(0, p2p_client_connect(p.cfd, "alice", p.user_priv, NULL,
					hk, &cs));
	pthread_join(p.thread, NULL);
	ASSERT_EQ(0, p.srv.ret);
	ASSERT_EQ(0U, cs.tx_records);
	/* the replies of the server, ahead of the requests (tags 3, 4) */
	ASSERT_EQ(0, p2p_send_frame(p.srv.fd, P2P_OP_LIST_EXPORTS_REPLY, 0, 3,
				    ls_reply, 4));
	ASSERT_EQ(0, p2p_send_frame(p.srv.fd, P2P_OP_LIST_EXPORTS_REPLY, 0, 4,
				    ls_reply, 4));
	ASSERT_EQ(0, p2p_list_exports(&cs, buf, sizeof(buf), &lr));
	ASSERT_EQ(1U, cs.tx_records);
	cs.tx_records = P2P_RECORD_LIMIT - 1;	/* one more fits */
	ASSERT_EQ(0, p2p_list_exports(&cs, buf, sizeof(buf), &lr));
	ASSERT_EQ(P2P_RECORD_LIMIT, cs.tx_records);
	ASSERT_EQ(0, p2p_recv_frame(p.srv.fd, false, &f, buf, sizeof(buf)));
	ASSERT_EQ(0, p2p_recv_frame(p.srv.fd, false, &f, buf, sizeof(buf)));
	ASSERT_EQ(4U, f.tag);
	/* the next would pass it: not sent */
	ASSERT_EQ(-EKEYEXPIRED, p2p_list_exports(&cs, buf, sizeof(buf), &lr));
	ASSERT_EQ(P2P_RECORD_LIMIT, cs.tx_records);
	ASSERT_EQ(-1, recv(p.srv.fd, buf, 1, MSG_DONTWAIT));
	ASSERT_EQ(EAGAIN, errno);
	close(p.cfd);
	close(p.srv.fd);
}

/* P2P_RECORD_LIMIT in the environment lowers the limit (tests), never
 * raises it. The harness forks each test: the value is read afresh. */
TEST(record_limit_env)
{
	ASSERT_EQ(0, setenv("P2P_RECORD_LIMIT", "100", 1));
	ASSERT_EQ(100U, p2p_record_limit());
	ASSERT_EQ(0, setenv("P2P_RECORD_LIMIT", "7", 1));
	ASSERT_EQ(100U, p2p_record_limit());	/* read once */
}

TEST(record_limit_env_bad)
{
	ASSERT_EQ(0, setenv("P2P_RECORD_LIMIT", "99999999999", 1));
	ASSERT_EQ(P2P_RECORD_LIMIT, p2p_record_limit());
}

TEST(records_of)
{
	ASSERT_EQ(1U, p2p_records_of(0));
	ASSERT_EQ(1U, p2p_records_of(16383));
	ASSERT_EQ(2U, p2p_records_of(16384));
	ASSERT_EQ(65U, p2p_records_of(P2P_HDR_LEN + P2P_MAX_DATA_CHUNK));
}

TEST_HARNESS_MAIN
