// SPDX-License-Identifier: GPL-2.0
/*
 * dp_conformance: the protocol conformance suite (docs/PROTOCOL.md), run
 * against any p2pshare server: the kernel module (tests/guest/
 * dp_conformance.sh) and the userspace twin (dp_conformance_twin.sh).
 * Plain TAP on stdout.
 *
 *   dp_conformance HOST PORT USER KEYFILE EXPORT
 *
 * The server must hold this fixture: USER has the private key in KEYFILE
 * and a read-write grant on EXPORT and on no other export; no user named
 * "mallory" exists; EXPORT's root, writable by USER's mapped uid, holds
 *   hello.txt   "hello\n" (6 bytes), mode 0644
 *   sub/        a directory of 20 entries
 *   link        a symbolic link to hello.txt
 *   sublink     a symbolic link to sub
 *   fifo        a named pipe
 *   mnt/        a mount point (a tmpfs mounted there)
 * (conformance_tree in tests/guest/fixture.sh makes it). The suite adds
 * up.bin, empty, gaps.bin and never-*.bin there.
 *
 * With a sixth argument GROUP it runs one group of checks alone:
 * "lowkey" (HANDSHAKE1 with a low-order ephemeral key, sec8_spec.sh),
 * "cipher" (the cipher offer and choice, bytes after HANDSHAKE1).
 */
#include <stdarg.h>

#include "dp_client.h"

#define TIMEOUT_S	20
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *host, *user, *export;
static int port;
static uint8_t priv[P2P_KEY_LEN];
static int tests, failures;
static uint8_t buf[P2P_MAX_DATA_CHUNK + 64];

static bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!ok)
		failures++;
	printf("%sok %d - ", ok ? "" : "not ", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return ok;
}

static int dial_or_die(void)
{
	int fd = dial(host, port, 0, TIMEOUT_S);

	if (fd < 0) {
		printf("Bail out! cannot connect to %s:%d: %s\n", host, port,
		       strerror(-fd));
		exit(1);
	}
	return fd;
}

/* A connection past the handshake, or a bail-out. */
static int session(struct p2p_session *s)
{
	uint8_t hk[P2P_KEY_LEN];
	int fd = dial_or_die(), ret;

	memset(s, 0, sizeof(*s));
	ret = p2p_client_connect(fd, user, priv, NULL, hk, s);
	if (ret) {
		printf("Bail out! handshake as %s failed: %s %s\n", user,
		       strerror(-ret), s->err.msg);
		exit(1);
	}
	return fd;
}

/* The next frame is an ERROR with this code and tag. */
static bool error_is(int fd, uint32_t want, uint32_t tag)
{
	struct p2p_frame f;
	uint32_t code;
	char msg[P2P_ERRMSG_MAX + 1];

	return !recv_reply(fd, &f, buf, sizeof(buf), &code, msg, sizeof(msg)) &&
	       f.op == P2P_OP_ERROR && code == want && f.tag == tag;
}

/* The server closed the connection (after what it sent so far). */
static bool closed(int fd)
{
	char c;

	return read(fd, &c, 1) == 0;
}

/* A raw header: any field value, reserved included. */
static int send_hdr(int fd, uint32_t len, uint8_t op, uint8_t flags,
		    uint16_t reserved, uint32_t tag)
{
	uint8_t h[P2P_HDR_LEN] = {
		len >> 24, len >> 16, len >> 8, len, op, flags,
		reserved >> 8, reserved, tag >> 24, tag >> 16, tag >> 8, tag,
	};

	return p2p_write_full(fd, h, sizeof(h));
}

static void stat_req(struct body *b, const char *path)
{
	b->len = 0;
	b_target(b, bstr(export), bstr(path));
}

static bool hello(int fd, struct p2p_hello *h, struct p2p_hello_reply *hr)
{
	struct body b = { .len = 0 };
	struct p2p_frame f;
	uint32_t code;

	*h = (struct p2p_hello){ 2, 2, { user, strlen(user) } };
	b_u16(&b, 2);
	b_u16(&b, 2);
	b_u8(&b, strlen(user));
	b_bytes(&b, user, strlen(user));
	return !p2p_send_frame(fd, P2P_OP_HELLO, 0, 1, b.b, b.len) &&
	       !recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0) &&
	       f.op == P2P_OP_HELLO_REPLY &&
	       !p2p_dec_hello_reply(buf, f.len, hr);
}

/* Noise's MixKey: ck, k = HKDF(ck, ikm). */
static void mix_key(uint8_t ck[32], uint8_t k[32], const uint8_t ikm[32])
{
	crypto_auth_hmacsha256_state st;
	uint8_t t[32], o[33];

	crypto_auth_hmacsha256_init(&st, ck, 32);
	crypto_auth_hmacsha256_update(&st, ikm, 32);
	crypto_auth_hmacsha256_final(&st, t);
	o[0] = 1;
	crypto_auth_hmacsha256_init(&st, t, 32);
	crypto_auth_hmacsha256_update(&st, o, 1);
	crypto_auth_hmacsha256_final(&st, ck);
	memcpy(o, ck, 32);
	o[32] = 2;
	crypto_auth_hmacsha256_init(&st, t, 32);
	crypto_auth_hmacsha256_update(&st, o, 33);
	crypto_auth_hmacsha256_final(&st, k);
}

static void mix_hash(uint8_t h[32], const void *data, size_t len)
{
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, h, 32);
	crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, h);
}

/*
 * HANDSHAKE1 built by hand (PROTOCOL.md 6.3, steps 1 and 2) with the
 * ephemeral public key E, whose DH with the host key is ES: a low-order E
 * gives an all-zero ES whatever the secret, which the client knows as
 * well as the server.  The payload offers OFFER; EXTRA bytes follow the
 * frame in the same write.  Returns the reply frame's op and code.
 */
