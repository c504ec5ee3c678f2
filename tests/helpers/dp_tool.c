// SPDX-License-Identifier: GPL-2.0
/*
 * dp_tool: a raw protocol client for the data-plane tests (dp_*.sh).
 *
 *   dp_tool SUBCMD HOST PORT USER KEYFILE [ARGS...]
 *
 * EXPORT and PATH are sent exactly as given, without the client library's
 * checks; "\xHH" stands for any byte ("\x00": NUL), "\\" for a
 * backslash and an argument "" for the empty string.  Request subcommands
 * print one line on stdout: "ok ...", the errno name of the server's ERROR
 * (ENOENT, ELOOP...) with its message on stderr, or "closed" if the server
 * hung up instead.  Exit status 0 then; 2 when the connection or the
 * handshake failed.
 *
 *   stat EXPORT PATH                 ok TYPE SIZE MODE
 *   blocks EXPORT PATH               ok complete BLOCKS, or ok partial
 *                                    BLOCKS I,J,... (the blocks here; "-")
 *   readdir EXPORT PATH [MAX]        ok ENTRIES PIECES (every piece read)
 *   read EXPORT PATH OFFSET LEN      ok TOTAL SHA256 (of the data), or an
 *                                    ERROR inside the data: "ERRNO after
 *                                    BYTES"
 *   range EXPORT PATH OFFSET LEN     the bytes on stdout (exit 1 on ERROR)
 *   put EXPORT PATH SIZE [MODE]      ok: SIZE zero bytes uploaded
 *   abort EXPORT PATH SIZE SENT      SENT bytes, then a short last frame
 *   putpartial EXPORT PATH SIZE SENT SENT bytes, "sent", then waits to be
 *                                    killed (an interrupted upload)
 *   putfile EXPORT PATH FILE SENT    PUT of FILE's bytes: SENT of them,
 *                                    "sent", then the rest after SIGUSR1;
 *                                    ok or the ERROR's errno name
 *   putstep EXPORT PATH SIZE SENT    SENT bytes, "sent", then the rest once
 *                                    a line is read on stdin; the reply
 *   batch                            requests from stdin, one a line
 *                                    ("stat EXPORT PATH"...), a result line
 *                                    each, on one connection (a new one
 *                                    after the server closed it)
 *   repeat EXPORT PATH               one STAT per line read on stdin
 *   slowget EXPORT PATH              READ to EOF into a small receive buffer,
 *                                    slowly (fast after SIGUSR1); "started"
 *                                    after READ_REPLY, then "ok TOTAL" or
 *                                    "short GOT/TOTAL REASON" (exit 1)
 *   hold N                           N authenticated connections, "ready",
 *                                    then waits to be killed
 *   idle                             authenticates, then "closed SECONDS"
 *                                    once the server closes the connection
 *   silent                           the same without sending anything
 *   replay                           a HANDSHAKE1 accepted on a first
 *                                    connection, replayed on a second: the
 *                                    reply there
 *   busy                             connects, sends nothing, prints the
 *                                    ERROR a server at its cap sends
 *   hammer N                         N handshakes in a row: a line each (ok
 *                                    or the server's errno), then "time S"
 *   hello USER [VMIN VMAX]           raw HELLO (KEYFILE unused; versions
 *                                    2 2 by default): ok or errno
 *   cipher [LIST]                    a handshake offering LIST (names as
 *                                    p2p_cipher_parse takes them; all by
 *                                    default): the cipher chosen, or the
 *                                    server's errno
 *   garbage N                        authenticates without kTLS on our side
 *                                    (no_records), sends a record header
 *                                    and N random bytes: "closed" if the
 *                                    server closed sending nothing, else
 *                                    "sent BYTES"
 *   tamper-put EXPORT PATH SIZE SENT records made here (ChaCha20-Poly1305,
 *                                    libsodium): PUT_BEGIN, its OK, SENT
 *                                    bytes of PUT_DATA, then a record with
 *                                    one bit flipped: "closed" or "sent
 *                                    BYTES" as for garbage
 *   ktls-vector FILE                 (HOST, PORT, USER, KEYFILE unused)
 *                                    the kernel's TLS records against the
 *                                    vector FILE (p2pshare_v2.txt) over
 *                                    127.0.0.1: "ok CIPHER tx|rx|tamper"
 *                                    lines or "not-ok ..." (exit 1)
 *   ktls-nopad                       (HOST, PORT, USER, KEYFILE unused) a
 *                                    receiver set up as the lib's clients
 *                                    are (p2p_ktls_start) reads a record,
 *                                    then one with 255 padding zeros, made
 *                                    here: "ok|not-ok unpadded|
 *                                    padded (...)" lines (exit 1 on not-ok)
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

#include "dp_client.h"
#include "ktls.h"
#include <linux/tls.h>

#define IO_TIMEOUT_S	20

static const char *host, *user, *keyfile;
static int port;
static uint8_t priv[P2P_KEY_LEN];
static uint8_t buf[P2P_MAX_DATA_CHUNK + P2P_HDR_LEN];
static uint32_t tag = 100;

static void __attribute__((noreturn)) die(const char *what, int err)
{
	fprintf(stderr, "dp_tool: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(2);
}

/* A connected, authenticated session. */
static int session(struct p2p_session *s, int rcvbuf, int timeout_s)
{
	uint8_t hk[P2P_KEY_LEN];
	int fd, ret;

	fd = dial(host, port, rcvbuf, timeout_s);
	if (fd < 0)
		die("connect", fd);
	memset(s, 0, sizeof(*s));
	ret = p2p_client_connect(fd, user, priv, NULL, hk, s);
	if (ret) {
		fprintf(stderr, "dp_tool: handshake: %s %s\n", strerror(-ret),
			s->err.msg);
		exit(2);
	}
	return fd;
}

/* The server closed (or will close) the connection. */
static bool hung_up;

