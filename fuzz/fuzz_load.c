// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the parser of `p2pctl load FILE` (parse_file() in
 * userspace/cmd_save.c, included here since it is static), which reads a
 * file as root before it changes anything.  The apply step (netlink) is
 * not run.  Exported paths are opened O_RDONLY | O_DIRECTORY as the parser
 * does, which reads nothing (a non-directory is refused before it opens).
 *
 * A line "#x N TEMPLATE" in the input stands for N lines TEMPLATE, each
 * '@' replaced by the line's index: it lets short inputs reach the item
 * limits (MAX_ITEMS = 4096 users, exports or grants).
 */
#include <stdint.h>

#include "../userspace/cmd_save.c"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define MAX_REPEAT	(MAX_ITEMS + 8)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* err() prints a line per refusal: keep libFuzzer's output readable. */
	FILE *null = fopen("/dev/null", "w");

	if (null)
		stderr = null;
	return 0;
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

static void check_config(const struct config *c)
{
	int i;

	CHECK(c->n_users >= 0 && c->n_users <= MAX_ITEMS);
	CHECK(c->n_exports >= 0 && c->n_exports <= MAX_ITEMS);
	CHECK(c->n_grants >= 0 && c->n_grants <= MAX_ITEMS);
	/* Slots past the last export were never written. */
	for (i = c->n_exports; i < MAX_ITEMS; i++)
		CHECK(!c->exports[i]);
	for (i = 0; i < c->n_users; i++)
		CHECK(!name_problem(c->users[i].name));
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct config *c = calloc(1, sizeof(*c));
	char **lines = calloc(MAX_ITEMS * 4 + 1, sizeof(*lines));
	size_t len;
	char *text = expand(d, n, &len);
	FILE *f = len ? fmemopen(text, len, "r") : NULL;

	CHECK(c && lines && text);
	c->file = "fuzz";
	if (f) {
		parse_file(c, f, lines);
		fclose(f);
	}
	check_config(c);
	config_free(c, lines);
	free(text);
	err_context = "";
	return 0;
}
