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

static int listen_main(int argc, char **argv)
{
	struct nl_msg *msg;
	struct p2p_nl nl;
	int ret;

	if (argc > 2)
		return usage_err(&cmd_listen, "unexpected argument \"%s\"", argv[2]);
	if (p2p_nl_open(&nl))
		return 1;
	msg = p2p_nl_msg(&nl, P2P_CMD_LISTEN_SET, 0);
	if (argc == 2 && listen_parse(argv[1], msg)) {
		nlmsg_free(msg);
		p2p_nl_close(&nl);
		return 1;
	}
	ret = cp_do(&nl, msg, "cannot change the listener");
	p2p_nl_close(&nl);
	return ret;
}

const struct command cmd_listen = {
	.name = "listen",
	.main = listen_main,
	.usage = "[ADDR][:PORT]",
	.help =
	"Set the address and TCP port the server listens on in this network\n"
	"namespace.  ADDR is an IPv4 address, an IPv6 address (in brackets when\n"
	"a port follows), or * for every address; PORT is 1-65535.  What is\n"
	"left out takes its default: every address, and port 7437 or the\n"
	"module parameter port=.  A running server moves to the new address at\n"
	"once; if it cannot, the old setting stays.  The server itself starts\n"
	"with the first export.\n"
	"\n"
	"Examples:\n"
	"  p2pctl listen                  every address, default port\n"
	"  p2pctl listen :7000            every address, port 7000\n"
	"  p2pctl listen 198.18.0.1       one address, default port\n"
	"  p2pctl listen [fd00::1]:7000\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
