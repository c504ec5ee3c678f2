// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl get -r: a directory tree of a peer's export, over one connection.
 * READDIR walks the tree first, creating the local directories; then the
 * regular files are fetched with up to TREE_INFLIGHT READ requests in
 * flight, each reply received into its own temporary file as a single get
 * does (xfer.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xfer.h"

#define TREE_MAX_DEPTH		64	/* directory levels below the top */
/* Entries listed in all, so that a server cannot make us list for ever. */
#define TREE_MAX_ENTRIES	1000000
#define TREE_INFLIGHT		16	/* READ requests sent, not yet answered */
/*
 * The server reads a request only once the replies before it are sent, and
 * we read replies only between our writes: the requests in flight must fit
 * in the socket buffers, or both sides would wait for each other.
 */
#define TREE_INFLIGHT_BYTES	(32 * 1024)
#define READ_FRAME_MAX		(P2P_HDR_LEN + 1 + P2P_NAME_MAX + 2 + \
				 P2P_PATH_MAX + 16)
#define DIR_BUF			(P2P_MAX_BODY + 64)
#define TARGET_MAX		(P2P_NAME_MAX + P2P_PATH_MAX + 2)

struct tfile {
	char *rpath;		/* in the export */
	char *lpath;
	uint64_t size;		/* as listed */
	uint32_t tag;		/* of its READ */
	uint32_t frame_len;	/* of its READ */
};

struct tdir {
	char *lpath;
	int64_t mtime_sec;
	uint32_t mtime_nsec;
};

struct tree {
	struct get *g;
	struct tfile *files;
	size_t nfiles, files_cap;
	struct tdir *dirs;
	size_t ndirs, dirs_cap;
	uint64_t bytes;		/* of all files, as listed */
	size_t entries;		/* listed so far, all directories */
	bool failed;		/* something was not fetched */
	uint8_t *buf;		/* one READDIR reply */
	size_t sent, done;	/* READ requests */
	size_t inflight;	/* bytes of the requests sent, not answered */
	uint8_t *out;		/* the READ requests of one write */
	size_t out_cap;
	struct progress pr;
	char label[48];		/* "files 12/305" */
};

