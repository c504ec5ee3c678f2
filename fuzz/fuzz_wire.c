// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: kmod/wire.c, the frame codec the kernel server runs on
 * every byte a peer sends.  The first input byte picks what the rest is:
 *
 *   0  a byte stream from a client, cut into frames as the server does
 *      (header, then a body of its length, decoded by the op's decoder)
 *   1  a byte stream from a server, cut into frames as a client does
 *   2+ one body for one decoder (see decoders[])
 *
 * Whatever a decoder accepts must encode back to the very same bytes:
 * the codec has one canonical form, so a peer cannot smuggle a value past
 * one side that the other side reads differently.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static uint8_t out[P2P_MAX_DATA_CHUNK + P2P_HDR_LEN];

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static void same(int len, const uint8_t *d, size_t n)
{
	CHECK(len >= 0 && (size_t)len == n && !memcmp(out, d, n));
}

static void hello(const uint8_t *d, size_t n)
{
	static const uint8_t challenge[P2P_CHALLENGE_LEN];
	uint8_t prologue[P2P_MAX_PROLOGUE];
	struct p2p_hello m;

	if (p2p_dec_hello(d, n, &m))
		return;
	same(p2p_enc_hello(out, sizeof(out), &m), d, n);
	/* The server builds the prologue from whatever HELLO it accepted. */
	CHECK(p2p_prologue(prologue, sizeof(prologue), &m, P2P_PROTO_VERSION,
			   challenge) > 0);
}

static void hello_reply(const uint8_t *d, size_t n)
{
	struct p2p_hello_reply m;

	if (!p2p_dec_hello_reply(d, n, &m))
		same(p2p_enc_hello_reply(out, sizeof(out), &m), d, n);
}

static void error(const uint8_t *d, size_t n)
{
	struct p2p_error m;

	if (!p2p_dec_error(d, n, &m))
		same(p2p_enc_error(out, sizeof(out), &m), d, n);
}

static void stat_req(const uint8_t *d, size_t n)
{
	struct p2p_stat_req m;

	if (!p2p_dec_stat_req(d, n, &m))
		same(p2p_enc_stat_req(out, sizeof(out), &m), d, n);
}

static void readdir_req(const uint8_t *d, size_t n)
{
	struct p2p_readdir_req m;

	if (!p2p_dec_readdir_req(d, n, &m))
		same(p2p_enc_readdir_req(out, sizeof(out), &m), d, n);
}

static void read_req(const uint8_t *d, size_t n)
{
	struct p2p_read_req m;

	if (p2p_dec_read_req(d, n, &m))
		return;
	CHECK(m.offset <= INT64_MAX);
	same(p2p_enc_read_req(out, sizeof(out), &m), d, n);
}

static void put_req(const uint8_t *d, size_t n)
{
	struct p2p_put_req m;

	if (p2p_dec_put_req(d, n, &m))
		return;
	CHECK(m.size <= INT64_MAX && !(m.mode & ~P2P_PUT_MODE_MASK) &&
	      m.path.len);
	same(p2p_enc_put_req(out, sizeof(out), &m), d, n);
}

static void attr(const uint8_t *d, size_t n)
{
	struct p2p_fattr m;

	if (!p2p_dec_attr(d, n, &m))
		same(p2p_enc_attr(out, sizeof(out), &m), d, n);
}

static void read_reply(const uint8_t *d, size_t n)
{
	struct p2p_read_reply m;

	if (p2p_dec_read_reply(d, n, &m))
		return;
	CHECK(m.total <= m.size);
	same(p2p_enc_read_reply(out, sizeof(out), &m), d, n);
}

static void hash_req(const uint8_t *d, size_t n)
{
	struct p2p_hash_req m;

	if (!p2p_dec_hash_req(d, n, &m))
		same(p2p_enc_hash_req(out, sizeof(out), &m), d, n);
}

static void hash_reply(const uint8_t *d, size_t n)
{
	struct p2p_hash_reply m;

	if (p2p_dec_hash_reply(d, n, &m))
		return;
	CHECK(m.first <= m.blocks && m.count <= P2P_HASH_MAX_COUNT);
	CHECK(m.blocks == p2p_hash_blocks(m.size));
	same(p2p_enc_hash_reply(out, sizeof(out), &m), d, n);
}

static void blocks_reply(const uint8_t *d, size_t n)
{
	struct p2p_blocks_reply m;

	if (p2p_dec_blocks_reply(d, n, &m))
		return;
	CHECK(m.blocks == p2p_hash_blocks(m.size));
	CHECK((m.flags & P2P_BLOCKS_COMPLETE) || m.map);
	same(p2p_enc_blocks_reply(out, sizeof(out), &m), d, n);
}

static void readdir_reply(const uint8_t *d, size_t n)
{
	struct p2p_list_builder b;
	struct p2p_readdir_reply m;
	struct p2p_dirent e;
	unsigned int i;

	if (p2p_dec_readdir_reply(d, n, &m))
		return;
	CHECK(m.count || m.end);
	p2p_readdir_reply_init(&b, out, sizeof(out));
	for (i = 0; i < m.count; i++) {
		CHECK(!p2p_next_dirent(&m.entries, &e));
		CHECK(p2p_component_valid(e.name.s, e.name.len));
		CHECK(!p2p_readdir_reply_add(&b, &e));
	}
	CHECK(!p2p_rd_end(&m.entries));
	same(p2p_readdir_reply_finish(&b, m.cookie, m.end), d, n);
}

static void list_reply(const uint8_t *d, size_t n)
{
	struct p2p_list_builder b;
	struct p2p_list_reply m;
	struct p2p_export_ent e;
	unsigned int i;

	if (p2p_dec_list_reply(d, n, &m))
		return;
	p2p_list_reply_init(&b, out, sizeof(out));
	for (i = 0; i < m.count; i++) {
		CHECK(!p2p_next_export(&m.entries, &e));
		CHECK(p2p_name_valid(e.name.s, e.name.len));
		CHECK(!p2p_list_reply_add(&b, &e));
	}
	CHECK(!p2p_rd_end(&m.entries));
	same(p2p_list_reply_finish(&b, m.flags & P2P_LS_TRUNCATED), d, n);
}

static void header(const uint8_t *d, size_t n)
{
	struct p2p_frame f;
	int dir;

	if (n < P2P_HDR_LEN)
		return;
	for (dir = 0; dir < 2; dir++) {
		if (p2p_hdr_decode(d, dir, &f))
			continue;
		CHECK(f.len <= p2p_max_body(f.op));
		CHECK(!(f.op & P2P_OP_REPLY) == !dir);
		CHECK(dir || f.tag);
		p2p_hdr_encode(out, &f);
		CHECK(!memcmp(out, d, P2P_HDR_LEN));
	}
}

typedef void (*decoder)(const uint8_t *d, size_t n);

static const decoder decoders[] = {
	NULL, NULL, header, hello, hello_reply, error, stat_req, readdir_req,
	read_req, put_req, attr, read_reply, readdir_reply, list_reply,
	hash_req, hash_reply, blocks_reply,
};

#define N_DECODERS (sizeof(decoders) / sizeof(decoders[0]))

static decoder decoder_of(uint8_t op)
{
	switch (op) {
	case P2P_OP_HELLO:			return hello;
	case P2P_OP_STAT:			return stat_req;
	case P2P_OP_READDIR:			return readdir_req;
	case P2P_OP_READ:			return read_req;
	case P2P_OP_PUT_BEGIN:			return put_req;
	case P2P_OP_HASH:			return hash_req;
	case P2P_OP_BLOCKS:			return stat_req;
	case P2P_OP_HELLO_REPLY:		return hello_reply;
	case P2P_OP_STAT_REPLY:			return attr;
	case P2P_OP_READDIR_REPLY:		return readdir_reply;
	case P2P_OP_LIST_EXPORTS_REPLY:		return list_reply;
	case P2P_OP_READ_REPLY:			return read_reply;
	case P2P_OP_HASH_REPLY:			return hash_reply;
	case P2P_OP_BLOCKS_REPLY:		return blocks_reply;
	case P2P_OP_ERROR:			return error;
	default:				return NULL;
	}
}

/* Frames back to back, as a server (or a client) reads them. */
static void stream(const uint8_t *d, size_t n, bool from_server)
{
	struct p2p_frame f;
	decoder dec;
	size_t body;
	uint8_t *copy;

	while (n >= P2P_HDR_LEN) {
		if (p2p_hdr_decode(d, from_server, &f))
			return;
		d += P2P_HDR_LEN;
		n -= P2P_HDR_LEN;
		body = f.len < n ? f.len : n;
		dec = decoder_of(f.op);
		if (dec) {
			/* Exactly the body, so that an overread is caught. */
			copy = malloc(body ? body : 1);
			memcpy(copy, d, body);
			dec(copy, body);
			free(copy);
		}
		d += body;
		n -= body;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	uint8_t sel;

	if (!n)
		return 0;
	sel = d[0] % N_DECODERS;
	d++;
	n--;
	if (sel < 2)
		stream(d, n, sel == 1);
	else
		decoders[sel](d, n);
	return 0;
}