/* Print the outcome of a failed or refused request; 0. */
static int report(int ret, uint32_t code, const char *msg)
{
	hung_up = ret || code == EPROTO || code == EMSGSIZE;
	if (ret == -ESHUTDOWN || ret == -ECONNRESET) {
		puts("closed");
	} else if (ret) {
		printf("local-error %s\n", strerror(-ret));
	} else {
		puts(errname(code));
		fprintf(stderr, "dp_tool: server: %s (%s)\n", msg, errname(code));
	}
	return 0;
}

/* Send a request, get its first reply; *code set for an ERROR. */
static int call(int fd, uint8_t op, const struct body *b, struct p2p_frame *f,
		uint32_t *code, char *msg, size_t msgcap)
{
	int ret;

	ret = p2p_send_frame(fd, op, 0, ++tag, b->b, b->len);
	if (ret)
		return ret;
	return recv_reply(fd, f, buf, sizeof(buf), code, msg, msgcap);
}

static int do_stat(int fd, struct bstr exp, struct bstr path)
{
	struct body b = { .len = 0 };
	struct p2p_frame f;
	struct p2p_fattr a;
	char msg[P2P_ERRMSG_MAX + 1];
	uint32_t code;
	int ret;

	b_target(&b, exp, path);
	ret = call(fd, P2P_OP_STAT, &b, &f, &code, msg, sizeof(msg));
	if (ret || code)
		return report(ret, code, msg);
	if (f.op != P2P_OP_STAT_REPLY || p2p_dec_attr(buf, f.len, &a))
		return report(-EPROTO, 0, NULL);
	printf("ok %u %llu %04o\n", a.type, (unsigned long long)a.size, a.mode);
	return 0;
}

/* BLOCKS: "ok complete BLOCKS" or "ok partial BLOCKS I,J,..." ("-": none). */
static int do_blocks(int fd, struct bstr exp, struct bstr path)
{
	struct body b = { .len = 0 };
	struct p2p_blocks_reply r;
	struct p2p_frame f;
	char msg[P2P_ERRMSG_MAX + 1];
	uint32_t code, i, n = 0;
	int ret;

	b_target(&b, exp, path);
	ret = call(fd, P2P_OP_BLOCKS, &b, &f, &code, msg, sizeof(msg));
	if (ret || code)
		return report(ret, code, msg);
	if (f.op != P2P_OP_BLOCKS_REPLY || p2p_dec_blocks_reply(buf, f.len, &r))
		return report(-EPROTO, 0, NULL);
	if (r.flags & P2P_BLOCKS_COMPLETE) {
		printf("ok complete %u\n", r.blocks);
		return 0;
	}
	printf("ok partial %u ", r.blocks);
	for (i = 0; i < r.blocks; i++)
		if (r.map[i / 8] & (1u << (i % 8)))
			printf("%s%u", n++ ? "," : "", i);
	printf("%s\n", n ? "" : "-");
	return 0;
}

static int do_readdir(int fd, struct bstr exp, struct bstr path, uint32_t max)
{
	struct p2p_readdir_reply r;
	struct p2p_dirent d;
	struct p2p_frame f;
	char msg[P2P_ERRMSG_MAX + 1];
	uint64_t cookie = 0, n = 0, pieces = 0;
	uint32_t code;
	int ret;

	do {
		struct body b = { .len = 0 };

		b_target(&b, exp, path);
		b_u64(&b, cookie);
		b_u32(&b, max);
		ret = call(fd, P2P_OP_READDIR, &b, &f, &code, msg, sizeof(msg));
		if (ret || code)
			return report(ret, code, msg);
		if (f.op != P2P_OP_READDIR_REPLY ||
		    p2p_dec_readdir_reply(buf, f.len, &r) ||
		    (max && r.count > max) || (!r.count && !r.end))
			return report(-EPROTO, 0, NULL);
		while (!p2p_next_dirent(&r.entries, &d))
			n++;
		cookie = r.cookie;
		pieces++;
	} while (!r.end);
	printf("ok %llu %llu\n", (unsigned long long)n,
	       (unsigned long long)pieces);
	return 0;
}

/* An ERROR inside a READ_DATA stream (the record limit): "ERRNO after
 * GOT" on stdout, or with out (range) on stderr and exit status 1. */
static int data_error(const uint8_t *body, uint32_t len, uint64_t got,
		      FILE *out)
{
	struct p2p_error e;

	if (p2p_dec_error(body, len, &e))
		die("data", EPROTO);
	fprintf(out ? stderr : stdout, "%s after %llu\n", errname(e.code),
		(unsigned long long)got);
	fprintf(stderr, "dp_tool: server: %.*s (%s)\n", (int)e.msg.len,
		e.msg.s, errname(e.code));
	if (out)
		exit(1);
	return 0;
}

