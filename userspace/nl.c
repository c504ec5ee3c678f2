// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing for p2pctl (libnl-genl-3).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "nl.h"
#include "p2pctl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Whether modules.dep of the running kernel lists p2pshare.ko. */
static bool module_installed(const char *release)
{
	char path[512], line[1024];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", release);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		char *base;

		if (!colon)
			continue;
		*colon = '\0';
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		found = !strncmp(base, "p2pshare.ko", 11) &&
			(!base[11] || base[11] == '.');
	}
	fclose(f);
	return found;
}

const char *p2p_nl_module_hint(void)
{
	static char hint[256];
	struct utsname u;

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	if (module_installed(u.release))
		return "load it as root: modprobe p2pshare";
	if (!access("kmod/p2pshare.ko", R_OK))
		return "load it as root: insmod kmod/p2pshare.ko";
	if (!access("kmod/Kbuild", R_OK))
		return "build it with make, then as root: insmod kmod/p2pshare.ko";
	snprintf(hint, sizeof(hint), "it is not installed for kernel %s: "
		 "install p2pshare-dkms, or build it (make) and insmod "
		 "kmod/p2pshare.ko", u.release);
	return hint;
}

int p2p_nl_open(struct p2p_nl *nl)
{
	int ret = p2p_nl_connect(nl);

	if (ret == -ENOENT)
		err("the p2pshare module is not loaded (%s)",
		    p2p_nl_module_hint());
	return ret;
}

int p2p_nl_connect(struct p2p_nl *nl)
{
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		err("out of memory");
		return -ENOMEM;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		err("cannot open a generic netlink socket: %s", nl_geterror(ret));
		goto err_free;
	}
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, P2P_GENL_NAME);
	if (nl->family < 0) {
		ret = -ENOENT;
		goto err_free;
	}
	return 0;

err_free:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return ret;
}

void p2p_nl_close(struct p2p_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *p2p_nl_msg(struct p2p_nl *nl, int cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 flags, cmd, P2P_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Pick the extack message out of an error; NETLINK_CAP_ACK trims the request. */
static void extack_msg(struct p2p_nl *nl, struct nlmsghdr *nlh,
		       struct nlmsgerr *e)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct nlattr *attrs;
	int len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	attrs = (struct nlattr *)((char *)e + sizeof(*e));
	len = (char *)nlh + nlh->nlmsg_len - (char *)attrs;
	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->msg, sizeof(nl->msg), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct p2p_nl *nl = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;

	nl->error = e->error;
	extack_msg(nl, nlh, e);
	return NL_STOP;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct p2p_nl *nl = arg;

	nl->error = 0;
	return NL_STOP;
}

static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct p2p_nl *nl = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	/* A dump's DONE carries its error code. */
	nl->error = 0;
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
		int e = *(int *)nlmsg_data(nlh);

		if (e < 0)
			nl->error = e;
	}
	return NL_STOP;
}

int p2p_nl_run(struct p2p_nl *nl, struct nl_msg *msg, p2p_nl_cb cb, void *arg)
{
	struct nl_cb *cbs;
	int ret;

	nl->error = 1;
	nl->msg[0] = '\0';
	cbs = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cbs) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cbs, NL_CB_CUSTOM, error_cb, nl);
	nl_cb_set(cbs, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, nl);
	nl_cb_set(cbs, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, nl);
	if (cb)
		nl_cb_set(cbs, NL_CB_VALID, NL_CB_CUSTOM, cb, arg);

	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cbs);
		return -EIO;
	}
	nl->error = 1;
	while (nl->error > 0) {
		ret = nl_recvmsgs(nl->sk, cbs);
		if (ret < 0 && nl->error > 0) {
			nl->error = ret == -NLE_DUMP_INTR ? -EINTR : -EIO;
			break;
		}
	}
	nl_cb_put(cbs);
	return nl->error;
}

int p2p_nl_report(struct p2p_nl *nl, int error, const char *what)
{
	if (nl->msg[0])
		err("%s", nl->msg);
	else if (error == -EPERM)
		err("%s: permission denied (p2pctl needs CAP_NET_ADMIN: run it as root)",
		    what);
	else if (error == -EOPNOTSUPP)
		err("%s: not supported by this version of the p2pshare module",
		    what);
	else
		err("%s: %s", what, strerror(-error));
	return 1;
}

int p2p_nl_parse(struct nl_msg *msg, struct nlattr **tb)
{
	return genlmsg_parse(nlmsg_hdr(msg), 0, tb, P2P_A_MAX, NULL);
}