static int hand_handshake(const uint8_t e[32], const uint8_t es[32],
			  uint16_t offer, size_t extra, uint32_t *code,
			  char *msg, size_t msgcap)
{
	static const char name[] = P2P_NOISE_PROTOCOL;
	uint8_t h[32], ck[32], k[32], ss[32], upub[32], nonce[12] = { 0 };
	uint8_t prol[P2P_MAX_PROLOGUE], pay[2] = { offer >> 8, offer };
	uint8_t out[P2P_HDR_LEN + P2P_HANDSHAKE1_LEN + 16] = { 0 };
	struct p2p_frame hdr = { .len = P2P_HANDSHAKE1_LEN,
				 .op = P2P_OP_HANDSHAKE1, .tag = 2 };
	uint8_t *msg1 = out + P2P_HDR_LEN;
	struct p2p_hello_reply hr;
	struct p2p_hello hl;
	struct p2p_frame f;
	int fd = dial_or_die(), plen, op = -1;

	if (!hello(fd, &hl, &hr))
		goto out;
	plen = p2p_prologue(prol, sizeof(prol), &hl, hr.version, hr.challenge);
	if (plen < 0 || crypto_scalarmult_base(upub, priv) ||
	    crypto_scalarmult(ss, priv, hr.host_key))
		goto out;
	memcpy(h, name, 32);
	memcpy(ck, h, 32);
	mix_hash(h, prol, plen);
	mix_hash(h, upub, 32);
	mix_hash(h, hr.host_key, 32);
	memcpy(msg1, e, 32);
	mix_hash(h, e, 32);
	mix_key(ck, k, es);
	mix_key(ck, k, ss);
	crypto_aead_chacha20poly1305_ietf_encrypt(msg1 + 32, NULL, pay, 2, h,
						  32, NULL, nonce, k);
	p2p_hdr_encode(out, &hdr);
	if (extra > sizeof(out) - P2P_HDR_LEN - P2P_HANDSHAKE1_LEN ||
	    p2p_write_full(fd, out, P2P_HDR_LEN + P2P_HANDSHAKE1_LEN + extra) ||
	    recv_reply(fd, &f, buf, sizeof(buf), code, msg, msgcap))
		goto out;
	op = f.op;
	if (op == P2P_OP_ERROR && !closed(fd))
		op = -2;
out:
	close(fd);
	return op;
}

/* A fresh ephemeral key pair: its public key E, its DH with the host key. */
static void real_ephemeral(uint8_t e[32], uint8_t es[32])
{
	struct p2p_hello_reply hr;
	struct p2p_hello hl;
	uint8_t epriv[32];
	int fd;

	fd = dial_or_die();
	if (!hello(fd, &hl, &hr)) {
		printf("Bail out! no HELLO_REPLY\n");
		exit(1);
	}
	close(fd);
	noise_genkey(epriv);
	if (crypto_scalarmult_base(e, epriv) ||
	    crypto_scalarmult(es, epriv, hr.host_key)) {
		printf("Bail out! X25519 failed\n");
		exit(1);
	}
}

/* Section 6.3: a DH result of all zeros fails authentication. */
static void lowkey_tests(void)
{
	static const uint8_t zero[32];
	uint8_t e[32], es[32], one[32] = { 1 };
	char msg[P2P_ERRMSG_MAX + 1] = "";
	uint32_t code = 0;
	int op;

	real_ephemeral(e, es);
	op = hand_handshake(e, es, P2P_CIPHERS_ALL, 0, &code, msg, sizeof(msg));
	tap(op == P2P_OP_HANDSHAKE2,
	    "HANDSHAKE1 built by hand with a real ephemeral key: HANDSHAKE2 (op %#x)",
	    op);
	op = hand_handshake(zero, zero, P2P_CIPHERS_ALL, 0, &code, msg,
			    sizeof(msg));
	tap(op == P2P_OP_ERROR && code == EACCES &&
	    !strcmp(msg, "authentication failed"),
	    "ephemeral key u=0 (an all-zero DH), valid tag: EACCES \"authentication failed\", then close (op %#x %s %s)",
	    op, errname(code), msg);
	op = hand_handshake(one, zero, P2P_CIPHERS_ALL, 0, &code, msg,
			    sizeof(msg));
	tap(op == P2P_OP_ERROR && code == EACCES &&
	    !strcmp(msg, "authentication failed"),
	    "ephemeral key u=1 (an all-zero DH), valid tag: EACCES \"authentication failed\", then close (op %#x %s %s)",
	    op, errname(code), msg);
}

/* A session offering OFFER: 0 or a negative errno; the cipher chosen. */
static int offer_session(uint16_t offer, struct p2p_session *s, int *fd)
{
	uint8_t hk[P2P_KEY_LEN];

	memset(s, 0, sizeof(*s));
	s->offer = offer;
	*fd = dial_or_die();
	return p2p_client_connect(*fd, user, priv, NULL, hk, s);
}

/* Sections 6.4, 6.5: the cipher offer and choice, records both ways. */
static void cipher_tests(void)
{
	char msg[P2P_ERRMSG_MAX + 1] = "";
	struct p2p_list_reply lr;
	struct p2p_session s = { 0 };
	uint8_t e[32], es[32];
	uint32_t code = 0;
	int fd, ret, op;

	ret = offer_session(0, &s, &fd);
	tap(!ret && s.cipher == P2P_CIPHER_AES_128_GCM &&
	    !p2p_list_exports(&s, buf, sizeof(buf), &lr) && lr.count == 1,
	    "offer of both ciphers: AES-128-GCM (the default preference), LIST_EXPORTS in records (%d %#x)",
	    ret, s.cipher);
	close(fd);
	ret = offer_session(P2P_CIPHER_CHACHA20_POLY1305, &s, &fd);
	tap(!ret && s.cipher == P2P_CIPHER_CHACHA20_POLY1305 &&
	    !p2p_list_exports(&s, buf, sizeof(buf), &lr) && lr.count == 1,
	    "offer of ChaCha20-Poly1305 alone: chosen, LIST_EXPORTS in records (%d %#x)",
	    ret, s.cipher);
	close(fd);
	ret = offer_session(P2P_CIPHER_AES_128_GCM | 0x8000, &s, &fd);
	tap(!ret && s.cipher == P2P_CIPHER_AES_128_GCM,
	    "an unknown bit beside AES-128-GCM is ignored (%d %#x)", ret,
	    s.cipher);
	close(fd);
	ret = offer_session(0xfffc, &s, &fd);
	tap(ret == -EREMOTEIO && s.err.code == ENOPROTOOPT &&
	    !strcmp(s.err.msg, "no cipher in common") && closed(fd),
	    "offer of unknown bits only: ENOPROTOOPT \"no cipher in common\", then close (%d %s %s)",
	    ret, errname(s.err.code), s.err.msg);
	close(fd);

	real_ephemeral(e, es);
	op = hand_handshake(e, es, 0, 0, &code, msg, sizeof(msg));
	tap(op == P2P_OP_ERROR && code == ENOPROTOOPT &&
	    !strcmp(msg, "no cipher in common"),
	    "offer 0: ENOPROTOOPT \"no cipher in common\", then close (op %#x %s %s)",
	    op, errname(code), msg);
	real_ephemeral(e, es);
	op = hand_handshake(e, es, P2P_CIPHERS_ALL, 1, &code, msg, sizeof(msg));
	tap(op == P2P_OP_ERROR && code == EPROTO,
	    "a byte right after HANDSHAKE1: EPROTO, then close (op %#x %s %s)",
	    op, errname(code), msg);
	real_ephemeral(e, es);
	op = hand_handshake(e, es, P2P_CIPHERS_ALL, 16, &code, msg, sizeof(msg));
	tap(op == P2P_OP_ERROR && code == EPROTO,
	    "16 bytes right after HANDSHAKE1: EPROTO, then close (op %#x %s %s)",
	    op, errname(code), msg);
}