/* "EXPORT/PATH" for messages, control characters shown as '?'. */
static void target(const struct tree *t, const char *rpath, const char *name,
		   char *buf, size_t len)
{
	char *c;

	snprintf(buf, len, "%s%s%s%s%s", t->g->p.url.export, *rpath ? "/" : "",
		 rpath, name ? "/" : "", name ? name : "");
	for (c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

static int out_of_memory(void)
{
	err("out of memory");
	return -1;
}

/* Listing */

/*
 * Every entry of rpath, page after page. A name that is not a valid
 * component ('/', NUL, "." or "..") is a protocol error: it must never
 * become a local path.
 */
static int read_dir(struct tree *t, const char *rpath, struct peer_dirents *ds)
{
	struct peer *p = &t->g->p;
	struct p2p_readdir_reply r;
	struct p2p_dirent d;
	uint64_t cookie = 0;
	int ret;

	for (;;) {
		ret = p2p_readdir(&p->sess, p->url.export, rpath, cookie, 0,
				  t->buf, DIR_BUF, &r);
		/* On a new connection, from the same cookie. */
		if (peer_again(p, &ret))
			ret = p2p_readdir(&p->sess, p->url.export, rpath, cookie,
					  0, t->buf, DIR_BUF, &r);
		while (!ret && !p2p_next_dirent(&r.entries, &d)) {
			if (++t->entries > TREE_MAX_ENTRIES) {
				err("more than %d entries in the tree: giving up",
				    TREE_MAX_ENTRIES);
				return -E2BIG;
			}
			ret = p2p_component_valid(d.name.s, d.name.len) ?
			      peer_dirents_add(ds, &d) : -EPROTO;
		}
		if (ret || r.end)
			break;
		if (!r.count)
			return -EPROTO;
		cookie = r.cookie;
	}
	if (!ret)
		peer_dirents_sort(ds);
	return ret;
}

/* Walk */

/* "DIR/NAME" in a new string, or NULL (errno ENAMETOOLONG past max). */
static char *join(const char *dir, const char *name, size_t max)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *s;

	if (dl + !!dl + nl > max) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	s = malloc(dl + 1 + nl + 1);
	if (!s)
		return NULL;
	memcpy(s, dir, dl);
	if (dl)
		s[dl++] = '/';
	memcpy(s + dl, name, nl + 1);
	return s;
}

/* Ours, or one already there: below the top, not a symbolic link. */
static int make_dir(const char *lpath, bool top)
{
	struct stat st;
	int ret;

	if (!mkdir(lpath, 0777))
		return 0;
	ret = errno == EEXIST ? (top ? stat : lstat)(lpath, &st) : -1;
	if (ret)
		err("cannot create directory \"%s\": %s", lpath, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		err("cannot create directory \"%s\": it exists and is not a "
		    "directory", lpath);
	return ret || !S_ISDIR(st.st_mode);
}

static int add_dir(struct tree *t, const char *lpath, int64_t sec,
		   uint32_t nsec)
{
	struct tdir *v;

	if (t->ndirs == t->dirs_cap) {
		size_t cap = t->dirs_cap ? t->dirs_cap * 2 : 64;

		v = realloc(t->dirs, cap * sizeof(*v));
		if (!v)
			return out_of_memory();
		t->dirs = v;
		t->dirs_cap = cap;
	}
	v = &t->dirs[t->ndirs];
	v->lpath = strdup(lpath);
	if (!v->lpath)
		return out_of_memory();
	v->mtime_sec = sec;
	v->mtime_nsec = nsec;
	t->ndirs++;
	return 0;
}

/* Takes rpath and lpath. */
static int add_file(struct tree *t, char *rpath, char *lpath, uint64_t size)
{
	struct tfile *v;

	if (t->nfiles == t->files_cap) {
		size_t cap = t->files_cap ? t->files_cap * 2 : 256;

		v = realloc(t->files, cap * sizeof(*v));
		if (!v) {
			free(rpath);
			free(lpath);
			return out_of_memory();
		}
		t->files = v;
		t->files_cap = cap;
	}
	v = &t->files[t->nfiles++];
	v->rpath = rpath;
	v->lpath = lpath;
	v->size = size;
	v->frame_len = P2P_HDR_LEN + 1 + strlen(t->g->p.url.export) + 2 +
		       strlen(rpath) + 8 + 8;
	t->bytes += size;
	return 0;
}

static int walk_entries(struct tree *t, const char *rpath, const char *lpath,
			struct peer_dirents *ds, int depth);

/* A directory below the top: 0, or -1 when the get must end. */
static int walk_dir(struct tree *t, const char *rpath, const char *lpath,
		    const struct p2p_dirent *d, int depth)
{
	struct peer_dirents ds = { 0 };
	char tg[TARGET_MAX];
	int ret;

	target(t, rpath, NULL, tg, sizeof(tg));
	if (depth > TREE_MAX_DEPTH) {
		err("skipped directory \"%s\": more than %d levels deep", tg,
		    TREE_MAX_DEPTH);
		t->failed = true;
		return 0;
	}
	if (make_dir(lpath, false)) {
		t->failed = true;
		return 0;
	}
	if (add_dir(t, lpath, d->mtime_sec, d->mtime_nsec))
		return -1;
	ret = read_dir(t, rpath, &ds);
	if (ret == -E2BIG) {
		peer_dirents_free(&ds);
		t->failed = true;
		return -1;
	}
	if (ret) {
		peer_dirents_free(&ds);
		peer_fail(&t->g->p, ret, "list", tg);
		t->failed = true;
		/* after an ERROR the connection goes on */
		return ret == -EREMOTEIO ? 0 : -1;
	}
	return walk_entries(t, rpath, lpath, &ds, depth);
}

/* One entry of the directory rpath (lpath here). */
static int walk_entry(struct tree *t, const char *rpath, const char *lpath,
		      const struct p2p_dirent *d, int depth)
{
	char *rp = join(rpath, d->name.s, P2P_PATH_MAX - 1);
	char *lp = rp ? join(lpath, d->name.s, PATH_MAX - 1) : NULL;
	char tg[TARGET_MAX];
	int ret = 0;

	target(t, rpath, d->name.s, tg, sizeof(tg));
	if (!lp) {
		if (errno != ENAMETOOLONG)
			ret = out_of_memory();
		else
			err("skipped \"%s\": %s path too long", tg,
			    rp ? "local" : "remote");
		t->failed = true;
	} else if (d->type == P2P_FTYPE_REG) {
		ret = add_file(t, rp, lp, d->size);
		rp = lp = NULL;
	} else if (d->type == P2P_FTYPE_DIR) {
		ret = walk_dir(t, rp, lp, d, depth + 1);
	} else {
		err("skipped %s \"%s\"", d->type == P2P_FTYPE_SYMLINK ?
		    "symbolic link" : "special file", tg);
	}
	free(rp);
	free(lp);
	return ret;
}

static int walk_entries(struct tree *t, const char *rpath, const char *lpath,
			struct peer_dirents *ds, int depth)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < ds->n && !ret; i++)
		ret = walk_entry(t, rpath, lpath, &ds->v[i], depth);
	peer_dirents_free(ds);
	return ret;
}

