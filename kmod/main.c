// SPDX-License-Identifier: GPL-2.0
/*
 * p2pshare: share directories with peers, served from the kernel.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/genetlink.h>

#include "compat.h"
#include "debugfs.h"
#include "hash.h"
#include "netlink.h"
#include "noise.h"
#include "selftest.h"
#include "server.h"
#include "state.h"
#include "version.h"

#ifdef P2P_COMPAT_NEED_FMTMSG
#define FMTMSG_SLOTS 32
static char fmtmsg[FMTMSG_SLOTS][P2P_COMPAT_FMTMSG_LEN];
static atomic_t fmtmsg_next = ATOMIC_INIT(0);

char *p2p_compat_fmtmsg(void)
{
	return fmtmsg[(unsigned int)atomic_inc_return(&fmtmsg_next) % FMTMSG_SLOTS];
}
#endif

static int __init p2p_init(void)
{
	int ret;

	ret = p2p_selftest();
	if (ret)
		return ret;

	ret = p2p_state_init();
	if (ret)
		return ret;

	/* After the state: a namespace's server stops before its objects go. */
	ret = p2p_server_init();
	if (ret)
		goto err_state;

	ret = p2p_genl_init();
	if (ret)
		goto err_server;

	p2p_debugfs_init();
	pr_info("version %s loaded\n", P2P_MODULE_VERSION);
	return 0;

err_server:
	p2p_server_uninit();
err_state:
	p2p_state_uninit();
	return ret;
}

static void __exit p2p_exit(void)
{
	p2p_debugfs_uninit();	/* its files read what the rest frees */
	p2p_genl_uninit();
	p2p_server_uninit();	/* ends every connection, so every handshake */
	p2p_hash_uninit();	/* no request holds an entry any more */
	p2p_state_uninit();
	p2p_noise_uninit();
	pr_info("unloaded\n");
}

module_init(p2p_init);
module_exit(p2p_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("p2pshare: peer-to-peer directory sharing served from the kernel");
MODULE_AUTHOR("p2pshare developers");
MODULE_VERSION(P2P_MODULE_VERSION);
MODULE_ALIAS_GENL_FAMILY("p2pshare");
