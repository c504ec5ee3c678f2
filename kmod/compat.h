/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels p2pshare supports (Debian 6.1 and 6.12).
 * The rest of the module is written for the newest kernel; everything that
 * differs is adapted here, probed by feature where a header tells.
 */
#ifndef P2P_COMPAT_H
#define P2P_COMPAT_H

#include <linux/netlink.h>
#include <linux/version.h>

/*
 * NL_SET_ERR_MSG_FMT arrived in 6.2 together with a buffer inside the
 * extack.  Before it, format into one of a ring of static buffers: the ack
 * that carries the text is sent right after the command returns, outside
 * genl_mutex, so a single buffer could be overwritten by a concurrent
 * command; with a ring that takes as many commands at once as it has slots.
 */
#ifndef NL_SET_ERR_MSG_FMT
#define P2P_COMPAT_FMTMSG_LEN 80
char *p2p_compat_fmtmsg(void);
#define NL_SET_ERR_MSG_FMT(extack, fmt, args...) do {			\
	struct netlink_ext_ack *__extack = (extack);			\
	char *__buf;							\
									\
	if (__extack) {							\
		__buf = p2p_compat_fmtmsg();				\
		snprintf(__buf, P2P_COMPAT_FMTMSG_LEN, fmt, ##args);	\
		__extack->_msg = __buf;					\
	}								\
} while (0)
#define P2P_COMPAT_NEED_FMTMSG 1
#endif

#ifndef NL_SET_ERR_MSG_ATTR_FMT
#define NL_SET_ERR_MSG_ATTR_FMT(extack, attr, fmt, args...) do {	\
	struct netlink_ext_ack *__extack_a = (extack);			\
									\
	NL_SET_ERR_MSG_FMT(__extack_a, fmt, ##args);			\
	if (__extack_a)							\
		__extack_a->bad_attr = (attr);				\
} while (0)
#endif

/*
 * 6.3 replaced the mount's user namespace by an idmap in the VFS calls.
 */
#include <linux/fs.h>
#include <linux/mount.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define p2p_mnt_idmap(mnt)	mnt_idmap(mnt)
#define P2P_RD_IDMAP(mnt)	.old_mnt_idmap = mnt_idmap(mnt), \
				.new_mnt_idmap = mnt_idmap(mnt)
#else
#define p2p_mnt_idmap(mnt)	mnt_user_ns(mnt)
#define P2P_RD_IDMAP(mnt)	.old_mnt_userns = mnt_user_ns(mnt), \
				.new_mnt_userns = mnt_user_ns(mnt)
#endif

/*
 * vfs_path_lookup() is exported on every supported kernel but only
 * declared in fs/internal.h before it moved to namei.h; an identical
 * declaration is harmless where the header has one.
 */
#include <linux/namei.h>
int vfs_path_lookup(struct dentry *dentry, struct vfsmount *mnt,
		    const char *name, unsigned int flags, struct path *path);

static inline int p2p_vfs_rename(struct vfsmount *mnt, struct inode *dir,
				 struct dentry *from, struct dentry *to)
{
	struct renamedata rd = {
		P2P_RD_IDMAP(mnt),
		.old_dir = dir,
		.old_dentry = from,
		.new_dir = dir,
		.new_dentry = to,
	};

	return vfs_rename(&rd);
}

static inline int p2p_vfs_unlink(struct vfsmount *mnt, struct inode *dir,
				 struct dentry *d)
{
	return vfs_unlink(p2p_mnt_idmap(mnt), dir, d, NULL);
}

static inline int p2p_vfs_link(struct vfsmount *mnt, struct dentry *from,
			       struct inode *dir, struct dentry *to)
{
	return vfs_link(from, p2p_mnt_idmap(mnt), dir, to, NULL);
}

/* vfs_getxattr() took the mount's user namespace before 6.3, too. */
#include <linux/xattr.h>
static inline ssize_t p2p_vfs_getxattr(const struct path *path,
				       const char *name, void *buf,
				       size_t size)
{
	return vfs_getxattr(p2p_mnt_idmap(path->mnt), path->dentry, name,
			    buf, size);
}

