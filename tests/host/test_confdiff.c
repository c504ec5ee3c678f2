// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/lib/conffile.c and confdiff.c, the pure half of p2pctl apply:
 * what a file says (hostkey file, users without ids, saveconfig), the
 * exact FILE:LINE refusals, and the exact, ordered changes from a state
 * to a file (what --dry-run prints).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <sodium.h>

#include "kselftest_harness.h"
#include "confdiff.h"
#include "conffile.h"
#include "keytext.h"

/* Public keys of the private keys 1 and 2 (any 32 bytes are one). */
#define PRIV1	"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define PRIV2	"AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="
#define KA	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KB	"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="

static char dir[] = "/tmp/p2p-confdiff-XXXXXX";
static char msg[8192];

static void conf_err(void *arg, const char *fmt, va_list ap)
{
	const struct p2p_conf *c = arg;
	int n = snprintf(msg, sizeof(msg), "%s:%d: ", c->file, c->line);

	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
}

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* Read dir/name into m; 0 or -1 with msg set. */
static int read_conf(const char *name, struct p2p_model *m, int *saveconfig)
{
	static char path[256];
	struct p2p_conf c = { .file = path, .open_flags = O_RDONLY, .err = conf_err };
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	msg[0] = '\0';
	memset(m, 0, sizeof(*m));
	ret = p2p_conf_read(&c, f, m);
	fclose(f);
	if (saveconfig)
		*saveconfig = c.saveconfig;
	return ret;
}

/* The changes as --dry-run prints them. */
static char *diff_text(const struct p2p_model *cur, const struct p2p_model *want)
{
	static char out[8192];
	struct p2p_diff d;
	int i, n = 0;

	out[0] = '\0';
	if (p2p_conf_diff(cur, want, 7437, &d))
		return "ENOMEM";
	for (i = 0; i < d.n; i++)
		if (d.v[i].text)
			n += snprintf(out + n, sizeof(out) - n, "%s\n", d.v[i].text);
	p2p_diff_free(&d);
	return out;
}

/* A module's state: what model_read() would give. */
static void module_state(struct p2p_model *m)
{
	memset(m, 0, sizeof(*m));
	m->has_hostkey = true;
	key_from_b64(m->priv, PRIV2);
	crypto_scalarmult_curve25519_base(m->pub, m->priv);
	strcpy(m->listen, "*:7437");
	m->cipher = P2P_CIPHER_DEFAULT;
	for (int i = 0; i < P2P_LIMIT_COUNT; i++)
		m->has_limit[i] = true;
	m->limits[P2P_LIMIT_MAX_CONNS] = 256;
	m->limits[P2P_LIMIT_MAX_USER_CONNS] = 128;
	m->limits[P2P_LIMIT_AUTH_BURST] = 10;
	m->limits[P2P_LIMIT_IDLE_TIMEOUT] = 60;
}

static void mod_user(struct p2p_model *m, const char *name, const char *key,
		     uint32_t uid)
{
	struct p2p_model_user *u = p2p_model_grow(&m->users, &m->n_users, sizeof(*u));

	strcpy(u->name, name);
	key_from_b64(u->pubkey, key);
	u->uid = u->gid = uid;
}

static struct p2p_model_export *mod_export(struct p2p_model *m, const char *name,
					   const char *sub)
{
	struct p2p_model_export *e = p2p_model_grow(&m->exports, &m->n_exports, sizeof(*e));
	struct stat st;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	stat(path, &st);
	strcpy(e->name, name);
	e->path = strdup(path);
	e->fd = -1;
	e->has_dir_id = true;
	e->dev_major = major(st.st_dev);
	e->dev_minor = minor(st.st_dev);
	e->ino = st.st_ino;
	return e;
}

static void mod_grant(struct p2p_model_export *e, const char *user, uint8_t mode)
{
	struct p2p_model_grant *g = p2p_model_grow(&e->grants, &e->n_grants, sizeof(*g));

	strcpy(g->user, user);
	g->mode = mode;
}

FIXTURE(conf) {
	char text[4096];
};

FIXTURE_SETUP(conf)
{
	char path[256];

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/music", dir);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/docs", dir);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/other", dir);
	ASSERT_EQ(0, mkdir(path, 0755));
	put("hostkey", PRIV1 "\n");
	snprintf(self->text, sizeof(self->text),
		 "# a comment\n"
		 "hostkey file hostkey\n"
		 "saveconfig yes\n"
		 "listen 198.18.0.1 cipher chacha20-poly1305\n"
		 "limits max_conns 50\n"
		 "user alice " KA "\n"
		 "user bob " KB " 1000 100\n"
		 "grant music alice ro\n"
		 "export music %s/music\n"
		 "export docs %s/docs\n"
		 "grant music bob rw\n", dir, dir);
	put("good.conf", self->text);
}

