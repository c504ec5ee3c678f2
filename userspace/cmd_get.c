// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl get: one file of a peer's export (get -r, a tree: tree.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hashes.h"
#include "xfer.h"

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
		if (g->a.verify)
			return usage_err(&cmd_get, "--verify cannot check standard output");
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

/*
 * -c trusts the bytes already in OUT only as far as it checked them: the
 * READ starts up to RESUME_CHECK bytes early, and those must equal the
 * last bytes of OUT, or OUT is left alone and get fails.
 */
#define RESUME_CHECK	(64 * 1024)

static uint64_t check_len(const struct get *g)
{
	if (!g->a.resume)
		return 0;
	return g->offset < RESUME_CHECK ? g->offset : RESUME_CHECK;
}

static int check_size(struct get *g, const char *target)
{
	if (!g->a.resume || g->offset <= g->rr.size)
		return 0;
	err("cannot resume \"%s\": it has %llu bytes, more than the %llu "
	    "bytes of \"%s\" at %s", g->out, (unsigned long long)g->offset,
	    (unsigned long long)g->rr.size, target, g->p.url.hostport);
	return 1;
}

/* The server's LEN bytes before g->offset into BUF: 0 or a negative errno. */
static int recv_exact(struct get *g, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = p2p_read_data(&g->p.sess, buf + got, len - got);
		if (n <= 0)
			return n ? n : -EIO;
		got += n;
	}
	return 0;
}

static int check_tail(struct get *g, const char *target, size_t len)
{
	char *mine = malloc(2 * len), *theirs;
	int ret = 1;
	ssize_t n;

	if (!mine) {
		err("out of memory");
		return 1;
	}
	theirs = mine + len;
	/* A short read is no error: errno says nothing then. */
	n = pread(g->fd, mine, len, g->offset - len);
	if (n != (ssize_t)len) {
		err("cannot resume \"%s\": cannot read it back: %s", g->out,
		    n < 0 ? strerror(errno) : "short read (did it shrink?)");
		goto out;
	}
	ret = recv_exact(g, theirs, len);
	if (ret) {
		ret = peer_fail(&g->p, ret, "get", target);
		goto out;
	}
	ret = memcmp(mine, theirs, len) != 0;
	if (ret)
		err("cannot resume \"%s\": its last %zu bytes differ from "
		    "\"%s\" at %s; remove it, or get without -c", g->out, len,
		    target, g->p.url.hostport);
out:
	free(mine);
	return ret;
}

/*
 * The block hashes for --verify and -c: 0 with *have set, 0 without for
 * a server that has no HASH (-c then checks only the last bytes), or 1
 * after a message.
 */
static int get_hashes(struct get *g, const char *target,
		      struct p2p_file_hashes *fh, bool *have)
{
	int ret;

	*have = false;
	if (!g->a.verify && !(g->a.resume && g->offset))
		return 0;
	ret = peer_hash_fetch(&g->p, fh);
	if (ret == -EREMOTEIO && g->p.sess.err.code == ENOSYS && !g->a.verify)
		return 0;
	if (ret)
		return peer_fail(&g->p, ret, "hash", target);
	*have = true;
	return 0;
}

/* -c with hashes: keep OUT up to its first block that differs. */
static int resume_from_hashes(struct get *g, const struct p2p_file_hashes *fh)
{
	int64_t good = p2p_hash_first_bad(g->fd, g->offset, fh);
	uint64_t keep, whole;

	if (good < 0) {
		err("cannot resume \"%s\": cannot read it back: %s", g->out,
		    strerror((int)-good));
		return 1;
	}
	keep = (uint64_t)good * P2P_HASH_BLOCK;
	if (g->offset > fh->size || keep >= g->offset)
		return 0;		/* too long: check_size() says so */
	/* A partial last block is fetched again, silently. */
	whole = g->offset == fh->size ? fh->blocks : g->offset / P2P_HASH_BLOCK;
	if ((uint64_t)good < whole)
		warn("\"%s\" differs from the server's file in block %lld: "
		     "fetching again from byte %llu", g->out, (long long)good,
		     (unsigned long long)keep);
	if (ftruncate(g->fd, keep) || lseek(g->fd, keep, SEEK_SET) < 0) {
		err("cannot truncate \"%s\": %s", g->out, strerror(errno));
		return 1;
	}
	g->offset = keep;
	return 0;
}