/*
 * Zero-copy send of page-cache pages, one pass through the socket layer
 * with one TCP push at the end.  Until 6.4 that is sendpage per page with
 * MSG_SENDPAGE_NOTLAST on all but the last; from 6.5 on, one
 * sendmsg(MSG_SPLICE_PAGES).  The probe is the sendpage flag, not
 * MSG_SPLICE_PAGES: Debian's 6.1 defines MSG_SPLICE_PAGES (backported for
 * UDP) while its TCP copies such pages.
 */
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/bvec.h>
#include <linux/uio.h>
#ifdef MSG_SENDPAGE_NOTLAST
static inline int p2p_send_pages(struct socket *sock, struct bio_vec *bv,
				 unsigned int n, size_t len, int flags)
{
	int sent = 0, ret, more;
	unsigned int i;

	for (i = 0; i < n; i++) {
		more = i + 1 < n ? MSG_MORE | MSG_SENDPAGE_NOTLAST : 0;
		ret = kernel_sendpage(sock, bv[i].bv_page, bv[i].bv_offset,
				      bv[i].bv_len, flags | more);
		if (ret <= 0)
			return sent ?: ret;
		sent += ret;
		if (ret < bv[i].bv_len)
			break;
	}
	return sent;
}
#else
static inline int p2p_send_pages(struct socket *sock, struct bio_vec *bv,
				 unsigned int n, size_t len, int flags)
{
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, n, len);
	return sock_sendmsg(sock, &msg);
}
#endif

/*
 * The attributes a dump request carried, parsed against the op's policy.
 * Split ops (6.2) moved them into a struct genl_info inside the dump info.
 */
#include <net/genetlink.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static inline struct nlattr **p2p_dump_attrs(struct netlink_callback *cb)
{
	return genl_info_dump(cb)->attrs;
}
#else
static inline struct nlattr **p2p_dump_attrs(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->attrs;
}
#endif

/*
 * The ops table netlink-gen.c holds (generated from docs/netlink.yaml) is
 * one split op per do and per dump, as families have them since 6.2.
 * Before, a family has one struct genl_ops per command: the do and the
 * dump of a command are merged into one (they have one policy here).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static inline void p2p_genl_set_ops(struct genl_family *family,
				    const struct genl_split_ops *ops,
				    unsigned int n)
{
	family->split_ops = ops;
	family->n_split_ops = n;
}
#else
struct genl_split_ops {
	int (*doit)(struct sk_buff *skb, struct genl_info *info);
	int (*dumpit)(struct sk_buff *skb, struct netlink_callback *cb);
	const struct nla_policy *policy;
	unsigned int maxattr;
	u8 cmd;
	u8 flags;
};

#define P2P_COMPAT_GENL_OPS 32

static inline void p2p_genl_set_ops(struct genl_family *family,
				    const struct genl_split_ops *ops,
				    unsigned int n)
{
	static struct genl_ops merged[P2P_COMPAT_GENL_OPS];
	unsigned int i, j, n_merged = 0;

	for (i = 0; i < n && n_merged < P2P_COMPAT_GENL_OPS; i++) {
		for (j = 0; j < n_merged && merged[j].cmd != ops[i].cmd; j++)
			;
		if (j == n_merged)
			n_merged++;
		merged[j].cmd = ops[i].cmd;
		merged[j].flags = ops[i].flags & GENL_ADMIN_PERM;
		if (ops[i].doit)
			merged[j].doit = ops[i].doit;
		if (ops[i].dumpit)
			merged[j].dumpit = ops[i].dumpit;
		if (ops[i].policy) {
			merged[j].policy = ops[i].policy;
			merged[j].maxattr = ops[i].maxattr;
		}
	}
	family->ops = merged;
	family->n_ops = n_merged;
}
#endif

#endif /* P2P_COMPAT_H */
