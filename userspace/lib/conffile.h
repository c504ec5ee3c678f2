/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The state as a text file, as wg showconf/setconf: written by p2pctl
 * save, read by p2pctl apply (and load) and by p2pd; man/p2pshare.conf.5
 * describes it.  One item per line, '#' starts a comment line:
 *   hostkey PRIVATE-KEY-BASE64 | hostkey file PATH
 *   listen [ADDR][:PORT] [cipher CIPHER]
 *   limits NAME VALUE [NAME VALUE]...	(max_conns, max_user_conns, auth_burst,
 *					 idle_timeout: each at most once)
 *   user NAME PUBLIC-KEY-BASE64 [UID GID]	(default 65534 65534)
 *   export NAME [dev=MAJOR:MINOR ino=INODE] PATH	(PATH: the rest of the line)
 *   grant EXPORT USER ro|rw
 *   saveconfig yes|no			(for the systemd unit's stop step)
 */
#ifndef P2P_CONFFILE_H
#define P2P_CONFFILE_H

#include <stdio.h>

#include "model.h"

/* Users, exports and grants a file may hold, each. */
#define P2P_CONF_MAX_ITEMS 4096

struct p2p_conf {
	const char *file;
	int line;			/* of the item a message is about */
	int open_flags;			/* for the exported directories */
	int saveconfig;			/* read: the saveconfig line, -1 if none */
	/* Called with this struct as arg; file and line say where. */
	p2p_verr_fn *err;
};

/*
 * Read a whole file into m (which starts zeroed): syntax, names, keys,
 * every exported directory open (it must be the one saved if the line
 * says which, and is exported once), every grant naming an export and a
 * user of the file.  0, or -1 after one message; m is then to be freed
 * all the same.
 */
int p2p_conf_read(struct p2p_conf *c, FILE *f, struct p2p_model *m);

/* Write m, its private key included, as a file p2p_conf_read reads. */
void p2p_conf_write(FILE *f, const struct p2p_model *m);

#endif /* P2P_CONFFILE_H */