/* --verify: the whole of what was written gives the root. */
static int verify_out(struct get *g, const char *target,
		      const struct p2p_file_hashes *fh)
{
	int64_t good = p2p_hash_first_bad(g->fd, fh->size, fh);
	struct stat st;

	if (good >= 0 && good == fh->blocks && !fstat(g->fd, &st) &&
	    (uint64_t)st.st_size == fh->size)
		return 0;
	if (good < 0)
		err("cannot verify \"%s\": %s", g->out, strerror((int)-good));
	else
		err("\"%s\" does not match the root hash of \"%s\" at %s "
		    "(block %lld differs)%s", g->out, target,
		    g->p.url.hostport, (long long)good,
		    g->a.resume ? "; remove it, or get without -c" : "");
	return 1;
}

static bool same_content(const struct p2p_read_reply *rr,
			 const struct p2p_file_hashes *fh)
{
	return rr->size == fh->size && rr->mtime_sec == fh->mtime_sec &&
	       rr->mtime_nsec == fh->mtime_nsec;
}

/*
 * Checking a large OUT block by block can outlast the server's idle_timeout
 * (60 s by default), which then closes the connection: once, connect again.
 */
static bool idle_closed(struct get *g, int *ret)
{
	if (!g->checked || (*ret != -ESHUTDOWN && *ret != -ECONNRESET &&
			    *ret != -EPIPE))
		return false;
	g->checked = false;
	*ret = peer_reconnect(&g->p);
	return !*ret;
}

static int read_file(struct get *g, const char *target,
		     const struct p2p_file_hashes *fh, bool have)
{
	uint64_t check = have ? 0 : check_len(g);
	int ret;

	g->rpath = g->p.url.path;
	ret = p2p_read_begin(&g->p.sess, g->p.url.export, g->rpath,
			     g->offset - check, P2P_READ_TO_EOF, &g->rr);
	if (peer_again(&g->p, &ret) || idle_closed(g, &ret))
		ret = p2p_read_begin(&g->p.sess, g->p.url.export, g->rpath,
				     g->offset - check, P2P_READ_TO_EOF, &g->rr);
	if (ret)
		return peer_fail(&g->p, ret, "get", target);
	if (have && !same_content(&g->rr, fh)) {
		err("cannot get \"%s\" at %s: it changed on the server since "
		    "its hashes were read", target, g->p.url.hostport);
		return 1;
	}
	if (check_size(g, target) || (check && check_tail(g, target, check)))
		return 1;
	g->rr.total -= check;
	if (get_recv_data(g, target))
		return 1;
	if (have && g->a.verify && verify_out(g, target, fh))
		return 1;
	return get_finish_out(g);
}

static int get_file(struct get *g)
{
	char target[P2P_NAME_MAX + P2P_PATH_MAX + 2];
	struct p2p_file_hashes fh;
	bool have;
	int ret;

	peer_target(&g->p.url, target, sizeof(target));
	if (get_hashes(g, target, &fh, &have))
		return 1;
	ret = have && g->a.resume ? resume_from_hashes(g, &fh) : 0;
	g->checked = have && g->a.resume;
	if (!ret)
		ret = read_file(g, target, &fh, have);
	if (have)
		p2p_file_hashes_free(&fh);
	return ret;
}

