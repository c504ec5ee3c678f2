// SPDX-License-Identifier: GPL-2.0
/*
 * p2pd: options, the listening socket and the accept loop, which gives
 * every connection a thread of its own up to the cap.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktls.h"
#include "p2pd.h"

#define CONN_STACK	(256 * 1024)

static atomic_uint live_conns;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: p2pd -c FILE [-l ADDR[:PORT]] [--mode copy|sendfile]\n"
		"            [--max-conns N] [--idle-timeout SECONDS]\n"
		"            [--cipher aes-128-gcm|chacha20-poly1305] [--record-limit N]\n"
		"\n"
		"Serve the exports of FILE (written by `p2pctl save`) over the p2pshare\n"
		"protocol from userspace: the twin of p2pshare.ko. Runs in the foreground\n"
		"as root; each connection's thread takes the mapped uid/gid of its user.\n"
		"Protocol v2: after the handshake every byte travels in the kernel's TLS\n"
		"records (module tls), sendfile(2) included.\n"
		"\n"
		"  -c, --config FILE       hostkey, users, exports, grants and listen\n"
		"  -l, --listen ADDR:PORT  override the file's listen line (default *:%d)\n"
		"  -m, --mode MODE         copy: read into a buffer and write it (default);\n"
		"                          sendfile: sendfile(2) from the page cache\n"
		"      --max-conns N       connections before new ones get EBUSY (the\n"
		"                          file's \"limits max_conns N\", else %d)\n"
		"      --idle-timeout S    seconds of silence before a close (the file's\n"
		"                          \"limits idle_timeout S\", else %d); the limits\n"
		"                          line's max_user_conns and auth_burst are ignored\n"
		"      --cipher CIPHER     the record cipher chosen when the client offers\n"
		"                          it, as the module's listen-set --cipher: else the\n"
		"                          file's \"listen ... cipher CIPHER\", else %s\n"
		"      --record-limit N    records one connection sends at most (%llu, or\n"
		"                          the environment's P2P_RECORD_LIMIT); before a reply\n"
		"                          could pass it: ERROR EKEYEXPIRED and close\n"
		"\n"
		"A record that fails authentication closes its connection; p2pd logs it\n"
		"with the count so far on stderr, and drops an upload in flight.\n",
		P2P_PORT, P2P_MAX_CONNS, P2P_IDLE_TIMEOUT_S,
		p2p_cipher_name(P2P_CIPHER_DEFAULT),
		(unsigned long long)P2P_RECORD_LIMIT);
}

static int parse_uint(const char *s, unsigned int *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || end == s || s[0] == '-' || !n || n > 1000000)
		return -1;
	*v = n;
	return 0;
}

static int parse_records(const char *s, uint64_t *v)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || end == s || s[0] == '-' || n < 2 ||
	    n > P2P_RECORD_LIMIT)
		return -1;
	*v = n;
	return 0;
}

static int parse_args(int argc, char **argv, struct pd_config *cfg,
		      const char **file, const char **listen)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "mode", required_argument, NULL, 'm' },
		{ "max-conns", required_argument, NULL, 'n' },
		{ "idle-timeout", required_argument, NULL, 't' },
		{ "cipher", required_argument, NULL, 'C' },
		{ "record-limit", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int o;

	while ((o = getopt_long(argc, argv, "c:l:m:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': *file = optarg; break;
		case 'l': *listen = optarg; break;
		case 'm':
			if (!strcmp(optarg, "copy"))
				cfg->mode = PD_MODE_COPY;
			else if (!strcmp(optarg, "sendfile"))
				cfg->mode = PD_MODE_SENDFILE;
			else
				return fprintf(stderr, "p2pd: unknown mode \"%s\" (copy or sendfile)\n",
					       optarg), -1;
			break;
		case 'n':
			if (parse_uint(optarg, &cfg->max_conns))
				return fprintf(stderr, "p2pd: invalid --max-conns \"%s\"\n", optarg), -1;
			break;
		case 't':
			if (parse_uint(optarg, &cfg->idle_timeout))
				return fprintf(stderr, "p2pd: invalid --idle-timeout \"%s\"\n", optarg), -1;
			break;
		case 'C':
			if (p2p_cipher_parse(optarg, &cfg->keys.cipher_pref) ||
			    !p2p_cipher_name(cfg->keys.cipher_pref))
				return fprintf(stderr, "p2pd: invalid --cipher \"%s\" (aes-128-gcm or chacha20-poly1305)\n",
					       optarg), -1;
			break;
		case 'R':
			if (parse_records(optarg, &cfg->record_limit))
				return fprintf(stderr, "p2pd: invalid --record-limit \"%s\" (2..%llu)\n",
					       optarg, (unsigned long long)P2P_RECORD_LIMIT), -1;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, "p2pd: unexpected argument \"%s\"\n", argv[optind]), -1;
	if (!*file)
		return fprintf(stderr, "p2pd: no configuration file (-c FILE)\n"), -1;
	return 0;
}

static int open_listener(const struct pd_config *cfg)
{
	int fd, one = 1, zero = 0;

	fd = socket(cfg->listen.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (cfg->listen.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (const struct sockaddr *)&cfg->listen, cfg->listen_len) ||
	    listen(fd, 128)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void *conn_thread(void *arg)
{
	pd_session_run(arg);
	atomic_fetch_sub(&live_conns, 1);
	return NULL;
}

static void accept_one(const struct pd_config *cfg, int fd,
		       const struct sockaddr_storage *peer,
		       const pthread_attr_t *attr)
{
	struct pd_conn *c;
	pthread_t t;

	if (atomic_fetch_add(&live_conns, 1) >= cfg->max_conns) {
		atomic_fetch_sub(&live_conns, 1);
		p2p_server_busy(fd);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c) {
		c->fd = fd;
		c->cfg = cfg;
		c->peer = *peer;
		if (!pthread_create(&t, attr, conn_thread, c))
			return;
		free(c);
	}
	atomic_fetch_sub(&live_conns, 1);
	close(fd);
}

static void accept_loop(const struct pd_config *cfg, int lfd)
{
	struct sockaddr_storage peer;
	pthread_attr_t attr;
	socklen_t len;
	int fd;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, CONN_STACK);
	for (;;) {
		len = sizeof(peer);
		fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				usleep(10000);	/* out of fds or memory: go on */
			continue;
		}
		accept_one(cfg, fd, &peer, &attr);
	}
}

