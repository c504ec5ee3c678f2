// SPDX-License-Identifier: GPL-2.0
/*
 * hard_fuzz: live fuzzers of the kernel module, run by hard_fuzz.sh.
 *
 *   proto SRC HOST PORT USER KEYFILE EXPORT SECS SEED
 *       Frames to the kernel server for SECS seconds, from seed SEED.
 *       Before authentication, each on a new connection from address SRC:
 *       random bytes, mutated HELLOs, random HANDSHAKE1s, requests out of
 *       order, huge and truncated frames.  After it, on USER's connections:
 *       pipelined batches of every request with random and extreme fields
 *       (paths that try to escape, offsets past the end and above 2^63),
 *       mutated bodies, unknown ops, header violations, handshake ops out
 *       of place, PUT sequences (complete, short, too long, interleaved,
 *       dropped) and floods; these travel in kTLS records, so the
 *       plaintext inside valid records is what is fuzzed.  Besides, on
 *       connections authenticated without records (sess.no_records):
 *       garbage "records" (random bytes, record headers with random,
 *       oversized or tiny lengths and bodies, a v1 cleartext frame, a
 *       truncated record), after which the server must close and send
 *       nothing (PROTOCOL.md 6.7).  EXPORT must hold hard_tool mkfiles files
 *       f0000..f0007 of FILE_SIZE bytes and a directory d; USER needs rw.
 *       Checked on every frame the server sends: a valid header, a body
 *       its decoder accepts, nothing but HELLO_REPLY and ERROR before the
 *       handshake, no reply to a frame after a fatal one, the tag of an
 *       unparseable header 0, every byte READ from a file right, and the
 *       connection closed after a fatal error.  First line the seed, last
 *       line the figures; exit 1 at the first violation.
 *   nl SECS SEED DIR...
 *       Generic netlink requests for SECS seconds: every command of the
 *       family and unknown ones, random flags, attribute types, lengths,
 *       values, nesting and raw garbage; export fds of the DIRs.  Then the
 *       same as an unprivileged user (each must fail EPERM), then the
 *       namespace's state: every grant names a user and an export that
 *       exist, and the dumps add up to the module's "objects" counters.
 */
#include <fcntl.h>
#include <grp.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "hard.h"
#include "uapi/p2pshare.h"

#define NFILES		8
#define FILE_SIZE	16384
#define IO_TIMEOUT_S	10
#define MAX_BATCH	64
#define BATCH_BYTES	(32 * 1024)	/* requests in flight: below any rcvbuf */
#define NL_BUF		65536

static uint64_t rs;			/* the PRNG state */
static uint64_t seed;
static struct peer_cfg peer;
static const char *src_addr, *export;
static uint8_t host_key[P2P_KEY_LEN];
static bool have_host_key;

static bool trace;		/* $HARD_FUZZ_TRACE: each case on stderr */

#define TRACE(...) do { if (trace) fprintf(stderr, __VA_ARGS__); } while (0)

static struct {
	unsigned long frames, seqs, conns, handshakes, preauth, closes;
	unsigned long replies, data_bytes, puts_ok, garbage;
	unsigned long err[160];		/* ERROR frames by errno */
} st;

static void __attribute__((noreturn, format(printf, 1, 2)))
violation(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hard_fuzz: VIOLATION after %lu frames (seed %llu): ",
		st.frames, (unsigned long long)seed);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	printf("not ok - violation (seed %llu)\n", (unsigned long long)seed);
	exit(1);
}