static int get_main(int argc, char **argv)
{
	static const char *const names[] = { "URL" };
	struct get g = { .fd = -1 };
	int ret;

	if (peer_args_sources(&cmd_get, argc, argv, PEER_OPT_OUT |
			      PEER_OPT_RESUME | PEER_OPT_RECURSIVE |
			      PEER_OPT_VERIFY, names, &g.a))
		return 1;
	if (g.a.npos > 1 || g.a.npeers) {
		if (peer_url(g.a.pos[0], P2P_URL_NEED_PATH, &g.p.url) ||
		    out_path(&g))
			return 1;
		get_catch_signals();
		ret = get_swarm(&cmd_get, &g);
		free(g.buf);
		return ret;
	}
	if (g.a.recursive && g.a.verify)
		return usage_err(&cmd_get, "--verify checks one file, not -r");
	if (g.a.recursive)
		return get_tree(&cmd_get, &g);
	if (peer_url(g.a.pos[0], P2P_URL_NEED_PATH, &g.p.url) || out_path(&g))
		return 1;
	get_catch_signals();
	if (get_open_out(&g)) {
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
	.usage = "p2p://USER@HOST[:PORT]/EXPORT[/PATH]... [--peer HOST[:PORT]]... "
		 "[-o OUT] [-c | -r] [--verify] --key-file FILE "
		 "[--host-key KEY | --trust-discovered] [--cipher LIST]",
	.summary = "download a file, or a tree with -r, from a peer",
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
	"                   received, for the next -c.  OUT is first checked\n"
	"                   block by block against the server's content hashes\n"
	"                   (see p2pctl hash): the download goes on from the\n"
	"                   first 1 MiB block that differs, OUT being cut there\n"
	"                   (a warning says so).  With a server that has no\n"
	"                   hashes, only the last 64 KiB in OUT are fetched\n"
	"                   again and compared: if they differ, OUT is left as\n"
	"                   it is and get fails.\n"
	"  --verify         fetch the file's content hashes first, over the\n"
	"                   same connection, and check the downloaded file\n"
	"                   against them before it is renamed to OUT: on a\n"
	"                   mismatch the temporary file is removed and get\n"
	"                   fails (with -c, OUT is kept).  Not with -o - or -r\n"
	"  -r, --recursive  PATH is a directory (the export's root without\n"
	"                   PATH): fetch its whole tree, see below\n"
	"  --peer HOST[:PORT]  one more source: the first URL's user, export\n"
	"                   and path at HOST (repeatable); see below\n"
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
	"Several sources (several URLs of the same file, or --peer; at most\n"
	"64): the content hashes come from the first source that has them;\n"
	"a source that has the whole file must have the same root hash, else\n"
	"it is named and not used.  Every source then serves 1 MiB blocks in\n"
	"parallel (a faster one serves more), each checked against its hash\n"
	"before it is written; a source that serves a bad block is dropped\n"
	"and named, as is one that cannot be reached or refuses; one with no\n"
	"such file yet (its own get has not started) is named once and asked\n"
	"again with every block map.  OUT is\n"
	"written in place, marked partial with the extended attribute\n"
	"user.p2pshare.partial, so that this host's server (if OUT is in an\n"
	"export) serves the verified blocks to others meanwhile, and never\n"
	"the incomplete file; a source still downloading the file serves its\n"
	"blocks the same way.  A source with the whole file is asked first for\n"
	"the blocks the fewest downloading sources hold; once every block is\n"
	"taken, idle sources fetch second copies of blocks whose first copy\n"
	"is overdue, 1.5 times the mean block time (the first to arrive\n"
	"counts).  The mark goes when every block is there.  An\n"
	"interrupted get leaves OUT marked: the same command goes on from its\n"
	"blocks (read back and checked first).  An existing OUT without a mark\n"
	"is replaced, or with -c checked block by block and completed.  Without\n"
	"user xattrs on OUT's file system (tmpfs before Linux 6.6) a temporary\n"
	"file is used as for one source.  No new block from any source for\n"
	"60 s ends the get.  At the end one line on stderr says how many blocks\n"
	"each source gave.  Not with -r, -o - or --host-key (known_hosts pins\n"
	"each host).\n"
	"\n"
	PEER_COMMON_HELP
	"Examples:\n"
	"  p2pctl get p2p://alice@198.18.0.1/music/take5.flac --key-file alice.key\n"
	"  p2pctl get p2p://alice@peer/iso/big.iso -c -o /data/ --key-file alice.key\n"
	"  p2pctl get p2p://alice@peer/docs/notes.txt -o - --key-file alice.key | less\n"
	"  p2pctl get -r p2p://alice@peer/photos/2024 -o ~/Pictures --key-file alice.key\n"
	"  p2pctl get p2p://alice@seed/iso/big.iso --peer host-b --peer host-c \\\n"
	"      -o /srv/share/ --key-file alice.key\n"
	"\n"
	PEER_EXIT_HELP,
};
