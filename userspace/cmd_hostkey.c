// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl hostkey: this host's public key, or set its private key.
 */
#include <errno.h>
#include <string.h>
#include <sodium.h>

#include "keys.h"
#include "nl.h"
#include "p2pctl.h"

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
	struct cli c;
	int ret;

	cli_init(&c, &cmd_hostkey, argc, argv, "", NULL);
	if (cli_no_options(&c))
		return 1;
	if (c.nargs && strcmp(c.args[0], "set"))
		return usage_err(&cmd_hostkey, "unknown argument \"%s\"", c.args[0]);
	if (c.nargs == 1)
		return usage_err(&cmd_hostkey, "set needs a FILE");
	if (c.nargs > 2)
		return usage_err(&cmd_hostkey, "unexpected argument \"%s\"", c.args[2]);
	if (p2p_nl_open(&nl))
		return 1;
	ret = !c.nargs ? hostkey_show(&nl) : hostkey_set(&nl, c.args[1]);
	p2p_nl_close(&nl);
	return ret;
}

const struct command cmd_hostkey = {
	.name = "hostkey",
	.main = hostkey_main,
	.usage = "[set FILE]",
	.summary = "print this host's public key, or set its private key",
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
