// SPDX-License-Identifier: GPL-2.0
/*
 * Discovery through avahi-daemon (libavahi-client): browse _p2pshare._tcp,
 * resolve each instance, read the host key from its TXT record.  Built
 * without libavahi-client, every entry point says so.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "keytext.h"
#include "mdns.h"
#include "p2pctl.h"

#define AVAHI_DAEMON	"/usr/sbin/avahi-daemon"

void mdns_list_free(struct mdns_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void mdns_hostport(const struct mdns_host *h, char *buf, size_t len)
{
	snprintf(buf, len, h->ipv6 ? "[%s]:%u" : "%s:%u", h->addr, h->port);
}

#ifdef P2P_HAVE_AVAHI

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/simple-watch.h>
#include <avahi-common/timeval.h>

static char why[256];

static const char *no_daemon(int error)
{
	if (access(AVAHI_DAEMON, X_OK))
		snprintf(why, sizeof(why), "discovery needs avahi-daemon, which is "
			 "not installed (apt install avahi-daemon)");
	else
		snprintf(why, sizeof(why), "discovery needs avahi-daemon, which is "
			 "not running (%s); start it: systemctl start avahi-daemon",
			 avahi_strerror(error));
	return why;
}

struct browse {
	AvahiSimplePoll *sp;
	AvahiClient *client;
	struct mdns_list *l;
	int pending;		/* resolvers not yet answered */
	bool all_for_now;
	int error;		/* an avahi error that ends the browse */
};

static void done_if_complete(struct browse *b)
{
	if (b->all_for_now && !b->pending)
		avahi_simple_poll_quit(b->sp);
}

static void fail(struct browse *b, int error)
{
	b->error = error;
	avahi_simple_poll_quit(b->sp);
}

/* The key of "pk=BASE64", if the TXT record holds a valid one. */
static bool txt_key(AvahiStringList *txt, uint8_t key[P2P_KEY_LEN])
{
	AvahiStringList *pk = avahi_string_list_find(txt, "pk");
	char *k = NULL, *v = NULL;
	bool ok;

	if (!pk || avahi_string_list_get_pair(pk, &k, &v, NULL) || !v)
		ok = false;
	else
		ok = !key_from_b64(key, v);
	avahi_free(k);
	avahi_free(v);
	return ok;
}

static void fill_addr(struct mdns_host *h, const AvahiAddress *a,
		      AvahiIfIndex iface)
{
	char buf[INET6_ADDRSTRLEN];

	avahi_address_snprint(buf, sizeof(buf), a);
	h->ipv6 = a->proto == AVAHI_PROTO_INET6;
	/* A link-local address means nothing without its interface. */
	if (h->ipv6 && a->data.ipv6.address[0] == 0xfe &&
	    (a->data.ipv6.address[1] & 0xc0) == 0x80 && h->ifname[0])
		snprintf(h->addr, sizeof(h->addr), "%s%%%s", buf, h->ifname);
	else
		snprintf(h->addr, sizeof(h->addr), "%s", buf);
}

static void add_host(struct browse *b, AvahiIfIndex iface, const char *name,
		     const char *host, const AvahiAddress *a, uint16_t port,
		     AvahiStringList *txt)
{
	struct mdns_host *v, *h;

	v = realloc(b->l->v, (b->l->n + 1) * sizeof(*v));
	if (!v) {
		fail(b, AVAHI_ERR_NO_MEMORY);
		return;
	}
	b->l->v = v;
	h = &v[b->l->n++];
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->host, sizeof(h->host), "%s", host);
	if (iface < 0 || !if_indextoname(iface, h->ifname))
		h->ifname[0] = '\0';
	fill_addr(h, a, iface);
	h->port = port;
	h->has_key = txt_key(txt, h->key);
}

static void resolved(AvahiServiceResolver *r, AvahiIfIndex iface,
		     AvahiProtocol proto, AvahiResolverEvent event,
		     const char *name, const char *type, const char *domain,
		     const char *host, const AvahiAddress *a, uint16_t port,
		     AvahiStringList *txt, AvahiLookupResultFlags flags,
		     void *arg)
{
	struct browse *b = arg;

	/* A failed resolution (the host went away) is no answer, not an error. */
	if (event == AVAHI_RESOLVER_FOUND)
		add_host(b, iface, name, host, a, port, txt);
	avahi_service_resolver_free(r);
	b->pending--;
	done_if_complete(b);
}

static void browsed(AvahiServiceBrowser *sb, AvahiIfIndex iface,
		    AvahiProtocol proto, AvahiBrowserEvent event,
		    const char *name, const char *type, const char *domain,
		    AvahiLookupResultFlags flags, void *arg)
{
	struct browse *b = arg;

	switch (event) {
	case AVAHI_BROWSER_NEW:
		/* The address of the family it was found on: both, for a
		 * host announced over IPv4 and IPv6. */
		if (avahi_service_resolver_new(b->client, iface, proto, name, type,
					       domain, proto, 0, resolved, b))
			b->pending++;
		break;
	case AVAHI_BROWSER_ALL_FOR_NOW:
		b->all_for_now = true;
		done_if_complete(b);
		break;
	case AVAHI_BROWSER_FAILURE:
		fail(b, avahi_client_errno(b->client));
		break;
	default:
		break;
	}
}

