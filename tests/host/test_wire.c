// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/wire.c: round trips of every frame body, the malformed-input matrix
 * (every truncation, trailing bytes, bad lengths, names, paths, values) with
 * exact error codes, header checks, list builders, the prologue bytes; and
 * the client's READ and PUT streams of userspace/lib/proto.c against a
 * scripted server over a socket pair; the partial-file mark.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "proto.h"

#define BUFSZ	(P2P_MAX_BODY + 64)

static struct p2p_str S(const char *s)
{
	return (struct p2p_str){ s, strlen(s) };
}

static bool str_eq(struct p2p_str a, const char *b)
{
	return a.len == strlen(b) && !memcmp(a.s, b, a.len);
}

/* Decoders behind one signature, for the truncation matrix. */
typedef int (*dec_fn)(const void *buf, size_t len);

#define DEC(name, type) \
	static int dec_##name(const void *buf, size_t len) \
	{ \
		type m; \
		return p2p_dec_##name(buf, len, &m); \
	}

DEC(hello, struct p2p_hello)
DEC(hello_reply, struct p2p_hello_reply)
DEC(error, struct p2p_error)
DEC(stat_req, struct p2p_stat_req)
DEC(readdir_req, struct p2p_readdir_req)
DEC(read_req, struct p2p_read_req)
DEC(put_req, struct p2p_put_req)
DEC(attr, struct p2p_fattr)
DEC(read_reply, struct p2p_read_reply)
DEC(readdir_reply, struct p2p_readdir_reply)
DEC(list_reply, struct p2p_list_reply)

/* Decode from an exact-size heap copy, so a sanitizer sees overreads. */
static int dec_exact(dec_fn dec, const uint8_t *buf, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, buf, len);
	ret = dec(copy, len);
	free(copy);
	return ret;
}

/* Every proper prefix and one trailing byte more: -EINVAL. */
static int truncations(struct __test_metadata *_metadata, dec_fn dec,
		       const uint8_t *buf, int len)
{
	uint8_t more[BUFSZ + 1];
	int i;

	ASSERT_GT(len, 0);
	ASSERT_EQ(0, dec_exact(dec, buf, len));
	for (i = 0; i < len; i++)
		ASSERT_EQ(-EINVAL, dec_exact(dec, buf, i)) {
			TH_LOG("prefix of %d of %d bytes", i, len);
		}
	memcpy(more, buf, len);
	more[len] = 0;
	ASSERT_EQ(-EINVAL, dec_exact(dec, more, len + 1));
	return 0;
}

/* Header */

static int hdr(uint32_t len, uint8_t op, uint8_t flags, uint16_t reserved,
	       uint32_t tag, bool from_server, struct p2p_frame *f)
{
	uint8_t b[P2P_HDR_LEN];
	struct p2p_wr w;

	p2p_wr_init(&w, b, sizeof(b));
	p2p_put_u32(&w, len);
	p2p_put_u8(&w, op);
	p2p_put_u8(&w, flags);
	p2p_put_u16(&w, reserved);
	p2p_put_u32(&w, tag);
	return p2p_hdr_decode(b, from_server, f);
}

TEST(header_round_trip)
{
	struct p2p_frame in = { 0x01020304, P2P_OP_READ_DATA, P2P_F_MORE,
				0xa1b2c3d4 }, out;
	static const uint8_t want[P2P_HDR_LEN] = {
		0x01, 0x02, 0x03, 0x04, 0x88, 0x01, 0x00, 0x00,
		0xa1, 0xb2, 0xc3, 0xd4,
	};
	uint8_t b[P2P_HDR_LEN];

	in.len = 1000;
	p2p_hdr_encode(b, &in);
	ASSERT_EQ(0, p2p_hdr_decode(b, true, &out));
	ASSERT_EQ(in.len, out.len);
	ASSERT_EQ(in.op, out.op);
	ASSERT_EQ(in.flags, out.flags);
	ASSERT_EQ(in.tag, out.tag);
	in.len = 0x01020304;
	p2p_hdr_encode(b, &in);
	ASSERT_EQ(0, memcmp(want, b, sizeof(b)));
	ASSERT_EQ(12U, sizeof(struct p2p_hdr));
	ASSERT_EQ(4U, offsetof(struct p2p_hdr, op));
	ASSERT_EQ(8U, offsetof(struct p2p_hdr, tag));
}

TEST(header_checks)
{
	struct p2p_frame f;

	ASSERT_EQ(0, hdr(0, P2P_OP_LIST_EXPORTS, 0, 0, 1, false, &f));
	ASSERT_EQ(-EPROTO, hdr(0, P2P_OP_LIST_EXPORTS, 0, 1, 1, false, &f));
	ASSERT_EQ(-EPROTO, hdr(0, P2P_OP_LIST_EXPORTS, 0, 0x8000, 1, false,
			       &f));
	ASSERT_EQ(-EPROTO, hdr(0, P2P_OP_PUT_DATA, 0x02, 0, 1, false, &f));
	ASSERT_EQ(-EPROTO, hdr(0, P2P_OP_STAT, P2P_F_MORE, 0, 1, false, &f));
	ASSERT_EQ(0, hdr(0, P2P_OP_PUT_DATA, P2P_F_MORE, 0, 1, false, &f));
	ASSERT_EQ(-EPROTO, hdr(0, P2P_OP_UNSPEC, 0, 0, 1, false, &f));
	/* Direction: replies from the client, requests from the server. */
	ASSERT_EQ(-EPROTO, hdr(0, P2P_OP_OK, 0, 0, 1, false, &f));
	ASSERT_EQ(-EPROTO, hdr(0, P2P_OP_STAT, 0, 0, 1, true, &f));
	ASSERT_EQ(0, hdr(0, P2P_OP_OK, 0, 0, 1, true, &f));
	/* Tag 0 is the server's. */
	ASSERT_EQ(-EPROTO, hdr(0, P2P_OP_STAT, 0, 0, 0, false, &f));
	ASSERT_EQ(0, hdr(0, P2P_OP_ERROR, 0, 0, 0, true, &f));
	/* Unknown request ops pass, for an ENOSYS answer. */
	ASSERT_EQ(0, hdr(0, 0x7f, 0, 0, 1, false, &f));
	ASSERT_EQ(0x7f, f.op);
	/* Limits */
	ASSERT_EQ(0, hdr(P2P_MAX_BODY, P2P_OP_STAT, 0, 0, 1, false, &f));
	ASSERT_EQ(-EMSGSIZE, hdr(P2P_MAX_BODY + 1, P2P_OP_STAT, 0, 0, 1,
				 false, &f));
	ASSERT_EQ(-EMSGSIZE, hdr(0xffffffff, 0x7f, 0, 0, 1, false, &f));
	ASSERT_EQ(0, hdr(P2P_MAX_DATA_CHUNK, P2P_OP_PUT_DATA, 0, 0, 1, false,
			 &f));
	ASSERT_EQ(-EMSGSIZE, hdr(P2P_MAX_DATA_CHUNK + 1, P2P_OP_PUT_DATA, 0,
				 0, 1, false, &f));
	ASSERT_EQ(0, hdr(P2P_MAX_DATA_CHUNK, P2P_OP_READ_DATA, 0, 0, 1, true,
			 &f));
	ASSERT_EQ(-EMSGSIZE, hdr(P2P_MAX_DATA_CHUNK + 1, P2P_OP_READ_DATA, 0,
				 0, 1, true, &f));
	ASSERT_EQ(-EMSGSIZE, hdr(P2P_MAX_BODY + 1, P2P_OP_ERROR, 0, 0, 1,
				 true, &f));
}

