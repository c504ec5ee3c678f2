// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer tests of the frame codec (wire.c) as the module builds it,
 * with P2P_SELFTEST=1 only: the frames of PROTOCOL.md section 11 and the
 * layouts of its sections 3 to 8 encode to their bytes and decode back,
 * and malformed ones are refused with the errno the protocol names.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../wire.h"
#include "check.h"

#define BUF_LEN		(P2P_PATH_MAX + 64)

/* PROTOCOL.md section 11. */
#define DOCS		"04646f6373"	/* export name "docs" */
#define HOST_PUB	"5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b"
#define CHALLENGE	"8182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0"
#define HELLO		"0002000205616c696365"
#define READ_REQ	"04646f6373000968656c6c6f2e747874" \
			"0000000000000000ffffffffffffffff"
#define READ_REPLY	"00000000000000060000000000000006000000006553f10000000000"
#define STAT_REQ	"04646f637300046e6f7065"
#define LIST_REPLY	"000100000104646f6373"
#define ERROR_ENOENT	"000000020019" \
			"6e6f20737563682066696c65206f72206469726563746f7279"
/* Sections 7.2, 7.3 and 7.5: the same file's attributes, a listing of it. */
#define ATTR		"010001a4000000010000000000000006000000006553f10000000000"
#define DIRENT		"010501a4000000000000000000000006000000006553f100" \
			"68656c6c6f"
#define READDIR_REPLY	"000000000000000100010100" DIRENT
#define READDIR_REQ	DOCS "0000000000000000000700000020"
#define PUT_REQ		DOCS "0001610000000000000006000001a4"
/* p2pshare_v2.txt */
#define PROLOGUE	"70327073686172652f32000002000200020561" \
			"6c6963658182838485868788898a8b8c8d8e8f90" \
			"9192939495969798999a9b9c9d9e9fa0"

struct hdr_case {
	const char *name;
	const char *hex;
	bool from_server;
	int want;
};

static const struct hdr_case hdr_cases[] __initconst = {
	{ "HELLO", "0000000a0100000000000001", false, 0 },
	{ "HELLO_REPLY", "000000428100000000000001", true, 0 },
	{ "ERROR with tag 0", "0000001ff100000000000000", true, 0 },
	{ "unknown request op", "000000007f00000000000001", false, 0 },
	{ "MORE on PUT_DATA", "000000010801000000000004", false, 0 },
	{ "MORE on READ_DATA", "000000018801000000000004", true, 0 },
	{ "reserved field set", "0000000a0100000100000001", false, -EPROTO },
	{ "unknown flag", "0000000a0102000000000001", false, -EPROTO },
	{ "MORE on READ", "000000200601000000000004", false, -EPROTO },
	{ "op 0", "000000000000000000000001", false, -EPROTO },
	{ "reply op from the client", "000000008300000000000003", false, -EPROTO },
	{ "request op from the server", "000000000300000000000003", true, -EPROTO },
	{ "tag 0 from the client", "000000000300000000000000", false, -EPROTO },
	{ "body at the limit", "000101000400000000000001", false, 0 },
	{ "body over the limit", "000101010400000000000001", false, -EMSGSIZE },
	{ "PUT_DATA of 1 MiB", "001000000800000000000001", false, 0 },
	{ "PUT_DATA over 1 MiB", "001000010800000000000001", false, -EMSGSIZE },
	{ "READ_DATA over 1 MiB", "001000018800000000000001", true, -EMSGSIZE },
};

