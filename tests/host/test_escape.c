// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/lib/escape.c: the JSON and the terminal form of file names.
 * Exact outputs for invalid UTF-8 (lone bytes, overlong forms, surrogates,
 * past U+10FFFF, cut sequences) and control characters; the UTF-8 decoder
 * against every 1-3 byte sequence and every code point; and, on random
 * bytes, that both forms are valid UTF-8 free of control characters and
 * that decoding them as p2pctl(8) says gives the bytes back.  The decoders
 * here are written from that description, not from escape.c.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "escape.h"

struct vec {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	const char *json;
	const char *text;
};

static const struct vec vecs[] = {
	{ "plain name.txt", 0, "plain name.txt", "plain name.txt" },
	{ "", 0, "", "" },
	{ "q\"b\\s", 0, "q\\\"b\\\\s", "q\"b\\\\s" },
	{ "a\nb", 0, "a\\u000ab", "a\\x0ab" },
	{ "\x1b[31mred\r", 0, "\\u001b[31mred\\u000d", "\\x1b[31mred\\x0d" },
	{ "tab\tdel\x7f", 0, "tab\\u0009del\\u007f", "tab\\x09del\\x7f" },
	{ "nul\0x", 5, "nul\\u0000x", "nul\\x00x" },
	/* valid UTF-8 stays, up to U+10FFFF */
	{ "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf", 0,
	  "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf",
	  "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf" },
	/* C1 controls (U+0085, U+009B CSI), line separators, bidi overrides */
	{ "\xc2\x85\xc2\x9b\xc2\xa0", 0, "\\u0085\\u009b\xc2\xa0",
	  "\\xc2\\x85\\xc2\\x9b\xc2\xa0" },
	{ "\xe2\x80\xa8\xe2\x80\xa9", 0, "\\u2028\\u2029",
	  "\\xe2\\x80\\xa8\\xe2\\x80\\xa9" },
	{ "gpj.\xe2\x80\xae" "exe", 0, "gpj.\xe2\x80\xae" "exe", "gpj.\\xe2\\x80\\xae" "exe" },
	{ "\xe2\x81\xa6x\xe2\x81\xa9", 0, "\xe2\x81\xa6x\xe2\x81\xa9",
	  "\\xe2\\x81\\xa6x\\xe2\\x81\\xa9" },
	/* lone bytes */
	{ "\xff\xfe", 0, "\\udcff\\udcfe", "\\xff\\xfe" },
	{ "a\x80z", 0, "a\\udc80z", "a\\x80z" },
	{ "\xc1\xbf", 0, "\\udcc1\\udcbf", "\\xc1\\xbf" },
	/* overlong: '/' as 2, 3 and 4 bytes, NUL as 2 */
	{ "\xc0\xaf", 0, "\\udcc0\\udcaf", "\\xc0\\xaf" },
	{ "\xe0\x80\xaf", 0, "\\udce0\\udc80\\udcaf", "\\xe0\\x80\\xaf" },
	{ "\xf0\x80\x80\xaf", 0, "\\udcf0\\udc80\\udc80\\udcaf",
	  "\\xf0\\x80\\x80\\xaf" },
	{ "\xc0\x80", 0, "\\udcc0\\udc80", "\\xc0\\x80" },
	{ "\xe0\x9f\xbf", 0, "\\udce0\\udc9f\\udcbf", "\\xe0\\x9f\\xbf" },
	/* surrogates U+D800, U+DFFF encoded (CESU-8 style) */
	{ "\xed\xa0\x80", 0, "\\udced\\udca0\\udc80", "\\xed\\xa0\\x80" },
	{ "\xed\xbf\xbf", 0, "\\udced\\udcbf\\udcbf", "\\xed\\xbf\\xbf" },
	{ "\xed\x9f\xbf", 0, "\xed\x9f\xbf", "\xed\x9f\xbf" },	/* U+D7FF */
	/* past U+10FFFF, and F5-FF leads */
	{ "\xf4\x90\x80\x80", 0, "\\udcf4\\udc90\\udc80\\udc80",
	  "\\xf4\\x90\\x80\\x80" },
	{ "\xf5\x80\x80\x80", 0, "\\udcf5\\udc80\\udc80\\udc80",
	  "\\xf5\\x80\\x80\\x80" },
	/* cut sequences: at the end, and before an ASCII byte */
	{ "x\xe2\x82", 0, "x\\udce2\\udc82", "x\\xe2\\x82" },
	{ "\xe2\x82" "A", 0, "\\udce2\\udc82" "A", "\\xe2\\x82" "A" },
	{ "\xf0\x9f\x98", 0, "\\udcf0\\udc9f\\udc98", "\\xf0\\x9f\\x98" },
	{ "\xc3\xc3\xa9", 0, "\\udcc3\xc3\xa9", "\\xc3\xc3\xa9" },
	/* what the escapes themselves look like, unescaped: a backslash */
	{ "\\udc80 \\x41", 0, "\\\\udc80 \\\\x41", "\\\\udc80 \\\\x41" },
};

