// SPDX-License-Identifier: GPL-2.0
/*
 * Noise_KK_25519_ChaChaPoly_SHA256, responder side (Noise rev. 34), on the
 * kernel crypto API: curve25519 kpp, rfc7539(chacha20,poly1305) aead,
 * sha256 and hmac(sha256) shash.  These load their own modules on first
 * use, so a bare insmod works.
 *
 * The transforms come from a pool of sets, allocated on demand and kept
 * for the next handshake: a set costs four algorithm lookups, and the very
 * first one instantiates and self-tests the algorithms (seconds under TCG).
 *
 *   -> s
 *   <- s
 *   ...
 *   -> e, es, ss
 *   <- e, ee, se
 */
#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/kpp.h>
#include <linux/cpumask.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "noise.h"

#define HASHLEN P2P_HASH_LEN
#define DHLEN P2P_KEY_LEN
#define TAGLEN P2P_AEAD_TAG_LEN
#define PAYLEN P2P_HS_PAYLOAD_LEN
/* Room for the payloads of the published vectors the selftest runs. */
#define PAYMAX 32

/*
 * One set of transforms and requests with the state of one handshake.
 * Everything the crypto API touches through scatterlists lives here, in
 * kmalloc'ed memory (never on the stack).  The kpp secret and the hmac and
 * aead keys live in the transforms: a set serves one handshake at a time.
 */
struct hs {
	struct list_head node;		/* in the pool while idle */
	struct crypto_kpp *kpp;
	struct crypto_shash *sha;
	struct crypto_shash *hmac;
	struct crypto_aead *aead;
	struct kpp_request *kreq;
	struct aead_request *areq;

	struct_group(st,		/* zero whenever the set is idle */
		u8 h[HASHLEN];
		u8 ck[HASHLEN];
		u8 k[P2P_KEY_LEN];
		u64 n;
		u8 peer[DHLEN];		/* DH input */
		u8 dh[DHLEN];		/* DH output */
		u8 pub[DHLEN];		/* our ephemeral public key */
		u8 aad_ct[HASHLEN + PAYMAX + TAGLEN];	/* ad || text || tag */
		u8 t1[HASHLEN], t2[HASHLEN], tk[HASHLEN];
		u8 k1[HASHLEN], k2[HASHLEN];	/* Split() */
	);
};

/*
 * Idle sets.  A handshake holds its set only while it computes, never
 * while it waits for the network, so a few per CPU are enough.
 */
static DEFINE_SPINLOCK(pool_lock);
static LIST_HEAD(pool);
static unsigned int pool_idle;
/*
 * One allocation at a time: a burst of handshakes on a fresh module then
 * instantiates each algorithm once, instead of each handshake probing for
 * the modules while the first one is still self-testing.
 */
static DEFINE_MUTEX(pool_alloc_lock);
static atomic_t live_sets = ATOMIC_INIT(0);

void p2p_noise_objects(unsigned int *sets, unsigned int *idle)
{
	*sets = atomic_read(&live_sets);
	spin_lock(&pool_lock);
	*idle = pool_idle;
	spin_unlock(&pool_lock);
}

static int mix_hash(struct hs *hs, const void *data, size_t len)
{
	SHASH_DESC_ON_STACK(desc, hs->sha);
	int ret;

	desc->tfm = hs->sha;
	ret = crypto_shash_init(desc);
	if (!ret)
		ret = crypto_shash_update(desc, hs->h, HASHLEN);
	if (!ret)
		ret = crypto_shash_update(desc, data, len);
	if (!ret)
		ret = crypto_shash_final(desc, hs->h);
	shash_desc_zero(desc);
	return ret;
}

static int hmac(struct hs *hs, const u8 *key, const u8 *a, size_t alen,
		const u8 *b, size_t blen, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, hs->hmac);
	int ret;

	ret = crypto_shash_setkey(hs->hmac, key, HASHLEN);
	if (ret)
		return ret;
	desc->tfm = hs->hmac;
	ret = crypto_shash_init(desc);
	if (!ret)
		ret = crypto_shash_update(desc, a, alen);
	if (!ret && blen)
		ret = crypto_shash_update(desc, b, blen);
	if (!ret)
		ret = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return ret;
}

/*
 * HKDF(key, a || b) with two outputs, as Noise section 4.3 defines it:
 * key is the chaining key in the handshake, a Split() key for the records.
 */
