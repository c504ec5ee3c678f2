// SPDX-License-Identifier: GPL-2.0
/*
 * Failed handshakes per source address, in the module's table
 * (kmod/ratelimit.c): AUTH_BURST tokens, one back every REFILL_MS.  Here a
 * wrong key or an unknown user spends a token, and an address without one
 * is refused.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "p2pd.h"
#include "ratelimit.h"

#define AUTH_BURST	10
#define REFILL_MS	3000

static struct p2p_rl_slot table[P2P_RL_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000UL + ts.tv_nsec / 1000000;
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

bool pd_auth_allowed(const struct sockaddr_storage *peer)
{
	struct p2p_rl_slot *s;
	struct in6_addr a;
	bool ok = true;

	addr_of(peer, &a);
	pthread_mutex_lock(&lock);
	s = p2p_rl_find(table, &a);
	if (s) {
		p2p_rl_refill(s, now_ms(), REFILL_MS, AUTH_BURST);
		ok = s->tokens > 0;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

void pd_auth_failed(const struct sockaddr_storage *peer)
{
	unsigned long now = now_ms();
	struct p2p_rl_slot *s;
	struct in6_addr a;

	addr_of(peer, &a);
	pthread_mutex_lock(&lock);
	s = p2p_rl_slot(table, &a, now, AUTH_BURST);
	p2p_rl_refill(s, now, REFILL_MS, AUTH_BURST);
	if (s->tokens)
		s->tokens--;
	pthread_mutex_unlock(&lock);
}
