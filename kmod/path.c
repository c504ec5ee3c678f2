// SPDX-License-Identifier: GPL-2.0
/*
 * Confinement: resolve peer-supplied paths beneath an export's root.
 */
#include <linux/file.h>
#include <linux/fs_struct.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "compat.h"
#include "path.h"
#include "wire.h"

#define P2P_LOOKUP_FLAGS (LOOKUP_BENEATH | LOOKUP_NO_SYMLINKS | \
			  LOOKUP_NO_MAGICLINKS | LOOKUP_NO_XDEV)

int p2p_path_resolve(const struct path *root, const char *p, size_t len,
		     struct path *out)
{
	char *buf;
	int ret;

	if (!len) {
		*out = *root;
		path_get(out);
		return 0;
	}
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	if (p2p_path_reserved(p, len))
		return -ENOENT;
	buf = kmemdup_nul(p, len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = vfs_path_lookup(root->dentry, root->mnt, buf, P2P_LOOKUP_FLAGS,
			      out);
	kfree(buf);
	return ret;
}

/* dentry_open() checks no permission: the caller does, as open(2) would. */
static struct file *open_checked(const struct path *path, int flags, int may)
{
	struct inode *inode = d_inode(path->dentry);
	int ret;

	ret = inode_permission(p2p_mnt_idmap(path->mnt), inode, may);
	if (ret)
		return ERR_PTR(ret);
	return dentry_open(path, flags, current_cred());
}

struct file *p2p_path_open_read(const struct path *root, const char *p,
				size_t len)
{
	struct file *file;
	struct path path;
	umode_t mode;
	int ret;

	ret = p2p_path_resolve(root, p, len, &path);
	if (ret)
		return ERR_PTR(ret);
	mode = d_inode(path.dentry)->i_mode;
	if (S_ISDIR(mode))
		file = ERR_PTR(-EISDIR);
	else if (S_ISLNK(mode))
		file = ERR_PTR(-ELOOP);
	else if (!S_ISREG(mode))
		file = ERR_PTR(-EINVAL);
	else
		file = open_checked(&path, O_RDONLY | O_LARGEFILE, MAY_READ);
	path_put(&path);
	return file;
}

struct file *p2p_path_open_dir(const struct path *root, const char *p,
			       size_t len)
{
	struct file *file;
	struct path path;
	int ret;

	ret = p2p_path_resolve(root, p, len, &path);
	if (ret)
		return ERR_PTR(ret);
	if (!d_is_dir(path.dentry))
		file = ERR_PTR(-ENOTDIR);
	else
		file = open_checked(&path, O_RDONLY | O_DIRECTORY | O_LARGEFILE,
				    MAY_READ);
	path_put(&path);
	return file;
}

/* Split "a/b/c" into the parent "a/b" and the last component "c". */
static int split_last(const char *p, size_t len, size_t *plen,
		      const char **name, size_t *nlen)
{
	size_t i = len;

	if (!len)
		return -EISDIR;		/* the export root itself */
	while (i && p[i - 1] != '/')
		i--;
	*plen = i ? i - 1 : 0;
	*name = p + i;
	*nlen = len - (*name - p);
	if (!*nlen || *nlen > NAME_MAX)
		return -EINVAL;
	if (p2p_name_reserved(*name, *nlen))
		return -EINVAL;
	return 0;
}

static struct dentry *lookup_locked(struct p2p_upload *up, const char *name)
{
	return lookup_one_len(name, up->parent.dentry, strlen(name));
}

/* A directory under the target's name is refused before any data. */
static int target_ok(struct p2p_upload *up)
{
	struct dentry *d;
	int ret = 0;

	d = lookup_one_len_unlocked(up->name, up->parent.dentry,
				    strlen(up->name));
	if (IS_ERR(d))
		return PTR_ERR(d);
	if (d_is_dir(d))
		ret = -EISDIR;
	dput(d);
	return ret;
}

/* No O_TMPFILE on this file system: a reserved name nobody can reach. */
static struct file *open_named(struct p2p_upload *up, umode_t mode)
{
	up->named = true;
	snprintf(up->tmpname, sizeof(up->tmpname), ".p2p-%016llx.part",
		 get_random_u64());
	/* One component of our making: file_open_root() cannot escape. */
	return file_open_root(&up->parent, up->tmpname,
			      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			      O_LARGEFILE, mode);
}

int p2p_upload_begin(struct p2p_upload *up, const struct path *root,
		     const char *p, size_t len, umode_t mode)
{
	const char *name;
	size_t plen, nlen;
	struct file *file;
	int ret;

	memset(up, 0, sizeof(*up));
	ret = split_last(p, len, &plen, &name, &nlen);
	if (ret)
		return ret;
	memcpy(up->name, name, nlen);
	ret = p2p_path_resolve(root, p, plen, &up->parent);
	if (ret)
		return ret;
	/* The parent is resolved as a last component: its symlink is not
	 * followed, but it is in the path all the same (PROTOCOL.md 5).
	 */
	ret = d_is_symlink(up->parent.dentry) ? -ELOOP : -ENOTDIR;
	if (!d_is_dir(up->parent.dentry))
		goto err_put;
	ret = target_ok(up);
	if (ret)
		goto err_put;
	/*
	 * An unnamed file: no peer can list, read or replace an upload in
	 * flight, and a crash leaves nothing behind.  Opened as open(2)
	 * would, with its permission checks on the directory.
	 */
	file = file_open_root(&up->parent, ".", O_TMPFILE | O_WRONLY |
			      O_LARGEFILE, mode & 0777);
	if (IS_ERR(file) && PTR_ERR(file) == -EOPNOTSUPP)
		file = open_named(up, mode & 0777);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_put;
	}
	up->file = file;
	return 0;

err_put:
	path_put(&up->parent);
	up->parent.dentry = NULL;
	return ret;
}

