// SPDX-License-Identifier: GPL-2.0
/*
 * p2pbench: the benchmark's client, run inside the guest by bench/guest.sh.
 * One program for three protocols, so that the client side costs the same
 * whatever the server: p2p (the handshake of userspace/lib/proto.c, then
 * requests encoded by kmod/wire.c with buffered reads), raw (bench/rawd.c:
 * a path line, then a u64 length and the bytes) and http (HTTP/1.1 GET
 * with keep-alive). Every mode prints one line of key=value results.
 *
 *   p2pbench [TARGET] get [-P] [-n N] [-D DEPTH] PATH...
 *   p2pbench [TARGET] load -c CONNS (-d SECONDS | -f FILES) PATH...
 *   p2pbench [TARGET] handshake N
 *   p2pbench [TARGET] idle N PATH
 *   p2pbench exec -- COMMAND [ARGS...]
 *   p2pbench mkdata DIR BIG_MIB CONC_MIB NCONC NSMALL SMALL_BYTES
 *
 * TARGET: -a ADDR -p PORT --proto p2p|raw|http, and for p2p -u USER
 * -k KEYFILE -H HOSTKEY (base64) -e EXPORT [--cipher NAME[,NAME]] (the
 * ciphers offered, p2p_cipher_parse() names; default all: the server picks;
 * one alone must be the one the records use). With -n N, a PATH holding
 * a printf conversion (small/f%04d) stands for N paths. -P: a connection
 * per file; -D: up to DEPTH requests outstanding on the one connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "proto.h"

#define RBUF_CAP	(256 * 1024)
#define MAX_PATHS	100000

enum proto { PROTO_P2P, PROTO_RAW, PROTO_HTTP };

static struct {
	enum proto proto;
	struct sockaddr_in addr;
	const char *user, *export;
	uint8_t priv[P2P_KEY_LEN];
	uint8_t hostkey[P2P_KEY_LEN];
	uint16_t offer;
} tgt;

struct client {
	int fd;
	struct p2p_session sess;
	uint8_t *buf;
	size_t off, len;		/* unread bytes: buf[off, off + len) */
	atomic_ullong *counter;		/* bytes received, shared (load) */
};

static atomic_bool stopping;
static pthread_barrier_t connected;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "p2pbench: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Buffered reading */

/* Read more into the buffer; 0, or -1 on EOF or error. */
static int fill(struct client *c)
{
	ssize_t n;

	if (c->off && c->off + c->len == RBUF_CAP) {
		memmove(c->buf, c->buf + c->off, c->len);
		c->off = 0;
	}
	if (!c->len)
		c->off = 0;
	do
		n = read(c->fd, c->buf + c->off + c->len, RBUF_CAP - c->off - c->len);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	c->len += n;
	if (c->counter)
		atomic_fetch_add_explicit(c->counter, n, memory_order_relaxed);
	return 0;
}

static int need(struct client *c, size_t n)
{
	while (c->len < n)
		if (fill(c))
			return -1;
	return 0;
}

static void take(struct client *c, size_t n)
{
	c->off += n;
	c->len -= n;
}

/* Drop n bytes of body as they arrive. */
static int skip(struct client *c, uint64_t n)
{
	size_t k;

	while (n) {
		if (!c->len && fill(c))
			return -1;
		k = c->len < n ? c->len : n;
		take(c, k);
		n -= k;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf = (const char *)buf + n;
		len -= n;
	}
	return 0;
}

/* Connections */

static int cl_open(struct client *c)
{
	uint8_t seen[P2P_KEY_LEN];
	int one = 1;

	c->off = c->len = 0;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 ||
	    connect(c->fd, (struct sockaddr *)&tgt.addr, sizeof(tgt.addr)))
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (tgt.proto != PROTO_P2P)
		return 0;
	c->sess.offer = tgt.offer;
	if (p2p_client_connect(c->fd, tgt.user, tgt.priv, tgt.hostkey, seen, &c->sess))
		return -1;
	/* A cipher offered alone is the one measured, or nothing is. */
	if (tgt.offer && !(tgt.offer & (tgt.offer - 1)) && c->sess.cipher != tgt.offer)
		die("the server chose %s, not the cipher offered",
		    p2p_cipher_name(c->sess.cipher));
	return 0;
}

static void cl_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/*
 * Requests are encoded into a caller's buffer (so that a pipelining client
 * sends many in one write) and their replies read in order. enc_*: the
 * request's length, or -1; reply_*: the bytes of file data, or -1.
 */

