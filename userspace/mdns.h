/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LAN discovery over mDNS/DNS-SD through avahi-daemon: hosts announce
 * _p2pshare._tcp with their host key in TXT (p2pctl announce writes the
 * static service file); discover browses and resolves them.  mDNS is not
 * authenticated: what it yields is a claim, never a proof.
 */
#ifndef P2PCTL_MDNS_H
#define P2PCTL_MDNS_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "uapi/p2pshare_proto.h"

#define MDNS_TYPE		"_p2pshare._tcp"
#define MDNS_SERVICE_FILE	"/etc/avahi/services/p2pshare.service"
#define MDNS_TXT_VERSION	"1"
#define MDNS_TIMEOUT_MS		5000

struct mdns_host {
	char name[256];			/* service instance, "p2pshare on host-a" */
	char host[256];			/* the SRV target, "host-a.local" */
	char ifname[IF_NAMESIZE];
	/* "198.18.0.1", "fe80::1%eth0" (link-local: with its zone) */
	char addr[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
	bool ipv6;
	uint16_t port;
	bool has_key;			/* pk= held a valid key */
	uint8_t key[P2P_KEY_LEN];
};

struct mdns_list {
	struct mdns_host *v;
	int n;
};

/*
 * Browse and resolve every _p2pshare._tcp service avahi-daemon knows or
 * learns, until it has reported all it knows or timeout_ms passed.  The
 * list is sorted by address, port and name.  0, or -1 after one line on
 * stderr (mdns_unavailable() when the daemon cannot be reached).
 */
int mdns_discover(unsigned int timeout_ms, struct mdns_list *l);
void mdns_list_free(struct mdns_list *l);

/* NULL if avahi-daemon answers, else what is missing, in one line. */
const char *mdns_unavailable(void);

/* The entry's "ADDR:PORT" or "[ADDR]:PORT", as a URL names it. */
void mdns_hostport(const struct mdns_host *h, char *buf, size_t len);

/* h answers for HOST:PORT of a URL: its address or its host name. */
bool mdns_host_is(const struct mdns_host *h, const char *host, uint16_t port);

#endif /* P2PCTL_MDNS_H */
