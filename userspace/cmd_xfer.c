// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl get, put: copy one file from or to a peer's export.
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

#include "peer.h"
#include "progress.h"

#define XFER_BUF	P2P_MAX_DATA_CHUNK

/* get */

struct get {
	struct peer p;
	struct peer_args a;
	char out[PATH_MAX];	/* "" for standard output */
	int fd;
	bool created;		/* -c made OUT: remove it if nothing came */
	uint64_t offset;
	uint64_t written;	/* bytes received and written */
	struct p2p_read_reply rr;
};

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

static void catch_signals(void)
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

/* ".NAME.p2p-XXXXXX" beside OUT, created 0600. */
static int open_tmp(struct get *g)
{
	const char *slash = strrchr(g->out, '/');
	int dlen = slash ? (int)(slash - g->out + 1) : 0;

	snprintf(tmp_path, sizeof(tmp_path), "%.*s.%.200s.p2p-XXXXXX", dlen,
		 g->out, g->out + dlen);
	g->fd = mkostemp(tmp_path, O_CLOEXEC);
	if (g->fd < 0) {
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
	return g->a.resume ? open_resume(g) : open_tmp(g);
}

/* Undo what open_out did, after a failure. */
static void close_out_failed(struct get *g)
{
	if (g->fd > STDOUT_FILENO)
		close(g->fd);
	g->fd = -1;
	drop_tmp();
	if (g->created && !g->written)
		unlink(g->out);
}

static int recv_data(struct get *g, const char *target)
{
	struct progress pr;
	uint64_t done = g->offset;
	char *buf = malloc(XFER_BUF);
	ssize_t n = -ENOMEM;
	int ret = 0;

	progress_begin(&pr, p2p_url_basename(&g->p.url), done,
		       g->offset + g->rr.total);
	while (buf && (n = p2p_read_data(&g->p.sess, buf, XFER_BUF)) > 0) {
		ret = write_all(g->fd, buf, n);
		if (ret)
			break;
		g->written += n;
		done += n;
		progress_update(&pr, done);
	}
	progress_end(&pr);
	free(buf);
	if (ret)
		err("cannot write \"%s\": %s", *g->out ? g->out : "standard output",
		    strerror(-ret));
	else if (n < 0)
		ret = peer_fail(&g->p, n, "get", target);
	return ret ? 1 : 0;
}

/* Mode and mtime, then the temporary file becomes OUT. */
static int finish_out(struct get *g)
{
	struct timespec ts[2] = {
		{ .tv_nsec = UTIME_OMIT },
		{ .tv_sec = g->rr.mtime_sec, .tv_nsec = g->rr.mtime_nsec },
	};
	mode_t mask = umask(0);

	umask(mask);
	if (!*g->out)
		return 0;
	if (ts[1].tv_nsec >= 1000000000)
		ts[1].tv_nsec = 0;
	futimens(g->fd, ts);
	if ((have_tmp && fchmod(g->fd, 0666 & ~mask)) || fsync(g->fd) ||
	    close(g->fd)) {
		g->fd = -1;
		err("cannot write \"%s\": %s", g->out, strerror(errno));
		return 1;
	}
	g->fd = -1;
	if (have_tmp && rename(tmp_path, g->out)) {
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
	ret = p2p_read_begin(&g->p.sess, g->p.url.export, g->p.url.path,
			     g->offset, P2P_READ_TO_EOF, &g->rr);
	if (ret)
		return peer_fail(&g->p, ret, "get", target);
	if (check_resume(g, target) || recv_data(g, target))
		return 1;
	return finish_out(g);
}

static int get_main(int argc, char **argv)
{
	static const char *const names[] = { "URL" };
	struct get g = { .fd = -1 };
	int ret;

	if (peer_args(&cmd_get, argc, argv, PEER_OPT_OUT | PEER_OPT_RESUME, 1,
		      names, &g.a) ||
	    peer_url(g.a.pos[0], P2P_URL_NEED_PATH, &g.p.url) || out_path(&g))
		return 1;
	catch_signals();
	if (open_out(&g)) {
		close_out_failed(&g);
		return 1;
	}
	ret = peer_open(&g.p, &g.a);
	if (!ret) {
		ret = get_file(&g);
		peer_close(&g.p);
	}
	if (ret)
		close_out_failed(&g);
	return ret;
}

const struct command cmd_get = {
	.name = "get",
	.main = get_main,
	.usage = "p2p://USER@HOST[:PORT]/EXPORT/PATH [-o OUT] [-c] "
		 "--key-file FILE [--host-key KEY]",
	.help =
	"Download the file PATH of EXPORT.  It is written to a temporary file\n"
	"beside OUT (.NAME.p2p-XXXXXX) that is renamed to OUT once complete, so\n"
	"a failed or interrupted get never leaves a partial file under OUT\n"
	"(and removes its temporary file).  OUT gets the remote modification\n"
	"time and the mode 0666 less the umask.  On a terminal, stderr shows a\n"
	"progress bar (bytes, percentage, rate, time left), cleared at the end.\n"
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
	PEER_OPTIONS
	"\n"
	PEER_URL_HELP
	"\n"
	PEER_HOST_KEYS_HELP
	"\n"
	PEER_ENV_FILES_HELP
	"\n"
	"Examples:\n"
	"  p2pctl get p2p://alice@198.18.0.1/music/take5.flac --key-file alice.key\n"
	"  p2pctl get p2p://alice@peer/iso/big.iso -c -o /data/ --key-file alice.key\n"
	"  p2pctl get p2p://alice@peer/docs/notes.txt -o - --key-file alice.key | less\n"
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
		 "[--host-key KEY]",
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
	PEER_ENV_FILES_HELP
	"\n"
	"Examples:\n"
	"  p2pctl put report.pdf p2p://alice@198.18.0.1/inbox/ --key-file alice.key\n"
	"  P2P_KEY_FILE=alice.key p2pctl put a.txt p2p://alice@peer/docs/b.txt\n"
	"\n"
	PEER_EXIT_HELP,
};