static int hkdf2_key(struct hs *hs, const u8 key[HASHLEN], const u8 *a,
		     size_t alen, const u8 *b, size_t blen,
		     u8 out1[HASHLEN], u8 out2[HASHLEN])
{
	static const u8 one = 1, two = 2;
	int ret;

	ret = hmac(hs, key, a, alen, b, blen, hs->tk);
	if (!ret)
		ret = hmac(hs, hs->tk, &one, 1, NULL, 0, out1);
	if (!ret)
		ret = hmac(hs, hs->tk, out1, HASHLEN, &two, 1, out2);
	memzero_explicit(hs->tk, sizeof(hs->tk));
	return ret;
}

static int hkdf2(struct hs *hs, const u8 *ikm, size_t ikm_len,
		 u8 out1[HASHLEN], u8 out2[HASHLEN])
{
	return hkdf2_key(hs, hs->ck, ikm, ikm_len, NULL, 0, out1, out2);
}

static int mix_key(struct hs *hs, const u8 *ikm, size_t len)
{
	int ret = hkdf2(hs, ikm, len, hs->t1, hs->t2);

	if (ret)
		return ret;
	memcpy(hs->ck, hs->t1, HASHLEN);
	memcpy(hs->k, hs->t2, P2P_KEY_LEN);
	hs->n = 0;
	return 0;
}

/* DH(secret already set in the kpp, hs->peer) into hs->dh. */
static int dh(struct hs *hs)
{
	struct kpp_request *req = hs->kreq;
	struct scatterlist src, dst;
	DECLARE_CRYPTO_WAIT(wait);

	sg_init_one(&src, hs->peer, DHLEN);
	sg_init_one(&dst, hs->dh, DHLEN);
	kpp_request_set_tfm(req, hs->kpp);
	kpp_request_set_input(req, &src, DHLEN);
	kpp_request_set_output(req, &dst, DHLEN);
	kpp_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				 crypto_req_done, &wait);
	return crypto_wait_req(crypto_kpp_compute_shared_secret(req), &wait);
}

/*
 * MixKey(DH(current secret, peer)).  A low-order peer key gives an all-zero
 * result whatever our secret: PROTOCOL.md 6.3 makes that an authentication
 * failure, and the kernel's curve25519 does not check it.
 */
static int mix_dh(struct hs *hs, const u8 peer[DHLEN])
{
	static const u8 zero[DHLEN];
	int ret;

	memcpy(hs->peer, peer, DHLEN);
	ret = dh(hs);
	if (!ret && !crypto_memneq(hs->dh, zero, DHLEN))
		ret = -EBADMSG;
	if (!ret)
		ret = mix_key(hs, hs->dh, DHLEN);
	memzero_explicit(hs->dh, DHLEN);
	return ret;
}

/* Public key of the secret currently set in the kpp, into hs->pub. */
static int gen_pub(struct hs *hs)
{
	struct kpp_request *req = hs->kreq;
	struct scatterlist dst;
	DECLARE_CRYPTO_WAIT(wait);

	sg_init_one(&dst, hs->pub, DHLEN);
	kpp_request_set_tfm(req, hs->kpp);
	kpp_request_set_input(req, NULL, 0);
	kpp_request_set_output(req, &dst, DHLEN);
	kpp_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				 crypto_req_done, &wait);
	return crypto_wait_req(crypto_kpp_generate_public_key(req), &wait);
}

/*
 * Encrypt- or DecryptAndHash of a LEN-byte payload (at most PAYMAX) with h
 * as associated data: ct is the message's LEN + TAGLEN bytes, written when
 * encrypting, read when decrypting; pt the payload, read or written.  h
 * then absorbs the ciphertext.
 */
