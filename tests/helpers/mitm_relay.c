// SPDX-License-Identifier: GPL-2.0
/*
 * mitm_relay: a man in the middle for tls_mitm.sh. It accepts one client
 * connection, connects to the server and relays the cleartext handshake
 * (HELLO, HELLO_REPLY, HANDSHAKE1, HANDSHAKE2 or an ERROR, PROTOCOL.md 3
 * and 6) untouched; after HANDSHAKE2 it splits each direction into TLS 1.3
 * records (5-byte header 17 03 03 len16, PROTOCOL.md 6.7) and, per mode:
 *
 *   mitm_relay LADDR LPORT SADDR SPORT forward
 *   mitm_relay LADDR LPORT SADDR SPORT record PREFIX
 *        relays, writing each direction to PREFIX.c2s and PREFIX.s2c
 *   mitm_relay LADDR LPORT SADDR SPORT flip c2s|s2c N
 *        flips one byte inside the N-th record (from 1) of that direction
 *   mitm_relay LADDR LPORT SADDR SPORT inject list|put EXPORT PATH
 *        drops the client's records and sends the server, in place of the
 *        first, a v1 cleartext LIST_EXPORTS, or PUT_BEGIN + PUT_DATA of
 *        PATH in EXPORT (9 bytes "injected\n")
 *   mitm_relay replay SADDR SPORT FILE
 *        sends the client's side of a recorded session (PREFIX.c2s) to the
 *        server, frame by frame for the handshake, and prints what the
 *        server answered: "server: HELLO_REPLY", "server: HANDSHAKE2",
 *        "server: ERROR CODE \"MESSAGE\"", then "server: N bytes" for
 *        anything more and "server: closed"
 *
 * The relay prints "listening" once it accepts connections, one line per
 * event ("handshake relayed", "flipped ...", "injected ...") and at the
 * end "c2s: R records, s2c: R records" (records after the handshake that
 * reached their end) and "end: server closed" or "end: client closed"
 * (whichever side closed first). When one side closes, the other one's
 * sending direction is shut down and the relay goes on draining until both
 * are closed, or exits 1 after 20 s without a byte.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "wire.h"

#define REC_HDR		5
#define REC_MAX		(REC_HDR + 16384 + 256)
#define FRAME_MAX	(P2P_HDR_LEN + 2048)
#define BUF_CAP		(64 * 1024)
#define IDLE_MS		20000

enum mode { FORWARD, RECORD, FLIP, INJECT };

struct dir {
	const char *name;	/* "c2s" or "s2c" */
	int from, to;
	bool from_open, to_open;
	FILE *rec;
	int frames;		/* cleartext frames to pass before records */
	bool records;		/* past the handshake */
	unsigned long nrec;	/* records passed */
	unsigned char buf[BUF_CAP];
	size_t len;
};

static enum mode mode;
static const char *flip_dir;
static unsigned long flip_n;
static unsigned char inject_buf[4096];
static size_t inject_len;
static bool injected;

static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "mitm_relay: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int tcp_addr(const char *addr, const char *port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(atoi(port));
	return inet_pton(AF_INET, addr, &sa->sin_addr) == 1 ? 0 : -1;
}

static int tcp_connect(const char *addr, const char *port)
{
	struct sockaddr_in sa;
	int fd;

	if (tcp_addr(addr, port, &sa))
		return -1;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("connect to the server");
	return fd;
}

static int tcp_accept_one(const char *addr, const char *port)
{
	struct sockaddr_in sa;
	int one = 1, lfd, fd;

	if (tcp_addr(addr, port, &sa))
		return -1;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1))
		die("listen");
	printf("listening\n");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	close(lfd);
	return fd;
}

static int send_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

static void out(struct dir *d, const void *buf, size_t len)
{
	if (d->rec && fwrite(buf, 1, len, d->rec) != len)
		die("write the capture");
	if (d->to_open && send_all(d->to, buf, len))
		d->to_open = false;	/* gone: drop what follows */
}

/* Length of the unit at p (len bytes) in d's current phase: a frame or a
 * record; 0 if incomplete, -1 if it is neither. */
static long unit_len(const struct dir *d, const unsigned char *p, size_t len)
{
	unsigned long n;

	if (d->records) {
		if (len < REC_HDR)
			return 0;
		n = REC_HDR + ((unsigned long)p[3] << 8 | p[4]);
		if (p[0] != 0x17 || p[1] != 3 || p[2] != 3 || n > REC_MAX)
			return -1;
	} else {
		if (len < P2P_HDR_LEN)
			return 0;
		n = P2P_HDR_LEN + ((unsigned long)p[0] << 24 | p[1] << 16 |
				   p[2] << 8 | p[3]);
		if (n > FRAME_MAX)
			return -1;
	}
	return len >= n ? (long)n : 0;
}

