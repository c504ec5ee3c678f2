// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * known_hosts: the host keys a client has seen, one "HOST:PORT KEY" a line.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "known_hosts.h"

#define B64_KEY_LEN	44

int p2p_kh_path(char *buf, size_t len)
{
	const char *env = getenv(P2P_KH_ENV), *home = getenv("HOME");
	struct passwd *pw;
	int n;

	if (env && *env) {
		n = snprintf(buf, len, "%s", env);
	} else {
		if (!home || !*home) {
			pw = getpwuid(getuid());
			home = pw ? pw->pw_dir : NULL;
		}
		if (!home || !*home)
			return -ENOENT;
		n = snprintf(buf, len, "%s/%s", home, P2P_KH_DEFAULT);
	}
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int parse_key(uint8_t key[P2P_KEY_LEN], const char *s, size_t len)
{
	uint8_t buf[P2P_KEY_LEN + 3];
	size_t n;
	const char *end;

	if (len != B64_KEY_LEN ||
	    sodium_base642bin(buf, sizeof(buf), s, len, NULL, &n, &end,
			      sodium_base64_VARIANT_ORIGINAL) ||
	    end != s + len || n != P2P_KEY_LEN || sodium_is_zero(buf, n))
		return -EINVAL;
	memcpy(key, buf, P2P_KEY_LEN);
	return 0;
}

int p2p_kh_parse_line(const char *line, char *hostport, size_t hplen,
		      uint8_t key[P2P_KEY_LEN])
{
	const char *host, *k;
	size_t hlen, klen;

	while (blank(*line))
		line++;
	if (!*line || *line == '#')
		return 0;
	host = line;
	hlen = strcspn(host, " \t\r\n");
	k = host + hlen;
	while (*k == ' ' || *k == '\t')
		k++;
	klen = strcspn(k, " \t\r\n");
	if (!hlen || hlen >= hplen || !memchr(host, ':', hlen) || !klen)
		return -EINVAL;
	for (line = k + klen; *line; line++)
		if (!blank(*line))
			return -EINVAL;
	if (parse_key(key, k, klen))
		return -EINVAL;
	memcpy(hostport, host, hlen);
	hostport[hlen] = '\0';
	return 1;
}

int p2p_kh_lookup(FILE *f, const char *hostport, uint8_t key[P2P_KEY_LEN],
		  unsigned int *line)
{
	char buf[P2P_KH_LINE_MAX], hp[P2P_KH_LINE_MAX];
	uint8_t k[P2P_KEY_LEN];
	unsigned int n = 0;
	bool whole = true;

	while (f && fgets(buf, sizeof(buf), f)) {
		bool entry = whole;	/* not the tail of an over-long line */

		whole = strchr(buf, '\n') || feof(f);
		if (entry)
			n++;
		if (entry && whole &&
		    p2p_kh_parse_line(buf, hp, sizeof(hp), k) == 1 &&
		    !strcmp(hp, hostport)) {
			memcpy(key, k, P2P_KEY_LEN);
			*line = n;
			return 1;
		}
	}
	return 0;
}

/* Create the missing directories above path, mode 0700. */
static int make_parents(const char *path)
{
	char *dir = strdup(path), *p;
	int ret = 0;

	if (!dir)
		return -ENOMEM;
	for (p = strchr(dir + 1, '/'); p && !ret; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			ret = -errno;
		*p = '/';
	}
	free(dir);
	return ret;
}

/* A newline first if the file does not end with one. */
static int write_entry(int fd, const char *hostport,
		       const uint8_t key[P2P_KEY_LEN])
{
	char b64[B64_KEY_LEN + 1], line[P2P_KH_LINE_MAX + 2], last = '\n';
	struct stat st;
	int len;

	if (fstat(fd, &st))
		return -errno;
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
		return -EIO;
	sodium_bin2base64(b64, sizeof(b64), key, P2P_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
	len = snprintf(line, sizeof(line), "%s%s %s\n", last == '\n' ? "" : "\n",
		       hostport, b64);
	if (len < 0 || (size_t)len >= sizeof(line))
		return -ENAMETOOLONG;
	if (write(fd, line, len) != len)
		return errno ? -errno : -EIO;
	return 0;
}

/*
 * Under the lock: 1 if hostport is already there with this key (nothing to
 * add), -EKEYREJECTED if with another, 0 if not there.
 */
static int entry_there(int fd, const char *hostport,
		       const uint8_t key[P2P_KEY_LEN])
{
	uint8_t have[P2P_KEY_LEN];
	unsigned int line;
	int dfd, ret;
	FILE *f;

	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0)
		return -errno;
	f = fdopen(dfd, "r");
	if (!f) {
		ret = -errno;
		close(dfd);
		return ret;
	}
	rewind(f);
	ret = p2p_kh_lookup(f, hostport, have, &line);
	if (ret == 1 && sodium_memcmp(have, key, P2P_KEY_LEN))
		ret = -EKEYREJECTED;
	fclose(f);
	return ret;
}

int p2p_kh_add(const char *path, const char *hostport,
	       const uint8_t key[P2P_KEY_LEN])
{
	int fd, ret;

	ret = make_parents(path);
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	/* Another p2pctl (or thread) may be adding the same host. */
	ret = flock(fd, LOCK_EX) ? -errno : entry_there(fd, hostport, key);
	errno = 0;
	if (!ret)
		ret = write_entry(fd, hostport, key);
	else if (ret == 1)
		ret = 0;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}
