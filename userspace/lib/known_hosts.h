/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The client's pinned host keys: trust on first use, refuse a change.
 *
 * File format, one entry per line: "HOST:PORT KEY", where HOST:PORT is
 * p2p_url.hostport (host lower-cased, an IPv6 address in brackets) and KEY
 * the host's X25519 public key in base64 (44 characters). Blank lines and
 * lines starting with '#' are ignored, and so are malformed lines. The
 * first entry for a HOST:PORT pins its key; later ones are ignored, so
 * that a changed key is only accepted once its old line is removed.
 */
#ifndef _P2P_KNOWN_HOSTS_H
#define _P2P_KNOWN_HOSTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uapi/p2pshare_proto.h"

#define P2P_KH_ENV		"P2P_KNOWN_HOSTS"
#define P2P_KH_DEFAULT		".config/p2pshare/known_hosts"	/* in $HOME */
#define P2P_KH_LINE_MAX		512

/* $P2P_KNOWN_HOSTS, else $HOME/.config/p2pshare/known_hosts (the home of
 * the password database when HOME is unset). -ENOENT if there is no home,
 * -ENAMETOOLONG if it does not fit in len. */
int p2p_kh_path(char *buf, size_t len);

/* One line (with or without its newline): 1 and hostport/key filled for an
 * entry, 0 for a blank or comment line, -EINVAL for a malformed one. */
int p2p_kh_parse_line(const char *line, char *hostport, size_t hplen,
		      uint8_t key[P2P_KEY_LEN]);

/*
 * The pinned key of hostport in f (which may be NULL: no file yet): 1 with
 * key and line (its number, from 1) filled, or 0 if f has no entry for it.
 */
int p2p_kh_lookup(FILE *f, const char *hostport, uint8_t key[P2P_KEY_LEN],
		  unsigned int *line);

/* Append an entry, creating missing directories 0700 and the file 0600,
 * under an exclusive flock(2): 0 (also when the same entry is there
 * already), -EKEYREJECTED if the file gained another key for hostport
 * meanwhile, or another negative errno. */
int p2p_kh_add(const char *path, const char *hostport,
	       const uint8_t key[P2P_KEY_LEN]);

#endif /* _P2P_KNOWN_HOSTS_H */
