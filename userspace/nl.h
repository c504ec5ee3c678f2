/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2PCTL_NL_H
#define P2PCTL_NL_H

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "p2pshare.h"

struct p2p_nl {
	struct nl_sock *sk;
	int family;
	int error;		/* last kernel error, negative errno */
	char msg[256];		/* last extack message, "" if none */
};

typedef int (*p2p_nl_cb)(struct nl_msg *msg, void *arg);

/* Connect and resolve the family; prints why on failure. */
int p2p_nl_open(struct p2p_nl *nl);
/* The same, silent when the module is absent (-ENOENT). */
int p2p_nl_connect(struct p2p_nl *nl);
/* How to load the module here: modprobe when the running kernel has it
 * installed, insmod in a source tree, else what to install. */
const char *p2p_nl_module_hint(void);
void p2p_nl_close(struct p2p_nl *nl);
/* A new request for CMD; flags such as NLM_F_DUMP. */
struct nl_msg *p2p_nl_msg(struct p2p_nl *nl, int cmd, int flags);
/*
 * Send MSG (consumed), call CB for each reply, wait for the ack.
 * Returns 0 or a negative errno; the kernel's message is in nl->msg.
 */
int p2p_nl_run(struct p2p_nl *nl, struct nl_msg *msg, p2p_nl_cb cb, void *arg);
/* Print the failure of WHAT after p2p_nl_run() returned ERR; returns 1. */
int p2p_nl_report(struct p2p_nl *nl, int err, const char *what);
/* Parse a reply's top-level attributes. */
int p2p_nl_parse(struct nl_msg *msg, struct nlattr **tb);

#endif /* P2PCTL_NL_H */