static void frame_passed(struct dir *d, const unsigned char *u)
{
	if (u[4] == P2P_OP_ERROR) {
		printf("%s: ERROR %u during the handshake\n", d->name,
		       (unsigned)u[12] << 24 | u[13] << 16 | u[14] << 8 | u[15]);
		d->frames = -1;	/* stays cleartext */
		return;
	}
	if (--d->frames == 0) {
		d->records = true;
		if (u[4] == P2P_OP_HANDSHAKE2)
			printf("handshake relayed\n");
	}
}

/* One whole record of d, already counted in d->nrec. */
static void record(struct dir *d, unsigned char *u, size_t n)
{
	if (mode == FLIP && !strcmp(d->name, flip_dir) && d->nrec == flip_n) {
		u[REC_HDR + (n - REC_HDR) / 2] ^= 0x01;
		printf("flipped byte %zu of %s record %lu (%zu bytes)\n",
		       REC_HDR + (n - REC_HDR) / 2, d->name, d->nrec, n);
	}
	if (mode == INJECT && !strcmp(d->name, "c2s")) {
		if (!injected) {
			injected = true;
			if (d->to_open && send_all(d->to, inject_buf, inject_len))
				d->to_open = false;
			printf("injected %zu bytes in place of c2s record 1\n",
			       inject_len);
		}
		return;
	}
	out(d, u, n);
}

/* Once unparsed (not a frame or record where one was due, an ERROR in
 * the handshake), bytes just pass. */
static bool unparsed(const struct dir *d)
{
	return d->frames < 0 && !d->records;
}

/* Forward every complete unit of d; at the end (last) all there is. */
static void pump(struct dir *d, bool last)
{
	size_t off = 0;
	long n;

	while (off < d->len && !unparsed(d)) {
		n = unit_len(d, d->buf + off, d->len - off);
		if (n < 0) {
			printf("%s: not a %s, passed unparsed\n", d->name,
			       d->records ? "record" : "frame");
			d->frames = -1;
			d->records = false;
			break;
		}
		if (!n)
			break;
		if (d->records) {
			d->nrec++;
			record(d, d->buf + off, n);
		} else {
			out(d, d->buf + off, n);
			frame_passed(d, d->buf + off);
		}
		off += n;
	}
	if (unparsed(d) || last) {
		out(d, d->buf + off, d->len - off);
		off = d->len;
	}
	memmove(d->buf, d->buf + off, d->len - off);
	d->len -= off;
}

static void dir_closed(struct dir *d, const char *who, const char **end)
{
	pump(d, true);
	d->from_open = false;
	if (!*end)
		*end = who;
	if (d->to_open)
		shutdown(d->to, SHUT_WR);
}

static struct dir c2s = { .name = "c2s", .frames = 2 };
static struct dir s2c = { .name = "s2c", .frames = 2 };

static int relay(int cfd, int sfd)
{
	struct dir *dirs[2] = { &c2s, &s2c };
	const char *end = NULL;
	struct pollfd pfd[2];
	ssize_t n;
	int i, ret;

	c2s.from = s2c.to = cfd;
	s2c.from = c2s.to = sfd;
	c2s.from_open = c2s.to_open = s2c.from_open = s2c.to_open = true;
	while (c2s.from_open || s2c.from_open) {
		for (i = 0; i < 2; i++) {
			pfd[i].fd = dirs[i]->from_open ? dirs[i]->from : -1;
			pfd[i].events = POLLIN;
		}
		ret = poll(pfd, 2, IDLE_MS);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			die("poll");
		if (!ret) {
			printf("timeout\n");
			return 1;
		}
		for (i = 0; i < 2; i++) {
			struct dir *d = dirs[i];

			if (!pfd[i].revents)
				continue;
			n = recv(d->from, d->buf + d->len, BUF_CAP - d->len, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				dir_closed(d, i ? "server" : "client", &end);
				continue;
			}
			d->len += n;
			pump(d, false);
		}
	}
	printf("c2s: %lu records, s2c: %lu records\n", c2s.nrec, s2c.nrec);
	printf("end: %s closed\n", end);
	return 0;
}

/* A v1 frame, in clear, as a client would have sent it before v2. */
static void inject_frame(uint8_t op, uint8_t flags, const void *body,
			 uint32_t len)
{
	struct p2p_frame f = { .len = len, .op = op, .flags = flags, .tag = 1 };

	p2p_hdr_encode(inject_buf + inject_len, &f);
	memcpy(inject_buf + inject_len + P2P_HDR_LEN, body, len);
	inject_len += P2P_HDR_LEN + len;
}

static int inject_args(int argc, char **argv)
{
	struct p2p_put_req put = { .size = 9, .mode = 0644 };
	unsigned char body[1024];
	int len;

	if (argc == 1 && !strcmp(argv[0], "list")) {
		inject_frame(P2P_OP_LIST_EXPORTS, 0, NULL, 0);
		return 0;
	}
	if (argc != 3 || strcmp(argv[0], "put"))
		return -1;
	put.export = (struct p2p_str){ argv[1], strlen(argv[1]) };
	put.path = (struct p2p_str){ argv[2], strlen(argv[2]) };
	len = p2p_enc_put_req(body, sizeof(body), &put);
	if (len < 0)
		return -1;
	inject_frame(P2P_OP_PUT_BEGIN, 0, body, len);
	inject_frame(P2P_OP_PUT_DATA, 0, "injected\n", 9);
	return 0;
}

