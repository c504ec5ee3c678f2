/* SPDX-License-Identifier: GPL-2.0 */
/* The model (lib/model.h) as the module reports it over netlink. */
#ifndef P2PCTL_MODEL_NL_H
#define P2PCTL_MODEL_NL_H

#include "model.h"
#include "nl.h"

#define MODEL_PRIV 1	/* read the host's private key too */
#define MODEL_CONNS 2	/* read the open peer connections too */

/* Read everything into m; prints why and returns -1 on failure. */
int model_read(struct p2p_nl *nl, struct p2p_model *m, int flags);
/* user list, export list: the names, one a line; 0, or 1 after a message. */
int model_list_names(bool exports);
/* Fill m->listen* from a message's listener attributes. */
void model_listen(struct p2p_model *m, struct nlattr **tb);
/* Fill m->limits from a message's limit attributes (those it holds). */
void model_limits(struct p2p_model *m, struct nlattr **tb);

#endif /* P2PCTL_MODEL_NL_H */
