/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Content hashes of a file (PROTOCOL.md 7.6): every block hash of a peer's
 * file fetched over one session and checked against its root, and the
 * same hashes of local data.
 */
#ifndef _P2P_HASHES_H
#define _P2P_HASHES_H

#include <stdint.h>

#include "proto.h"

struct p2p_file_hashes {
	uint64_t size;
	int64_t mtime_sec;
	uint32_t mtime_nsec;
	uint32_t block_size;
	uint32_t blocks;
	uint8_t root[P2P_HASH_LEN];
	uint8_t (*h)[P2P_HASH_LEN];	/* blocks entries, malloc'd */
};

/* The root of BLOCKS hashes H of a file of SIZE bytes. */
void p2p_hash_root(uint64_t size, const uint8_t (*h)[P2P_HASH_LEN],
		   uint32_t blocks, uint8_t root[P2P_HASH_LEN]);
/* SHA-256 of LEN bytes. */
void p2p_hash_block(const void *buf, size_t len, uint8_t out[P2P_HASH_LEN]);

/*
 * Every block hash of EXPORT/PATH, in as many HASH requests as it takes;
 * -EPROTO if the replies disagree (the file changed between them: the
 * caller may retry) or the hashes do not give the root.
 */
int p2p_hash_fetch(struct p2p_session *sess, const char *export,
		   const char *path, struct p2p_file_hashes *out);
void p2p_file_hashes_free(struct p2p_file_hashes *fh);

/*
 * The index of the first block of the open file FD (its first LEN bytes)
 * whose hash differs from FH's, or the number of whole blocks in LEN if
 * none does; a last partial block counts only when it ends FH's file.
 * A negative errno if FD cannot be read.
 */
int64_t p2p_hash_first_bad(int fd, uint64_t len,
			   const struct p2p_file_hashes *fh);

#endif /* _P2P_HASHES_H */
