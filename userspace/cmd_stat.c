// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl stat: one file of a peer's export.
 */
#include <inttypes.h>

#include "fattr.h"
#include "peer.h"
#include "print.h"

static void print_attr(const struct p2p_fattr *a)
{
	char perms[11], when[48];

	mode_string(perms, a->type, a->mode);
	time_string(when, sizeof(when), a->mtime_sec, "%Y-%m-%d %H:%M:%S");
	print_str("type", "type:  %s\n", type_name(a->type));
	print_mode(a->mode);
	print_human("mode:  %04o (%s)\n", a->mode, perms);
	print_u64("size", "size:  %" PRIu64 "\n", a->size);
	print_u64("nlink", "links: %" PRIu64 "\n", a->nlink);
	print_human("mtime: %s.%09u (%lld)\n", when, a->mtime_nsec,
		    (long long)a->mtime_sec);
	print_u64("mtime", NULL, a->mtime_sec);
	print_u64("mtime_nsec", NULL, a->mtime_nsec);
}

static int stat_main(int argc, char **argv)
{
	static const char *const names[] = { "URL" };
	char target[P2P_NAME_MAX + P2P_PATH_MAX + 2];
	struct peer_args a;
	struct p2p_fattr at;
	struct peer p;
	int ret;

	if (peer_args(&cmd_stat, argc, argv, PEER_OPT_JSON, 1, names, &a) ||
	    peer_url(a.pos[0], P2P_URL_NEED_EXPORT, &p.url) || peer_open(&p, &a))
		return 1;
	peer_target(&p.url, target, sizeof(target));
	ret = p2p_stat(&p.sess, p.url.export, p.url.path, &at);
	if (peer_again(&p, &ret))
		ret = p2p_stat(&p.sess, p.url.export, p.url.path, &at);
	if (ret) {
		ret = peer_fail(&p, ret, "stat", target);
	} else {
		print_start(a.json);
		print_str("export", NULL, p.url.export);
		print_str("path", NULL, p.url.path);
		print_human("path:  %s\n", shown(target));
		print_attr(&at);
		print_end();
	}
	peer_close(&p);
	return ret;
}

const struct command cmd_stat = {
	.name = "stat",
	.main = stat_main,
	.usage = "p2p://USER@HOST[:PORT]/EXPORT[/PATH] [-j] --key-file FILE "
		 "[--host-key KEY] [--cipher LIST]",
	.summary = "show the attributes of a file on a peer",
	.help =
	"Show the attributes of PATH in EXPORT (the export's root without\n"
	"PATH): type (file, dir, symlink, other), permission bits, size in\n"
	"bytes, number of links and modification time.  A symbolic link is\n"
	"described, not followed (the server never follows links).\n"
	"\n"
	"Options:\n"
	"  -j, --json       JSON: {\"export\", \"path\", \"type\", \"mode\" (octal\n"
	"                   string), \"size\", \"nlink\", \"mtime\" (seconds since\n"
	"                   the epoch), \"mtime_nsec\"}\n"
	PEER_OPTIONS
	"\n"
	PEER_COMMON_HELP
	"Examples:\n"
	"  p2pctl stat p2p://alice@198.18.0.1/music/jazz/take5.flac --key-file alice.key\n"
	"  p2pctl stat -j p2p://alice@peer/docs/My%20Notes.txt --key-file alice.key\n"
	"\n"
	PEER_EXIT_HELP,
};
