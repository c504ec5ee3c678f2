// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The JSON and the terminal form of arbitrary bytes (escape.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

size_t p2p_utf8_seq(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;
	uint32_t c;

	if (!len)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	/* Unicode 15, table 3-7: the second byte's range excludes overlong
	 * forms (E0, F0), surrogates (ED) and code points past U+10FFFF (F4). */
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
		lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		hi = s[0] == 0xed ? 0x9f : 0xbf;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
		lo = s[0] == 0xf0 ? 0x90 : 0x80;
		hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 1; i < n; i++) {
		if (i > 1 && (s[i] < 0x80 || s[i] > 0xbf))
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = c;
	return n;
}

/* Append to out what fits whole, up to the first escape that does not;
 * count everything. */
struct sink {
	char *out;
	size_t size;
	size_t len;		/* needed */
	size_t done;		/* written */
};

static void put(struct sink *k, const char *s, size_t n)
{
	if (k->done == k->len && k->len + n < k->size) {
		memcpy(k->out + k->done, s, n);
		k->done += n;
	}
	k->len += n;
}

static void put_hex(struct sink *k, const char *fmt, unsigned int v)
{
	char b[8];

	put(k, b, snprintf(b, sizeof(b), fmt, v));
}

static size_t finish(struct sink *k)
{
	if (k->size)
		k->out[k->done] = '\0';
	return k->len;
}

static bool json_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029;
}

size_t p2p_esc_json(char *out, size_t size, const char *s, size_t len)
{
	struct sink k = { .out = out, .size = size };
	size_t i = 0, n;
	uint32_t c;

	while (i < len) {
		n = p2p_utf8_seq(s + i, len - i, &c);
		if (!n)
			put_hex(&k, "\\udc%02x", (unsigned char)s[i++]);
		else if (c == '"' || c == '\\')
			put_hex(&k, "\\%c", c);
		else if (json_control(c))
			put_hex(&k, "\\u%04x", c);
		else
			put(&k, s + i, n);
		i += n;
	}
	return finish(&k);
}

/* What a terminal could act on or draw misleadingly: line breaks,
 * escape sequences, text direction. */
static bool text_control(uint32_t c)
{
	return json_control(c) || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

size_t p2p_esc_text(char *out, size_t size, const char *s, size_t len)
{
	struct sink k = { .out = out, .size = size };
	size_t i = 0, n, j;
	uint32_t c;

	while (i < len) {
		n = p2p_utf8_seq(s + i, len - i, &c);
		if (!n || text_control(c)) {
			for (j = 0; j < (n ? n : 1); j++)
				put_hex(&k, "\\x%02x", (unsigned char)s[i + j]);
			n = j;
		} else if (c == '\\') {
			put(&k, "\\\\", 2);
		} else {
			put(&k, s + i, n);
		}
		i += n;
	}
	return finish(&k);
}
