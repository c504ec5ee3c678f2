// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl put: one file into a peer's export.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xfer.h"

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
	.summary = "upload a file into a peer's export",
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
	PEER_COMMON_HELP
	"Examples:\n"
	"  p2pctl put report.pdf p2p://alice@198.18.0.1/inbox/ --key-file alice.key\n"
	"  P2P_KEY_FILE=alice.key p2pctl put a.txt p2p://alice@peer/docs/b.txt\n"
	"\n"
	PEER_EXIT_HELP,
};
