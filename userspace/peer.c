// SPDX-License-Identifier: GPL-2.0
/*
 * The client side of a peer connection: options, key, TCP, host key
 * pinning and authentication, and the one-line reports of what failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "keys.h"
#include "known_hosts.h"
#include "mdns.h"
#include "hashes.h"
#include "peer.h"

#define STR(x)	#x
#define XSTR(x)	STR(x)

/* Options */

enum { OPT_KEY_FILE = 0x100, OPT_HOST_KEY, OPT_CIPHER, OPT_TRUST_DISCOVERED,
       OPT_VERIFY, OPT_PEER };

/* Every peer option; those a command does not take are left out. */
static const struct option peer_opts[] = {
	{ "key-file", required_argument, NULL, OPT_KEY_FILE },
	{ "host-key", required_argument, NULL, OPT_HOST_KEY },
	{ "cipher", required_argument, NULL, OPT_CIPHER },
	{ "trust-discovered", no_argument, NULL, OPT_TRUST_DISCOVERED },
	{ "json", no_argument, NULL, 'j' },
	{ "continue", no_argument, NULL, 'c' },
	{ "recursive", no_argument, NULL, 'r' },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "peer", required_argument, NULL, OPT_PEER },
	CLI_OPTS_END
};

static const struct {
	unsigned int flag;
	int val;
	const char *letter;
} peer_flags[] = {
	{ PEER_OPT_JSON, 'j', "j" },
	{ PEER_OPT_OUT, 'o', "o:" },
	{ PEER_OPT_RESUME, 'c', "c" },
	{ PEER_OPT_RECURSIVE, 'r', "r" },
	{ PEER_OPT_VERIFY, OPT_VERIFY, "" },
	{ PEER_OPT_SOURCES, OPT_PEER, "" },
};

static bool peer_allowed(unsigned int allowed, int val)
{
	size_t i;

	for (i = 0; i < sizeof(peer_flags) / sizeof(peer_flags[0]); i++)
		if (peer_flags[i].val == val)
			return allowed & peer_flags[i].flag;
	return true;
}

/* The options and short letters of a command that takes `allowed`. */
static void peer_optset(unsigned int allowed, struct option *opts, char *letters)
{
	const struct option *o;
	size_t i;

	for (o = peer_opts; o->name; o++)
		if (peer_allowed(allowed, o->val))
			*opts++ = *o;
	*opts++ = peer_opts[sizeof(peer_opts) / sizeof(peer_opts[0]) - 1];
	for (i = 0; i < sizeof(peer_flags) / sizeof(peer_flags[0]); i++)
		if (allowed & peer_flags[i].flag)
			letters = stpcpy(letters, peer_flags[i].letter);
	*letters = '\0';
}

static int one_opt(const struct command *cmd, int o, struct peer_args *a)
{
	switch (o) {
	case OPT_PEER:
		if (a->npeers == PEER_MAX_SOURCES)
			return usage_err(cmd, "at most %d --peer", PEER_MAX_SOURCES);
		a->peers[a->npeers++] = optarg;
		break;
	case OPT_KEY_FILE: a->key_file = optarg; break;
	case OPT_HOST_KEY: a->host_key = optarg; break;
	case OPT_CIPHER: a->cipher = optarg; break;
	case 'o': a->out = optarg; break;
	case 'j': a->json = true; break;
	case 'c': a->resume = true; break;
	case 'r': a->recursive = true; break;
	case OPT_TRUST_DISCOVERED: a->trust_discovered = true; break;
	case OPT_VERIFY: a->verify = true; break;
	}
	return 0;
}