static void __init hdr_selftest(struct p2p_st *st, u8 *buf)
{
	struct p2p_frame f, hello = { .len = 10, .op = P2P_OP_HELLO, .tag = 1 };
	u8 enc[P2P_HDR_LEN];
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(hdr_cases); i++) {
		p2p_st_hex(buf, P2P_HDR_LEN, hdr_cases[i].hex);
		ret = p2p_hdr_decode(buf, hdr_cases[i].from_server, &f);
		if (!p2p_st_err(st, ret, hdr_cases[i].want, "wire: header: %s",
				hdr_cases[i].name) || ret)
			continue;
		p2p_hdr_encode(enc, &f);
		p2p_st_mem(st, enc, hdr_cases[i].hex, P2P_HDR_LEN,
			   "wire: header: %s encoded back", hdr_cases[i].name);
	}
	p2p_st_hex(buf, P2P_HDR_LEN, hdr_cases[0].hex);
	p2p_hdr_decode(buf, false, &f);
	p2p_st_ok(st, f.len == 10 && f.op == P2P_OP_HELLO && !f.flags &&
		  f.tag == 1, "wire: header: HELLO fields");
	p2p_hdr_encode(enc, &hello);
	p2p_st_mem(st, enc, hdr_cases[0].hex, P2P_HDR_LEN,
		   "wire: header: HELLO encoded");
}

/* Each decoder with its message on the stack, for one table. */
#define DEC(fn, type)							\
static int __init dec_##fn(const void *buf, size_t len)			\
{									\
	struct type m;							\
									\
	return p2p_dec_##fn(buf, len, &m);				\
}
DEC(hello, p2p_hello)
DEC(hello_reply, p2p_hello_reply)
DEC(error, p2p_error)
DEC(stat_req, p2p_stat_req)
DEC(readdir_req, p2p_readdir_req)
DEC(read_req, p2p_read_req)
DEC(put_req, p2p_put_req)
DEC(attr, p2p_fattr)
DEC(read_reply, p2p_read_reply)
DEC(readdir_reply, p2p_readdir_reply)
DEC(list_reply, p2p_list_reply)
#undef DEC

struct body_case {
	const char *name;
	int (*dec)(const void *buf, size_t len);
	const char *hex;
	int want;
};