/* Fixed layouts of the uapi structs, as docs/PROTOCOL.md gives them. */
TEST(uapi_layout)
{
	ASSERT_EQ(66U, sizeof(struct p2p_hello_reply_body));
	ASSERT_EQ(34U, offsetof(struct p2p_hello_reply_body, challenge));
	ASSERT_EQ(28U, sizeof(struct p2p_stat_reply_body));
	ASSERT_EQ(8U, offsetof(struct p2p_stat_reply_body, size));
	ASSERT_EQ(24U, offsetof(struct p2p_stat_reply_body, mtime_nsec));
	ASSERT_EQ(28U, sizeof(struct p2p_read_reply_body));
	ASSERT_EQ(12U, sizeof(struct p2p_readdir_reply_head));
	ASSERT_EQ(24U, sizeof(struct p2p_dirent_head));
	ASSERT_EQ(16U, offsetof(struct p2p_dirent_head, mtime_sec));
	ASSERT_EQ(4U, sizeof(struct p2p_list_reply_head));
	ASSERT_EQ(6U, sizeof(struct p2p_error_head));
}

/* Round trips and truncations of every body */

TEST(hello)
{
	struct p2p_hello in = { 1, 3, S("alice") }, out;
	static const uint8_t want[] = { 0, 1, 0, 3, 5, 'a', 'l', 'i', 'c',
					'e' };
	uint8_t b[BUFSZ];
	int len;

	len = p2p_enc_hello(b, sizeof(b), &in);
	ASSERT_EQ((int)sizeof(want), len);
	ASSERT_EQ(0, memcmp(want, b, len));
	ASSERT_EQ(0, p2p_dec_hello(b, len, &out));
	ASSERT_EQ(1, out.version_min);
	ASSERT_EQ(3, out.version_max);
	ASSERT_TRUE(str_eq(out.user, "alice"));
	truncations(_metadata, dec_hello, b, len);
	ASSERT_EQ(-EMSGSIZE, p2p_enc_hello(b, len - 1, &in));
	/* Versions: 0 and min > max are malformed. */
	b[1] = 0;
	ASSERT_EQ(-EINVAL, p2p_dec_hello(b, len, &out));
	b[1] = 4;
	ASSERT_EQ(-EINVAL, p2p_dec_hello(b, len, &out));
	in.version_min = 4;
	ASSERT_EQ(-EINVAL, p2p_enc_hello(b, sizeof(b), &in));
}

TEST(hello_reply)
{
	struct p2p_hello_reply in = { .version = 1 }, out;
	uint8_t b[BUFSZ];
	int len;

	memset(in.host_key, 0xaa, 32);
	memset(in.challenge, 0x55, 32);
	len = p2p_enc_hello_reply(b, sizeof(b), &in);
	ASSERT_EQ(66, len);
	ASSERT_EQ(0, b[0]);
	ASSERT_EQ(1, b[1]);
	ASSERT_EQ(0xaa, b[2]);
	ASSERT_EQ(0x55, b[34]);
	ASSERT_EQ(0, p2p_dec_hello_reply(b, len, &out));
	ASSERT_EQ(0, memcmp(&in, &out, sizeof(in)));
	truncations(_metadata, dec_hello_reply, b, len);
	b[1] = 0;
	ASSERT_EQ(-EINVAL, p2p_dec_hello_reply(b, len, &out));
}

TEST(error)
{
	struct p2p_error in = { ENOENT, S("no such file") }, out;
	char big[P2P_ERRMSG_MAX + 1];
	uint8_t b[BUFSZ];
	int len;

	len = p2p_enc_error(b, sizeof(b), &in);
	ASSERT_EQ(6 + 12, len);
	ASSERT_EQ(0, memcmp("\0\0\0\x02\0\x0c", b, 6));
	ASSERT_EQ(0, p2p_dec_error(b, len, &out));
	ASSERT_EQ((uint32_t)ENOENT, out.code);
	ASSERT_TRUE(str_eq(out.msg, "no such file"));
	truncations(_metadata, dec_error, b, len);
	/* Empty message is fine. */
	in.msg = S("");
	ASSERT_EQ(6, p2p_enc_error(b, sizeof(b), &in));
	ASSERT_EQ(0, p2p_dec_error(b, 6, &out));
	/* Code 0, code > 4095, NUL in the message, too long. */
	in.code = 0;
	ASSERT_EQ(-EINVAL, p2p_enc_error(b, sizeof(b), &in));
	memcpy(b, "\0\0\0\0\0\0", 6);
	ASSERT_EQ(-EINVAL, p2p_dec_error(b, 6, &out));
	memcpy(b, "\0\0\x10\0\0\0", 6);
	ASSERT_EQ(-EINVAL, p2p_dec_error(b, 6, &out));
	memcpy(b, "\0\0\0\x05\0\x03" "a\0b", 9);
	ASSERT_EQ(-EINVAL, p2p_dec_error(b, 9, &out));
	memset(big, 'x', sizeof(big));
	in.code = EIO;
	in.msg = (struct p2p_str){ big, P2P_ERRMSG_MAX };
	len = p2p_enc_error(b, sizeof(b), &in);
	ASSERT_EQ(6 + P2P_ERRMSG_MAX, len);
	in.msg.len++;
	ASSERT_EQ(-EINVAL, p2p_enc_error(b, sizeof(b), &in));
	b[4] = (P2P_ERRMSG_MAX + 1) >> 8;
	b[5] = (P2P_ERRMSG_MAX + 1) & 0xff;
	memset(b + 6, 'x', P2P_ERRMSG_MAX + 1);
	ASSERT_EQ(-EINVAL, p2p_dec_error(b, 6 + P2P_ERRMSG_MAX + 1, &out));
}

TEST(stat_req)
{
	struct p2p_stat_req in = { S("docs"), S("a/b.txt") }, out;
	static const uint8_t want[] = { 4, 'd', 'o', 'c', 's', 0, 7, 'a', '/',
					'b', '.', 't', 'x', 't' };
	uint8_t b[BUFSZ];
	int len;

	len = p2p_enc_stat_req(b, sizeof(b), &in);
	ASSERT_EQ((int)sizeof(want), len);
	ASSERT_EQ(0, memcmp(want, b, len));
	ASSERT_EQ(0, p2p_dec_stat_req(b, len, &out));
	ASSERT_TRUE(str_eq(out.export, "docs"));
	ASSERT_TRUE(str_eq(out.path, "a/b.txt"));
	truncations(_metadata, dec_stat_req, b, len);
	/* The export root: an empty path. */
	in.path = S("");
	len = p2p_enc_stat_req(b, sizeof(b), &in);
	ASSERT_EQ(7, len);
	ASSERT_EQ(0, p2p_dec_stat_req(b, len, &out));
	ASSERT_EQ(0U, out.path.len);
}