/* READ: the reply, then every data frame into out (or nowhere). */
static int do_read(int fd, struct bstr exp, struct bstr path, uint64_t off,
		   uint64_t len, FILE *out)
{
	struct body b = { .len = 0 };
	struct p2p_read_reply rr;
	struct p2p_frame f;
	crypto_hash_sha256_state h;
	uint8_t digest[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof(digest) + 1];
	char msg[P2P_ERRMSG_MAX + 1];
	uint64_t got = 0;
	uint32_t code;
	int ret;

	crypto_hash_sha256_init(&h);
	b_target(&b, exp, path);
	b_u64(&b, off);
	b_u64(&b, len);
	ret = call(fd, P2P_OP_READ, &b, &f, &code, msg, sizeof(msg));
	if (ret || code) {
		if (out) {
			fprintf(stderr, "dp_tool: read refused: %s %s\n",
				code ? errname(code) : strerror(-ret), msg);
			exit(1);
		}
		return report(ret, code, msg);
	}
	if (f.op != P2P_OP_READ_REPLY || p2p_dec_read_reply(buf, f.len, &rr))
		return report(-EPROTO, 0, NULL);
	do {
		ret = p2p_recv_frame(fd, true, &f, buf, sizeof(buf));
		if (!ret && f.op == P2P_OP_ERROR && f.tag == tag)
			return data_error(buf, f.len, got, out);
		if (ret || f.op != P2P_OP_READ_DATA || f.tag != tag) {
			fprintf(stderr, "dp_tool: data: %s\n",
				ret ? strerror(-ret) : "unexpected frame");
			exit(1);
		}
		if (out && fwrite(buf, 1, f.len, out) != f.len)
			die("write", errno);
		crypto_hash_sha256_update(&h, buf, f.len);
		got += f.len;
	} while (f.flags & P2P_F_MORE);
	if (got != rr.total) {
		fprintf(stderr, "dp_tool: got %llu of %llu bytes\n",
			(unsigned long long)got, (unsigned long long)rr.total);
		exit(1);
	}
	crypto_hash_sha256_final(&h, digest);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	if (!out)
		printf("ok %llu %s\n", (unsigned long long)rr.total, hex);
	return 0;
}

static int send_zeros(int fd, uint64_t n, bool last)
{
	static const uint8_t zero[65536];
	uint32_t chunk;
	int ret;

	do {
		chunk = n < sizeof(zero) ? n : sizeof(zero);
		n -= chunk;
		ret = p2p_send_frame(fd, P2P_OP_PUT_DATA,
				     n || !last ? P2P_F_MORE : 0, tag, zero,
				     chunk);
	} while (!ret && n);
	return ret;
}

enum put_how { PUT_WHOLE, PUT_ABORT, PUT_PARTIAL, PUT_STEP };

static int do_put(int fd, struct bstr exp, struct bstr path, uint64_t size,
		  uint64_t sent, uint32_t mode, enum put_how how)
{
	struct body b = { .len = 0 };
	struct p2p_frame f;
	char msg[P2P_ERRMSG_MAX + 1];
	uint32_t code;
	int ret;

	b_target(&b, exp, path);
	b_u64(&b, size);
	b_u32(&b, mode);
	ret = call(fd, P2P_OP_PUT_BEGIN, &b, &f, &code, msg, sizeof(msg));
	if (ret || code)
		return report(ret, code, msg);
	if (f.op != P2P_OP_OK)
		return report(-EPROTO, 0, NULL);
	if (how == PUT_WHOLE) {
		ret = send_zeros(fd, size, true);
	} else if (how == PUT_STEP) {
		ret = sent ? send_zeros(fd, sent, false) : 0;
		puts("sent");
		fflush(stdout);
		if (!ret && !fgets((char *)buf, sizeof(buf), stdin))
			ret = -EIO;
		if (!ret)
			ret = send_zeros(fd, size - sent, true);
	} else {
		ret = sent ? send_zeros(fd, sent, false) : 0;
		if (!ret && how == PUT_PARTIAL) {
			puts("sent");
			fflush(stdout);
			for (;;)
				pause();
		}
		if (!ret)	/* an empty last frame: short of size */
			ret = p2p_send_frame(fd, P2P_OP_PUT_DATA, 0, tag,
					     NULL, 0);
	}
	if (!ret)
		ret = recv_reply(fd, &f, buf, sizeof(buf), &code, msg,
				 sizeof(msg));
	if (ret || code)
		return report(ret, code, msg);
	puts(f.op == P2P_OP_OK ? "ok" : "unexpected-reply");
	return 0;
}

static volatile sig_atomic_t go_on;

static void on_go(int sig)
{
	go_on = 1;
}

/* FILE's bytes [from, to) in PUT_DATA frames; MORE unless last. */
static int send_file(int fd, FILE *in, uint64_t from, uint64_t to, bool last)
{
	size_t chunk;
	int ret = 0;

	while (!ret && from < to) {
		chunk = to - from < 65536 ? to - from : 65536;
		if (fread(buf, 1, chunk, in) != chunk)
			return -EIO;
		from += chunk;
		ret = p2p_send_frame(fd, P2P_OP_PUT_DATA,
				     from < to || !last ? P2P_F_MORE : 0, tag,
				     buf, chunk);
	}
	return ret;
}

/* An upload held in flight: SENT bytes, "sent", the rest after SIGUSR1. */
static int do_putfile(int fd, struct bstr exp, struct bstr path,
		      const char *file, uint64_t sent)
{
	struct body b = { .len = 0 };
	char msg[P2P_ERRMSG_MAX + 1];
	struct p2p_frame f;
	uint64_t size;
	sigset_t usr1, none;
	uint32_t code;
	FILE *in;
	int ret;

	sigemptyset(&none);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);	/* until sigsuspend() */
	signal(SIGUSR1, on_go);
	in = fopen(file, "re");
	if (!in || fseek(in, 0, SEEK_END))
		die(file, errno);
	size = ftell(in);
	rewind(in);
	if (sent > size)
		sent = size;
	b_target(&b, exp, path);
	b_u64(&b, size);
	b_u32(&b, 0644);
	ret = call(fd, P2P_OP_PUT_BEGIN, &b, &f, &code, msg, sizeof(msg));
	if (ret || code)
		return report(ret, code, msg);
	if (f.op != P2P_OP_OK)
		return report(-EPROTO, 0, NULL);
	ret = send_file(fd, in, 0, sent, false);
	if (!ret) {
		puts("sent");
		fflush(stdout);
		while (!go_on)
			sigsuspend(&none);
		ret = send_file(fd, in, sent, size, true);
		if (!ret && sent == size)	/* all sent before: end it */
			ret = p2p_send_frame(fd, P2P_OP_PUT_DATA, 0, tag,
					     NULL, 0);
	}
	fclose(in);
	if (!ret)
		ret = recv_reply(fd, &f, buf, sizeof(buf), &code, msg,
				 sizeof(msg));
	if (ret || code)
		return report(ret, code, msg);
	puts(f.op == P2P_OP_OK ? "ok" : "unexpected-reply");
	return 0;
}