static int crypt_and_hash(struct hs *hs, u8 *ct, u8 *pt, size_t len,
			  bool encrypt)
{
	u8 *text = hs->aad_ct + HASHLEN;
	struct aead_request *req = hs->areq;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	u8 iv[12] = { 0 };
	int i, ret;

	ret = crypto_aead_setkey(hs->aead, hs->k, P2P_KEY_LEN);
	if (ret)
		return ret;
	for (i = 0; i < 8; i++)		/* 32 zero bits || little-endian n */
		iv[4 + i] = hs->n >> (8 * i);
	memcpy(hs->aad_ct, hs->h, HASHLEN);
	memcpy(text, encrypt ? pt : ct, encrypt ? len : len + TAGLEN);
	sg_init_one(&sg, hs->aad_ct, HASHLEN + len + TAGLEN);
	aead_request_set_tfm(req, hs->aead);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				  crypto_req_done, &wait);
	aead_request_set_ad(req, HASHLEN);
	aead_request_set_crypt(req, &sg, &sg, encrypt ? len : len + TAGLEN, iv);
	ret = crypto_wait_req(encrypt ? crypto_aead_encrypt(req) :
			      crypto_aead_decrypt(req), &wait);
	if (ret)
		return ret;
	hs->n++;
	if (encrypt)
		memcpy(ct, text, len + TAGLEN);
	else
		memcpy(pt, text, len);
	return mix_hash(hs, ct, len + TAGLEN);
}

static void hs_free(struct hs *hs)
{
	if (!hs)
		return;
	kfree_sensitive(hs->areq);
	kfree_sensitive(hs->kreq);
	if (!IS_ERR_OR_NULL(hs->aead))
		crypto_free_aead(hs->aead);
	if (!IS_ERR_OR_NULL(hs->hmac))
		crypto_free_shash(hs->hmac);
	if (!IS_ERR_OR_NULL(hs->sha))
		crypto_free_shash(hs->sha);
	if (!IS_ERR_OR_NULL(hs->kpp))
		crypto_free_kpp(hs->kpp);
	kfree_sensitive(hs);
	atomic_dec(&live_sets);
}

static struct hs *hs_alloc(void)
{
	struct hs *hs = kzalloc(sizeof(*hs), GFP_KERNEL);

	if (!hs)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&live_sets);
	hs->kpp = crypto_alloc_kpp("curve25519", 0, 0);
	if (IS_ERR(hs->kpp))
		goto err_alg;
	hs->sha = crypto_alloc_shash("sha256", 0, 0);
	if (IS_ERR(hs->sha))
		goto err_alg;
	hs->hmac = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(hs->hmac))
		goto err_alg;
	hs->aead = crypto_alloc_aead("rfc7539(chacha20,poly1305)", 0,
				     CRYPTO_ALG_ASYNC);
	if (IS_ERR(hs->aead))
		goto err_alg;
	if (crypto_aead_setauthsize(hs->aead, TAGLEN))
		goto err_alg;
	hs->kreq = kpp_request_alloc(hs->kpp, GFP_KERNEL);
	hs->areq = aead_request_alloc(hs->aead, GFP_KERNEL);
	if (!hs->kreq || !hs->areq)
		goto err_nomem;
	return hs;

err_nomem:
	hs_free(hs);
	return ERR_PTR(-ENOMEM);
err_alg:
	pr_warn_once("Noise handshake: crypto algorithm unavailable\n");
	hs_free(hs);
	return ERR_PTR(-ENOPKG);
}

static struct hs *pool_pop(void)
{
	struct hs *hs;

	spin_lock(&pool_lock);
	hs = list_first_entry_or_null(&pool, struct hs, node);
	if (hs) {
		list_del(&hs->node);
		pool_idle--;
	}
	spin_unlock(&pool_lock);
	return hs;
}

/* A set of our own until hs_put(): from the pool, else a new one. */
static struct hs *hs_get(void)
{
	struct hs *hs = pool_pop();

	if (hs)
		return hs;
	mutex_lock(&pool_alloc_lock);
	hs = pool_pop();
	if (!hs)
		hs = hs_alloc();
	mutex_unlock(&pool_alloc_lock);
	return hs;
}

/*
 * Forget the handshake: its state, and the keys it left in the transforms
 * (the ephemeral secret in the kpp, the last keys of the hmac and aead)
 * and in the requests, as freeing them would.
 */
static int hs_scrub(struct hs *hs)
{
	static const u8 zero_key[P2P_KEY_LEN];
	int ret;

	memzero_explicit(&hs->st, sizeof(hs->st));
	memzero_explicit(hs->kreq, sizeof(*hs->kreq) + crypto_kpp_reqsize(hs->kpp));
	memzero_explicit(hs->areq, sizeof(*hs->areq) + crypto_aead_reqsize(hs->aead));
	/* An empty secret makes the kpp draw a random one. */
	ret = crypto_kpp_set_secret(hs->kpp, NULL, 0);
	if (!ret)
		ret = crypto_shash_setkey(hs->hmac, zero_key, HASHLEN);
	if (!ret)
		ret = crypto_aead_setkey(hs->aead, zero_key, P2P_KEY_LEN);
	return ret;
}

