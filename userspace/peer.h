/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the peer commands (ls, stat, get, put) share: their options, the
 * private key, the TCP connection with its timeouts, the host key check
 * (--host-key or known_hosts) around the handshake, and one-line error
 * reports.
 */
#ifndef P2PCTL_PEER_H
#define P2PCTL_PEER_H

#include <stdbool.h>

#include "p2pctl.h"
#include "proto.h"
#include "url.h"

#define PEER_CONNECT_TIMEOUT_S	10
#define PEER_IO_TIMEOUT_S	60
/* A HASH reply: the server may read a whole large file first. */
#define PEER_HASH_TIMEOUT_S	900
#define PEER_KEY_ENV		"P2P_KEY_FILE"
#define PEER_CIPHER_ENV		"P2P_CIPHER"
/* A failure already reported on stderr: peer_fail() prints nothing. */
#define PEER_REPORTED		(-4096)

/* Options a command accepts beyond --key-file and --host-key. */
#define PEER_OPT_JSON		0x1	/* -j, --json */
#define PEER_OPT_OUT		0x2	/* -o FILE */
#define PEER_OPT_RESUME		0x4	/* -c, --continue */
#define PEER_OPT_RECURSIVE	0x8	/* -r, --recursive */
#define PEER_OPT_VERIFY		0x10	/* --verify */
#define PEER_OPT_SOURCES	0x20	/* several URLs, --peer HOST */

/* A multi-source get: at most this many sources (URLs and --peer). */
#define PEER_MAX_SOURCES	64

struct peer_args {
	const char *key_file;
	const char *host_key;
	const char *cipher;		/* --cipher LIST */
	const char *out;
	bool json;
	bool resume;
	bool recursive;
	bool verify;
	bool trust_discovered;		/* --trust-discovered */
	const char *pos[PEER_MAX_SOURCES];	/* positional arguments */
	int npos;
	const char *peers[PEER_MAX_SOURCES];	/* --peer HOST[:PORT] */
	int npeers;
};

struct peer {
	struct p2p_url url;
	struct p2p_session sess;
	int fd;
	/* for peer_reconnect(): */
	uint8_t priv[P2P_KEY_LEN];
	uint8_t host_key[P2P_KEY_LEN];	/* the one the first connection proved */
	uint16_t offer;			/* P2P_CIPHER_* bits, 0: all */
};

/* Parse argv (argv[0] is the command name) expecting exactly npos
 * positional arguments, named by names[] in usage errors. 0 or an exit
 * status (1) after a usage message. */
int peer_args(const struct command *cmd, int argc, char **argv,
	      unsigned int allowed, int npos, const char *const *names,
	      struct peer_args *a);
/* The same with PEER_OPT_SOURCES: 1 to PEER_MAX_SOURCES URLs. */
int peer_args_sources(const struct command *cmd, int argc, char **argv,
		      unsigned int allowed, const char *const *names,
		      struct peer_args *a);

/* Parse a URL; prints `invalid URL "...": why` and returns 1 on error. */
int peer_url(const char *s, unsigned int need, struct p2p_url *u);

/* Load the key, connect, check the host key, authenticate. 0, or 1 after
 * one line on stderr. */
int peer_open(struct peer *p, const struct peer_args *a);
void peer_close(struct peer *p);

/*
 * The record limit of the connection's keys was reached (PROTOCOL.md 6.8):
 * the server's ERROR EKEYEXPIRED, or our own count.  The connection is
 * over; a new one goes on.
 */
bool peer_expired(const struct peer *p, int ret);
/* A new connection to the same host, which must present the host key of
 * the first.  0, or PEER_REPORTED after one line on stderr. */
int peer_reconnect(struct peer *p);
/* If *ret says peer_expired(), reconnect: true when the caller should
 * send its request again; else *ret may have become PEER_REPORTED. */
bool peer_again(struct peer *p, int *ret);

/*
 * Every block hash of the URL's file (PROTOCOL.md 7.6), waiting up to
 * PEER_HASH_TIMEOUT_S for each reply; reconnects once at the record limit.
 * 0 or a negative errno for peer_fail().
 */
struct p2p_file_hashes;
int peer_hash_fetch(struct peer *p, struct p2p_file_hashes *fh);

/* Report a failed request about "EXPORT/PATH" (what: "stat", "read"...;
 * path NULL: none): one line on stderr; returns 1. */
int peer_fail(struct peer *p, int ret, const char *what, const char *path);

/* "export/path", or "export" for the root. */
void peer_target(const struct p2p_url *u, char *buf, size_t len);

/* Directory entries as READDIR gives them, each name.s our own C string. */
struct peer_dirents {
	struct p2p_dirent *v;
	size_t n, cap;
};

/* 0 or -ENOMEM. */
int peer_dirents_add(struct peer_dirents *ds, const struct p2p_dirent *d);
/* By name, without the repeats a directory changing between pages causes. */
void peer_dirents_sort(struct peer_dirents *ds);
void peer_dirents_free(struct peer_dirents *ds);

