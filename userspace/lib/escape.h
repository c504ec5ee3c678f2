/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Strings from peers, the kernel or the command line, made safe to print.
 * File names are bytes: they need not be UTF-8 and may hold any control
 * character.  Both forms are reversible (p2pctl(8), NAMES IN OUTPUT):
 *
 * JSON (p2p_esc_json): the contents of a JSON string, always valid UTF-8.
 * '"' and '\' as \" and \\; U+0000-U+001F, U+007F-U+009F, U+2028 and
 * U+2029 as \u00XX or \u2028; every byte that is not part of a valid
 * UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF) as \udcXX, XX the byte (0x80-0xff): Python's surrogateescape,
 * so json.loads(s).encode("utf-8", "surrogateescape") gives the bytes
 * back.  Valid UTF-8 encodes no surrogate, so \udcXX is never ambiguous.
 *
 * Text (p2p_esc_text): for a terminal.  '\' as \\; each byte of a control
 * character (U+0000-U+001F, U+007F-U+009F), of U+2028, U+2029 and of the
 * bidirectional controls U+202A-U+202E, U+2066-U+2069, and each byte not
 * part of valid UTF-8, as \xNN (two lower-case hex digits); the rest as
 * is.  Reading \\ as '\' and \xNN as the byte NN gives the bytes back.
 */
#ifndef _P2P_ESCAPE_H
#define _P2P_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (len bytes left) and its code
 * point in *cp, or 0 if none starts there. */
size_t p2p_utf8_seq(const char *s, size_t len, uint32_t *cp);

/*
 * Escape s[0..len) into out as snprintf() does: at most size bytes with
 * the NUL, cut only between whole escapes; returns the length the whole
 * result needs (without the NUL).
 */
size_t p2p_esc_json(char *out, size_t size, const char *s, size_t len);
size_t p2p_esc_text(char *out, size_t size, const char *s, size_t len);

/* The most a byte can grow to. */
#define P2P_ESC_JSON_MAX	6	/* \udcff */
#define P2P_ESC_TEXT_MAX	4	/* \xff */

#endif /* _P2P_ESCAPE_H */