static int enc_p2p(struct client *c, const char *path, uint8_t *out, size_t cap)
{
	struct p2p_read_req req = { .offset = 0, .length = P2P_READ_TO_EOF };
	struct p2p_frame f;
	int len;

	req.export.s = tgt.export;
	req.export.len = strlen(tgt.export);
	req.path.s = path;
	req.path.len = strlen(path);
	if (cap < P2P_HDR_LEN)
		return -1;
	len = p2p_enc_read_req(out + P2P_HDR_LEN, cap - P2P_HDR_LEN, &req);
	if (len < 0)
		return -1;
	f = (struct p2p_frame){ .len = len, .op = P2P_OP_READ, .tag = p2p_next_tag(&c->sess) };
	p2p_hdr_encode(out, &f);
	return P2P_HDR_LEN + len;
}

static int64_t reply_p2p(struct client *c)
{
	struct p2p_read_reply rr;
	struct p2p_frame f;
	uint64_t got = 0;

	if (need(c, P2P_HDR_LEN) || p2p_hdr_decode(c->buf + c->off, true, &f) ||
	    f.op != P2P_OP_READ_REPLY || need(c, P2P_HDR_LEN + f.len) ||
	    p2p_dec_read_reply(c->buf + c->off + P2P_HDR_LEN, f.len, &rr))
		return -1;
	take(c, P2P_HDR_LEN + f.len);
	do {
		if (need(c, P2P_HDR_LEN) || p2p_hdr_decode(c->buf + c->off, true, &f) ||
		    f.op != P2P_OP_READ_DATA)
			return -1;
		take(c, P2P_HDR_LEN);
		if (skip(c, f.len))
			return -1;
		got += f.len;
	} while (f.flags & P2P_F_MORE);
	return got == rr.total ? (int64_t)got : -1;
}

static int enc_raw(const char *path, uint8_t *out, size_t cap)
{
	int len = snprintf((char *)out, cap, "%s\n", path);

	return len < 0 || (size_t)len >= cap ? -1 : len;
}

static int64_t reply_raw(struct client *c)
{
	uint64_t n = 0;
	int i;

	if (need(c, 8))
		return -1;
	for (i = 0; i < 8; i++)
		n = n << 8 | c->buf[c->off + i];
	take(c, 8);
	if (n == UINT64_MAX)		/* the server could not open it */
		return -1;
	return skip(c, n) ? -1 : (int64_t)n;
}

/* The end of the header block, searched from the start of the buffer. */
static uint8_t *header_end(struct client *c)
{
	return memmem(c->buf + c->off, c->len, "\r\n\r\n", 4);
}

static int enc_http(const char *path, bool close_after, uint8_t *out, size_t cap)
{
	int len = snprintf((char *)out, cap, "GET /%s HTTP/1.1\r\nHost: bench\r\n%s\r\n",
			   path, close_after ? "Connection: close\r\n" : "");

	return len < 0 || (size_t)len >= cap ? -1 : len;
}

static int64_t reply_http(struct client *c)
{
	uint8_t *end;
	char *cl;
	long long n;

	while (!(end = header_end(c))) {
		if (c->len == RBUF_CAP || fill(c)) {
			fprintf(stderr, "p2pbench: no HTTP reply (%zu bytes: %.100s)\n",
				c->len, (char *)c->buf + c->off);
			return -1;
		}
	}
	*end = '\0';
	cl = strcasestr((char *)c->buf + c->off, "\r\ncontent-length:");
	if (strncmp((char *)c->buf + c->off, "HTTP/1.1 200", 12) || !cl) {
		fprintf(stderr, "p2pbench: unexpected HTTP reply: %.200s\n",
			(char *)c->buf + c->off);
		return -1;
	}
	n = strtoll(cl + 17, NULL, 10);
	take(c, end + 4 - (c->buf + c->off));
	return n < 0 || skip(c, n) ? -1 : n;
}

static int enc(struct client *c, const char *path, bool per_conn, uint8_t *out, size_t cap)
{
	switch (tgt.proto) {
	case PROTO_P2P: return enc_p2p(c, path, out, cap);
	case PROTO_RAW: return enc_raw(path, out, cap);
	default: return enc_http(path, per_conn, out, cap);
	}
}

static int64_t reply(struct client *c)
{
	switch (tgt.proto) {
	case PROTO_P2P: return reply_p2p(c);
	case PROTO_RAW: return reply_raw(c);
	default: return reply_http(c);
	}
}

/* One file, its body dropped: one write, then the reply. */
static int64_t fetch(struct client *c, const char *path, bool per_conn)
{
	uint8_t req[P2P_HDR_LEN + P2P_PATH_MAX + 256];
	int len = enc(c, path, per_conn, req, sizeof(req));

	if (len < 0 || write_all(c->fd, req, len))
		return -1;
	return reply(c);
}