TEST(readdir_req)
{
	struct p2p_readdir_req in = { S("e"), S("d"), 0x0102030405060708ULL,
				      100 }, out;
	uint8_t b[BUFSZ];
	int len;

	len = p2p_enc_readdir_req(b, sizeof(b), &in);
	ASSERT_EQ(2 + 3 + 8 + 4, len);
	ASSERT_EQ(0, p2p_dec_readdir_req(b, len, &out));
	ASSERT_EQ(in.cookie, out.cookie);
	ASSERT_EQ(in.max_entries, out.max_entries);
	ASSERT_EQ(1, b[5]);
	ASSERT_EQ(8, b[12]);
	truncations(_metadata, dec_readdir_req, b, len);
}

TEST(read_req)
{
	struct p2p_read_req in = { S("e"), S("f"), 5, P2P_READ_TO_EOF }, out;
	uint8_t b[BUFSZ];
	int len;

	len = p2p_enc_read_req(b, sizeof(b), &in);
	ASSERT_EQ(2 + 3 + 16, len);
	ASSERT_EQ(0, p2p_dec_read_req(b, len, &out));
	ASSERT_EQ(5U, out.offset);
	ASSERT_EQ(P2P_READ_TO_EOF, out.length);
	truncations(_metadata, dec_read_req, b, len);
	/* Offsets past INT64_MAX are malformed. */
	b[5] = 0x80;
	ASSERT_EQ(-EINVAL, p2p_dec_read_req(b, len, &out));
	in.offset = 1ULL << 63;
	ASSERT_EQ(-EINVAL, p2p_enc_read_req(b, sizeof(b), &in));
}

TEST(put_req)
{
	struct p2p_put_req in = { S("e"), S("up/f"), 1 << 20, 0644 }, out;
	uint8_t b[BUFSZ];
	int len;

	len = p2p_enc_put_req(b, sizeof(b), &in);
	ASSERT_EQ(2 + 6 + 12, len);
	ASSERT_EQ(0, p2p_dec_put_req(b, len, &out));
	ASSERT_EQ(1U << 20, out.size);
	ASSERT_EQ(0644U, out.mode);
	ASSERT_TRUE(str_eq(out.path, "up/f"));
	truncations(_metadata, dec_put_req, b, len);
	/* mode: permission bits only */
	b[len - 3] = 0x08;
	ASSERT_EQ(-EINVAL, p2p_dec_put_req(b, len, &out));
	b[len - 3] = 0;
	/* size > INT64_MAX */
	b[8] = 0x80;
	ASSERT_EQ(-EFBIG, p2p_dec_put_req(b, len, &out));
	in.size = ~0ULL;
	ASSERT_EQ(-EFBIG, p2p_enc_put_req(b, sizeof(b), &in));
	in.size = 0;
	in.mode = 04755;
	ASSERT_EQ(-EINVAL, p2p_enc_put_req(b, sizeof(b), &in));
	/* The root cannot be replaced by a file. */
	in.mode = 0600;
	in.path = S("");
	ASSERT_EQ(-EISDIR, p2p_enc_put_req(b, sizeof(b), &in));
	memcpy(b, "\1e\0\0" "\0\0\0\0\0\0\0\0" "\0\0\1\x80", 16);
	ASSERT_EQ(-EISDIR, p2p_dec_put_req(b, 16, &out));
}

TEST(attr)
{
	struct p2p_fattr in = { P2P_FTYPE_REG, 0755, 2, 12345, -5, 999999999 };
	struct p2p_fattr out;
	uint8_t b[BUFSZ];
	int len;

	len = p2p_enc_attr(b, sizeof(b), &in);
	ASSERT_EQ(28, len);
	ASSERT_EQ(0, p2p_dec_attr(b, len, &out));
	ASSERT_EQ(0, memcmp(&in, &out, sizeof(in)));
	ASSERT_EQ(0xff, b[16]);		/* mtime -5, two's complement */
	truncations(_metadata, dec_attr, b, len);
	b[1] = 1;			/* reserved */
	ASSERT_EQ(-EINVAL, p2p_dec_attr(b, len, &out));
	b[1] = 0;
	b[0] = 0;			/* type UNSPEC */
	ASSERT_EQ(-EINVAL, p2p_dec_attr(b, len, &out));
	b[0] = P2P_FTYPE_MAX + 1;
	ASSERT_EQ(-EINVAL, p2p_dec_attr(b, len, &out));
	b[0] = P2P_FTYPE_DIR;
	b[2] = 0x10;			/* mode beyond 07777 */
	ASSERT_EQ(-EINVAL, p2p_dec_attr(b, len, &out));
	in.mtime_nsec = 1000000000;
	ASSERT_EQ(-EINVAL, p2p_enc_attr(b, sizeof(b), &in));
}

TEST(read_reply)
{
	struct p2p_read_reply in = { 10, 20, 1700000000, 5 }, out;
	uint8_t b[BUFSZ];
	int len;

	len = p2p_enc_read_reply(b, sizeof(b), &in);
	ASSERT_EQ(28, len);
	ASSERT_EQ(0, p2p_dec_read_reply(b, len, &out));
	ASSERT_EQ(0, memcmp(&in, &out, sizeof(in)));
	truncations(_metadata, dec_read_reply, b, len);
	in.total = 21;
	ASSERT_EQ(-EINVAL, p2p_enc_read_reply(b, sizeof(b), &in));
	b[7] = 21;
	ASSERT_EQ(-EINVAL, p2p_dec_read_reply(b, len, &out));
}

TEST(readdir_reply)
{
	struct p2p_dirent e[3] = {
		{ P2P_FTYPE_DIR, 0755, 4096, 100, 1, S("sub") },
		{ P2P_FTYPE_REG, 0644, 7, -1, 2, S(".hidden") },
		{ P2P_FTYPE_SYMLINK, 0777, 3, 0, 0, S("...") },
	};
	struct p2p_list_builder lb;
	struct p2p_readdir_reply r;
	struct p2p_dirent d;
	uint8_t b[BUFSZ];
	int i, len;

	p2p_readdir_reply_init(&lb, b, sizeof(b));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, p2p_readdir_reply_add(&lb, &e[i]));
	len = p2p_readdir_reply_finish(&lb, 42, true);
	ASSERT_EQ(12 + 3 * 24 + 3 + 7 + 3, len);
	ASSERT_EQ(0, p2p_dec_readdir_reply(b, len, &r));
	ASSERT_EQ(42U, r.cookie);
	ASSERT_EQ(3, r.count);
	ASSERT_TRUE(r.end);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, p2p_next_dirent(&r.entries, &d));
		ASSERT_EQ(e[i].type, d.type);
		ASSERT_EQ(e[i].mode, d.mode);
		ASSERT_EQ(e[i].size, d.size);
		ASSERT_EQ(e[i].mtime_sec, d.mtime_sec);
		ASSERT_EQ(e[i].mtime_nsec, d.mtime_nsec);
		ASSERT_EQ(e[i].name.len, d.name.len);
		ASSERT_EQ(0, memcmp(e[i].name.s, d.name.s, d.name.len));
	}
	ASSERT_EQ(0, p2p_rd_end(&r.entries));
	truncations(_metadata, dec_readdir_reply, b, len);
	/* end flag must be 0 or 1; reserved 0; count 0 only at the end */
	b[10] = 2;
	ASSERT_EQ(-EINVAL, p2p_dec_readdir_reply(b, len, &r));
	b[10] = 1;
	b[11] = 1;
	ASSERT_EQ(-EINVAL, p2p_dec_readdir_reply(b, len, &r));
	memset(b, 0, 12);
	ASSERT_EQ(-EINVAL, p2p_dec_readdir_reply(b, 12, &r));
	b[10] = 1;
	ASSERT_EQ(0, p2p_dec_readdir_reply(b, 12, &r));
	/* A builder with no entry may only finish at the end. */
	p2p_readdir_reply_init(&lb, b, sizeof(b));
	ASSERT_EQ(-EINVAL, p2p_readdir_reply_finish(&lb, 0, false));
}

