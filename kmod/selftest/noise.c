// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer tests of the handshake code, built with P2P_SELFTEST=1 only.
 * noise.c includes this file at its end, as WireGuard's sources include
 * theirs, so the cases reach the static steps of the responder:
 *
 * - the published Noise_KK_25519_ChaChaPoly_SHA256 vectors and our protocol
 *   v2 vector run through hs_start(), read_msg1(), write_msg2() and Split()
 *   with the vector's responder ephemeral key; the published ones go on
 *   with their transport messages, which check Split()'s keys;
 * - the v2 vector runs through respond(), the server's path, down to the
 *   record keys of both ciphers (PROTOCOL.md 6.6);
 * - refusals: a flipped tag, a wrong initiator key, another prologue,
 *   low-order keys; the cipher choice of PROTOCOL.md 6.5.
 *
 * The hex strings are copied from tests/host/vectors/ (a host test checks
 * that each one still appears there) and from docs/PROTOCOL.md section 11.
 */
#include "check.h"

struct kk_vector {
	const char *name;
	const char *prologue;
	const char *resp_static;
	const char *resp_ephemeral;
	const char *resp_remote_static;
	const char *handshake_hash;	/* NULL: the vector has none */
	const char *k1, *k2;		/* NULL: checked by transport messages */
	const char *msg[6][2];		/* payload, ciphertext; NULL ends */
};

/* p2pshare_v2.txt, then the KK entries of the published ones. */
static const struct kk_vector kk_vectors[] __initconst = {
	{
		.name = "p2pshare_v2_kk",
		.prologue =
	"70327073686172652f320000020002000205616c6963658182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0",
		.resp_static =
	"2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40",
		.resp_ephemeral =
	"6162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80",
		.resp_remote_static =
	"07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c",
		.handshake_hash =
	"8d6acc1d119b12ef631975184f87257303a81daa90f61ee6254a933b2eea806e",
		.k1 =
	"f9be121092af6b75ac2a2c438883ef2c2549a8c0567743143b37719dc81f356c",
		.k2 =
	"d7326d13476f84f84978557640712c378ba1b73489b39380f83af71b00a10dba",
		.msg = {
			{ "0003",
	"64b101b1d0be5a8704bd078f9895001fc03e8e9f9522f188dd128d9846d4846673be221a0a1f4b43650801e58a0b59c1ee02" },
			{ "0001",
	"244fe3b963e899dd295baffce248d3530f3a9a7479ba063002680ebfe7adad4944dc2bd634901aa9843815700f05620f3de4" },
		},
	},
	{
		.name = "cacophony Noise_KK_25519_ChaChaPoly_SHA256",
		.prologue = "4a6f686e2047616c74",
		.resp_static =
	"4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
		.resp_ephemeral =
	"bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
		.resp_remote_static =
	"6bc3822a2aa7f4e6981d6538692b3cdf3e6df9eea6ed269eb41d93c22757b75a",
		.handshake_hash =
	"24c6b51ecb76277140ca018b5985bc9f03de321dae2d34dcae433dafef0131d9",
		.msg = {
			{ "4c756477696720766f6e204d69736573",
	"ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79440177015efc1fe7a37c629af7120a96274e6ab7afcc9261901d0e09ae32a5bb96" },
			{ "4d757272617920526f746862617264",
	"95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843b274d3429adc47ca093ba63ef90f8da89fda108db471dccfa4894aa7b00003" },
			{ "462e20412e20486179656b",
	"966b05bc69ec01b8454d3160a214e6f24a3d884eb31ec2408af63f" },
			{ "4361726c204d656e676572",
	"0ad887fba4f611bbb4afe44ba3556b8164332ca7d5934634d63d80" },
			{ "4a65616e2d426170746973746520536179",
	"012b28ae646ae7830e2c5472cb023eab071c1db3d8413ec69b513b83832f974c2d" },
			{ "457567656e2042f6686d20766f6e2042617765726b",
	"bb3e6a48160d9c5971d37f975727294e0d868342db31832e54d07191ab0ca3c3703b5ed3d9" },
		},
	},
	{
		.name = "snow Noise_KK_25519_ChaChaPoly_SHA256",
		.prologue =
	"5468657265206973206e6f20726967687420616e642077726f6e672e2054686572652773206f6e6c792066756e20616e6420626f72696e672e",
		.resp_static =
	"2f292fe63d73808a2e5307a62428e243ba02ce8b70c949a58a4c70312fb038b5",
		.resp_ephemeral =
	"64fd9f17061c66df61f6e5c15ce85dbcd3aaee6e3a9f87989dc9147c6f5cb64a",
		.resp_remote_static =
	"3198032f853c7321e63685c7331077716ed312e9fbb4822bb4dbfbcaa4590e08",
		.msg = {
			{ "4d1f91e210b2c264713e73509808c3f6d99ca3bb115001388e630b1356a24693",
	"311304998133430ee0668c0c91cbdc445cbb3a526457b0c0b7d9dc6789be0904f7d451b7aba0f3031b46fca709b3eed813d6d1080447720cdf86bd9391c0359c717211fbcdda474c03ea5d8d03c33722" },
			{ "914a3388cb8e5ef4e3d4b7ba0fc4bc0a0cbc7ff41eabdb7c9c501b4d92355fbf",
	"59028e838fa2ca7a3fc8d48b5c6379286b61507d4c91e30a0ad387164b0229060e30d119b6845417d128231555ee8666ff8beffe931b1d8296d92189472ec01cffdf25074a38a63a555bb43c749e8d05" },
			{ "e3ecca19cd0e12b0607470b7b13780428e0bbe6deb02c91ecd1d5c832128258c",
	"9faaf3dc38e529089dfb9e3b830c4e014fa7204b7f52288b8f7aa6f5107e556246c2004d0236920739434810979eef50" },
			{ "517c1116052039051444d2b76d00886bea074d1d730f1e3489457496cdf4d8ca",
	"007d8b6d59a12d95c335ccbd4d31486f86020b59889b8ea159b4fdaaee9334f2b9143498aeffa34219fa6c3136361b66" },
		},
	},
};

