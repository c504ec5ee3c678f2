// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/lib/url.c: p2p:// URLs that parse (every field checked) and
 * URLs that do not (the exact reason, which names the offending part).
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "url.h"
#include "wire.h"

#define ANY	0
#define EXP	P2P_URL_NEED_EXPORT
#define PATH	P2P_URL_NEED_PATH
#define V6	1
#define SLASH	2

struct good {
	const char *url;
	unsigned int need;
	const char *user, *host, *export, *path, *hostport;
	unsigned int port;
	int flags;		/* V6, SLASH */
};

static const struct good goods[] = {
	{ "p2p://alice@host", ANY, "alice", "host", "", "", "host:7437", 7437, 0 },
	{ "p2p://alice@host/", ANY, "alice", "host", "", "", "host:7437", 7437,
	  SLASH },
	{ "p2p://alice@Host.Example.COM:7000/x", EXP, "alice",
	  "Host.Example.COM", "x", "", "host.example.com:7000", 7000, 0 },
	{ "P2P://a@h/x/f", PATH, "a", "h", "x", "f", "h:7437", 7437, 0 },
	{ "p2p://a.b_c-d@127.0.0.1:1/e.x_p-t/d1/d2/file.txt", PATH, "a.b_c-d",
	  "127.0.0.1", "e.x_p-t", "d1/d2/file.txt", "127.0.0.1:1", 1, 0 },
	{ "p2p://u@h:65535/x/dir/", EXP, "u", "h", "x", "dir", "h:65535", 65535,
	  SLASH },
	{ "p2p://u@h/x//a///b/", EXP, "u", "h", "x", "a/b", "h:7437", 7437,
	  SLASH },
	{ "p2p://u@h//x/f", PATH, "u", "h", "x", "f", "h:7437", 7437, 0 },
	{ "p2p://u@[::1]/x/f", PATH, "u", "::1", "x", "f", "[::1]:7437", 7437, V6 },
	{ "p2p://u@[2001:DB8::1]:99/x", EXP, "u", "2001:DB8::1", "x", "",
	  "[2001:db8::1]:99", 99, V6 },
	{ "p2p://u@[fe80::1%25eth0]/x", EXP, "u", "fe80::1%eth0", "x", "",
	  "[fe80::1%eth0]:7437", 7437, V6 },
	{ "p2p://u@[fe80::1%eth0]/x", EXP, "u", "fe80::1%eth0", "x", "",
	  "[fe80::1%eth0]:7437", 7437, V6 },
	{ "p2p://u@h/x/My%20Notes.txt", PATH, "u", "h", "x", "My Notes.txt",
	  "h:7437", 7437, 0 },
	{ "p2p://u@h/x/100%25/b%2Ec%7e", PATH, "u", "h", "x", "100%/b.c~",
	  "h:7437", 7437, 0 },
	{ "p2p://u@h/x/raw space/?q#frag", PATH, "u", "h", "x",
	  "raw space/?q#frag", "h:7437", 7437, 0 },
	{ "p2p://u@h/x/.hidden/..dots/...", PATH, "u", "h", "x",
	  ".hidden/..dots/...", "h:7437", 7437, 0 },
	{ "p2p://u@h/x/%c3%a9t%C3%A9", PATH, "u", "h", "x", "\xc3\xa9t\xc3\xa9",
	  "h:7437", 7437, 0 },
};

TEST(good)
{
	char why[512];
	size_t i;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct p2p_url u;

		ASSERT_EQ(0, p2p_url_parse(g->url, g->need, &u, why, sizeof(why)))
			TH_LOG("%s: %s", g->url, why);
		EXPECT_STREQ("", why);
		EXPECT_STREQ(g->user, u.user);
		EXPECT_STREQ(g->host, u.host);
		EXPECT_STREQ(g->export, u.export);
		EXPECT_STREQ(g->path, u.path);
		EXPECT_STREQ(g->hostport, u.hostport);
		EXPECT_EQ(g->port, u.port);
		EXPECT_EQ(!!(g->flags & V6), u.ipv6);
		EXPECT_EQ(!!(g->flags & SLASH), u.trailing_slash);
	}
}

struct bad {
	const char *url;
	unsigned int need;
	const char *why;
};

