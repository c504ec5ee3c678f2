// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl listen.
 */
#include <arpa/inet.h>
#include <string.h>

#include "nl.h"
#include "p2pctl.h"
#include "snapshot.h"

static int put_port(const char *s, const char *arg, struct nl_msg *msg)
{
	uint32_t port;

	if (parse_u32(s, &port) || !port || port > 65535) {
		err("invalid port \"%s\" in \"%s\" (1-65535)", s, arg);
		return -1;
	}
	nla_put_u16(msg, P2P_A_LISTEN_PORT, port);
	return 0;
}

static int put_addr(const char *s, const char *arg, struct nl_msg *msg)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (!*s || !strcmp(s, "*"))
		return 0;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		nla_put_u32(msg, P2P_A_LISTEN_ADDR4, a4.s_addr);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6) == 1) {
		nla_put(msg, P2P_A_LISTEN_ADDR6, sizeof(a6), &a6);
		return 0;
	}
	err("invalid address \"%s\" in \"%s\" (an IPv4 or IPv6 address, or *)", s, arg);
	return -1;
}

/* "", ":PORT", "ADDR", "ADDR:PORT", "[ADDR6]", "[ADDR6]:PORT", "ADDR6", "*:PORT". */
int listen_parse(const char *arg, struct nl_msg *msg)
{
	char buf[INET6_ADDRSTRLEN + 16], *port = NULL, *addr = buf;

	if (strlen(arg) >= sizeof(buf)) {
		err("invalid listen address \"%s\"", arg);
		return -1;
	}
	strcpy(buf, arg);
	if (buf[0] == '[') {
		port = strchr(buf, ']');
		if (!port || (port[1] && port[1] != ':')) {
			err("invalid listen address \"%s\" (use [ADDR6]:PORT)", arg);
			return -1;
		}
		*port++ = '\0';
		addr++;
		port = *port ? port + 1 : NULL;
	} else if (strchr(buf, ':') == strrchr(buf, ':') && strchr(buf, ':')) {
		port = strchr(buf, ':');
		*port++ = '\0';
	}
	if (put_addr(addr, arg, msg))
		return -1;
	return port ? put_port(port, arg, msg) : 0;
}

struct listen_args {
	const char *addr;
	const char *cipher;
	uint16_t cipher_bit;
};

static int parse_args(int argc, char **argv, struct listen_args *a)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--cipher=", 9)) {
			a->cipher = argv[i] + 9;
		} else if (!strcmp(argv[i], "--cipher")) {
			if (++i == argc)
				return usage_err(&cmd_listen, "--cipher needs a value");
			a->cipher = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_err(&cmd_listen, "unknown option \"%s\"", argv[i]);
		} else if (!a->addr) {
			a->addr = argv[i];
		} else {
			return usage_err(&cmd_listen, "unexpected argument \"%s\"", argv[i]);
		}
	}
	return a->cipher && cipher_one(a->cipher, "--cipher", &a->cipher_bit);
}

/*
 * A request with only a cipher changes only the cipher, one without keeps
 * it (docs/NETLINK.md), and "*" puts no attribute: so the address and the
 * cipher go in a request each.
 */
int listen_apply(struct p2p_nl *nl, const char *addr, bool set_addr,
		 uint16_t cipher)
{
	struct nl_msg *msg;

	if (set_addr) {
		msg = p2p_nl_msg(nl, P2P_CMD_LISTEN_SET, 0);
		if (addr && listen_parse(addr, msg)) {
			nlmsg_free(msg);
			return 1;
		}
		if (cp_do(nl, msg, "cannot change the listener"))
			return 1;
	}
	if (!cipher)
		return 0;
	msg = p2p_nl_msg(nl, P2P_CMD_LISTEN_SET, 0);
	nla_put_u16(msg, P2P_A_LISTEN_CIPHER, cipher);
	return cp_do(nl, msg, "cannot change the listener's cipher");
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