/* Back to the pool, or freed when it fails to scrub or the pool is full. */
static void hs_put(struct hs *hs)
{
	if (!hs_scrub(hs)) {
		spin_lock(&pool_lock);
		if (pool_idle < 2 * num_online_cpus()) {
			list_add(&hs->node, &pool);
			pool_idle++;
			hs = NULL;
		}
		spin_unlock(&pool_lock);
	}
	hs_free(hs);
}

/* Initialize(), prologue and the two pre-message statics. */
static int hs_start(struct hs *hs, const u8 *prologue, size_t plen,
		    const u8 rs[DHLEN], const u8 s_pub[DHLEN])
{
	static const char name[] = P2P_NOISE_PROTOCOL;
	int ret;

	BUILD_BUG_ON(sizeof(name) - 1 != HASHLEN);
	memcpy(hs->h, name, HASHLEN);
	memcpy(hs->ck, hs->h, HASHLEN);
	ret = mix_hash(hs, prologue, plen);
	if (!ret)
		ret = mix_hash(hs, rs, DHLEN);
	if (!ret)
		ret = mix_hash(hs, s_pub, DHLEN);
	return ret;
}

/* -> e, es, ss with a LEN-byte payload: authenticates the initiator. */
static int read_msg1(struct hs *hs, const u8 *s_priv, const u8 *rs,
		     const u8 *msg1, size_t len, u8 re[DHLEN], u8 *payload)
{
	u8 ct[PAYMAX + TAGLEN];
	int ret;

	memcpy(re, msg1, DHLEN);
	ret = mix_hash(hs, re, DHLEN);
	if (!ret)
		ret = crypto_kpp_set_secret(hs->kpp, s_priv, DHLEN);
	if (!ret)
		ret = mix_dh(hs, re);		/* es */
	if (!ret)
		ret = mix_dh(hs, rs);		/* ss */
	if (ret)
		return ret;
	memcpy(ct, msg1 + DHLEN, len + TAGLEN);
	return crypt_and_hash(hs, ct, payload, len, false);
}

/*
 * <- e, ee, se with a LEN-byte payload, the ephemeral key E_PRIV: NULL
 * but in the selftest's known-answer runs, for a fresh random one.
 */
static int write_msg2(struct hs *hs, const u8 *e_priv, const u8 *re,
		      const u8 *rs, u8 *payload, size_t len, u8 *msg2)
{
	int ret;

	/* An empty secret makes the kpp draw a random one. */
	ret = crypto_kpp_set_secret(hs->kpp, e_priv, e_priv ? DHLEN : 0);
	if (!ret)
		ret = gen_pub(hs);
	if (!ret)
		ret = mix_hash(hs, hs->pub, DHLEN);
	if (!ret)
		ret = mix_dh(hs, re);		/* ee */
	if (!ret)
		ret = mix_dh(hs, rs);		/* se */
	if (ret)
		return ret;
	memcpy(msg2, hs->pub, DHLEN);
	return crypt_and_hash(hs, msg2 + DHLEN, payload, len, true);
}

/*
 * PROTOCOL.md 6.5: the preferred cipher if offered, else the lowest
 * offered bit we know; 0 if none.
 */
static u16 pick_cipher(u16 offer, u16 prefer)
{
	offer &= P2P_CIPHERS_ALL;
	if (offer & prefer)
		return prefer;
	return offer & -offer;
}

/* PROTOCOL.md 6.6: one direction's record key and IV from its Split() key. */
static int record_keys(struct hs *hs, const u8 k[HASHLEN],
		       struct p2p_tls_keys *out)
{
	static const u8 label[] = P2P_KDF_LABEL;
	int ret;

	BUILD_BUG_ON(sizeof(label) - 1 != P2P_KDF_LABEL_LEN);
	ret = hkdf2_key(hs, k, label, P2P_KDF_LABEL_LEN, hs->h, HASHLEN,
			hs->t1, hs->t2);
	if (!ret) {
		memcpy(out->key, hs->t1, P2P_TLS_KEY_LEN);
		memcpy(out->iv, hs->t2, P2P_TLS_IV_LEN);
	}
	return ret;
}