/* A READDIR_REPLY with one entry named name, built by hand. */
static int one_entry(uint8_t *b, const char *name, size_t len)
{
	struct p2p_wr w;

	p2p_wr_init(&w, b, BUFSZ);
	p2p_put_u64(&w, 1);
	p2p_put_u16(&w, 1);
	p2p_put_u8(&w, 1);
	p2p_put_u8(&w, 0);
	p2p_put_u8(&w, P2P_FTYPE_REG);
	p2p_put_u8(&w, len);
	p2p_put_u16(&w, 0644);
	p2p_put_u32(&w, 0);
	p2p_put_u64(&w, 1);
	p2p_put_u64(&w, 1);
	p2p_put_bytes(&w, name, len);
	return p2p_wr_done(&w);
}

/* Entry names a server must never send, nor a client accept. */
TEST(readdir_bad_names)
{
	static const char *bad[] = { "", ".", "..", "a/b", "/", "../x" };
	struct p2p_dirent e = { P2P_FTYPE_REG, 0644, 1, 1, 1, S("ok") };
	struct p2p_list_builder lb;
	struct p2p_readdir_reply r;
	uint8_t b[BUFSZ];
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = strlen(bad[i]);
		e.name = S(bad[i]);
		p2p_readdir_reply_init(&lb, b, sizeof(b));
		ASSERT_EQ(-EINVAL, p2p_readdir_reply_add(&lb, &e));
		ASSERT_EQ(-EINVAL, p2p_dec_readdir_reply(b,
				one_entry(b, bad[i], len), &r)) {
			TH_LOG("name \"%s\"", bad[i]);
		}
	}
	ASSERT_EQ(0, p2p_dec_readdir_reply(b, one_entry(b, "ok", 2), &r));
	ASSERT_EQ(-EINVAL, p2p_dec_readdir_reply(b, one_entry(b, "a\0", 2),
						 &r));
}

/* The builder fills a maximal body and refuses the entry that overflows. */
TEST(readdir_builder_full)
{
	char name[256];
	struct p2p_dirent e = { P2P_FTYPE_REG, 0644, 1, 1, 1,
				{ name, 255 } };
	struct p2p_list_builder lb;
	struct p2p_readdir_reply r;
	uint8_t *b = malloc(P2P_MAX_BODY);
	int n = 0, len, ret;

	memset(name, 'n', sizeof(name));
	p2p_readdir_reply_init(&lb, b, P2P_MAX_BODY);
	while (!(ret = p2p_readdir_reply_add(&lb, &e)))
		n++;
	ASSERT_EQ(-EMSGSIZE, ret);
	ASSERT_EQ((P2P_MAX_BODY - 12) / (24 + 255), n);
	len = p2p_readdir_reply_finish(&lb, 7, false);
	ASSERT_EQ(12 + n * (24 + 255), len);
	ASSERT_EQ(0, p2p_dec_readdir_reply(b, len, &r));
	ASSERT_EQ(n, r.count);
	ASSERT_FALSE(r.end);
	free(b);
}

TEST(list_reply)
{
	struct p2p_export_ent e[2] = {
		{ P2P_ACCESS_RO, S("docs") },
		{ P2P_ACCESS_RW, S("up-load_1.x") },
	};
	static const uint8_t want[] = { 0, 2, 1, 0, 1, 4, 'd', 'o', 'c',
					's' };
	struct p2p_list_builder lb;
	struct p2p_list_reply r;
	struct p2p_export_ent d;
	uint8_t b[BUFSZ];
	int i, len;

	p2p_list_reply_init(&lb, b, sizeof(b));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, p2p_list_reply_add(&lb, &e[i]));
	len = p2p_list_reply_finish(&lb, true);
	ASSERT_EQ(4 + 2 + 4 + 2 + 11, len);
	ASSERT_EQ(0, memcmp(want, b, sizeof(want)));
	ASSERT_EQ(0, p2p_dec_list_reply(b, len, &r));
	ASSERT_EQ(2, r.count);
	ASSERT_EQ(P2P_LS_TRUNCATED, r.flags);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, p2p_next_export(&r.entries, &d));
		ASSERT_EQ(e[i].access, d.access);
		ASSERT_TRUE(str_eq(d.name, e[i].name.s));
	}
	truncations(_metadata, dec_list_reply, b, len);
	b[2] = 2;			/* unknown flag */
	ASSERT_EQ(-EINVAL, p2p_dec_list_reply(b, len, &r));
	b[2] = 0;
	b[3] = 1;			/* reserved */
	ASSERT_EQ(-EINVAL, p2p_dec_list_reply(b, len, &r));
	b[3] = 0;
	b[4] = 3;			/* access beyond RW */
	ASSERT_EQ(-EINVAL, p2p_dec_list_reply(b, len, &r));
	b[4] = 0;
	ASSERT_EQ(-EINVAL, p2p_dec_list_reply(b, len, &r));
	e[0].access = 0;
	ASSERT_EQ(-EINVAL, p2p_list_reply_add(&lb, &e[0]));
	/* empty list */
	p2p_list_reply_init(&lb, b, sizeof(b));
	ASSERT_EQ(4, p2p_list_reply_finish(&lb, false));
	ASSERT_EQ(0, p2p_dec_list_reply(b, 4, &r));
	ASSERT_EQ(0, r.count);
}

/* Names */

static int hello_with_name(const char *name, size_t len)
{
	struct p2p_hello h;
	uint8_t b[BUFSZ];

	memcpy(b, "\0\1\0\1", 4);
	b[4] = len;
	memcpy(b + 5, name, len);
	return p2p_dec_hello(b, 5 + len, &h);
}

TEST(names)
{
	static const char *good[] = { "a", "Z", "0", "alice", "A-z_0.9",
				      "...", ".a", "a.", "-", "_" };
	static const char *bad[] = { ".", "..", "a b", "a/b", "\xc3\xa9",
				     "a\tb", "a:b", "a@b", "~" };
	char n[P2P_NAME_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ASSERT_TRUE(p2p_name_valid(good[i], strlen(good[i])));
		ASSERT_EQ(0, hello_with_name(good[i], strlen(good[i])));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_FALSE(p2p_name_valid(bad[i], strlen(bad[i])));
		ASSERT_EQ(-EINVAL, hello_with_name(bad[i], strlen(bad[i]))) {
			TH_LOG("name \"%s\"", bad[i]);
		}
	}
	ASSERT_EQ(-EINVAL, hello_with_name("", 0));
	ASSERT_EQ(-EINVAL, hello_with_name("a\0b", 3));
	memset(n, 'n', sizeof(n));
	ASSERT_EQ(0, hello_with_name(n, P2P_NAME_MAX));
	ASSERT_EQ(-EINVAL, hello_with_name(n, P2P_NAME_MAX + 1));
}

/* Paths */