/* Section 6: HELLO and the handshake. */
static void handshake_tests(void)
{
	struct p2p_hello_reply hr, hr2;
	struct p2p_session s = { 0 };
	struct p2p_frame f;
	struct body b = { .len = 0 };
	uint8_t hk[P2P_KEY_LEN], hk2[P2P_KEY_LEN], other[P2P_KEY_LEN];
	uint32_t code;
	int fd, ret;

	fd = dial_or_die();
	b_u16(&b, 2);
	b_u16(&b, 2);
	b_u8(&b, strlen(user));
	b_bytes(&b, user, strlen(user));
	p2p_send_frame(fd, P2P_OP_HELLO, 0, 0x01020304, b.b, b.len);
	ret = recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0);
	tap(!ret && f.op == P2P_OP_HELLO_REPLY && f.tag == 0x01020304 &&
	    f.len == 66 && !p2p_dec_hello_reply(buf, f.len, &hr) &&
	    hr.version == 2, "HELLO: HELLO_REPLY of 66 bytes, version 2, tag echoed");
	close(fd);
	fd = dial_or_die();
	p2p_send_frame(fd, P2P_OP_HELLO, 0, 7, b.b, b.len);
	ret = recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0);
	tap(!ret && !p2p_dec_hello_reply(buf, f.len, &hr2) &&
	    !memcmp(hr.host_key, hr2.host_key, P2P_KEY_LEN) &&
	    memcmp(hr.challenge, hr2.challenge, P2P_CHALLENGE_LEN),
	    "HELLO: same host key, a fresh challenge per connection");
	close(fd);

	fd = dial_or_die();
	b.len = 0;
	b_u16(&b, 1);
	b_u16(&b, 3);
	b_u8(&b, strlen(user));
	b_bytes(&b, user, strlen(user));
	p2p_send_frame(fd, P2P_OP_HELLO, 0, 5, b.b, b.len);
	ret = recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0);
	tap(!ret && f.op == P2P_OP_HELLO_REPLY &&
	    !p2p_dec_hello_reply(buf, f.len, &hr2) && hr2.version == 2,
	    "HELLO for versions 1..3: HELLO_REPLY, version 2");
	close(fd);
	fd = dial_or_die();
	b.len = 0;
	b_u16(&b, 3);
	b_u16(&b, 4);
	b_u8(&b, strlen(user));
	b_bytes(&b, user, strlen(user));
	p2p_send_frame(fd, P2P_OP_HELLO, 0, 5, b.b, b.len);
	tap(error_is(fd, EPROTONOSUPPORT, 5) && closed(fd),
	    "HELLO for versions 3..4: EPROTONOSUPPORT, then close");
	close(fd);
	fd = dial_or_die();
	b.len = 0;
	b_u16(&b, 1);
	b_u16(&b, 1);
	b_u8(&b, strlen(user));
	b_bytes(&b, user, strlen(user));
	p2p_send_frame(fd, P2P_OP_HELLO, 0, 5, b.b, b.len);
	{
		static const char v1[] = "protocol version 1 is not supported: "
			"this server speaks version 2 (encrypted); upgrade the client";
		char m[P2P_ERRMSG_MAX + 1] = "";

		ret = recv_reply(fd, &f, buf, sizeof(buf), &code, m, sizeof(m));
		tap(!ret && f.op == P2P_OP_ERROR && f.tag == 5 &&
		    code == EPROTONOSUPPORT && !strcmp(m, v1) && closed(fd),
		    "a v1 HELLO (1..1): EPROTONOSUPPORT \"%s\", then close (%s \"%s\")",
		    v1, errname(code), m);
	}
	close(fd);
	fd = dial_or_die();
	b.len = 0;
	b_u16(&b, 2);
	b_u16(&b, 1);
	b_u8(&b, 1);
	b_u8(&b, 'a');
	p2p_send_frame(fd, P2P_OP_HELLO, 0, 5, b.b, b.len);
	tap(error_is(fd, EINVAL, 5) && closed(fd),
	    "HELLO with version_min > version_max: EINVAL, then close");
	close(fd);
	fd = dial_or_die();
	b.len = 0;
	b_u16(&b, 2);
	b_u16(&b, 2);
	b_u8(&b, 65);
	for (int i = 0; i < 65; i++)
		b_u8(&b, 'u');
	p2p_send_frame(fd, P2P_OP_HELLO, 0, 5, b.b, b.len);
	tap(error_is(fd, EINVAL, 5) && closed(fd),
	    "HELLO with a 65-byte user name: EINVAL, then close");
	close(fd);
	fd = dial_or_die();
	p2p_send_frame(fd, P2P_OP_LIST_EXPORTS, 0, 5, NULL, 0);
	tap(error_is(fd, EPROTO, 5) && closed(fd),
	    "a request before HELLO: EPROTO, then close");
	close(fd);
	b.len = 0;
	b_u16(&b, 2);
	b_u16(&b, 2);
	b_u8(&b, strlen(user));
	b_bytes(&b, user, strlen(user));
	for (int len = 47; len <= 51; len++) {
		if (len == P2P_HANDSHAKE1_LEN)
			continue;
		fd = dial_or_die();
		p2p_send_frame(fd, P2P_OP_HELLO, 0, 5, b.b, b.len);
		recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0);
		memset(buf, 0x55, len);
		p2p_send_frame(fd, P2P_OP_HANDSHAKE1, 0, 6, buf, len);
		tap(error_is(fd, EACCES, 6) && closed(fd),
		    "HANDSHAKE1 of %d bytes%s: EACCES, then close", len,
		    len == 48 ? " (v1's length)" : "");
		close(fd);
	}

	fd = dial_or_die();
	p2p_send_frame(fd, P2P_OP_HELLO, 0, 5, b.b, b.len);
	recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0);
	p2p_send_frame(fd, P2P_OP_HELLO, 0, 6, b.b, b.len);
	tap(f.op == P2P_OP_HELLO_REPLY && error_is(fd, EPROTO, 6) && closed(fd),
	    "a second HELLO instead of HANDSHAKE1: EPROTO, then close");
	close(fd);

	fd = dial_or_die();
	memset(&s, 0, sizeof(s));
	ret = p2p_client_connect(fd, user, priv, NULL, hk, &s);
	tap(!ret && s.version == 2, "handshake as %s (%d %s)", user, ret, s.err.msg);
	p2p_send_frame(fd, P2P_OP_HELLO, 0, 9, b.b, b.len);
	tap(error_is(fd, EPROTO, 9) && closed(fd),
	    "HELLO after the handshake: EPROTO, then close");
	close(fd);
	fd = dial_or_die();
	memset(&s, 0, sizeof(s));
	p2p_client_connect(fd, user, priv, NULL, hk, &s);
	memset(buf, 0x55, P2P_HANDSHAKE1_LEN);
	p2p_send_frame(fd, P2P_OP_HANDSHAKE1, 0, 10, buf, P2P_HANDSHAKE1_LEN);
	tap(error_is(fd, EPROTO, 10) && closed(fd),
	    "HANDSHAKE1 after the handshake: EPROTO, then close");
	close(fd);
	fd = dial_or_die();
	memset(&s, 0, sizeof(s));
	tap(p2p_client_connect(fd, user, priv, hk, hk2, &s) == 0,
	    "handshake with the host key pinned");
	close(fd);
	fd = dial_or_die();
	hk[0] ^= 1;
	tap(p2p_client_connect(fd, user, priv, hk, hk2, &s) == -EKEYREJECTED,
	    "a pinned host key that differs is rejected by the client");
	close(fd);

	struct p2p_session s1 = { 0 }, s2 = { 0 };

	noise_genkey(other);
	fd = dial_or_die();
	ret = p2p_client_connect(fd, user, other, NULL, hk2, &s1);
	tap(ret == -EACCES && s1.err.code == EACCES,
	    "wrong private key: EACCES (%d %s)", ret, s1.err.msg);
	close(fd);
	fd = dial_or_die();
	ret = p2p_client_connect(fd, "mallory", other, NULL, hk2, &s2);
	tap(ret == -EACCES && !strcmp(s1.err.msg, s2.err.msg),
	    "unknown user: the same EACCES and message (%d %s)", ret, s2.err.msg);
	close(fd);
}

