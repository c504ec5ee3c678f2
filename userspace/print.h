/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2PCTL_PRINT_H
#define P2PCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One printing path for humans and for JSON (after iproute2's json_print):
 * each call names the JSON key and the human format; in JSON mode the
 * format is ignored, in human mode the key is.  A NULL format prints
 * nothing for humans, a NULL key nothing in JSON.
 */
void print_start(bool json);
void print_end(void);
bool print_is_json(void);

void print_obj_open(const char *key);
void print_obj_close(void);
void print_arr_open(const char *key);
void print_arr_close(void);

void print_str(const char *key, const char *fmt, const char *val);
void print_u64(const char *key, const char *fmt, uint64_t val);
void print_bool(const char *key, const char *fmt, bool val);
void print_null(const char *key, const char *fmt);
/*
 * Strings from peers, the kernel or the user are escaped: in JSON to valid
 * UTF-8, for humans so that no control character reaches the terminal
 * (lib/escape.h; print_str does it itself).
 */
/* S escaped for humans, in one of four static buffers (enough for the
 * arguments of one printf). */
const char *shown(const char *s);

/* Human-only text. */
void print_human(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* P2PCTL_PRINT_H */
