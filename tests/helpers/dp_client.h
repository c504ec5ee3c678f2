/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the data-plane test programs (dp_tool.c, dp_conformance.c) share:
 * dialing, the user's key, raw request bodies that skip every client-side
 * check, and reading one reply.  Static functions only: each program
 * includes this once.
 */
#ifndef DP_CLIENT_H
#define DP_CLIENT_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <sodium.h>

#include "proto.h"

/* A byte string that may hold NUL bytes. */
struct bstr {
	const char *s;
	size_t len;
};

static inline struct bstr bstr(const char *s)
{
	return (struct bstr){ s, strlen(s) };
}

/* Decode \xHH and \\ in place (for NUL bytes in arguments). */
static inline struct bstr unescape(char *s)
{
	char *in = s, *out = s;

	while (*in) {
		if (in[0] == '\\' && in[1] == '\\') {
			*out++ = '\\';
			in += 2;
		} else if (in[0] == '\\' && in[1] == 'x' && in[2] && in[3]) {
			char hex[3] = { in[2], in[3], 0 };

			*out++ = (char)strtoul(hex, NULL, 16);
			in += 4;
		} else {
			*out++ = *in++;
		}
	}
	return (struct bstr){ s, out - s };
}

/* Connect over TCP; rcvbuf > 0 shrinks the receive buffer first. */
static inline int dial(const char *host, int port, int rcvbuf, int timeout_s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = timeout_s };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -EINVAL;
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* A private key file as written by p2pctl genkey (base64, one line). */
static inline int load_key(const char *file, uint8_t key[P2P_KEY_LEN])
{
	char line[256] = "";
	size_t len;
	FILE *f = fopen(file, "re");

	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, " \t\r\n")] = '\0';
	if (sodium_base642bin(key, P2P_KEY_LEN, line, strlen(line), NULL, &len,
			      NULL, sodium_base64_VARIANT_ORIGINAL) ||
	    len != P2P_KEY_LEN)
		return -EINVAL;
	return 0;
}

/* An errno's name, of either sign ("ENOENT"), or "E<n>". */
static inline const char *errname(int e)
{
	static char buf[24];
	const char *n = strerrorname_np(e < 0 ? -e : e);

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%d", e < 0 ? -e : e);
	return buf;
}

/*
 * Raw body builder: no validation of what goes in; what does not fit is
 * cut (the fuzzers ask for random lengths).
 */
struct body {
	uint8_t b[P2P_MAX_BODY + 4096];
	size_t len;
};

static inline void b_bytes(struct body *b, const void *p, size_t n)
{
	if (n > sizeof(b->b) - b->len)
		n = sizeof(b->b) - b->len;
	memcpy(b->b + b->len, p, n);
	b->len += n;
}

static inline void b_u8(struct body *b, uint8_t v)
{
	b_bytes(b, &v, 1);
}

static inline void b_u16(struct body *b, uint16_t v)
{
	b_u8(b, v >> 8);
	b_u8(b, v);
}

static inline void b_u32(struct body *b, uint32_t v)
{
	b_u16(b, v >> 16);
	b_u16(b, v);
}

static inline void b_u64(struct body *b, uint64_t v)
{
	b_u32(b, v >> 32);
	b_u32(b, v);
}

/* export name (u8 len) and path (u16 len), as given. */
static inline void b_target(struct body *b, struct bstr exp, struct bstr path)
{
	b_u8(b, exp.len);
	b_bytes(b, exp.s, exp.len);
	b_u16(b, path.len);
	b_bytes(b, path.s, path.len);
}

/*
 * One reply frame with its body (at most cap bytes). Returns 0 with *f
 * and the body filled, or a negative errno (-ESHUTDOWN: the server closed).
 * For an ERROR frame, *code gets its errno and msg its text.
 */
static inline int recv_reply(int fd, struct p2p_frame *f, uint8_t *buf,
			     size_t cap, uint32_t *code, char *msg,
			     size_t msgcap)
{
	struct p2p_error e;
	int ret;

	*code = 0;
	ret = p2p_recv_frame(fd, true, f, buf, cap);
	if (ret)
		return ret;
	if (f->op != P2P_OP_ERROR)
		return 0;
	if (p2p_dec_error(buf, f->len, &e))
		return -EPROTO;
	*code = e.code;
	if (msg)
		snprintf(msg, msgcap, "%.*s", (int)e.msg.len, e.msg.s);
	return 0;
}

#endif /* DP_CLIENT_H */
