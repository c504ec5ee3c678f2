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
 * extack.  Before it, format into a static buffer: the family is not
 * parallel_ops, so every command and its ack run under genl_mutex and
 * one buffer is enough.
 */
#ifndef NL_SET_ERR_MSG_FMT
#define P2P_COMPAT_FMTMSG_LEN 80
extern char p2p_compat_fmtmsg[P2P_COMPAT_FMTMSG_LEN];
#define NL_SET_ERR_MSG_FMT(extack, fmt, args...) do {			\
	struct netlink_ext_ack *__extack = (extack);			\
									\
	if (__extack) {							\
		snprintf(p2p_compat_fmtmsg, sizeof(p2p_compat_fmtmsg),	\
			 fmt, ##args);					\
		__extack->_msg = p2p_compat_fmtmsg;			\
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

#endif /* P2P_COMPAT_H */
