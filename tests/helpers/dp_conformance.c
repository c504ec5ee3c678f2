// SPDX-License-Identifier: GPL-2.0
/*
 * dp_conformance: the protocol conformance suite (docs/PROTOCOL.md), run
 * against any p2pshare server: the kernel module (dp_conformance.sh) and
 * later the userspace twin. Plain TAP on stdout.
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
 * The suite adds up.bin, empty, gaps.bin and never-*.bin there.
 *
 * With a sixth argument GROUP it runs one group of checks alone:
 * "lowkey" (HANDSHAKE1 with a low-order ephemeral key, sec8_spec.sh),
 * "cipher" (the cipher offer and choice, bytes after HANDSHAKE1).
 */
#include <stdarg.h>

#include "dp_client.h"

#define TIMEOUT_S	20

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

/* PUT_BEGIN of PATH in the export, SIZE bytes of MODE, with tag TAG. */
static void put_begin(int fd, struct body *b, const char *path, uint64_t size,
		      uint32_t mode, uint32_t tag)
{
	b->len = 0;
	b_target(b, bstr(export), bstr(path));
	b_u64(b, size);
	b_u32(b, mode);
	p2p_send_frame(fd, P2P_OP_PUT_BEGIN, 0, tag, b->b, b->len);
}

/* HELLO (2..2) by hand as USER; the HELLO_REPLY, or false. */
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

/* Section 5: a mount point inside the export. */
static void mount_tests(struct p2p_session *s)
{
	struct p2p_readdir_reply rr;
	struct p2p_dirent d;
	struct p2p_fattr a;
	bool listed;
	int ret;

	listed = root_entry(s, "mnt", &d);
	tap(listed && d.type == P2P_FTYPE_OTHER && !d.mode && !d.size &&
	    !d.mtime_sec && !d.mtime_nsec,
	    "READDIR lists the mount point mnt as type 4 (other) with zeros (type %u mode %o)",
	    listed ? d.type : 0, listed ? d.mode : 0);
	ret = p2p_stat(s, export, "mnt", &a);
	tap(ret == -EREMOTEIO && s->err.code == EXDEV, "STAT of the mount point: EXDEV");
	ret = p2p_readdir(s, export, "mnt", 0, 0, buf, sizeof(buf), &rr);
	tap(ret == -EREMOTEIO && s->err.code == EXDEV, "READDIR of the mount point: EXDEV");
	listed = root_entry(s, "sublink", &d);
	tap(listed && d.type == P2P_FTYPE_SYMLINK,
	    "READDIR lists sublink as a symlink");
}