/* Our v2 vector's other values (p2pshare_v2.txt, PROTOCOL.md 11). */
#define V2_USER_PRIV	"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
#define V2_USER_PUB	"07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"
#define V2_HOST_PUB	"5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b"
#define V2_C2S_AES_KEY	"de1d01695d011916da06b4518af9201c"
#define V2_C2S_CHACHA_KEY \
	"de1d01695d011916da06b4518af9201ca434f26ae9aac07e723a39f69219bde8"
#define V2_C2S_IV	"35321d97643ad376c0a9b5dc"
#define V2_S2C_AES_KEY	"05e4f1d4fcec583728da2deeb5ab884f"
#define V2_S2C_CHACHA_KEY \
	"05e4f1d4fcec583728da2deeb5ab884f10a8ea4ea02fa181146b3034e5984e7b"
#define V2_S2C_IV	"d11e3cff97a3eee52f58260e"

/* Room for any vector above; kmalloc'ed, as scatterlists need. */
struct kk_buf {
	u8 prologue[128];
	u8 s_priv[DHLEN], s_pub[DHLEN], e_priv[DHLEN], rs[DHLEN], re[DHLEN];
	u8 pay[PAYMAX], pt[PAYMAX];
	u8 msg[DHLEN + PAYMAX + TAGLEN];
	u8 out[DHLEN + PAYMAX + TAGLEN];
	int plen, mlen, paylen;
	struct p2p_noise_keys keys;
};

/* A Noise transport message: ENCRYPT(key, n, "", pt), into b->out. */
static int __init transport_encrypt(struct hs *hs, const u8 key[HASHLEN],
				    u64 n, struct kk_buf *b)
{
	struct aead_request *req = hs->areq;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	u8 iv[12] = { 0 };
	int i, ret;

	ret = crypto_aead_setkey(hs->aead, key, P2P_KEY_LEN);
	if (ret)
		return ret;
	for (i = 0; i < 8; i++)
		iv[4 + i] = n >> (8 * i);
	memcpy(b->out, b->pay, b->paylen);
	sg_init_one(&sg, b->out, b->paylen + TAGLEN);
	aead_request_set_tfm(req, hs->aead);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				  crypto_req_done, &wait);
	aead_request_set_ad(req, 0);
	aead_request_set_crypt(req, &sg, &sg, b->paylen, iv);
	return crypto_wait_req(crypto_aead_encrypt(req), &wait);
}