static const char *addr_str(const struct sockaddr_storage *ss, char *buf,
			    size_t len)
{
	const struct sockaddr_in6 *sin6 = (const void *)ss;
	const struct sockaddr_in *sin = (const void *)ss;
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET)
		snprintf(buf, len, "%s:%u", inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)),
			 ntohs(sin->sin_port));
	else
		snprintf(buf, len, "[%s]:%u", inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a)),
			 ntohs(sin6->sin6_port));
	return buf;
}

int main(int argc, char **argv)
{
	static struct pd_config cfg = {
		.mode = PD_MODE_COPY,
		/* 0: the file's limits line, else the defaults (use_model()) */
	};
	const char *file = NULL, *listen = NULL;
	char where[INET6_ADDRSTRLEN + 16];
	int lfd;

	if (parse_args(argc, argv, &cfg, &file, &listen))
		return 2;
	if (!cfg.record_limit)
		cfg.record_limit = p2p_record_limit();
	if (noise_init()) {
		fprintf(stderr, "p2pd: libsodium failed to initialise\n");
		return 1;
	}
	pd_parse_addr("", &cfg.listen, &cfg.listen_len);
	if (pd_config_load(&cfg, file))
		return 1;
	if (listen && pd_parse_addr(listen, &cfg.listen, &cfg.listen_len)) {
		fprintf(stderr, "p2pd: invalid listen address \"%s\"\n", listen);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);	/* sendfile(2) has no MSG_NOSIGNAL */
	umask(022);			/* as the module's kernel threads */
	lfd = open_listener(&cfg);
	if (lfd < 0) {
		fprintf(stderr, "p2pd: cannot listen on %s: %s\n",
			addr_str(&cfg.listen, where, sizeof(where)), strerror(errno));
		return 1;
	}
	fprintf(stderr, "p2pd: serving %d export%s on %s, %s mode, %s preferred\n",
		cfg.model.n_exports, cfg.model.n_exports == 1 ? "" : "s",
		addr_str(&cfg.listen, where, sizeof(where)),
		cfg.mode == PD_MODE_COPY ? "copy" : "sendfile",
		p2p_cipher_name(cfg.keys.cipher_pref ?: P2P_CIPHER_DEFAULT));
	accept_loop(&cfg, lfd);
	return 1;
}
