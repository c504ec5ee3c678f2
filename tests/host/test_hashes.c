// SPDX-License-Identifier: GPL-2.0
/*
 * Content hashes: the root of PROTOCOL.md 7.6's test vectors, the HASH
 * bodies (round trip, every truncation, count rules), and the block check
 * behind get -c and get --verify on a file with a bad block.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hashes.h"

static void unhex(const char *s, uint8_t *out)
{
	unsigned int i, v;

	for (i = 0; i < P2P_HASH_LEN; i++) {
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = v;
	}
}

TEST(root_vectors)
{
	uint8_t h[1][P2P_HASH_LEN], root[P2P_HASH_LEN], want[P2P_HASH_LEN];

	p2p_hash_root(0, NULL, 0, root);
	unhex("bbdf1849382cc422d62e477ace8841d545b11aa2593cc149d60eb92acf2d4baf",
	      want);
	EXPECT_EQ(0, memcmp(root, want, P2P_HASH_LEN));
	p2p_hash_block("abc", 3, h[0]);
	unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	      want);
	EXPECT_EQ(0, memcmp(h[0], want, P2P_HASH_LEN));
	p2p_hash_root(3, (const uint8_t (*)[P2P_HASH_LEN])h, 1, root);
	unhex("680832a29895db19980f36c0321454a0708421fd4d95ff8e3e7433a7e2d12d3f",
	      want);
	EXPECT_EQ(0, memcmp(root, want, P2P_HASH_LEN));
}

TEST(req_round_trip)
{
	struct p2p_hash_req req = {
		.export = { "docs", 4 }, .path = { "a/b", 3 }, .first = 7,
	}, out;
	uint8_t buf[256];
	int len, i;

	len = p2p_enc_hash_req(buf, sizeof(buf), &req);
	ASSERT_EQ(1 + 4 + 2 + 3 + 4, len);
	ASSERT_EQ(0, p2p_dec_hash_req(buf, len, &out));
	EXPECT_EQ(7U, out.first);
	EXPECT_EQ(3U, out.path.len);
	for (i = 0; i < len; i++)
		EXPECT_EQ(-EINVAL, p2p_dec_hash_req(buf, i, &out));
	EXPECT_EQ(-EINVAL, p2p_dec_hash_req(buf, len + 1, &out));
}

TEST(reply_rules)
{
	static uint8_t buf[P2P_MAX_BODY], hashes[3 * P2P_HASH_LEN];
	struct p2p_hash_reply r = {
		.size = 2 * P2P_HASH_BLOCK + 1, .block_size = P2P_HASH_BLOCK,
		.blocks = 3, .first = 1, .count = 2, .hashes = hashes,
	}, out;
	int len, i;

	memset(hashes, 0xab, sizeof(hashes));
	len = p2p_enc_hash_reply(buf, sizeof(buf), &r);
	ASSERT_EQ(68 + 2 * P2P_HASH_LEN, len);
	ASSERT_EQ(0, p2p_dec_hash_reply(buf, len, &out));
	EXPECT_EQ(2U, out.count);
	EXPECT_EQ(0, memcmp(out.hashes, hashes, 2 * P2P_HASH_LEN));
	for (i = 0; i < len; i++)
		EXPECT_EQ(-EINVAL, p2p_dec_hash_reply(buf, i, &out));
	r.count = 1;		/* holds back a hash */
	EXPECT_EQ(-EINVAL, p2p_enc_hash_reply(buf, sizeof(buf), &r));
	r.count = 2;
	r.blocks = 4;		/* not the size's */
	EXPECT_EQ(-EINVAL, p2p_enc_hash_reply(buf, sizeof(buf), &r));
	r.blocks = 3;
	r.block_size = 4096;
	EXPECT_EQ(-EINVAL, p2p_enc_hash_reply(buf, sizeof(buf), &r));
	/* The reserved field. */
	buf[35] = 1;
	EXPECT_EQ(-EINVAL, p2p_dec_hash_reply(buf, len, &out));
}

TEST(first_bad_block)
{
	struct p2p_file_hashes fh = { .size = 2 * P2P_HASH_BLOCK + 10 };
	char path[] = "/tmp/test_hashes.XXXXXX";
	uint8_t *data;
	uint32_t i;
	int fd;

	data = malloc(fh.size);
	ASSERT_NE(NULL, data);
	for (i = 0; i < fh.size; i++)
		data[i] = i * 7 + (i >> 12);
	fh.blocks = 3;
	fh.h = calloc(3, P2P_HASH_LEN);
	ASSERT_NE(NULL, fh.h);
	for (i = 0; i < 3; i++)
		p2p_hash_block(data + (size_t)i * P2P_HASH_BLOCK,
			       i < 2 ? P2P_HASH_BLOCK : 10, fh.h[i]);
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	unlink(path);
	ASSERT_EQ((ssize_t)fh.size, write(fd, data, fh.size));
	EXPECT_EQ(3, p2p_hash_first_bad(fd, fh.size, &fh));
	/* A prefix: only whole blocks count. */
	EXPECT_EQ(1, p2p_hash_first_bad(fd, P2P_HASH_BLOCK + 5, &fh));
	EXPECT_EQ(0, p2p_hash_first_bad(fd, 100, &fh));
	/* One bad byte in block 1. */
	ASSERT_EQ(1, pwrite(fd, "X", 1, P2P_HASH_BLOCK + 3));
	EXPECT_EQ(1, p2p_hash_first_bad(fd, fh.size, &fh));
	/* In the last, partial block. */
	ASSERT_EQ(1, pwrite(fd, data + P2P_HASH_BLOCK + 3, 1,
			    P2P_HASH_BLOCK + 3));
	ASSERT_EQ(1, pwrite(fd, "X", 1, 2 * P2P_HASH_BLOCK + 9));
	EXPECT_EQ(2, p2p_hash_first_bad(fd, fh.size, &fh));
	close(fd);
	p2p_file_hashes_free(&fh);
	free(data);
}

TEST_HARNESS_MAIN