/* A STAT request naming path (len bytes) in export "e". */
static int stat_path(const char *path, size_t len)
{
	static uint8_t b[2 + 2 + 70000];

	memcpy(b, "\1e", 2);
	b[2] = len >> 8;
	b[3] = len & 0xff;
	memcpy(b + 4, path, len);
	return dec_exact(dec_stat_req, b, 4 + len);
}

static int enc_path(const char *path, size_t len)
{
	static uint8_t b[2 + 2 + 70000];
	struct p2p_stat_req r = { S("e"), { path, len } };

	return p2p_enc_stat_req(b, sizeof(b), &r);
}

struct path_case {
	const char *path;
	int err;
};

TEST(paths)
{
	static const struct path_case cases[] = {
		{ "", 0 },
		{ "a", 0 },
		{ "a/b/c", 0 },
		{ "...", 0 },
		{ ".a/..b/c..", 0 },
		{ "a b/\xc3\xa9", 0 },
		{ "..", -EINVAL },
		{ ".", -EINVAL },
		{ "a/../b", -EINVAL },
		{ "a/./b", -EINVAL },
		{ "./a", -EINVAL },
		{ "a/..", -EINVAL },
		{ "/abs", -EINVAL },
		{ "/", -EINVAL },
		{ "a//b", -EINVAL },
		{ "a/", -EINVAL },
		{ "//", -EINVAL },
	};
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = strlen(cases[i].path);
		ASSERT_EQ(cases[i].err, stat_path(cases[i].path, len)) {
			TH_LOG("path \"%s\"", cases[i].path);
		}
		ASSERT_EQ(cases[i].err, p2p_path_check(cases[i].path, len));
		if (cases[i].err)
			ASSERT_EQ(cases[i].err, enc_path(cases[i].path, len));
	}
	ASSERT_EQ(-EINVAL, stat_path("a\0b", 3));
	ASSERT_EQ(-EINVAL, stat_path("\0", 1));
	ASSERT_EQ(-EINVAL, enc_path("a\0b", 3));
}

/* Upload names no request may reach, in either server. */
TEST(reserved_names)
{
	static const char *const reserved[] = {
		".p2p-0.part", ".p2p-1f.part", ".p2p-ABCdef0123456789.part",
	};
	static const char *const plain[] = {
		".p2p-.part", ".p2p-g.part", ".p2p-0.parts", "p2p-0.part",
		".p2p-00000000000000000.part", ".p2p-0.pa", ".P2P-0.part",
	};
	size_t i;

	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		ASSERT_TRUE(p2p_name_reserved(reserved[i], strlen(reserved[i])));
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		ASSERT_FALSE(p2p_name_reserved(plain[i], strlen(plain[i])));
	EXPECT_TRUE(p2p_path_reserved("a/.p2p-7.part/b", 15));
	EXPECT_TRUE(p2p_path_reserved("a/.p2p-7.part", 13));
	EXPECT_FALSE(p2p_path_reserved("a/.p2p-7.part", 12));
	EXPECT_FALSE(p2p_path_reserved("", 0));
	EXPECT_EQ(P2P_FTYPE_REG, p2p_ftype_of(S_IFREG | 0644));
	EXPECT_EQ(P2P_FTYPE_DIR, p2p_ftype_of(S_IFDIR | 0755));
	EXPECT_EQ(P2P_FTYPE_SYMLINK, p2p_ftype_of(S_IFLNK | 0777));
	EXPECT_EQ(P2P_FTYPE_OTHER, p2p_ftype_of(S_IFIFO | 0600));
}

TEST(path_lengths)
{
	static char p[P2P_PATH_MAX + 300];
	size_t i;

	/* One component of 255 bytes is fine, 256 is too long. */
	memset(p, 'c', sizeof(p));
	ASSERT_EQ(0, stat_path(p, 255));
	ASSERT_EQ(-ENAMETOOLONG, stat_path(p, 256));
	ASSERT_EQ(-ENAMETOOLONG, enc_path(p, 256));
	memcpy(p, "a/", 2);
	ASSERT_EQ(-ENAMETOOLONG, stat_path(p, 2 + 256));
	ASSERT_EQ(0, stat_path(p, 2 + 255));
	/* 4096 bytes of short components, then one byte more. */
	for (i = 0; i < sizeof(p); i++)
		p[i] = i % 2 ? '/' : 'x';
	p[P2P_PATH_MAX - 1] = 'x';
	ASSERT_EQ(0, stat_path(p, P2P_PATH_MAX));
	p[P2P_PATH_MAX] = 'x';
	ASSERT_EQ(-ENAMETOOLONG, stat_path(p, P2P_PATH_MAX + 1));
	ASSERT_EQ(-ENAMETOOLONG, enc_path(p, P2P_PATH_MAX + 1));
	/* Length is checked before content. */
	p[10] = '\0';
	ASSERT_EQ(-ENAMETOOLONG, stat_path(p, P2P_PATH_MAX + 1));
	ASSERT_EQ(-EINVAL, stat_path(p, P2P_PATH_MAX));
	/* NUL is checked before components. */
	memset(p, 'c', 300);
	p[299] = '\0';
	ASSERT_EQ(-EINVAL, stat_path(p, 300));
}

/* Length fields that claim more than the body holds. */
TEST(oversize_lengths)
{
	static const uint8_t path_ffff[] = { 1, 'e', 0xff, 0xff, 'a' };
	static const uint8_t name_ff[] = { 0, 1, 0, 1, 0xff, 'a' };
	static const uint8_t err_ffff[] = { 0, 0, 0, 5, 0xff, 0xff, 'x' };
	struct p2p_stat_req s;
	struct p2p_hello h;
	struct p2p_error e;

	ASSERT_EQ(-EINVAL, p2p_dec_stat_req(path_ffff, sizeof(path_ffff),
					    &s));
	ASSERT_EQ(-EINVAL, p2p_dec_hello(name_ff, sizeof(name_ff), &h));
	ASSERT_EQ(-EINVAL, p2p_dec_error(err_ffff, sizeof(err_ffff), &e));
}

/* Encoders report a short buffer, never write past it. */
TEST(encode_short_buffer)
{
	struct p2p_put_req in = { S("export"), S("some/path"), 1, 0600 };
	uint8_t b[64];
	int len, i;

	len = p2p_enc_put_req(b, sizeof(b), &in);
	ASSERT_GT(len, 0);
	for (i = 0; i < len; i++) {
		memset(b, 0xee, sizeof(b));
		ASSERT_EQ(-EMSGSIZE, p2p_enc_put_req(b, i, &in));
		ASSERT_EQ(0xee, b[i]);
	}
}

TEST(prologue)
{
	struct p2p_hello h = { 2, 3, S("bob") };
	uint8_t ch[32], b[P2P_MAX_PROLOGUE];
	int len;

	memset(ch, 0xcc, sizeof(ch));
	len = p2p_prologue(b, sizeof(b), &h, 2, ch);
	ASSERT_EQ(10 + 1 + 6 + 1 + 3 + 32, len);
	ASSERT_EQ(0, memcmp("p2pshare/2\0\0\2\0\3\0\2\3bob", b, 21));
	ASSERT_EQ(0xcc, b[21]);
	ASSERT_EQ(0xcc, b[len - 1]);
	ASSERT_EQ(-EMSGSIZE, p2p_prologue(b, len - 1, &h, 2, ch));
	h.user = S("a b");
	ASSERT_EQ(-EINVAL, p2p_prologue(b, sizeof(b), &h, 2, ch));
}

