/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2PCTL_KEYS_H
#define P2PCTL_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "keytext.h"
#include "p2pshare.h"

/*
 * A key given as KEY or as the name of a file holding it on its first
 * line.  Prints "p2pctl: ..." naming WHAT and returns -1 on error.
 */
int key_from_arg(uint8_t key[P2P_KEY_LEN], const char *arg, const char *what);
/* Read one key line from F; -1 with a message on error. */
int key_read(uint8_t key[P2P_KEY_LEN], FILE *f, const char *what);
/* X25519 public key of PRIV. */
int key_public(uint8_t pub[P2P_KEY_LEN], const uint8_t priv[P2P_KEY_LEN]);

#endif /* P2PCTL_KEYS_H */