/* The top: a directory, listed before anything is created. */
static int walk_top(struct tree *t, const char *root)
{
	struct peer *p = &t->g->p;
	struct peer_dirents ds = { 0 };
	char tg[TARGET_MAX];
	struct p2p_fattr a;
	int ret;

	target(t, p->url.path, NULL, tg, sizeof(tg));
	ret = p2p_stat(&p->sess, p->url.export, p->url.path, &a);
	if (peer_again(p, &ret))
		ret = p2p_stat(&p->sess, p->url.export, p->url.path, &a);
	if (ret)
		return -peer_fail(p, ret, "get", tg);
	if (a.type != P2P_FTYPE_DIR) {
		err("cannot get -r \"%s\": %s", tg, a.type == P2P_FTYPE_REG ?
		    "not a directory (get a file without -r)" :
		    a.type == P2P_FTYPE_SYMLINK ?
		    "a symbolic link, not a directory" : "not a directory");
		return -1;
	}
	ret = read_dir(t, p->url.path, &ds);
	if (ret) {
		peer_dirents_free(&ds);
		return ret == -E2BIG ? -1 : -peer_fail(p, ret, "list", tg);
	}
	if (make_dir(root, true) ||
	    add_dir(t, root, a.mtime_sec, a.mtime_nsec)) {
		peer_dirents_free(&ds);
		return -1;
	}
	return walk_entries(t, p->url.path, root, &ds, 0);
}

/* Fetch */

/* Top up the requests in flight, all in one write. */
static int send_reads(struct tree *t)
{
	uint8_t *out = t->out;
	size_t cap = t->out_cap;
	struct get *g = t->g;
	struct tfile *f;
	size_t used = 0;
	int len;

	while (t->sent < t->nfiles && t->sent - t->done < TREE_INFLIGHT) {
		f = &t->files[t->sent];
		if (t->sent > t->done &&
		    t->inflight + f->frame_len > TREE_INFLIGHT_BYTES)
			break;
		len = p2p_enc_read_frame(&g->p.sess, out + used, cap - used,
					 g->p.url.export, f->rpath, 0,
					 P2P_READ_TO_EOF, &f->tag);
		if (len < 0) {
			err("cannot encode the READ of \"%s\": %s", f->rpath,
			    strerror(-len));
			return -1;
		}
		f->frame_len = len;
		used += len;
		t->inflight += len;
		t->sent++;
	}
	len = used ? p2p_write_full(g->p.fd, out, used) : 0;
	if (len) {
		progress_clear(&t->pr);
		return -peer_fail(&g->p, len, "send requests", NULL);
	}
	return 0;
}

/* The data of a READ we cannot store, so that the next reply comes. */
static int drain(struct get *g, const char *tg)
{
	ssize_t n = -ENOMEM;

	if (!g->buf)
		g->buf = malloc(XFER_BUF);
	while (g->buf && (n = p2p_read_data(&g->p.sess, g->buf, XFER_BUF)) > 0)
		;
	if (peer_expired(&g->p, n)) {
		n = peer_reconnect(&g->p);
		g->reconnected = !n;
	}
	if (n < 0)
		return -peer_fail(&g->p, n, "get", tg);
	return 0;
}

/* The reply to f's READ: 0 (stored, or failed and reported), -1: stop. */
static int fetch_one(struct tree *t, struct tfile *f)
{
	struct get *g = t->g;
	char tg[TARGET_MAX];
	int ret;

	target(t, f->rpath, NULL, tg, sizeof(tg));
	g->reconnected = false;
	ret = p2p_read_reply(&g->p.sess, f->tag, &g->rr);
	if (peer_again(&g->p, &ret)) {
		/* Every request from this one on went with the connection. */
		t->sent = t->done;
		t->inflight = 0;
		ret = send_reads(t);
		if (ret)
			return -1;
		ret = p2p_read_reply(&g->p.sess, f->tag, &g->rr);
	}
	if (ret) {
		progress_clear(&t->pr);
		peer_fail(&g->p, ret, "get", tg);
		t->failed = true;
		return ret == -EREMOTEIO ? 0 : -1;
	}
	snprintf(g->out, sizeof(g->out), "%s", f->lpath);
	g->rpath = f->rpath;
	g->written = 0;
	if (get_open_tmp(g)) {
		t->failed = true;
		return drain(g, tg);
	}
	ret = get_recv_data(g, tg);
	if (!ret)
		ret = get_finish_out(g);
	if (ret) {
		get_close_failed(g);
		t->failed = true;
	}
	return ret < 0 ? -1 : 0;
}

