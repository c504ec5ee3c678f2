/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What get (cmd_get.c), get -r (tree.c) and put share.  xfer.c: one READ
 * received into a temporary file beside its target (.NAME.p2p-XXXXXX),
 * which is renamed into place once complete and removed on failure or a
 * signal.  One temporary file exists at a time.
 */
#ifndef P2PCTL_XFER_H
#define P2PCTL_XFER_H

#include <limits.h>

#include "peer.h"
#include "progress.h"

struct get {
	struct peer p;
	struct peer_args a;
	char out[PATH_MAX];	/* "" for standard output */
	const char *rpath;	/* the file's path in the export */
	int fd;
	bool created;		/* -c made OUT: remove it if nothing came */
	bool drain;		/* -r: after a write error, read the rest */
	uint64_t offset;
	uint64_t written;	/* bytes received and written */
	bool reconnected;	/* the READ went on over a new connection */
	bool checked;		/* -c read OUT back: the server may have
				 * closed the idle connection meanwhile */
	struct p2p_read_reply rr;
	char *buf;		/* XFER_BUF bytes, allocated on first use */
	struct progress *pr;	/* -r: the line of the whole tree, else NULL */
	uint64_t pr_base;	/* -r: bytes of the files before this one */
};

#define XFER_BUF	P2P_MAX_DATA_CHUNK

void get_catch_signals(void);
/* Standard output, OUT to resume (-c) or the temporary file beside it:
 * 0, or 1 after a message. */
int get_open_out(struct get *g);
/* Create the temporary file beside g->out: 0, or 1 after a message. */
int get_open_tmp(struct get *g);
/*
 * The READ_DATA of g->rr into g->fd, going on over a new connection when
 * the server's keys reach their record limit (g->reconnected: the
 * requests pipelined behind this one are lost). 0; 1 after a message on a local
 * write error (with g->drain every byte was read anyway, so that the
 * connection can go on); -1 after a message when the transfer failed.
 */
int get_recv_data(struct get *g, const char *target);
/*
 * The temporary file becomes g->out now (a multi-source get, which marks
 * it partial first); it is no longer removed on failure.  0, or 1 after a
 * message.
 */
int get_publish_tmp(struct get *g);
/* Mode and mtime, then rename to g->out: 0, or 1 after a message. */
int get_finish_out(struct get *g);
/* Undo what the open did, after a failure. */
void get_close_failed(struct get *g);

/* swarm.c: get from several sources, once the options are parsed. */
int get_swarm(const struct command *cmd, struct get *g);

/* tree.c: get -r, once the options are parsed (usage errors name cmd). */
int get_tree(const struct command *cmd, struct get *g);

#endif /* P2PCTL_XFER_H */
