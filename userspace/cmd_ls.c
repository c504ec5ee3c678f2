// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl ls: a peer's exports, or a directory of one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fattr.h"
#include "peer.h"
#include "print.h"

#define LS_BUF		(P2P_MAX_BODY + 64)

/* ls of the exports */

static int ls_exports(struct peer *p, bool json)
{
	struct p2p_list_reply r;
	struct p2p_export_ent e;
	uint8_t *buf = malloc(LS_BUF);
	int ret;

	if (!buf)
		return err("out of memory"), 1;
	ret = p2p_list_exports(&p->sess, buf, LS_BUF, &r);
	if (peer_again(p, &ret))
		ret = p2p_list_exports(&p->sess, buf, LS_BUF, &r);
	if (ret) {
		free(buf);
		return peer_fail(p, ret, "list the exports", NULL);
	}
	print_start(json);
	print_arr_open("exports");
	while (!p2p_next_export(&r.entries, &e)) {
		char name[P2P_NAME_MAX + 1];

		snprintf(name, sizeof(name), "%.*s", (int)e.name.len, e.name.s);
		print_obj_open(NULL);
		print_str("name", NULL, name);
		print_str("access", "%s  ", e.access == P2P_ACCESS_RW ? "rw" : "ro");
		print_human("%s\n", shown(name));
		print_obj_close();
	}
	print_arr_close();
	print_bool("truncated", NULL, r.flags & P2P_LS_TRUNCATED);
	print_end();
	if (r.flags & P2P_LS_TRUNCATED && !json)
		fprintf(stderr, "%s: the server truncated the list of exports\n", prog);
	free(buf);
	return 0;
}

/* ls of a directory: every READDIR piece, then sorted by name */

/* -EPROTO if the server neither advances nor ends. */
static int read_dir(struct peer *p, struct peer_dirents *es)
{
	struct p2p_readdir_reply r;
	struct p2p_dirent d;
	uint64_t cookie = 0;
	uint8_t *buf = malloc(LS_BUF);
	int ret = buf ? 0 : -ENOMEM;

	while (!ret) {
		ret = p2p_readdir(&p->sess, p->url.export, p->url.path, cookie,
				  0, buf, LS_BUF, &r);
		/* On a new connection, from the same cookie. */
		if (peer_again(p, &ret))
			ret = p2p_readdir(&p->sess, p->url.export, p->url.path,
					  cookie, 0, buf, LS_BUF, &r);
		if (ret)
			break;
		while (!ret && !p2p_next_dirent(&r.entries, &d))
			ret = peer_dirents_add(es, &d);
		if (r.end)
			break;
		if (!r.count)
			ret = -EPROTO;
		cookie = r.cookie;
	}
	free(buf);
	return ret;
}

static void print_entry(const struct p2p_dirent *d, int size_width)
{
	char mode[11], when[32];

	mode_string(mode, d->type, d->mode);
	time_string(when, sizeof(when), d->mtime_sec, "%Y-%m-%d %H:%M");
	print_obj_open(NULL);
	print_str("name", NULL, d->name.s);
	print_str("type", NULL, type_name(d->type));
	print_mode(d->mode);
	print_human("%s %*llu %s %s\n", mode, size_width,
		    (unsigned long long)d->size, when, shown(d->name.s));
	print_u64("size", NULL, d->size);
	print_u64("mtime", NULL, d->mtime_sec);
	print_u64("mtime_nsec", NULL, d->mtime_nsec);
	print_obj_close();
}

static void print_entries(struct peer_dirents *es)
{
	char num[24];
	int width = 1, w;
	size_t i;

	peer_dirents_sort(es);
	for (i = 0; i < es->n; i++) {
		w = snprintf(num, sizeof(num), "%llu",
			     (unsigned long long)es->v[i].size);
		width = w > width ? w : width;
	}
	print_arr_open("entries");
	for (i = 0; i < es->n; i++)
		print_entry(&es->v[i], width);
	print_arr_close();
}

static void print_dir_head(const struct peer *p)
{
	print_str("export", NULL, p->url.export);
	print_str("path", NULL, p->url.path);
}

