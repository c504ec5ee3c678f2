// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl get from several sources (p2pctl(8), "Several sources"): the
 * block hashes come from the first source that has them; then one thread
 * per source fetches 1 MiB blocks (PROTOCOL.md 7.6), each checked against
 * its hash before it is written.  A source that serves a bad block is
 * dropped and named.  OUT is written in place, marked partial with the
 * attribute of PROTOCOL.md 7.7, so that the server on this host serves
 * the verified blocks to others meanwhile and a later get resumes from
 * them; the mark goes when every block is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "hashes.h"
#include "xfer.h"

/* A source that lacked a block is asked for it again after this long. */
#define SW_ABSENT_S	1.0
/* The end game's second copy: once the first has taken this many times
 * as long as a block takes on average. */
#define SW_LATE		1.5
/* A partial source's block map (BLOCKS) is asked again after this long. */
#define SW_MAP_S	0.5
/* After this many blocks in a row that a source lacked: a pause. */
#define SW_PROBES	2
#define SW_PAUSE_MS	500
/* No new block from anyone for this long: give up. */
#define SW_STALL_S	PEER_IO_TIMEOUT_S

/* Per block: how many sources fetch it now (0-2), or B_DONE. */
#define B_DONE		0xff
enum { S_IDLE, S_RUN, S_DROPPED, S_DONE };
enum { FB_OK, FB_ABSENT, FB_AGAIN, FB_DROP, FB_LOCAL };

struct swarm;

struct source {
	struct peer p;
	struct swarm *sw;
	pthread_t th;
	bool thread;
	int state;
	unsigned int misses;	/* blocks in a row it lacked */
	bool busy;		/* fetching a block */
	double t_ask;		/* when it was asked for it */
	bool complete;		/* showed the root: has every block */
	uint32_t blocks;	/* verified blocks it gave */
	uint64_t bytes, bytes_last;
	double rate;		/* bytes/s, smoothed */
	double *absent;		/* per block: when it said ENODATA */
	bool no_map;		/* answered BLOCKS with ENOSYS: probe */
	double map_t;		/* when its block map last came */
	uint8_t *buf;		/* one block */
};

struct swarm {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct get *g;
	char target[P2P_NAME_MAX + P2P_PATH_MAX + 2];
	struct p2p_file_hashes fh;
	uint8_t *st;		/* per block: fetchers, or B_DONE */
	struct source **owner;	/* per block: its first fetcher */
	uint32_t left;		/* blocks not B_DONE */
	uint32_t here;		/* found in OUT already */
	uint64_t have;		/* bytes of the B_DONE blocks */
	uint8_t *mark;		/* the P2P_PARTIAL_XATTR value */
	size_t mark_len;
	bool marked;		/* OUT carries the mark */
	bool stop;
	bool stalled;
	int local_err;		/* a write to OUT failed: errno */
	double t_block;		/* when the last block arrived */
	double t_fetch;		/* seconds the blocks took, summed */
	uint32_t nfetch;	/* ... over this many */
	struct source *src;
	struct source *hash_src;	/* the one the hashes came from */
	int nsrc;
	char extra[1024];	/* per-source rates on the progress line */
	FILE *trace;		/* P2P_SWARM_TRACE: a line per block */
	double t0;		/* when the sources started */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t block_len(const struct swarm *sw, uint32_t i)
{
	uint64_t off = (uint64_t)i * P2P_HASH_BLOCK;

	return sw->fh.size - off < P2P_HASH_BLOCK ? sw->fh.size - off :
						    P2P_HASH_BLOCK;
}

/* Sources */

/* --peer HOST[:PORT]: the first URL's user, export and path at HOST. */
static int peer_source(const char *hostport, const struct p2p_url *first,
		       struct p2p_url *u)
{
	char s[P2P_URL_HOSTPORT_MAX + 16];

