// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed requests to the p2pshare genetlink family, crafted with libmnl:
 * each is refused with the exact errno and, where the module speaks, its
 * extack message, and none changes the state.  Run as root in a guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#pragma GCC diagnostic ignored "-Wclobbered"	/* inside the harness */
#include "kselftest_harness.h"
#include "p2pshare.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct reply {
	int error;		/* 0 or a negative errno */
	char msg[256];		/* extack message, "" if none */
	int count;		/* family messages received (dumps) */
};

struct req {
	char buf[8192];
	struct nlmsghdr *nlh;
};

static int family_id;

static struct nlmsghdr *req_start(struct req *r, int type, int cmd, int flags)
{
	struct genlmsghdr *g;

	memset(r->buf, 0, sizeof(r->buf));
	r->nlh = mnl_nlmsg_put_header(r->buf);
	r->nlh->nlmsg_type = type;
	r->nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->nlh->nlmsg_seq = 1;
	g = mnl_nlmsg_put_extra_header(r->nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = P2P_GENL_VERSION;
	return r->nlh;
}

static int extack_cb(const struct nlattr *a, void *data)
{
	struct reply *rep = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
		snprintf(rep->msg, sizeof(rep->msg), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* Error or done: the code, then (ACK_TLVS) the extack attributes. */
static int finish(const struct nlmsghdr *nlh, size_t off, struct reply *rep)
{
	const char *p = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse_payload(p + off, mnl_nlmsg_get_payload_len(nlh) - off,
				       extack_cb, rep);
	return 1;
}

static int one_msg(const struct nlmsghdr *nlh, struct reply *rep)
{
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		rep->error = ((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error;
		return finish(nlh, sizeof(struct nlmsgerr), rep);
	}
	if (nlh->nlmsg_type == NLMSG_DONE) {
		rep->error = *(int *)mnl_nlmsg_get_payload(nlh);
		return finish(nlh, sizeof(int), rep);
	}
	rep->count++;
	return 0;
}

static struct mnl_socket *sock_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	int one = 1;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return NULL;
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return nl;
}

/* Send R, collect the reply; -EIO if the socket fails. */
static int run(struct mnl_socket *nl, struct req *r, struct reply *rep)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	struct nlmsghdr *nlh;
	int len;

	memset(rep, 0, sizeof(*rep));
	if (mnl_socket_sendto(nl, r->nlh, r->nlh->nlmsg_len) < 0)
		return rep->error = -EIO;
	for (;;) {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len <= 0)
			return rep->error = -EIO;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len))
			if (one_msg(nlh, rep))
				return rep->error;
	}
}