static const struct body_case body_cases[] __initconst = {
	{ "HELLO", dec_hello, HELLO, 0 },
	{ "HELLO_REPLY", dec_hello_reply, "0002" HOST_PUB CHALLENGE, 0 },
	{ "LIST_EXPORTS_REPLY", dec_list_reply, LIST_REPLY, 0 },
	{ "READ", dec_read_req, READ_REQ, 0 },
	{ "READ_REPLY", dec_read_reply, READ_REPLY, 0 },
	{ "STAT", dec_stat_req, STAT_REQ, 0 },
	{ "ERROR", dec_error, ERROR_ENOENT, 0 },
	{ "STAT_REPLY", dec_attr, ATTR, 0 },
	{ "READDIR", dec_readdir_req, READDIR_REQ, 0 },
	{ "READDIR_REPLY", dec_readdir_reply, READDIR_REPLY, 0 },
	{ "PUT_BEGIN", dec_put_req, PUT_REQ, 0 },

	{ "HELLO truncated", dec_hello, "00020002", -EINVAL },
	{ "HELLO with a trailing byte", dec_hello, HELLO "00", -EINVAL },
	{ "HELLO version_min 0", dec_hello, "0000000205616c696365", -EINVAL },
	{ "HELLO version_min > version_max", dec_hello,
	  "0003000205616c696365", -EINVAL },
	{ "HELLO empty user", dec_hello, "0002000200", -EINVAL },
	{ "HELLO user ..", dec_hello, "00020002022e2e", -EINVAL },
	{ "HELLO user with a space", dec_hello, "0002000206616c20696365", -EINVAL },
	{ "HELLO_REPLY version 0", dec_hello_reply, "0000" HOST_PUB CHALLENGE,
	  -EINVAL },
	{ "HELLO_REPLY short", dec_hello_reply, "0002" HOST_PUB, -EINVAL },

	{ "STAT of the root", dec_stat_req, DOCS "0000", 0 },
	{ "STAT of ...", dec_stat_req, DOCS "00032e2e2e", 0 },
	{ "STAT of .hidden", dec_stat_req, DOCS "00072e68696464656e", 0 },
	{ "STAT of a/../b", dec_stat_req, DOCS "0006612f2e2e2f62", -EINVAL },
	{ "STAT of /abs", dec_stat_req, DOCS "00042f616273", -EINVAL },
	{ "STAT of a//b", dec_stat_req, DOCS "0004612f2f62", -EINVAL },
	{ "STAT of a/", dec_stat_req, DOCS "0002612f", -EINVAL },
	{ "STAT of ./a", dec_stat_req, DOCS "00032e2f61", -EINVAL },
	{ "STAT of a path with NUL", dec_stat_req, DOCS "0003610062", -EINVAL },
	{ "STAT path past the body", dec_stat_req, DOCS "00096162", -EINVAL },
	{ "STAT export ..", dec_stat_req, "022e2e0000", -EINVAL },
	{ "STAT export with a slash", dec_stat_req, "03612f620000", -EINVAL },

	{ "READDIR without max_entries", dec_readdir_req,
	  DOCS "00000000000000000000", -EINVAL },
	{ "READ at offset 2^63 - 1", dec_read_req,
	  DOCS "0001617fffffffffffffff0000000000000001", 0 },
	{ "READ at offset 2^63", dec_read_req,
	  DOCS "0001618000000000000000ffffffffffffffff", -EINVAL },
	{ "PUT_BEGIN mode 01000", dec_put_req,
	  DOCS "000161000000000000000600000200", -EINVAL },
	{ "PUT_BEGIN size 2^63", dec_put_req,
	  DOCS "0001618000000000000000000001a4", -EFBIG },
	{ "PUT_BEGIN of the root", dec_put_req,
	  DOCS "00000000000000000000000001a4", -EISDIR },

	{ "ERROR without text", dec_error, "000000020000", 0 },
	{ "ERROR errno 0", dec_error, "000000000000", -EINVAL },
	{ "ERROR errno 4096", dec_error, "000010000000", -EINVAL },
	{ "ERROR text with NUL", dec_error, "0000000200026100", -EINVAL },
	{ "ERROR text past the body", dec_error, "0000000200056162", -EINVAL },

	{ "STAT_REPLY type 0", dec_attr,
	  "000001a4000000010000000000000006000000006553f10000000000", -EINVAL },
	{ "STAT_REPLY type 5", dec_attr,
	  "050001a4000000010000000000000006000000006553f10000000000", -EINVAL },
	{ "STAT_REPLY reserved set", dec_attr,
	  "010101a4000000010000000000000006000000006553f10000000000", -EINVAL },
	{ "STAT_REPLY mode 010000", dec_attr,
	  "01001000000000010000000000000006000000006553f10000000000", -EINVAL },
	{ "STAT_REPLY nsec 10^9 - 1", dec_attr,
	  "010001a4000000010000000000000006ffffffffffffffff3b9ac9ff", 0 },
	{ "STAT_REPLY nsec 10^9", dec_attr,
	  "010001a4000000010000000000000006000000006553f1003b9aca00", -EINVAL },
	{ "READ_REPLY total > size", dec_read_reply,
	  "00000000000000070000000000000006000000006553f10000000000", -EINVAL },
	{ "READ_REPLY size 2^63", dec_read_reply,
	  "00000000000000008000000000000000000000006553f10000000000", -EINVAL },

	{ "READDIR_REPLY empty, end", dec_readdir_reply,
	  "000000000000000000000100", 0 },
	{ "READDIR_REPLY empty, not end", dec_readdir_reply,
	  "000000000000000000000000", -EINVAL },
	{ "READDIR_REPLY end 2", dec_readdir_reply,
	  "000000000000000100010200" DIRENT, -EINVAL },
	{ "READDIR_REPLY reserved set", dec_readdir_reply,
	  "000000000000000100010101" DIRENT, -EINVAL },
	{ "READDIR_REPLY count 2, one entry", dec_readdir_reply,
	  "000000000000000100020100" DIRENT, -EINVAL },
	{ "READDIR_REPLY trailing byte", dec_readdir_reply,
	  READDIR_REPLY "00", -EINVAL },
	{ "READDIR_REPLY entry a/b", dec_readdir_reply,
	  "000000000000000100010100010301a4000000000000000000000006000000006553f100612f62", -EINVAL },
	{ "READDIR_REPLY entry ..", dec_readdir_reply,
	  "000000000000000100010100010201a4000000000000000000000006000000006553f1002e2e", -EINVAL },
	{ "LIST_EXPORTS_REPLY flag 0x02", dec_list_reply,
	  "000102000104646f6373", -EINVAL },
	{ "LIST_EXPORTS_REPLY access 3", dec_list_reply,
	  "000100000304646f6373", -EINVAL },
	{ "LIST_EXPORTS_REPLY name a b", dec_list_reply,
	  "000100000103612062", -EINVAL },
};

