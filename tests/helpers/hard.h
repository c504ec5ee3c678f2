/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the hardening helpers (hard_tool.c, hard_fuzz.c) share: dialing from
 * a chosen source address, keys, an authenticated session, the content of
 * generated test files, a seeded PRNG (keys and errno names come from
 * dp_client.h).  Static functions only: each
 * program includes this once.
 */
#ifndef HARD_H
#define HARD_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "dp_client.h"
#include "proto.h"

/* xorshift64*: the fuzzers' only source of randomness, so a seed replays. */
static inline uint64_t rnd_next(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static inline uint32_t rnd_below(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)(rnd_next(s) % n) : 0;
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void set_timeouts(int fd, int timeout_s)
{
	struct timeval tv = { .tv_sec = timeout_s };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/*
 * TCP to dst:port, from src if not NULL (a second address of this host,
 * so that the server sees another peer); rcvbuf > 0 shrinks the receive
 * buffer first.  The fd or a negative errno.
 */
static inline int dial_from(const char *src, const char *dst, int port,
			    int rcvbuf, int timeout_s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	struct sockaddr_in from = { .sin_family = AF_INET };
	int fd, e;

	if (inet_pton(AF_INET, dst, &sa.sin_addr) != 1 ||
	    (src && inet_pton(AF_INET, src, &from.sin_addr) != 1))
		return -EINVAL;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* Frames go out in pieces: no Nagle delay between them. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	set_timeouts(fd, timeout_s);
	if ((src && bind(fd, (struct sockaddr *)&from, sizeof(from))) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/* Who to talk to and as whom: the common arguments of the helpers. */
struct peer_cfg {
	const char *src;	/* NULL: the default source address */
	const char *host;
	int port;
	const char *user;
	uint8_t key[P2P_KEY_LEN];
};

/* Connected and authenticated; the fd, or a negative errno. */
static inline int session_open(const struct peer_cfg *p, struct p2p_session *s,
			       int rcvbuf, int timeout_s)
{
	uint8_t hk[P2P_KEY_LEN];
	int fd, ret;

	fd = dial_from(p->src, p->host, p->port, rcvbuf, timeout_s);
	if (fd < 0)
		return fd;
	memset(s, 0, sizeof(*s));
	ret = p2p_client_connect(fd, p->user, p->key, NULL, hk, s);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * Generated test files: byte i of file n is byte i % 8 (low byte first)
 * of file_word(n, i), so a client verifies what it read without a copy of
 * the file.
 */
static inline uint64_t file_word(uint32_t n, uint64_t off)
{
	uint64_t x = (off >> 3) * 0x9e3779b97f4a7c15ULL + n * 0xbf58476d1ce4e5b9ULL;

	x ^= x >> 31;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 29;
	return x;
}

static inline void file_fill(uint32_t n, uint64_t off, uint8_t *buf,
			     size_t len)
{
	uint64_t w = file_word(n, off);
	size_t i;

	for (i = 0; i < len; i++) {
		if (i && !((off + i) & 7))
			w = file_word(n, off + i);
		buf[i] = w >> (8 * ((off + i) & 7));
	}
}

/* The first bad offset of buf against file n from off, or -1. */
static inline long file_check(uint32_t n, uint64_t off, const uint8_t *buf,
			      size_t len)
{
	uint64_t w = file_word(n, off);
	size_t i;

	for (i = 0; i < len; i++) {
		if (i && !((off + i) & 7))
			w = file_word(n, off + i);
		if (buf[i] != (uint8_t)(w >> (8 * ((off + i) & 7))))
			return i;
	}
	return -1;
}

#endif /* HARD_H */