/* Split(), then the record keys of both directions. */
static int split(struct hs *hs, struct p2p_noise_keys *keys)
{
	int ret = hkdf2(hs, NULL, 0, hs->k1, hs->k2);

	if (!ret)
		ret = record_keys(hs, hs->k1, &keys->rx);
	if (!ret)
		ret = record_keys(hs, hs->k2, &keys->tx);
	if (!ret)
		memcpy(keys->hash, hs->h, HASHLEN);
	return ret;
}

/* p2p_noise_respond() with the ephemeral key E_PRIV (NULL: random). */
static int respond(const u8 *s_priv, const u8 *s_pub, const u8 *rs,
		   const u8 *prologue, size_t prologue_len, const u8 *msg1,
		   u16 prefer, const u8 *e_priv, u8 *msg2,
		   struct p2p_noise_keys *keys)
{
	u8 re[DHLEN], pay[PAYLEN];
	struct hs *hs;
	int ret;

	hs = hs_get();
	if (IS_ERR(hs))
		return PTR_ERR(hs);
	ret = hs_start(hs, prologue, prologue_len, rs, s_pub);
	if (!ret)
		ret = read_msg1(hs, s_priv, rs, msg1, PAYLEN, re, pay);
	if (ret)
		goto out;
	keys->cipher = pick_cipher(pay[0] << 8 | pay[1], prefer);
	if (!keys->cipher) {
		ret = -ENOPROTOOPT;
		goto out;
	}
	pay[0] = keys->cipher >> 8;
	pay[1] = keys->cipher & 0xff;
	ret = write_msg2(hs, e_priv, re, rs, pay, PAYLEN, msg2);
	if (!ret)
		ret = split(hs, keys);
out:
	hs_put(hs);
	return ret;
}

int p2p_noise_respond(const u8 s_priv[P2P_KEY_LEN],
		      const u8 s_pub[P2P_KEY_LEN],
		      const u8 rs[P2P_KEY_LEN],
		      const u8 *prologue, size_t prologue_len,
		      const u8 msg1[P2P_HANDSHAKE1_LEN], u16 prefer,
		      u8 msg2[P2P_HANDSHAKE2_LEN],
		      struct p2p_noise_keys *keys)
{
	return respond(s_priv, s_pub, rs, prologue, prologue_len, msg1,
		       prefer, NULL, msg2, keys);
}

int p2p_noise_pubkey(const u8 priv[P2P_KEY_LEN], u8 pub[P2P_KEY_LEN])
{
	struct hs *hs;
	int ret;

	hs = hs_get();
	if (IS_ERR(hs))
		return PTR_ERR(hs);
	ret = crypto_kpp_set_secret(hs->kpp, priv, DHLEN);
	if (!ret)
		ret = gen_pub(hs);
	if (!ret)
		memcpy(pub, hs->pub, DHLEN);
	hs_put(hs);
	return ret;
}

/*
 * A clamped scalar (a multiple of 8) times a low-order point is zero
 * whatever the scalar, and only then: one DH with a fresh random secret
 * tells whether PUB could ever authenticate.
 */
int p2p_noise_check_pubkey(const u8 pub[P2P_KEY_LEN])
{
	static const u8 zero[DHLEN];
	struct hs *hs;
	int ret;

	hs = hs_get();
	if (IS_ERR(hs))
		return PTR_ERR(hs);
	ret = crypto_kpp_set_secret(hs->kpp, NULL, 0);
	if (!ret) {
		memcpy(hs->peer, pub, DHLEN);
		ret = dh(hs);
	}
	if (!ret && !crypto_memneq(hs->dh, zero, DHLEN))
		ret = -EDOM;
	memzero_explicit(hs->dh, DHLEN);
	hs_put(hs);
	return ret;
}

/* At module exit, when no handshake can run any more. */
void p2p_noise_uninit(void)
{
	struct hs *hs;

	while ((hs = pool_pop()))
		hs_free(hs);
	WARN_ON(atomic_read(&live_sets));
}

#ifdef P2P_SELFTEST
#include "selftest/noise.c"
#endif