static void __init body_selftest(struct p2p_st *st, u8 *buf)
{
	int i, len, ret;

	for (i = 0; i < ARRAY_SIZE(body_cases); i++) {
		len = p2p_st_hex(buf, BUF_LEN, body_cases[i].hex);
		if (!p2p_st_ok(st, len >= 0, "wire: %s: hex of the case",
			       body_cases[i].name))
			continue;
		ret = body_cases[i].dec(buf, len);
		p2p_st_err(st, ret, body_cases[i].want, "wire: decode %s",
			   body_cases[i].name);
	}
}

/*
 * Paths too long for a table: PROTOCOL.md section 5's order is length,
 * then NUL, then the components from left to right.
 */
struct path_case {
	const char *name;
	size_t len;		/* a path of that many 'a' */
	size_t slash;		/* and a '/' every 200 from there, if not 0 */
	int want;
};

static void __init path_selftest(struct p2p_st *st, char *p)
{
	static const struct path_case cases[] __initconst = {
		{ "a 255-byte component", 255, 0, 0 },
		{ "a 256-byte component", 256, 0, -ENAMETOOLONG },
		{ "a 4096-byte path", P2P_PATH_MAX, 200, 0 },
		{ "a 4097-byte path", P2P_PATH_MAX + 1, 200, -ENAMETOOLONG },
	};
	size_t j;
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(p, 'a', cases[i].len);
		for (j = cases[i].slash; j && j < cases[i].len; j += 200)
			p[j] = '/';
		ret = p2p_path_check(p, cases[i].len);
		p2p_st_err(st, ret, cases[i].want, "wire: path: %s",
			   cases[i].name);
	}
	p[1] = '\0';
	ret = p2p_path_check(p, P2P_PATH_MAX + 1);
	p2p_st_err(st, ret, -ENAMETOOLONG, "wire: path: length before NUL");
	memset(p, 'a', 300);
	p[1] = '\0';
	p[2] = '/';
	ret = p2p_path_check(p, 300);
	p2p_st_err(st, ret, -EINVAL, "wire: path: NUL before a long component");
	memcpy(p, "../", 3);
	ret = p2p_path_check(p, 300);
	p2p_st_err(st, ret, -EINVAL, "wire: path: .. before a long component");
	memset(p, 'a', 300);
	memcpy(p + 297, "/..", 3);
	ret = p2p_path_check(p, 300);
	p2p_st_err(st, ret, -ENAMETOOLONG,
		   "wire: path: long component before ..");
	memset(p, 'a', P2P_NAME_MAX + 1);
	p2p_st_ok(st, p2p_name_valid(p, P2P_NAME_MAX), "wire: 64-byte name");
	p2p_st_ok(st, !p2p_name_valid(p, P2P_NAME_MAX + 1),
		  "wire: 65-byte name refused");
}

/* RET must be the length of WANT and the bytes at BUF equal it. */
static void __init enc_check(struct p2p_st *st, int ret, const u8 *buf,
			     const char *want, const char *name)
{
	if (p2p_st_err(st, ret, (int)strlen(want) / 2, "wire: encode %s", name))
		p2p_st_mem(st, buf, want, ret, "wire: encode %s: bytes", name);
}

#define STR(x)	((struct p2p_str){ .s = (x), .len = sizeof(x) - 1 })

