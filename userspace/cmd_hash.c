// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl hash: the content hashes of a file on a peer (PROTOCOL.md 7.6).
 */
#include <inttypes.h>

#include "hashes.h"
#include "peer.h"
#include "print.h"

static void hex(char *out, const uint8_t *h)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < P2P_HASH_LEN; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 15];
	}
	out[2 * P2P_HASH_LEN] = '\0';
}

static void print_hashes(const struct p2p_file_hashes *fh)
{
	char s[2 * P2P_HASH_LEN + 1];
	uint32_t i;

	hex(s, fh->root);
	print_str("root", "root:   %s\n", s);
	print_u64("size", "size:   %" PRIu64 "\n", fh->size);
	print_u64("block_size", "blocks: %" PRIu64, fh->block_size);
	print_u64("blocks", " x %" PRIu64 "\n", fh->blocks);
	if (!print_is_json())
		return;
	print_arr_open("hashes");
	for (i = 0; i < fh->blocks; i++) {
		hex(s, fh->h[i]);
		print_str(NULL, NULL, s);
	}
	print_arr_close();
}

static int hash_main(int argc, char **argv)
{
	static const char *const names[] = { "URL" };
	char target[P2P_NAME_MAX + P2P_PATH_MAX + 2];
	struct p2p_file_hashes fh;
	struct peer_args a;
	struct peer p;
	int ret;

	if (peer_args(&cmd_hash, argc, argv, PEER_OPT_JSON, 1, names, &a) ||
	    peer_url(a.pos[0], P2P_URL_NEED_EXPORT, &p.url) || peer_open(&p, &a))
		return 1;
	peer_target(&p.url, target, sizeof(target));
	ret = peer_hash_fetch(&p, &fh);
	if (ret) {
		ret = peer_fail(&p, ret, "hash", target);
	} else {
		print_start(a.json);
		print_str("export", NULL, p.url.export);
		print_str("path", NULL, p.url.path);
		print_hashes(&fh);
		print_end();
		p2p_file_hashes_free(&fh);
	}
	peer_close(&p);
	return ret;
}

const struct command cmd_hash = {
	.name = "hash",
	.main = hash_main,
	.usage = "p2p://USER@HOST[:PORT]/EXPORT/PATH [-j] --key-file FILE "
		 "[--host-key KEY] [--cipher LIST]",
	.summary = "show the content hashes of a file on a peer",
	.help =
	"Show the root hash of the file PATH in EXPORT, its size and its\n"
	"blocks: the server hashes every 1 MiB block with SHA-256 and the\n"
	"block hashes into the root (PROTOCOL.md 7.6).  Every reply is\n"
	"checked: the block hashes must give the root.  A file open for\n"
	"writing on the server is refused (ETXTBSY) rather than hashed.\n"
	"\n"
	"Options:\n"
	"  -j, --json       JSON: {\"export\", \"path\", \"root\", \"size\",\n"
	"                   \"block_size\", \"blocks\", \"hashes\" (every block's,\n"
	"                   hex, in order)}\n"
	PEER_OPTIONS
	"\n"
	PEER_COMMON_HELP
	"Examples:\n"
	"  p2pctl hash p2p://alice@198.18.0.1/music/jazz/take5.flac --key-file alice.key\n"
	"  p2pctl hash -j p2p://alice@peer/iso/debian.iso --key-file alice.key\n"
	"\n"
	PEER_EXIT_HELP,
};