/* Help text shared by ls, stat, get and put. */
#define PEER_OPTIONS \
	"  --key-file FILE  the user's private key (base64 of 32 bytes, as\n" \
	"                   written by p2pctl genkey); default: $P2P_KEY_FILE\n" \
	"  --host-key KEY   the host's public key (base64, or a file holding\n" \
	"                   it): the server must present exactly this key;\n" \
	"                   known_hosts is then neither read nor written\n" \
	"  --cipher LIST    the record ciphers to offer, comma-separated:\n" \
	"                   aes-128-gcm, chacha20-poly1305 (default: both;\n" \
	"                   the server picks one); default: $P2P_CIPHER\n" \
	"  --trust-discovered  on first contact (HOST:PORT not in known_hosts),\n" \
	"                   expect the host key that HOST announces over mDNS\n" \
	"                   (p2pctl discover) instead of trusting whatever key\n" \
	"                   the server shows; see Host keys below\n"

#define PEER_URL_HELP \
	"URL: p2p://USER@HOST[:PORT]/EXPORT/PATH.  USER and EXPORT are 1-64\n" \
	"characters of A-Z a-z 0-9 . _ -.  HOST is a name, an IPv4 address or\n" \
	"an IPv6 address in brackets ([::1], [fe80::1%25eth0]); PORT defaults\n" \
	"to 7437.  In PATH, %XX (two hex digits) stands for any byte but NUL\n" \
	"and '/', e.g. %20 for a space and %25 for '%'; '?' and '#' are\n" \
	"ordinary characters; . and .. components are refused; repeated and\n" \
	"trailing slashes are ignored.\n"

#define PEER_HOST_KEYS_HELP \
	"Host keys: without --host-key, the first connection to HOST:PORT\n" \
	"trusts the key the host presents and stores it in known_hosts (one\n" \
	"line \"HOST:PORT KEY\", HOST as in the URL, lower-cased), saying so\n" \
	"on stderr.  Later connections must present the same key: a changed\n" \
	"key is refused, naming the line to remove if the change is expected.\n" \
	"With --trust-discovered, first contact asks avahi-daemon which hosts\n" \
	"announce HOST:PORT (by address or mDNS host name) and their keys: the\n" \
	"server must present the one announced key, which is then stored as\n" \
	"above.  No announcement, or announcements that disagree (two keys\n" \
	"for one HOST:PORT), refuse the connection; a key already in\n" \
	"known_hosts wins over any announcement.  mDNS is unauthenticated:\n" \
	"this defeats a server that merely shows a false key, not a forger\n" \
	"who controls the announcements on the link (p2pshare(7)).\n" \
	"The private key file should be readable by its owner only; if it is\n" \
	"not, p2pctl warns on stderr (and goes on).\n"

#define PEER_ENV_FILES_HELP \
	"Environment:\n" \
	"  P2P_KEY_FILE     private key file when --key-file is not given\n" \
	"  P2P_CIPHER       cipher list when --cipher is not given\n" \
	"  P2P_KNOWN_HOSTS  known_hosts file instead of the default\n" \
	"  HOME             where the default known_hosts lives\n" \
	"\n" \
	"Files:\n" \
	"  ~/.config/p2pshare/known_hosts  pinned host keys (directory created\n" \
	"                   0700, file 0600)\n" \
	"\n" \
	"Connections time out after 10 s; a server silent for 60 s ends the\n" \
	"command.\n"

#define PEER_TLS_HELP \
	"Encryption: after the handshake every byte travels in TLS 1.3 records\n" \
	"of the kernel (kTLS, module tls) keyed by the handshake; there is no\n" \
	"unencrypted mode.  If this machine cannot load tls, p2pctl says so\n" \
	"(load it as root: modprobe tls).  A record that fails its integrity\n" \
	"check ends the command with \"integrity check failed: the connection\n" \
	"was tampered with\".  When a connection's keys reach their record\n" \
	"limit the server ends it; p2pctl reconnects (same host key) and goes\n" \
	"on, a download from the offset it reached.\n"

#define PEER_NAMES_HELP \
	"Names: file names are bytes.  In plain output and messages, '\\' is\n" \
	"shown as \\\\ and each byte of a control character (or of a line or\n" \
	"bidirectional control, or not UTF-8) as \\xNN; in a URL, write %NN for\n" \
	"\\xNN and %5C for \\\\.  In -j output every string is valid UTF-8: a\n" \
	"byte that is not part of UTF-8 is \"\\udcNN\" (Python: s.encode(\"utf-8\",\n" \
	"\"surrogateescape\") gives the bytes back).\n"

/* After a command's options: URLs, names, host keys, encryption, environment. */
#define PEER_COMMON_HELP \
	PEER_URL_HELP "\n" PEER_NAMES_HELP "\n" PEER_HOST_KEYS_HELP "\n" \
	PEER_TLS_HELP "\n" PEER_ENV_FILES_HELP "\n"

#define PEER_EXIT_HELP \
	"Exit status: 0 on success; 1 with one line on stderr on any error\n" \
	"(bad URL, no key, cannot connect, host key mismatch, authentication\n" \
	"failed, or the server's error with its errno name, e.g. \"no such file\n" \
	"or directory (ENOENT)\").\n"

#endif /* P2PCTL_PEER_H */