	if (strchr(hostport, '/') || strchr(hostport, '@') ||
	    snprintf(s, sizeof(s), "p2p://x@%s/", hostport) >= (int)sizeof(s)) {
		err("invalid --peer \"%s\": expected HOST or HOST:PORT", hostport);
		return 1;
	}
	if (peer_url(s, 0, u))
		return 1;
	memcpy(u->user, first->user, sizeof(u->user));
	memcpy(u->export, first->export, sizeof(u->export));
	memcpy(u->path, first->path, sizeof(u->path));
	return 0;
}

static bool same_source(const struct p2p_url *a, const struct p2p_url *b)
{
	return !strcmp(a->hostport, b->hostport) && !strcmp(a->user, b->user) &&
	       !strcmp(a->export, b->export) && !strcmp(a->path, b->path);
}

static int add_source(struct swarm *sw, const struct command *cmd,
		      const struct p2p_url *u)
{
	int i;

	for (i = 0; i < sw->nsrc; i++)
		if (same_source(&sw->src[i].p.url, u))
			return usage_err(cmd, "source %s named twice", u->hostport);
	sw->src[sw->nsrc].p.url = *u;
	sw->src[sw->nsrc].p.fd = -1;
	sw->src[sw->nsrc].sw = sw;
	sw->nsrc++;
	return 0;
}

static int sources(struct swarm *sw, const struct command *cmd,
		   const struct peer_args *a)
{
	struct p2p_url u;
	int i;

	sw->src = calloc(a->npos + a->npeers, sizeof(*sw->src));
	if (!sw->src) {
		err("out of memory");
		return 1;
	}
	for (i = 0; i < a->npos; i++)
		if (peer_url(a->pos[i], P2P_URL_NEED_PATH, &u) ||
		    add_source(sw, cmd, &u))
			return 1;
	for (i = 0; i < a->npeers; i++)
		if (peer_source(a->peers[i], &sw->src[0].p.url, &u) ||
		    add_source(sw, cmd, &u))
			return 1;
	return 0;
}

static void drop(struct source *s)
{
	peer_close(&s->p);
	s->state = S_DROPPED;
}

/*
 * RET, the answer of S, says it has no such file: not yet, as a rule, on
 * a host whose own get of it has not started.  It is asked again with
 * every block map, rather than dropped.
 */
static bool lacks_file(const struct source *s, int ret)
{
	return ret == -EREMOTEIO && s->p.sess.err.code == ENOENT;
}

/* The hashes, from the first source that has them (opened in order). */
static int fetch_hashes(struct swarm *sw)
{
	struct source *s;
	int i, ret;

	for (i = 0; i < sw->nsrc; i++) {
		s = &sw->src[i];
		if (peer_open(&s->p, &sw->g->a)) {
			s->state = S_DROPPED;
			continue;
		}
		s->state = S_RUN;
		ret = peer_hash_fetch(&s->p, &sw->fh);
		if (!ret) {
			s->complete = true;
			sw->hash_src = s;
			return 0;
		}
		peer_fail(&s->p, ret, "hash", sw->target);
		/* A partial copy there may still serve blocks, or come. */
		if (!lacks_file(s, ret) &&
		    (ret != -EREMOTEIO || s->p.sess.err.code != ENODATA))
			drop(s);
	}
	err("cannot get \"%s\": no source gave its content hashes",
	    sw->target);
	return 1;
}

/*
 * A source that has the whole file must have the same one: its root is
 * checked before it serves.  One that is still downloading it (ENODATA),
 * or is busy writing it, or has no HASH, serves blocks that are checked
 * one by one.  0, or 1 after a message (the source is not used).
 */
static int check_root(struct source *s)
{
	struct swarm *sw = s->sw;
	struct p2p_hash_reply hr;
	void *buf = malloc(P2P_MAX_BODY);
	int ret;

	if (!buf) {
		err("out of memory");
		return 1;
	}
	ret = p2p_hash(&s->p.sess, s->p.url.export, s->p.url.path, 0, buf,
		       P2P_MAX_BODY, &hr);
	if (peer_again(&s->p, &ret))
		ret = p2p_hash(&s->p.sess, s->p.url.export, s->p.url.path, 0,
			       buf, P2P_MAX_BODY, &hr);
	free(buf);
	if (ret == -EREMOTEIO && (s->p.sess.err.code == ENODATA ||
				  s->p.sess.err.code == ETXTBSY ||
				  s->p.sess.err.code == ENOSYS))
		return 0;
	if (lacks_file(s, ret)) {
		warn("%s has no \"%s\" yet: asked again while this get lasts",
		     s->p.url.hostport, sw->target);
		return 0;
	}
	if (ret)
		return peer_fail(&s->p, ret, "hash", sw->target);
	if (hr.size == sw->fh.size &&
	    !memcmp(hr.root, sw->fh.root, P2P_HASH_LEN)) {
		s->complete = true;
		return 0;
	}
	err("%s has other content under \"%s\" (another root hash): not used",
	    s->p.url.hostport, sw->target);
	return 1;
}

/* Output */

static int set_mark(struct swarm *sw, int fd)
{
	if (fsetxattr(fd, P2P_PARTIAL_XATTR, sw->mark, sw->mark_len, 0))
		return -errno;
	return 0;
}

/* OUT's own mark, if it is one for these hashes. */
static bool own_mark(struct swarm *sw, int fd)
{
	uint8_t *v = malloc(sw->mark_len);
	ssize_t n = -1;
	bool ok;

	if (v)
		n = fgetxattr(fd, P2P_PARTIAL_XATTR, v, sw->mark_len);
	ok = n == (ssize_t)sw->mark_len &&
	     !memcmp(v, sw->mark, sizeof(struct p2p_partial_head));
	if (ok)
		memcpy(sw->mark, v, sw->mark_len);
	free(v);
	return ok;
}

/* Blocks already in OUT: those its mark names (-c: all), read back. */
static int check_here(struct swarm *sw, int fd, bool all)
{
	uint8_t h[P2P_HASH_LEN], *buf = malloc(P2P_HASH_BLOCK);
	uint32_t i;
	ssize_t n;

	if (!buf) {
		err("out of memory");
		return 1;
	}
	for (i = 0; i < sw->fh.blocks; i++) {
		if (!all && !p2p_partial_has(sw->mark, i))
			continue;
		n = pread(fd, buf, block_len(sw, i),
			  (off_t)i * P2P_HASH_BLOCK);
		if (n < 0) {
			err("cannot read \"%s\": %s", sw->g->out, strerror(errno));
			free(buf);
			return 1;
		}
		p2p_hash_block(buf, n, h);
		if ((uint64_t)n != block_len(sw, i) ||
		    memcmp(h, sw->fh.h[i], P2P_HASH_LEN)) {
			sw->mark[sizeof(struct p2p_partial_head) + i / 8] &=
				~(1u << (i % 8));
			continue;
		}
		p2p_partial_set(sw->mark, i);
		sw->st[i] = B_DONE;
		sw->here++;
		sw->have += n;
	}
	free(buf);
	return 0;
}

/*
 * An existing OUT to go on with: its mark is one for these hashes, or -c.
 * 1 if it is used (g->fd), 0 if not, -1 after a message.
 */
static int open_existing(struct swarm *sw)
{
	struct get *g = sw->g;
	struct stat st;
	bool mine;
	int fd;

	fd = open(g->out, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	mine = own_mark(sw, fd);
	if (!mine && !g->a.resume) {
		close(fd);
		return 0;
	}
	if (ftruncate(fd, sw->fh.size)) {
		err("cannot resume \"%s\": %s", g->out, strerror(errno));
		close(fd);
		return -1;
	}
	if (check_here(sw, fd, !mine)) {
		close(fd);
		return -1;
	}
	g->fd = fd;
	sw->marked = !set_mark(sw, fd) || mine;
	return 1;
}

/*
 * A new OUT: a temporary file of the final size, marked and renamed to
 * OUT at once, so that OUT never looks complete before it is.  Without
 * user xattrs it stays temporary until the end, as a plain get's.
 */
static int open_new(struct swarm *sw)
{
	struct get *g = sw->g;
	mode_t mask = umask(0);
	int ret;

	umask(mask);
	if (get_open_tmp(g))
		return 1;
	if (ftruncate(g->fd, sw->fh.size) || fchmod(g->fd, 0666 & ~mask)) {
		err("cannot write \"%s\": %s", g->out, strerror(errno));
		return 1;
	}
	ret = set_mark(sw, g->fd);
	if (ret == -EOPNOTSUPP) {
		warn("\"%s\": no user extended attributes on its file system: "
		     "not served to others before it is complete", g->out);
		return 0;
	}
	if (ret) {
		err("cannot mark \"%s\" partial: %s", g->out, strerror(-ret));
		return 1;
	}
	sw->marked = true;
	return get_publish_tmp(g);
}

static int open_out(struct swarm *sw)
{
	int ret;

	sw->mark_len = p2p_partial_len(sw->fh.size);
	sw->mark = sw->mark_len ? malloc(sw->mark_len) : NULL;
	sw->st = calloc(sw->fh.blocks ? sw->fh.blocks : 1, 1);
	sw->owner = calloc(sw->fh.blocks ? sw->fh.blocks : 1,
			   sizeof(*sw->owner));
	if (!sw->mark || !sw->st || !sw->owner) {
		err("cannot get \"%s\": %s", sw->target, sw->mark_len ?
		    "out of memory" : "too large for a multi-source get");
		return 1;
	}
	p2p_partial_encode(sw->mark, sw->mark_len, sw->fh.size, sw->fh.root);
	ret = open_existing(sw);
	if (ret < 0)
		return 1;
	sw->left = sw->fh.blocks - sw->here;
	return ret ? 0 : open_new(sw);
}

/* Blocks */

/* Under mu: block I may be asked of S now. */
static bool askable(const struct source *s, uint32_t i, double t)
{
	return t - s->absent[i] >= SW_ABSENT_S;
}

/*
 * Under mu: how many other sources still downloading are known to hold
 * block I (their last block map says so).
 */
static int holders(const struct source *s, uint32_t i)
{
	const struct swarm *sw = s->sw;
	const struct source *o;
	int k, n = 0;

	for (k = 0; k < sw->nsrc; k++) {
		o = &sw->src[k];
		if (o != s && o->state == S_RUN && !o->complete &&
		    o->map_t > 0 && !o->absent[i])
			n++;
	}
	return n;
}

/* Under mu: a source of this get is fetching a block. */
static bool any_busy(const struct swarm *sw)
{
	int k;

	for (k = 0; k < sw->nsrc; k++)
		if (sw->src[k].busy)
			return true;
	return false;
}

/*
 * Under mu: a block nobody fetches yet for S, -1 if none.  A source that
 * is still downloading gets a random one of those it has.  A source with
 * the whole file, a seed whose uplink every host shares, gets the block
 * the fewest downloading sources hold, and one that some of them hold only
 * when nothing else is being fetched: what a seed sends should be what
 * the group does not have yet; the rest spreads from host to host.
 */
static int64_t pick_new(struct source *s, uint32_t start, double t)
{
	struct swarm *sw = s->sw;
	uint32_t n = sw->fh.blocks, k, i;
	int64_t best = -1;
	int h, low = -1;

	for (k = 0; k < n; k++) {
		i = (start + k) % n;
		if (sw->st[i] || !askable(s, i, t))
			continue;
		if (!s->complete)
			return i;
		h = holders(s, i);
		if (low < 0 || h < low) {
			low = h;
			best = i;
		}
	}
	if (low > 0 && any_busy(sw))
		return -1;
	return best;
}

/* Under mu: block I's fetch by its owner has taken long (SW_LATE). */
static bool overdue(const struct swarm *sw, uint32_t i, double t)
{
	return sw->owner[i] && sw->nfetch &&
	       t - sw->owner[i]->t_ask > SW_LATE * sw->t_fetch / sw->nfetch;
}

/*
 * Under mu: a block for S to fetch, -1 for none now, -2 when over.  A
 * block nobody fetches first; else (the end game) one that a single other
 * source has been fetching for long (overdue()), so that the last blocks
 * do not wait on the slowest source: the first copy to arrive counts.  A
 * second copy sooner would only take uplink from other hosts.  The hash
 * source, a seed as a rule, takes no second copies: its uplink is the
 * scarce one.
 */
static int64_t pick(struct source *s)
{
	struct swarm *sw = s->sw;
	uint32_t n = sw->fh.blocks, start, k, i;
	double t = now_s();
	int64_t b;

	if (!sw->left || sw->stop)
		return -2;
	if (s->misses >= SW_PROBES)
		return -1;
	start = (uint32_t)random() % n;
	b = pick_new(s, start, t);
	if (b >= 0) {
		sw->owner[b] = s;
		sw->st[b] = 1;
		return b;
	}
	if (s == sw->hash_src)
		return -1;
	for (k = 0; k < n; k++) {
		i = (start + k) % n;
		if (sw->st[i] == 1 && sw->owner[i] != s && askable(s, i, t) &&
		    overdue(sw, i, t)) {
			sw->st[i] = 2;
			return i;
		}
	}
	return -1;
}

static int recv_block(struct source *s, uint64_t len)
{
	uint64_t got = 0;
	ssize_t n;

	while (got < len) {
		n = p2p_read_data(&s->p.sess, s->buf + got, len - got);
		if (n <= 0)
			return n ? (int)n : -EPROTO;
		got += n;
	}
	n = p2p_read_data(&s->p.sess, s->buf, 1);
	return n ? -EPROTO : 0;
}

static int read_block(struct source *s, uint32_t i, uint64_t len)
{
	struct swarm *sw = s->sw;
	struct p2p_read_reply rr;
	int ret;

	ret = p2p_read_begin(&s->p.sess, s->p.url.export, s->p.url.path,
			     (uint64_t)i * P2P_HASH_BLOCK, len, &rr);
	if (peer_again(&s->p, &ret))
		return FB_AGAIN;
	if (ret == -EREMOTEIO && s->p.sess.err.code == ENODATA)
		return FB_ABSENT;
	if (ret) {
		if (!sw->stop)
			peer_fail(&s->p, ret, "get", sw->target);
		return FB_DROP;
	}
	if (rr.size != sw->fh.size || rr.total != len) {
		err("%s has %llu bytes under \"%s\", not %llu: not used",
		    s->p.url.hostport, (unsigned long long)rr.size, sw->target,
		    (unsigned long long)sw->fh.size);
		return FB_DROP;
	}
	ret = recv_block(s, len);
	if (peer_expired(&s->p, ret))
		return peer_reconnect(&s->p) ? FB_DROP : FB_AGAIN;
	if (ret) {
		/* the end game's other copy won: main cut this one */
		if (!sw->stop)
			peer_fail(&s->p, ret, "get", sw->target);
		return FB_DROP;
	}
	return FB_OK;
}

/*
 * A partial source's block map: what it has is askable at once, what it
 * lacks is not until the next map (the absent times a probe's ENODATA
 * sets, so that a seed's choice of the rarest block sees them too).  A
 * server without BLOCKS is probed block by block instead.
 */
static int refresh_map(struct source *s)
{
	struct swarm *sw = s->sw;
	struct p2p_blocks_reply br;
	uint32_t i;
	double t;
	int ret;

	ret = p2p_blocks(&s->p.sess, s->p.url.export, s->p.url.path, s->buf,
			 P2P_HASH_BLOCK, &br);
	if (peer_again(&s->p, &ret))
		return FB_AGAIN;
	if (ret == -EREMOTEIO && s->p.sess.err.code == ENOSYS) {
		s->no_map = true;
		return FB_OK;
	}
	if (lacks_file(s, ret)) {
		br.size = sw->fh.size;
		br.blocks = 0;
		br.flags = 0;
		ret = 0;
	}
	if (ret) {
		if (!sw->stop)
			peer_fail(&s->p, ret, "get", sw->target);
		return FB_DROP;
	}
	if (br.size != sw->fh.size) {
		err("%s has %llu bytes under \"%s\", not %llu: not used",
		    s->p.url.hostport, (unsigned long long)br.size, sw->target,
		    (unsigned long long)sw->fh.size);
		return FB_DROP;
	}
	t = now_s();
	pthread_mutex_lock(&sw->mu);
	for (i = 0; i < sw->fh.blocks; i++)
		s->absent[i] = i < br.blocks &&
			       ((br.flags & P2P_BLOCKS_COMPLETE) ||
				(br.map[i / 8] & (1u << (i % 8)))) ? 0 : t;
	s->map_t = t;
	s->misses = 0;
	pthread_mutex_unlock(&sw->mu);
	return FB_OK;
}

/* Fetch block I from S, check it and write it. */
static int fetch(struct source *s, uint32_t i)
{
	struct swarm *sw = s->sw;
	uint64_t len = block_len(sw, i), off = (uint64_t)i * P2P_HASH_BLOCK;
	uint8_t h[P2P_HASH_LEN];
	size_t done = 0;
	ssize_t n;
	int ret;

	ret = read_block(s, i, len);
	if (ret != FB_OK)
		return ret;
	p2p_hash_block(s->buf, len, h);
	if (memcmp(h, sw->fh.h[i], P2P_HASH_LEN)) {
		err("%s served block %u of \"%s\" with the wrong content (its "
		    "hash differs): source dropped", s->p.url.hostport, i,
		    sw->target);
		return FB_DROP;
	}
	while (done < len) {
		n = pwrite(sw->g->fd, s->buf + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			sw->local_err = n < 0 ? errno : EIO;
			return FB_LOCAL;
		}
		done += n;
	}
	return FB_OK;
}

/* Under mu: one line of the trace, if one was asked for. */
static void trace(struct source *s, uint32_t i, int ret)
{
	static const char *const what[] = {
		[FB_OK] = "ok", [FB_ABSENT] = "absent", [FB_AGAIN] = "again",
		[FB_DROP] = "drop", [FB_LOCAL] = "local",
	};
	struct swarm *sw = s->sw;
	double t = now_s();

	if (sw->trace)
		fprintf(sw->trace, "%.3f %.3f %u %s %s%s\n", t - sw->t0,
			t - s->t_ask, i, s->p.url.hostport, what[ret],
			sw->st[i] == B_DONE && ret == FB_OK ? " late" : "");
}

/* Under mu: what fetch() said about block I. */
static void account(struct source *s, uint32_t i, int ret)
{
	struct swarm *sw = s->sw;
	int e;

	trace(s, i, ret);
	if (sw->st[i] == B_DONE) {
		/* the other copy of the end game came first */
		if (ret == FB_OK)
			s->misses = 0;
		return;
	}
	sw->st[i]--;
	if (sw->owner[i] == s)
		sw->owner[i] = NULL;
	switch (ret) {
	case FB_OK:
		p2p_partial_set(sw->mark, i);
		e = sw->marked ? set_mark(sw, sw->g->fd) : 0;
		if (e) {
			sw->local_err = -e;
			sw->stop = true;
			return;
		}
		sw->st[i] = B_DONE;
		sw->left--;
		sw->t_fetch += now_s() - s->t_ask;
		sw->nfetch++;
		s->blocks++;
		s->bytes += block_len(sw, i);
		sw->have += block_len(sw, i);
		s->misses = 0;
		sw->t_block = now_s();
		break;
	case FB_ABSENT:
		s->absent[i] = now_s();
		s->misses++;
		break;
	case FB_LOCAL:
		sw->stop = true;
		break;
	}
}

static void pause_source(struct source *s)
{
	struct swarm *sw = s->sw;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += SW_PAUSE_MS * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&sw->cv, &sw->mu, &ts);
	s->misses = 0;
}

static int source_start(struct source *s)
{
	struct swarm *sw = s->sw;
	int ret = 0;

	s->buf = malloc(P2P_HASH_BLOCK);
	if (!s->absent || !s->buf) {
		err("out of memory");
		return 1;
	}
	/* In parallel: known_hosts is appended to under a lock. */
	if (s->state == S_IDLE)
		ret = peer_open(&s->p, &sw->g->a) || check_root(s);
	return ret;
}

static void *source_main(void *arg)
{
	struct source *s = arg;
	struct swarm *sw = s->sw;
	int64_t i;
	int ret;

	ret = source_start(s);
	pthread_mutex_lock(&sw->mu);
	s->state = ret ? S_DROPPED : S_RUN;
	while (!ret) {
		if (!s->complete && !s->no_map && sw->left && !sw->stop &&
		    now_s() - s->map_t >= SW_MAP_S) {
			pthread_mutex_unlock(&sw->mu);
			ret = refresh_map(s);
			pthread_mutex_lock(&sw->mu);
			ret = ret == FB_DROP;
			if (ret && s->state == S_RUN && !sw->stop)
				s->state = S_DROPPED;
			continue;
		}
		i = pick(s);
		if (i == -2)
			break;
		if (i == -1) {
			pause_source(s);
			continue;
		}
		s->busy = true;
		s->t_ask = now_s();
		pthread_mutex_unlock(&sw->mu);
		ret = fetch(s, (uint32_t)i);
		pthread_mutex_lock(&sw->mu);
		s->busy = false;
		account(s, (uint32_t)i, ret);
		ret = ret == FB_DROP || ret == FB_LOCAL;
		if (ret && s->state == S_RUN && !sw->stop)
			s->state = S_DROPPED;
		pthread_cond_broadcast(&sw->cv);
	}
	if (s->state == S_RUN)
		s->state = S_DONE;
	pthread_cond_broadcast(&sw->cv);
	pthread_mutex_unlock(&sw->mu);
	peer_close(&s->p);
	return NULL;
}

/* The main thread: progress, and the end */

static bool all_stopped(const struct swarm *sw)
{
	int i;

	for (i = 0; i < sw->nsrc; i++)
		if (sw->src[i].state == S_RUN || sw->src[i].state == S_IDLE)
			return false;
	return true;
}

/* Under mu: the per-source rates for the progress line. */
static void rates(struct swarm *sw, double dt)
{
	size_t off = 0;
	char r[16];
	int i;

	sw->extra[0] = '\0';
	for (i = 0; i < sw->nsrc && off < sizeof(sw->extra) - 64; i++) {
		struct source *s = &sw->src[i];
		double inst = dt > 0 ? (s->bytes - s->bytes_last) / dt : 0;

		s->rate = 0.7 * s->rate + 0.3 * inst;
		s->bytes_last = s->bytes;
		if (s->state != S_RUN)
			continue;
		fmt_bytes(r, sizeof(r), (uint64_t)s->rate);
		off += snprintf(sw->extra + off, sizeof(sw->extra) - off,
				"%s%s %s/s", off ? ", " : "| ",
				s->p.url.hostport, r);
	}
}

/*
 * Under mu, once every block is there: a source still fetching has the
 * end game's second copy of a block, maybe from a slow source; its
 * connection is cut rather than waited for.
 */
static void cut_late(struct swarm *sw)
{
	int i;

	if (sw->left)
		return;
	for (i = 0; i < sw->nsrc; i++)
		if (sw->src[i].busy && sw->src[i].p.fd >= 0)
			shutdown(sw->src[i].p.fd, SHUT_RDWR);
}

static void wait_done(struct swarm *sw)
{
	struct progress pr;
	double t_last = now_s();
	struct timespec ts;

	progress_begin(&pr, p2p_url_basename(&sw->src[0].p.url), sw->have,
		       sw->fh.size);
	pr.extra = sw->extra;
	pthread_mutex_lock(&sw->mu);
	sw->t_block = now_s();
	while (sw->left && !sw->stop && !all_stopped(sw)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&sw->cv, &sw->mu, &ts);
		if (now_s() - sw->t_block > SW_STALL_S) {
			progress_clear(&pr);
			err("cannot get \"%s\": no source had any of its %u "
			    "missing blocks for %d s", sw->target, sw->left,
			    SW_STALL_S);
			sw->stalled = true;
			break;
		}
		if (now_s() - t_last >= 0.2) {
			rates(sw, now_s() - t_last);
			t_last = now_s();
			progress_update(&pr, sw->have);
		}
	}
	sw->stop = true;
	pthread_cond_broadcast(&sw->cv);
	cut_late(sw);
	pthread_mutex_unlock(&sw->mu);
	progress_end(&pr);
}