static int args_range(const struct command *cmd, int argc, char **argv,
		      unsigned int allowed, int min, int max,
		      const char *const *names, struct peer_args *a)
{
	struct option opts[sizeof(peer_opts) / sizeof(peer_opts[0])];
	char letters[16];
	struct cli c;
	int o, i;

	memset(a, 0, sizeof(*a));
	peer_optset(allowed, opts, letters);
	cli_init(&c, cmd, argc, argv, letters, opts);
	while ((o = cli_next(&c)) > 0)
		if (one_opt(cmd, o, a))
			return 1;
	if (o == CLI_STOP || cli_nargs(&c, min, max, names))
		return 1;
	for (i = 0; i < c.nargs; i++)
		a->pos[a->npos++] = c.args[i];
	if (a->host_key && a->trust_discovered)
		return usage_err(cmd, "--host-key and --trust-discovered exclude "
				 "each other");
	return 0;
}

int peer_args(const struct command *cmd, int argc, char **argv,
	      unsigned int allowed, int npos, const char *const *names,
	      struct peer_args *a)
{
	return args_range(cmd, argc, argv, allowed & ~PEER_OPT_SOURCES, npos,
			  npos, names, a);
}

int peer_args_sources(const struct command *cmd, int argc, char **argv,
		      unsigned int allowed, const char *const *names,
		      struct peer_args *a)
{
	if (args_range(cmd, argc, argv, allowed | PEER_OPT_SOURCES, 1,
		       PEER_MAX_SOURCES, names, a))
		return 1;
	if (a->npos + a->npeers > PEER_MAX_SOURCES)
		return usage_err(cmd, "at most %d sources (URLs and --peer)",
				 PEER_MAX_SOURCES);
	return 0;
}

int peer_url(const char *s, unsigned int need, struct p2p_url *u)
{
	char why[512];

	if (!p2p_url_parse(s, need, u, why, sizeof(why)))
		return 0;
	err("invalid URL \"%s\": %s", s, why);
	return 1;
}

/* Ciphers */

/* "aes-128-gcm,chacha20-poly1305": each name checked, so that a bad one
 * is named. */
static int cipher_list(const char *list, const char *from, uint16_t *offer)
{
	char name[64];
	const char *s = list;
	uint16_t bit;
	size_t n;

	*offer = 0;
	do {
		n = strcspn(s, ",");
		if (!n || n >= sizeof(name)) {
			err("invalid cipher list \"%s\" in %s (a comma-separated "
			    "list of aes-128-gcm, chacha20-poly1305)", list, from);
			return -1;
		}
		memcpy(name, s, n);
		name[n] = '\0';
		if (p2p_cipher_parse(name, &bit)) {
			err("unknown cipher \"%s\" in %s (a comma-separated list "
			    "of aes-128-gcm, chacha20-poly1305)", name, from);
			return -1;
		}
		*offer |= bit;
		s += n;
	} while (*s++);
	return 0;
}

static int cipher_offer(const struct peer_args *a, uint16_t *offer)
{
	const char *env = getenv(PEER_CIPHER_ENV);

	*offer = 0;
	if (a->cipher)
		return cipher_list(a->cipher, "--cipher", offer);
	if (env && *env)
		return cipher_list(env, PEER_CIPHER_ENV, offer);
	return 0;
}

/* "aes-128-gcm,chacha20-poly1305" for messages; 0 is every cipher. */
static const char *offer_names(uint16_t offer, char *buf, size_t len)
{
	uint16_t bit;
	size_t n = 0;

	buf[0] = '\0';
	for (bit = 1; bit && bit <= P2P_CIPHERS_ALL; bit <<= 1)
		if ((offer ? offer : P2P_CIPHERS_ALL) & bit && p2p_cipher_name(bit))
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s",
				      n ? "," : "", p2p_cipher_name(bit));
	return buf;
}

/* The private key */

/*
 * A key readable by others is not refused (ssh refuses): the key may sit
 * on a file system without modes, and a warning teaches as well.
 */
