/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The difference between a host's state and the state a file wants
 * (p2pctl apply): an ordered list of changes, each one line for --dry-run
 * and one request for the module.  The order keeps every step consistent:
 * host key, listener and limits; then grants and exports that go; users
 * that come or change; exports and grants that come or change; last the
 * users that go.  So a user exists before an export grants it and is
 * removed after the exports that granted it, and a directory freed by an
 * export that goes or moves can be exported again in the same run.
 */
#ifndef P2P_CONFDIFF_H
#define P2P_CONFDIFF_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

enum p2p_change_kind {
	P2P_CH_HOSTKEY,		/* hostkey-set want->priv */
	P2P_CH_LISTEN,		/* listen-set want's address and port */
	P2P_CH_CIPHER,		/* listen-set cipher */
	P2P_CH_LIMIT,		/* limits-set of one limit */
	P2P_CH_GRANT_DEL,
	P2P_CH_EXPORT_DEL,
	P2P_CH_USER_NEW,
	P2P_CH_USER_SET,
	P2P_CH_EXPORT_NEW,	/* with its grants, in one request */
	P2P_CH_GRANT_SET,
	P2P_CH_USER_DEL,
};

struct p2p_change {
	enum p2p_change_kind kind;
	char *text;		/* "+ user alice": the line to print, NULL: none */
	bool send;		/* false: another change's request makes it */
	int limit;		/* P2P_CH_LIMIT: which (enum p2p_limit) */
	uint32_t value;		/* P2P_CH_LIMIT: its new value */
	const struct p2p_model_user *user;	/* USER_*: want's, cur's for DEL */
	const struct p2p_model_export *export;	/* EXPORT_*, GRANT_*: the same */
	const char *grant_user;			/* GRANT_* */
	uint8_t mode;				/* GRANT_SET */
	int line;		/* of the file it comes from, 0: none */
};

struct p2p_diff {
	struct p2p_change *v;
	int n;
};

/*
 * The changes that make cur (as the module reports it, private key
 * included) into want (as p2p_conf_read() read it).  What want does not
 * say stays as it is: the host key without a hostkey line, a limit the
 * limits line does not name.  Without a listen line, or without a port or
 * a cipher on it, the listener wants every address, default_port and the
 * default cipher.  0, or -1 if out of memory (d is then to be freed).
 */
int p2p_conf_diff(const struct p2p_model *cur, const struct p2p_model *want,
		  uint16_t default_port, struct p2p_diff *d);
void p2p_diff_free(struct p2p_diff *d);

#endif /* P2P_CONFDIFF_H */
