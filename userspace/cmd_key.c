// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl genkey, pubkey, hostkey.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "keys.h"
#include "nl.h"
#include "p2pctl.h"

/* A secret goes to stdout: a regular file there must be private. */
int private_stdout(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) || !S_ISREG(st.st_mode) ||
	    !(st.st_mode & 077))
		return 0;
	if (fchmod(STDOUT_FILENO, st.st_mode & 0700)) {
		err("cannot make the output file private (mode 0600): %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int genkey_main(int argc, char **argv)
{
	uint8_t key[P2P_KEY_LEN];
	char b64[KEY_B64_LEN];

	if (argc > 1)
		return usage_err(&cmd_genkey, "unexpected argument \"%s\"", argv[1]);
	if (sodium_init() < 0) {
		err("cannot initialise libsodium");
		return 1;
	}
	if (private_stdout())
		return 1;
	randombytes_buf(key, sizeof(key));
	key[0] &= 248;		/* an X25519 scalar, clamped as wg genkey does */
	key[31] = (key[31] & 127) | 64;
	key_to_b64(b64, key);
	printf("%s\n", b64);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(b64, sizeof(b64));
	return fflush(stdout) ? (err("cannot write the key: %s", strerror(errno)), 1) : 0;
}

const struct command cmd_genkey = {
	.name = "genkey",
	.main = genkey_main,
	.usage = "",
	.help =
	"Generate a new X25519 private key (32 random bytes from libsodium) and\n"
	"print it in base64 on one line, as `wg genkey` does.  When standard\n"
	"output is a regular file, its mode is set to 0600 first.\n"
	"\n"
	"Example:\n"
	"  p2pctl genkey > alice.key\n"
	"  p2pctl pubkey < alice.key > alice.pub\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};

static int pubkey_main(int argc, char **argv)
{
	uint8_t priv[P2P_KEY_LEN], pub[P2P_KEY_LEN];
	char b64[KEY_B64_LEN];
	int ret;

	if (argc > 1)
		return usage_err(&cmd_pubkey, "unexpected argument \"%s\"", argv[1]);
	if (key_read(priv, stdin, "standard input"))
		return 1;
	ret = key_public(pub, priv);
	sodium_memzero(priv, sizeof(priv));
	if (ret) {
		err("standard input: not a usable X25519 private key");
		return 1;
	}
	key_to_b64(b64, pub);
	printf("%s\n", b64);
	return 0;
}

const struct command cmd_pubkey = {
	.name = "pubkey",
	.main = pubkey_main,
	.usage = "< PRIVATE-KEY-FILE",
	.help =
	"Read a private key (base64, one line) on standard input and print its\n"
	"X25519 public key in base64.  Give the public key to the hosts that\n"
	"should know you (p2pctl user add USER --pubkey KEY).\n"
	"\n"
	"Example:\n"
	"  p2pctl pubkey < alice.key > alice.pub\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr (no key, bad\n"
	"base64, wrong length, all zeros).\n",
};

static int hostkey_pub_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[P2P_A_MAX + 1];

	if (p2p_nl_parse(msg, tb) || !tb[P2P_A_HOSTKEY_PUB] ||
	    nla_len(tb[P2P_A_HOSTKEY_PUB]) != P2P_KEY_LEN)
		return NL_SKIP;
	memcpy(arg, nla_data(tb[P2P_A_HOSTKEY_PUB]), P2P_KEY_LEN);
	return NL_OK;
}

static int hostkey_show(struct p2p_nl *nl)
{
	uint8_t pub[P2P_KEY_LEN] = { 0 };
	char b64[KEY_B64_LEN];
	int ret;

	ret = p2p_nl_run(nl, p2p_nl_msg(nl, P2P_CMD_STATUS_GET, 0), hostkey_pub_cb, pub);
	if (ret)
		return p2p_nl_report(nl, ret, "cannot read the host key");
	key_to_b64(b64, pub);
	printf("%s\n", b64);
	return 0;
}

static int hostkey_set(struct p2p_nl *nl, const char *file)
{
	uint8_t priv[P2P_KEY_LEN];
	struct nl_msg *msg;
	FILE *f;
	int ret;

	f = strcmp(file, "-") ? fopen(file, "re") : stdin;
	if (!f) {
		err("%s: %s", file, strerror(errno));
		return 1;
	}
	ret = key_read(priv, f, file);
	if (f != stdin)
		fclose(f);
	if (ret)
		return 1;
	msg = p2p_nl_msg(nl, P2P_CMD_HOSTKEY_SET, 0);
	nla_put(msg, P2P_A_HOSTKEY_PRIV, P2P_KEY_LEN, priv);
	sodium_memzero(priv, sizeof(priv));
	ret = p2p_nl_run(nl, msg, NULL, NULL);
	if (ret)
		return p2p_nl_report(nl, ret, "cannot set the host key");
	return 0;
}

static int hostkey_main(int argc, char **argv)
{
	struct p2p_nl nl;
	int ret;

	if (argc > 1 && strcmp(argv[1], "set"))
		return usage_err(&cmd_hostkey, "unknown argument \"%s\"", argv[1]);
	if (argc == 2)
		return usage_err(&cmd_hostkey, "set needs a FILE");
	if (argc > 3)
		return usage_err(&cmd_hostkey, "unexpected argument \"%s\"", argv[3]);
	if (p2p_nl_open(&nl))
		return 1;
	ret = argc == 1 ? hostkey_show(&nl) : hostkey_set(&nl, argv[2]);
	p2p_nl_close(&nl);
	return ret;
}

const struct command cmd_hostkey = {
	.name = "hostkey",
	.main = hostkey_main,
	.usage = "[set FILE]",
	.help =
	"Without arguments, print this host's X25519 public key in base64 (the\n"
	"key peers pin with --host-key).  The module generates the host key\n"
	"pair from the kernel's random number generator on first need; each\n"
	"network namespace has its own.\n"
	"\n"
	"  set FILE   replace the host's private key by the one in FILE (base64,\n"
	"             one line, as written by p2pctl genkey; - for standard\n"
	"             input).  Peers that pinned the old key will refuse this\n"
	"             host until they learn the new one.\n"
	"\n"
	"Examples:\n"
	"  p2pctl hostkey\n"
	"  p2pctl genkey > host.key && p2pctl hostkey set host.key\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