/*
 * The upload's name, looked up under the parent's lock: a dentry of the
 * very file written to, or -ENOENT if the name now leads elsewhere.
 */
static struct dentry *own_name(struct p2p_upload *up)
{
	struct dentry *d = lookup_locked(up, up->tmpname);

	if (!IS_ERR(d) && d_inode(d) != file_inode(up->file)) {
		dput(d);
		d = ERR_PTR(-ENOENT);
	}
	return d;
}

/*
 * Under the parent's lock: the unnamed file linked to a fresh name that
 * the caller renames before it unlocks, so no one ever sees the name.
 */
static struct dentry *link_tmpfile(struct p2p_upload *up)
{
	struct dentry *dir = up->parent.dentry, *d;
	int ret;

	snprintf(up->tmpname, sizeof(up->tmpname), ".p2p-%016llx.part",
		 get_random_u64());
	d = lookup_locked(up, up->tmpname);
	if (IS_ERR(d))
		return d;
	ret = -EEXIST;
	if (d_is_positive(d))
		goto err_put;
	ret = p2p_vfs_link(up->parent.mnt, up->file->f_path.dentry,
			   d_inode(dir), d);
	if (ret)
		goto err_put;
	if (d_is_negative(d)) {		/* a file system that dropped it */
		dput(d);
		d = own_name(up);
	}
	return d;

err_put:
	dput(d);
	return ERR_PTR(ret);
}

static int rename_into_place(struct p2p_upload *up)
{
	struct dentry *dir = up->parent.dentry, *from, *to;
	struct vfsmount *mnt = up->parent.mnt;
	int ret;

	ret = mnt_want_write(mnt);
	if (ret)
		return ret;
	inode_lock_nested(d_inode(dir), I_MUTEX_PARENT);
	to = lookup_locked(up, up->name);
	if (IS_ERR(to)) {
		ret = PTR_ERR(to);
		goto out_unlock;
	}
	ret = -EISDIR;
	if (d_is_dir(to))
		goto out_to;
	from = up->named ? own_name(up) : link_tmpfile(up);
	if (IS_ERR(from)) {
		ret = PTR_ERR(from);
		goto out_to;
	}
	ret = p2p_vfs_rename(mnt, d_inode(dir), from, to);
	if (ret && !up->named)
		p2p_vfs_unlink(mnt, d_inode(dir), from);
	dput(from);
out_to:
	dput(to);
out_unlock:
	inode_unlock(d_inode(dir));
	mnt_drop_write(mnt);
	return ret;
}