static int family_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		*(int *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int resolve(struct mnl_socket *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct req r;
	int id = -1, len;

	req_start(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	r.nlh->nlmsg_flags &= ~NLM_F_ACK;
	mnl_attr_put_strz(r.nlh, CTRL_ATTR_FAMILY_NAME, P2P_GENL_NAME);
	if (mnl_socket_sendto(nl, r.nlh, r.nlh->nlmsg_len) < 0)
		return -1;
	len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (len > 0 && ((struct nlmsghdr *)buf)->nlmsg_type == GENL_ID_CTRL)
		mnl_attr_parse((struct nlmsghdr *)buf, GENL_HDRLEN, family_cb, &id);
	return id;
}

/* Users + exports + grants, by dumping each. */
static int objects(struct mnl_socket *nl)
{
	static const int cmds[] = { P2P_CMD_USER_GET, P2P_CMD_EXPORT_GET, P2P_CMD_GRANT_GET };
	struct reply rep;
	struct req r;
	int i, n = 0;

	for (i = 0; i < 3; i++) {
		req_start(&r, family_id, cmds[i], NLM_F_DUMP);
		if (run(nl, &r, &rep))
			return -1;
		n += rep.count;
	}
	return n;
}

FIXTURE(nl) {
	struct mnl_socket *sock;
	struct req r;
	struct reply rep;
	int objects;
	char name[200];
};

FIXTURE_SETUP(nl)
{
	self->sock = sock_open();
	ASSERT_NE(NULL, self->sock);
	family_id = resolve(self->sock);
	ASSERT_LT(0, family_id) TH_LOG("family %s not registered", P2P_GENL_NAME);
	self->objects = objects(self->sock);
	ASSERT_LE(0, self->objects);
}

FIXTURE_TEARDOWN(nl)
{
	/* A refused request leaves nothing behind. */
	EXPECT_EQ(self->objects, objects(self->sock));
	mnl_socket_close(self->sock);
}

static const unsigned char key[P2P_KEY_LEN] = { 9 };

#define START(cmd) req_start(&self->r, family_id, cmd, 0)
#define NLH (self->r.nlh)
#define REFUSED(err, text) do {						\
	ASSERT_EQ(-(err), run(self->sock, &self->r, &self->rep));	\
	ASSERT_NE(NULL, strstr(self->rep.msg, text))			\
		TH_LOG("extack \"%s\", want \"%s\"", self->rep.msg, text); \
} while (0)

TEST_F(nl, unknown_command)
{
	START(99);
	REFUSED(EOPNOTSUPP, "");
	START(P2P_CMD_CONN_GET);	/* a dump only: no do */
	REFUSED(EOPNOTSUPP, "");
	START(P2P_CMD_UNSPEC);
	REFUSED(EOPNOTSUPP, "");
}

TEST_F(nl, missing_attributes)
{
	START(P2P_CMD_USER_NEW);
	mnl_attr_put(NLH, P2P_A_USER_PUBKEY, P2P_KEY_LEN, key);
	REFUSED(EINVAL, "missing user name");
	START(P2P_CMD_USER_NEW);
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "mal");
	REFUSED(EINVAL, "missing public key");
	START(P2P_CMD_EXPORT_NEW);
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "mal");
	REFUSED(EINVAL, "missing directory file descriptor");
	START(P2P_CMD_EXPORT_DEL);
	REFUSED(EINVAL, "missing export name");
	START(P2P_CMD_GRANT_SET);
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "mal");
	REFUSED(EINVAL, "missing user name");
	START(P2P_CMD_HOSTKEY_SET);
	REFUSED(EINVAL, "missing private key");
	START(P2P_CMD_USER_GET);
	REFUSED(EINVAL, "missing user name");
}

TEST_F(nl, wrong_types_and_lengths)
{
	START(P2P_CMD_USER_NEW);	/* a string without its NUL */
	mnl_attr_put(NLH, P2P_A_USER_NAME, 3, "mal");
	mnl_attr_put(NLH, P2P_A_USER_PUBKEY, P2P_KEY_LEN, key);
	REFUSED(EINVAL, "");
	START(P2P_CMD_USER_NEW);	/* a 31-byte key */
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "mal");
	mnl_attr_put(NLH, P2P_A_USER_PUBKEY, P2P_KEY_LEN - 1, key);
	REFUSED(ERANGE, "");
	START(P2P_CMD_USER_NEW);	/* a u16 where a u32 belongs */
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "mal");
	mnl_attr_put(NLH, P2P_A_USER_PUBKEY, P2P_KEY_LEN, key);
	mnl_attr_put_u16(NLH, P2P_A_USER_UID, 7);
	REFUSED(EINVAL, "");
	START(P2P_CMD_HOSTKEY_SET);
	mnl_attr_put(NLH, P2P_A_HOSTKEY_PRIV, 33, "0123456789abcdef0123456789abcdef!");
	REFUSED(ERANGE, "");
	START(P2P_CMD_GRANT_SET);	/* mode out of range */
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "mal");
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "mal");
	mnl_attr_put_u8(NLH, P2P_A_GRANT_MODE, 3);
	REFUSED(ERANGE, "");
	START(P2P_CMD_LISTEN_SET);	/* port 0 */
	mnl_attr_put_u16(NLH, P2P_A_LISTEN_PORT, 0);
	REFUSED(ERANGE, "");
	START(P2P_CMD_EXPORT_NEW);	/* unknown flag */
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "mal");
	mnl_attr_put_u32(NLH, P2P_A_EXPORT_FD, 0);
	mnl_attr_put_u32(NLH, P2P_A_EXPORT_FLAGS, 1);
	REFUSED(EINVAL, "");
}