/* Paths */

static char **paths;
static int n_paths;

static void add_paths(int argc, char **argv, int count)
{
	int i, j;

	paths = calloc(MAX_PATHS, sizeof(*paths));
	for (i = 0; i < argc; i++) {
		if (!strchr(argv[i], '%') || !count) {
			if (n_paths < MAX_PATHS)
				paths[n_paths++] = argv[i];
			continue;
		}
		for (j = 0; j < count && n_paths < MAX_PATHS; j++)
			if (asprintf(&paths[n_paths++], argv[i], j) < 0)
				die("%s", "out of memory");
	}
	if (!n_paths)
		die("%s", "no path given");
}

static void report(double t0, uint64_t bytes, uint64_t files, uint64_t conns,
		   uint64_t window, int errors)
{
	printf("wall=%.6f bytes=%llu files=%llu conns=%llu window_bytes=%llu cpu=%.6f errors=%d\n",
	       now() - t0, (unsigned long long)bytes, (unsigned long long)files,
	       (unsigned long long)conns, (unsigned long long)window, cpu_self(), errors);
}

static struct client *new_client(void)
{
	struct client *c = calloc(1, sizeof(*c));

	if (!c || !(c->buf = malloc(RBUF_CAP)))
		die("%s", "out of memory");
	c->fd = -1;
	return c;
}

/*
 * get -D DEPTH: the paths in order over one connection with up to DEPTH
 * requests outstanding; when half the window has been answered, the next
 * half goes out in one write (as a pipelining HTTP client would).
 */
static int get_pipelined(struct client *c, int depth, uint64_t *bytes)
{
	size_t cap = (size_t)depth * (P2P_HDR_LEN + 512), used;
	uint8_t *out = malloc(cap);
	int sent = 0, done = 0, len;
	int64_t n;

	if (!out)
		die("%s", "out of memory");
	while (done < n_paths) {
		if (sent - done <= depth / 2 && sent < n_paths) {
			for (used = 0; sent < n_paths && sent - done < depth; sent++) {
				len = enc(c, paths[sent], false, out + used, cap - used);
				if (len < 0)
					die("path too long: %s", paths[sent]);
				used += len;
			}
			if (write_all(c->fd, out, used))
				die("%s", "sending requests failed");
		}
		n = reply(c);
		if (n < 0)
			die("fetching \"%s\" failed", paths[done]);
		*bytes += n;
		done++;
	}
	free(out);
	return done;
}

/* get: the paths in order, over one connection or one each. */
static int cmd_get(int argc, char **argv)
{
	struct client *c = new_client();
	bool per_conn = false;
	uint64_t bytes = 0, files = 0, conns = 0;
	int count = 0, depth = 1, i, o;
	int64_t n;
	double t0;

	while ((o = getopt(argc, argv, "+Pn:D:")) != -1) {
		if (o == 'P')
			per_conn = true;
		else if (o == 'n')
			count = atoi(optarg);
		else if (o == 'D')
			depth = atoi(optarg);
		else
			return 2;
	}
	if (depth < 1 || depth > 1024 || (depth > 1 && per_conn))
		die("%s", "-D takes 1 to 1024, and not with -P");
	add_paths(argc - optind, argv + optind, count);
	t0 = now();
	if (depth > 1) {
		if (cl_open(c))
			die("cannot connect or authenticate to %s", inet_ntoa(tgt.addr.sin_addr));
		conns = 1;
		files = get_pipelined(c, depth, &bytes);
		n_paths = 0;
	}
	for (i = 0; i < n_paths; i++) {
		if (c->fd < 0) {
			if (cl_open(c))
				die("cannot connect or authenticate to %s", inet_ntoa(tgt.addr.sin_addr));
			conns++;
		}
		n = fetch(c, paths[i], per_conn);
		if (n < 0)
			die("fetching \"%s\" failed", paths[i]);
		bytes += n;
		files++;
		if (per_conn)
			cl_close(c);
	}
	cl_close(c);
	report(t0, bytes, files, conns, bytes, 0);
	return 0;
}

/*
 * load: CONNS connections, each fetching its path again and again: for
 * SECONDS, counting what arrived meanwhile (the connections are then cut),
 * or FILES times each, every byte the servers sent read (for the
 * instruction counts, which must match the bytes).
 */
struct loader {
	pthread_t thread;
	struct client *c;
	const char *path;
	atomic_ullong *bytes;
	uint64_t files, quota;
	int error;
};

