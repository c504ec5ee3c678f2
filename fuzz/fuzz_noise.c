// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: the Noise KK handshake of userspace/lib/noise.c and
 * the framed handshakes of userspace/lib/proto.c, fed what a hostile peer
 * sends.  The first input byte picks the mode:
 *
 *   0  responder reads the rest as HANDSHAKE1 (msg1)
 *   1  responder reads a valid msg1 XORed with the rest (all zeros: the
 *      valid message, so the success path and Split() run too), answers,
 *      and the initiator must then derive the same keys
 *   2  initiator sends msg1, then reads the rest as HANDSHAKE2 (msg2)
 *   3  p2p_server_handshake() reads the rest as the client's byte stream
 *   4  p2p_client_connect() reads the rest as the server's byte stream
 *
 * Keys are fixed, ephemeral keys too where the mode allows, so that a
 * crash replays.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "proto.h"	/* and userspace/lib/noise.h */

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static uint8_t user_priv[32], user_pub[32], host_priv[32], host_pub[32];
static uint8_t e_priv[32];
static const char prologue[] = "p2pshare/2 fuzz prologue";

static void key(uint8_t priv[32], uint8_t pub[32], uint8_t seed)
{
	memset(priv, seed, 32);
	priv[0] &= 248;
	priv[31] = (priv[31] & 127) | 64;
	CHECK(!noise_pubkey(pub, priv));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t pub[32];

	CHECK(!noise_init());
	key(user_priv, user_pub, 0x11);
	key(host_priv, host_pub, 0x22);
	key(e_priv, pub, 0x33);
	return 0;
}

static void responder(struct noise_handshake *hs)
{
	CHECK(!noise_handshake_init(hs, "KK", false, prologue, sizeof(prologue),
				    host_priv, user_pub));
}

static void initiator(struct noise_handshake *hs, uint8_t msg1[64],
		      size_t *len)
{
	static const uint8_t offer[P2P_HS_PAYLOAD_LEN] = { 0, 3 };

	CHECK(!noise_handshake_init(hs, "KK", true, prologue, sizeof(prologue),
				    user_priv, host_pub));
	CHECK(!noise_handshake_set_ephemeral(hs, e_priv) &&
	      !noise_write_message(hs, offer, sizeof(offer), msg1, 64, len));
	CHECK(*len == P2P_HANDSHAKE1_LEN);
}

static void read_msg1(const uint8_t *d, size_t n)
{
	struct noise_handshake hs;
	uint8_t payload[64];
	size_t plen;

	responder(&hs);
	if (!noise_read_message(&hs, d, n, payload, sizeof(payload), &plen))
		CHECK(plen <= sizeof(payload));
	noise_handshake_wipe(&hs);
}

static void mutated_msg1(const uint8_t *d, size_t n)
{
	struct noise_handshake hi, hr;
	struct noise_session si, sr;
	uint8_t msg1[64], msg2[64], payload[64], *msg;
	size_t len, plen, i;

	initiator(&hi, msg1, &len);
	msg = malloc(n ? n : 1);
	for (i = 0; i < n; i++)
		msg[i] = d[i] ^ (i < len ? msg1[i] : 0);
	responder(&hr);
	if (noise_read_message(&hr, msg, n, payload, sizeof(payload), &plen))
		goto out;
	/* Only the untouched message, or one with an added payload, passes. */
	CHECK(n >= len && !memcmp(msg, msg1, len));
	CHECK(!noise_write_message(&hr, NULL, 0, msg2, sizeof(msg2), &len));
	if (noise_read_message(&hi, msg2, len, payload, sizeof(payload), &plen))
		abort();
	CHECK(!noise_handshake_split(&hi, &si) && !noise_handshake_split(&hr, &sr));
	CHECK(!memcmp(si.tx.k, sr.rx.k, 32) && !memcmp(si.rx.k, sr.tx.k, 32));
	CHECK(!memcmp(si.hash, sr.hash, 32));
out:
	noise_handshake_wipe(&hi);
	noise_handshake_wipe(&hr);
	free(msg);
}

static void read_msg2(const uint8_t *d, size_t n)
{
	struct noise_handshake hs;
	struct noise_session s;
	uint8_t msg1[64], payload[64];
	size_t len, plen;

	initiator(&hs, msg1, &len);
	if (!noise_read_message(&hs, d, n, payload, sizeof(payload), &plen))
		CHECK(!noise_handshake_split(&hs, &s));
	noise_handshake_wipe(&hs);
}

static int lookup(void *ctx, const char *user, uint8_t pub[P2P_KEY_LEN])
{
	if (strcmp(user, "alice"))
		return -ENOENT;
	memcpy(pub, user_pub, P2P_KEY_LEN);
	return 0;
}

/* The peer's whole stream is queued before the handshake reads it. */
static int feed(const uint8_t *d, size_t n, int sv[2])
{
	struct timeval tv = { .tv_sec = 1 };

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (n)
		CHECK(write(sv[1], d, n) == (ssize_t)n);
	shutdown(sv[1], SHUT_WR);
	return sv[0];
}

static void server_stream(const uint8_t *d, size_t n)
{
	struct p2p_server_keys keys = { 0 };
	struct p2p_session sess = { .no_records = true };	/* a socketpair */
	int sv[2], ret;

	memcpy(keys.priv, host_priv, 32);
	memcpy(keys.pub, host_pub, 32);
	memcpy(keys.dummy_pub, user_pub, 32);
	keys.dummy_pub[0] ^= 1;
	ret = p2p_server_handshake(feed(d, n, sv), &keys, lookup, NULL, &sess);
	/* Nobody holds alice's key in this stream: it cannot succeed. */
	CHECK(ret != 0);
	p2p_session_wipe(&sess);
	close(sv[0]);
	close(sv[1]);
}

static void client_stream(const uint8_t *d, size_t n)
{
	struct p2p_session sess = { .no_records = true };	/* a socketpair */
	uint8_t hk[P2P_KEY_LEN];
	int sv[2], ret;
	size_t i;

	ret = p2p_client_connect(feed(d, n, sv), "alice", user_priv, NULL, hk,
				 &sess);
	/* The client's ephemeral key is fresh: a canned HANDSHAKE2 fails. */
	CHECK(ret != 0);
	/* A server's message is printed: no control characters get through. */
	for (i = 0; sess.err.msg[i]; i++)
		CHECK((uint8_t)sess.err.msg[i] >= 0x20 && sess.err.msg[i] != 0x7f);
	CHECK(i <= P2P_ERRMSG_MAX);
	p2p_session_wipe(&sess);
	close(sv[0]);
	close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	if (!n)
		return 0;
	switch (d[0] % 5) {
	case 0: read_msg1(d + 1, n - 1); break;
	case 1: mutated_msg1(d + 1, n - 1); break;
	case 2: read_msg2(d + 1, n - 1); break;
	case 3: server_stream(d + 1, n - 1); break;
	case 4: client_stream(d + 1, n - 1); break;
	}
	return 0;
}
