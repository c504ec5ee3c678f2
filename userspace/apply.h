/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Requests that change the module's state, shared by the commands that
 * make them one at a time (export, listen...) and by load, which makes
 * them all from a file.
 */
#ifndef P2PCTL_APPLY_H
#define P2PCTL_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "nl.h"

/* Send a request without a reply; 0, or 1 after printing why WHAT failed. */
int cp_do(struct p2p_nl *nl, struct nl_msg *msg, const char *what);
/* An EXPORT_NEW request for the directory open at FD, with N grants. */
struct nl_msg *export_msg(struct p2p_nl *nl, const char *name, int fd,
			  const char *const *users, const uint8_t *modes, int n);
/* The same for an export of a model, its directory open at e->fd. */
struct nl_msg *export_msg_of(struct p2p_nl *nl, const struct p2p_model_export *e);
/* A USER_NEW request for a user of a model. */
struct nl_msg *user_msg(struct p2p_nl *nl, const struct p2p_model_user *u);
/*
 * unexport, grant, revoke: parse argv (argv[0] the command) and send a
 * request of an export NAME and for nargs 2 a USER; a grant (op
 * P2P_CMD_GRANT_SET) also takes a mode, ro (default) or rw.  0, or 1 after
 * a message (a usage error names cmd).
 */
struct command;
int name_request(const struct command *cmd, int argc, char **argv, int nargs,
		 int op, const char *what);
/*
 * If set_addr, the listener's address ([ADDR][:PORT], NULL: the
 * defaults); then the cipher if not 0.  0, or 1 after a message.
 */
int listen_apply(struct p2p_nl *nl, const char *addr, bool set_addr,
		 uint16_t cipher);
/* The limits m has (has_limit), in one request; none: nothing is sent. */
int limits_apply(struct p2p_nl *nl, const struct p2p_model *m);

/*
 * p2pctl apply and load: [--dry-run] FILE (cmd_apply.c); cmd names the
 * command in usage errors.
 */
int apply_file_main(const struct command *cmd, int argc, char **argv);

#endif /* P2PCTL_APPLY_H */