/* Section 3: frame headers after the handshake. */
static void header_tests(void)
{
	struct p2p_session s = { 0 };
	struct body b;
	int fd;

	stat_req(&b, "hello.txt");
	fd = session(&s);
	send_hdr(fd, b.len, P2P_OP_STAT, 0, 1, 40);
	p2p_write_full(fd, b.b, b.len);
	tap(error_is(fd, EPROTO, 0) && closed(fd),
	    "non-zero reserved header field: EPROTO with tag 0, then close");
	close(fd);
	fd = session(&s);
	send_hdr(fd, b.len, P2P_OP_STAT, 0x02, 0, 41);
	p2p_write_full(fd, b.b, b.len);
	tap(error_is(fd, EPROTO, 0) && closed(fd),
	    "unknown header flag: EPROTO with tag 0, then close");
	close(fd);
	fd = session(&s);
	send_hdr(fd, b.len, P2P_OP_STAT, P2P_F_MORE, 0, 42);
	p2p_write_full(fd, b.b, b.len);
	tap(error_is(fd, EPROTO, 0) && closed(fd),
	    "MORE flag on STAT: EPROTO with tag 0, then close");
	close(fd);
	fd = session(&s);
	send_hdr(fd, b.len, P2P_OP_STAT, 0, 0, 0);
	p2p_write_full(fd, b.b, b.len);
	tap(error_is(fd, EPROTO, 0) && closed(fd),
	    "request tag 0: EPROTO, then close");
	close(fd);
	fd = session(&s);
	send_hdr(fd, b.len, P2P_OP_STAT_REPLY, 0, 0, 43);
	p2p_write_full(fd, b.b, b.len);
	tap(error_is(fd, EPROTO, 0) && closed(fd),
	    "a server op (0x84) from the client: EPROTO, then close");
	close(fd);
	fd = session(&s);
	send_hdr(fd, P2P_MAX_BODY + 1, P2P_OP_STAT, 0, 0, 44);
	tap(error_is(fd, EMSGSIZE, 0) && closed(fd),
	    "STAT body of P2P_MAX_BODY+1 bytes: EMSGSIZE, then close");
	close(fd);
	fd = session(&s);
	send_hdr(fd, 0, P2P_OP_PUT_DATA, 0, 0, 45);
	tap(error_is(fd, EPROTO, 45) && closed(fd),
	    "PUT_DATA without PUT_BEGIN: EPROTO, then close");
	close(fd);
}

/*
 * Sections 4, 5, 7, 8: requests after the handshake, as a table. Each row
 * is one request and the reply the specification demands; the loop below
 * sends it with a fresh tag on the current connection, reads the reply and
 * checks its op, its tag and, for an ERROR, its code, then what the row's
 * check adds. A row with .run instead is a sequence of frames that no
 * single request makes. Each row is one TAP line; what a check saw goes
 * to a "#" line under it.
 */
struct rq {
	struct p2p_session s;
	int fd;
	uint32_t next_tag;
	uint32_t tag;			/* the request's */
	struct p2p_frame f;		/* the reply's header, body in buf */
	uint32_t code;			/* an ERROR's errno, and its text */
	char msg[P2P_ERRMSG_MAX + 1];
	struct p2p_read_reply rd;	/* a READ_REPLY, then its data: */
	size_t len;			/* bytes in data */
	int frames;			/* READ_DATA frames */
	uint8_t last_flags;		/* the flags of the last one */
	uint64_t cookie;		/* of the last READDIR sub, 7 a time */
	char note[200];
};

/* The tags of the data frames of a PUT row. */
enum { TAG_PUT, TAG_OTHER, TAG_ZERO };

struct req_case {
	const char *name;		/* the TAP line, %s: the export */
	uint8_t op;
	const char *exp;		/* NULL: the suite's export */
	const char *path;
	uint64_t a, b;			/* READDIR cookie and max_entries,
					 * READ offset and length,
					 * PUT_BEGIN size and mode
					 */
	bool last_cookie;		/* READDIR from rq.cookie */
	const char *raw;		/* this body instead, raw_len bytes */
	size_t raw_len;
	bool trailing;			/* a byte after the body */
	const char *const *frames;	/* PUT: after OK, these PUT_DATA */
	int data_tag;			/* ... with this tag */
	uint32_t err;			/* the reply: an ERROR with this code,
					 * 0: the op's reply (reply_of)
					 */
	bool (*check)(struct rq *q);
	bool (*run)(struct rq *q);
	bool fresh;			/* on a new connection (it stays) */
};

static uint8_t big[3 << 20], data[3 << 20];

