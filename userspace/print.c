// SPDX-License-Identifier: GPL-2.0
/*
 * Human and JSON output from the same calls.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "print.h"

#define MAX_DEPTH 16

static bool json;
static int depth;
static bool need_comma[MAX_DEPTH];

void print_start(bool as_json)
{
	json = as_json;
	depth = 0;
	need_comma[0] = false;
	if (json)
		print_obj_open(NULL);
}

void print_end(void)
{
	if (json) {
		print_obj_close();
		putchar('\n');
	}
	fflush(stdout);
}

bool print_is_json(void)
{
	return json;
}

/* Valid UTF-8 whatever the bytes: escape.h says how. */
static void json_string(const char *s)
{
	size_t len = strlen(s), n;
	char buf[256], *out = buf;

	n = p2p_esc_json(NULL, 0, s, len);
	if (n >= sizeof(buf))
		out = malloc(n + 1);
	if (!out) {
		fputs("\"\"", stdout);	/* out of memory: still JSON */
		return;
	}
	p2p_esc_json(out, n + 1, s, len);
	printf("\"%s\"", out);
	if (out != buf)
		free(out);
}

#define SHOWN_SLOTS	4
/* An export name and a whole path, or a local path, escaped. */
#define SHOWN_MAX	((4096 + 256) * P2P_ESC_TEXT_MAX + 1)

const char *shown(const char *s)
{
	static char slot[SHOWN_SLOTS][SHOWN_MAX];
	static unsigned int next;
	char *out = slot[next++ % SHOWN_SLOTS];

	p2p_esc_text(out, SHOWN_MAX, s, strlen(s));
	return out;
}

/* Start a member: comma, then the key if inside an object. */
static bool json_member(const char *key)
{
	if (!json)
		return false;
	if (need_comma[depth])
		putchar(',');
	need_comma[depth] = true;
	if (key) {
		json_string(key);
		putchar(':');
	}
	return true;
}

static void json_push(char c)
{
	putchar(c);
	if (depth < MAX_DEPTH - 1)
		depth++;
	need_comma[depth] = false;
}

void print_obj_open(const char *key)
{
	if (json_member(key))
		json_push('{');
}

void print_obj_close(void)
{
	if (json) {
		depth--;
		putchar('}');
	}
}

void print_arr_open(const char *key)
{
	if (json_member(key))
		json_push('[');
}

void print_arr_close(void)
{
	if (json) {
		depth--;
		putchar(']');
	}
}

void print_str(const char *key, const char *fmt, const char *val)
{
	if (json) {
		if (json_member(key))
			json_string(val);
	} else if (fmt) {
		printf(fmt, shown(val));
	}
}

void print_u64(const char *key, const char *fmt, uint64_t val)
{
	if (json) {
		if (json_member(key))
			printf("%" PRIu64, val);
	} else if (fmt) {
		printf(fmt, val);
	}
}

void print_bool(const char *key, const char *fmt, bool val)
{
	if (json) {
		if (json_member(key))
			fputs(val ? "true" : "false", stdout);
	} else if (fmt) {
		printf(fmt, val ? "yes" : "no");
	}
}

void print_null(const char *key, const char *fmt)
{
	if (json) {
		if (json_member(key))
			fputs("null", stdout);
	} else if (fmt) {
		fputs(fmt, stdout);
	}
}

void print_human(const char *fmt, ...)
{
	va_list ap;

	if (json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}
