// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl genkey: a new private key.
 */
#include <errno.h>
#include <string.h>
#include <sodium.h>

#include "keys.h"
#include "p2pctl.h"

static int genkey_main(int argc, char **argv)
{
	uint8_t key[P2P_KEY_LEN];
	char b64[KEY_B64_LEN];
	struct cli c;

	cli_init(&c, &cmd_genkey, argc, argv, "", NULL);
	if (cli_no_options(&c) || cli_nargs(&c, 0, 0, NULL))
		return 1;
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
	.summary = "print a new private key (base64)",
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