TEST_F(nl, bad_values)
{
	unsigned char zero[P2P_KEY_LEN] = { 0 };
	char s[] = "ab\0cd";

	START(P2P_CMD_USER_NEW);
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "mal");
	mnl_attr_put(NLH, P2P_A_USER_PUBKEY, P2P_KEY_LEN, zero);
	REFUSED(EINVAL, "public key is all zeros");
	START(P2P_CMD_HOSTKEY_SET);
	mnl_attr_put(NLH, P2P_A_HOSTKEY_PRIV, P2P_KEY_LEN, zero);
	REFUSED(EINVAL, "private key is all zeros");
	START(P2P_CMD_USER_NEW);
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "mal");
	mnl_attr_put(NLH, P2P_A_USER_PUBKEY, P2P_KEY_LEN, key);
	mnl_attr_put_u32(NLH, P2P_A_USER_UID, 0xffffffff);
	REFUSED(EINVAL, "uid is not valid");
	START(P2P_CMD_LISTEN_SET);
	mnl_attr_put_u32(NLH, P2P_A_LISTEN_ADDR4, 0);
	mnl_attr_put(NLH, P2P_A_LISTEN_ADDR6, 16, zero);
	REFUSED(EINVAL, "not both");
	START(P2P_CMD_USER_DEL);
	mnl_attr_put(NLH, P2P_A_USER_NAME, sizeof(s), s);
	REFUSED(EINVAL, "user name is empty or holds a NUL byte");
	START(P2P_CMD_USER_DEL);
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "");
	REFUSED(EINVAL, "user name is empty");
	START(P2P_CMD_USER_DEL);
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "a/b");
	REFUSED(EINVAL, "invalid user name \"a/b\"");
	/* Latin-1 letters: isalnum() in the kernel, refused by the protocol. */
	START(P2P_CMD_USER_NEW);
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "caf\xe9");
	mnl_attr_put(NLH, P2P_A_USER_PUBKEY, P2P_KEY_LEN, key);
	REFUSED(EINVAL, "invalid user name \"caf");
	START(P2P_CMD_EXPORT_DEL);
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "\xc0");
	REFUSED(EINVAL, "invalid export name");
	START(P2P_CMD_EXPORT_DEL);
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "..");
	REFUSED(EINVAL, "invalid export name \"..\"");
	START(P2P_CMD_USER_DEL);
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "nobody-here");
	REFUSED(ENOENT, "user \"nobody-here\" unknown");
}

TEST_F(nl, oversize_names)
{
	memset(self->name, 'x', P2P_NAME_MAX + 1);
	self->name[P2P_NAME_MAX + 1] = '\0';
	START(P2P_CMD_USER_DEL);
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, self->name);
	REFUSED(EINVAL, "");
	START(P2P_CMD_EXPORT_GET);
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, self->name);
	REFUSED(EINVAL, "");
	self->name[P2P_NAME_MAX] = '\0';	/* 64 is allowed: just unknown */
	START(P2P_CMD_EXPORT_GET);
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, self->name);
	REFUSED(ENOENT, "unknown");
}

TEST_F(nl, unknown_attributes)
{
	START(P2P_CMD_USER_DEL);	/* beyond the family's maxattr */
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "mal");
	mnl_attr_put_u32(NLH, P2P_A_MAX + 1, 1);
	REFUSED(EINVAL, "");
	START(P2P_CMD_USER_DEL);	/* a family attribute this op has no use for */
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "mal");
	mnl_attr_put_strz(NLH, P2P_A_VERSION, "1");
	REFUSED(EINVAL, "");
	START(P2P_CMD_USER_DEL);	/* truncated: the length runs past the message */
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "mal");
	((struct nlattr *)((char *)NLH + NLMSG_HDRLEN + GENL_HDRLEN))->nla_len = 200;
	REFUSED(EINVAL, "");
}

static void put_grant(struct nlmsghdr *nlh, const char *user, int mode, bool nested)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, P2P_A_GRANT);

	if (!nested)
		nest->nla_type &= ~NLA_F_NESTED;
	if (user)
		mnl_attr_put_strz(nlh, P2P_GRANT_A_USER, user);
	if (mode >= 0)
		mnl_attr_put_u8(nlh, P2P_GRANT_A_MODE, mode);
	mnl_attr_nest_end(nlh, nest);
}