static const struct bad bads[] = {
	{ "", ANY, "must start with p2p:// (expected p2p://USER@HOST/...)" },
	{ "alice@host/x", ANY,
	  "must start with p2p:// (expected p2p://USER@HOST/...)" },
	{ "p2p:/alice@host/x", ANY,
	  "must start with p2p:// (expected p2p://USER@HOST/...)" },
	{ "http://alice@host/x", ANY,
	  "unsupported scheme \"http\" (expected p2p://USER@HOST/...)" },
	{ "p2p://host/x/f", PATH,
	  "missing user (expected p2p://USER@HOST/...)" },
	{ "p2p://@host/x/f", PATH,
	  "missing user (expected p2p://USER@HOST/...)" },
	{ "p2p://", ANY, "missing user (expected p2p://USER@HOST/...)" },
	{ "p2p://al ice@host/x", ANY, "invalid user \"al ice\" (1-64 characters "
	  "of A-Z a-z 0-9 . _ -, not . or ..)" },
	{ "p2p://..@host/x", ANY, "invalid user \"..\" (1-64 characters "
	  "of A-Z a-z 0-9 . _ -, not . or ..)" },
	{ "p2p://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@h",
	  ANY, "user \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""
	  " is too long (at most 64 characters)" },
	{ "p2p://alice@/x", ANY, "missing host (expected p2p://USER@HOST/...)" },
	{ "p2p://alice@", ANY, "missing host (expected p2p://USER@HOST/...)" },
	{ "p2p://alice@:7437/x", ANY,
	  "missing host (expected p2p://USER@HOST/...)" },
	{ "p2p://a@b@host/x", ANY, "invalid host \"b@host\" (a name, an IPv4 "
	  "address or an [IPv6] address)" },
	{ "p2p://a@ho st/x", ANY, "invalid host \"ho st\" (a name, an IPv4 "
	  "address or an [IPv6] address)" },
	{ "p2p://a@host:/x", ANY, "missing port after ':' (expected 1-65535)" },
	{ "p2p://a@host:0/x", ANY, "invalid port \"0\" (expected 1-65535)" },
	{ "p2p://a@host:65536/x", ANY,
	  "invalid port \"65536\" (expected 1-65535)" },
	{ "p2p://a@host:99999999999999999999/x", ANY,
	  "invalid port \"99999999999999999999\" (expected 1-65535)" },
	{ "p2p://a@host:80a/x", ANY, "invalid port \"80a\" (expected 1-65535)" },
	{ "p2p://a@host:-1/x", ANY, "invalid port \"-1\" (expected 1-65535)" },
	{ "p2p://a@::1/x", ANY,
	  "an IPv6 address must be in brackets: p2p://USER@[::1]/..." },
	{ "p2p://a@[::1/x", ANY,
	  "missing ']' after the IPv6 address \"[::1\"" },
	{ "p2p://a@[::g]/x", ANY, "invalid IPv6 address \"[::g]\"" },
	{ "p2p://a@[]/x", ANY, "invalid IPv6 address \"[]\"" },
	{ "p2p://a@[1.2.3.4]/x", ANY, "invalid IPv6 address \"[1.2.3.4]\"" },
	{ "p2p://a@[fe80::1%]/x", ANY, "invalid IPv6 address \"[fe80::1%]\"" },
	{ "p2p://a@[::1]x/x", ANY,
	  "unexpected \"x\" after \"[::1]\" (expected :PORT or /)" },
	{ "p2p://a@[::1]:0/x", ANY, "invalid port \"0\" (expected 1-65535)" },
	{ "p2p://a@h", EXP,
	  "missing export (expected p2p://USER@HOST/EXPORT[/PATH])" },
	{ "p2p://a@h/", PATH,
	  "missing export (expected p2p://USER@HOST/EXPORT/PATH)" },
	{ "p2p://a@h/x", PATH, "missing path after the export (expected "
	  "p2p://USER@HOST/EXPORT/PATH)" },
	{ "p2p://a@h/x///", PATH, "missing path after the export (expected "
	  "p2p://USER@HOST/EXPORT/PATH)" },
	{ "p2p://a@h/ex port/f", ANY, "invalid export \"ex port\" (1-64 "
	  "characters of A-Z a-z 0-9 . _ -, not . or ..)" },
	{ "p2p://a@h/../f", ANY, "invalid export \"..\" (1-64 "
	  "characters of A-Z a-z 0-9 . _ -, not . or ..)" },
	{ "p2p://a@h/x%41/f", ANY, "invalid export \"x%41\" (1-64 "
	  "characters of A-Z a-z 0-9 . _ -, not . or ..)" },
	{ "p2p://a@h/x/..", ANY,
	  "\"..\" is not allowed in the path (no . or .. components)" },
	{ "p2p://a@h/x/a/../b", ANY,
	  "\"..\" is not allowed in the path (no . or .. components)" },
	{ "p2p://a@h/x/../../etc/passwd", ANY,
	  "\"..\" is not allowed in the path (no . or .. components)" },
	{ "p2p://a@h/x/a/./b", ANY,
	  "\".\" is not allowed in the path (no . or .. components)" },
	{ "p2p://a@h/x/%2e%2E/etc", ANY,
	  "\"%2e%2E\" is not allowed in the path (no . or .. components)" },
	{ "p2p://a@h/x/.%2e", ANY,
	  "\".%2e\" is not allowed in the path (no . or .. components)" },
	{ "p2p://a@h/x/a%2f..%2fb", PATH,
	  "an escaped '/' (%2F) is not allowed in a path component" },
	{ "p2p://a@h/x/f%00.txt", PATH,
	  "a NUL byte (%00) is not allowed in the path" },
	{ "p2p://a@h/x/f%zz", PATH, "bad escape \"%zz\" in the path (use %XX "
	  "with two hex digits; %25 for a '%')" },
	{ "p2p://a@h/x/f%4", PATH, "bad escape \"%4\" in the path (use %XX "
	  "with two hex digits; %25 for a '%')" },
	{ "p2p://a@h/x/100%", PATH, "bad escape \"%\" in the path (use %XX "
	  "with two hex digits; %25 for a '%')" },
};

