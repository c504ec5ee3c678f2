// SPDX-License-Identifier: GPL-2.0
/*
 * The namespace's X25519 host key pair.  The public half is computed
 * with the crypto API's "curve25519" kpp, which loads its own module.
 */
#include <crypto/curve25519.h>
#include <crypto/kpp.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "hostkey.h"

static int curve25519_pub(const u8 priv[P2P_KEY_LEN], u8 pub[P2P_KEY_LEN])
{
	DECLARE_CRYPTO_WAIT(wait);
	struct crypto_kpp *tfm;
	struct kpp_request *req;
	struct scatterlist sg;
	u8 *out;
	int ret;

	tfm = crypto_alloc_kpp("curve25519", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	ret = -ENOMEM;
	out = kmalloc(P2P_KEY_LEN, GFP_KERNEL);	/* not on the stack: sg */
	if (!out)
		goto err_tfm;
	req = kpp_request_alloc(tfm, GFP_KERNEL);
	if (!req)
		goto err_out;
	ret = crypto_kpp_set_secret(tfm, priv, P2P_KEY_LEN);
	if (ret)
		goto err_req;
	sg_init_one(&sg, out, P2P_KEY_LEN);
	kpp_request_set_input(req, NULL, 0);
	kpp_request_set_output(req, &sg, P2P_KEY_LEN);
	kpp_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done, &wait);
	ret = crypto_wait_req(crypto_kpp_generate_public_key(req), &wait);
	if (!ret)
		memcpy(pub, out, P2P_KEY_LEN);
err_req:
	kpp_request_free(req);
err_out:
	kfree_sensitive(out);
err_tfm:
	crypto_free_kpp(tfm);
	return ret;
}

static void hostkey_free_rcu(struct rcu_head *rcu)
{
	kfree_sensitive(container_of(rcu, struct p2p_hostkey, rcu));
}

static void hostkey_replace(struct p2p_net *pn, struct p2p_hostkey *key)
{
	struct p2p_hostkey *old;

	old = rcu_replace_pointer(pn->hostkey, key, lockdep_is_held(&pn->lock));
	if (old)
		call_rcu(&old->rcu, hostkey_free_rcu);
}

static struct p2p_hostkey *hostkey_make(const u8 priv[P2P_KEY_LEN])
{
	struct p2p_hostkey *key;
	int ret;

	key = kzalloc(sizeof(*key), GFP_KERNEL);
	if (!key)
		return ERR_PTR(-ENOMEM);
	memcpy(key->priv, priv, P2P_KEY_LEN);
	ret = curve25519_pub(key->priv, key->pub);
	if (ret) {
		kfree_sensitive(key);
		return ERR_PTR(ret);
	}
	return key;
}

int p2p_hostkey_set(struct p2p_net *pn, const u8 priv[P2P_KEY_LEN])
{
	struct p2p_hostkey *key;

	lockdep_assert_held(&pn->lock);
	key = hostkey_make(priv);
	if (IS_ERR(key))
		return PTR_ERR(key);
	hostkey_replace(pn, key);
	return 0;
}

const struct p2p_hostkey *p2p_hostkey_ensure(struct p2p_net *pn)
{
	struct p2p_hostkey *key;
	u8 priv[P2P_KEY_LEN];
	int ret;

	lockdep_assert_held(&pn->lock);
	key = rcu_dereference_protected(pn->hostkey, lockdep_is_held(&pn->lock));
	if (key)
		return key;
	/* A key made before the RNG is seeded could be guessed: wait. */
	ret = get_random_bytes_wait(priv, sizeof(priv));
	if (ret)
		return ERR_PTR(ret == -ERESTARTSYS ? -EINTR : ret);
	curve25519_clamp_secret(priv);
	key = hostkey_make(priv);
	memzero_explicit(priv, sizeof(priv));
	if (!IS_ERR(key))
		hostkey_replace(pn, key);
	return key;
}

void p2p_hostkey_clear(struct p2p_net *pn)
{
	hostkey_replace(pn, NULL);
}

static bool hostkey_copy(struct p2p_net *pn, u8 priv[P2P_KEY_LEN], u8 pub[P2P_KEY_LEN])
{
	struct p2p_hostkey *key;

	rcu_read_lock();
	key = rcu_dereference(pn->hostkey);
	if (key) {
		memcpy(priv, key->priv, P2P_KEY_LEN);
		memcpy(pub, key->pub, P2P_KEY_LEN);
	}
	rcu_read_unlock();
	return key;
}

int p2p_hostkey(struct p2p_net *pn, u8 priv[P2P_KEY_LEN], u8 pub[P2P_KEY_LEN])
{
	const struct p2p_hostkey *key;
	int ret = 0;

	if (hostkey_copy(pn, priv, pub))
		return 0;
	mutex_lock(&pn->lock);
	key = p2p_hostkey_ensure(pn);
	if (IS_ERR(key)) {
		ret = PTR_ERR(key);
	} else {
		memcpy(priv, key->priv, P2P_KEY_LEN);
		memcpy(pub, key->pub, P2P_KEY_LEN);
	}
	mutex_unlock(&pn->lock);
	return ret;
}