/* One line: which source gave how many blocks, and which were dropped. */
static void summary(const struct swarm *sw)
{
	char line[4096];
	size_t off;
	int i;

	off = snprintf(line, sizeof(line), "\"%s\": %u of %u blocks",
		       sw->g->out, sw->fh.blocks - sw->left, sw->fh.blocks);
	if (sw->here)
		off += snprintf(line + off, sizeof(line) - off,
				", %u already here", sw->here);
	for (i = 0; i < sw->nsrc && off < sizeof(line) - 128; i++) {
		const struct source *s = &sw->src[i];

		off += snprintf(line + off, sizeof(line) - off, "%s %u from %s%s",
				i ? "," : ":", s->blocks, s->p.url.hostport,
				s->state == S_DROPPED ? " (dropped)" : "");
	}
	fprintf(stderr, "%s: %s\n", prog, line);
}

static int finish(struct swarm *sw)
{
	struct get *g = sw->g;

	if (sw->local_err) {
		err("cannot write \"%s\": %s", g->out, strerror(sw->local_err));
	} else if (!sw->left) {
		if (sw->marked && fremovexattr(g->fd, P2P_PARTIAL_XATTR)) {
			err("cannot unmark \"%s\": %s", g->out, strerror(errno));
			return 1;
		}
		g->rr.mtime_sec = sw->fh.mtime_sec;
		g->rr.mtime_nsec = sw->fh.mtime_nsec;
		return get_finish_out(g);
	} else if (!sw->stalled) {
		err("cannot get \"%s\": every source failed", sw->target);
	}
	if (sw->marked)
		err("\"%s\" keeps its %u verified blocks: the same get goes on "
		    "from them", g->out, sw->fh.blocks - sw->left);
	return 1;
}