static int do_repeat(int fd, struct bstr exp, struct bstr path)
{
	char line[64];

	while (fgets(line, sizeof(line), stdin)) {
		do_stat(fd, exp, path);
		fflush(stdout);
	}
	return 0;
}

static volatile sig_atomic_t fast;

static void on_usr1(int sig)
{
	fast = 1;
}

static int do_slowget(struct p2p_session *s, const char *exp, const char *path)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	struct p2p_read_reply rr;
	uint64_t got = 0;
	ssize_t n;
	int ret;

	signal(SIGUSR1, on_usr1);
	ret = p2p_read_begin(s, exp, path, 0, P2P_READ_TO_EOF, &rr);
	if (ret)
		return report(ret == -EREMOTEIO ? 0 : ret, s->err.code,
			      s->err.msg);
	puts("started");
	fflush(stdout);
	while ((n = p2p_read_data(s, buf, 16384)) > 0) {
		got += n;
		if (!fast)
			nanosleep(&nap, NULL);
	}
	if (n == 0 && got == rr.total) {
		printf("ok %llu\n", (unsigned long long)got);
		return 0;
	}
	printf("short %llu/%llu %s\n", (unsigned long long)got,
	       (unsigned long long)rr.total,
	       n < 0 ? strerror(-n) : "end of data");
	return 1;
}

/* HELLO and HELLO_REPLY by hand; the prologue for the handshake. */
static int hello_by_hand(int fd, struct bstr name, uint16_t vmin,
			 uint16_t vmax, uint8_t *prologue, int *plen,
			 uint8_t host_key[P2P_KEY_LEN])
{
	struct body b = { .len = 0 };
	struct p2p_hello_reply hr;
	struct p2p_hello h = { vmin, vmax, { name.s, name.len } };
	struct p2p_frame f;
	char msg[P2P_ERRMSG_MAX + 1];
	uint32_t code;
	int ret;

	b_u16(&b, vmin);
	b_u16(&b, vmax);
	b_u8(&b, name.len);
	b_bytes(&b, name.s, name.len);
	ret = call(fd, P2P_OP_HELLO, &b, &f, &code, msg, sizeof(msg));
	if (ret || code) {
		report(ret, code, msg);
		return 1;
	}
	if (f.op != P2P_OP_HELLO_REPLY || p2p_dec_hello_reply(buf, f.len, &hr)) {
		report(-EPROTO, 0, NULL);
		return 1;
	}
	if (host_key)
		memcpy(host_key, hr.host_key, P2P_KEY_LEN);
	if (prologue)
		*plen = p2p_prologue(prologue, P2P_MAX_PROLOGUE, &h, hr.version,
				     hr.challenge);
	return 0;
}

/* The handshake by hand on a first connection, keeping its HANDSHAKE1;
 * then that message on a second connection after a fresh HELLO. */
static int do_replay(void)
{
	uint8_t prologue[P2P_MAX_PROLOGUE], hk[P2P_KEY_LEN], msg1[64];
	static const uint8_t offer[P2P_HS_PAYLOAD_LEN] = { 0, 3 };
	struct noise_handshake hs;
	struct p2p_frame f;
	char msg[P2P_ERRMSG_MAX + 1];
	size_t len1;
	uint32_t code;
	int fd, plen, ret;

	fd = dial(host, port, 0, IO_TIMEOUT_S);
	if (fd < 0)
		die("connect", fd);
	if (hello_by_hand(fd, bstr(user), 2, 2, prologue, &plen, hk))
		exit(2);
	ret = noise_handshake_init(&hs, "KK", true, prologue, plen, priv, hk);
	if (!ret)
		ret = noise_write_message(&hs, offer, sizeof(offer), msg1,
					  sizeof(msg1), &len1);
	if (!ret)
		ret = p2p_send_frame(fd, P2P_OP_HANDSHAKE1, 0, ++tag, msg1,
				     len1);
	if (!ret)
		ret = recv_reply(fd, &f, buf, sizeof(buf), &code, msg,
				 sizeof(msg));
	noise_handshake_wipe(&hs);
	if (ret || f.op != P2P_OP_HANDSHAKE2) {
		fprintf(stderr, "dp_tool: the original handshake failed\n");
		exit(2);
	}
	close(fd);

	fd = dial(host, port, 0, IO_TIMEOUT_S);
	if (fd < 0)
		die("connect", fd);
	if (hello_by_hand(fd, bstr(user), 2, 2, NULL, NULL, NULL))
		exit(2);
	ret = p2p_send_frame(fd, P2P_OP_HANDSHAKE1, 0, ++tag, msg1, len1);
	if (!ret)
		ret = recv_reply(fd, &f, buf, sizeof(buf), &code, msg,
				 sizeof(msg));
	if (ret || code)
		return report(ret, code, msg);
	puts(f.op == P2P_OP_HANDSHAKE2 ? "accepted" : "unexpected-reply");
	return 0;
}

/* Seconds until the server closes a connection that sits idle after the
 * handshake, or (silent) one that never even sends HELLO. */