/* Message I of V: its payload into b->pay, its ciphertext into b->msg. */
static bool __init kk_msg(struct p2p_st *st, const struct kk_vector *v,
			  int i, struct kk_buf *b)
{
	b->paylen = p2p_st_hex(b->pay, sizeof(b->pay), v->msg[i][0]);
	b->mlen = p2p_st_hex(b->msg, sizeof(b->msg), v->msg[i][1]);
	return p2p_st_ok(st, b->paylen >= 0 && b->mlen >= 0,
			 "noise: %s: message %d fits the test", v->name, i);
}

/* The handshake's two messages, as the responder; then its hash. */
static bool __init kk_handshake(struct p2p_st *st, const struct kk_vector *v,
				struct hs *hs, struct kk_buf *b)
{
	int ret;

	ret = hs_start(hs, b->prologue, b->plen, b->rs, b->s_pub);
	if (!p2p_st_err(st, ret, 0, "noise: %s: Initialize()", v->name) ||
	    !kk_msg(st, v, 0, b))
		return false;
	ret = read_msg1(hs, b->s_priv, b->rs, b->msg, b->paylen, b->re, b->pt);
	if (!p2p_st_err(st, ret, 0, "noise: %s: read message 0", v->name) ||
	    !p2p_st_mem(st, b->pt, v->msg[0][0], b->paylen,
			"noise: %s: payload of message 0", v->name) ||
	    !kk_msg(st, v, 1, b))
		return false;
	ret = write_msg2(hs, b->e_priv, b->re, b->rs, b->pay, b->paylen, b->out);
	if (!p2p_st_err(st, ret, 0, "noise: %s: write message 1", v->name) ||
	    !p2p_st_mem(st, b->out, v->msg[1][1], b->mlen,
			"noise: %s: message 1", v->name))
		return false;
	return !v->handshake_hash ||
	       p2p_st_mem(st, hs->h, v->handshake_hash, HASHLEN,
			  "noise: %s: handshake hash", v->name);
}

/* Split(), checked against k1/k2 or by the transport messages. */
static void __init kk_split(struct p2p_st *st, const struct kk_vector *v,
			    struct hs *hs, struct kk_buf *b)
{
	int i, ret;

	ret = hkdf2(hs, NULL, 0, hs->k1, hs->k2);
	if (!p2p_st_err(st, ret, 0, "noise: %s: Split()", v->name))
		return;
	if (v->k1) {
		p2p_st_mem(st, hs->k1, v->k1, HASHLEN, "noise: %s: k1", v->name);
		p2p_st_mem(st, hs->k2, v->k2, HASHLEN, "noise: %s: k2", v->name);
	}
	/* Initiator and responder take turns, each with its own nonces. */
	for (i = 2; i < ARRAY_SIZE(v->msg) && v->msg[i][0]; i++) {
		if (!kk_msg(st, v, i, b))
			return;
		ret = transport_encrypt(hs, i % 2 ? hs->k2 : hs->k1,
					(i - 2) / 2, b);
		if (!p2p_st_err(st, ret, 0, "noise: %s: encrypt message %d",
				v->name, i))
			return;
		p2p_st_mem(st, b->out, v->msg[i][1], b->mlen,
			   "noise: %s: transport message %d", v->name, i);
	}
}

static void __init kk_vector(struct p2p_st *st, const struct kk_vector *v,
			     struct kk_buf *b)
{
	struct hs *hs;
	int ret;

	b->plen = p2p_st_hex(b->prologue, sizeof(b->prologue), v->prologue);
	ret = p2p_st_hex(b->s_priv, DHLEN, v->resp_static) != DHLEN ||
	      p2p_st_hex(b->e_priv, DHLEN, v->resp_ephemeral) != DHLEN ||
	      p2p_st_hex(b->rs, DHLEN, v->resp_remote_static) != DHLEN ||
	      b->plen < 0;
	if (!p2p_st_ok(st, !ret, "noise: %s: keys and prologue", v->name))
		return;
	ret = p2p_noise_pubkey(b->s_priv, b->s_pub);
	if (!p2p_st_err(st, ret, 0, "noise: %s: public key", v->name))
		return;
	hs = hs_get();
	if (!p2p_st_ok(st, !IS_ERR(hs), "noise: %s: transforms", v->name))
		return;
	if (kk_handshake(st, v, hs, b))
		kk_split(st, v, hs, b);
	hs_put(hs);
}

