// SPDX-License-Identifier: GPL-2.0
/*
 * Failed handshakes per source address, as kmod/server.c counts them: a
 * token bucket of AUTH_BURST tokens, one back every REFILL_S seconds, in a
 * small fixed table where a new address takes the stalest slot.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "p2pd.h"

#define SLOTS		64
#define AUTH_BURST	10
#define REFILL_S	3

struct slot {
	struct in6_addr addr;	/* IPv4 as v4-mapped */
	time_t stamp;
	unsigned int tokens;
	bool used;
};

static struct slot table[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static time_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void addr_of(const struct sockaddr_storage *ss, struct in6_addr *a)
{
	const struct sockaddr_in *sin = (const void *)ss;

	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET6) {
		*a = ((const struct sockaddr_in6 *)ss)->sin6_addr;
		return;
	}
	a->s6_addr[10] = 0xff;
	a->s6_addr[11] = 0xff;
	memcpy(&a->s6_addr[12], &sin->sin_addr, 4);
}

static struct slot *find(const struct in6_addr *a, bool create)
{
	struct slot *s, *old = &table[0];
	int i;

	for (i = 0; i < SLOTS; i++) {
		s = &table[i];
		if (s->used && !memcmp(&s->addr, a, sizeof(*a)))
			return s;
		if (!s->used || s->stamp < old->stamp)
			old = s;
	}
	if (!create)
		return NULL;
	old->used = true;
	old->addr = *a;
	old->tokens = AUTH_BURST;
	old->stamp = now();
	return old;
}

static void refill(struct slot *s)
{
	time_t n = (now() - s->stamp) / REFILL_S;

	if (n <= 0)
		return;
	s->tokens = s->tokens + n > AUTH_BURST ? AUTH_BURST : s->tokens + n;
	s->stamp += n * REFILL_S;
	if (s->tokens == AUTH_BURST)
		s->stamp = now();
}

bool pd_auth_allowed(const struct sockaddr_storage *peer)
{
	struct in6_addr a;
	struct slot *s;
	bool ok = true;

	addr_of(peer, &a);
	pthread_mutex_lock(&lock);
	s = find(&a, false);
	if (s) {
		refill(s);
		ok = s->tokens > 0;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

void pd_auth_failed(const struct sockaddr_storage *peer)
{
	struct in6_addr a;
	struct slot *s;

	addr_of(peer, &a);
	pthread_mutex_lock(&lock);
	s = find(&a, true);
	refill(s);
	if (s->tokens)
		s->tokens--;
	pthread_mutex_unlock(&lock);
}
