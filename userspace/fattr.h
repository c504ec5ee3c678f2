/* SPDX-License-Identifier: GPL-2.0 */
/* A remote file's attributes as ls and stat print them. */
#ifndef P2PCTL_FATTR_H
#define P2PCTL_FATTR_H

#include <stddef.h>
#include <stdint.h>

/* "file", "dir", "symlink" or "other" for a P2P_FTYPE_*. */
const char *type_name(uint8_t t);
/* "drwxr-xr-x", with s/S/t/T as ls writes them. */
void mode_string(char out[11], uint8_t type, uint16_t mode);
/* sec in local time as strftime's fmt, or "@SEC". */
void time_string(char *buf, size_t len, int64_t sec, const char *fmt);
/* The JSON "mode" key: "0644". */
void print_mode(uint16_t mode);

#endif /* P2PCTL_FATTR_H */
