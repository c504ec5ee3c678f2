// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "hashes.h"

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = v & 0xff;
		v >>= 8;
	}
}

void p2p_hash_root(uint64_t size, const uint8_t (*h)[P2P_HASH_LEN],
		   uint32_t blocks, uint8_t root[P2P_HASH_LEN])
{
	crypto_hash_sha256_state st;
	uint8_t head[P2P_HASH_ROOT_LABEL_LEN + 1 + 8 + 4] = { 0 };

	memcpy(head, P2P_HASH_ROOT_LABEL, P2P_HASH_ROOT_LABEL_LEN);
	put_be(head + P2P_HASH_ROOT_LABEL_LEN + 1, size, 8);
	put_be(head + P2P_HASH_ROOT_LABEL_LEN + 9, P2P_HASH_BLOCK, 4);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, head, sizeof(head));
	if (blocks)
		crypto_hash_sha256_update(&st, h[0],
					  (size_t)blocks * P2P_HASH_LEN);
	crypto_hash_sha256_final(&st, root);
}

void p2p_hash_block(const void *buf, size_t len, uint8_t out[P2P_HASH_LEN])
{
	crypto_hash_sha256(out, buf, len);
}

static bool same_file(const struct p2p_file_hashes *fh,
		      const struct p2p_hash_reply *r)
{
	return r->size == fh->size && r->mtime_sec == fh->mtime_sec &&
	       r->mtime_nsec == fh->mtime_nsec && r->blocks == fh->blocks &&
	       !memcmp(r->root, fh->root, P2P_HASH_LEN);
}

int p2p_hash_fetch(struct p2p_session *sess, const char *export,
		   const char *path, struct p2p_file_hashes *out)
{
	struct p2p_hash_reply r;
	uint8_t root[P2P_HASH_LEN];
	uint32_t got = 0;
	void *buf;
	int ret;

	memset(out, 0, sizeof(*out));
	buf = malloc(P2P_MAX_BODY);
	if (!buf)
		return -ENOMEM;
	do {
		ret = p2p_hash(sess, export, path, got, buf, P2P_MAX_BODY, &r);
		if (ret)
			goto err;
		if (!got) {
			out->size = r.size;
			out->mtime_sec = r.mtime_sec;
			out->mtime_nsec = r.mtime_nsec;
			out->block_size = r.block_size;
			out->blocks = r.blocks;
			memcpy(out->root, r.root, P2P_HASH_LEN);
			out->h = calloc(r.blocks ? r.blocks : 1, P2P_HASH_LEN);
			ret = -ENOMEM;
			if (!out->h)
				goto err;
		}
		ret = -EPROTO;
		if (!same_file(out, &r))
			goto err;
		memcpy(out->h[got], r.hashes, (size_t)r.count * P2P_HASH_LEN);
		got += r.count;
	} while (got < out->blocks);
	p2p_hash_root(out->size, (const uint8_t (*)[P2P_HASH_LEN])out->h,
		      out->blocks, root);
	ret = -EPROTO;
	if (memcmp(root, out->root, P2P_HASH_LEN))
		goto err;
	free(buf);
	return 0;

err:
	free(buf);
	p2p_file_hashes_free(out);
	return ret;
}

void p2p_file_hashes_free(struct p2p_file_hashes *fh)
{
	free(fh->h);
	fh->h = NULL;
}

static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		done += n;
	}
	return 0;
}

int64_t p2p_hash_first_bad(int fd, uint64_t len,
			   const struct p2p_file_hashes *fh)
{
	uint8_t h[P2P_HASH_LEN];
	uint64_t i, off, n;
	void *buf;
	int ret = 0;

	buf = malloc(P2P_HASH_BLOCK);
	if (!buf)
		return -ENOMEM;
	if (len > fh->size)
		len = fh->size;
	for (i = 0; i < fh->blocks; i++) {
		off = i * P2P_HASH_BLOCK;
		n = fh->size - off < P2P_HASH_BLOCK ? fh->size - off :
						      P2P_HASH_BLOCK;
		if (off + n > len)
			break;
		ret = read_at(fd, buf, n, off);
		if (ret)
			break;
		p2p_hash_block(buf, n, h);
		if (memcmp(h, fh->h[i], P2P_HASH_LEN))
			break;
	}
	free(buf);
	return ret ? ret : (int64_t)i;
}