/* respond(), the server's path, with the v2 vector's fixed keys. */
static int __init v2_respond(struct kk_buf *b, u16 prefer)
{
	const struct kk_vector *v = &kk_vectors[0];

	b->plen = p2p_st_hex(b->prologue, sizeof(b->prologue), v->prologue);
	return respond(b->s_priv, b->s_pub, b->rs, b->prologue, b->plen,
		       b->msg, prefer, b->e_priv, b->out, &b->keys);
}

static void __init v2_record_keys(struct p2p_st *st, struct kk_buf *b)
{
	const struct kk_vector *v = &kk_vectors[0];
	int ret;

	p2p_st_hex(b->s_priv, DHLEN, v->resp_static);
	p2p_st_hex(b->e_priv, DHLEN, v->resp_ephemeral);
	p2p_st_hex(b->rs, DHLEN, V2_USER_PUB);
	p2p_st_hex(b->s_pub, DHLEN, V2_HOST_PUB);
	p2p_st_hex(b->msg, sizeof(b->msg), v->msg[0][1]);
	ret = v2_respond(b, P2P_CIPHER_AES_128_GCM);
	if (!p2p_st_err(st, ret, 0, "noise: v2: respond"))
		return;
	p2p_st_mem(st, b->out, v->msg[1][1], P2P_HANDSHAKE2_LEN,
		   "noise: v2: HANDSHAKE2");
	p2p_st_ok(st, b->keys.cipher == P2P_CIPHER_AES_128_GCM,
		  "noise: v2: cipher chosen");
	p2p_st_mem(st, b->keys.hash, v->handshake_hash, HASHLEN,
		   "noise: v2: handshake hash");
	p2p_st_mem(st, b->keys.rx.key, V2_C2S_AES_KEY, 16,
		   "noise: v2: C>S AES-128-GCM key");
	p2p_st_mem(st, b->keys.rx.key, V2_C2S_CHACHA_KEY, 32,
		   "noise: v2: C>S ChaCha20-Poly1305 key");
	p2p_st_mem(st, b->keys.rx.iv, V2_C2S_IV, P2P_TLS_IV_LEN,
		   "noise: v2: C>S iv");
	p2p_st_mem(st, b->keys.tx.key, V2_S2C_AES_KEY, 16,
		   "noise: v2: S>C AES-128-GCM key");
	p2p_st_mem(st, b->keys.tx.key, V2_S2C_CHACHA_KEY, 32,
		   "noise: v2: S>C ChaCha20-Poly1305 key");
	p2p_st_mem(st, b->keys.tx.iv, V2_S2C_IV, P2P_TLS_IV_LEN,
		   "noise: v2: S>C iv");

	ret = v2_respond(b, P2P_CIPHER_CHACHA20_POLY1305);
	p2p_st_err(st, ret, 0, "noise: v2: respond preferring ChaCha20-Poly1305");
	p2p_st_ok(st, b->keys.cipher == P2P_CIPHER_CHACHA20_POLY1305,
		  "noise: v2: ChaCha20-Poly1305 chosen when preferred");
}

/* HANDSHAKE1s that must not authenticate: -EBADMSG, as a wrong key. */
static void __init v2_refusals(struct p2p_st *st, struct kk_buf *b)
{
	const struct kk_vector *v = &kk_vectors[0];
	static const u8 one[DHLEN] = { 1 };
	int ret;

	p2p_st_hex(b->msg, sizeof(b->msg), v->msg[0][1]);
	b->msg[P2P_HANDSHAKE1_LEN - 1] ^= 1;
	ret = v2_respond(b, P2P_CIPHER_AES_128_GCM);
	p2p_st_err(st, ret, -EBADMSG, "noise: v2 refused: flipped tag bit");

	p2p_st_hex(b->msg, sizeof(b->msg), v->msg[0][1]);
	p2p_st_hex(b->rs, DHLEN, V2_HOST_PUB);
	ret = v2_respond(b, P2P_CIPHER_AES_128_GCM);
	p2p_st_err(st, ret, -EBADMSG, "noise: v2 refused: another user key");

	memcpy(b->rs, one, DHLEN);
	ret = v2_respond(b, P2P_CIPHER_AES_128_GCM);
	p2p_st_err(st, ret, -EBADMSG, "noise: v2 refused: low-order user key");

	p2p_st_hex(b->rs, DHLEN, V2_USER_PUB);
	memset(b->msg, 0, DHLEN);
	ret = v2_respond(b, P2P_CIPHER_AES_128_GCM);
	p2p_st_err(st, ret, -EBADMSG, "noise: v2 refused: ephemeral key 0");

	p2p_st_hex(b->msg, sizeof(b->msg), v->msg[0][1]);
	b->plen = p2p_st_hex(b->prologue, sizeof(b->prologue), v->prologue);
	b->prologue[b->plen - 1] ^= 1;	/* another challenge: a replay */
	ret = respond(b->s_priv, b->s_pub, b->rs, b->prologue, b->plen,
		      b->msg, P2P_CIPHER_AES_128_GCM, b->e_priv, b->out,
		      &b->keys);
	p2p_st_err(st, ret, -EBADMSG, "noise: v2 refused: another challenge");
}

