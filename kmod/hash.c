// SPDX-License-Identifier: GPL-2.0
/*
 * Content hashes (PROTOCOL.md 7.6): SHA-256 of every P2P_HASH_BLOCK of a
 * file and a root over them, read through the page cache and cached per
 * file with an LRU under a module-wide byte budget.
 */
#include <crypto/sha2.h>
#include <linux/iversion.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stat.h>

#include "hash.h"

#define HASH_BUDGET	(16 << 20)	/* bytes of hashes kept, all files */
#define HASH_CHUNK	(128 << 10)	/* one kernel_read() */

static DEFINE_MUTEX(cache_lock);	/* lru, used, nentries, counters */
static LIST_HEAD(lru);			/* most recently used first */
static size_t used;
static unsigned int nentries;
static u64 hits, misses;

static int key_of(struct file *file, struct p2p_hash_key *k)
{
	struct inode *inode = file_inode(file);
	struct kstat st;
	int ret;

	ret = vfs_getattr(&file->f_path, &st, STATX_BASIC_STATS,
			  AT_STATX_SYNC_AS_STAT);
	if (ret)
		return ret;
	memset(k, 0, sizeof(*k));
	k->dev = st.dev;
	k->ino = st.ino;
	k->size = st.size;
	k->mtime = st.mtime;
	k->ctime = st.ctime;
	if (IS_I_VERSION(inode))
		k->iversion = inode_query_iversion(inode);
	/* Open for writing by anyone: the content is not settled. */
	if (atomic_read(&inode->i_writecount) > 0)
		return -ETXTBSY;
	return 0;
}

static bool key_eq(const struct p2p_hash_key *a, const struct p2p_hash_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       timespec64_equal(&a->mtime, &b->mtime) &&
	       timespec64_equal(&a->ctime, &b->ctime) &&
	       a->iversion == b->iversion;
}

static void release(struct kref *ref)
{
	kvfree(container_of(ref, struct p2p_hashes, ref));
}

void p2p_hash_put(struct p2p_hashes *h)
{
	kref_put(&h->ref, release);
}

static struct p2p_hashes *lookup(const struct p2p_hash_key *k)
{
	struct p2p_hashes *h;

	lockdep_assert_held(&cache_lock);
	list_for_each_entry(h, &lru, lru) {
		if (key_eq(&h->key, k)) {
			list_move(&h->lru, &lru);
			kref_get(&h->ref);
			return h;
		}
	}
	return NULL;
}

static void evict(struct p2p_hashes *h)
{
	list_del(&h->lru);
	h->cached = false;
	used -= h->bytes;
	nentries--;
	p2p_hash_put(h);
}

/* H, or the equal entry another request put there first. */
static struct p2p_hashes *insert(struct p2p_hashes *h)
{
	struct p2p_hashes *old;

	mutex_lock(&cache_lock);
	old = lookup(&h->key);
	if (old) {
		mutex_unlock(&cache_lock);
		p2p_hash_put(h);
		return old;
	}
	while (used + h->bytes > HASH_BUDGET && !list_empty(&lru))
		evict(list_last_entry(&lru, struct p2p_hashes, lru));
	kref_get(&h->ref);		/* the cache's */
	list_add(&h->lru, &lru);
	h->cached = true;
	used += h->bytes;
	nentries++;
	mutex_unlock(&cache_lock);
	return h;
}

static int hash_blocks(struct file *file, struct p2p_hashes *h, u8 *buf,
		       const bool *stop)
{
	struct sha256_state sctx;
	loff_t pos = 0, size = h->key.size;
	u32 i;
	ssize_t n;

	for (i = 0; i < h->blocks; i++) {
		loff_t end = min_t(loff_t, size, pos + P2P_HASH_BLOCK);

		sha256_init(&sctx);
		while (pos < end) {
			if (READ_ONCE(*stop))
				return -ECONNABORTED;
			n = kernel_read(file, buf, min_t(loff_t, end - pos,
							 HASH_CHUNK), &pos);
			if (n < 0)
				return n;
			if (!n)		/* shrunk under us */
				return -ETXTBSY;
			sha256_update(&sctx, buf, n);
			cond_resched();
		}
		sha256_final(&sctx, h->h[i]);
	}
	return 0;
}

static void hash_root(struct p2p_hashes *h)
{
	struct sha256_state sctx;
	__be64 size = cpu_to_be64(h->key.size);
	__be32 bs = cpu_to_be32(P2P_HASH_BLOCK);

	sha256_init(&sctx);
	sha256_update(&sctx, P2P_HASH_ROOT_LABEL, P2P_HASH_ROOT_LABEL_LEN + 1);
	sha256_update(&sctx, (const u8 *)&size, sizeof(size));
	sha256_update(&sctx, (const u8 *)&bs, sizeof(bs));
	sha256_update(&sctx, h->h[0], h->blocks * P2P_HASH_LEN);
	sha256_final(&sctx, h->root);
}

static struct p2p_hashes *compute(struct file *file,
				  const struct p2p_hash_key *k,
				  const bool *stop)
{
	struct p2p_hash_key after;
	struct p2p_hashes *h;
	u64 blocks = DIV_ROUND_UP_ULL(k->size, P2P_HASH_BLOCK);
	u8 *buf;
	int ret;

	if (blocks * P2P_HASH_LEN > HASH_BUDGET)
		return ERR_PTR(-EFBIG);
	h = kvzalloc(struct_size(h, h, blocks), GFP_KERNEL);
	buf = kvmalloc(HASH_CHUNK, GFP_KERNEL);
	ret = -ENOMEM;
	if (!h || !buf)
		goto err;
	kref_init(&h->ref);
	INIT_LIST_HEAD(&h->lru);
	h->key = *k;
	h->blocks = blocks;
	h->bytes = struct_size(h, h, blocks);
	ret = hash_blocks(file, h, buf, stop);
	if (ret)
		goto err;
	/* Written meanwhile: these hashes may mix two contents. */
	ret = key_of(file, &after);
	if (!ret && !key_eq(k, &after))
		ret = -ETXTBSY;
	if (ret)
		goto err;
	kvfree(buf);
	hash_root(h);
	return h;

err:
	kvfree(buf);
	kvfree(h);
	return ERR_PTR(ret);
}

struct p2p_hashes *p2p_hash_get(struct file *file, const bool *stop)
{
	struct p2p_hash_key k;
	struct p2p_hashes *h;
	int ret;

	ret = key_of(file, &k);
	if (ret)
		return ERR_PTR(ret);
	mutex_lock(&cache_lock);
	h = lookup(&k);
	if (h)
		hits++;
	else
		misses++;
	mutex_unlock(&cache_lock);
	if (h)
		return h;
	h = compute(file, &k, stop);
	return IS_ERR(h) ? h : insert(h);
}

void p2p_hash_stats(unsigned int *entries, size_t *bytes, u64 *h, u64 *m)
{
	mutex_lock(&cache_lock);
	*entries = nentries;
	*bytes = used;
	*h = hits;
	*m = misses;
	mutex_unlock(&cache_lock);
}

void p2p_hash_uninit(void)
{
	mutex_lock(&cache_lock);
	while (!list_empty(&lru))
		evict(list_first_entry(&lru, struct p2p_hashes, lru));
	mutex_unlock(&cache_lock);
}