static void count_label(struct tree *t)
{
	snprintf(t->label, sizeof(t->label), "files %zu/%zu", t->done,
		 t->nfiles);
}

static int fetch_all(struct tree *t)
{
	struct get *g = t->g;
	int ret = 0;

	t->out_cap = TREE_INFLIGHT_BYTES + READ_FRAME_MAX;
	t->out = malloc(t->out_cap);
	if (!t->out)
		return out_of_memory();
	g->drain = true;
	g->pr = &t->pr;
	g->pr_base = 0;
	count_label(t);
	progress_begin(&t->pr, t->label, 0, t->bytes);
	while (!ret && t->done < t->nfiles) {
		if (t->sent - t->done <= TREE_INFLIGHT / 2)
			ret = send_reads(t);
		if (!ret)
			ret = fetch_one(t, &t->files[t->done]);
		if (g->reconnected) {
			/* Only this READ went on over the new connection. */
			t->sent = t->done + 1;
			t->inflight = t->files[t->done].frame_len;
		}
		t->inflight -= t->files[t->done].frame_len;
		g->pr_base += t->files[t->done].size;
		t->done++;
		count_label(t);
		progress_update(&t->pr, g->pr_base);
	}
	progress_end(&t->pr);
	g->pr = NULL;
	free(t->out);
	t->out = NULL;
	return ret;
}

/* Last, as creating files changed them; children before parents. */
static void set_dir_times(struct tree *t)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT } };
	size_t i = t->ndirs;

	while (i--) {
		ts[1].tv_sec = t->dirs[i].mtime_sec;
		ts[1].tv_nsec = t->dirs[i].mtime_nsec < 1000000000 ?
				t->dirs[i].mtime_nsec : 0;
		utimensat(AT_FDCWD, t->dirs[i].lpath, ts, AT_SYMLINK_NOFOLLOW);
	}
}

static void free_tree(struct tree *t)
{
	size_t i;

	for (i = 0; i < t->nfiles; i++) {
		free(t->files[i].rpath);
		free(t->files[i].lpath);
	}
	for (i = 0; i < t->ndirs; i++)
		free(t->dirs[i].lpath);
	free(t->files);
	free(t->dirs);
	free(t->buf);
}

/*
 * Where the tree goes, as cp -r decides: OUT if it does not exist,
 * OUT/NAME if OUT is a directory; without -o, NAME in the current
 * directory. NAME is the last component of the path, or the export.
 */
static int tree_root(const struct command *cmd, struct get *g, char *root,
		     size_t len)
{
	const struct p2p_url *u = &g->p.url;
	const char *name = *u->path ? p2p_url_basename(u) : u->export;
	const char *o = g->a.out;
	struct stat st;
	int n;

	if (g->a.resume)
		return usage_err(cmd, "-c cannot be used with -r");
	if (o && !strcmp(o, "-"))
		return usage_err(cmd, "-o - cannot be used with -r (a "
				 "tree cannot go to standard output)");
	if (o && !*o)
		return usage_err(cmd, "-o needs a directory name");
	if (o && !stat(o, &st) && S_ISDIR(st.st_mode))
		n = snprintf(root, len, "%s%s%s", o,
			     o[strlen(o) - 1] == '/' ? "" : "/", name);
	else
		n = snprintf(root, len, "%s", o ? o : name);
	if (n < 0 || (size_t)n >= len) {
		err("output directory name too long: \"%s\"", o ? o : name);
		return 1;
	}
	if (!stat(root, &st) && !S_ISDIR(st.st_mode)) {
		err("cannot get -r into \"%s\": it exists and is not a "
		    "directory", root);
		return 1;
	}
	return 0;
}

int get_tree(const struct command *cmd, struct get *g)
{
	struct tree t = { .g = g };
	char root[PATH_MAX];
	int ret;

	if (peer_url(g->a.pos[0], P2P_URL_NEED_EXPORT, &g->p.url) ||
	    tree_root(cmd, g, root, sizeof(root)))
		return 1;
	t.buf = malloc(DIR_BUF);
	if (!t.buf)
		return -out_of_memory();
	get_catch_signals();
	ret = peer_open(&g->p, &g->a);
	if (!ret) {
		ret = walk_top(&t, root);
		if (!ret)
			ret = fetch_all(&t);
		set_dir_times(&t);
		peer_close(&g->p);
	}
	free_tree(&t);
	free(g->buf);
	g->buf = NULL;
	return ret || t.failed ? 1 : 0;
}
