// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl discover: the hosts avahi-daemon finds announcing _p2pshare._tcp.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "keytext.h"
#include "mdns.h"
#include "p2pctl.h"
#include "print.h"

/* "--timeout S": 0.1 to 600 seconds. */
static int parse_timeout(const char *s, unsigned int *ms)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= 0.1 && v <= 600))
		return usage_err(&cmd_discover, "invalid timeout \"%s\" "
				 "(seconds, 0.1 to 600)", s);
	*ms = (unsigned int)(v * 1000);
	return 0;
}

static int parse_args(int argc, char **argv, bool *json, unsigned int *ms)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		CLI_OPTS_END
	};
	struct cli c;
	int o;

	cli_init(&c, &cmd_discover, argc, argv, "jt:", opts);
	while ((o = cli_next(&c)) > 0) {
		if (o == 'j')
			*json = true;
		else if (parse_timeout(optarg, ms))
			return 1;
	}
	if (o == CLI_STOP || cli_nargs(&c, 0, 0, NULL))
		return 1;
	return 0;
}

static void print_host(const struct mdns_host *h)
{
	char hp[sizeof(h->addr) + 16], b64[KEY_B64_LEN];

	mdns_hostport(h, hp, sizeof(hp));
	print_obj_open(NULL);
	print_human("%-24s ", hp);
	print_str("address", NULL, h->addr);
	print_u64("port", NULL, h->port);
	if (h->has_key) {
		key_to_b64(b64, h->key);
		print_str("hostkey", "%s ", b64);
	} else {
		print_null("hostkey", "(no valid host key)                          ");
	}
	print_str("host", "%s", h->host);
	print_str("name", " \"%s\"", h->name);
	print_str("interface", " on %s\n", h->ifname);
	print_obj_close();
}

static int discover_main(int argc, char **argv)
{
	unsigned int ms = MDNS_TIMEOUT_MS;
	struct mdns_list l;
	bool json = false;
	int i;

	if (parse_args(argc, argv, &json, &ms) || mdns_discover(ms, &l))
		return 1;
	print_start(json);
	print_arr_open("hosts");
	for (i = 0; i < l.n; i++)
		print_host(&l.v[i]);
	print_arr_close();
	print_end();
	mdns_list_free(&l);
	return 0;
}

const struct command cmd_discover = {
	.name = "discover",
	.main = discover_main,
	.usage = "[-j] [--timeout S]",
	.summary = "list the hosts announcing p2pshare on the local network",
	.help =
	"List the hosts on the local links that announce _p2pshare._tcp over\n"
	"mDNS (p2pctl announce on each host), one line each: ADDRESS:PORT as a\n"
	"URL names it, the host key the announcement claims, the host name,\n"
	"the service name and the interface it was seen on.  A host announced\n"
	"over IPv4 and IPv6, or seen on two interfaces, has a line for each.\n"
	"Asks the local avahi-daemon over D-Bus (libavahi-client); it ends\n"
	"when avahi-daemon has reported all it knows, or after the timeout.\n"
	"\n"
	"mDNS is not authenticated: anyone on the link can announce anything,\n"
	"any key for any address.  The list says who claims to be there, not\n"
	"who is (see get --trust-discovered and p2pshare(7)).\n"
	"\n"
	"Options:\n"
	"  -j, --json       {\"hosts\": [{\"address\", \"port\", \"hostkey\" (null if\n"
	"                   the announcement holds no valid key), \"host\",\n"
	"                   \"name\", \"interface\"}...]}\n"
	"  --timeout S      wait at most S seconds (0.1-600, default 5)\n"
	"\n"
	"Environment:\n"
	"  DBUS_SYSTEM_BUS_ADDRESS  the D-Bus system bus avahi-daemon is on\n"
	"\n"
	"Exit status: 0 (also when no host answers), or 1 with one line on\n"
	"stderr, e.g. when avahi-daemon is not running or not installed.\n",
};