TEST_F(nl, bad_nesting)
{
	int fd = open("/", O_RDONLY | O_DIRECTORY);

	ASSERT_LE(0, fd);
	START(P2P_CMD_EXPORT_NEW);	/* a nest without NLA_F_NESTED */
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "mal");
	mnl_attr_put_u32(NLH, P2P_A_EXPORT_FD, fd);
	put_grant(NLH, "mal", P2P_GRANT_RO, false);
	REFUSED(EINVAL, "");
	START(P2P_CMD_EXPORT_NEW);	/* a grant without its user */
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "mal");
	mnl_attr_put_u32(NLH, P2P_A_EXPORT_FD, fd);
	put_grant(NLH, NULL, P2P_GRANT_RO, true);
	REFUSED(EINVAL, "missing user name in grant");
	START(P2P_CMD_EXPORT_NEW);	/* a bad mode inside */
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "mal");
	mnl_attr_put_u32(NLH, P2P_A_EXPORT_FD, fd);
	put_grant(NLH, "mal", 7, true);
	REFUSED(ERANGE, "");
	START(P2P_CMD_EXPORT_NEW);	/* a user that does not exist */
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "mal");
	mnl_attr_put_u32(NLH, P2P_A_EXPORT_FD, fd);
	put_grant(NLH, "ghost", P2P_GRANT_RW, true);
	REFUSED(ENOENT, "user \"ghost\" unknown");
	START(P2P_CMD_EXPORT_NEW);	/* an unknown attribute inside */
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "mal");
	mnl_attr_put_u32(NLH, P2P_A_EXPORT_FD, fd);
	{
		struct nlattr *nest = mnl_attr_nest_start(NLH, P2P_A_GRANT);

		mnl_attr_put_u32(NLH, P2P_GRANT_A_MAX + 1, 1);
		mnl_attr_nest_end(NLH, nest);
	}
	REFUSED(EINVAL, "");
	close(fd);
}

TEST_F(nl, bad_fds)
{
	int file = open("/proc/self/status", O_RDONLY);
	int closed = open("/", O_PATH | O_DIRECTORY);

	ASSERT_LE(0, file);
	ASSERT_LE(0, closed);
	close(closed);
	START(P2P_CMD_EXPORT_NEW);
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "mal");
	mnl_attr_put_u32(NLH, P2P_A_EXPORT_FD, (uint32_t)-1);
	REFUSED(EBADF, "bad file descriptor");
	START(P2P_CMD_EXPORT_NEW);
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "mal");
	mnl_attr_put_u32(NLH, P2P_A_EXPORT_FD, closed);
	REFUSED(EBADF, "bad file descriptor");
	START(P2P_CMD_EXPORT_NEW);
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "mal");
	mnl_attr_put_u32(NLH, P2P_A_EXPORT_FD, file);
	REFUSED(ENOTDIR, "not a directory");
	close(file);
	/* O_PATH needs only search permission on the parent: no export. */
	file = open("/", O_PATH | O_DIRECTORY);
	ASSERT_LE(0, file);
	START(P2P_CMD_EXPORT_NEW);
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "mal");
	mnl_attr_put_u32(NLH, P2P_A_EXPORT_FD, file);
	REFUSED(EBADF, "an O_PATH descriptor carries no right: open the directory for reading");
	close(file);
}

TEST_F(nl, dump_filters)
{
	self->r.nlh = req_start(&self->r, family_id, P2P_CMD_GRANT_GET, NLM_F_DUMP);
	mnl_attr_put_strz(NLH, P2P_A_EXPORT_NAME, "nope");
	REFUSED(ENOENT, "export \"nope\" unknown");
	self->r.nlh = req_start(&self->r, family_id, P2P_CMD_USER_GET, NLM_F_DUMP);
	mnl_attr_put_u32(NLH, P2P_A_USER_UID, 1);	/* not in this op's policy */
	REFUSED(EINVAL, "");
}

TEST_F(nl, conn_dump)
{
	self->r.nlh = req_start(&self->r, family_id, P2P_CMD_CONN_GET, NLM_F_DUMP);
	ASSERT_EQ(0, run(self->sock, &self->r, &self->rep));
	self->r.nlh = req_start(&self->r, family_id, P2P_CMD_CONN_GET, NLM_F_DUMP);
	mnl_attr_put_strz(NLH, P2P_A_USER_NAME, "mal");	/* takes no attribute */
	REFUSED(EINVAL, "attribute");
	self->r.nlh = req_start(&self->r, family_id, P2P_CMD_CONN_GET, NLM_F_DUMP);
	mnl_attr_put_u64(NLH, P2P_A_MAX + 1, 1);	/* beyond the family's maxattr */
	REFUSED(EINVAL, "attribute");
	self->r.nlh = req_start(&self->r, family_id, P2P_CMD_CONN_GET, NLM_F_DUMP);
	{
		struct nlattr *nest = mnl_attr_nest_start(NLH, P2P_A_CONN);

		mnl_attr_put_u16(NLH, P2P_CONN_A_PORT, 1);	/* reply only */
		mnl_attr_nest_end(NLH, nest);
	}
	REFUSED(EINVAL, "attribute");
}

TEST_HARNESS_MAIN