TEST(bad)
{
	char why[512];
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct p2p_url u;

		EXPECT_EQ(-EINVAL, p2p_url_parse(bads[i].url, bads[i].need, &u,
						 why, sizeof(why)))
			TH_LOG("%s", bads[i].url);
		EXPECT_STREQ(bads[i].why, why)
			TH_LOG("%s", bads[i].url);
	}
}

/* Component and path limits, counted in decoded bytes. */
TEST(lengths)
{
	static char url[3 * P2P_PATH_MAX + 256], why[512];
	char comp[P2P_COMPONENT_MAX + 2];
	struct p2p_url u;
	size_t len, i;

	memset(comp, 'c', sizeof(comp));
	comp[P2P_COMPONENT_MAX] = '\0';
	snprintf(url, sizeof(url), "p2p://u@h/x/%s", comp);
	ASSERT_EQ(0, p2p_url_parse(url, PATH, &u, why, sizeof(why)));
	ASSERT_EQ((size_t)P2P_COMPONENT_MAX, strlen(u.path));

	/* 255 bytes written as %63: still fine */
	len = snprintf(url, sizeof(url), "p2p://u@h/x/");
	for (i = 0; i < P2P_COMPONENT_MAX; i++)
		len += snprintf(url + len, sizeof(url) - len, "%%63");
	ASSERT_EQ(0, p2p_url_parse(url, PATH, &u, why, sizeof(why)));
	ASSERT_EQ(0, strcmp(u.path, comp));

	comp[P2P_COMPONENT_MAX] = 'c';
	comp[P2P_COMPONENT_MAX + 1] = '\0';
	snprintf(url, sizeof(url), "p2p://u@h/x/ok/%s/z", comp);
	ASSERT_EQ(-EINVAL, p2p_url_parse(url, PATH, &u, why, sizeof(why)));
	ASSERT_STREQ("path component \"cccccccccccccccccccccccccccccccccccccccc...\""
		     " is longer than 255 bytes", why);

	/* 16 components of 255 and separators: 4095 bytes; one more: 4097 */
	comp[P2P_COMPONENT_MAX] = '\0';
	len = snprintf(url, sizeof(url), "p2p://u@h/x");
	for (i = 0; i < 16; i++)
		len += snprintf(url + len, sizeof(url) - len, "/%s", comp);
	ASSERT_EQ(0, p2p_url_parse(url, PATH, &u, why, sizeof(why)));
	ASSERT_EQ((size_t)(16 * 256 - 1), strlen(u.path));
	snprintf(url + len, sizeof(url) - len, "/a");
	ASSERT_EQ(-EINVAL, p2p_url_parse(url, PATH, &u, why, sizeof(why)));
	ASSERT_STREQ("path is longer than 4096 bytes", why);

	snprintf(url, sizeof(url), "p2p://u@h/%.65s", comp);
	ASSERT_EQ(-EINVAL, p2p_url_parse(url, EXP, &u, why, sizeof(why)));
	ASSERT_STREQ("export \"ccccccccccccccccccccccccccccccccccccccccccccccccc"
		     "cccccccccccccccc\" is too long (at most 64 characters)", why);
}

/* Every path a good URL yields passes the protocol's own check. */
TEST(paths_are_wire_valid)
{
	char why[512];
	size_t i;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		struct p2p_url u;

		ASSERT_EQ(0, p2p_url_parse(goods[i].url, 0, &u, why, sizeof(why)));
		EXPECT_EQ(0, p2p_path_check(u.path, strlen(u.path)));
	}
}

TEST(last_component)
{
	char why[512];
	struct p2p_url u;

	ASSERT_EQ(0, p2p_url_parse("p2p://u@h/x/a/b/c.txt", PATH, &u, why,
				   sizeof(why)));
	ASSERT_STREQ("c.txt", p2p_url_basename(&u));
	ASSERT_EQ(0, p2p_url_parse("p2p://u@h/x/f", PATH, &u, why, sizeof(why)));
	ASSERT_STREQ("f", p2p_url_basename(&u));
	ASSERT_EQ(0, p2p_url_parse("p2p://u@h/x", EXP, &u, why, sizeof(why)));
	ASSERT_STREQ("", p2p_url_basename(&u));
}

TEST_HARNESS_MAIN
