/* SPDX-License-Identifier: GPL-2.0 */
#ifndef P2P_PATH_H
#define P2P_PATH_H

#include <linux/fs.h>
#include <linux/path.h>

/*
 * Every lookup below starts at an export's root and runs with the
 * caller's (overridden) credentials: LOOKUP_BENEATH, no symlink of any
 * kind, no mount crossing.  Paths are wire paths that wire.c already
 * checked (no "..", no leading '/', no NUL); LEN 0 names the root.
 */
int p2p_path_resolve(const struct path *root, const char *p, size_t len,
		     struct path *out);
/* A regular file opened for reading, after a MAY_READ permission check. */
struct file *p2p_path_open_read(const struct path *root, const char *p,
				size_t len);
/* A directory opened for reading, likewise. */
struct file *p2p_path_open_dir(const struct path *root, const char *p,
			       size_t len);


/*
 * An upload: an unnamed file (O_TMPFILE) in the target's directory,
 * linked and renamed over the target at the commit, in one critical
 * section under the directory's lock.
 */
struct p2p_upload {
	struct path parent;
	struct file *file;
	bool named;		/* no O_TMPFILE here: written under tmpname */
	char name[NAME_MAX + 1];
	char tmpname[32];
};

int p2p_upload_begin(struct p2p_upload *up, const struct path *root,
		     const char *p, size_t len, umode_t mode);
int p2p_upload_commit(struct p2p_upload *up);
void p2p_upload_abort(struct p2p_upload *up);

/*
 * The directory of a new export, from the caller's descriptor FD: open
 * for reading (not O_PATH), and readable and searchable with the caller's
 * credentials.  ERR_PTR, with *WHY saying why, if not; fput() it after.
 */
struct file *p2p_path_export_dir(unsigned int fd, const char **why);

/* PATH is below the current task's root, so that d_path() names it here. */
bool p2p_path_reachable(const struct path *path);

#endif /* P2P_PATH_H */
