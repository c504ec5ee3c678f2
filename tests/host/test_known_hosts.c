// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/lib/known_hosts.c: line parsing, lookup (first entry pins, line
 * numbers, malformed lines skipped), the file's location from the
 * environment, and appending with the right modes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "known_hosts.h"

/* Three keys and their base64. */
#define KA	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KB	"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
#define KC	"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="

static void key_n(uint8_t k[P2P_KEY_LEN], int n)
{
	int i;

	for (i = 0; i < P2P_KEY_LEN; i++)
		k[i] = n * 32 + i;
}

TEST(parse_line)
{
	char hp[128];
	uint8_t k[P2P_KEY_LEN], want[P2P_KEY_LEN];

	key_n(want, 0);
	ASSERT_EQ(1, p2p_kh_parse_line("host:7437 " KA "\n", hp, sizeof(hp), k));
	ASSERT_STREQ("host:7437", hp);
	ASSERT_EQ(0, memcmp(k, want, P2P_KEY_LEN));
	ASSERT_EQ(1, p2p_kh_parse_line("  [::1]:1\t " KA " \r\n", hp, sizeof(hp), k));
	ASSERT_STREQ("[::1]:1", hp);
	ASSERT_EQ(1, p2p_kh_parse_line("h:2 " KB, hp, sizeof(hp), k));

	ASSERT_EQ(0, p2p_kh_parse_line("", hp, sizeof(hp), k));
	ASSERT_EQ(0, p2p_kh_parse_line("\n", hp, sizeof(hp), k));
	ASSERT_EQ(0, p2p_kh_parse_line("   \t\n", hp, sizeof(hp), k));
	ASSERT_EQ(0, p2p_kh_parse_line("# h:1 " KA "\n", hp, sizeof(hp), k));
	ASSERT_EQ(0, p2p_kh_parse_line("  #comment\n", hp, sizeof(hp), k));

	/* malformed */
	ASSERT_EQ(-EINVAL, p2p_kh_parse_line("host:7437\n", hp, sizeof(hp), k));
	ASSERT_EQ(-EINVAL, p2p_kh_parse_line("host " KA "\n", hp, sizeof(hp), k));
	ASSERT_EQ(-EINVAL, p2p_kh_parse_line("h:1 " KA " extra\n", hp, sizeof(hp), k));
	ASSERT_EQ(-EINVAL, p2p_kh_parse_line("h:1 " KA "=\n", hp, sizeof(hp), k));
	ASSERT_EQ(-EINVAL, p2p_kh_parse_line("h:1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n",
					     hp, sizeof(hp), k));
	ASSERT_EQ(-EINVAL, p2p_kh_parse_line("h:1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh*=\n",
					     hp, sizeof(hp), k));
	ASSERT_EQ(-EINVAL, p2p_kh_parse_line("h:1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
					     hp, sizeof(hp), k));	/* all zeros */
	ASSERT_EQ(-EINVAL, p2p_kh_parse_line("h:1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gIQ==\n",
					     hp, sizeof(hp), k));	/* 34 bytes */
	ASSERT_EQ(-EINVAL, p2p_kh_parse_line("host:7437 " KA, hp, 9, k));	/* no room */
}

static FILE *mem(const char *text)
{
	return fmemopen((void *)text, strlen(text), "r");
}

TEST(lookup)
{
	static const char text[] =
		"# p2pctl known hosts\n"
		"\n"
		"alpha:7437 " KA "\n"
		"broken line\n"
		"beta:7437 " KB "\n"
		"alpha:7000 " KC "\n"
		"beta:7437 " KC "\n"
		"[::1]:7437 " KC;		/* no final newline */
	uint8_t k[P2P_KEY_LEN], want[P2P_KEY_LEN];
	unsigned int line = 0;
	FILE *f;

	f = mem(text);
	ASSERT_EQ(1, p2p_kh_lookup(f, "alpha:7437", k, &line));
	key_n(want, 0);
	ASSERT_EQ(0, memcmp(k, want, P2P_KEY_LEN));
	ASSERT_EQ(3U, line);
	fclose(f);

	/* the first entry pins; the later one is ignored */
	f = mem(text);
	ASSERT_EQ(1, p2p_kh_lookup(f, "beta:7437", k, &line));
	key_n(want, 1);
	ASSERT_EQ(0, memcmp(k, want, P2P_KEY_LEN));
	ASSERT_EQ(5U, line);
	fclose(f);

	/* the port is part of the name */
	f = mem(text);
	ASSERT_EQ(1, p2p_kh_lookup(f, "alpha:7000", k, &line));
	key_n(want, 2);
	ASSERT_EQ(0, memcmp(k, want, P2P_KEY_LEN));
	ASSERT_EQ(6U, line);
	fclose(f);

	f = mem(text);
	ASSERT_EQ(1, p2p_kh_lookup(f, "[::1]:7437", k, &line));
	ASSERT_EQ(8U, line);
	fclose(f);

	f = mem(text);
	ASSERT_EQ(0, p2p_kh_lookup(f, "gamma:7437", k, &line));
	fclose(f);
	f = mem(text);
	ASSERT_EQ(0, p2p_kh_lookup(f, "alpha", k, &line));
	fclose(f);
	ASSERT_EQ(0, p2p_kh_lookup(NULL, "alpha:7437", k, &line));
}