static size_t vlen(const struct vec *v)
{
	return v->len ? v->len : strlen(v->in);
}

TEST(vectors)
{
	char out[256];
	size_t i, n;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		n = p2p_esc_json(out, sizeof(out), vecs[i].in, vlen(&vecs[i]));
		EXPECT_STREQ(vecs[i].json, out) TH_LOG("json of vector %zu", i);
		EXPECT_EQ(strlen(vecs[i].json), n);
		n = p2p_esc_text(out, sizeof(out), vecs[i].in, vlen(&vecs[i]));
		EXPECT_STREQ(vecs[i].text, out) TH_LOG("text of vector %zu", i);
		EXPECT_EQ(strlen(vecs[i].text), n);
	}
}

/* A reference encoder: code point to UTF-8. */
static size_t enc(uint32_t c, char *b)
{
	if (c < 0x80) {
		b[0] = c;
		return 1;
	}
	if (c < 0x800) {
		b[0] = 0xc0 | c >> 6;
		b[1] = 0x80 | (c & 0x3f);
		return 2;
	}
	if (c < 0x10000) {
		b[0] = 0xe0 | c >> 12;
		b[1] = 0x80 | (c >> 6 & 0x3f);
		b[2] = 0x80 | (c & 0x3f);
		return 3;
	}
	b[0] = 0xf0 | c >> 18;
	b[1] = 0x80 | (c >> 12 & 0x3f);
	b[2] = 0x80 | (c >> 6 & 0x3f);
	b[3] = 0x80 | (c & 0x3f);
	return 4;
}

/* Every code point but the surrogates decodes; the surrogates do not. */
TEST(every_code_point)
{
	uint32_t c, got;
	char b[4];
	size_t n;

	for (c = 0; c <= 0x10ffff; c++) {
		n = enc(c, b);
		if (c >= 0xd800 && c <= 0xdfff) {
			ASSERT_EQ(0U, p2p_utf8_seq(b, n, &got)) TH_LOG("U+%04X", c);
			continue;
		}
		ASSERT_EQ(n, p2p_utf8_seq(b, n, &got)) TH_LOG("U+%04X", c);
		ASSERT_EQ(c, got);
		/* one byte short is never a sequence */
		if (n > 1)
			ASSERT_EQ(0U, p2p_utf8_seq(b, n - 1, &got)) TH_LOG("U+%04X", c);
	}
}

/* Of all 2- and 3-byte strings, exactly the shortest forms decode. */
TEST(every_short_sequence)
{
	unsigned int a, b, c, two = 0, three = 0;
	uint32_t cp;
	char s[3], r[4];
	size_t n;

	for (a = 0x80; a < 0x100; a++)
		for (b = 0; b < 0x100; b++) {
			s[0] = a;
			s[1] = b;
			n = p2p_utf8_seq(s, 2, &cp);
			if (!n)
				continue;
			ASSERT_EQ(2U, n);
			ASSERT_EQ(2U, enc(cp, r));
			ASSERT_EQ(0, memcmp(r, s, 2));
			two++;
		}
	EXPECT_EQ(0x800U - 0x80, two);
	for (a = 0xe0; a < 0xf0; a++)
		for (b = 0; b < 0x100; b++)
			for (c = 0; c < 0x100; c++) {
				s[0] = a;
				s[1] = b;
				s[2] = c;
				n = p2p_utf8_seq(s, 3, &cp);
				if (!n)
					continue;
				ASSERT_EQ(3U, n);
				ASSERT_EQ(3U, enc(cp, r));
				ASSERT_EQ(0, memcmp(r, s, 3));
				three++;
			}
	EXPECT_EQ(0x10000U - 0x800 - 0x800, three);	/* no surrogates */
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long hex4(const char *s)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (hex(s[i]) < 0)
			return -1;
		v = v << 4 | hex(s[i]);
	}
	return v;
}

/* A JSON string's contents (RFC 8259), lone U+DC80-U+DCFF as the byte
 * 0x80-0xff (surrogateescape).  Length, or -1 if not valid. */