/* Sections 4, 7, 8: requests, on one connection as long as it lives. */
static void request_tests(void)
{
	struct p2p_list_reply lr;
	struct p2p_export_ent e;
	struct p2p_readdir_reply rr;
	struct p2p_read_reply rd;
	struct p2p_dirent d;
	struct p2p_fattr a;
	struct p2p_session s = { 0 };
	struct p2p_frame f;
	struct body b;
	static uint8_t big[3 << 20], back[3 << 20];
	char txt[64] = "";
	uint32_t code;
	ssize_t got;
	size_t off;
	int fd, ret;

	fd = session(&s);
	ret = p2p_list_exports(&s, buf, sizeof(buf), &lr);
	tap(!ret && lr.count == 1 && !lr.flags, "LIST_EXPORTS: one export (%d, %u)",
	    ret, lr.count);
	if (!ret && lr.count)
		p2p_next_export(&lr.entries, &e);
	tap(!ret && lr.count && e.access == P2P_ACCESS_RW &&
	    e.name.len == strlen(export) && !memcmp(e.name.s, export, e.name.len),
	    "LIST_EXPORTS: %s, read-write", export);
	p2p_send_frame(fd, P2P_OP_LIST_EXPORTS, 0, 50, "x", 1);
	tap(error_is(fd, EINVAL, 50), "LIST_EXPORTS with a body: EINVAL");

	ret = p2p_stat(&s, export, "", &a);
	tap(!ret && a.type == P2P_FTYPE_DIR, "STAT of the root: a directory");
	ret = p2p_stat(&s, export, "hello.txt", &a);
	tap(!ret && a.type == P2P_FTYPE_REG && a.size == 6 && a.mode == 0644 &&
	    a.nlink >= 1 && a.mtime_nsec < 1000000000,
	    "STAT hello.txt: regular, 6 bytes, 0644 (ret %d size %llu mode %o)",
	    ret, (unsigned long long)a.size, a.mode);
	ret = p2p_stat(&s, export, "link", &a);
	tap(!ret && a.type == P2P_FTYPE_SYMLINK, "STAT link: the symlink itself");
	ret = p2p_stat(&s, export, "missing", &a);
	tap(ret == -EREMOTEIO && s.err.code == ENOENT, "STAT missing: ENOENT");
	ret = p2p_stat(&s, "nope", "", &a);
	tap(ret == -EREMOTEIO && s.err.code == ENOENT &&
	    !strcmp(s.err.msg, "no such export"), "STAT of no export: ENOENT \"no such export\"");
	stat_req(&b, "hello.txt");
	b_u8(&b, 0);
	p2p_send_frame(fd, P2P_OP_STAT, 0, 51, b.b, b.len);
	tap(error_is(fd, EINVAL, 51), "STAT with a trailing byte: EINVAL");
	stat_req(&b, "a/..");
	p2p_send_frame(fd, P2P_OP_STAT, 0, 52, b.b, b.len);
	tap(error_is(fd, EINVAL, 52), "path a/..: EINVAL");
	{
		char c256[257];

		memset(c256, 'a', 256);
		c256[256] = '\0';
		stat_req(&b, c256);
		p2p_send_frame(fd, P2P_OP_STAT, 0, 53, b.b, b.len);
		tap(error_is(fd, ENAMETOOLONG, 53), "256-byte component: ENAMETOOLONG");
	}
	p2p_send_frame(fd, 0x42, 0, 54, "xyz", 3);
	tap(error_is(fd, ENOSYS, 54), "unknown op 0x42: ENOSYS");
	ret = p2p_stat(&s, export, "hello.txt", &a);
	tap(ret == 0, "the connection is still usable after those errors");

	/* pipelining: three requests, then three replies in order */
	stat_req(&b, "hello.txt");
	p2p_send_frame(fd, P2P_OP_STAT, 0, 61, b.b, b.len);
	stat_req(&b, "missing");
	p2p_send_frame(fd, P2P_OP_STAT, 0, 62, b.b, b.len);
	stat_req(&b, "sub");
	p2p_send_frame(fd, P2P_OP_STAT, 0, 63, b.b, b.len);
	{
		bool ok = !recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0) &&
			  f.op == P2P_OP_STAT_REPLY && f.tag == 61;

		ok = ok && error_is(fd, ENOENT, 62);
		ok = ok && !recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0) &&
		     f.op == P2P_OP_STAT_REPLY && f.tag == 63;
		tap(ok, "three pipelined requests: replies in order, tags echoed");
	}

	/*
	 * A deep pipeline in one write: 300 requests, 30 KiB, more than a
	 * server holds at once (frames straddle its reads), one of them with
	 * an oversized body; every reply in order, then business as usual.
	 */
	{
		static uint8_t out[64 * 1024];
		struct p2p_frame h;
		char longp[201];
		size_t used = 0;
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
		ok = !p2p_write_full(fd, out, used);
		for (i = 0; i < 300 && ok; i++) {
			if (i == 150)
				ok = error_is(fd, EINVAL, 1000 + i);
			else if (i % 2)
				ok = error_is(fd, ENOENT, 1000 + i);
			else
				ok = !recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0) &&
				     f.op == P2P_OP_STAT_REPLY && f.tag == 1000u + i;
		}
		tap(ok, "300 pipelined requests in one write (%zu bytes), one oversized: replies in order (%d)",
		    used, i);
		ret = p2p_stat(&s, export, "hello.txt", &a);
		tap(!ret && a.size == 6, "after the pipeline: STAT hello.txt (%d)", ret);
	}

	uint64_t cookie = 0;
	int n = 0, rounds = 0;
	bool small = true;

	do {
		ret = p2p_readdir(&s, export, "sub", cookie, 7, buf, sizeof(buf), &rr);
		if (ret)
			break;
		small = small && rr.count <= 7;
		while (!p2p_next_dirent(&rr.entries, &d))
			n++;
		cookie = rr.cookie;
		rounds++;
	} while (!rr.end && rounds < 100);
	tap(!ret && n == 20 && rounds >= 3 && small,
	    "READDIR sub, 7 at a time: 20 entries in %d replies", rounds);
	ret = p2p_readdir(&s, export, "hello.txt", 0, 0, buf, sizeof(buf), &rr);
	tap(ret == -EREMOTEIO && s.err.code == ENOTDIR, "READDIR of a file: ENOTDIR");
	ret = p2p_readdir(&s, export, "sub", cookie, 0, buf, sizeof(buf), &rr);
	tap(!ret && rr.count == 0 && rr.end,
	    "READDIR from the cookie of the last reply: count 0, end 1 (%d %u)",
	    ret, rr.count);
	ret = p2p_readdir(&s, export, "sub", 1ULL << 63, 0, buf, sizeof(buf), &rr);
	tap(ret == -EREMOTEIO && s.err.code == EINVAL, "READDIR cookie 2^63: EINVAL");
	ret = p2p_readdir(&s, export, "sub", UINT64_MAX, 0, buf, sizeof(buf), &rr);
	tap(ret == -EREMOTEIO && s.err.code == EINVAL, "READDIR cookie 2^64 - 1: EINVAL");

	ret = p2p_read_begin(&s, export, "hello.txt", 0, P2P_READ_TO_EOF, &rd);
	got = ret ? ret : p2p_read_data(&s, txt, sizeof(txt));
	tap(ret == 0 && rd.total == 6 && rd.size == 6 && got == 6 &&
	    !memcmp(txt, "hello\n", 6) && p2p_read_data(&s, txt, 1) == 0,
	    "READ hello.txt to EOF");
	ret = p2p_read_begin(&s, export, "hello.txt", 2, 2, &rd);
	got = ret ? ret : p2p_read_data(&s, txt, sizeof(txt));
	tap(ret == 0 && rd.total == 2 && got == 2 && !memcmp(txt, "ll", 2) &&
	    p2p_read_data(&s, txt, 1) == 0, "READ of a range (2 bytes at 2)");
	ret = p2p_read_begin(&s, export, "hello.txt", 100, 5, &rd);
	got = ret ? ret : p2p_read_data(&s, txt, sizeof(txt));
	tap(ret == 0 && rd.total == 0 && got == 0, "READ past EOF: total 0");
	ret = p2p_read_begin(&s, export, "sub", 0, 5, &rd);
	tap(ret == -EREMOTEIO && s.err.code == EISDIR, "READ of a directory: EISDIR");
	ret = p2p_read_begin(&s, export, "link", 0, 5, &rd);
	tap(ret == -EREMOTEIO && s.err.code == ELOOP, "READ of a symlink: ELOOP");
	ret = p2p_read_begin(&s, export, "link/x", 0, 5, &rd);
	tap(ret == -EREMOTEIO && s.err.code == ELOOP,
	    "READ through a symlink: ELOOP (%u %s)", s.err.code, s.err.msg);
	ret = p2p_read_begin(&s, export, "sublink/f1", 0, 5, &rd);
	tap(ret == -EREMOTEIO && s.err.code == ELOOP,
	    "READ through a symlinked directory: ELOOP (%u %s)", s.err.code,
	    s.err.msg);
	ret = p2p_stat(&s, export, "fifo", &a);
	tap(!ret && a.type == P2P_FTYPE_OTHER, "STAT fifo: type 4, other");
	ret = p2p_read_begin(&s, export, "fifo", 0, 5, &rd);
	tap(ret == -EREMOTEIO && s.err.code == EINVAL,
	    "READ of a fifo: EINVAL, without blocking (%u %s)", s.err.code,
	    s.err.msg);
	mount_tests(&s);
	tap(!p2p_stat(&s, export, "hello.txt", &a), "still usable after those errors");

	randombytes_buf(big, sizeof(big));
	ret = p2p_put_begin(&s, export, "up.bin", sizeof(big), 0640);
	if (!ret)
		ret = p2p_put_data(&s, big, sizeof(big));
	if (!ret)
		ret = p2p_put_end(&s);
	tap(ret == 0, "PUT of 3 MiB (%d %u %s)", ret, s.err.code, s.err.msg);
	ret = p2p_read_begin(&s, export, "up.bin", 0, P2P_READ_TO_EOF, &rd);
	off = 0;
	while (!ret && (got = p2p_read_data(&s, back + off, sizeof(back) - off)) > 0)
		off += got;
	tap(ret == 0 && off == sizeof(big) && !memcmp(big, back, off),
	    "READ back the 3 MiB (%zu bytes)", off);

	/* READ_DATA framing, by hand: <= 1 MiB, MORE on all but the last */
	b.len = 0;
	b_target(&b, bstr(export), bstr("up.bin"));
	b_u64(&b, 1);
	b_u64(&b, P2P_READ_TO_EOF);
	p2p_send_frame(fd, P2P_OP_READ, 0, 70, b.b, b.len);
	{
		uint64_t sum = 0, total = 0;
		int frames = 0;
		bool ok;

		ok = !recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0) &&
		     f.op == P2P_OP_READ_REPLY && !p2p_dec_read_reply(buf, f.len, &rd);
		total = rd.total;
		while (ok) {
			ok = !p2p_recv_frame(fd, true, &f, buf, sizeof(buf)) &&
			     f.op == P2P_OP_READ_DATA && f.tag == 70 &&
			     f.len <= P2P_MAX_DATA_CHUNK &&
			     (f.len || !(f.flags & P2P_F_MORE));
			sum += f.len;
			frames++;
			if (!(f.flags & P2P_F_MORE))
				break;
		}
		tap(ok && sum == total && total == sizeof(big) - 1 && frames >= 3,
		    "READ_DATA: %d frames of at most 1 MiB adding up to total",
		    frames);
	}
	b.len = 0;
	b_target(&b, bstr(export), bstr("hello.txt"));
	b_u64(&b, 0);
	b_u64(&b, 0);
	p2p_send_frame(fd, P2P_OP_READ, 0, 71, b.b, b.len);
	tap(!recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0) &&
	    f.op == P2P_OP_READ_REPLY && !p2p_dec_read_reply(buf, f.len, &rd) &&
	    rd.total == 0 && rd.size == 6 &&
	    !p2p_recv_frame(fd, true, &f, buf, sizeof(buf)) &&
	    f.op == P2P_OP_READ_DATA && f.len == 0 && !f.flags,
	    "READ of length 0: total 0, one empty READ_DATA without MORE");
	b.len = 0;
	b_target(&b, bstr(export), bstr("hello.txt"));
	b_u64(&b, 1ULL << 63);
	b_u64(&b, 1);
	p2p_send_frame(fd, P2P_OP_READ, 0, 72, b.b, b.len);
	tap(error_is(fd, EINVAL, 72), "READ at offset 2^63: EINVAL");

	ret = p2p_put_begin(&s, export, "empty", 0, 0600);
	if (!ret)
		ret = p2p_put_end(&s);
	tap(ret == 0, "PUT of an empty file (%d)", ret);
	ret = p2p_stat(&s, export, "empty", &a);
	tap(ret == 0 && a.size == 0 && a.mode == 0600, "STAT empty: 0 bytes, mode %o",
	    a.mode);
	ret = p2p_put_begin(&s, export, "", 1, 0600);
	tap(ret == -EISDIR, "PUT of the root is refused by the client (%d)", ret);
	put_begin(fd, &b, "", 1, 0600, 73);
	tap(error_is(fd, EISDIR, 73), "PUT_BEGIN of the root: EISDIR");
	put_begin(fd, &b, "never-mode.bin", 1, 01644, 74);
	tap(error_is(fd, EINVAL, 74), "PUT_BEGIN with mode 01644: EINVAL");
	put_begin(fd, &b, "never-big.bin", 1ULL << 63, 0600, 75);
	tap(error_is(fd, EFBIG, 75), "PUT_BEGIN of 2^63 bytes: EFBIG");
	{
		/* apart: a server that says OK here wants the data */
		struct p2p_session s2 = { 0 };
		int fd2 = session(&s2);

		ret = p2p_put_begin(&s2, export, "sub", 1, 0600);
		tap(ret == -EREMOTEIO && s2.err.code == EISDIR,
		    "PUT_BEGIN onto a directory: EISDIR at once, no OK (%d %u)",
		    ret, s2.err.code);
		ret = ret ? p2p_stat(&s2, export, "hello.txt", &a) : -1;
		tap(ret == 0, "still usable after PUT_BEGIN onto a directory");
		close(fd2);
	}
	ret = p2p_put_begin(&s, export, "sublink/x", 1, 0600);
	tap(ret == -EREMOTEIO && s.err.code == ELOOP,
	    "PUT_BEGIN through a symlinked directory: ELOOP (%d %u)", ret,
	    s.err.code);
	ret = p2p_put_begin(&s, export, "link/x", 1, 0600);
	tap(ret == -EREMOTEIO && s.err.code == ELOOP,
	    "PUT_BEGIN through a symlink to a file: ELOOP (%d %u)", ret,
	    s.err.code);
	ret = p2p_put_begin(&s, export, "mnt/x", 1, 0600);
	tap(ret == -EREMOTEIO && s.err.code == EXDEV,
	    "PUT_BEGIN into a mount point: EXDEV (%d %u)", ret, s.err.code);
	ret = p2p_stat(&s, export, "hello.txt", &a);
	tap(ret == 0, "still usable after the refused PUT_BEGINs");

	/* empty PUT_DATA frames anywhere: allowed, they add nothing */
	put_begin(fd, &b, "gaps.bin", 5, 0644, 76);
	recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0);
	p2p_send_frame(fd, P2P_OP_PUT_DATA, P2P_F_MORE, 76, NULL, 0);
	p2p_send_frame(fd, P2P_OP_PUT_DATA, P2P_F_MORE, 76, "ab", 2);
	p2p_send_frame(fd, P2P_OP_PUT_DATA, P2P_F_MORE, 76, NULL, 0);
	p2p_send_frame(fd, P2P_OP_PUT_DATA, 0, 76, "cde", 3);
	ret = f.op == P2P_OP_OK &&
	      !recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0) &&
	      f.op == P2P_OP_OK && f.tag == 76;
	tap(ret, "PUT of 5 bytes with empty PUT_DATA frames among them: OK");
	ret = p2p_read_begin(&s, export, "gaps.bin", 0, P2P_READ_TO_EOF, &rd);
	got = ret ? ret : p2p_read_data(&s, txt, sizeof(txt));
	tap(ret == 0 && got == 5 && !memcmp(txt, "abcde", 5),
	    "READ gaps.bin: abcde");
	close(fd);

	/* uploads that go wrong after OK: ERROR with the PUT's tag, close */
	fd = session(&s);
	put_begin(fd, &b, "never-tag.bin", 10, 0600, 80);
	recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0);
	p2p_send_frame(fd, P2P_OP_PUT_DATA, 0, 81, "0123456789", 10);
	tap(f.op == P2P_OP_OK && error_is(fd, EPROTO, 80) && closed(fd),
	    "PUT_DATA with another tag: EPROTO with the PUT's tag, then close");
	close(fd);
	fd = session(&s);
	put_begin(fd, &b, "never-over.bin", 4, 0600, 82);
	recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0);
	p2p_send_frame(fd, P2P_OP_PUT_DATA, 0, 82, "0123456789", 10);
	tap(f.op == P2P_OP_OK && error_is(fd, EPROTO, 82) && closed(fd),
	    "PUT_DATA beyond the announced size: EPROTO, then close");
	close(fd);
	fd = session(&s);
	put_begin(fd, &b, "never-short.bin", 10, 0600, 83);
	recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0);
	p2p_send_frame(fd, P2P_OP_PUT_DATA, 0, 83, "01234", 5);
	tap(f.op == P2P_OP_OK && error_is(fd, EPROTO, 83) && closed(fd),
	    "a last PUT_DATA short of the size: EPROTO, then close");
	close(fd);
	fd = session(&s);
	put_begin(fd, &b, "never-tag0.bin", 10, 0600, 84);
	recv_reply(fd, &f, buf, sizeof(buf), &code, NULL, 0);
	send_hdr(fd, 10, P2P_OP_PUT_DATA, 0, 0, 0);
	p2p_write_full(fd, "0123456789", 10);
	tap(f.op == P2P_OP_OK && error_is(fd, EPROTO, 84) && closed(fd),
	    "PUT_DATA with tag 0: EPROTO with the PUT's tag, then close");
	close(fd);
	fd = session(&s);
	{
		static const char *const never[] = {
			"never-tag.bin", "never-over.bin", "never-short.bin",
			"never-tag0.bin", "sub/x",
		};
		bool none = true;

		for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
			none = none && p2p_stat(&s, export, never[i], &a) == -EREMOTEIO &&
			       s.err.code == ENOENT;
		tap(none, "a failed PUT leaves no file under its name");
	}
	ret = p2p_stat(&s, export, "sub", &a);
	tap(!ret && a.type == P2P_FTYPE_DIR, "sub is still a directory");
	close(fd);
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