static void client_state(AvahiClient *c, AvahiClientState state, void *arg)
{
	struct browse *b = arg;

	if (state == AVAHI_CLIENT_FAILURE && b->sp)
		fail(b, avahi_client_errno(c));
}

static void timed_out(AvahiTimeout *t, void *arg)
{
	struct browse *b = arg;

	avahi_simple_poll_quit(b->sp);
}

static int by_addr(const void *pa, const void *pb)
{
	const struct mdns_host *a = pa, *b = pb;
	int d = (int)a->ipv6 - (int)b->ipv6;

	if (!d)
		d = strcmp(a->addr, b->addr);
	if (!d)
		d = (int)a->port - (int)b->port;
	if (!d)
		d = strcmp(a->name, b->name);
	return d;
}

static AvahiClient *client_open(struct browse *b, int *error)
{
	return avahi_client_new(avahi_simple_poll_get(b->sp), 0, client_state,
				b, error);
}

int mdns_discover(unsigned int timeout_ms, struct mdns_list *l)
{
	struct browse b = { .l = l };
	struct timeval tv;
	int error = 0, ret = -1;

	memset(l, 0, sizeof(*l));
	b.sp = avahi_simple_poll_new();
	if (!b.sp) {
		err("out of memory");
		return -1;
	}
	b.client = client_open(&b, &error);
	if (!b.client) {
		err("%s", no_daemon(error));
		goto out;
	}
	if (!avahi_service_browser_new(b.client, AVAHI_IF_UNSPEC,
				       AVAHI_PROTO_UNSPEC, MDNS_TYPE, NULL, 0,
				       browsed, &b)) {
		err("cannot browse %s: %s", MDNS_TYPE,
		    avahi_strerror(avahi_client_errno(b.client)));
		goto out;
	}
	avahi_simple_poll_get(b.sp)->timeout_new(avahi_simple_poll_get(b.sp),
		avahi_elapse_time(&tv, timeout_ms, 0), timed_out, &b);
	avahi_simple_poll_loop(b.sp);
	if (b.error) {
		err("discovery failed: %s", b.error == AVAHI_ERR_DISCONNECTED ?
		    no_daemon(b.error) : avahi_strerror(b.error));
		goto out;
	}
	qsort(l->v, l->n, sizeof(*l->v), by_addr);
	ret = 0;
out:
	if (b.client)
		avahi_client_free(b.client);
	avahi_simple_poll_free(b.sp);
	if (ret)
		mdns_list_free(l);
	return ret;
}

const char *mdns_unavailable(void)
{
	struct browse b = { 0 };
	AvahiClient *c;
	int error = 0;

	b.sp = avahi_simple_poll_new();
	if (!b.sp)
		return "out of memory";
	c = client_open(&b, &error);
	if (c)
		avahi_client_free(c);
	avahi_simple_poll_free(b.sp);
	return c ? NULL : no_daemon(error);
}

#else /* !P2P_HAVE_AVAHI */

#define NO_AVAHI "this p2pctl was built without Avahi, so it cannot discover " \
	"hosts (install libavahi-client-dev and rebuild)"

int mdns_discover(unsigned int timeout_ms, struct mdns_list *l)
{
	memset(l, 0, sizeof(*l));
	err("%s", NO_AVAHI);
	return -1;
}

const char *mdns_unavailable(void)
{
	return NO_AVAHI;
}

#endif /* P2P_HAVE_AVAHI */

/* The address without a zone: equal if both parse as the same address. */
static bool same_addr(const char *a, const char *b)
{
	unsigned char x[sizeof(struct in6_addr)], y[sizeof(struct in6_addr)];
	char sa[INET6_ADDRSTRLEN + IF_NAMESIZE + 1], sb[sizeof(sa)];
	const char *za, *zb;
	int fam;

	snprintf(sa, sizeof(sa), "%s", a);
	snprintf(sb, sizeof(sb), "%s", b);
	za = strchr(sa, '%');
	zb = strchr(sb, '%');
	if (za && zb && strcmp(za, zb))
		return false;
	sa[strcspn(sa, "%")] = '\0';
	sb[strcspn(sb, "%")] = '\0';
	fam = strchr(sa, ':') ? AF_INET6 : AF_INET;
	return inet_pton(fam, sa, x) == 1 && inet_pton(fam, sb, y) == 1 &&
	       !memcmp(x, y, fam == AF_INET6 ? 16 : 4);
}

/* "host-a.local" and "host-a.local." name the same host. */
static bool same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la && a[la - 1] == '.')
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	return la && la == lb && !strncasecmp(a, b, la);
}

bool mdns_host_is(const struct mdns_host *h, const char *host, uint16_t port)
{
	return h->port == port &&
	       (same_addr(h->addr, host) || same_name(h->host, host));
}