static void __attribute__((noreturn)) die(const char *what, int err)
{
	fprintf(stderr, "hard_fuzz: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(2);
}

/* Raw frames: nothing is checked on the way out. */

static void b_rand(struct body *b, size_t n)
{
	while (n--)
		b_u8(b, rnd_next(&rs));
}

/* What one frame sent should bring back. */
struct sent {
	uint32_t tag;
	uint8_t op;
	bool fatal;		/* the server must close after it */
	bool bad_hdr;		/* its ERROR, if any, carries tag 0 */
	int file;		/* READ of f000N at off: data checked; -1 */
	uint64_t off;
	uint64_t want;		/* its length */
};

struct conn {
	int fd;
	bool authed;
	struct p2p_session s;
	uint32_t tag;
	struct sent pend[MAX_BATCH + 2];
	int npend;
	bool hello_sent;	/* pre-auth: a HELLO_REPLY may come */
	bool hello_reply_seen;
};

static uint8_t rbuf[P2P_MAX_DATA_CHUNK + 64];

static uint32_t next_tag(struct conn *c)
{
	if (!++c->tag)
		c->tag = 1;
	return c->tag;
}

static void send_raw(struct conn *c, const void *p, size_t n)
{
	/* The server may have closed already: that is for the reader. */
	p2p_write_full(c->fd, p, n);
}

static void send_frame(struct conn *c, uint32_t len, uint8_t op, uint8_t flags,
		       uint16_t reserved, uint32_t tag, const struct body *b)
{
	uint8_t hdr[P2P_HDR_LEN] = {
		len >> 24, len >> 16, len >> 8, len, op, flags, reserved >> 8,
		reserved, tag >> 24, tag >> 16, tag >> 8, tag,
	};

	struct iovec iov[2] = {
		{ hdr, sizeof(hdr) }, { b ? (void *)b->b : NULL, b ? b->len : 0 },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	size_t done = 0, total = sizeof(hdr) + iov[1].iov_len;
	ssize_t n;

	/* One send, so that header and body travel together. */
	n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
	if (n > 0)
		done = n;
	if (done < sizeof(hdr))
		send_raw(c, hdr + done, sizeof(hdr) - done);
	if (done < total && b)
		send_raw(c, b->b + (done > sizeof(hdr) ? done - sizeof(hdr) : 0),
			 b->len - (done > sizeof(hdr) ? done - sizeof(hdr) : 0));
	st.frames++;
}

/* Field generators: mostly sensible, often extreme, sometimes garbage. */

static void gen_name(struct body *b)
{
	static const char *const pool[] = {
		"", ".", "..", "nope", "a/b", "x\0y", "pub", "-", "_",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	unsigned int k = rnd_below(&rs, 100);
	const char *s;
	size_t n;

	if (k < 85) {
		s = export;
		n = strlen(s);
	} else if (k < 97) {
		s = pool[rnd_below(&rs, sizeof(pool) / sizeof(pool[0]))];
		n = !strcmp(s, "x") ? 3 : strlen(s);
	} else {
		n = rnd_below(&rs, 80);
		b_u8(b, rnd_below(&rs, 3) ? n : rnd_next(&rs));
		b_rand(b, n);
		return;
	}
	b_u8(b, n);
	b_bytes(b, s, n);
}

/* The path, and which known file it names (-1 if none). */
static int gen_path(struct body *b)
{
	static const char *const pool[] = {
		"", "d", "d/e0", "d/e1", "missing", "..", "../f0000", "f0000/..",
		"./f0000", "d/../f0000", "/f0000", "/etc/passwd", "f0000/",
		"d//e0", "ln", "ln/passwd", "lnd", "lnd/x", "..." , "d/.",
		"\xc3\xa9t\xc3\xa9", "up", "f0000/x", ".p2p-00000000.part",
	};
	static char buf[P2P_PATH_MAX + 64];
	unsigned int k = rnd_below(&rs, 100), i, n;
	int file = -1;
	const char *s;

	if (k < 45) {
		file = rnd_below(&rs, NFILES);
		snprintf(buf, sizeof(buf), "f%04d", file);
		s = buf;
		n = strlen(s);
	} else if (k < 80) {
		s = pool[rnd_below(&rs, sizeof(pool) / sizeof(pool[0]))];
		n = strlen(s);
	} else if (k < 88) {
		/* Long: a component of 255 or 256, a path of 4096 or 4097. */
		n = rnd_below(&rs, 2) ? 255 + rnd_below(&rs, 2) :
					4095 + rnd_below(&rs, 3);
		for (i = 0; i < n; i++)
			buf[i] = n > 256 && i % 200 == 199 ? '/' : 'x';
		s = buf;
	} else if (k < 92) {
		s = "f0000\0..";
		n = 8;
	} else {
		n = rnd_below(&rs, 300);
		for (i = 0; i < n; i++)
			buf[i] = rnd_below(&rs, 4) ? "ab./\0"[rnd_below(&rs, 5)] :
						     (char)rnd_next(&rs);
		s = buf;
	}
	b_u16(b, rnd_below(&rs, 40) ? n : rnd_next(&rs));
	b_bytes(b, s, n);
	return file;
}

static uint64_t gen_u64(uint64_t size)
{
	static const uint64_t pool[] = {
		0, 1, FILE_SIZE - 1, FILE_SIZE, FILE_SIZE + 1, 1ULL << 31,
		1ULL << 32, INT64_MAX, (uint64_t)INT64_MAX + 1, UINT64_MAX,
		UINT64_MAX - 1, 4096, 65536,
	};

	switch (rnd_below(&rs, 4)) {
	case 0:
		return pool[rnd_below(&rs, sizeof(pool) / sizeof(pool[0]))];
	case 1:
		return rnd_next(&rs);
	default:
		return rnd_below(&rs, size + 2);
	}
}

/* Flip, cut or extend a body: the server must answer, not close. */
static void mutate(struct body *b)
{
	unsigned int i, n;

	switch (rnd_below(&rs, 3)) {
	case 0:
		for (n = 1 + rnd_below(&rs, 4), i = 0; i < n && b->len; i++)
			b->b[rnd_below(&rs, b->len)] ^= 1 << rnd_below(&rs, 8);
		break;
	case 1:
		b->len = rnd_below(&rs, b->len + 1);
		break;
	default:
		b_rand(b, 1 + rnd_below(&rs, 16));
	}
}

/* Server frames */

static bool tag_pending(struct conn *c, uint32_t tag, struct sent **out)
{
	int i;

	for (i = 0; i < c->npend; i++)
		if (c->pend[i].tag == tag) {
			*out = &c->pend[i];
			return true;
		}
	return false;
}

static void check_body(uint8_t op, const uint8_t *p, uint32_t len)
{
	struct p2p_readdir_reply rr;
	struct p2p_list_reply lr;
	struct p2p_read_reply r;
	struct p2p_hello_reply h;
	struct p2p_fattr a;
	struct p2p_error e;
	int ret = 0;

	switch (op) {
	case P2P_OP_ERROR:
		ret = p2p_dec_error(p, len, &e);
		if (!ret)
			st.err[e.code < 160 ? e.code : 0]++;
		break;
	case P2P_OP_HELLO_REPLY:
		ret = p2p_dec_hello_reply(p, len, &h);
		if (!ret && h.version != P2P_PROTO_VERSION)
			violation("HELLO_REPLY version %u", h.version);
		if (!ret && have_host_key && memcmp(h.host_key, host_key, P2P_KEY_LEN))
			violation("HELLO_REPLY with another host key");
		break;
	case P2P_OP_STAT_REPLY:
		ret = p2p_dec_attr(p, len, &a);
		break;
	case P2P_OP_READ_REPLY:
		ret = p2p_dec_read_reply(p, len, &r);
		break;
	case P2P_OP_READDIR_REPLY:
		ret = p2p_dec_readdir_reply(p, len, &rr);
		break;
	case P2P_OP_LIST_EXPORTS_REPLY:
		ret = p2p_dec_list_reply(p, len, &lr);
		break;
	case P2P_OP_OK:
		ret = len ? -EINVAL : 0;
		break;
	}
	if (ret)
		violation("server sent a malformed body for op %#x (%u bytes)", op, len);
}

/* EPROTO and EMSGSIZE end a connection (PROTOCOL.md section 8). */
static bool is_fatal_code(const uint8_t *p, uint32_t len)
{
	struct p2p_error e;

	return !p2p_dec_error(p, len, &e) &&
	       (e.code == EPROTO || e.code == EMSGSIZE);
}

/*
 * A fatal ERROR answers the batch's fatal frame (always its last), with
 * tag 0 if the header could not be parsed.
 */
static void check_fatal_error(struct conn *c, uint32_t tag)
{
	struct sent *last = c->npend ? &c->pend[c->npend - 1] : NULL;

	if (!last || !last->fatal)
		violation("EPROTO/EMSGSIZE (tag %u) with no fatal frame sent", tag);
	if (last->bad_hdr ? tag != 0 : tag != last->tag)
		violation("the ERROR for a fatal frame (op %#x%s) carries tag %u, "
			  "not %u", last->op, last->bad_hdr ? ", bad header" : "",
			  tag, last->bad_hdr ? 0 : last->tag);
}

/* READ_REPLY of a known file: its size, and total as PROTOCOL.md 7.4 says. */
static void check_read_reply(const struct sent *s, const uint8_t *p,
			     uint32_t len)
{
	struct p2p_read_reply r;
	uint64_t want;

	if (p2p_dec_read_reply(p, len, &r))
		return;
	want = s->off >= FILE_SIZE ? 0 : s->want < FILE_SIZE - s->off ?
	       s->want : FILE_SIZE - s->off;
	if (r.size != FILE_SIZE || r.total != want)
		violation("READ_REPLY of f%04d at %llu: size %llu total %llu, "
			  "want %d and %llu", s->file, (unsigned long long)s->off,
			  (unsigned long long)r.size, (unsigned long long)r.total,
			  FILE_SIZE, (unsigned long long)want);
}

/*
 * One frame from the server, checked: 0, or -ESHUTDOWN when it closed
 * (FIN or RST), -ETIMEDOUT when it said nothing for IO_TIMEOUT_S.
 */
static int recv_checked(struct conn *c, struct p2p_frame *f, struct sent **for_)
{
	struct sent *s = NULL;
	int ret;

	ret = p2p_recv_hdr(c->fd, true, f);
	if (ret == -ESHUTDOWN || ret == -ECONNRESET || ret == -EPIPE)
		return -ESHUTDOWN;
	if (ret == -ETIMEDOUT)
		return ret;
	if (ret)
		violation("server sent a bad frame header: %s", errname(ret));
	ret = p2p_read_full(c->fd, rbuf, f->len);
	if (ret == -ETIMEDOUT)
		violation("server stalled inside a frame");
	if (ret)
		return -ESHUTDOWN;
	st.replies++;
	check_body(f->op, rbuf, f->len);
	if (!c->authed) {
		if (f->op == P2P_OP_HELLO_REPLY && c->hello_sent && !c->hello_reply_seen)
			c->hello_reply_seen = true;
		else if (f->op != P2P_OP_ERROR)
			violation("op %#x before authentication", f->op);
	} else if (f->op == P2P_OP_ERROR && is_fatal_code(rbuf, f->len)) {
		check_fatal_error(c, f->tag);
	} else if (!tag_pending(c, f->tag, &s)) {
		violation("reply op %#x with tag %u that was not sent (or "
			  "follows a fatal frame)", f->op, f->tag);
	} else if (f->op == P2P_OP_READ_REPLY && s->file >= 0) {
		check_read_reply(s, rbuf, f->len);
	}
	*for_ = s;
	return 0;
}

/* READ_DATA of a known file: the bytes must be the file's. */
static void check_data(struct sent *s, uint32_t len)
{
	long bad;

	if (!s || s->file < 0)
		return;
	bad = file_check(s->file, s->off, rbuf, len);
	if (bad >= 0)
		violation("READ_DATA of f%04d at %llu: byte %ld is wrong", s->file,
			  (unsigned long long)(s->off + bad), bad);
	s->off += len;
	st.data_bytes += len;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->authed = false;
	c->npend = 0;
}

/* Wait for the server to close: it must, within IO_TIMEOUT_S. */
static void expect_close(struct conn *c, const char *why)
{
	struct p2p_frame f;
	struct sent *s;
	int ret;

	while (!(ret = recv_checked(c, &f, &s)))
		if (f.op == P2P_OP_READ_DATA)
			check_data(s, f.len);
	if (ret == -ETIMEDOUT)
		violation("server kept the connection open after %s", why);
	st.closes++;
	conn_close(c);
}

/* Pre-authentication cases: a new connection each, from SRC. */

static void hello_body(struct body *b, const char *user)
{
	b->len = 0;
	b_u16(b, P2P_VERSION_MIN);
	b_u16(b, P2P_VERSION_MAX);
	b_u8(b, strlen(user));
	b_bytes(b, user, strlen(user));
}

static void preauth_case(void)
{
	struct conn c = { .tag = rnd_next(&rs) };
	static struct body b;
	unsigned int k = rnd_below(&rs, 8);
	uint32_t len;

	c.fd = dial_from(src_addr, peer.host, peer.port, 0, IO_TIMEOUT_S);
	if (c.fd < 0)
		die("connect", c.fd);
	st.conns++;
	st.preauth++;
	st.seqs++;
	TRACE("preauth: case %u\n", k);
	b.len = 0;
	switch (k) {
	case 0:		/* random bytes */
		b_rand(&b, 1 + rnd_below(&rs, 100));
		send_raw(&c, b.b, b.len);
		st.frames++;
		break;
	case 1:		/* a mutated HELLO */
		hello_body(&b, rnd_below(&rs, 2) ? peer.user : "mallory");
		mutate(&b);
		c.hello_sent = true;
		send_frame(&c, rnd_below(&rs, 4) ? b.len : rnd_next(&rs), P2P_OP_HELLO,
			   0, 0, next_tag(&c), &b);
		break;
	case 2:		/* HELLO, then a HANDSHAKE1 nobody could have made */
	case 3:
		hello_body(&b, rnd_below(&rs, 2) ? peer.user : "mallory");
		c.hello_sent = true;
		send_frame(&c, b.len, P2P_OP_HELLO, 0, 0, next_tag(&c), &b);
		b.len = 0;
		b_rand(&b, rnd_below(&rs, 4) ? P2P_HANDSHAKE1_LEN : rnd_below(&rs, 200));
		send_frame(&c, b.len, P2P_OP_HANDSHAKE1, 0, 0, next_tag(&c), &b);
		break;
	case 4:		/* a request out of order, before or after HELLO */
		if (rnd_below(&rs, 2)) {
			hello_body(&b, peer.user);
			c.hello_sent = true;
			send_frame(&c, b.len, P2P_OP_HELLO, 0, 0, next_tag(&c), &b);
		}
		b.len = 0;
		gen_name(&b);
		gen_path(&b);
		send_frame(&c, b.len, P2P_OP_STAT + rnd_below(&rs, 5), 0, 0,
			   next_tag(&c), &b);
		break;
	case 5:		/* a huge length */
		len = rnd_below(&rs, 2) ? P2P_MAX_BODY + 1 : UINT32_MAX - rnd_below(&rs, 9);
		send_frame(&c, len, rnd_below(&rs, 2) ? P2P_OP_HELLO : P2P_OP_PUT_DATA,
			   0, 0, next_tag(&c), NULL);
		break;
	case 6:		/* a truncated frame */
		hello_body(&b, peer.user);
		len = b.len;
		b.len = rnd_below(&rs, len);
		send_frame(&c, len, P2P_OP_HELLO, 0, 0, next_tag(&c), &b);
		break;
	default:	/* versions: none in common, inverted, zero */
		b_u16(&b, rnd_below(&rs, 3));
		b_u16(&b, rnd_below(&rs, 2) ? 0 : 2 + rnd_below(&rs, 100));
		b_u8(&b, 5);
		b_bytes(&b, "alice", 5);
		c.hello_sent = true;
		send_frame(&c, b.len, P2P_OP_HELLO, 0, 0, next_tag(&c), &b);
	}
	/* No more from us: the server must answer what it got and close. */
	shutdown(c.fd, SHUT_WR);
	expect_close(&c, "a pre-authentication case");
}

/*
 * Garbage where the server expects records: after a handshake without
 * kTLS on our side, raw bytes that no record key made.  The server must
 * close at once and send nothing, neither in clear nor in a record.
 */
/* True when the server can tell without the end of the stream. */
static bool garbage_record(struct body *b)
{
	unsigned int k = rnd_below(&rs, 6), n;
	uint32_t len;

	b->len = 0;
	switch (k) {
	case 0:		/* random bytes */
		b_rand(b, 1 + rnd_below(&rs, 2000));
		return false;	/* a header may happen to look right */
	case 1:		/* a record header and a body of its length */
	case 2:		/* a length past 2^14 + 256, or below the overhead */
		len = k == 1 ? 17 + rnd_below(&rs, 16384 + 256 - 17) :
		      rnd_below(&rs, 2) ? 16384 + 257 + rnd_below(&rs, 50000) :
					  rnd_below(&rs, 17);
		b_u8(b, 0x17);
		b_u16(b, 0x0303);
		b_u16(b, len);
		b_rand(b, len < 17000 ? len : 17000);
		break;
	case 3:		/* another content type or version */
		b_u8(b, rnd_below(&rs, 2) ? 0x15 + rnd_below(&rs, 3) : rnd_next(&rs));
		b_u16(b, rnd_below(&rs, 2) ? 0x0303 : rnd_next(&rs));
		n = 17 + rnd_below(&rs, 200);
		b_u16(b, n);
		b_rand(b, n);
		break;
	case 4:		/* a v1 frame in clear: LIST_EXPORTS */
		b_u32(b, 0);
		b_u8(b, P2P_OP_LIST_EXPORTS);
		b_u8(b, 0);
		b_u16(b, 0);
		b_u32(b, 3);
		break;
	default:	/* a record cut short, then the end of the stream */
		n = 17 + rnd_below(&rs, 1000);
		b_u8(b, 0x17);
		b_u16(b, 0x0303);
		b_u16(b, n);
		b_rand(b, rnd_below(&rs, n));
		return false;
	}
	return true;
}

static void garbage_case(void)
{
	struct conn c = { .fd = -1 };
	static struct body b;
	uint8_t hk[P2P_KEY_LEN];
	struct timeval tv;
	bool whole;
	ssize_t n;
	char x;
	int ret;

	st.seqs++;
	st.garbage++;
	c.fd = dial_from(peer.src, peer.host, peer.port, 0, IO_TIMEOUT_S);
	if (c.fd < 0)
		die("connect", c.fd);
	c.s.no_records = true;
	ret = p2p_client_connect(c.fd, peer.user, peer.key, NULL, hk, &c.s);
	if (ret)
		die("handshake without records", ret);
	st.conns++;
	st.handshakes++;
	whole = garbage_record(&b);
	TRACE("garbage: %zu bytes, first %02x\n", b.len, b.len ? b.b[0] : 0);
	send_raw(&c, b.b, b.len);
	st.frames++;
	/* Often the stream ends there; else the server decides alone. */
	if (!whole || rnd_below(&rs, 2))
		shutdown(c.fd, SHUT_WR);
	tv.tv_sec = IO_TIMEOUT_S;
	tv.tv_usec = 0;
	setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = read(c.fd, &x, 1);
	if (n > 0)
		violation("server sent a byte after a garbage record (first %02x)",
			  b.len ? b.b[0] : 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		violation("server kept the connection open after a garbage record (first %02x, %zu bytes)",
			  b.len ? b.b[0] : 0, b.len);
	st.closes++;
	conn_close(&c);
}

/* Authenticated batches */

static void conn_open(struct conn *c)
{
	c->fd = session_open(&peer, &c->s, 0, IO_TIMEOUT_S);
	if (c->fd < 0)
		die("handshake", c->fd);
	if (!have_host_key) {
		memcpy(host_key, c->s.host_key, P2P_KEY_LEN);
		have_host_key = true;
	}
	c->authed = true;
	c->npend = 0;
	c->tag = c->s.tag;
	st.conns++;
	st.handshakes++;
}

static struct sent *add_pend(struct conn *c, uint8_t op, uint32_t tag)
{
	struct sent *s = &c->pend[c->npend++];

	*s = (struct sent){ .tag = tag, .op = op, .file = -1 };
	return s;
}

/* One request with random fields; mutated sometimes. */
static void gen_request(struct conn *c, struct body *b)
{
	uint8_t op = P2P_OP_LIST_EXPORTS + rnd_below(&rs, 4);
	uint32_t tag = next_tag(c);
	struct sent *s = add_pend(c, op, tag);
	uint64_t off, len;
	bool mutated = !rnd_below(&rs, 5);
	int file = -1;

	b->len = 0;
	if (op != P2P_OP_LIST_EXPORTS) {
		gen_name(b);
		file = gen_path(b);
	}
	if (op == P2P_OP_READDIR) {
		b_u64(b, rnd_below(&rs, 3) ? 0 : gen_u64(64));
		b_u32(b, rnd_below(&rs, 2) ? 0 : rnd_next(&rs));
	} else if (op == P2P_OP_READ) {
		off = gen_u64(FILE_SIZE);
		len = rnd_below(&rs, 3) ? P2P_READ_TO_EOF : gen_u64(FILE_SIZE);
		b_u64(b, off);
		b_u64(b, len);
		/* Only an exact request of a known file checks its data. */
		if (file >= 0 && !mutated && b->b[0] == strlen(export) &&
		    !memcmp(b->b + 1, export, b->b[0])) {
			s->file = file;
			s->off = off;
			s->want = len;
		}
	}
	if (mutated)
		mutate(b);
	send_frame(c, b->len, op, 0, 0, tag, b);
}

/* A frame the server must answer ERROR ENOSYS to and go on. */
static void gen_unknown(struct conn *c, struct body *b)
{
	uint8_t op = P2P_OP_PUT_DATA + 1 + rnd_below(&rs, 0x7f - P2P_OP_PUT_DATA);
	uint32_t tag = next_tag(c);

	b->len = 0;
	b_rand(b, rnd_below(&rs, 10) ? rnd_below(&rs, 64) : rnd_below(&rs, 4000));
	add_pend(c, op, tag);
	send_frame(c, b->len, op, 0, 0, tag, b);
}

/* A frame after which the server must close. */
static void gen_fatal(struct conn *c, struct body *b)
{
	uint32_t tag = next_tag(c), len = 0;
	uint8_t op = P2P_OP_STAT, flags = 0;
	uint16_t reserved = 0;
	struct sent *s;

	b->len = 0;
	switch (rnd_below(&rs, 7)) {
	case 0:
		reserved = 1 + rnd_below(&rs, 0xffff);
		break;
	case 1:
		flags = 2 << rnd_below(&rs, 7);
		break;
	case 2:
		flags = P2P_F_MORE;	/* MORE on a request that is not data */
		break;
	case 3:
		op = P2P_OP_REPLY | rnd_below(&rs, 0x80);
		if (op == P2P_OP_REPLY)
			op = 0;
		break;
	case 4:
		tag = 0;
		break;
	case 5:
		len = P2P_MAX_BODY + 1 + rnd_below(&rs, 1000);
		if (!rnd_below(&rs, 4))
			len = UINT32_MAX;
		break;
	default:	/* a well-formed frame in the wrong place */
		op = (uint8_t[]){ P2P_OP_HELLO, P2P_OP_HANDSHAKE1, P2P_OP_PUT_DATA }
			[rnd_below(&rs, 3)];
		b_rand(b, rnd_below(&rs, 60));
		len = b->len;
		s = add_pend(c, op, tag);
		s->fatal = true;
		send_frame(c, len, op, 0, 0, tag, b);
		return;
	}
	s = add_pend(c, op, tag);
	s->fatal = true;
	s->bad_hdr = true;
	send_frame(c, len, op, flags, reserved, tag, NULL);
}

/*
 * Read the replies of a batch up to the last pending frame's: its
 * STAT_REPLY (the sync), or the close that a fatal frame demands.
 */
static void drain_batch(struct conn *c, bool fatal)
{
	uint32_t sync = c->pend[c->npend - 1].tag;
	struct p2p_frame f;
	struct sent *s;
	int ret;

	for (;;) {
		ret = recv_checked(c, &f, &s);
		if (ret == -ETIMEDOUT)
			violation("no reply within %d s (%s)", IO_TIMEOUT_S,
				  fatal ? "fatal batch" : "sync STAT");
		if (ret == -ESHUTDOWN) {
			if (!fatal)
				violation("server closed after a batch without a fatal frame");
			st.closes++;
			conn_close(c);
			return;
		}
		if (f.op == P2P_OP_READ_DATA)
			check_data(s, f.len);
		if (!fatal && f.tag == sync && f.op == P2P_OP_STAT_REPLY) {
			c->npend = 0;
			return;
		}
		if (!fatal && f.tag == sync)
			violation("sync STAT answered with op %#x", f.op);
	}
}

static void sync_stat(struct conn *c, struct body *b)
{
	uint32_t tag = next_tag(c);

	b->len = 0;
	b_u8(b, strlen(export));
	b_bytes(b, export, strlen(export));
	b_u16(b, 5);
	b_bytes(b, "f0001", 5);
	add_pend(c, P2P_OP_STAT, tag);
	send_frame(c, b->len, P2P_OP_STAT, 0, 0, tag, b);
}

static void batch_case(struct conn *c, bool flood)
{
	static struct body b;
	unsigned int n = flood ? 20 + rnd_below(&rs, MAX_BATCH - 20) :
				 1 + rnd_below(&rs, 8);
	size_t bytes = 0;
	unsigned int i, k;
	bool fatal = false;

	st.seqs++;
	for (i = 0; i < n && bytes < BATCH_BYTES && !fatal; i++) {
		k = rnd_below(&rs, 100);
		if (flood || k < 80)
			gen_request(c, &b);
		else if (k < 94)
			gen_unknown(c, &b);
		else
			gen_fatal(c, &b), fatal = true;
		bytes += P2P_HDR_LEN + b.len;
	}
	TRACE("batch: %u frames%s%s\n", i, flood ? ", flood" : "",
	      fatal ? ", fatal" : "");
	if (fatal) {
		shutdown(c->fd, SHUT_WR);
		drain_batch(c, true);
		return;
	}
	sync_stat(c, &b);
	drain_batch(c, false);
}

/* PUT_BEGIN, then its data in one of several shapes. */

enum { PUT_WHOLE, PUT_SHORT, PUT_LONG, PUT_MIXED, PUT_DROPPED, PUT_SHAPES };

/*
 * PUT_DATA frames of pattern n covering [0, to), of random sizes, MORE on
 * all but the last unless more_after; extra bytes past `to` in the last.
 */
static void put_frames(struct conn *c, uint32_t tag, uint32_t n, uint64_t to,
		       bool more_after, uint32_t extra)
{
	static struct body b;
	uint64_t off = 0, len;
	bool last;

	do {
		len = 1 + rnd_below(&rs, 1 << 16);
		if (len >= to - off)
			len = to - off;
		last = off + len == to;
		if (last)
			len += extra;
		b.len = 0;
		if (len > sizeof(b.b))
			len = sizeof(b.b);
		file_fill(n, off, b.b, len);
		b.len = len;
		send_frame(c, len, P2P_OP_PUT_DATA, last && !more_after ? 0 : P2P_F_MORE,
			   0, tag, &b);
		off += len;
	} while (!last && off < to);
}

static void put_data(struct conn *c, uint32_t tag, uint64_t size, int shape,
		     uint32_t n)
{
	static struct body b;
	uint64_t cut = size ? rnd_below(&rs, size) : 0;

	if (shape == PUT_SHORT && !size)
		shape = PUT_LONG;
	switch (shape) {
	case PUT_WHOLE:
		put_frames(c, tag, n, size, false, 0);
		break;
	case PUT_SHORT:
		put_frames(c, tag, n, cut, false, 0);
		break;
	case PUT_LONG:
		put_frames(c, tag, n, size, false, 1 + rnd_below(&rs, 100));
		break;
	case PUT_MIXED:
		if (cut)
			put_frames(c, tag, n, cut, true, 0);
		b.len = 0;
		b_rand(&b, 8);
		send_frame(c, b.len, rnd_below(&rs, 2) ? P2P_OP_STAT : P2P_OP_PUT_DATA,
			   0, 0, rnd_below(&rs, 2) ? tag + 1 : 0, &b);
		break;
	default:
		if (cut)
			put_frames(c, tag, n, cut, true, 0);
		shutdown(c->fd, SHUT_WR);
	}
}

/* Read back an upload of file pattern n: every byte must be there. */
static void check_upload(struct conn *c, const char *path, uint32_t n,
			 uint64_t size)
{
	struct p2p_read_reply r;
	uint64_t got = 0;
	ssize_t k;
	long bad;
	int ret;

	c->s.tag = c->tag;
	ret = p2p_read_begin(&c->s, export, path, 0, P2P_READ_TO_EOF, &r);
	c->tag = c->s.tag;
	if (ret)
		violation("READ of the upload %s: %s", path, errname(ret));
	if (r.size != size)
		violation("upload %s has %llu bytes, not %llu", path,
			  (unsigned long long)r.size, (unsigned long long)size);
	while ((k = p2p_read_data(&c->s, rbuf, sizeof(rbuf))) > 0) {
		bad = file_check(n, got, rbuf, k);
		if (bad >= 0)
			violation("upload %s: byte %llu is wrong", path,
				  (unsigned long long)(got + bad));
		got += k;
	}
	if (k < 0 || got != size)
		violation("READ of the upload %s ended early", path);
}

static void put_case(struct conn *c)
{
	static struct body b;
	uint32_t tag = next_tag(c), n = 1000 + rnd_below(&rs, 16);
	uint64_t size = rnd_below(&rs, 8) ? rnd_below(&rs, 70000) : rnd_below(&rs, 1 << 20);
	int shape = rnd_below(&rs, 10) < 6 ? PUT_WHOLE : 1 + rnd_below(&rs, PUT_SHAPES - 1);
	char path[32];
	struct p2p_frame f;
	struct sent *s;
	int ret;

	st.seqs++;
	TRACE("put: size %llu shape %d\n", (unsigned long long)size, shape);
	snprintf(path, sizeof(path), "%sup%u", rnd_below(&rs, 2) ? "d/" : "", n);
	b.len = 0;
	b_u8(&b, strlen(export));
	b_bytes(&b, export, strlen(export));
	b_u16(&b, strlen(path));
	b_bytes(&b, path, strlen(path));
	b_u64(&b, size);
	b_u32(&b, rnd_below(&rs, 8) ? 0644 : rnd_next(&rs));
	add_pend(c, P2P_OP_PUT_BEGIN, tag);
	send_frame(c, b.len, P2P_OP_PUT_BEGIN, 0, 0, tag, &b);
	ret = recv_checked(c, &f, &s);
	if (ret)
		violation("PUT_BEGIN: no answer (%s)", errname(ret));
	if (f.op == P2P_OP_ERROR) {
		c->npend = 0;
		return;
	}
	if (f.op != P2P_OP_OK)
		violation("PUT_BEGIN answered with op %#x", f.op);
	put_data(c, tag, size, shape, n);
	if (shape != PUT_WHOLE) {
		/* Short, long, interleaved or dropped: the server must close. */
		c->npend = 0;
		add_pend(c, P2P_OP_PUT_DATA, tag)->fatal = true;
		expect_close(c, "a broken upload");
		return;
	}
	ret = recv_checked(c, &f, &s);
	if (ret)
		violation("PUT of %llu bytes: no answer (%s)", (unsigned long long)size,
			  errname(ret));
	c->npend = 0;
	if (f.op == P2P_OP_ERROR) {	/* ENOSPC and the like: then closed */
		expect_close(c, "a failed upload");
		return;
	}
	if (f.op != P2P_OP_OK)
		violation("PUT end answered with op %#x", f.op);
	st.puts_ok++;
	check_upload(c, path, n, size);
}

static void print_figures(double secs)
{
	unsigned int i;

	printf("proto: seed %llu frames %lu sequences %lu connections %lu "
	       "handshakes %lu preauth %lu garbage %lu closes %lu replies %lu "
	       "data %lu puts %lu secs %.0f\n", (unsigned long long)seed,
	       st.frames, st.seqs, st.conns, st.handshakes, st.preauth,
	       st.garbage, st.closes, st.replies, st.data_bytes, st.puts_ok,
	       secs);
	printf("proto: errors");
	for (i = 1; i < 160; i++)
		if (st.err[i])
			printf(" %s:%lu", errname(i), st.err[i]);
	printf("\n");
}

static int do_proto(int secs)
{
	struct conn c = { .fd = -1 };
	double start = now_s(), end = start + secs;
	unsigned int k;

	printf("proto: seed %llu\n", (unsigned long long)seed);
	fflush(stdout);
	while (now_s() < end) {
		k = rnd_below(&rs, 100);
		if (k < 15) {
			preauth_case();
			continue;
		}
		if (k < 20) {
			garbage_case();
			continue;
		}
		if (c.fd < 0)
			conn_open(&c);
		if (k < 85)
			batch_case(&c, false);
		else if (k < 93)
			batch_case(&c, true);
		else
			put_case(&c);
	}
	conn_close(&c);
	print_figures(now_s() - start);
	return 0;
}

/* Netlink */

static struct mnl_socket *nl;
static int family;
static unsigned int nl_seq;
static int dir_fds[8], ndirs;

static struct {
	unsigned long msgs, ok, dumps, err[160];
} ns;

static struct mnl_socket *nl_open(void)
{
	struct mnl_socket *s = mnl_socket_open(NETLINK_GENERIC);
	int one = 1;

	if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink", errno);
	mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof(one));
	set_timeouts(mnl_socket_get_fd(s), IO_TIMEOUT_S);
	return s;
}

static int family_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		*(int *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static struct nlmsghdr *msg_start(char *buf, int type, int cmd, int flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl_seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = P2P_GENL_VERSION;
	return nlh;
}

static void resolve_family(void)
{
	static char buf[NL_BUF];
	struct nlmsghdr *nlh = msg_start(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	int len;

	nlh->nlmsg_flags &= ~NLM_F_ACK;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, P2P_GENL_NAME);
	family = -1;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die("netlink send", errno);
	len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (len > 0 && ((struct nlmsghdr *)buf)->nlmsg_type == GENL_ID_CTRL)
		mnl_attr_parse((struct nlmsghdr *)buf, GENL_HDRLEN, family_cb, &family);
	if (family < 0)
		die("family " P2P_GENL_NAME, ENOENT);
}

/* Callback of a reply walk: per family message, or the final status. */
typedef void (*msg_fn)(const struct nlmsghdr *nlh, void *arg);

/* Send, read every reply: 0 or the negative errno of the request. */
static int nl_run(struct nlmsghdr *nlh, msg_fn fn, void *arg)
{
	static char buf[NL_BUF * 4];
	const struct nlmsghdr *m;
	int len, ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0 && errno == EAGAIN) {
			fprintf(stderr, "hard_fuzz: no answer to command %d in %d s\n",
				((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd,
				IO_TIMEOUT_S);
			exit(1);
		}
		if (len < 0)
			return -errno;
		for (m = (struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != nl_seq)
				continue;	/* a late answer to an earlier one */
			if (m->nlmsg_type == NLMSG_ERROR) {
				ret = ((struct nlmsgerr *)mnl_nlmsg_get_payload(m))->error;
				return ret;
			}
			/* A dump ends here: no ACK follows it. */
			if (m->nlmsg_type == NLMSG_DONE)
				return *(int *)mnl_nlmsg_get_payload(m);
			if (fn)
				fn(m, arg);
		}
	}
}

static const char *const nl_names[] = {
	"alice", "bob", "e1", "e2", "x", "", ".", "..", "a/b", "nul\0x",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
};

static void put_name(struct nlmsghdr *nlh, uint16_t type)
{
	const char *s = nl_names[rnd_below(&rs, sizeof(nl_names) / sizeof(nl_names[0]))];
	char raw[80];
	unsigned int n, i;

	switch (rnd_below(&rs, 10)) {
	case 0:		/* not terminated, or random bytes */
		n = rnd_below(&rs, sizeof(raw));
		for (i = 0; i < n; i++)
			raw[i] = rnd_below(&rs, 2) ? 'a' + rnd_below(&rs, 26) : rnd_next(&rs);
		mnl_attr_put(nlh, type, n, raw);
		break;
	case 1:
		mnl_attr_put(nlh, type, 6, "nul\0x");
		break;
	default:
		mnl_attr_put_strz(nlh, type, s);
	}
}

/* A value of about the right kind for TYPE, often of the wrong size. */
static void put_attr(struct nlmsghdr *nlh, uint16_t type, int depth);

static void put_nest(struct nlmsghdr *nlh, uint16_t type, int depth)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);
	unsigned int i, k = rnd_below(&rs, 4);

	if (rnd_below(&rs, 5) == 0)
		n->nla_type &= ~NLA_F_NESTED;
	for (i = 0; i < k; i++) {
		if (rnd_below(&rs, 2))
			put_name(nlh, P2P_GRANT_A_USER);
		else if (rnd_below(&rs, 2))
			mnl_attr_put_u8(nlh, P2P_GRANT_A_MODE, rnd_below(&rs, 5));
		else
			put_attr(nlh, rnd_below(&rs, P2P_A_MAX + 3), depth + 1);
	}
	mnl_attr_nest_end(nlh, n);
}

static void put_attr(struct nlmsghdr *nlh, uint16_t type, int depth)
{
	uint8_t raw[64];
	unsigned int n, i;
	uint32_t v;

	if (depth > 3 || rnd_below(&rs, 12) == 0) {
		n = rnd_below(&rs, sizeof(raw));
		for (i = 0; i < n; i++)
			raw[i] = rnd_next(&rs);
		mnl_attr_put(nlh, type, n, raw);
		return;
	}
	switch (type) {
	case P2P_A_USER_NAME:
	case P2P_A_EXPORT_NAME:
	case P2P_A_VERSION:
	case P2P_A_EXPORT_PATH:
		put_name(nlh, type);
		break;
	case P2P_A_USER_PUBKEY:
	case P2P_A_HOSTKEY_PRIV:
	case P2P_A_HOSTKEY_PUB:
		n = rnd_below(&rs, 8) ? P2P_KEY_LEN : rnd_below(&rs, 40);
		for (i = 0; i < n; i++)
			raw[i] = rnd_below(&rs, 6) ? rnd_next(&rs) : 0;
		mnl_attr_put(nlh, type, n, raw);
		break;
	case P2P_A_EXPORT_FD:
		v = rnd_below(&rs, 3) && ndirs ? (uint32_t)dir_fds[rnd_below(&rs, ndirs)] :
						   rnd_below(&rs, 40);
		mnl_attr_put_u32(nlh, type, v);
		break;
	case P2P_A_GRANT:
	case P2P_A_STATS:
	case P2P_A_CONN:
		put_nest(nlh, type, depth);
		break;
	case P2P_A_GRANT_MODE:
	case P2P_A_LISTEN_ACTIVE:
		mnl_attr_put_u8(nlh, type, rnd_below(&rs, 5));
		break;
	case P2P_A_LISTEN_PORT:
		mnl_attr_put_u16(nlh, type, rnd_below(&rs, 3) ?
				 20000 + rnd_below(&rs, 100) : rnd_next(&rs));
		break;
	case P2P_A_LISTEN_ADDR6:
		for (i = 0; i < 16; i++)
			raw[i] = rnd_below(&rs, 3) ? 0 : rnd_next(&rs);
		mnl_attr_put(nlh, type, rnd_below(&rs, 6) ? 16 : rnd_below(&rs, 20), raw);
		break;
	default:
		v = rnd_below(&rs, 2) ? rnd_below(&rs, 100000) : rnd_next(&rs);
		if (rnd_below(&rs, 4))
			mnl_attr_put_u32(nlh, type, v);
		else
			mnl_attr_put(nlh, type, rnd_below(&rs, 9), &v);
	}
}

/* The attributes each command reads: most of a message's attributes. */
static const uint16_t cmd_attrs[][5] = {
	[P2P_CMD_USER_NEW] = { P2P_A_USER_NAME, P2P_A_USER_PUBKEY, P2P_A_USER_UID,
			       P2P_A_USER_GID },
	[P2P_CMD_USER_DEL] = { P2P_A_USER_NAME },
	[P2P_CMD_USER_GET] = { P2P_A_USER_NAME },
	[P2P_CMD_EXPORT_NEW] = { P2P_A_EXPORT_NAME, P2P_A_EXPORT_FD, P2P_A_GRANT,
				 P2P_A_GRANT, P2P_A_EXPORT_FLAGS },
	[P2P_CMD_EXPORT_DEL] = { P2P_A_EXPORT_NAME },
	[P2P_CMD_EXPORT_GET] = { P2P_A_EXPORT_NAME },
	[P2P_CMD_GRANT_SET] = { P2P_A_EXPORT_NAME, P2P_A_USER_NAME, P2P_A_GRANT_MODE },
	[P2P_CMD_GRANT_DEL] = { P2P_A_EXPORT_NAME, P2P_A_USER_NAME },
	[P2P_CMD_GRANT_GET] = { P2P_A_EXPORT_NAME, P2P_A_USER_NAME },
	[P2P_CMD_LISTEN_SET] = { P2P_A_LISTEN_ADDR4, P2P_A_LISTEN_ADDR6,
				 P2P_A_LISTEN_PORT },
	[P2P_CMD_HOSTKEY_SET] = { P2P_A_HOSTKEY_PRIV },
};

static uint16_t pick_type(int cmd)
{
	const uint16_t *want = cmd > 0 && cmd <= P2P_CMD_MAX ? cmd_attrs[cmd] : NULL;
	unsigned int n = 0;

	while (want && n < 5 && want[n])
		n++;
	if (n && rnd_below(&rs, 4))
		return want[rnd_below(&rs, n)];
	return rnd_below(&rs, 10) ? rnd_below(&rs, P2P_A_MAX + 3) : rnd_next(&rs);
}

static struct nlmsghdr *gen_nl(char *buf)
{
	int cmd = rnd_below(&rs, 8) ? 1 + rnd_below(&rs, P2P_CMD_MAX) :
				       rnd_below(&rs, 256);
	int flags = rnd_below(&rs, 4) ? 0 : NLM_F_DUMP;
	struct nlmsghdr *nlh = msg_start(buf, family, cmd, flags);
	unsigned int i, k = rnd_below(&rs, 7);
	uint8_t raw[32];

	if (!rnd_below(&rs, 20))
		((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = rnd_next(&rs);
	for (i = 0; i < k; i++)
		put_attr(nlh, pick_type(cmd), 0);
	if (!rnd_below(&rs, 15)) {
		/* Garbage where attributes should be: a broken TLV. */
		for (i = 0; i < sizeof(raw); i++)
			raw[i] = rnd_next(&rs);
		memcpy((char *)nlh + nlh->nlmsg_len, raw, sizeof(raw));
		nlh->nlmsg_len += rnd_below(&rs, sizeof(raw));
	}
	return nlh;
}

static void count_dump(const struct nlmsghdr *nlh, void *arg)
{
	(*(unsigned long *)arg)++;
}

static void nl_fuzz(double end)
{
	static char buf[NL_BUF];
	unsigned long msgs;
	int ret;

	while (now_s() < end) {
		msgs = 0;
		ret = nl_run(gen_nl(buf), count_dump, &msgs);
		ns.msgs++;
		ns.dumps += msgs;
		if (!ret)
			ns.ok++;
		else
			ns.err[-ret < 160 ? -ret : 0]++;
	}
}

/*
 * As nobody, without capabilities: every command of the family is EPERM;
 * EOPNOTSUPP only for what is no command (or no dump) at all.
 */
static int nl_unprivileged(unsigned int n)
{
	static char buf[NL_BUF];
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	unsigned int i, eperm = 0;
	int ret, cmd;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		die("dropping privileges", errno);
	mnl_socket_close(nl);
	nl = nl_open();
	for (i = 0; i < n; i++) {
		nlh = gen_nl(buf);
		g = mnl_nlmsg_get_payload(nlh);
		cmd = g->cmd;
		ret = nl_run(nlh, NULL, NULL);
		eperm += ret == -EPERM;
		if (ret != -EPERM && ret != -EOPNOTSUPP) {
			fprintf(stderr, "hard_fuzz: unprivileged command %d%s: %s\n",
				cmd, nlh->nlmsg_flags & NLM_F_DUMP ? " (dump)" : "",
				ret ? errname(ret) : "succeeded");
			return 1;
		}
	}
	printf("nl: unprivileged %u requests, all refused (%u EPERM, the rest "
	       "EOPNOTSUPP)\n", n, eperm);
	return 0;
}

/* The state after the storm: dumps that agree with each other. */

struct names {
	char v[4096][P2P_NAME_MAX + 1];
	unsigned int n;
};

struct grant_pair {
	struct names *exp, *user;
	unsigned int n, bad;
};

static struct names users, exports;

static int attr_str_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(a) <= P2P_A_MAX)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static const char *get_str(const struct nlmsghdr *nlh, int type)
{
	const struct nlattr *tb[P2P_A_MAX + 1] = {};

	mnl_attr_parse(nlh, GENL_HDRLEN, attr_str_cb, tb);
	return tb[type] ? mnl_attr_get_str(tb[type]) : NULL;
}

static void name_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct names *ns_ = arg;
	const char *s = get_str(nlh, ns_ == &users ? P2P_A_USER_NAME : P2P_A_EXPORT_NAME);

	if (s && ns_->n < 4096)
		snprintf(ns_->v[ns_->n++], P2P_NAME_MAX + 1, "%s", s);
}

static bool has(const struct names *n, const char *s)
{
	unsigned int i;

	for (i = 0; s && i < n->n; i++)
		if (!strcmp(n->v[i], s))
			return true;
	return false;
}

static void grant_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct grant_pair *g = arg;

	g->n++;
	if (!has(g->exp, get_str(nlh, P2P_A_EXPORT_NAME)) ||
	    !has(g->user, get_str(nlh, P2P_A_USER_NAME)))
		g->bad++;
}

static int nl_consistent(void)
{
	static char buf[NL_BUF];
	struct grant_pair g = { .exp = &exports, .user = &users };
	unsigned int ou, oe, og;
	char objs[128] = "";
	FILE *f;

	if (nl_run(msg_start(buf, family, P2P_CMD_USER_GET, NLM_F_DUMP), name_cb, &users) ||
	    nl_run(msg_start(buf, family, P2P_CMD_EXPORT_GET, NLM_F_DUMP), name_cb, &exports) ||
	    nl_run(msg_start(buf, family, P2P_CMD_GRANT_GET, NLM_F_DUMP), grant_cb, &g)) {
		fprintf(stderr, "hard_fuzz: dumps failed after the fuzz\n");
		return 1;
	}
	f = fopen("/sys/kernel/debug/p2pshare/objects", "re");
	if (!f || !fgets(objs, sizeof(objs), f) ||
	    sscanf(objs, "users %u exports %u grants %u", &ou, &oe, &og) != 3) {
		fprintf(stderr, "hard_fuzz: cannot read debugfs p2pshare/objects\n");
		return 1;
	}
	fclose(f);
	printf("nl: state users %u exports %u grants %u (objects: %s", users.n,
	       exports.n, g.n, objs);
	if (g.bad || ou != users.n || oe != exports.n || og != g.n) {
		fprintf(stderr, "hard_fuzz: inconsistent state: %u grants name a "
			"missing user or export; dumps %u/%u/%u, objects %u/%u/%u\n",
			g.bad, users.n, exports.n, g.n, ou, oe, og);
		return 1;
	}
	return 0;
}

static int do_nl(int secs, char **dirs, int n)
{
	double start = now_s();
	unsigned int i;
	pid_t pid;
	int status;

	for (ndirs = 0; ndirs < n && ndirs < 8; ndirs++) {
		dir_fds[ndirs] = open(dirs[ndirs], O_RDONLY | O_DIRECTORY);
		if (dir_fds[ndirs] < 0)
			die(dirs[ndirs], errno);
	}
	nl = nl_open();
	resolve_family();
	printf("nl: seed %llu\n", (unsigned long long)seed);
	fflush(stdout);
	nl_fuzz(start + secs);
	printf("nl: seed %llu requests %lu accepted %lu dump messages %lu secs %.0f\n",
	       (unsigned long long)seed, ns.msgs, ns.ok, ns.dumps, now_s() - start);
	printf("nl: errors");
	for (i = 1; i < 160; i++)
		if (ns.err[i])
			printf(" %s:%lu", errname(i), ns.err[i]);
	printf("\n");
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		exit(nl_unprivileged(2000));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return 1;
	return nl_consistent();
}

static void usage(void)
{
	fprintf(stderr, "usage: hard_fuzz proto|nl ... (see tests/helpers/hard_fuzz.c)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int ret;

	if (argc < 2)
		usage();
	if (sodium_init() < 0)
		die("sodium_init", ENOSYS);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	trace = getenv("HARD_FUZZ_TRACE");
	if (!strcmp(argv[1], "proto") && argc == 10) {
		src_addr = strcmp(argv[2], "-") ? argv[2] : NULL;
		peer.host = argv[3];
		peer.port = atoi(argv[4]);
		peer.user = argv[5];
		ret = load_key(argv[6], peer.key);
		if (ret)
			die(argv[6], ret);
		export = argv[7];
		seed = rs = strtoull(argv[9], NULL, 0);
		return do_proto(atoi(argv[8]));
	}
	if (!strcmp(argv[1], "nl") && argc >= 4) {
		seed = rs = strtoull(argv[3], NULL, 0);
		return do_nl(atoi(argv[2]), argv + 4, argc - 4);
	}
	usage();
}