static long json_decode(const char *s, char *out)
{
	char *o = out;
	long c, lo;

	while (*s) {
		if ((unsigned char)*s < 0x20 || *s == '"')
			return -1;
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		switch (s[1]) {
		case '"': case '\\': case '/':
			*o++ = s[1];
			s += 2;
			continue;
		case 'b': *o++ = '\b'; s += 2; continue;
		case 'f': *o++ = '\f'; s += 2; continue;
		case 'n': *o++ = '\n'; s += 2; continue;
		case 'r': *o++ = '\r'; s += 2; continue;
		case 't': *o++ = '\t'; s += 2; continue;
		case 'u':
			break;
		default:
			return -1;
		}
		c = hex4(s + 2);
		if (c < 0)
			return -1;
		s += 6;
		if (c >= 0xd800 && c <= 0xdbff && s[0] == '\\' && s[1] == 'u' &&
		    (lo = hex4(s + 2)) >= 0xdc00 && lo <= 0xdfff) {
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			s += 6;
		} else if (c >= 0xdc80 && c <= 0xdcff) {
			*o++ = c - 0xdc00;
			continue;
		} else if (c >= 0xd800 && c <= 0xdfff) {
			return -1;
		}
		o += enc(c, o);
	}
	return o - out;
}

/* \\ and \xNN; any other backslash is invalid. */
static long text_decode(const char *s, char *out)
{
	char *o = out;

	while (*s) {
		if (*s != '\\') {
			*o++ = *s++;
		} else if (s[1] == '\\') {
			*o++ = '\\';
			s += 2;
		} else if (s[1] == 'x' && hex(s[2]) >= 0 && hex(s[3]) >= 0) {
			*o++ = hex(s[2]) << 4 | hex(s[3]);
			s += 4;
		} else {
			return -1;
		}
	}
	return o - out;
}

/* Valid UTF-8 (by the reference encoder's rules), and no code point
 * that bad() rejects. */
static bool clean(const char *s, bool (*bad)(uint32_t))
{
	size_t len = strlen(s), i = 0, n;
	uint32_t c;

	while (i < len) {
		n = p2p_utf8_seq(s + i, len - i, &c);
		if (!n || bad(c))
			return false;
		i += n;
	}
	return true;
}

static bool json_bad(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029;
}

static bool text_bad(uint32_t c)
{
	return json_bad(c) || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

/* Random bytes, biased towards UTF-8 leads and continuations. */
static size_t random_name(char *b, size_t max)
{
	static const unsigned char pick[] = {
		0x00, 0x0a, 0x1b, 0x22, 0x5c, 0x7f, 0x80, 0x9b, 0xa0, 0xbf, 0xc0,
		0xc2, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 'a',
	};
	size_t n = rand() % max, i;

	for (i = 0; i < n; i++)
		b[i] = rand() % 2 ? pick[rand() % sizeof(pick)] : rand() % 256;
	return n;
}

TEST(round_trip)
{
	char in[64], out[64 * P2P_ESC_JSON_MAX + 1], back[64 * 4];
	size_t n, i;
	int round;

	srand(18);
	for (round = 0; round < 200000; round++) {
		n = random_name(in, sizeof(in));
		ASSERT_GT(sizeof(out), p2p_esc_json(out, sizeof(out), in, n));
		ASSERT_TRUE(clean(out, json_bad)) TH_LOG("round %d", round);
		ASSERT_EQ((long)n, json_decode(out, back)) TH_LOG("round %d", round);
		ASSERT_EQ(0, memcmp(in, back, n));
		ASSERT_GT(sizeof(out), p2p_esc_text(out, sizeof(out), in, n));
		ASSERT_TRUE(clean(out, text_bad)) TH_LOG("round %d", round);
		ASSERT_EQ((long)n, text_decode(out, back)) TH_LOG("round %d", round);
		ASSERT_EQ(0, memcmp(in, back, n));
		for (i = 0; out[i]; i++)
			ASSERT_TRUE((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
	}
}

/* A short buffer holds a prefix of whole escapes, NUL-terminated. */
TEST(truncation)
{
	const char *in = "ab\x1b\xff\xc3\xa9z";
	char full[64], out[64], dec[64];
	size_t need, size, got;

	need = p2p_esc_json(full, sizeof(full), in, strlen(in));
	ASSERT_STREQ("ab\\u001b\\udcff\xc3\xa9z", full);
	for (size = 1; size <= need + 1; size++) {
		memset(out, 'X', sizeof(out));
		ASSERT_EQ(need, p2p_esc_json(out, size, in, strlen(in)));
		got = strlen(out);
		ASSERT_LT(got, size);
		ASSERT_EQ(0, strncmp(full, out, got));
		/* cut only between escapes: what is left decodes */
		ASSERT_LE(0, json_decode(out, dec)) TH_LOG("size %zu: %s", size, out);
	}
	EXPECT_EQ(strlen("ab\\x1b\\xff\xc3\xa9z"), p2p_esc_text(NULL, 0, in, strlen(in)));
	ASSERT_EQ(8U, p2p_esc_text(out, 8, "\\\\\\\\", 4));
	EXPECT_STREQ("\\\\\\\\\\\\", out);
}

TEST_HARNESS_MAIN