static int load_key(const char *opt, uint8_t priv[P2P_KEY_LEN])
{
	const char *file = opt ? opt : getenv(PEER_KEY_ENV);
	struct stat st;
	FILE *f;
	int ret;

	if (!file || !*file) {
		err("no private key: give --key-file FILE or set %s", PEER_KEY_ENV);
		return -1;
	}
	f = fopen(file, "re");
	if (!f) {
		err("cannot read key file \"%s\": %s", file, strerror(errno));
		return -1;
	}
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && (st.st_mode & 077))
		warn("key file \"%s\" is accessible by others (mode %04o); "
		     "run: chmod 600 %s", file, st.st_mode & 07777, file);
	ret = key_read(priv, f, file);
	fclose(f);
	return ret;
}

/* TCP */

static int connect_one(const struct addrinfo *ai)
{
	struct timeval tv = { .tv_sec = PEER_IO_TIMEOUT_S };
	struct pollfd pfd = { .events = POLLOUT };
	socklen_t len = sizeof(int);
	int fd, e = 0, one = 1;

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
	if (fd < 0)
		return -errno;
	pfd.fd = fd;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		e = errno;
		if (e == EINPROGRESS) {
			e = poll(&pfd, 1, PEER_CONNECT_TIMEOUT_S * 1000);
			e = e < 0 ? errno : !e ? ETIMEDOUT :
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) ? errno : e;
		}
	}
	/*
	 * Reset right after it was accepted: a busy server says why in an
	 * ERROR frame before it aborts, and the frame may be waiting to be
	 * read.  The handshake reads it, or reports the reset itself.
	 */
	if (e == ECONNRESET)
		e = 0;
	if (!e && (fcntl(fd, F_SETFL, 0) ||
		   setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
		   setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
		   setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one))))
		e = errno;
	if (e) {
		close(fd);
		return -e;
	}
	return fd;
}