static int do_idle(bool silent)
{
	struct p2p_session s = { 0 };
	struct timespec t0, t1;
	char c;
	int fd = silent ? dial(host, port, 0, 120) : session(&s, 0, 120);

	if (fd < 0)
		die("connect", fd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (read(fd, &c, 1) > 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("closed %.1f\n", (t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

static void __attribute__((noreturn)) do_hold(int n)
{
	struct p2p_session s = { 0 };
	int i;

	for (i = 0; i < n; i++)
		session(&s, 0, IO_TIMEOUT_S);
	puts("ready");
	fflush(stdout);
	for (;;)
		pause();
}

/*
 * What a server over its connection cap sends, read whatever the state of
 * the socket: the refusal may be followed by a reset so quickly that
 * connect() itself fails, but the ERROR frame is in the receive queue.
 */
static int do_busy(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	struct pollfd pfd = { .events = POLLIN };
	struct p2p_frame f;
	char msg[P2P_ERRMSG_MAX + 1];
	uint32_t code;
	int fd, ret;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	inet_pton(AF_INET, host, &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS)
		die("connect", errno);
	pfd.fd = fd;
	if (poll(&pfd, 1, IO_TIMEOUT_S * 1000) != 1)
		die("poll", ETIMEDOUT);
	fcntl(fd, F_SETFL, 0);
	ret = recv_reply(fd, &f, buf, sizeof(buf), &code, msg, sizeof(msg));
	if (ret)
		return report(ret, 0, NULL);
	if (f.op != P2P_OP_ERROR)
		puts("unexpected-reply");
	else
		printf("%s tag %u: %s\n", errname(code), f.tag, msg);
	return 0;
}

/* N handshakes in a row, a result line each (ok, or the server's errno),
 * then the seconds they took: to hit the failed-handshake limit faster
 * than it refills. */
static int do_hammer(int n)
{
	struct timespec t0, t1;
	struct p2p_session s = { 0 };
	uint8_t hk[P2P_KEY_LEN];
	int i, fd, ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		fd = dial(host, port, 0, IO_TIMEOUT_S);
		if (fd < 0)
			die("connect", fd);
		memset(&s, 0, sizeof(s));
		ret = p2p_client_connect(fd, user, priv, NULL, hk, &s);
		if (!ret)
			puts("ok");
		else if (ret == -EACCES || ret == -EREMOTEIO)
			puts(errname(s.err.code));
		else
			printf("local-error %s\n", strerror(-ret));
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("time %.1f\n", (t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

/* One "NAME HEX" line of a vector file into out; its length or -1. */
static int vec_field(const char *file, const char *name, uint8_t *out,
		     size_t cap)
{
	char line[512], *hex;
	size_t n = strlen(name), len = -1;
	FILE *f = fopen(file, "re");

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, n) || line[n] != ' ')
			continue;
		hex = line + n + 1;
		hex[strcspn(hex, "\n")] = '\0';
		if (sodium_hex2bin(out, cap, hex, strlen(hex), NULL, &len, NULL))
			len = -1;
		break;
	}
	if (f)
		fclose(f);
	return (int)len;
}

/* A TCP connection to itself over 127.0.0.1: fds[0] dials, fds[1] took it. */
static int loop_pair(int fds[2])
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);

	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || fds[0] < 0 || bind(lfd, (struct sockaddr *)&sa, sl) ||
	    listen(lfd, 1) || getsockname(lfd, (struct sockaddr *)&sa, &sl) ||
	    connect(fds[0], (struct sockaddr *)&sa, sl))
		die("loopback connection", errno);
	fds[1] = accept(lfd, NULL, NULL);
	if (fds[1] < 0)
		die("accept", errno);
	close(lfd);
	return 0;
}

/*
 * The vector's first client record, three ways: the kernel's TLS_TX makes
 * exactly these bytes of the plaintext, its TLS_RX takes them back, and
 * refuses them with one bit flipped (the lib's -EBADE).
 */
static int ktls_case(const char *file, const char *name, uint16_t cipher)
{
	uint8_t pt[64], rec[128], got[128];
	struct p2p_record_key rk = { 0 };
	char field[64];
	int fds[2], ptlen, reclen, ret, bad = 0;

	snprintf(field, sizeof(field), "c2s_%s_key", name);
	ret = vec_field(file, field, rk.key, sizeof(rk.key));
	snprintf(field, sizeof(field), "c2s_%s_iv", name);
	if (ret > 0)
		ret = vec_field(file, field, rk.iv, sizeof(rk.iv));
	snprintf(field, sizeof(field), "c2s_%s_record0", name);
	reclen = vec_field(file, field, rec, sizeof(rec));
	ptlen = vec_field(file, "record0_plaintext", pt, sizeof(pt));
	if (ret != P2P_TLS_IV_LEN || reclen <= 0 || ptlen <= 0)
		die(file, EINVAL);

	loop_pair(fds);
	ret = p2p_ktls_ulp(fds[0]);
	if (!ret)
		ret = p2p_ktls_set(fds[0], TLS_TX, cipher, &rk);
	if (!ret)
		ret = p2p_write_full(fds[0], pt, ptlen);
	if (!ret)
		ret = p2p_read_full(fds[1], got, reclen);
	bad += ret || memcmp(got, rec, reclen);
	printf("%s %s tx (%s)\n", ret || memcmp(got, rec, reclen) ? "not-ok" : "ok",
	       name, ret ? strerror(-ret) : "the vector's bytes");
	close(fds[0]);
	close(fds[1]);

	loop_pair(fds);
	ret = p2p_ktls_ulp(fds[1]);
	if (!ret)
		ret = p2p_ktls_set(fds[1], TLS_RX, cipher, &rk);
	if (!ret)
		ret = p2p_write_full(fds[0], rec, reclen);
	if (!ret)
		ret = p2p_read_full(fds[1], got, ptlen);
	bad += ret || memcmp(got, pt, ptlen);
	printf("%s %s rx (%s)\n", ret || memcmp(got, pt, ptlen) ? "not-ok" : "ok",
	       name, ret ? strerror(-ret) : "the vector's plaintext");
	close(fds[0]);
	close(fds[1]);

	loop_pair(fds);
	rec[reclen - 1] ^= 0x01;
	ret = p2p_ktls_ulp(fds[1]);
	if (!ret)
		ret = p2p_ktls_set(fds[1], TLS_RX, cipher, &rk);
	if (!ret)
		ret = p2p_write_full(fds[0], rec, reclen);
	if (!ret)
		ret = p2p_read_full(fds[1], got, ptlen);
	bad += ret != -EBADE;
	printf("%s %s tamper (%s)\n", ret == -EBADE ? "ok" : "not-ok", name,
	       ret ? strerror(-ret) : "accepted");
	close(fds[0]);
	close(fds[1]);
	sodium_memzero(&rk, sizeof(rk));
	return bad;
}

static int do_ktls_vector(const char *file)
{
	int bad;

	bad = ktls_case(file, "aes_128_gcm", P2P_CIPHER_AES_128_GCM);
	bad += ktls_case(file, "chacha20_poly1305",
			 P2P_CIPHER_CHACHA20_POLY1305);
	fflush(stdout);
	return bad ? 1 : 0;
}

/*
 * TLS 1.3 records made in userspace (PROTOCOL.md 6.7), ChaCha20-Poly1305:
 * a session without kTLS (no_records) keeps its Split() keys.
 */
struct urec {
	struct p2p_record_key rk;
	uint64_t seq;
};

static void urec_init(struct urec *r, const uint8_t k[NOISE_KEYLEN],
		      const uint8_t hash[NOISE_HASHLEN])
{
	p2p_record_key_derive(&r->rk, k, hash);
	r->seq = 0;
}

static void urec_nonce(const struct urec *r, uint8_t n[P2P_TLS_IV_LEN])
{
	int i;

	memcpy(n, r->rk.iv, P2P_TLS_IV_LEN);
	for (i = 0; i < 8; i++)
		n[4 + i] ^= r->seq >> (56 - 8 * i);
}

/* One record of len bytes of data and pad zeros (< 256) into out; its
 * length. */
static size_t urec_seal_pad(struct urec *r, const void *data, size_t len,
			    size_t pad, uint8_t *out)
{
	static uint8_t inner[P2P_TLS_MAX_PLAINTEXT + 256];
	uint8_t nonce[P2P_TLS_IV_LEN];
	unsigned long long clen;
	size_t n = len + 1 + pad + crypto_aead_chacha20poly1305_ietf_ABYTES;

	memcpy(inner, data, len);
	inner[len] = 0x17;
	memset(inner + len + 1, 0, pad);
	out[0] = 0x17;
	out[1] = 3;
	out[2] = 3;
	out[3] = n >> 8;
	out[4] = n;
	urec_nonce(r, nonce);
	crypto_aead_chacha20poly1305_ietf_encrypt(out + 5, &clen, inner,
						  len + 1 + pad, out, 5, NULL,
						  nonce, r->rk.key);
	r->seq++;
	return 5 + clen;
}

static size_t urec_seal(struct urec *r, const void *data, size_t len,
			uint8_t *out)
{
	return urec_seal_pad(r, data, len, 0, out);
}

/* One record from fd; its data in out, length or a negative errno. */
static int urec_open(struct urec *r, int fd, uint8_t *out, size_t cap)
{
	static uint8_t rec[P2P_TLS_MAX_PLAINTEXT + 256];
	uint8_t hdr[5], nonce[P2P_TLS_IV_LEN];
	unsigned long long plen;
	size_t n;
	int ret;

	ret = p2p_read_full(fd, hdr, sizeof(hdr));
	if (ret)
		return ret;
	n = hdr[3] << 8 | hdr[4];
	if (hdr[0] != 0x17 || hdr[1] != 3 || hdr[2] != 3 || n > sizeof(rec))
		return -EBADMSG;
	ret = p2p_read_full(fd, rec, n);
	if (ret)
		return ret;
	urec_nonce(r, nonce);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(rec, &plen, NULL, rec, n,
						      hdr, 5, nonce, r->rk.key))
		return -EBADMSG;
	r->seq++;
	while (plen && !rec[plen - 1])
		plen--;
	if (!plen-- || rec[plen] != 0x17 || plen > cap)
		return -EBADMSG;
	memcpy(out, rec, plen);
	return plen;
}

/* TlsRxNoPadViolation of this network namespace's /proc/net/tls_stat. */
static long nopad_violations(void)
{
	FILE *f = fopen("/proc/net/tls_stat", "re");
	char name[64];
	long v = -1, n;

	while (f && fscanf(f, "%63s %ld", name, &n) == 2)
		if (!strcmp(name, "TlsRxNoPadViolation"))
			v = n;
	if (f)
		fclose(f);
	if (v < 0)
		die("/proc/net/tls_stat: no TlsRxNoPadViolation", ENOENT);
	return v;
}

/*
 * Records read by a socket set up as the lib's clients and the twin set
 * theirs up (p2p_ktls_start: the kernel told to expect no padding, so it
 * decrypts into the reader's buffer): an unpadded record, then one with 255
 * padding zeros (its inner plaintext the most a record may hold, 2^14 + 1
 * bytes), read into a buffer with room for both. Both must read right; only
 * the padded one makes the kernel decrypt a second time, which it counts as
 * TlsRxNoPadViolation (never without the option).
 */
static int do_ktls_nopad(void)
{
	static uint8_t data[P2P_TLS_MAX_PLAINTEXT - 255];
	static uint8_t rec[P2P_TLS_MAX_PLAINTEXT + 512];
	static uint8_t got[2 * P2P_TLS_MAX_PLAINTEXT];
	struct noise_session ns;
	struct urec ur;
	int fds[2], pad, ret, bad = 0;
	bool right;
	long before, viol;
	ssize_t n;

	randombytes_buf(&ns, sizeof(ns));
	loop_pair(fds);
	ret = p2p_ktls_ulp(fds[1]);
	if (!ret)
		ret = p2p_ktls_start(fds[1], P2P_CIPHER_CHACHA20_POLY1305, &ns);
	if (ret)
		die("kTLS on the receiver", ret);
	urec_init(&ur, ns.rx.k, ns.hash);
	for (pad = 0; pad <= 255; pad += 255) {
		randombytes_buf(data, sizeof(data));
		before = nopad_violations();
		ret = p2p_write_full(fds[0], rec,
				     urec_seal_pad(&ur, data, sizeof(data), pad, rec));
		if (ret)
			die("write", ret);
		n = read(fds[1], got, sizeof(got));
		viol = nopad_violations() - before;
		right = n == sizeof(data) && !memcmp(got, data, sizeof(data));
		ret = right && viol == (pad ? 1 : 0);
		bad += !ret;
		printf("%s %s (%s, TlsRxNoPadViolation +%ld)\n",
		       ret ? "ok" : "not-ok", pad ? "padded" : "unpadded",
		       right ? "read right" : "read wrong", viol);
	}
	close(fds[0]);
	close(fds[1]);
	sodium_memzero(&ns, sizeof(ns));
	sodium_memzero(&ur, sizeof(ur));
	fflush(stdout);
	return bad ? 1 : 0;
}

/* Authenticated with no kTLS here; the server has records on. */
static int raw_session(struct p2p_session *s, uint16_t offer)
{
	uint8_t hk[P2P_KEY_LEN];
	int fd, ret;

	fd = dial(host, port, 0, IO_TIMEOUT_S);
	if (fd < 0)
		die("connect", fd);
	memset(s, 0, sizeof(*s));
	s->no_records = true;
	s->offer = offer;
	ret = p2p_client_connect(fd, user, priv, NULL, hk, s);
	if (ret)
		die("handshake without records", ret);
	return fd;
}

/* "closed" when the server hangs up without a byte, else "sent N". */
static int expect_silent_close(int fd)
{
	size_t total = 0;
	ssize_t n;

	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0 && errno != ECONNRESET)
		die("waiting for the close", errno);
	if (total)
		printf("sent %zu\n", total);
	else
		puts("closed");
	return 0;
}