/* ls of something that is not a directory: one line, like ls FILE. */
static int ls_one(struct peer *p, const char *target, bool json)
{
	struct p2p_fattr a;
	struct p2p_dirent d = { 0 };
	const char *base = p2p_url_basename(&p->url);
	int ret;

	ret = p2p_stat(&p->sess, p->url.export, p->url.path, &a);
	if (peer_again(p, &ret))
		ret = p2p_stat(&p->sess, p->url.export, p->url.path, &a);
	if (ret)
		return peer_fail(p, ret, "list", target);
	d.type = a.type;
	d.mode = a.mode;
	d.size = a.size;
	d.mtime_sec = a.mtime_sec;
	d.mtime_nsec = a.mtime_nsec;
	d.name.s = base;
	d.name.len = strlen(base);
	print_start(json);
	print_dir_head(p);
	print_arr_open("entries");
	print_entry(&d, 1);
	print_arr_close();
	print_end();
	return 0;
}

static int ls_dir(struct peer *p, bool json)
{
	struct peer_dirents es = { 0 };
	char target[P2P_NAME_MAX + P2P_PATH_MAX + 2];
	int ret;

	peer_target(&p->url, target, sizeof(target));
	ret = read_dir(p, &es);
	if (ret == -EREMOTEIO && p->sess.err.code == ENOTDIR && *p->url.path &&
	    !p->url.trailing_slash && !es.n) {
		ret = ls_one(p, target, json);
	} else if (ret) {
		ret = peer_fail(p, ret, "list", target);
	} else {
		print_start(json);
		print_dir_head(p);
		print_entries(&es);
		print_end();
	}
	peer_dirents_free(&es);
	return ret;
}

static int ls_main(int argc, char **argv)
{
	static const char *const names[] = { "URL" };
	struct peer_args a;
	struct peer p;
	int ret;

	if (peer_args(&cmd_ls, argc, argv, PEER_OPT_JSON, 1, names, &a) ||
	    peer_url(a.pos[0], 0, &p.url) || peer_open(&p, &a))
		return 1;
	ret = *p.url.export ? ls_dir(&p, a.json) : ls_exports(&p, a.json);
	peer_close(&p);
	return ret;
}

const struct command cmd_ls = {
	.name = "ls",
	.main = ls_main,
	.usage = "p2p://USER@HOST[:PORT][/EXPORT[/DIR]] [-j] --key-file FILE "
		 "[--host-key KEY] [--cipher LIST]",
	.summary = "list a peer's exports, or a directory of one",
	.help =
	"Without EXPORT, list the exports USER may use on HOST, one a line:\n"
	"its access (ro or rw) and its name.  With EXPORT[/DIR], list that\n"
	"directory of the export (its root without DIR), in the style of\n"
	"ls -l: type and permissions, size in bytes, modification time (local\n"
	"time), name; sorted by name, '.' and '..' left out (names escaped:\n"
	"see below).  A DIR that is a file is listed as that one entry.  Large\n"
	"directories arrive in several READDIR replies; all are read before\n"
	"printing.\n"
	"\n"
	"Options:\n"
	"  -j, --json       JSON: {\"exports\": [{\"name\", \"access\"}], \"truncated\"}\n"
	"                   or {\"export\", \"path\", \"entries\": [{\"name\", \"type\"\n"
	"                   (file, dir, symlink, other), \"mode\" (octal string),\n"
	"                   \"size\", \"mtime\" (seconds since the epoch),\n"
	"                   \"mtime_nsec\"}]}\n"
	PEER_OPTIONS
	"\n"
	PEER_COMMON_HELP
	"Examples:\n"
	"  p2pctl ls p2p://alice@files.example --key-file ~/alice.key\n"
	"  P2P_KEY_FILE=~/alice.key p2pctl ls p2p://alice@198.18.0.1/music/jazz/\n"
	"  p2pctl ls -j p2p://alice@[2001:db8::1]:7000/pub --key-file alice.key\n"
	"\n"
	PEER_EXIT_HELP,
};
