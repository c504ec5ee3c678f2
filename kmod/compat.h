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

#endif /* P2P_COMPAT_H */