static int do_cipher(const char *list)
{
	struct p2p_session s = { 0 };
	uint8_t hk[P2P_KEY_LEN];
	int fd, ret;

	if (list && p2p_cipher_parse(list, &s.offer))
		die(list, EINVAL);
	fd = dial(host, port, 0, IO_TIMEOUT_S);
	if (fd < 0)
		die("connect", fd);
	ret = p2p_client_connect(fd, user, priv, NULL, hk, &s);
	if (ret == -EREMOTEIO || ret == -EACCES)
		puts(errname(s.err.code));
	else if (ret)
		die("handshake", ret);
	else
		puts(p2p_cipher_name(s.cipher));
	close(fd);
	return 0;
}

static int do_garbage(size_t n)
{
	struct p2p_session s;
	uint8_t *g = buf;
	int fd = raw_session(&s, 0);

	if (n > sizeof(buf) - 5)
		n = sizeof(buf) - 5;
	g[0] = 0x17;
	g[1] = 3;
	g[2] = 3;
	g[3] = n >> 8;
	g[4] = n;
	randombytes_buf(g + 5, n);
	if (p2p_write_full(fd, g, n + 5))
		die("send", errno);
	return expect_silent_close(fd);
}

/* One frame in one record of tx. */
static int urec_frame(int fd, struct urec *tx, uint8_t op, uint8_t flags,
		      const void *body, size_t len, bool flip)
{
	static uint8_t pt[P2P_TLS_MAX_PLAINTEXT], out[P2P_TLS_MAX_PLAINTEXT + 64];
	struct p2p_frame f = { .len = len, .op = op, .flags = flags,
			       .tag = tag };
	size_t n;

	if (P2P_HDR_LEN + len > sizeof(pt))
		return -EMSGSIZE;
	p2p_hdr_encode(pt, &f);
	memcpy(pt + P2P_HDR_LEN, body, len);
	n = urec_seal(tx, pt, P2P_HDR_LEN + len, out);
	if (flip)
		out[n / 2] ^= 0x01;
	return p2p_write_full(fd, out, n);
}

