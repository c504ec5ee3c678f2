/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_HASH_H
#define P2P_HASH_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/time64.h>

#include "uapi/p2pshare_proto.h"

/* What proves a file unchanged since it was hashed. */
struct p2p_hash_key {
	dev_t dev;
	u64 ino;
	loff_t size;
	struct timespec64 mtime;
	struct timespec64 ctime;	/* no user can set it: catches touch -d */
	u64 iversion;			/* 0 where the fs keeps none */
};

/* The block hashes of one file, shared by the cache and its readers. */
struct p2p_hashes {
	struct kref ref;
	struct list_head lru;		/* in the cache, under its mutex */
	bool cached;
	struct p2p_hash_key key;
	size_t bytes;
	u32 blocks;
	u8 root[P2P_HASH_LEN];
	u8 h[][P2P_HASH_LEN];
};

/*
 * The hashes of FILE (open for reading), from the cache or computed with
 * the caller's credentials.  ERR_PTR: -ETXTBSY while someone has the file
 * open for writing or it changed during the hash, -EFBIG for more blocks
 * than the cache's budget holds, -ECONNABORTED once *STOP was set.
 */
struct p2p_hashes *p2p_hash_get(struct file *file, const bool *stop);
void p2p_hash_put(struct p2p_hashes *h);

void p2p_hash_stats(unsigned int *entries, size_t *bytes, u64 *hits,
		    u64 *misses);
/* Empties the cache at module unload, once no connection is left. */
void p2p_hash_uninit(void);

#endif /* P2P_HASH_H */
