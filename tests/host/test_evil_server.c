// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl against a hostile server (PROTOCOL.md: a client MUST reject entry
 * names that are not valid components, or a recursive download could
 * escape). A fake server on 127.0.0.1 completes a real handshake, answers
 * STAT with "a directory" and READDIR with one entry whose name no server
 * may send: "..", ".", "a/b", a NUL inside. `p2pctl ls` and `p2pctl get -r`
 * must fail with exit status 1 and leave nothing on disk.
 *
 * Needs userspace/p2pctl built (tests/run runs from the top directory)
 * and, since protocol v2 runs over the kernel's TLS records, a kernel with
 * kTLS: the host's has none, so there every test is skipped, and the same
 * source runs in the guest as build/tests/guest/evil_server (Makefile).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#include <sodium.h>

#include "kselftest_harness.h"
#include "proto.h"
#include "wire.h"

#define P2PCTL		"userspace/p2pctl"
/* READDIR_REPLY: 12 bytes of head, 24 of entry fields, then the name. */
#define NAME_OFF	36

struct evil {
	const char *name;	/* the entry name sent, name_len bytes */
	size_t name_len;
};

static uint8_t alice_pub[P2P_KEY_LEN];

static int lookup(void *ctx, const char *user, uint8_t pub[P2P_KEY_LEN])
{
	(void)ctx;
	if (strcmp(user, "alice"))
		return -ENOENT;
	memcpy(pub, alice_pub, P2P_KEY_LEN);
	return 0;
}

static void answer(int fd, const struct p2p_frame *f, const struct evil *ev)
{
	static uint8_t out[P2P_MAX_BODY];
	struct p2p_fattr a = { .type = P2P_FTYPE_DIR, .mode = 0755, .nlink = 2 };
	char valid[256];
	struct p2p_dirent d = {
		.type = P2P_FTYPE_REG, .mode = 0644, .size = 1,
		.name = { .s = valid, .len = ev->name_len },
	};
	struct p2p_list_builder b;
	int len;

	switch (f->op) {
	case P2P_OP_STAT:
		len = p2p_enc_attr(out, sizeof(out), &a);
		p2p_send_frame(fd, P2P_OP_STAT_REPLY, 0, f->tag, out, len);
		return;
	case P2P_OP_READDIR:
		/* A valid name of the same length, then the bytes we want. */
		memset(valid, 'x', ev->name_len);
		p2p_readdir_reply_init(&b, out, sizeof(out));
		p2p_readdir_reply_add(&b, &d);
		len = p2p_readdir_reply_finish(&b, 1, true);
		memcpy(out + NAME_OFF, ev->name, ev->name_len);
		p2p_send_frame(fd, P2P_OP_READDIR_REPLY, 0, f->tag, out, len);
		return;
	default:
		p2p_send_error(fd, f->tag, ENOSYS, "unknown operation");
	}
}

static void __attribute__((noreturn)) serve(int lfd,
					    const struct p2p_server_keys *k,
					    const struct evil *ev)
{
	static uint8_t body[P2P_MAX_BODY];
	struct p2p_session s = { 0 };
	struct p2p_frame f;
	int fd;

	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			_exit(0);
		if (!p2p_server_handshake(fd, k, lookup, NULL, &s))
			while (!p2p_recv_frame(fd, false, &f, body, sizeof(body)))
				answer(fd, &f, ev);
		close(fd);
	}
}

/* TCP_ULP "tls" on a connected loopback socket: does this kernel have it? */
static bool have_ktls(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	int lfd, cfd, ok = 0;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd >= 0 && cfd >= 0 &&
	    !bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) &&
	    !listen(lfd, 1) &&
	    !getsockname(lfd, (struct sockaddr *)&sin, &sl) &&
	    !connect(cfd, (struct sockaddr *)&sin, sizeof(sin)))
		ok = !setsockopt(cfd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls"));
	if (lfd >= 0)
		close(lfd);
	if (cfd >= 0)
		close(cfd);
	return ok;
}

FIXTURE(evil)
{
	char p2pctl[4096];
	char dir[64];
	char keyfile[96];
	char hostkey[64];
	int port;
	pid_t server;
	struct p2p_server_keys keys;
};

FIXTURE_VARIANT(evil)
{
	const char *name;
	size_t name_len;
};

FIXTURE_VARIANT_ADD(evil, dotdot) { .name = "..", .name_len = 2 };
FIXTURE_VARIANT_ADD(evil, dot) { .name = ".", .name_len = 1 };
FIXTURE_VARIANT_ADD(evil, slash) { .name = "a/b", .name_len = 3 };
FIXTURE_VARIANT_ADD(evil, abs) { .name = "/etc", .name_len = 4 };
FIXTURE_VARIANT_ADD(evil, nul) { .name = "a\0b", .name_len = 3 };