static void note(struct rq *q, const char *fmt, ...)
{
	size_t n = strlen(q->note);
	va_list ap;

	if (n && n < sizeof(q->note) - 2) {
		memcpy(q->note + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(q->note + n, sizeof(q->note) - n, fmt, ap);
	va_end(ap);
}

/* The READ_DATA frames of the READ with q's tag, into data. */
static bool read_data(struct rq *q)
{
	struct p2p_frame f;
	bool ok = true;

	q->len = 0;
	q->frames = 0;
	do {
		if (p2p_recv_frame(q->fd, true, &f, buf, sizeof(buf)))
			return false;
		ok = ok && f.op == P2P_OP_READ_DATA && f.tag == q->tag &&
		     f.len <= P2P_MAX_DATA_CHUNK &&
		     (f.len || !(f.flags & P2P_F_MORE)) &&
		     f.len <= sizeof(data) - q->len;
		if (ok) {
			memcpy(data + q->len, buf, f.len);
			q->len += f.len;
		}
		q->frames++;
		q->last_flags = f.flags;
	} while (f.op == P2P_OP_READ_DATA && (f.flags & P2P_F_MORE));
	return ok;
}

/* The op of the reply to a request that succeeds. */
static uint8_t reply_of(uint8_t op)
{
	switch (op) {
	case P2P_OP_LIST_EXPORTS:
		return P2P_OP_LIST_EXPORTS_REPLY;
	case P2P_OP_STAT:
		return P2P_OP_STAT_REPLY;
	case P2P_OP_READDIR:
		return P2P_OP_READDIR_REPLY;
	case P2P_OP_READ:
		return P2P_OP_READ_REPLY;
	case P2P_OP_PUT_BEGIN:
		return P2P_OP_OK;
	}
	return P2P_OP_ERROR;
}

/* The reply's body is what its op carries (as the client library checks). */
static bool decodes(struct rq *q)
{
	struct p2p_list_reply lr;
	struct p2p_readdir_reply rr;
	struct p2p_fattr a;

	switch (q->f.op) {
	case P2P_OP_OK:
		return !q->f.len;
	case P2P_OP_LIST_EXPORTS_REPLY:
		return !p2p_dec_list_reply(buf, q->f.len, &lr);
	case P2P_OP_STAT_REPLY:
		return !p2p_dec_attr(buf, q->f.len, &a);
	case P2P_OP_READDIR_REPLY:
		return !p2p_dec_readdir_reply(buf, q->f.len, &rr);
	case P2P_OP_READ_REPLY:
		return !p2p_dec_read_reply(buf, q->f.len, &q->rd);
	}
	return true;
}

/* A PUT row's data: each frame but the last with MORE. */
static int send_frames(struct rq *q, const struct req_case *c)
{
	uint32_t tag = c->data_tag == TAG_OTHER ? q->tag + 1 : q->tag;
	int ret = 0;

	for (const char *const *p = c->frames; *p && !ret; p++) {
		uint32_t len = strlen(*p);
		uint8_t flags = p[1] ? P2P_F_MORE : 0;

		if (c->data_tag == TAG_ZERO) {
			ret = send_hdr(q->fd, len, P2P_OP_PUT_DATA, flags, 0, 0);
			if (!ret)
				ret = p2p_write_full(q->fd, *p, len);
		} else {
			ret = p2p_send_frame(q->fd, P2P_OP_PUT_DATA, flags, tag,
					     *p, len);
		}
	}
	return ret;
}

static bool request(struct rq *q, const struct req_case *c)
{
	static struct body b;
	uint8_t want = c->err ? P2P_OP_ERROR : reply_of(c->op);
	int ret;

	b.len = 0;
	if (c->raw)
		b_bytes(&b, c->raw, c->raw_len);
	else if (c->op != P2P_OP_LIST_EXPORTS)
		b_target(&b, bstr(c->exp ? c->exp : export), bstr(c->path));
	if (c->op == P2P_OP_READDIR) {
		b_u64(&b, c->last_cookie ? q->cookie : c->a);
		b_u32(&b, c->b);
	} else if (c->op == P2P_OP_READ) {
		b_u64(&b, c->a);
		b_u64(&b, c->b);
	} else if (c->op == P2P_OP_PUT_BEGIN) {
		b_u64(&b, c->a);
		b_u32(&b, c->b);
	}
	if (c->trailing)
		b_u8(&b, 0);
	q->tag = q->next_tag++;
	ret = p2p_send_frame(q->fd, c->op, 0, q->tag, b.b, b.len);
	if (!ret)
		ret = recv_reply(q->fd, &q->f, buf, sizeof(buf), &q->code,
				 q->msg, sizeof(q->msg));
	if (!ret && c->frames) {
		if (q->f.op != P2P_OP_OK || q->f.tag != q->tag || q->f.len) {
			note(q, "PUT_BEGIN: op %#x tag %u %s \"%s\"", q->f.op,
			     q->f.tag, errname(q->code), q->msg);
			return false;
		}
		ret = send_frames(q, c);
		if (!ret)
			ret = recv_reply(q->fd, &q->f, buf, sizeof(buf),
					 &q->code, q->msg, sizeof(q->msg));
	}
	if (ret) {
		note(q, "no reply: %s", errname(ret));
		return false;
	}
	if (q->f.op != want || q->f.tag != q->tag ||
	    (want == P2P_OP_ERROR && q->code != c->err) || !decodes(q))
		goto bad;
	if (want == P2P_OP_READ_REPLY && !read_data(q)) {
		note(q, "READ_DATA: %d frames, %zu bytes", q->frames, q->len);
		return false;
	}
	if (!c->check || c->check(q))
		return true;
bad:
	note(q, "reply: op %#x tag %u len %u, %s \"%s\"", q->f.op, q->f.tag,
	     q->f.len, q->f.op == P2P_OP_ERROR ? errname(q->code) : "-",
	     q->msg);
	return false;
}

/* Checks of a reply (the body in buf, a READ's data in data). */

static bool attr(struct rq *q, struct p2p_fattr *a)
{
	memset(a, 0, sizeof(*a));
	return !p2p_dec_attr(buf, q->f.len, a);
}

static bool is_dir(struct rq *q)
{
	struct p2p_fattr a;

	return attr(q, &a) && a.type == P2P_FTYPE_DIR;
}

static bool is_symlink(struct rq *q)
{
	struct p2p_fattr a;

	return attr(q, &a) && a.type == P2P_FTYPE_SYMLINK;
}

static bool is_other(struct rq *q)
{
	struct p2p_fattr a;

	return attr(q, &a) && a.type == P2P_FTYPE_OTHER;
}

static bool is_hello(struct rq *q)
{
	struct p2p_fattr a;
	bool ok = attr(q, &a);

	note(q, "type %u size %llu mode %o nlink %u", a.type,
	     (unsigned long long)a.size, a.mode, a.nlink);
	return ok && a.type == P2P_FTYPE_REG && a.size == 6 &&
	       a.mode == 0644 && a.nlink >= 1 && a.mtime_nsec < 1000000000;
}

static bool is_6_bytes(struct rq *q)
{
	struct p2p_fattr a;

	return attr(q, &a) && a.size == 6;
}

static bool is_empty_600(struct rq *q)
{
	struct p2p_fattr a;
	bool ok = attr(q, &a);

	note(q, "size %llu mode %o", (unsigned long long)a.size, a.mode);
	return ok && a.size == 0 && a.mode == 0600;
}

static bool one_export(struct rq *q)
{
	struct p2p_list_reply lr;

	if (p2p_dec_list_reply(buf, q->f.len, &lr))
		return false;
	note(q, "count %u flags %u", lr.count, lr.flags);
	return lr.count == 1 && !lr.flags;
}

static bool export_rw(struct rq *q)
{
	struct p2p_list_reply lr;
	struct p2p_export_ent e;

	return !p2p_dec_list_reply(buf, q->f.len, &lr) && lr.count &&
	       !p2p_next_export(&lr.entries, &e) &&
	       e.access == P2P_ACCESS_RW && e.name.len == strlen(export) &&
	       !memcmp(e.name.s, export, e.name.len);
}

static bool no_export_msg(struct rq *q)
{
	return !strcmp(q->msg, "no such export");
}

static bool readdir_at_end(struct rq *q)
{
	struct p2p_readdir_reply rr;
	bool ok = !p2p_dec_readdir_reply(buf, q->f.len, &rr);

	note(q, "count %u end %u", ok ? rr.count : 0, ok ? rr.end : 0);
	return ok && rr.count == 0 && rr.end;
}

static bool data_is(struct rq *q, uint64_t total, const char *want)
{
	note(q, "total %llu, %zu bytes", (unsigned long long)q->rd.total,
	     q->len);
	return q->rd.total == total && q->len == strlen(want) &&
	       !memcmp(data, want, q->len);
}

static bool read_hello(struct rq *q)
{
	return data_is(q, 6, "hello\n") && q->rd.size == 6;
}

static bool read_ll(struct rq *q)
{
	return data_is(q, 2, "ll");
}

static bool read_nothing(struct rq *q)
{
	return data_is(q, 0, "");
}

static bool read_abcde(struct rq *q)
{
	return data_is(q, 5, "abcde");
}

static bool read_big(struct rq *q)
{
	note(q, "%zu bytes", q->len);
	return q->rd.total == sizeof(big) && q->len == sizeof(big) &&
	       !memcmp(data, big, sizeof(big));
}

/* From offset 1: frames of at most 1 MiB (read_data), MORE but on the last. */
static bool read_frames(struct rq *q)
{
	note(q, "%d frames, %zu bytes", q->frames, q->len);
	return q->frames >= 3 && q->len == q->rd.total &&
	       q->rd.total == sizeof(big) - 1 && !memcmp(data, big + 1, q->len);
}

static bool read_zero(struct rq *q)
{
	return q->rd.total == 0 && q->rd.size == 6 && q->frames == 1 &&
	       q->len == 0 && !q->last_flags;
}

static bool then_closed(struct rq *q)
{
	return closed(q->fd);
}

/* Sequences (.run): on q's connection, through q->s where it may. */

static bool pipeline3(struct rq *q)
{
	static struct body b;
	uint32_t code;

	stat_req(&b, "hello.txt");
	p2p_send_frame(q->fd, P2P_OP_STAT, 0, 61, b.b, b.len);
	stat_req(&b, "missing");
	p2p_send_frame(q->fd, P2P_OP_STAT, 0, 62, b.b, b.len);
	stat_req(&b, "sub");
	p2p_send_frame(q->fd, P2P_OP_STAT, 0, 63, b.b, b.len);
	return !recv_reply(q->fd, &q->f, buf, sizeof(buf), &code, NULL, 0) &&
	       q->f.op == P2P_OP_STAT_REPLY && q->f.tag == 61 &&
	       error_is(q->fd, ENOENT, 62) &&
	       !recv_reply(q->fd, &q->f, buf, sizeof(buf), &code, NULL, 0) &&
	       q->f.op == P2P_OP_STAT_REPLY && q->f.tag == 63;
}

/*
 * A deep pipeline in one write: 300 requests, 30 KiB, more than a server
 * holds at once (frames straddle its reads), one of them with an
 * oversized body; every reply in order, then business as usual.
 */
static bool pipeline300(struct rq *q)
{
	static uint8_t out[64 * 1024];
	static struct body b;
	struct p2p_frame h;
	char longp[201];
	size_t used = 0;
	uint32_t code;
	bool ok;
	int i;

	memset(longp, 'q', 200);
	longp[200] = '\0';
	for (i = 0; i < 300; i++) {
		h = (struct p2p_frame){ .op = P2P_OP_STAT, .tag = 1000 + i };
		b.len = 0;
		if (i == 150) {
			h.op = P2P_OP_LIST_EXPORTS;
			memset(b.b, 'x', 20000);
			b.len = 20000;
		} else {
			stat_req(&b, i % 2 ? longp : "hello.txt");
		}
		h.len = b.len;
		p2p_hdr_encode(out + used, &h);
		memcpy(out + used + P2P_HDR_LEN, b.b, b.len);
		used += P2P_HDR_LEN + b.len;
	}
	ok = !p2p_write_full(q->fd, out, used);
	for (i = 0; i < 300 && ok; i++) {
		if (i == 150)
			ok = error_is(q->fd, EINVAL, 1000 + i);
		else if (i % 2)
			ok = error_is(q->fd, ENOENT, 1000 + i);
		else
			ok = !recv_reply(q->fd, &q->f, buf, sizeof(buf), &code,
					 NULL, 0) &&
			     q->f.op == P2P_OP_STAT_REPLY && q->f.tag == 1000u + i;
	}
	note(q, "%zu bytes, %d replies in order", used, ok ? i : i - 1);
	return ok;
}

/* READDIR of sub, 7 entries at most a reply, until the end. */
static bool readdir_sub(struct rq *q)
{
	struct p2p_readdir_reply rr;
	struct p2p_dirent d;
	int n = 0, rounds = 0, ret;
	bool small = true;

	q->cookie = 0;
	do {
		ret = p2p_readdir(&q->s, export, "sub", q->cookie, 7, buf,
				  sizeof(buf), &rr);
		if (ret)
			break;
		small = small && rr.count <= 7;
		while (!p2p_next_dirent(&rr.entries, &d))
			n++;
		q->cookie = rr.cookie;
		rounds++;
	} while (!rr.end && rounds < 100);
	note(q, "%d entries in %d replies", n, rounds);
	return !ret && n == 20 && rounds >= 3 && small;
}

/* The entry NAME of the export's root, by READDIR; false if not listed. */
static bool root_entry(struct p2p_session *s, const char *name,
		       struct p2p_dirent *out)
{
	struct p2p_readdir_reply rr;
	struct p2p_dirent d;
	uint64_t cookie = 0;
	int rounds = 0;

	do {
		if (p2p_readdir(s, export, "", cookie, 0, buf, sizeof(buf), &rr))
			return false;
		while (!p2p_next_dirent(&rr.entries, &d)) {
			if (d.name.len == strlen(name) &&
			    !memcmp(d.name.s, name, d.name.len)) {
				*out = d;
				return true;
			}
		}
		cookie = rr.cookie;
	} while (!rr.end && ++rounds < 100);
	return false;
}

static bool mnt_listed(struct rq *q)
{
	struct p2p_dirent d;
	bool listed = root_entry(&q->s, "mnt", &d);

	note(q, "type %u mode %o", listed ? d.type : 0, listed ? d.mode : 0);
	return listed && d.type == P2P_FTYPE_OTHER && !d.mode && !d.size &&
	       !d.mtime_sec && !d.mtime_nsec;
}

static bool sublink_listed(struct rq *q)
{
	struct p2p_dirent d;

	return root_entry(&q->s, "sublink", &d) &&
	       d.type == P2P_FTYPE_SYMLINK;
}

/* 3 MiB of random bytes to up.bin, through the client library. */
static bool put_big(struct rq *q)
{
	int ret;

	randombytes_buf(big, sizeof(big));
	ret = p2p_put_begin(&q->s, export, "up.bin", sizeof(big), 0640);
	if (!ret)
		ret = p2p_put_data(&q->s, big, sizeof(big));
	if (!ret)
		ret = p2p_put_end(&q->s);
	note(q, "%s %s", errname(ret), q->s.err.msg);
	return ret == 0;
}

static bool client_refuses_root(struct rq *q)
{
	int ret = p2p_put_begin(&q->s, export, "", 1, 0600);

	note(q, "%s", errname(ret));
	return ret == -EISDIR;
}

static bool no_leftovers(struct rq *q)
{
	static const char *const never[] = {
		"never-tag.bin", "never-over.bin", "never-short.bin",
		"never-tag0.bin", "sub/x",
	};
	struct p2p_fattr a;

	for (size_t i = 0; i < ARRAY_SIZE(never); i++) {
		if (p2p_stat(&q->s, export, never[i], &a) != -EREMOTEIO ||
		    q->s.err.code != ENOENT) {
			note(q, "%s: %s", never[i], errname(q->s.err.code));
			return false;
		}
	}
	return true;
}

/* A path of one 256-byte component, filled in by request_tests(). */
static char c256[257];
#define FRAMES(...)	((const char *const[]){ __VA_ARGS__, NULL })

enum {
	LIST = P2P_OP_LIST_EXPORTS,
	STAT = P2P_OP_STAT,
	READDIR = P2P_OP_READDIR,
	READ = P2P_OP_READ,
	PUT = P2P_OP_PUT_BEGIN,
};

static const struct req_case req_cases[] = {
	/* LIST_EXPORTS, STAT; errors leave the connection usable */
	{ "LIST_EXPORTS: one export", .op = LIST,
	  .check = one_export },
	{ "LIST_EXPORTS: %s, read-write", .op = LIST,
	  .check = export_rw },
	{ "LIST_EXPORTS with a body: EINVAL", .op = LIST, .raw = "x", .raw_len = 1,
	  .err = EINVAL },
	{ "STAT of the root: a directory", .op = STAT, .path = "", .check = is_dir },
	{ "STAT hello.txt: regular, 6 bytes, 0644", .op = STAT, .path = "hello.txt",
	  .check = is_hello },
	{ "STAT link: the symlink itself", .op = STAT, .path = "link",
	  .check = is_symlink },
	{ "STAT missing: ENOENT", .op = STAT, .path = "missing", .err = ENOENT },
	{ "STAT of no export: ENOENT \"no such export\"", .op = STAT, .exp = "nope",
	  .path = "", .err = ENOENT, .check = no_export_msg },
	{ "STAT with a trailing byte: EINVAL", .op = STAT, .path = "hello.txt",
	  .trailing = true, .err = EINVAL },
	{ "path a/..: EINVAL", .op = STAT, .path = "a/..", .err = EINVAL },
	{ "256-byte component: ENAMETOOLONG", .op = STAT, .path = c256,
	  .err = ENAMETOOLONG },
	{ "unknown op 0x42: ENOSYS", .op = 0x42, .raw = "xyz", .raw_len = 3,
	  .err = ENOSYS },
	{ "the connection is still usable after those errors", .op = STAT,
	  .path = "hello.txt" },
	/* pipelining */
	{ "three pipelined requests: replies in order, tags echoed",
	  .run = pipeline3 },
	{ "300 pipelined requests in one write, one oversized: replies in order",
	  .run = pipeline300 },
	{ "after the pipeline: STAT hello.txt", .op = STAT, .path = "hello.txt",
	  .check = is_6_bytes },
	/* READDIR */
	{ "READDIR sub, 7 at a time: 20 entries in several replies",
	  .run = readdir_sub },
	{ "READDIR of a file: ENOTDIR", .op = READDIR, .path = "hello.txt",
	  .err = ENOTDIR },
	{ "READDIR from the cookie of the last reply: count 0, end 1", .op = READDIR,
	  .path = "sub", .last_cookie = true, .check = readdir_at_end },
	{ "READDIR cookie 2^63: EINVAL", .op = READDIR, .path = "sub", .a = 1ULL << 63,
	  .err = EINVAL },
	{ "READDIR cookie 2^64 - 1: EINVAL", .op = READDIR, .path = "sub",
	  .a = UINT64_MAX, .err = EINVAL },
	/* READ */
	{ "READ hello.txt to EOF", .op = READ, .path = "hello.txt",
	  .b = P2P_READ_TO_EOF, .check = read_hello },
	{ "READ of a range (2 bytes at 2)", .op = READ, .path = "hello.txt", .a = 2,
	  .b = 2, .check = read_ll },
	{ "READ past EOF: total 0", .op = READ, .path = "hello.txt", .a = 100, .b = 5,
	  .check = read_nothing },
	{ "READ of a directory: EISDIR", .op = READ, .path = "sub", .b = 5,
	  .err = EISDIR },
	{ "READ of a symlink: ELOOP", .op = READ, .path = "link", .b = 5,
	  .err = ELOOP },
	{ "READ through a symlink: ELOOP", .op = READ, .path = "link/x", .b = 5,
	  .err = ELOOP },
	{ "READ through a symlinked directory: ELOOP", .op = READ,
	  .path = "sublink/f1", .b = 5, .err = ELOOP },
	{ "STAT fifo: type 4, other", .op = STAT, .path = "fifo", .check = is_other },
	{ "READ of a fifo: EINVAL, without blocking", .op = READ, .path = "fifo",
	  .b = 5, .err = EINVAL },
	/* section 5: a mount point inside the export */
	{ "READDIR lists the mount point mnt as type 4 (other) with zeros",
	  .run = mnt_listed },
	{ "STAT of the mount point: EXDEV", .op = STAT, .path = "mnt", .err = EXDEV },
	{ "READDIR of the mount point: EXDEV", .op = READDIR, .path = "mnt",
	  .err = EXDEV },
	{ "READDIR lists sublink as a symlink", .run = sublink_listed },
	{ "still usable after those errors", .op = STAT, .path = "hello.txt" },
	/* PUT, and READ_DATA's framing */
	{ "PUT of 3 MiB", .run = put_big },
	{ "READ back the 3 MiB", .op = READ, .path = "up.bin", .b = P2P_READ_TO_EOF,
	  .check = read_big },
	{ "READ_DATA: frames of at most 1 MiB adding up to total", .op = READ,
	  .path = "up.bin", .a = 1, .b = P2P_READ_TO_EOF, .check = read_frames },
	{ "READ of length 0: total 0, one empty READ_DATA without MORE", .op = READ,
	  .path = "hello.txt", .check = read_zero },
	{ "READ at offset 2^63: EINVAL", .op = READ, .path = "hello.txt",
	  .a = 1ULL << 63, .b = 1, .err = EINVAL },
	{ "PUT of an empty file", .op = PUT, .path = "empty", .b = 0600,
	  .frames = FRAMES("") },
	{ "STAT empty: 0 bytes, mode 600", .op = STAT, .path = "empty",
	  .check = is_empty_600 },
	{ "PUT of the root is refused by the client", .run = client_refuses_root },
	{ "PUT_BEGIN of the root: EISDIR", .op = PUT, .path = "", .a = 1, .b = 0600,
	  .err = EISDIR },
	{ "PUT_BEGIN with mode 01644: EINVAL", .op = PUT, .path = "never-mode.bin",
	  .a = 1, .b = 01644, .err = EINVAL },
	{ "PUT_BEGIN of 2^63 bytes: EFBIG", .op = PUT, .path = "never-big.bin",
	  .a = 1ULL << 63, .b = 0600, .err = EFBIG },
	/* apart: a server that says OK here wants the data */
	{ "PUT_BEGIN onto a directory: EISDIR at once, no OK", .op = PUT, .path = "sub",
	  .a = 1, .b = 0600, .err = EISDIR, .fresh = true },
	{ "still usable after PUT_BEGIN onto a directory", .op = STAT,
	  .path = "hello.txt" },
	{ "PUT_BEGIN through a symlinked directory: ELOOP", .op = PUT,
	  .path = "sublink/x", .a = 1, .b = 0600, .err = ELOOP, .fresh = true },
	{ "PUT_BEGIN through a symlink to a file: ELOOP", .op = PUT, .path = "link/x",
	  .a = 1, .b = 0600, .err = ELOOP },
	{ "PUT_BEGIN into a mount point: EXDEV", .op = PUT, .path = "mnt/x", .a = 1,
	  .b = 0600, .err = EXDEV },
	{ "still usable after the refused PUT_BEGINs", .op = STAT, .path = "hello.txt" },
	/* empty PUT_DATA frames anywhere: allowed, they add nothing */
	{ "PUT of 5 bytes with empty PUT_DATA frames among them: OK", .op = PUT,
	  .path = "gaps.bin", .a = 5, .b = 0644,
	  .frames = FRAMES("", "ab", "", "cde") },
	{ "READ gaps.bin: abcde", .op = READ, .path = "gaps.bin", .b = P2P_READ_TO_EOF,
	  .check = read_abcde },
	/* uploads that go wrong after OK: ERROR with the PUT's tag, close */
	{ "PUT_DATA with another tag: EPROTO with the PUT's tag, then close",
	  .op = PUT, .path = "never-tag.bin", .a = 10, .b = 0600,
	  .frames = FRAMES("0123456789"), .data_tag = TAG_OTHER, .err = EPROTO,
	  .check = then_closed, .fresh = true },
	{ "PUT_DATA beyond the announced size: EPROTO, then close", .op = PUT,
	  .path = "never-over.bin", .a = 4, .b = 0600,
	  .frames = FRAMES("0123456789"), .err = EPROTO, .check = then_closed,
	  .fresh = true },
	{ "a last PUT_DATA short of the size: EPROTO, then close", .op = PUT,
	  .path = "never-short.bin", .a = 10, .b = 0600,
	  .frames = FRAMES("01234"), .err = EPROTO, .check = then_closed,
	  .fresh = true },
	{ "PUT_DATA with tag 0: EPROTO with the PUT's tag, then close", .op = PUT,
	  .path = "never-tag0.bin", .a = 10, .b = 0600,
	  .frames = FRAMES("0123456789"), .data_tag = TAG_ZERO, .err = EPROTO,
	  .check = then_closed, .fresh = true },
	{ "a failed PUT leaves no file under its name", .run = no_leftovers,
	  .fresh = true },
	{ "sub is still a directory", .op = STAT, .path = "sub", .check = is_dir },
};

static void request_tests(void)
{
	struct rq q = { .fd = -1, .next_tag = 100 };
	const struct req_case *c;

	memset(c256, 'a', 256);
	for (c = req_cases; c < req_cases + ARRAY_SIZE(req_cases); c++) {
		bool ok;

		if (q.fd < 0 || c->fresh) {
			if (q.fd >= 0)
				close(q.fd);
			q.fd = session(&q.s);
		}
		q.note[0] = '\0';
		q.msg[0] = '\0';
		ok = c->run ? c->run(&q) : request(&q, c);
		tap(ok, c->name, export);
		if (q.note[0])
			printf("#   %s\n", q.note);
	}
	close(q.fd);
}

int main(int argc, char **argv)
{
	int ret;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: dp_conformance HOST PORT USER KEYFILE EXPORT [GROUP]\n");
		return 2;
	}
	host = argv[1];
	port = atoi(argv[2]);
	user = argv[3];
	export = argv[5];
	if (noise_init() || (ret = load_key(argv[4], priv))) {
		printf("Bail out! cannot read the key in %s\n", argv[4]);
		return 1;
	}
	puts("TAP version 13");
	if (argc == 7 && !strcmp(argv[6], "lowkey")) {
		lowkey_tests();
	} else if (argc == 7 && !strcmp(argv[6], "cipher")) {
		cipher_tests();
	} else if (argc == 7) {
		printf("Bail out! no group %s\n", argv[6]);
		return 2;
	} else {
		handshake_tests();
		cipher_tests();
		lowkey_tests();
		header_tests();
		request_tests();
	}
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
