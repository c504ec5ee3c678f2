// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl get, put: copy one file from or to a peer's export (get -r, a
 * tree: cmd_tree.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xfer.h"

/* get */

/*
 * The temporary file of a download, removed if a signal ends us: a get
 * that fails leaves nothing behind, and never a half file under OUT.
 */
static char tmp_path[PATH_MAX];
static volatile sig_atomic_t have_tmp;

static void on_signal(int sig)
{
	if (have_tmp)
		unlink(tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

void get_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void drop_tmp(void)
{
	if (have_tmp)
		unlink(tmp_path);
	have_tmp = 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/* OUT: -o, or the remote basename; into it if it is a directory. */
static int out_path(struct get *g)
{
	const char *base = p2p_url_basename(&g->p.url);
	const char *o = g->a.out ? g->a.out : base;
	struct stat st;
	int n;

	if (!strcmp(o, "-")) {
		if (g->a.resume)
			return usage_err(&cmd_get, "-c cannot resume standard output");
		return 0;
	}
	if (!*o)
		return usage_err(&cmd_get, "-o needs a file name");
	if (!stat(o, &st) && S_ISDIR(st.st_mode))
		n = snprintf(g->out, sizeof(g->out), "%s%s%s", o,
			     o[strlen(o) - 1] == '/' ? "" : "/", base);
	else
		n = snprintf(g->out, sizeof(g->out), "%s", o);
	if (n < 0 || (size_t)n >= sizeof(g->out)) {
		err("output file name too long: \"%s\"", o);
		return 1;
	}
	return 0;
}

/* -r: a message must not land in the progress line (errno is kept). */
static void hide_progress(struct get *g)
{
	int e = errno;

	if (g->pr)
		progress_clear(g->pr);
	errno = e;
}

/* ".NAME.p2p-XXXXXX" beside OUT, created 0600. */
int get_open_tmp(struct get *g)
{
	const char *slash = strrchr(g->out, '/');
	int dlen = slash ? (int)(slash - g->out + 1) : 0;

	snprintf(tmp_path, sizeof(tmp_path), "%.*s.%.200s.p2p-XXXXXX", dlen,
		 g->out, g->out + dlen);
	g->fd = mkostemp(tmp_path, O_CLOEXEC);
	if (g->fd < 0) {
		hide_progress(g);
		err("cannot create a temporary file beside \"%s\": %s", g->out,
		    strerror(errno));
		return 1;
	}
	have_tmp = 1;
	return 0;
}

/* -c: OUT itself, from its current size. */
static int open_resume(struct get *g)
{
	struct stat st;

	g->fd = open(g->out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	g->created = g->fd >= 0;
	if (g->fd < 0 && errno == EEXIST)
		g->fd = open(g->out, O_WRONLY | O_CLOEXEC);
	if (g->fd < 0 || fstat(g->fd, &st)) {
		err("cannot open \"%s\": %s", g->out, strerror(errno));
		return 1;
	}
	if (!S_ISREG(st.st_mode)) {
		err("cannot resume \"%s\": not a regular file", g->out);
		return 1;
	}
	g->offset = st.st_size;
	if (lseek(g->fd, g->offset, SEEK_SET) < 0) {
		err("cannot seek in \"%s\": %s", g->out, strerror(errno));
		return 1;
	}
	return 0;
}

static int open_out(struct get *g)
{
	if (!*g->out) {
		g->fd = STDOUT_FILENO;
		return 0;
	}
	return g->a.resume ? open_resume(g) : get_open_tmp(g);
}

void get_close_failed(struct get *g)
{
	if (g->fd > STDOUT_FILENO)
		close(g->fd);
	g->fd = -1;
	drop_tmp();
	if (g->created && !g->written)
		unlink(g->out);
}

/* The file must be the one the READ began on. */
static bool same_file(const struct p2p_read_reply *a,
		      const struct p2p_read_reply *b)
{
	return a->size == b->size && a->mtime_sec == b->mtime_sec &&
	       a->mtime_nsec == b->mtime_nsec;
}

/*
 * The server ended the connection at its record limit (PROTOCOL.md 6.8)
 * after sending us everything before done: the READ goes on from there
 * over a new connection.  0, or a negative errno for peer_fail().
 */
static int resume_read(struct get *g, uint64_t done, const char *target)
{
	struct p2p_read_reply rr;
	int ret, tries = 0;

	do {
		ret = peer_reconnect(&g->p);
		if (ret)
			return ret;
		g->reconnected = true;
		ret = p2p_read_begin(&g->p.sess, g->p.url.export, g->rpath,
				     done, P2P_READ_TO_EOF, &rr);
	} while (peer_expired(&g->p, ret) && ++tries < 2);
	if (ret || same_file(&rr, &g->rr))
		return ret;
	hide_progress(g);
	err("cannot get \"%s\" at %s: it changed on the server during the "
	    "download", target, g->p.url.hostport);
	return PEER_REPORTED;
}

/* Until the READ ends (0) or fails (p2p_read_data()'s negative errno);
 * *werr: a local write error. */
static ssize_t recv_some(struct get *g, struct progress *pr, uint64_t *done,
			 int *werr)
{
	ssize_t n = -ENOMEM;

	while (g->buf && (n = p2p_read_data(&g->p.sess, g->buf, XFER_BUF)) > 0) {
		if (!*werr)
			*werr = write_all(g->fd, g->buf, n);
		if (*werr && !g->drain)
			break;
		if (!*werr)
			g->written += n;
		*done += n;
		progress_update(pr, g->pr_base + *done);
	}
	return n;
}

int get_recv_data(struct get *g, const char *target)
{
	struct progress own, *pr = g->pr ? g->pr : &own;
	uint64_t done = g->offset, last = UINT64_MAX;
	ssize_t n;
	int werr = 0;

	if (!g->buf)
		g->buf = malloc(XFER_BUF);
	if (!g->pr)
		progress_begin(&own, p2p_url_basename(&g->p.url), done,
			       g->offset + g->rr.total);
	for (;;) {
		n = recv_some(g, pr, &done, &werr);
		/* Each new connection must bring at least one byte. */
		if ((werr && !g->drain) || !peer_expired(&g->p, n) || done == last)
			break;
		last = done;
		n = resume_read(g, done, target);
		if (n)
			break;
	}
	if (!g->pr)
		progress_end(&own);
	if (werr || n < 0)
		hide_progress(g);
	if (werr)
		err("cannot write \"%s\": %s", *g->out ? g->out : "standard output",
		    strerror(-werr));
	if (n < 0) {
		peer_fail(&g->p, n, "get", target);
		return -1;
	}
	return werr ? 1 : 0;
}

int get_finish_out(struct get *g)
{
	struct timespec ts[2] = {
		{ .tv_nsec = UTIME_OMIT },
		{ .tv_sec = g->rr.mtime_sec, .tv_nsec = g->rr.mtime_nsec },
	};
	mode_t mask = umask(0);
	int e;

	umask(mask);
	if (!*g->out)
		return 0;
	if (ts[1].tv_nsec >= 1000000000)
		ts[1].tv_nsec = 0;
	futimens(g->fd, ts);
	e = (have_tmp && fchmod(g->fd, 0666 & ~mask)) || fsync(g->fd) ?
	    errno : 0;
	if (close(g->fd) && !e)
		e = errno;
	g->fd = -1;
	if (e) {
		hide_progress(g);
		err("cannot write \"%s\": %s", g->out, strerror(e));
		return 1;
	}
	if (have_tmp && rename(tmp_path, g->out)) {
		hide_progress(g);
		err("cannot rename \"%s\" to \"%s\": %s", tmp_path, g->out,
		    strerror(errno));
		return 1;
	}
	have_tmp = 0;
	return 0;
}

static int check_resume(struct get *g, const char *target)
{
	if (!g->a.resume || g->offset <= g->rr.size)
		return 0;
	err("cannot resume \"%s\": it has %llu bytes, more than the %llu "
	    "bytes of \"%s\" at %s", g->out, (unsigned long long)g->offset,
	    (unsigned long long)g->rr.size, target, g->p.url.hostport);
	return 1;
}

static int get_file(struct get *g)
{
	char target[P2P_NAME_MAX + P2P_PATH_MAX + 2];
	int ret;

	peer_target(&g->p.url, target, sizeof(target));
	g->rpath = g->p.url.path;
	ret = p2p_read_begin(&g->p.sess, g->p.url.export, g->rpath,
			     g->offset, P2P_READ_TO_EOF, &g->rr);
	if (peer_again(&g->p, &ret))
		ret = p2p_read_begin(&g->p.sess, g->p.url.export, g->rpath,
				     g->offset, P2P_READ_TO_EOF, &g->rr);
	if (ret)
		return peer_fail(&g->p, ret, "get", target);
	if (check_resume(g, target) || get_recv_data(g, target))
		return 1;
	return get_finish_out(g);
}

static int get_main(int argc, char **argv)
{
	static const char *const names[] = { "URL" };
	struct get g = { .fd = -1 };
	int ret;

	if (peer_args(&cmd_get, argc, argv, PEER_OPT_OUT | PEER_OPT_RESUME |
		      PEER_OPT_RECURSIVE, 1, names, &g.a))
		return 1;
	if (g.a.recursive)
		return get_tree(&g);
	if (peer_url(g.a.pos[0], P2P_URL_NEED_PATH, &g.p.url) || out_path(&g))
		return 1;
	get_catch_signals();
	if (open_out(&g)) {
		get_close_failed(&g);
		return 1;
	}
	ret = peer_open(&g.p, &g.a);
	if (!ret) {
		ret = get_file(&g);
		peer_close(&g.p);
	}
	if (ret)
		get_close_failed(&g);
	free(g.buf);
	return ret;
}

const struct command cmd_get = {
	.name = "get",
	.main = get_main,
	.usage = "p2p://USER@HOST[:PORT]/EXPORT[/PATH] [-o OUT] [-c | -r] "
		 "--key-file FILE [--host-key KEY] [--cipher LIST]",
	.help =
	"Download the file PATH of EXPORT.  It is written to a temporary file\n"
	"beside OUT (.NAME.p2p-XXXXXX) that is renamed to OUT once complete, so\n"
	"a failed or interrupted get never leaves a partial file under OUT\n"
	"(and removes its temporary file).  OUT gets the remote modification\n"
	"time and the mode 0666 less the umask.  On a terminal, stderr shows a\n"
	"progress bar (bytes, percentage, rate, time left), cleared at the end.\n"
	"A failed integrity check of the connection is such a failure too;\n"
	"with -c, OUT keeps the bytes received before it (each arrived in a\n"
	"record that passed the check), and with -o - what was written stays\n"
	"written.  When the server ends the connection at the record limit of\n"
	"its keys, get reconnects and goes on from the byte it reached, under\n"
	"the same progress bar; a file that changed meanwhile is an error.\n"
	"\n"
	"Options:\n"
	"  -o OUT           write to OUT (default: the last component of PATH\n"
	"                   in the current directory); if OUT is a directory,\n"
	"                   into it under that name; - writes to standard output\n"
	"  -c, --continue   resume: write to OUT directly, asking only for the\n"
	"                   bytes past OUT's current size (none if it is already\n"
	"                   complete; an error if OUT is larger than the remote\n"
	"                   file).  An interrupted -c download keeps what it\n"
	"                   received, for the next -c.  The bytes already in OUT\n"
	"                   are trusted, not compared.\n"
	"  -r, --recursive  PATH is a directory (the export's root without\n"
	"                   PATH): fetch its whole tree, see below\n"
	PEER_OPTIONS
	"\n"
	"Recursive get (-r): the tree goes where cp -r would put it: into OUT\n"
	"if OUT does not exist (it is created), into OUT/NAME if OUT is a\n"
	"directory, into NAME in the current directory without -o; NAME is\n"
	"the last component of PATH, or EXPORT for the root.  An existing\n"
	"directory there is merged into (files of the same name are\n"
	"replaced); an OUT or NAME that is not a directory is refused, as are\n"
	"-c and -o -.  A PATH that is not a directory is an error (get a file\n"
	"without -r).  Directories are created with mode 0777 less the umask;\n"
	"regular files arrive as with a single get (temporary file, renamed\n"
	"when complete; mode 0666 less the umask), and files and directories\n"
	"keep their remote modification times.  One connection carries the\n"
	"whole tree, with up to 16 READ requests in flight.  Symbolic links and\n"
	"special files are skipped, one line on stderr each (exit status 0).\n"
	"A file or directory that cannot be read (EACCES, vanished) or stored\n"
	"is reported in one line and the rest is fetched; the exit status is\n"
	"then 1.  Entry names from the server are checked: one holding '/' or\n"
	"NUL, or \".\" or \"..\", is a protocol error that ends the get.  At most\n"
	"64 directory levels below PATH are fetched.  On a terminal, stderr\n"
	"shows one progress line for the whole tree (files and bytes).\n"
	"\n"
	PEER_URL_HELP
	"\n"
	PEER_HOST_KEYS_HELP
	"\n"
	PEER_TLS_HELP
	"\n"
	PEER_ENV_FILES_HELP
	"\n"
	"Examples:\n"
	"  p2pctl get p2p://alice@198.18.0.1/music/take5.flac --key-file alice.key\n"
	"  p2pctl get p2p://alice@peer/iso/big.iso -c -o /data/ --key-file alice.key\n"
	"  p2pctl get p2p://alice@peer/docs/notes.txt -o - --key-file alice.key | less\n"
	"  p2pctl get -r p2p://alice@peer/photos/2024 -o ~/Pictures --key-file alice.key\n"
	"\n"
	PEER_EXIT_HELP,
};

/* put */

struct put {
	struct peer p;
	struct peer_args a;
	const char *local;
	int fd;
	struct stat st;
};

static int open_local(struct put *u)
{
	u->fd = open(u->local, O_RDONLY | O_CLOEXEC);
	if (u->fd < 0 || fstat(u->fd, &u->st)) {
		err("cannot read \"%s\": %s", u->local, strerror(errno));
		return 1;
	}
	if (!S_ISREG(u->st.st_mode)) {
		err("cannot put \"%s\": %s", u->local, S_ISDIR(u->st.st_mode) ?
		    "is a directory (put sends one regular file)" :
		    "not a regular file");
		return 1;
	}
	return 0;
}

/* An empty PATH or one ending in '/' names a directory: add the name. */
static int remote_path(struct put *u)
{
	struct p2p_url *url = &u->p.url;
	const char *base = strrchr(u->local, '/');
	size_t len = strlen(url->path);

	if (*url->path && !url->trailing_slash)
		return 0;
	base = base ? base + 1 : u->local;
	if (!p2p_component_valid(base, strlen(base))) {
		err("cannot name the remote file after \"%s\": give the full "
		    "path in the URL", u->local);
		return 1;
	}
	if (len + !!len + strlen(base) > P2P_PATH_MAX) {
		err("remote path too long: \"%s/%s\"", url->path, base);
		return 1;
	}
	if (len)
		url->path[len++] = '/';
	strcpy(url->path + len, base);
	return 0;
}

/* Read the whole local file into the upload; a short read aborts it. */
static int send_file(struct put *u, const char *target)
{
	uint64_t size = u->st.st_size, done = 0;
	char *buf = malloc(XFER_BUF);
	struct progress pr;
	ssize_t n = 0;
	int ret = 0;

	progress_begin(&pr, p2p_url_basename(&u->p.url), 0, size);
	while (buf && !ret && done < size) {
		n = read(u->fd, buf, size - done < XFER_BUF ? size - done : XFER_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		ret = p2p_put_data(&u->p.sess, buf, n);
		done += n;
		progress_update(&pr, done);
	}
	progress_end(&pr);
	free(buf);
	if (ret)
		return peer_fail(&u->p, ret, "put", target);
	if (done < size) {
		p2p_put_end(&u->p.sess);	/* short: the server discards it */
		if (!buf || n < 0)
			err("cannot read \"%s\": %s", u->local,
			    buf ? strerror(errno) : "out of memory");
		else
			err("cannot put \"%s\": it shrank while being sent (%"
			    PRIu64 " of %" PRIu64 " bytes); nothing was stored",
			    u->local, done, size);
		return 1;
	}
	ret = p2p_put_end(&u->p.sess);
	return ret ? peer_fail(&u->p, ret, "put", target) : 0;
}

static int put_file(struct put *u)
{
	char target[P2P_NAME_MAX + P2P_PATH_MAX + 2];
	int ret;

	peer_target(&u->p.url, target, sizeof(target));
	ret = p2p_put_begin(&u->p.sess, u->p.url.export, u->p.url.path,
			    u->st.st_size, u->st.st_mode & P2P_PUT_MODE_MASK);
	if (peer_again(&u->p, &ret))
		ret = p2p_put_begin(&u->p.sess, u->p.url.export, u->p.url.path,
				    u->st.st_size, u->st.st_mode & P2P_PUT_MODE_MASK);
	if (ret)
		return peer_fail(&u->p, ret, "put", target);
	return send_file(u, target);
}

static int put_main(int argc, char **argv)
{
	static const char *const names[] = { "LOCAL", "URL" };
	struct put u = { .fd = -1 };
	int ret = 1;

	if (peer_args(&cmd_put, argc, argv, 0, 2, names, &u.a) ||
	    peer_url(u.a.pos[1], P2P_URL_NEED_EXPORT, &u.p.url))
		return 1;
	u.local = u.a.pos[0];
	if (!open_local(&u) && !remote_path(&u) && !peer_open(&u.p, &u.a)) {
		ret = put_file(&u);
		peer_close(&u.p);
	}
	if (u.fd >= 0)
		close(u.fd);
	return ret;
}

const struct command cmd_put = {
	.name = "put",
	.main = put_main,
	.usage = "LOCAL p2p://USER@HOST[:PORT]/EXPORT/PATH --key-file FILE "
		 "[--host-key KEY] [--cipher LIST]",
	.help =
	"Upload the regular file LOCAL to PATH in EXPORT (the user needs a\n"
	"read-write grant).  If PATH is empty or ends in '/', the file keeps\n"
	"LOCAL's name in that directory.  The new file gets LOCAL's permission\n"
	"bits (less what the server masks).  The server writes a temporary\n"
	"file beside PATH and renames it into place only when every byte\n"
	"arrived, so an interrupted put leaves the old PATH (or none), never a\n"
	"partial one.  An existing PATH is replaced.  On a terminal, stderr\n"
	"shows a progress bar (bytes, percentage, rate, time left), cleared at\n"
	"the end.\n"
	"\n"
	"Options:\n"
	PEER_OPTIONS
	"\n"
	PEER_URL_HELP
	"\n"
	PEER_HOST_KEYS_HELP
	"\n"
	PEER_TLS_HELP
	"\n"
	PEER_ENV_FILES_HELP
	"\n"
	"Examples:\n"
	"  p2pctl put report.pdf p2p://alice@198.18.0.1/inbox/ --key-file alice.key\n"
	"  P2P_KEY_FILE=alice.key p2pctl put a.txt p2p://alice@peer/docs/b.txt\n"
	"\n"
	PEER_EXIT_HELP,
};