static FILE *capture(const char *prefix, const char *dir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s.%s", prefix, dir);
	f = fopen(path, "w");
	if (!f)
		die(path);
	return f;
}

/* Read one whole server frame; print what it was. 0, or -1 if closed. */
static int replay_answer(int fd)
{
	unsigned char buf[FRAME_MAX];
	size_t got = 0, want = P2P_HDR_LEN;
	unsigned long len;
	ssize_t n;

	while (got < want) {
		n = recv(fd, buf + got, want - got, 0);
		if (n <= 0)
			return -1;
		got += n;
		if (got == P2P_HDR_LEN) {
			len = (unsigned long)buf[0] << 24 | buf[1] << 16 |
			      buf[2] << 8 | buf[3];
			if (len > FRAME_MAX - P2P_HDR_LEN) {
				printf("server: a frame of %lu bytes\n", len);
				return -1;
			}
			want += len;
		}
	}
	if (buf[4] == P2P_OP_ERROR && want >= P2P_HDR_LEN + 6) {
		len = buf[16] << 8 | buf[17];
		if (len > want - P2P_HDR_LEN - 6)
			len = want - P2P_HDR_LEN - 6;
		printf("server: ERROR %u \"%.*s\"\n",
		       (unsigned)buf[12] << 24 | buf[13] << 16 | buf[14] << 8 |
		       buf[15], (int)len, (char *)buf + 18);
	} else if (buf[4] == P2P_OP_HELLO_REPLY) {
		printf("server: HELLO_REPLY\n");
	} else if (buf[4] == P2P_OP_HANDSHAKE2) {
		printf("server: HANDSHAKE2\n");
	} else {
		printf("server: op 0x%02x, %zu bytes\n", buf[4], want);
	}
	return 0;
}

static int replay(const char *addr, const char *port, const char *file)
{
	static unsigned char buf[16 << 20];
	size_t len, off = 0, flen;
	unsigned long total = 0;
	struct timeval tv = { .tv_sec = IDLE_MS / 1000 };
	unsigned char tail[4096];
	FILE *f = fopen(file, "r");
	int fd, i;
	ssize_t n;

	if (!f)
		die(file);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	fd = tcp_connect(addr, port);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* HELLO, then HANDSHAKE1: each waits for the server's answer. */
	for (i = 0; i < 2 && off + P2P_HDR_LEN <= len; i++) {
		flen = P2P_HDR_LEN + ((size_t)buf[off] << 24 | buf[off + 1] << 16 |
				      buf[off + 2] << 8 | buf[off + 3]);
		if (flen > len - off)
			flen = len - off;
		if (send_all(fd, buf + off, flen))
			break;
		off += flen;
		if (replay_answer(fd))
			goto closed;
	}
	/* The rest (the records); the server may be gone already. */
	send_all(fd, buf + off, len - off);
	while ((n = recv(fd, tail, sizeof(tail), 0)) > 0)
		total += n;
	if (total)
		printf("server: %lu bytes\n", total);
closed:
	printf("server: closed\n");
	close(fd);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: mitm_relay LADDR LPORT SADDR SPORT forward|"
		"record PREFIX|flip c2s|s2c N|inject list|inject put EXPORT PATH\n"
		"       mitm_relay replay SADDR SPORT FILE\n");
	exit(2);
}

static int parse_mode(int argc, char **argv)
{
	if (!strcmp(argv[0], "forward") && argc == 1) {
		mode = FORWARD;
	} else if (!strcmp(argv[0], "record") && argc == 2) {
		mode = RECORD;
	} else if (!strcmp(argv[0], "flip") && argc == 3 &&
		   (!strcmp(argv[1], "c2s") || !strcmp(argv[1], "s2c"))) {
		mode = FLIP;
		flip_dir = argv[1];
		flip_n = strtoul(argv[2], NULL, 10);
	} else if (!strcmp(argv[0], "inject") && !inject_args(argc - 1, argv + 1)) {
		mode = INJECT;
	} else {
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int cfd, sfd;

	if (argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "replay")) {
		if (argc != 5)
			usage();
		return replay(argv[2], argv[3], argv[4]);
	}
	if (argc < 6 || parse_mode(argc - 5, argv + 5))
		usage();
	cfd = tcp_accept_one(argv[1], argv[2]);
	sfd = tcp_connect(argv[3], argv[4]);
	if (cfd < 0 || sfd < 0)
		usage();
	if (mode == RECORD) {
		c2s.rec = capture(argv[6], "c2s");
		s2c.rec = capture(argv[6], "s2c");
	}
	return relay(cfd, sfd);
}
