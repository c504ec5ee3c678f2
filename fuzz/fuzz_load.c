// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the state file parser, p2p_conf_read() of
 * userspace/lib/conffile.c, which `p2pctl load FILE` and p2pd run as root
 * before they change or serve anything.  The apply step (netlink) is not
 * run.  Exported paths are opened O_RDONLY | O_DIRECTORY as p2pctl load
 * opens them, which reads nothing.
 *
 * A line "#x N TEMPLATE" in the input stands for N lines TEMPLATE, each
 * '@' replaced by the line's index: it lets short inputs reach the item
 * limits (P2P_CONF_MAX_ITEMS = 4096 users, exports or grants).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define MAX_ITEMS	P2P_CONF_MAX_ITEMS
#define MAX_REPEAT	(MAX_ITEMS + 8)

/* A refusal is one line on stderr for p2pctl: only its format is checked. */
static void conf_err(void *arg, const char *fmt, va_list ap)
{
	const struct p2p_conf *c = arg;
	char msg[256];

	CHECK(c->line > 0);
	vsnprintf(msg, sizeof(msg), fmt, ap);
}

/* Append TEMPLATE (len bytes) N times to f, '@' replaced by the index. */
static void repeat(FILE *f, const char *t, size_t len, long n)
{
	long i;
	size_t j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < len; j++)
			if (t[j] == '@')
				fprintf(f, "%ld", i);
			else
				fputc(t[j], f);
		fputc('\n', f);
	}
}

static char *expand(const uint8_t *d, size_t n, size_t *outlen)
{
	const char *s = (const char *)d, *end = s + n, *nl, *t;
	char *out = NULL;
	FILE *f = open_memstream(&out, outlen);
	long count;

	CHECK(f);
	for (; s < end; s = nl + 1) {
		nl = memchr(s, '\n', end - s);
		if (!nl)
			nl = end;
		if (nl - s > 3 && !memcmp(s, "#x ", 3)) {
			for (t = s + 3, count = 0; t < nl && *t >= '0' &&
			     *t <= '9' && count <= MAX_REPEAT; t++)
				count = count * 10 + *t - '0';
			if (t < nl && *t == ' ' && count > 0 && count <= MAX_REPEAT) {
				repeat(f, t + 1, nl - t - 1, count);
				continue;
			}
		}
		fwrite(s, 1, nl - s, f);
		if (nl < end)
			fputc('\n', f);
	}
	fclose(f);
	return out;
}

static void check_model(const struct p2p_model *m)
{
	int i, j;

	CHECK(m->n_users >= 0 && m->n_users <= MAX_ITEMS);
	CHECK(m->n_exports >= 0 && m->n_exports <= MAX_ITEMS);
	for (i = 0; i < m->n_users; i++)
		CHECK(!p2p_name_problem(m->users[i].name));
	for (i = 0; i < m->n_exports; i++) {
		CHECK(!p2p_name_problem(m->exports[i].name));
		for (j = 0; j < m->exports[i].n_grants; j++)
			CHECK(!m->exports[i].grants[j].u ||
			      !strcmp(m->exports[i].grants[j].u->name,
				      m->exports[i].grants[j].user));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct p2p_conf c = { .file = "fuzz", .open_flags = O_RDONLY, .err = conf_err };
	struct p2p_model m = { 0 };
	size_t len;
	char *text = expand(d, n, &len);
	FILE *f = len ? fmemopen(text, len, "r") : NULL;

	CHECK(text);
	if (f) {
		if (!p2p_conf_read(&c, f, &m))
			check_model(&m);
		fclose(f);
	}
	p2p_model_free(&m);
	free(text);
	return 0;
}