struct cipher_case {
	u16 offer, prefer, want;
};

static const struct cipher_case cipher_cases[] __initconst = {
	{ 0x0003, P2P_CIPHER_AES_128_GCM, P2P_CIPHER_AES_128_GCM },
	{ 0x0003, P2P_CIPHER_CHACHA20_POLY1305, P2P_CIPHER_CHACHA20_POLY1305 },
	{ 0x0002, P2P_CIPHER_AES_128_GCM, P2P_CIPHER_CHACHA20_POLY1305 },
	{ 0x0001, P2P_CIPHER_CHACHA20_POLY1305, P2P_CIPHER_AES_128_GCM },
	{ 0xfffe, P2P_CIPHER_AES_128_GCM, P2P_CIPHER_CHACHA20_POLY1305 },
	{ 0xfffc, P2P_CIPHER_AES_128_GCM, 0 },
	{ 0x0000, P2P_CIPHER_AES_128_GCM, 0 },
};

/* Public keys: derived ones, and low-order points that never authenticate. */
static void __init pubkeys(struct p2p_st *st, struct kk_buf *b)
{
	static const char * const low_order[] __initconst = {
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0100000000000000000000000000000000000000000000000000000000000000",
	"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	};
	int i, ret;

	p2p_st_hex(b->s_priv, DHLEN, V2_USER_PRIV);
	ret = p2p_noise_pubkey(b->s_priv, b->s_pub);
	p2p_st_err(st, ret, 0, "noise: public key of the v2 user");
	p2p_st_mem(st, b->s_pub, V2_USER_PUB, DHLEN,
		   "noise: public key of the v2 user");
	p2p_st_hex(b->s_priv, DHLEN, kk_vectors[0].resp_static);
	ret = p2p_noise_pubkey(b->s_priv, b->s_pub);
	p2p_st_err(st, ret, 0, "noise: public key of the v2 host");
	p2p_st_mem(st, b->s_pub, V2_HOST_PUB, DHLEN,
		   "noise: public key of the v2 host");
	ret = p2p_noise_check_pubkey(b->s_pub);
	p2p_st_err(st, ret, 0, "noise: the v2 host key is usable");
	for (i = 0; i < ARRAY_SIZE(low_order); i++) {
		p2p_st_hex(b->rs, DHLEN, low_order[i]);
		ret = p2p_noise_check_pubkey(b->rs);
		p2p_st_err(st, ret, -EDOM, "noise: low-order key %d refused", i);
	}
}

void __init p2p_noise_selftest(struct p2p_st *st)
{
	struct kk_buf *b;
	int i;

	for (i = 0; i < ARRAY_SIZE(cipher_cases); i++)
		p2p_st_ok(st, pick_cipher(cipher_cases[i].offer,
					  cipher_cases[i].prefer) ==
			  cipher_cases[i].want,
			  "noise: cipher choice %d", i);
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!p2p_st_ok(st, b, "noise: test buffers"))
		return;
	for (i = 0; i < ARRAY_SIZE(kk_vectors); i++)
		kk_vector(st, &kk_vectors[i], b);
	v2_record_keys(st, b);
	v2_refusals(st, b);
	pubkeys(st, b);
	kfree_sensitive(b);
	/* The transforms go, so that a failed load leaves nothing behind. */
	p2p_noise_uninit();
}