static void *load_thread(void *arg)
{
	struct loader *l = arg;

	l->c->counter = l->bytes;
	l->error = cl_open(l->c);
	if (l->error)
		fprintf(stderr, "p2pbench: a connection failed: %s\n", strerror(errno));
	/* The timed window starts once every connection is authenticated. */
	pthread_barrier_wait(&connected);
	while (!l->error && !atomic_load(&stopping) &&
	       (!l->quota || l->files < l->quota)) {
		if (fetch(l->c, l->path, false) < 0) {
			l->error = !atomic_load(&stopping);
			if (l->error)
				fprintf(stderr, "p2pbench: fetching \"%s\" failed: %s\n",
					l->path, strerror(errno));
			break;
		}
		l->files++;
	}
	return NULL;
}

static int cmd_load(int argc, char **argv)
{
	static atomic_ullong bytes;
	struct loader *ls;
	double secs = 3, t0;
	uint64_t window = 0, files = 0, quota = 0;
	int conns = 1, i, o, errors = 0;

	while ((o = getopt(argc, argv, "+c:d:f:")) != -1) {
		if (o == 'c')
			conns = atoi(optarg);
		else if (o == 'd')
			secs = atof(optarg);
		else if (o == 'f')
			quota = atoi(optarg);
		else
			return 2;
	}
	add_paths(argc - optind, argv + optind, 0);
	ls = calloc(conns, sizeof(*ls));
	pthread_barrier_init(&connected, NULL, conns + 1);
	for (i = 0; i < conns; i++) {
		ls[i].c = new_client();
		ls[i].path = paths[i % n_paths];
		ls[i].bytes = &bytes;
		ls[i].quota = quota;
		pthread_create(&ls[i].thread, NULL, load_thread, &ls[i]);
	}
	pthread_barrier_wait(&connected);
	t0 = now();
	if (!quota) {
		usleep(secs * 1e6);
		window = atomic_load(&bytes);
		secs = now() - t0;
		atomic_store(&stopping, true);
		for (i = 0; i < conns; i++)
			if (ls[i].c->fd >= 0)
				shutdown(ls[i].c->fd, SHUT_RDWR);
	}
	for (i = 0; i < conns; i++) {
		pthread_join(ls[i].thread, NULL);
		errors += ls[i].error;
		files += ls[i].files;
	}
	if (quota) {
		window = atomic_load(&bytes);
		secs = now() - t0;
	}
	printf("window_wall=%.6f ", secs);
	report(t0, atomic_load(&bytes), files, conns, window, errors);
	return errors ? 1 : 0;
}

/* handshake: N new authenticated connections, one after another. */
static int cmd_handshake(int argc, char **argv)
{
	struct client *c = new_client();
	int n = argc > 1 ? atoi(argv[1]) : 100, i;
	double t0 = now();

	for (i = 0; i < n; i++) {
		if (cl_open(c))
			die("%s", "handshake failed");
		cl_close(c);
	}
	report(t0, 0, 0, n, 0, 0);
	return 0;
}

/* idle: N connections that fetched PATH once, kept open until stdin ends. */
static int cmd_idle(int argc, char **argv)
{
	struct client *c = new_client();
	int n, i;
	char b;

	if (argc < 3)
		die("%s", "use: idle N PATH");
	n = atoi(argv[1]);
	for (i = 0; i < n; i++) {
		if (cl_open(c) || fetch(c, argv[2], false) < 0)
			die("%s", "an idle connection failed");
		c->fd = -1;	/* left open on purpose */
	}
	printf("ready\n");
	fflush(stdout);
	while (read(0, &b, 1) > 0)
		;
	return 0;
}

