// SPDX-License-Identifier: GPL-2.0
/*
 * A remote file's attributes as ls and stat print them (fattr.h).
 */
#include <stdio.h>
#include <time.h>

#include "fattr.h"
#include "p2pshare_proto.h"
#include "print.h"

static const char *const type_names[] = {
	[P2P_FTYPE_UNSPEC] = "other",
	[P2P_FTYPE_REG] = "file",
	[P2P_FTYPE_DIR] = "dir",
	[P2P_FTYPE_SYMLINK] = "symlink",
	[P2P_FTYPE_OTHER] = "other",
};

const char *type_name(uint8_t t)
{
	return t <= P2P_FTYPE_MAX ? type_names[t] : "other";
}

/* "drwxr-xr-x", with s/S/t/T as ls writes them. */
void mode_string(char out[11], uint8_t type, uint16_t mode)
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	out[0] = type == P2P_FTYPE_DIR ? 'd' : type == P2P_FTYPE_SYMLINK ?
		 'l' : type == P2P_FTYPE_REG ? '-' : '?';
	for (i = 0; i < 9; i++)
		out[i + 1] = mode & (0400 >> i) ? rwx[i] : '-';
	if (mode & 04000)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (mode & 02000)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (mode & 01000)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = '\0';
}

void time_string(char *buf, size_t len, int64_t sec, const char *fmt)
{
	time_t t = sec;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, fmt, &tm))
		snprintf(buf, len, "@%lld", (long long)sec);
}

void print_mode(uint16_t mode)
{
	char m[8];

	snprintf(m, sizeof(m), "%04o", mode);
	print_str("mode", NULL, m);
}