int p2p_upload_commit(struct p2p_upload *up)
{
	int ret;

	ret = vfs_fsync(up->file, 0);
	if (!ret)
		ret = rename_into_place(up);
	if (ret) {
		p2p_upload_abort(up);
		return ret;
	}
	__fput_sync(up->file);
	up->file = NULL;
	path_put(&up->parent);
	up->parent.dentry = NULL;
	return 0;
}

/* The named upload file, if it is still ours. */
static void remove_named(struct p2p_upload *up)
{
	struct dentry *dir = up->parent.dentry, *d;
	struct vfsmount *mnt = up->parent.mnt;

	if (mnt_want_write(mnt))
		return;
	inode_lock_nested(d_inode(dir), I_MUTEX_PARENT);
	d = own_name(up);
	if (!IS_ERR(d)) {
		p2p_vfs_unlink(mnt, d_inode(dir), d);
		dput(d);
	}
	inode_unlock(d_inode(dir));
	mnt_drop_write(mnt);
}

/*
 * Drop the partial file: an unnamed one goes with its last reference,
 * now (the space is free for the next upload); the target name was never
 * touched.
 */
void p2p_upload_abort(struct p2p_upload *up)
{
	if (!up->parent.dentry)
		return;
	if (up->named)
		remove_named(up);
	__fput_sync(up->file);
	up->file = NULL;
	path_put(&up->parent);
	up->parent.dentry = NULL;
}

/*
 * Peers read the export with their own mapped ids, but what is exported is
 * the caller's choice: it must be a directory the caller may read and
 * search.  An O_PATH descriptor proves neither (search permission on the
 * parent makes one of /root), so the descriptor must be open for reading,
 * and the rights are checked again with the caller's credentials, since a
 * descriptor can be handed over.
 */
static int export_dir_ok(struct file *f, const char **why)
{
	struct inode *inode = file_inode(f);

	if (!d_is_dir(f->f_path.dentry)) {
		*why = "not a directory";
		return -ENOTDIR;
	}
	if (!(f->f_mode & FMODE_READ)) {
		*why = "an O_PATH descriptor carries no right: open the directory for reading";
		return -EBADF;
	}
	if (inode_permission(p2p_mnt_idmap(f->f_path.mnt), inode, MAY_READ)) {
		*why = "no read permission on the directory";
		return -EACCES;
	}
	if (inode_permission(p2p_mnt_idmap(f->f_path.mnt), inode, MAY_EXEC)) {
		*why = "no search (x) permission on the directory";
		return -EACCES;
	}
	return 0;
}

struct file *p2p_path_export_dir(unsigned int fd, const char **why)
{
	struct file *f;
	int ret;

	/* fget_raw: an O_PATH descriptor gets its own message. */
	f = fget_raw(fd);
	if (!f) {
		*why = "bad file descriptor";
		return ERR_PTR(-EBADF);
	}
	ret = export_dir_ok(f, why);
	if (ret) {
		fput(f);
		return ERR_PTR(ret);
	}
	return f;
}

/*
 * d_path() names the directory from the requester's root even when it is
 * not below that root: an export made in another mount namespace, such as
 * the private one of `ip netns exec`, which died with its command, prints
 * as a path from its own top, "/" for a mount point.  Such a path names
 * some other directory here, so the reply says whether it is reachable.
 */
bool p2p_path_reachable(const struct path *path)
{
	struct path root;
	bool ret;

	if (!current->fs)
		return false;
	get_fs_root(current->fs, &root);
	ret = path_is_under(path, &root);
	path_put(&root);
	return ret;
}