FIXTURE_TEARDOWN(conf)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	system(cmd);
	strcpy(dir, "/tmp/p2p-confdiff-XXXXXX");
}

TEST_F(conf, reads_the_new_keywords)
{
	uint8_t priv[P2P_KEY_LEN];
	struct p2p_model m;
	int sc = -2;

	ASSERT_EQ(0, read_conf("good.conf", &m, &sc));
	EXPECT_EQ(1, sc);
	key_from_b64(priv, PRIV1);
	EXPECT_TRUE(m.has_hostkey);
	EXPECT_EQ(0, memcmp(priv, m.priv, P2P_KEY_LEN));
	ASSERT_EQ(2, m.n_users);
	EXPECT_EQ(65534U, m.users[0].uid);	/* no ids: nobody */
	EXPECT_EQ(65534U, m.users[0].gid);
	EXPECT_EQ(1000U, m.users[1].uid);
	EXPECT_EQ(100U, m.users[1].gid);
	EXPECT_TRUE(m.has_limit[P2P_LIMIT_MAX_CONNS]);
	EXPECT_FALSE(m.has_limit[P2P_LIMIT_IDLE_TIMEOUT]);
	p2p_model_free(&m);

	put("nosc.conf", "user alice " KA "\n");
	ASSERT_EQ(0, read_conf("nosc.conf", &m, &sc));
	EXPECT_EQ(-1, sc);
	p2p_model_free(&m);
}

TEST_F(conf, refusals_name_file_and_line)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "user a " KA "\nhostkey file nokey\n",
		  "2: host key file \"%s/nokey\": No such file or directory" },
		{ "hostkey file empty\n", "1: host key file \"%s/empty\": invalid key: " },
		{ "hostkey " PRIV1 "\nhostkey file hostkey\n", "2: a second hostkey" },
		{ "hostkey file\n", "1: use: hostkey file PATH" },
		{ "hostkey a b\n", "1: use: hostkey PRIVATE-KEY | hostkey file PATH" },
		{ "saveconfig yes\nsaveconfig no\n", "2: a second saveconfig" },
		{ "saveconfig true\n", "1: use: saveconfig yes|no" },
		{ "user a " KA " 1000\n", "1: use: user NAME PUBLIC-KEY [UID GID]" },
		{ "user a nokey\n", "1: invalid public key: not valid base64" },
		{ "\n\nuser x/y " KA "\n", "3: invalid user name \"x/y\"" },
		{ "export gone /nonexistent\n",
		  "1: \"/nonexistent\": No such file or directory" },
	};
	char want[512], got[512];
	struct p2p_model m;
	size_t i;

	put("empty", "\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put("bad.conf", bad[i].text);
		EXPECT_EQ(-1, read_conf("bad.conf", &m, NULL));
		p2p_model_free(&m);
		snprintf(want, sizeof(want), "%s/bad.conf:", dir);
		snprintf(got, sizeof(got), bad[i].want, dir);
		strcat(want, got);
		EXPECT_EQ(0, strncmp(msg, want, strlen(want)))
			TH_LOG("file %zu: got \"%s\", want \"%s\"", i, msg, want);
	}
}

TEST_F(conf, from_empty_everything_comes)
{
	struct p2p_model cur, want;
	char exp[2048], old[KEY_B64_LEN], new[KEY_B64_LEN];
	uint8_t pub[P2P_KEY_LEN], priv[P2P_KEY_LEN];

	module_state(&cur);
	ASSERT_EQ(0, read_conf("good.conf", &want, NULL));
	key_to_b64(old, cur.pub);
	key_from_b64(priv, PRIV1);
	crypto_scalarmult_curve25519_base(pub, priv);
	key_to_b64(new, pub);
	snprintf(exp, sizeof(exp),
		 "~ hostkey %s -> %s\n"
		 "~ listen *:7437 -> 198.18.0.1:7437\n"
		 "~ cipher aes-128-gcm -> chacha20-poly1305\n"
		 "~ limit max_conns 256 -> 50\n"
		 "+ user alice\n"
		 "+ user bob\n"
		 "+ export music %s/music\n"
		 "+ grant music alice ro\n"
		 "+ grant music bob rw\n"
		 "+ export docs %s/docs\n", old, new, dir, dir);
	EXPECT_STREQ(exp, diff_text(&cur, &want));
	p2p_model_free(&cur);
	p2p_model_free(&want);
}