static int tcp_connect(const struct p2p_url *u)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	char port[8];
	int fd = -ECONNREFUSED, ret;

	if (u->ipv6)
		hints.ai_flags |= AI_NUMERICHOST;
	snprintf(port, sizeof(port), "%u", u->port);
	ret = getaddrinfo(u->host, port, &hints, &res);
	if (ret) {
		err("cannot resolve host \"%s\": %s", u->host,
		    ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = connect_one(ai);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		err("cannot connect to %s: %s", u->hostport, strerror(-fd));
	return fd < 0 ? -1 : fd;
}

/* Host key */

struct pin {
	uint8_t key[P2P_KEY_LEN];
	bool have;		/* key is the one the server must present */
	bool from_opt;		/* --host-key, not known_hosts */
	bool from_mdns;		/* --trust-discovered: announced, not yet stored */
	unsigned int line;	/* of known_hosts */
	char path[4096];	/* known_hosts */
};

/*
 * --trust-discovered: the one key announced for u's HOST:PORT.  Every
 * answer counts: two different keys mean someone on the link lies, and
 * nothing says who.
 */
static int pin_discovered(struct pin *pin, const struct p2p_url *u)
{
	char k1[KEY_B64_LEN], k2[KEY_B64_LEN];
	const struct mdns_host *first = NULL;
	struct mdns_list l;
	int i, ret = -1;

	if (mdns_discover(MDNS_TIMEOUT_MS, &l))
		return -1;
	for (i = 0; i < l.n; i++) {
		const struct mdns_host *h = &l.v[i];

		if (!h->has_key || !mdns_host_is(h, u->host, u->port))
			continue;
		if (!first) {
			first = h;
		} else if (memcmp(first->key, h->key, P2P_KEY_LEN)) {
			key_to_b64(k1, first->key);
			key_to_b64(k2, h->key);
			err("the mDNS announcements for %s disagree (host key %s "
			    "and %s): refused, someone on the link may pose as "
			    "it; check the key with its owner and give it with "
			    "--host-key", u->hostport, k1, k2);
			goto out;
		}
	}
	if (!first) {
		err("no host announces %s with a host key over mDNS (p2pctl "
		    "discover lists those that do)", u->hostport);
		goto out;
	}
	memcpy(pin->key, first->key, P2P_KEY_LEN);
	pin->have = pin->from_mdns = true;
	ret = 0;
out:
	mdns_list_free(&l);
	return ret;
}

static int pin_lookup(struct pin *pin, const struct peer_args *a,
		      const struct p2p_url *u)
{
	int ret;
	FILE *f;

	if (a->host_key) {
		pin->have = pin->from_opt = true;
		return key_from_arg(pin->key, a->host_key, "--host-key");
	}
	ret = p2p_kh_path(pin->path, sizeof(pin->path));
	if (ret) {
		err("cannot locate known_hosts: %s (set HOME or %s)",
		    ret == -ENOENT ? "no home directory" : strerror(-ret),
		    P2P_KH_ENV);
		return -1;
	}
	f = fopen(pin->path, "re");
	if (!f && errno != ENOENT) {
		err("cannot read %s: %s", pin->path, strerror(errno));
		return -1;
	}
	pin->have = p2p_kh_lookup(f, u->hostport, pin->key, &pin->line) == 1;
	if (f)
		fclose(f);
	if (!pin->have && a->trust_discovered)
		return pin_discovered(pin, u);
	return 0;
}

static void key_mismatch(const struct pin *pin, const struct p2p_url *u,
			 const uint8_t offered[P2P_KEY_LEN])
{
	char want[KEY_B64_LEN], got[KEY_B64_LEN];

	key_to_b64(want, pin->key);
	key_to_b64(got, offered);
	if (pin->from_opt)
		err("host key for %s does not match --host-key (expected %s, "
		    "offered %s)", u->hostport, want, got);
	else if (pin->from_mdns)
		err("host key for %s does not match the key announced for it "
		    "over mDNS (announced %s, offered %s): refused, nothing "
		    "stored", u->hostport, want, got);
	else
		err("host key for %s has CHANGED (stored %s, offered %s); if "
		    "this is expected, remove line %u of %s", u->hostport, want,
		    got, pin->line, pin->path);
}

/*
 * First use: remember the key the server just proved it holds.  1 if
 * known_hosts gained another key for this host since it was read (another
 * p2pctl pinned one meanwhile): one of the two was not the host, refused.
 */
static int pin_store(const struct pin *pin, const struct p2p_url *u,
		     const uint8_t key[P2P_KEY_LEN])
{
	char b64[KEY_B64_LEN];
	int ret;

	key_to_b64(b64, key);
	ret = p2p_kh_add(pin->path, u->hostport, key);
	if (ret == -EKEYREJECTED) {
		err("host key for %s: %s pinned another key for it while this "
		    "connection was made (offered %s): refused", u->hostport,
		    pin->path, b64);
		return 1;
	}
	if (ret)
		warn("cannot store the host key of %s (%s) in %s: %s",
		     u->hostport, b64, pin->path, strerror(-ret));
	else if (pin->from_mdns)
		err("trusting host key for %s as announced over mDNS: %s "
		    "(stored in %s)", u->hostport, b64, pin->path);
	else
		err("trusting new host key for %s: %s (stored in %s)",
		    u->hostport, b64, pin->path);
	return 0;
}

/* Reports */

static const char *errname(uint32_t code)
{
	const char *name = strerrorname_np(code);
	static __thread char buf[24];

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno %u", code);
	return buf;
}

/* A failure of the connection itself (not a server ERROR). */
static const char *conn_reason(int ret)
{
	switch (ret) {
	case -EPROTO:
		return "protocol error (malformed or unexpected frame)";
	case -ESHUTDOWN:
	case -ECONNRESET:
	case -EPIPE:
		return "the server closed the connection";
	case -ETIMEDOUT:
		return "no answer from the server for " XSTR(PEER_IO_TIMEOUT_S)
		       " s";
	case -EBADE:
		return "integrity check failed: the connection was tampered with";
	case -ENOPKG:
		return "kernel TLS (module tls) is not available on this "
		       "machine; load it as root: modprobe tls";
	case -EKEYEXPIRED:
		return "the record limit of the connection's keys was reached";
	default:
		return strerror(-ret);
	}
}

static int handshake_fail(struct peer *p, int ret, const struct pin *pin,
			  const uint8_t offered[P2P_KEY_LEN])
{
	const struct p2p_url *u = &p->url;
	char b64[KEY_B64_LEN], names[64];

	if (ret == -EKEYREJECTED && !pin) {
		key_to_b64(b64, offered);
		err("host key for %s changed between two connections (now %s): "
		    "refused", u->hostport, b64);
	} else if (ret == -EKEYREJECTED) {
		key_mismatch(pin, u, offered);
	} else if (ret == -EREMOTEIO && p->sess.err.code == EPROTONOSUPPORT) {
		err("cannot connect to %s: the server does not speak protocol "
		    "version 2, which p2pctl needs (version 1 is unencrypted: "
		    "upgrade the server); it said: %s", u->hostport,
		    p->sess.err.msg);
	} else if (ret == -EREMOTEIO && p->sess.err.code == ENOPROTOOPT) {
		err("cannot connect to %s: no cipher in common with the server "
		    "(offered: %s)", u->hostport,
		    offer_names(p->offer, names, sizeof(names)));
	} else if (ret == -EACCES) {
		err("authentication failed for user \"%s\" at %s (wrong key, "
		    "or unknown user)", u->user, u->hostport);
	} else if (ret == -EREMOTEIO) {
		err("cannot connect to %s: %s (%s)", u->hostport,
		    p->sess.err.msg, errname(p->sess.err.code));
	} else if (ret == -EBADMSG) {
		key_to_b64(b64, offered);
		err("cannot connect to %s: the server failed to prove it holds "
		    "host key %s (impostor or broken server)", u->hostport, b64);
	} else if (ret == -ECONNRESET || ret == -ESHUTDOWN || ret == -EPIPE) {
		err("cannot connect to %s: the server closed the connection "
		    "(busy? try again later)", u->hostport);
	} else if (ret == -EPROTO) {
		err("cannot connect to %s: protocol error (not a p2pshare server, "
		    "or an incompatible one)", u->hostport);
	} else if (ret == -EINVAL) {
		err("cannot connect to %s: invalid user name \"%s\"",
		    u->hostport, u->user);
	} else {
		err("cannot connect to %s: %s", u->hostport, conn_reason(ret));
	}
	return 1;
}

/* TCP, HELLO, the handshake, kTLS: 0 or a negative errno, p->fd open. */
static int handshake(struct peer *p, const uint8_t *expected,
		     uint8_t offered[P2P_KEY_LEN])
{
	p->fd = tcp_connect(&p->url);
	if (p->fd < 0)
		return PEER_REPORTED;
	memset(&p->sess, 0, sizeof(p->sess));
	p->sess.offer = p->offer;
	return p2p_client_connect(p->fd, p->url.user, p->priv, expected,
				  offered, &p->sess);
}

int peer_open(struct peer *p, const struct peer_args *a)
{
	uint8_t offered[P2P_KEY_LEN];
	struct pin pin = { 0 };
	int ret;

	p->fd = -1;
	if (sodium_init() < 0) {
		err("cannot initialise libsodium");
		return 1;
	}
	if (cipher_offer(a, &p->offer) || load_key(a->key_file, p->priv) ||
	    pin_lookup(&pin, a, &p->url))
		goto fail;
	ret = handshake(p, pin.have ? pin.key : NULL, offered);
	if (ret == PEER_REPORTED)
		goto fail;
	if (ret) {
		handshake_fail(p, ret, &pin, offered);
		goto fail;
	}
	memcpy(p->host_key, offered, P2P_KEY_LEN);
	if ((!pin.have || pin.from_mdns) && pin_store(&pin, &p->url, offered))
		goto fail;
	return 0;
fail:
	peer_close(p);
	return 1;
}

void peer_close(struct peer *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p2p_session_wipe(&p->sess);
	sodium_memzero(p->priv, sizeof(p->priv));
}

bool peer_expired(const struct peer *p, int ret)
{
	return ret == -EKEYEXPIRED ||
	       (ret == -EREMOTEIO && p->sess.err.code == EKEYEXPIRED);
}

static void set_rcvtimeo(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static int hash_fetch_once(struct peer *p, struct p2p_file_hashes *fh)
{
	int ret;

	set_rcvtimeo(p->fd, PEER_HASH_TIMEOUT_S);
	ret = p2p_hash_fetch(&p->sess, p->url.export, p->url.path, fh);
	set_rcvtimeo(p->fd, PEER_IO_TIMEOUT_S);
	return ret;
}

int peer_hash_fetch(struct peer *p, struct p2p_file_hashes *fh)
{
	int ret = hash_fetch_once(p, fh);

	if (peer_again(p, &ret))
		ret = hash_fetch_once(p, fh);
	return ret;
}

int peer_reconnect(struct peer *p)
{
	uint8_t offered[P2P_KEY_LEN];
	int ret;

	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p2p_session_wipe(&p->sess);
	ret = handshake(p, p->host_key, offered);
	if (ret && ret != PEER_REPORTED)
		handshake_fail(p, ret, NULL, offered);
	return ret ? PEER_REPORTED : 0;
}

bool peer_again(struct peer *p, int *ret)
{
	if (!peer_expired(p, *ret))
		return false;
	*ret = peer_reconnect(p);
	return !*ret;
}

void peer_target(const struct p2p_url *u, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", u->export, *u->path ? "/" : "", u->path);
}

int peer_fail(struct peer *p, int ret, const char *what, const char *path)
{
	char obj[P2P_NAME_MAX + P2P_PATH_MAX + 8] = "";

	if (ret == PEER_REPORTED)
		return 1;
	if (path)
		snprintf(obj, sizeof(obj), " \"%s\"", path);
	if (ret == -EREMOTEIO)
		err("cannot %s%s at %s: %s (%s)", what, obj, p->url.hostport,
		    p->sess.err.msg, errname(p->sess.err.code));
	else
		err("cannot %s%s at %s: %s", what, obj, p->url.hostport,
		    conn_reason(ret));
	return 1;
}

/* Directory entries */

int peer_dirents_add(struct peer_dirents *ds, const struct p2p_dirent *d)
{
	struct p2p_dirent *v;
	char *name;

	if (ds->n == ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : 64;

		v = realloc(ds->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ds->v = v;
		ds->cap = cap;
	}
	name = malloc(d->name.len + 1);
	if (!name)
		return -ENOMEM;
	memcpy(name, d->name.s, d->name.len);
	name[d->name.len] = '\0';
	ds->v[ds->n] = *d;
	ds->v[ds->n++].name.s = name;
	return 0;
}

/* Names are valid components: no NUL inside, so strcmp() orders them. */
static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct p2p_dirent *)a)->name.s,
		      ((const struct p2p_dirent *)b)->name.s);
}

void peer_dirents_sort(struct peer_dirents *ds)
{
	size_t i, n = 0;

	qsort(ds->v, ds->n, sizeof(*ds->v), by_name);
	for (i = 0; i < ds->n; i++) {
		if (n && !strcmp(ds->v[n - 1].name.s, ds->v[i].name.s))
			free((char *)ds->v[i].name.s);
		else
			ds->v[n++] = ds->v[i];
	}
	ds->n = n;
}

void peer_dirents_free(struct peer_dirents *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++)
		free((char *)ds->v[i].name.s);
	free(ds->v);
	memset(ds, 0, sizeof(*ds));
}