static int do_tamper_put(struct bstr exp, struct bstr path, uint64_t size,
			 uint64_t sent)
{
	static uint8_t zeros[4096];
	struct body b = { .len = 0 };
	struct p2p_session s;
	struct urec tx, rx;
	uint8_t reply[64];
	struct p2p_frame f;
	uint64_t n;
	int fd, ret;

	if (sent >= size)
		die("tamper-put: SENT must be below SIZE", EINVAL);
	fd = raw_session(&s, P2P_CIPHER_CHACHA20_POLY1305);
	urec_init(&tx, s.noise.tx.k, s.noise.hash);
	urec_init(&rx, s.noise.rx.k, s.noise.hash);
	b_target(&b, exp, path);
	b_u64(&b, size);
	b_u32(&b, 0644);
	tag++;
	ret = urec_frame(fd, &tx, P2P_OP_PUT_BEGIN, 0, b.b, b.len, false);
	if (!ret)
		ret = urec_open(&rx, fd, reply, sizeof(reply));
	if (ret < 0)
		die("PUT_BEGIN", ret);
	if (ret < P2P_HDR_LEN || p2p_hdr_decode(reply, true, &f) ||
	    f.op != P2P_OP_OK || f.tag != tag) {
		puts("unexpected-reply");
		return 0;
	}
	for (; sent; sent -= n) {
		n = sent < sizeof(zeros) ? sent : sizeof(zeros);
		ret = urec_frame(fd, &tx, P2P_OP_PUT_DATA, P2P_F_MORE, zeros,
				 n, false);
		if (ret)
			die("PUT_DATA", ret);
	}
	ret = urec_frame(fd, &tx, P2P_OP_PUT_DATA, P2P_F_MORE, zeros,
			 sizeof(zeros), true);
	if (ret)
		die("the tampered PUT_DATA", ret);
	sodium_memzero(&tx, sizeof(tx));
	sodium_memzero(&rx, sizeof(rx));
	return expect_silent_close(fd);
}