/*
 * P2P_SWARM_TRACE=FILE: a line per block asked for, appended to FILE:
 * seconds since the sources started, seconds the ask took, the block, the
 * source, what came of it (ok, absent, again, drop, local; "late" for the
 * end game's second copy).  For the benchmark's analysis.
 */
static void trace_open(struct swarm *sw)
{
	const char *path = getenv("P2P_SWARM_TRACE");

	sw->t0 = now_s();
	if (!path || !*path)
		return;
	sw->trace = fopen(path, "ae");
	if (!sw->trace)
		warn("P2P_SWARM_TRACE \"%s\": %s: no trace", path,
		     strerror(errno));
	else
		setvbuf(sw->trace, NULL, _IOLBF, 0);
}

static void run_sources(struct swarm *sw)
{
	int i;

	trace_open(sw);
	for (i = 0; i < sw->nsrc; i++) {
		struct source *s = &sw->src[i];

		if (s->state == S_DROPPED)
			continue;
		/* before any thread runs: pick() reads every source's;
		 * source_start() reports a failure */
		s->absent = calloc(sw->fh.blocks, sizeof(*s->absent));
	}
	for (i = 0; i < sw->nsrc; i++) {
		struct source *s = &sw->src[i];

		if (s->state == S_DROPPED)
			continue;
		s->thread = !pthread_create(&s->th, NULL, source_main, s);
		if (!s->thread)
			drop(s);
	}
	wait_done(sw);
	for (i = 0; i < sw->nsrc; i++)
		if (sw->src[i].thread)
			pthread_join(sw->src[i].th, NULL);
}