FIXTURE_SETUP(evil)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	uint8_t alice_priv[P2P_KEY_LEN];
	char b64[64];
	struct evil ev = { variant->name, variant->name_len };
	int lfd, fd;

	if (access(P2PCTL, X_OK) || !realpath(P2PCTL, self->p2pctl))
		SKIP(return, "%s is not built", P2PCTL);
	if (!have_ktls())
		SKIP(return, "no kernel TLS here (module tls): runs in the guest");
	ASSERT_EQ(0, sodium_init() < 0);
	strcpy(self->dir, "/tmp/p2p-evil-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	/* alice's key pair, and the server's */
	randombytes_buf(alice_priv, sizeof(alice_priv));
	crypto_scalarmult_base(alice_pub, alice_priv);
	randombytes_buf(self->keys.priv, P2P_KEY_LEN);
	crypto_scalarmult_base(self->keys.pub, self->keys.priv);
	randombytes_buf(self->keys.dummy_pub, P2P_KEY_LEN);
	sodium_bin2base64(b64, sizeof(b64), alice_priv, P2P_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
	snprintf(self->keyfile, sizeof(self->keyfile), "%s/alice.key", self->dir);
	fd = open(self->keyfile, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(b64), write(fd, b64, strlen(b64)));
	close(fd);
	sodium_bin2base64(self->hostkey, sizeof(self->hostkey), self->keys.pub,
			  P2P_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, listen(lfd, 8));
	ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&sin, &sl));
	self->port = ntohs(sin.sin_port);
	self->server = fork();
	ASSERT_LE(0, self->server);
	if (!self->server) {
		/* Gone with the test; never holding the runner's output open. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 1);
		dup2(fd, 2);
		serve(lfd, &self->keys, &ev);
	}
	close(lfd);
}

FIXTURE_TEARDOWN(evil)
{
	char cmd[128];

	if (self->server > 0) {
		kill(self->server, SIGKILL);
		waitpid(self->server, NULL, 0);
	}
	if (self->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
		if (system(cmd))
			TH_LOG("cannot remove %s", self->dir);
	}
}

/* p2pctl CMD [OPT] URL in DIR, its stderr in DIR/err: its exit status. */
static int p2pctl(FIXTURE_DATA(evil) *self, const char *cmd, const char *opt,
		  const char *path)
{
	char url[128], err[96];
	pid_t pid;
	int st, fd;

	snprintf(url, sizeof(url), "p2p://alice@127.0.0.1:%d/ex/%s", self->port,
		 path);
	snprintf(err, sizeof(err), "%s/err", self->dir);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 2) < 0 || chdir(self->dir))
			_exit(127);
		setenv("HOME", self->dir, 1);
		if (opt)
			execl(self->p2pctl, "p2pctl", cmd, opt, url, "--key-file",
			      self->keyfile, "--host-key", self->hostkey,
			      (char *)NULL);
		else
			execl(self->p2pctl, "p2pctl", cmd, url, "--key-file",
			      self->keyfile, "--host-key", self->hostkey,
			      (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The handshake passed: p2pctl failed on the entry, not the connection. */
static bool connected(const char *dir)
{
	char path[96], line[512];
	bool ok = true;
	FILE *f;

	snprintf(path, sizeof(path), "%s/err", dir);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "cannot connect"))
			ok = false;
	fclose(f);
	return ok;
}

/* The entries of dir other than the test's own files. */
static int stray_entries(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strcmp(e->d_name, "alice.key") && strcmp(e->d_name, "err"))
			n++;
	closedir(d);
	return n;
}

static void log_err(struct __test_metadata *_metadata, const char *dir)
{
	char path[96], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/err", dir);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		TH_LOG("p2pctl: %s", line);
	if (f)
		fclose(f);
}

TEST_F(evil, ls_refuses)
{
	int rc = p2pctl(self, "ls", NULL, "d");

	log_err(_metadata, self->dir);
	ASSERT_EQ(1, rc);
	ASSERT_TRUE(connected(self->dir));
	ASSERT_EQ(0, stray_entries(self->dir));
}

TEST_F(evil, get_r_refuses_and_creates_nothing)
{
	int rc = p2pctl(self, "get", "-r", "d");

	log_err(_metadata, self->dir);
	ASSERT_EQ(1, rc);
	ASSERT_TRUE(connected(self->dir));
	/* neither "d" nor anything named by the server */
	ASSERT_EQ(0, stray_entries(self->dir));
}

TEST_HARNESS_MAIN