static void __init enc_requests(struct p2p_st *st, u8 *buf)
{
	struct p2p_hello hello = { 2, 2, STR("alice") };
	struct p2p_stat_req stat = { STR("docs"), STR("nope") };
	struct p2p_read_req read = { STR("docs"), STR("hello.txt"), 0,
				     P2P_READ_TO_EOF };
	struct p2p_readdir_req readdir = { STR("docs"), STR(""), 7, 32 };
	struct p2p_put_req put = { STR("docs"), STR("a"), 6, 0644 };
	u8 challenge[P2P_CHALLENGE_LEN];
	int ret;

	ret = p2p_enc_hello(buf, BUF_LEN, &hello);
	enc_check(st, ret, buf, HELLO, "HELLO");
	ret = p2p_enc_hello(buf, 9, &hello);
	p2p_st_err(st, ret, -EMSGSIZE, "wire: encode HELLO into 9 bytes");
	p2p_st_hex(challenge, sizeof(challenge), CHALLENGE);
	ret = p2p_prologue(buf, BUF_LEN, &hello, 2, challenge);
	enc_check(st, ret, buf, PROLOGUE, "the v2 vector's prologue");
	ret = p2p_enc_stat_req(buf, BUF_LEN, &stat);
	enc_check(st, ret, buf, STAT_REQ, "STAT");
	ret = p2p_enc_read_req(buf, BUF_LEN, &read);
	enc_check(st, ret, buf, READ_REQ, "READ");
	ret = p2p_enc_readdir_req(buf, BUF_LEN, &readdir);
	enc_check(st, ret, buf, READDIR_REQ, "READDIR");
	ret = p2p_enc_put_req(buf, BUF_LEN, &put);
	enc_check(st, ret, buf, PUT_REQ, "PUT_BEGIN");

	hello.version_min = 0;
	ret = p2p_enc_hello(buf, BUF_LEN, &hello);
	p2p_st_err(st, ret, -EINVAL, "wire: encode HELLO version_min 0");
	stat.path = STR("a/../b");
	ret = p2p_enc_stat_req(buf, BUF_LEN, &stat);
	p2p_st_err(st, ret, -EINVAL, "wire: encode STAT of a/../b");
	read.offset = 1ULL << 63;
	ret = p2p_enc_read_req(buf, BUF_LEN, &read);
	p2p_st_err(st, ret, -EINVAL, "wire: encode READ at offset 2^63");
	put.size = 1ULL << 63;
	ret = p2p_enc_put_req(buf, BUF_LEN, &put);
	p2p_st_err(st, ret, -EFBIG, "wire: encode PUT_BEGIN size 2^63");
	put.size = 6;
	put.path = STR("");
	ret = p2p_enc_put_req(buf, BUF_LEN, &put);
	p2p_st_err(st, ret, -EISDIR, "wire: encode PUT_BEGIN of the root");
}

