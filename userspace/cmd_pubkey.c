// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl pubkey: the public key of a private key.
 */
#include <errno.h>
#include <string.h>
#include <sodium.h>

#include "keys.h"
#include "p2pctl.h"

static int pubkey_main(int argc, char **argv)
{
	uint8_t priv[P2P_KEY_LEN], pub[P2P_KEY_LEN];
	char b64[KEY_B64_LEN];
	int ret;
	struct cli c;

	cli_init(&c, &cmd_pubkey, argc, argv, "", NULL);
	if (cli_no_options(&c) || cli_nargs(&c, 0, 0, NULL))
		return 1;
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
	.summary = "print the public key of the private key on standard input",
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