/* Client streams against a scripted server */

struct script {
	int fd;
	void (*run)(struct script *s);
	int ret;
	uint64_t got;
	bool aborted;
};

static void *script_main(void *arg)
{
	struct script *s = arg;

	s->run(s);
	return NULL;
}

static int script_start(struct script *s, pthread_t *t, int *cfd,
			struct p2p_session *sess)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	memset(sess, 0, sizeof(*sess));
	sess->fd = *cfd = sv[0];
	s->fd = sv[1];
	return pthread_create(t, NULL, script_main, s);
}

static void script_end(struct script *s, pthread_t t, int cfd)
{
	shutdown(cfd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(cfd);
	close(s->fd);
}

/* READ of 3 MiB + 5 in frames of 1 MiB, 1 MiB, 1 MiB, 5. */
static void serve_read(struct script *s)
{
	struct p2p_read_reply rr = { 3 * P2P_MAX_DATA_CHUNK + 5,
				     3 * P2P_MAX_DATA_CHUNK + 5, 1, 2 };
	static uint8_t data[P2P_MAX_DATA_CHUNK];
	uint8_t b[BUFSZ];
	struct p2p_frame f;
	int len, i;

	s->ret = p2p_recv_frame(s->fd, false, &f, b, sizeof(b));
	if (s->ret || f.op != P2P_OP_READ)
		return;
	len = p2p_enc_read_reply(b, sizeof(b), &rr);
	p2p_send_frame(s->fd, P2P_OP_READ_REPLY, 0, f.tag, b, len);
	for (i = 0; i < 3; i++) {
		memset(data, 'a' + i, sizeof(data));
		p2p_send_frame(s->fd, P2P_OP_READ_DATA, P2P_F_MORE, f.tag,
			       data, sizeof(data));
	}
	p2p_send_frame(s->fd, P2P_OP_READ_DATA, 0, f.tag, "tail!", 5);
}

TEST(client_read_stream)
{
	struct script s = { .run = serve_read };
	struct p2p_session sess;
	struct p2p_read_reply rr;
	static uint8_t buf[300000];
	uint64_t total = 0, sum = 0;
	pthread_t t;
	ssize_t n;
	int cfd;

	ASSERT_EQ(0, script_start(&s, &t, &cfd, &sess));
	ASSERT_EQ(0, p2p_read_begin(&sess, "e", "f", 0, P2P_READ_TO_EOF,
				    &rr));
	ASSERT_EQ(3U * P2P_MAX_DATA_CHUNK + 5, rr.total);
	while ((n = p2p_read_data(&sess, buf, sizeof(buf))) > 0) {
		ssize_t i;

		for (i = 0; i < n; i++)
			sum += buf[i];
		total += n;
	}
	ASSERT_EQ(0, n);
	ASSERT_EQ(rr.total, total);
	ASSERT_EQ((uint64_t)P2P_MAX_DATA_CHUNK * ('a' + 'b' + 'c') +
		  't' + 'a' + 'i' + 'l' + '!', sum);
	ASSERT_EQ(0, p2p_read_data(&sess, buf, sizeof(buf)));
	script_end(&s, t, cfd);
}

/* A server that sends more than it announced breaks the protocol. */
static void serve_read_overlong(struct script *s)
{
	struct p2p_read_reply rr = { 4, 4, 0, 0 };
	uint8_t b[BUFSZ];
	struct p2p_frame f;
	int len;

	s->ret = p2p_recv_frame(s->fd, false, &f, b, sizeof(b));
	len = p2p_enc_read_reply(b, sizeof(b), &rr);
	p2p_send_frame(s->fd, P2P_OP_READ_REPLY, 0, f.tag, b, len);
	p2p_send_frame(s->fd, P2P_OP_READ_DATA, 0, f.tag, "12345", 5);
}

TEST(client_read_overlong)
{
	struct script s = { .run = serve_read_overlong };
	struct p2p_session sess;
	struct p2p_read_reply rr;
	uint8_t buf[64];
	pthread_t t;
	int cfd;

	ASSERT_EQ(0, script_start(&s, &t, &cfd, &sess));
	ASSERT_EQ(0, p2p_read_begin(&sess, "e", "f", 0, 4, &rr));
	ASSERT_EQ(-EPROTO, p2p_read_data(&sess, buf, sizeof(buf)));
	script_end(&s, t, cfd);
}

/* The server closes mid-transfer (the file shrank). */
static void serve_read_cut(struct script *s)
{
	struct p2p_read_reply rr = { 10, 10, 0, 0 };
	uint8_t b[BUFSZ];
	struct p2p_frame f;
	int len;

	s->ret = p2p_recv_frame(s->fd, false, &f, b, sizeof(b));
	len = p2p_enc_read_reply(b, sizeof(b), &rr);
	p2p_send_frame(s->fd, P2P_OP_READ_REPLY, 0, f.tag, b, len);
	p2p_send_frame(s->fd, P2P_OP_READ_DATA, P2P_F_MORE, f.tag, "12345",
		       5);
	shutdown(s->fd, SHUT_WR);
}

TEST(client_read_cut)
{
	struct script s = { .run = serve_read_cut };
	struct p2p_session sess;
	struct p2p_read_reply rr;
	uint8_t buf[64];
	pthread_t t;
	int cfd;

	ASSERT_EQ(0, script_start(&s, &t, &cfd, &sess));
	ASSERT_EQ(0, p2p_read_begin(&sess, "e", "f", 0, 10, &rr));
	ASSERT_EQ(5, p2p_read_data(&sess, buf, sizeof(buf)));
	ASSERT_EQ(-ESHUTDOWN, p2p_read_data(&sess, buf, sizeof(buf)));
	script_end(&s, t, cfd);
}

/* ERROR to STAT, with the message kept for the user. */
static void serve_enoent(struct script *s)
{
	uint8_t b[BUFSZ];
	struct p2p_frame f;

	s->ret = p2p_recv_frame(s->fd, false, &f, b, sizeof(b));
	p2p_send_error(s->fd, f.tag, ENOENT, "no such file\n\x1b[31m");
}

TEST(client_error_reply)
{
	struct script s = { .run = serve_enoent };
	struct p2p_session sess;
	struct p2p_fattr a;
	pthread_t t;
	int cfd;

	ASSERT_EQ(0, script_start(&s, &t, &cfd, &sess));
	ASSERT_EQ(-EREMOTEIO, p2p_stat(&sess, "e", "missing", &a));
	ASSERT_EQ((uint32_t)ENOENT, sess.err.code);
	ASSERT_STREQ("no such file??[31m", sess.err.msg);
	script_end(&s, t, cfd);
}

/* PUT: accept the begin, count the data, answer OK at the last frame. */
static void serve_put(struct script *s)
{
	static uint8_t b[P2P_MAX_DATA_CHUNK];
	struct p2p_put_req req;
	struct p2p_frame f;
	uint32_t tag;

	s->ret = p2p_recv_frame(s->fd, false, &f, b, sizeof(b));
	if (s->ret || p2p_dec_put_req(b, f.len, &req))
		return;
	tag = f.tag;
	p2p_send_frame(s->fd, P2P_OP_OK, 0, tag, NULL, 0);
	do {
		s->ret = p2p_recv_frame(s->fd, false, &f, b, sizeof(b));
		if (s->ret || f.op != P2P_OP_PUT_DATA || f.tag != tag)
			return;
		s->got += f.len;
	} while (f.flags & P2P_F_MORE);
	s->aborted = s->got != req.size;
	if (s->aborted)
		p2p_send_error(s->fd, tag, EINVAL, "upload incomplete");
	else
		p2p_send_frame(s->fd, P2P_OP_OK, 0, tag, NULL, 0);
}

TEST(client_put)
{
	struct script s = { .run = serve_put };
	struct p2p_session sess;
	static uint8_t data[2 * P2P_MAX_DATA_CHUNK + 3];
	pthread_t t;
	int cfd;

	ASSERT_EQ(0, script_start(&s, &t, &cfd, &sess));
	ASSERT_EQ(0, p2p_put_begin(&sess, "e", "f", sizeof(data), 0644));
	ASSERT_EQ(0, p2p_put_data(&sess, data, 10));
	ASSERT_EQ(0, p2p_put_data(&sess, data, sizeof(data) - 10));
	ASSERT_EQ(-EINVAL, p2p_put_data(&sess, data, 1));
	ASSERT_EQ(0, p2p_put_end(&sess));
	script_end(&s, t, cfd);
	ASSERT_EQ(sizeof(data), s.got);
	ASSERT_FALSE(s.aborted);
}

TEST(client_put_empty_and_abort)
{
	struct script s = { .run = serve_put };
	struct p2p_session sess;
	pthread_t t;
	int cfd;

	ASSERT_EQ(0, script_start(&s, &t, &cfd, &sess));
	ASSERT_EQ(0, p2p_put_begin(&sess, "e", "f", 0, 0600));
	ASSERT_EQ(0, p2p_put_end(&sess));
	script_end(&s, t, cfd);
	ASSERT_EQ(0U, s.got);
	ASSERT_FALSE(s.aborted);

	ASSERT_EQ(0, script_start(&s, &t, &cfd, &sess));
	ASSERT_EQ(0, p2p_put_begin(&sess, "e", "f", 100, 0600));
	ASSERT_EQ(0, p2p_put_data(&sess, "abc", 3));
	ASSERT_EQ(-EREMOTEIO, p2p_put_end(&sess));
	ASSERT_EQ((uint32_t)EINVAL, sess.err.code);
	script_end(&s, t, cfd);
	ASSERT_EQ(3U, s.got);
	ASSERT_TRUE(s.aborted);
}

/* The server fails mid-upload (ENOSPC): ERROR at once, then it closes. */
static void serve_put_enospc(struct script *s)
{
	static uint8_t b[P2P_MAX_DATA_CHUNK];
	struct p2p_frame f;
	uint32_t tag;

	s->ret = p2p_recv_frame(s->fd, false, &f, b, sizeof(b));
	tag = f.tag;
	p2p_send_frame(s->fd, P2P_OP_OK, 0, tag, NULL, 0);
	s->ret = p2p_recv_frame(s->fd, false, &f, b, sizeof(b));
	p2p_send_error(s->fd, tag, ENOSPC, "no space left on device");
	shutdown(s->fd, SHUT_RDWR);
	s->aborted = true;
}

TEST(client_put_early_error)
{
	struct script s = { .run = serve_put_enospc };
	struct p2p_session sess;
	static uint8_t data[P2P_MAX_DATA_CHUNK];
	int i, ret = 0;
	pthread_t t;
	int cfd;

	ASSERT_EQ(0, script_start(&s, &t, &cfd, &sess));
	ASSERT_EQ(0, p2p_put_begin(&sess, "e", "f", 64ULL << 20, 0600));
	for (i = 0; i < 64 && !ret; i++) {
		ret = p2p_put_data(&sess, data, sizeof(data));
		if (!ret)
			usleep(1000);
	}
	ASSERT_EQ(-EREMOTEIO, ret);
	ASSERT_LT(i, 64);
	ASSERT_EQ((uint32_t)ENOSPC, sess.err.code);
	ASSERT_EQ(-EINVAL, p2p_put_end(&sess));
	script_end(&s, t, cfd);
	ASSERT_EQ(0, s.ret);
	ASSERT_TRUE(s.aborted);
}

/* Partial files (PROTOCOL.md 7.7): the mark's bytes and what it covers. */
TEST(partial_mark)
{
	static uint8_t v[P2P_PARTIAL_MAX];
	uint8_t root[P2P_HASH_LEN];
	const uint64_t M = P2P_HASH_BLOCK, size = 3 * M + M / 2;
	static const uint8_t head[24] = {
		'p', '2', 'p', 'p', 'a', 'r', 't', '1',
		0, 0, 0, 0, 0, 0x38, 0, 0,		/* 3.5 MiB */
		0, 0x10, 0, 0,  0, 0, 0, 4,		/* 1 MiB, 4 blocks */
	};
	int len;

	memset(root, 0xab, sizeof(root));
	ASSERT_EQ((size_t)56, p2p_partial_len(0));
	ASSERT_EQ((size_t)57, p2p_partial_len(size));
	ASSERT_EQ((size_t)57, p2p_partial_len(8 * M));
	ASSERT_EQ((size_t)58, p2p_partial_len(8 * M + 1));
	ASSERT_EQ((size_t)P2P_PARTIAL_MAX, p2p_partial_len((uint64_t)(P2P_PARTIAL_MAX - 56) * 8 * M));
	ASSERT_EQ((size_t)0, p2p_partial_len((uint64_t)(P2P_PARTIAL_MAX - 56) * 8 * M + 1));
	ASSERT_EQ(-EMSGSIZE, p2p_partial_encode(v, 56, size, root));
	len = p2p_partial_encode(v, sizeof(v), size, root);
	ASSERT_EQ(57, len);
	ASSERT_EQ(0, memcmp(v, head, sizeof(head)));
	ASSERT_EQ(0, memcmp(v + 24, root, sizeof(root)));
	ASSERT_EQ(0, v[56]);

	/* Blocks 0 and 2: bits 0x01 and 0x04 of the first bitmap byte. */
	p2p_partial_set(v, 0);
	p2p_partial_set(v, 2);
	ASSERT_EQ(0x05, v[56]);
	ASSERT_TRUE(p2p_partial_has(v, 2));
	ASSERT_FALSE(p2p_partial_has(v, 1));
	ASSERT_TRUE(p2p_partial_covers(v, len, size, 0, M));
	ASSERT_TRUE(p2p_partial_covers(v, len, size, 2 * M + 5, 1000));
	ASSERT_FALSE(p2p_partial_covers(v, len, size, M, 1));
	ASSERT_FALSE(p2p_partial_covers(v, len, size, M - 10, 20));
	ASSERT_FALSE(p2p_partial_covers(v, len, size, 3 * M, M / 2));
	/* Past the end is nothing to cover, but no empty range is refused. */
	ASSERT_FALSE(p2p_partial_covers(v, len, size, 0, size + 1));
	ASSERT_FALSE(p2p_partial_covers(v, len, size, size, 1));
	ASSERT_TRUE(p2p_partial_covers(v, len, size, size, 0));
	ASSERT_TRUE(p2p_partial_covers(NULL, 0, size, 0, 0));

	/* Malformed, cut, longer or for another size: covers nothing. */
	ASSERT_FALSE(p2p_partial_covers(v, len, size + 1, 0, M));
	ASSERT_FALSE(p2p_partial_covers(v, len - 1, size, 0, M));
	ASSERT_FALSE(p2p_partial_covers(v, len + 1, size, 0, M));
	ASSERT_FALSE(p2p_partial_covers(NULL, 0, size, 0, M));
	v[0] = 'P';
	ASSERT_FALSE(p2p_partial_covers(v, len, size, 0, M));
	v[0] = 'p';
	v[17] = 0x08;			/* block_size 512 KiB */
	ASSERT_FALSE(p2p_partial_covers(v, len, size, 0, M));
	v[17] = 0x10;
	v[23] = 5;			/* blocks */
	ASSERT_FALSE(p2p_partial_covers(v, len, size, 0, M));
	v[23] = 4;
	ASSERT_TRUE(p2p_partial_covers(v, len, size, 0, M));

	/* Every block set: the whole file, the last block's rest included. */
	p2p_partial_set(v, 1);
	p2p_partial_set(v, 3);
	ASSERT_EQ(0x0f, v[56]);
	ASSERT_TRUE(p2p_partial_covers(v, len, size, 0, size));

	/* Block 9 is 0x02 of the second bitmap byte. */
	len = p2p_partial_encode(v, sizeof(v), 10 * M, root);
	ASSERT_EQ(58, len);
	p2p_partial_set(v, 9);
	ASSERT_EQ(0, v[56]);
	ASSERT_EQ(0x02, v[57]);
	ASSERT_TRUE(p2p_partial_covers(v, len, 10 * M, 9 * M, M));
	ASSERT_FALSE(p2p_partial_covers(v, len, 10 * M, 8 * M, M + 1));

	/* An empty file: a head and no bitmap, nothing to read. */
	len = p2p_partial_encode(v, sizeof(v), 0, root);
	ASSERT_EQ(56, len);
	ASSERT_TRUE(p2p_partial_covers(v, len, 0, 0, 0));
}

/* BLOCKS_REPLY (PROTOCOL.md 7.8): byte-exact, and every malformed kind refused. */
TEST(blocks_reply)
{
	static uint8_t v[P2P_PARTIAL_MAX];
	const uint64_t M = P2P_HASH_BLOCK;
	static const uint8_t want[19] = {
		0, 0, 0, 0, 0, 0xa0, 0, 1,	/* 10 MiB + 1 */
		0, 0x10, 0, 0,			/* 1 MiB */
		0, 0, 0, 11,			/* 11 blocks */
		0,				/* partial */
		0x85, 0x04,			/* blocks 0, 2, 7, 10 */
	};
	uint8_t map[2] = { 0x85, 0x04 }, buf[64], root[P2P_HASH_LEN] = { 0 };
	struct p2p_blocks_reply m = { .size = 10 * M + 1, .blocks = 11, .map = map };
	struct p2p_blocks_reply d;
	int len;

	len = p2p_enc_blocks_reply(buf, sizeof(buf), &m);
	ASSERT_EQ(19, len);
	ASSERT_EQ(0, memcmp(buf, want, sizeof(want)));
	ASSERT_EQ(0, p2p_dec_blocks_reply(buf, len, &d));
	ASSERT_EQ(m.size, d.size);
	ASSERT_EQ(11U, d.blocks);
	ASSERT_EQ(0, d.flags);
	ASSERT_EQ(0, memcmp(d.map, map, 2));

	/* Complete: the head alone. */
	m.flags = P2P_BLOCKS_COMPLETE;
	ASSERT_EQ(17, p2p_enc_blocks_reply(buf, sizeof(buf), &m));
	ASSERT_EQ(1, buf[16]);
	ASSERT_EQ(0, p2p_dec_blocks_reply(buf, 17, &d));
	ASSERT_EQ(P2P_BLOCKS_COMPLETE, d.flags);
	ASSERT_EQ(-EINVAL, p2p_dec_blocks_reply(buf, 18, &d));
	/* An empty file: no block, no bitmap byte either way. */
	m.size = 0;
	m.blocks = 0;
	m.flags = 0;
	ASSERT_EQ(17, p2p_enc_blocks_reply(buf, sizeof(buf), &m));
	ASSERT_EQ(0, p2p_dec_blocks_reply(buf, 17, &d));

	/* Refused: a bit past the last block, a cut or long bitmap, another
	 * block size or count, an unknown flag. */
	memcpy(buf, want, sizeof(want));
	ASSERT_EQ(0, p2p_dec_blocks_reply(buf, 19, &d));
	ASSERT_EQ(-EINVAL, p2p_dec_blocks_reply(buf, 18, &d));
	ASSERT_EQ(-EINVAL, p2p_dec_blocks_reply(buf, 20, &d));
	buf[18] = 0x08;			/* block 11 of 11 */
	ASSERT_EQ(-EINVAL, p2p_dec_blocks_reply(buf, 19, &d));
	buf[18] = 0x04;
	buf[9] = 0x08;			/* 512 KiB blocks */
	ASSERT_EQ(-EINVAL, p2p_dec_blocks_reply(buf, 19, &d));
	buf[9] = 0x10;
	buf[15] = 12;
	ASSERT_EQ(-EINVAL, p2p_dec_blocks_reply(buf, 19, &d));
	buf[15] = 11;
	buf[16] = 2;
	ASSERT_EQ(-EINVAL, p2p_dec_blocks_reply(buf, 19, &d));
	buf[16] = 0;
	ASSERT_EQ(0, p2p_dec_blocks_reply(buf, 19, &d));
	m = (struct p2p_blocks_reply){ .size = 10 * M + 1, .blocks = 11, .map = map };
	map[1] = 0x08;
	ASSERT_EQ(-EINVAL, p2p_enc_blocks_reply(buf, sizeof(buf), &m));
	map[1] = 0x04;
	m.blocks = 10;
	ASSERT_EQ(-EINVAL, p2p_enc_blocks_reply(buf, sizeof(buf), &m));

	/* From a mark: its bitmap if well formed for the size, else none. */
	len = p2p_partial_encode(v, sizeof(v), 10 * M + 1, root);
	p2p_partial_set(v, 2);
	p2p_partial_set(v, 10);
	ASSERT_EQ(0, p2p_partial_blocks(v, len, 10 * M + 1, &d));
	ASSERT_EQ(11U, d.blocks);
	ASSERT_EQ(0, d.flags);
	ASSERT_EQ(0x04, d.map[0]);
	ASSERT_EQ(0x04, d.map[1]);
	ASSERT_EQ(0, p2p_partial_blocks(v, len, 10 * M, &d));
	ASSERT_EQ(NULL, d.map);
	ASSERT_EQ(10U, d.blocks);
	ASSERT_EQ(0, p2p_partial_blocks(NULL, 0, 10 * M + 1, &d));
	ASSERT_EQ(NULL, d.map);
	ASSERT_EQ(0, p2p_enc_blocks_reply(buf, sizeof(buf), &d) - 19);
	ASSERT_EQ(0, buf[17] | buf[18]);
	ASSERT_EQ(-EFBIG, p2p_partial_blocks(NULL, 0,
		(uint64_t)(P2P_PARTIAL_MAX - 56) * 8 * M + 1, &d));
}

TEST_HARNESS_MAIN