static void __init enc_replies(struct p2p_st *st, u8 *buf)
{
	struct p2p_hello_reply hr = { .version = 2 };
	struct p2p_error err = { ENOENT };
	struct p2p_read_reply rr = { 6, 6, 1700000000, 0 };
	struct p2p_fattr attr = { P2P_FTYPE_REG, 0644, 1, 6, 1700000000, 0 };
	int ret;

	p2p_st_hex(hr.host_key, P2P_KEY_LEN, HOST_PUB);
	p2p_st_hex(hr.challenge, P2P_CHALLENGE_LEN, CHALLENGE);
	ret = p2p_enc_hello_reply(buf, BUF_LEN, &hr);
	enc_check(st, ret, buf, "0002" HOST_PUB CHALLENGE, "HELLO_REPLY");
	err.msg.s = p2p_errno_msg(ENOENT);
	err.msg.len = strlen(err.msg.s);
	ret = p2p_enc_error(buf, BUF_LEN, &err);
	enc_check(st, ret, buf, ERROR_ENOENT, "ERROR ENOENT, default text");
	ret = p2p_enc_read_reply(buf, BUF_LEN, &rr);
	enc_check(st, ret, buf, READ_REPLY, "READ_REPLY");
	ret = p2p_enc_attr(buf, BUF_LEN, &attr);
	enc_check(st, ret, buf, ATTR, "STAT_REPLY");

	err.code = 0;
	ret = p2p_enc_error(buf, BUF_LEN, &err);
	p2p_st_err(st, ret, -EINVAL, "wire: encode ERROR errno 0");
	rr.total = 7;
	ret = p2p_enc_read_reply(buf, BUF_LEN, &rr);
	p2p_st_err(st, ret, -EINVAL, "wire: encode READ_REPLY total > size");
	attr.mtime_nsec = 1000000000;
	ret = p2p_enc_attr(buf, BUF_LEN, &attr);
	p2p_st_err(st, ret, -EINVAL, "wire: encode STAT_REPLY nsec 10^9");
	p2p_st_err(st, p2p_wire_errno(-ENOMEM), EIO, "wire: ENOMEM sent as EIO");
	p2p_st_err(st, p2p_wire_errno(-EKEYEXPIRED), EKEYEXPIRED,
		   "wire: EKEYEXPIRED sent as itself");
}

/* The list builders; an entry that does not fit leaves no byte behind. */
static void __init enc_lists(struct p2p_st *st, u8 *buf)
{
	struct p2p_export_ent exp = { P2P_ACCESS_RO, STR("docs") };
	struct p2p_dirent de = { P2P_FTYPE_REG, 0644, 6, 1700000000, 0,
				 STR("hello") };
	struct p2p_list_builder b;
	int ret;

	p2p_list_reply_init(&b, buf, BUF_LEN);
	ret = p2p_list_reply_add(&b, &exp);
	p2p_st_err(st, ret, 0, "wire: LIST_EXPORTS_REPLY add");
	ret = p2p_list_reply_finish(&b, false);
	enc_check(st, ret, buf, LIST_REPLY, "LIST_EXPORTS_REPLY");
	p2p_list_reply_init(&b, buf, 9);
	ret = p2p_list_reply_add(&b, &exp);
	p2p_st_err(st, ret, -EMSGSIZE, "wire: LIST_EXPORTS_REPLY entry too big");
	ret = p2p_list_reply_finish(&b, true);
	enc_check(st, ret, buf, "00000100", "LIST_EXPORTS_REPLY truncated");
	exp.access = 3;
	p2p_list_reply_init(&b, buf, BUF_LEN);
	ret = p2p_list_reply_add(&b, &exp);
	p2p_st_err(st, ret, -EINVAL, "wire: LIST_EXPORTS_REPLY access 3");

	p2p_readdir_reply_init(&b, buf, BUF_LEN);
	ret = p2p_readdir_reply_add(&b, &de);
	p2p_st_err(st, ret, 0, "wire: READDIR_REPLY add");
	ret = p2p_readdir_reply_finish(&b, 1, true);
	enc_check(st, ret, buf, READDIR_REPLY, "READDIR_REPLY");
	p2p_readdir_reply_init(&b, buf, BUF_LEN);
	ret = p2p_readdir_reply_finish(&b, 1, false);
	p2p_st_err(st, ret, -EINVAL, "wire: READDIR_REPLY empty, not end");
	de.name = STR("..");
	p2p_readdir_reply_init(&b, buf, BUF_LEN);
	ret = p2p_readdir_reply_add(&b, &de);
	p2p_st_err(st, ret, -EINVAL, "wire: READDIR_REPLY entry ..");
}

void __init p2p_wire_selftest(struct p2p_st *st)
{
	u8 *buf = kmalloc(BUF_LEN, GFP_KERNEL);

	if (!p2p_st_ok(st, buf, "wire: test buffer"))
		return;
	hdr_selftest(st, buf);
	body_selftest(st, buf);
	path_selftest(st, (char *)buf);
	enc_requests(st, buf);
	enc_replies(st, buf);
	enc_lists(st, buf);
	kfree(buf);
}
