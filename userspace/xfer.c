// SPDX-License-Identifier: GPL-2.0
/*
 * One READ received into a temporary file beside its target, for get
 * (cmd_get.c) and get -r (tree.c): xfer.h.
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

	g->fd = open(g->out, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	g->created = g->fd >= 0;
	if (g->fd < 0 && errno == EEXIST)
		g->fd = open(g->out, O_RDWR | O_CLOEXEC);
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

int get_open_out(struct get *g)
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

int get_publish_tmp(struct get *g)
{
	if (rename(tmp_path, g->out)) {
		err("cannot rename \"%s\" to \"%s\": %s", tmp_path, g->out,
		    strerror(errno));
		return 1;
	}
	have_tmp = 0;
	return 0;
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