static void swarm_free(struct swarm *sw)
{
	int i;

	for (i = 0; sw->src && i < sw->nsrc; i++) {
		peer_close(&sw->src[i].p);
		free(sw->src[i].absent);
		free(sw->src[i].buf);
	}
	free(sw->src);
	free(sw->st);
	free(sw->owner);
	free(sw->mark);
	if (sw->trace)
		fclose(sw->trace);
	p2p_file_hashes_free(&sw->fh);
	pthread_mutex_destroy(&sw->mu);
	pthread_cond_destroy(&sw->cv);
}

int get_swarm(const struct command *cmd, struct get *g)
{
	struct swarm sw = { .g = g };
	int ret = 1;

	pthread_mutex_init(&sw.mu, NULL);
	pthread_cond_init(&sw.cv, NULL);
	if (g->a.recursive || (g->a.out && !strcmp(g->a.out, "-"))) {
		ret = usage_err(cmd, "several sources write one file: not with "
				"-r or -o -");
		goto out;
	}
	if (g->a.host_key) {
		ret = usage_err(cmd, "--host-key names one host: several sources "
				"are checked against known_hosts");
		goto out;
	}
	if (sources(&sw, cmd, &g->a))
		goto out;
	g->p.url = sw.src[0].p.url;
	peer_target(&g->p.url, sw.target, sizeof(sw.target));
	srandom((unsigned int)(getpid() ^ (unsigned int)(now_s() * 1e6)));
	if (fetch_hashes(&sw) || open_out(&sw))
		goto out;
	if (sw.left)
		run_sources(&sw);
	summary(&sw);
	ret = finish(&sw);
out:
	if (ret)
		get_close_failed(g);
	swarm_free(&sw);
	return ret;
}