/* The state the file wants, as the module reports it: no change. */
static void as_applied(struct p2p_model *cur)
{
	struct p2p_model_export *e;

	module_state(cur);
	key_from_b64(cur->priv, PRIV1);
	crypto_scalarmult_curve25519_base(cur->pub, cur->priv);
	strcpy(cur->listen, "198.18.0.1:7437");
	cur->cipher = P2P_CIPHER_CHACHA20_POLY1305;
	cur->limits[P2P_LIMIT_MAX_CONNS] = 50;
	mod_user(cur, "alice", KA, 65534);
	mod_user(cur, "bob", KB, 1000);
	cur->users[1].gid = 100;
	e = mod_export(cur, "music", "music");
	mod_grant(e, "alice", P2P_GRANT_RO);
	mod_grant(e, "bob", P2P_GRANT_RW);
	mod_export(cur, "docs", "docs");
}

TEST_F(conf, applied_is_no_change)
{
	struct p2p_model cur, want;
	struct p2p_diff d;

	as_applied(&cur);
	ASSERT_EQ(0, read_conf("good.conf", &want, NULL));
	ASSERT_EQ(0, p2p_conf_diff(&cur, &want, 7437, &d));
	EXPECT_EQ(0, d.n);
	p2p_diff_free(&d);
	/* a limit the file does not name stays, whatever its value */
	cur.limits[P2P_LIMIT_IDLE_TIMEOUT] = 5;
	EXPECT_STREQ("", diff_text(&cur, &want));
	p2p_model_free(&cur);
	p2p_model_free(&want);
}

/* Removals of grants and exports first, users that go last. */
TEST_F(conf, changes_in_a_consistent_order)
{
	struct p2p_model cur, want;
	struct p2p_model_export *e;
	char exp[2048];

	as_applied(&cur);
	mod_user(&cur, "eve", KA, 65534);
	e = mod_export(&cur, "old", "other");
	mod_grant(e, "eve", P2P_GRANT_RW);
	mod_grant(&cur.exports[1], "eve", P2P_GRANT_RO);	/* docs */
	cur.users[1].uid = 1001;				/* bob */
	snprintf(self->text, sizeof(self->text),
		 "hostkey file hostkey\n"
		 "listen 198.18.0.1:7437 cipher chacha20-poly1305\n"
		 "user bob " KB " 1000 100\n"
		 "user carol " KB "\n"
		 "user alice " KB "\n"
		 "export music %s/music\n"
		 "export docs %s/other\n"
		 "export new %s/docs\n"
		 "grant music bob ro\n"
		 "grant new carol rw\n"
		 "grant docs carol ro\n", dir, dir, dir);
	put("two.conf", self->text);
	ASSERT_EQ(0, read_conf("two.conf", &want, NULL));
	snprintf(exp, sizeof(exp),
		 "- grant music alice ro\n"
		 "~ export docs %s/other (was %s/docs)\n"
		 "- export old\n"
		 "~ user bob uid 1001 -> 1000\n"
		 "+ user carol\n"
		 "~ user alice pubkey " KA " -> " KB "\n"
		 "~ grant music bob rw -> ro\n"
		 "- grant docs eve ro\n"
		 "+ grant docs carol ro\n"
		 "+ export new %s/docs\n"
		 "+ grant new carol rw\n"
		 "- user eve\n", dir, dir, dir);
	EXPECT_STREQ(exp, diff_text(&cur, &want));
	p2p_model_free(&cur);
	p2p_model_free(&want);
}

TEST_F(conf, default_listener)
{
	struct p2p_model cur, want;

	module_state(&cur);
	strcpy(cur.listen, "[fd00::1]:7000");
	cur.cipher = P2P_CIPHER_CHACHA20_POLY1305;
	put("l.conf", "listen [fd00::1]:7000\n");
	ASSERT_EQ(0, read_conf("l.conf", &want, NULL));
	EXPECT_STREQ("~ cipher chacha20-poly1305 -> aes-128-gcm\n", diff_text(&cur, &want));
	p2p_model_free(&want);
	put("l.conf", "# no listen line\n");
	ASSERT_EQ(0, read_conf("l.conf", &want, NULL));
	EXPECT_STREQ("~ listen [fd00::1]:7000 -> *:7437\n"
		     "~ cipher chacha20-poly1305 -> aes-128-gcm\n", diff_text(&cur, &want));
	p2p_model_free(&want);
	p2p_model_free(&cur);
}

TEST_HARNESS_MAIN