static uint64_t num(const char *s)
{
	return strtoull(s, NULL, 0);
}

/* One request subcommand; -1 if it is not one (or has the wrong
 * arguments). Arguments "" stand for an empty string. */
static int request(int fd, const char *cmd, int argc, char **argv)
{
	struct bstr exp, path;

	if (argc < 2)
		return -1;
	exp = strcmp(argv[0], "\"\"") ? unescape(argv[0]) : bstr("");
	path = strcmp(argv[1], "\"\"") ? unescape(argv[1]) : bstr("");
	if (!strcmp(cmd, "stat") && argc == 2)
		return do_stat(fd, exp, path);
	if (!strcmp(cmd, "blocks") && argc == 2)
		return do_blocks(fd, exp, path);
	if (!strcmp(cmd, "readdir") && argc <= 3)
		return do_readdir(fd, exp, path, argc > 2 ? num(argv[2]) : 0);
	if (!strcmp(cmd, "read") && argc == 4)
		return do_read(fd, exp, path, num(argv[2]), num(argv[3]), NULL);
	if (!strcmp(cmd, "range") && argc == 4)
		return do_read(fd, exp, path, num(argv[2]), num(argv[3]), stdout);
	if (!strcmp(cmd, "put") && (argc == 3 || argc == 4))
		return do_put(fd, exp, path, num(argv[2]), 0,
			      argc > 3 ? num(argv[3]) : 0644, PUT_WHOLE);
	if (!strcmp(cmd, "abort") && argc == 4)
		return do_put(fd, exp, path, num(argv[2]), num(argv[3]), 0644,
			      PUT_ABORT);
	if (!strcmp(cmd, "putfile") && argc == 4)
		return do_putfile(fd, exp, path, argv[2], num(argv[3]));
	if (!strcmp(cmd, "putpartial") && argc == 4)
		return do_put(fd, exp, path, num(argv[2]), num(argv[3]), 0644,
			      PUT_PARTIAL);
	if (!strcmp(cmd, "putstep") && argc == 4)
		return do_put(fd, exp, path, num(argv[2]), num(argv[3]), 0644,
			      PUT_STEP);
	return -1;
}

/* Requests from stdin, one a line ("stat EXPORT PATH", words separated
 * by spaces), one result line each; a new connection after the server
 * closed one. */
static int do_batch(int fd)
{
	static char line[P2P_MAX_BODY + 256];
	struct p2p_session s = { 0 };
	char *argv[8], *save, *w;
	int argc;

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		argc = 0;
		for (w = strtok_r(line, " ", &save); w && argc < 8;
		     w = strtok_r(NULL, " ", &save))
			argv[argc++] = w;
		if (!argc)
			continue;
		hung_up = false;
		if (request(fd, argv[0], argc - 1, argv + 1) < 0)
			puts("bad-request");
		fflush(stdout);
		if (hung_up) {
			close(fd);
			fd = session(&s, 0, IO_TIMEOUT_S);
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: dp_tool SUBCMD HOST PORT USER KEYFILE [ARGS...] "
		"(see tests/helpers/dp_tool.c)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct p2p_session s = { 0 };
	const char *cmd;
	int fd, ret;

	if (argc < 6 || noise_init())
		usage();
	cmd = argv[1];
	host = argv[2];
	port = atoi(argv[3]);
	user = argv[4];
	keyfile = argv[5];
	argv += 6;
	argc -= 6;
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	if (!strcmp(cmd, "hello")) {
		if (argc < 1)
			usage();
		fd = dial(host, port, 0, IO_TIMEOUT_S);
		if (fd < 0)
			die("connect", fd);
		if (!hello_by_hand(fd, unescape(argv[0]),
				   argc > 2 ? num(argv[1]) : 2,
				   argc > 2 ? num(argv[2]) : 2, NULL, NULL,
				   NULL))
			puts("ok");
		return 0;
	}
	if (!strcmp(cmd, "ktls-vector") && argc == 1)
		return do_ktls_vector(argv[0]);
	if (!strcmp(cmd, "ktls-nopad") && argc == 0)
		return do_ktls_nopad();
	ret = load_key(keyfile, priv);
	if (ret)
		die(keyfile, ret);
	if (!strcmp(cmd, "replay"))
		return do_replay();
	if (!strcmp(cmd, "idle") || !strcmp(cmd, "silent"))
		return do_idle(!strcmp(cmd, "silent"));
	if (!strcmp(cmd, "hold") && argc == 1)
		do_hold(atoi(argv[0]));
	if (!strcmp(cmd, "busy"))
		return do_busy();
	if (!strcmp(cmd, "cipher") && argc <= 1)
		return do_cipher(argc ? argv[0] : NULL);
	if (!strcmp(cmd, "garbage") && argc == 1)
		return do_garbage(num(argv[0]));
	if (!strcmp(cmd, "tamper-put") && argc == 4)
		return do_tamper_put(unescape(argv[0]), unescape(argv[1]),
				     num(argv[2]), num(argv[3]));
	if (!strcmp(cmd, "hammer") && argc == 1)
		return do_hammer(atoi(argv[0]));
	if (argc < 2 && strcmp(cmd, "batch"))
		usage();
	if (!strcmp(cmd, "slowget")) {
		fd = session(&s, 65536, IO_TIMEOUT_S);
		return do_slowget(&s, argv[0], argv[1]);
	}
	fd = session(&s, 0, IO_TIMEOUT_S);
	if (!strcmp(cmd, "batch"))
		ret = do_batch(fd);
	else if (!strcmp(cmd, "repeat"))
		ret = do_repeat(fd, unescape(argv[0]), unescape(argv[1]));
	else
		ret = request(fd, cmd, argc, argv);
	if (ret < 0)
		usage();
	fflush(stdout);
	close(fd);
	return ret;
}
