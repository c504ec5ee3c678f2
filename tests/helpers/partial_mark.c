// SPDX-License-Identifier: GPL-2.0
/*
 * partial_mark: set, damage or remove the mark of a partial file
 * (PROTOCOL.md 7.7, the xattr user.p2pshare.partial) for dp_partial.sh,
 * with no attr package in the guest.
 *
 *   partial_mark FILE set [size=N] [cut=N] [all|BLOCK...]
 *                        a mark for a file of N bytes (default: FILE's
 *                        size) with the bits of the blocks given set
 *                        (all: every block), cut to its first N bytes
 *                        if cut= is given
 *   partial_mark FILE raw TEXT
 *                        the bytes of TEXT as the value
 *   partial_mark FILE remove
 *
 * Exit status 0, or 1 with the reason on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "proto.h"

static void die(const char *what, int err)
{
	fprintf(stderr, "partial_mark: %s: %s\n", what, strerror(err));
	exit(1);
}

static unsigned long long number(const char *s)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		die(s, EINVAL);
	return n;
}

static int set(const char *file, int argc, char **argv)
{
	static const uint8_t root[P2P_HASH_LEN];
	static uint8_t val[P2P_PARTIAL_MAX];
	unsigned long long size, cut = 0, i, blocks;
	struct stat st;
	int len;

	if (stat(file, &st))
		die(file, errno);
	size = st.st_size;
	for (; argc && !strncmp(argv[0], "size=", 5); argc--, argv++)
		size = number(argv[0] + 5);
	for (; argc && !strncmp(argv[0], "cut=", 4); argc--, argv++)
		cut = number(argv[0] + 4);
	len = p2p_partial_encode(val, sizeof(val), size, root);
	if (len < 0)
		die("encode", -len);
	blocks = (size + P2P_HASH_BLOCK - 1) / P2P_HASH_BLOCK;
	for (; argc; argc--, argv++) {
		if (!strcmp(argv[0], "all")) {
			for (i = 0; i < blocks; i++)
				p2p_partial_set(val, i);
			continue;
		}
		i = number(argv[0]);
		if (i >= blocks)
			die(argv[0], ERANGE);
		p2p_partial_set(val, i);
	}
	if (cut && cut < (unsigned long long)len)
		len = cut;
	if (setxattr(file, P2P_PARTIAL_XATTR, val, len, 0))
		die(file, errno);
	return 0;
}

int main(int argc, char **argv)
{
	const char *file, *cmd;

	if (argc < 3)
		goto usage;
	file = argv[1];
	cmd = argv[2];
	if (!strcmp(cmd, "set"))
		return set(file, argc - 3, argv + 3);
	if (!strcmp(cmd, "raw") && argc == 4) {
		if (setxattr(file, P2P_PARTIAL_XATTR, argv[3], strlen(argv[3]), 0))
			die(file, errno);
		return 0;
	}
	if (!strcmp(cmd, "remove") && argc == 3) {
		if (removexattr(file, P2P_PARTIAL_XATTR))
			die(file, errno);
		return 0;
	}
usage:
	fprintf(stderr, "usage: partial_mark FILE set [size=N] [cut=N] [all|BLOCK...]\n"
		"       partial_mark FILE raw TEXT\n"
		"       partial_mark FILE remove\n");
	return 1;
}
