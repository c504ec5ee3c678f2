// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl listen.
 */
#include <string.h>

#include "apply.h"
#include "p2pctl.h"

struct listen_args {
	const char *addr;
	const char *cipher;
	uint16_t cipher_bit;
};

static const struct option listen_opts[] = {
	{ "cipher", required_argument, NULL, 'C' },
	CLI_OPTS_END
};

static int parse_args(int argc, char **argv, struct listen_args *a)
{
	struct cli c;
	int o;

	cli_init(&c, &cmd_listen, argc, argv, "", listen_opts);
	while ((o = cli_next(&c)) > 0)
		a->cipher = optarg;
	if (o == CLI_STOP || cli_nargs(&c, 0, 1, NULL))
		return 1;
	a->addr = c.nargs ? c.args[0] : NULL;
	return a->cipher && p2p_cipher_one(a->cipher, "--cipher", &a->cipher_bit, verr, NULL);
}

static int listen_main(int argc, char **argv)
{
	struct listen_args a = { 0 };
	struct p2p_nl nl;
	int ret;

	if (parse_args(argc, argv, &a))
		return 1;
	if (p2p_nl_open(&nl))
		return 1;
	ret = listen_apply(&nl, a.addr, a.addr || !a.cipher, a.cipher_bit);
	p2p_nl_close(&nl);
	return ret;
}

const struct command cmd_listen = {
	.name = "listen",
	.main = listen_main,
	.usage = "[ADDR][:PORT] [--cipher CIPHER]",
	.summary = "set the address, port and preferred cipher of the server",
	.help =
	"Set the address and TCP port the server listens on in this network\n"
	"namespace, and the record cipher it prefers.  ADDR is an IPv4\n"
	"address, an IPv6 address (in brackets when a port follows), or * for\n"
	"every address; PORT is 1-65535.  What is left out takes its default:\n"
	"every address, and port 7437 or the module parameter port=.  A\n"
	"running server moves to the new address at once; if it cannot, the\n"
	"old setting stays.  The server itself starts with the first export.\n"
	"\n"
	"Options:\n"
	"  --cipher CIPHER  aes-128-gcm or chacha20-poly1305: the cipher the\n"
	"                   server picks for a connection whose client offers\n"
	"                   it (a client offering only the other one gets the\n"
	"                   other).  Default, until set: aes-128-gcm.  It\n"
	"                   applies to new connections.  Without ADDR, only the\n"
	"                   cipher changes; without --cipher, the cipher stays.\n"
	"\n"
	"Examples:\n"
	"  p2pctl listen                  every address, default port\n"
	"  p2pctl listen :7000            every address, port 7000\n"
	"  p2pctl listen 198.18.0.1       one address, default port\n"
	"  p2pctl listen [fd00::1]:7000\n"
	"  p2pctl listen --cipher chacha20-poly1305\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