/* exec: a command's wall time and CPU time (its own and its children's). */
static int cmd_exec(int argc, char **argv)
{
	struct rusage ru;
	double t0 = now();
	int status;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "--"))
		argv++, argc--;
	if (argc < 2)
		die("%s", "use: exec -- COMMAND [ARGS...]");
	pid = fork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
		die("%s", "cannot run the command");
	fflush(stdout);
	fprintf(stderr, "wall=%.6f cpu=%.6f status=%d\n", now() - t0,
		ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* mkdata: the data set, a fixed pattern (nothing on the path compresses). */
static void mkfile(const char *dir, const char *name, size_t size)
{
	static uint8_t block[1 << 20];
	char path[4096];
	size_t i, n;
	int fd;

	if (!block[1])
		for (i = 0; i < sizeof(block); i++)
			block[i] = (i * 2654435761u) >> 13;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("cannot create %s", path);
	for (; size; size -= n) {
		n = size < sizeof(block) ? size : sizeof(block);
		if (write_all(fd, block, n))
			die("cannot write %s", path);
	}
	close(fd);
}

static int cmd_mkdata(int argc, char **argv)
{
	char name[64], sub[4096];
	int i;

	if (argc != 7)
		die("%s", "use: mkdata DIR BIG_MIB CONC_MIB NCONC NSMALL SMALL_BYTES");
	mkfile(argv[1], "big", (size_t)atoi(argv[2]) << 20);
	snprintf(sub, sizeof(sub), "%s/c", argv[1]);
	mkdir(sub, 0755);
	for (i = 0; i < atoi(argv[4]); i++) {
		snprintf(name, sizeof(name), "f%d", i);
		mkfile(sub, name, (size_t)atoi(argv[3]) << 20);
	}
	snprintf(sub, sizeof(sub), "%s/small", argv[1]);
	mkdir(sub, 0755);
	for (i = 0; i < atoi(argv[5]); i++) {
		snprintf(name, sizeof(name), "f%04d", i);
		mkfile(sub, name, atoi(argv[6]));
	}
	return 0;
}

static void read_key(const char *file, uint8_t key[P2P_KEY_LEN])
{
	char line[128];
	size_t len;
	FILE *f = fopen(file, "r");

	if (!f || !fgets(line, sizeof(line), f))
		die("cannot read the key file %s", file);
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	if (sodium_base642bin(key, P2P_KEY_LEN, line, strlen(line), NULL, &len,
			      NULL, sodium_base64_VARIANT_ORIGINAL) || len != P2P_KEY_LEN)
		die("invalid key in %s", file);
}

static void parse_target(int *argc, char ***argv)
{
	static const struct option opts[] = {
		{ "proto", required_argument, NULL, 'P' },
		{ "cipher", required_argument, NULL, 'C' },
		{ 0 }
	};
	size_t len;
	int o;

	tgt.addr.sin_family = AF_INET;
	tgt.addr.sin_port = htons(P2P_PORT);
	inet_pton(AF_INET, "198.18.0.1", &tgt.addr.sin_addr);
	while ((o = getopt_long(*argc, *argv, "+a:p:u:k:H:e:", opts, NULL)) != -1) {
		switch (o) {
		case 'a':
			if (inet_pton(AF_INET, optarg, &tgt.addr.sin_addr) != 1)
				die("invalid address \"%s\"", optarg);
			break;
		case 'p': tgt.addr.sin_port = htons(atoi(optarg)); break;
		case 'u': tgt.user = optarg; break;
		case 'k': read_key(optarg, tgt.priv); break;
		case 'H':
			if (sodium_base642bin(tgt.hostkey, P2P_KEY_LEN, optarg, strlen(optarg),
					      NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) ||
			    len != P2P_KEY_LEN)
				die("invalid host key \"%s\"", optarg);
			break;
		case 'e': tgt.export = optarg; break;
		case 'C':
			if (p2p_cipher_parse(optarg, &tgt.offer))
				die("unknown cipher in \"%s\"", optarg);
			break;
		case 'P':
			if (!strcmp(optarg, "p2p"))
				tgt.proto = PROTO_P2P;
			else if (!strcmp(optarg, "raw"))
				tgt.proto = PROTO_RAW;
			else if (!strcmp(optarg, "http"))
				tgt.proto = PROTO_HTTP;
			else
				die("unknown protocol \"%s\"", optarg);
			break;
		default:
			exit(2);
		}
	}
	if (tgt.proto == PROTO_P2P && (!tgt.user || !tgt.export))
		die("%s", "p2p needs -u USER -k KEYFILE -H HOSTKEY -e EXPORT");
	*argc -= optind;
	*argv += optind;
	optind = 1;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && !strcmp(argv[1], "exec"))
		return cmd_exec(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "mkdata"))
		return cmd_mkdata(argc - 1, argv + 1);
	if (sodium_init() < 0)
		die("%s", "libsodium failed to initialise");
	parse_target(&argc, &argv);
	if (argc < 1)
		die("%s", "no mode (get, load, handshake, idle, exec, mkdata)");
	if (!strcmp(argv[0], "get"))
		return cmd_get(argc, argv);
	if (!strcmp(argv[0], "load"))
		return cmd_load(argc, argv);
	if (!strcmp(argv[0], "handshake"))
		return cmd_handshake(argc, argv);
	if (!strcmp(argv[0], "idle"))
		return cmd_idle(argc, argv);
	die("unknown mode \"%s\"", argv[0]);
	return 2;
}
