// SPDX-License-Identifier: GPL-2.0
/*
 * Confinement and credentials. Paths resolve beneath the export's root
 * with the flags the module uses (LOOKUP_BENEATH, NO_SYMLINKS, NO_XDEV,
 * NO_MAGICLINKS): openat2(2) gives userspace the same lookup. Each
 * connection's thread switches its own file-system identity (fsuid, fsgid,
 * no supplementary groups) and drops every capability, as the module's
 * per-connection cred does; the raw syscalls act on the calling thread
 * only, where glibc's setgroups() would change every thread.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "p2pd.h"

#define RESOLVE_FLAGS (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | \
		       RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS)

/*
 * An O_PATH descriptor of PATH (len bytes, checked by the wire decoder)
 * beneath root; the empty path is the root. A trailing symlink is returned
 * as itself, as the module's lookup without LOOKUP_FOLLOW does.
 */
int pd_resolve(int root, const char *path, size_t len)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_FLAGS,
	};
	char buf[P2P_PATH_MAX + 1];
	int fd, tries = 0;

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	if (p2p_path_reserved(path, len))
		return -ENOENT;		/* an upload's name: never reachable */
	if (len)
		memcpy(buf, path, len);
	else
		buf[len++] = '.';
	buf[len] = '\0';
	do	/* EAGAIN: a rename raced with the lookup */
		fd = syscall(SYS_openat2, root, buf, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 8);
	return fd < 0 ? -errno : fd;
}

/*
 * Open what an O_PATH descriptor names, with the permission checks of
 * open(2) for the thread's identity: the file is the one resolved, so no
 * second lookup can be raced onto another file.
 */
int pd_reopen(int pathfd, int flags)
{
	char proc[40];
	int fd;

	snprintf(proc, sizeof(proc), "/proc/thread-self/fd/%d", pathfd);
	fd = open(proc, flags | O_CLOEXEC | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

static int drop_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

	return syscall(SYS_capset, &hdr, data);
}

int pd_become(uid_t uid, gid_t gid)
{
	if (syscall(SYS_setgroups, 0, NULL))
		return -errno;
	syscall(SYS_setfsgid, gid);
	syscall(SYS_setfsuid, uid);
	/* Both calls return the previous id and never fail: check. */
	if ((gid_t)syscall(SYS_setfsgid, -1) != gid ||
	    (uid_t)syscall(SYS_setfsuid, -1) != uid)
		return -EPERM;
	return drop_caps() ? -errno : 0;
}
