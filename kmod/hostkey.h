/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_HOSTKEY_H
#define P2P_HOSTKEY_H

#include "objects.h"

struct p2p_hostkey {
	struct rcu_head rcu;
	u8 priv[P2P_KEY_LEN];
	u8 pub[P2P_KEY_LEN];
};

/* All with pn->lock held. */
/*
 * The key pair, made on first need (waiting for the RNG to be seeded);
 * ERR_PTR on failure, -EINTR if a signal ended the wait.
 */
const struct p2p_hostkey *p2p_hostkey_ensure(struct p2p_net *pn);
/* Replace the key pair; -EINVAL if PRIV is not a usable X25519 key. */
int p2p_hostkey_set(struct p2p_net *pn, const u8 priv[P2P_KEY_LEN]);
void p2p_hostkey_clear(struct p2p_net *pn);

/*
 * The namespace's X25519 key pair, generated from the kernel's RNG on
 * first need.  May sleep (takes pn->lock the first time): do not call
 * it with pn->lock held, nor from a connection that p2p_server_stop()
 * waits for -- the control plane makes the key before the server starts.
 */
int p2p_hostkey(struct p2p_net *pn, u8 priv[P2P_KEY_LEN], u8 pub[P2P_KEY_LEN]);

#endif /* P2P_HOSTKEY_H */
