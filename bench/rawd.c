// SPDX-License-Identifier: GPL-2.0
/*
 * rawd: the transfer limit of the path itself, for the benchmark. Per
 * request the client sends a path and a newline; rawd answers with the
 * file's length (u64, big-endian; all ones if it cannot open it) and the
 * bytes, sent from the page cache with sendfile(2). No authentication, no
 * confinement, no framing: never run it outside the benchmark's guest.
 *
 *   rawd ADDR:PORT DIR
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int root;

/* One request line into buf; 0, or -1 at the end of the connection. */
static int read_line(int fd, char *buf, size_t cap, size_t *have)
{
	char *nl;
	ssize_t n;

	while (!(nl = memchr(buf, '\n', *have))) {
		if (*have == cap)
			return -1;
		n = read(fd, buf + *have, cap - *have);
		if (n <= 0)
			return -1;
		*have += n;
	}
	*nl = '\0';
	return 0;
}

static int send_file(int sock, const char *path)
{
	uint8_t len[8];
	struct stat st;
	uint64_t size = UINT64_MAX;
	off_t pos = 0;
	ssize_t n;
	int fd, i;

	fd = openat(root, path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !fstat(fd, &st))
		size = st.st_size;
	for (i = 0; i < 8; i++)
		len[i] = size >> (56 - 8 * i);
	if (send(sock, len, sizeof(len), MSG_NOSIGNAL | (size ? MSG_MORE : 0)) != 8)
		size = 0;
	for (; size && size != UINT64_MAX; size -= n) {
		n = sendfile(sock, fd, &pos, size);
		if (n <= 0)
			break;
	}
	if (fd >= 0)
		close(fd);
	return size && size != UINT64_MAX ? -1 : 0;
}

static void *serve(void *arg)
{
	int sock = (int)(intptr_t)arg, one = 1;
	char buf[8192];
	size_t have = 0, used;

	setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (!read_line(sock, buf, sizeof(buf), &have)) {
		used = strlen(buf) + 1;
		if (send_file(sock, buf))
			break;
		have -= used;
		memmove(buf, buf + used, have);
	}
	close(sock);
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	pthread_attr_t attr;
	pthread_t t;
	char *port;
	int lfd, fd, one = 1;

	if (argc != 3 || !(port = strchr(argv[1], ':'))) {
		fprintf(stderr, "usage: rawd ADDR:PORT DIR\n");
		return 2;
	}
	*port++ = '\0';
	sin.sin_port = htons(atoi(port));
	root = open(argv[2], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1 || root < 0) {
		fprintf(stderr, "rawd: bad address or directory\n");
		return 2;
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 128)) {
		perror("rawd: listen");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (pthread_create(&t, &attr, serve, (void *)(intptr_t)fd))
			close(fd);
	}
}