/*
 * A line longer than the read buffer is skipped whole, even when its tail
 * looks like an entry, and counts as one line.
 */
TEST(long_line)
{
	static char text[3 * P2P_KH_LINE_MAX];
	uint8_t k[P2P_KEY_LEN];
	unsigned int line = 0;
	FILE *f;

	memset(text, 'A', P2P_KH_LINE_MAX - 1);
	memcpy(text, "x:1 ", 4);
	snprintf(text + P2P_KH_LINE_MAX - 1, sizeof(text) - P2P_KH_LINE_MAX,
		 "y:1 " KA "\nz:1 " KA "\n");
	f = mem(text);
	ASSERT_EQ(0, p2p_kh_lookup(f, "y:1", k, &line));
	fclose(f);
	f = mem(text);
	ASSERT_EQ(1, p2p_kh_lookup(f, "z:1", k, &line));
	ASSERT_EQ(2U, line);
	fclose(f);
}

TEST(path_from_env)
{
	char buf[256];

	setenv("P2P_KNOWN_HOSTS", "/x/kh", 1);
	setenv("HOME", "/home/u", 1);
	ASSERT_EQ(0, p2p_kh_path(buf, sizeof(buf)));
	ASSERT_STREQ("/x/kh", buf);
	unsetenv("P2P_KNOWN_HOSTS");
	ASSERT_EQ(0, p2p_kh_path(buf, sizeof(buf)));
	ASSERT_STREQ("/home/u/.config/p2pshare/known_hosts", buf);
	setenv("P2P_KNOWN_HOSTS", "", 1);
	ASSERT_EQ(0, p2p_kh_path(buf, sizeof(buf)));
	ASSERT_STREQ("/home/u/.config/p2pshare/known_hosts", buf);
	ASSERT_EQ(-ENAMETOOLONG, p2p_kh_path(buf, 10));
}

TEST(add)
{
	char dir[] = "/tmp/p2p-kh-XXXXXX", path[256], text[512];
	uint8_t k[P2P_KEY_LEN], got[P2P_KEY_LEN];
	unsigned int line;
	struct stat st;
	FILE *f;
	size_t n;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a/b/known_hosts", dir);
	key_n(k, 0);
	ASSERT_EQ(0, p2p_kh_add(path, "h:7437", k));
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_EQ(0600, (int)(st.st_mode & 07777));
	snprintf(text, sizeof(text), "%s/a/b", dir);
	ASSERT_EQ(0, stat(text, &st));
	ASSERT_EQ(0700, (int)(st.st_mode & 07777));

	/* a file without a final newline gets one before the new entry */
	f = fopen(path, "a");
	ASSERT_NE(NULL, f);
	fputs("# no newline", f);
	fclose(f);
	key_n(k, 1);
	ASSERT_EQ(0, p2p_kh_add(path, "[::1]:9", k));

	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ASSERT_STREQ("h:7437 " KA "\n# no newline\n[::1]:9 " KB "\n", text);

	f = fopen(path, "r");
	ASSERT_EQ(1, p2p_kh_lookup(f, "[::1]:9", got, &line));
	ASSERT_EQ(0, memcmp(k, got, P2P_KEY_LEN));
	ASSERT_EQ(3U, line);
	fclose(f);

	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	ASSERT_EQ(0, system(text));
}

/*
 * Two p2pctl that meet a new host at once: the first pin wins, the same
 * key again adds nothing, another key is refused and not written.
 */
TEST(add_conflict)
{
	char dir[] = "/tmp/p2p-kh-XXXXXX", path[256], text[512];
	uint8_t k0[P2P_KEY_LEN], k1[P2P_KEY_LEN];
	FILE *f;
	size_t n;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/known_hosts", dir);
	key_n(k0, 0);
	key_n(k1, 1);
	ASSERT_EQ(0, p2p_kh_add(path, "h:7437", k0));
	ASSERT_EQ(0, p2p_kh_add(path, "h:7437", k0));
	ASSERT_EQ(-EKEYREJECTED, p2p_kh_add(path, "h:7437", k1));
	ASSERT_EQ(0, p2p_kh_add(path, "h:7438", k1));

	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ASSERT_STREQ("h:7437 " KA "\nh:7438 " KB "\n", text);

	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	ASSERT_EQ(0, system(text));
}

TEST_HARNESS_MAIN
