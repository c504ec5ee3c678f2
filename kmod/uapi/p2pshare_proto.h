/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * p2pshare wire protocol, version 2. docs/PROTOCOL.md is the normative text;
 * this header is its C form, shared by the kernel server and userspace.
 * All integers on the wire are big-endian; strings are length-prefixed and
 * not NUL-terminated.
 */
#ifndef _UAPI_LINUX_P2PSHARE_PROTO_H
#define _UAPI_LINUX_P2PSHARE_PROTO_H

#include <linux/types.h>

#define P2P_PORT		7437

#define P2P_PROTO_VERSION	2	/* the only version this header speaks */
#define P2P_VERSION_MIN		2
#define P2P_VERSION_MAX		2

/* Noise suite of the handshake and its prologue label. */
#define P2P_NOISE_PROTOCOL	"Noise_KK_25519_ChaChaPoly_SHA256"
#define P2P_PROLOGUE_LABEL	"p2pshare/2"	/* followed by one 0 byte */
#define P2P_PROLOGUE_LABEL_LEN	10

/*
 * Record ciphers (PROTOCOL.md 6.5): HANDSHAKE1's payload offers a set of
 * these bits, HANDSHAKE2's names the one the server picked.  Unknown bits
 * in an offer are ignored.
 */
#define P2P_CIPHER_AES_128_GCM		0x0001
#define P2P_CIPHER_CHACHA20_POLY1305	0x0002
#define P2P_CIPHERS_ALL		(P2P_CIPHER_AES_128_GCM | \
				 P2P_CIPHER_CHACHA20_POLY1305)
#define P2P_CIPHER_DEFAULT	P2P_CIPHER_AES_128_GCM

/* Record keys: HKDF(k, label || h, 2) per direction (PROTOCOL.md 6.6). */
#define P2P_KDF_LABEL		"p2pshare/2 kTLS"
#define P2P_KDF_LABEL_LEN	15
#define P2P_TLS_KEY_LEN		32	/* derived; AES-128-GCM uses 16 */
#define P2P_TLS_IV_LEN		12	/* the TLS 1.3 per-record IV */
#define P2P_TLS_MAX_PLAINTEXT	16384	/* 2^14, RFC 8446 5.1 */
/* Records one key may protect (RFC 8446 5.5 allows AES-GCM 2^24.5). */
#define P2P_RECORD_LIMIT	(1ULL << 24)

#define P2P_KEY_LEN		32	/* X25519 public or private key */
#define P2P_CHALLENGE_LEN	32
#define P2P_HASH_LEN		32	/* SHA-256, also the handshake hash */
#define P2P_AEAD_TAG_LEN	16
#define P2P_HS_PAYLOAD_LEN	2	/* u16 cipher set, in each message */
#define P2P_HANDSHAKE1_LEN	(P2P_KEY_LEN + P2P_HS_PAYLOAD_LEN + \
				 P2P_AEAD_TAG_LEN)	/* 50 */
#define P2P_HANDSHAKE2_LEN	(P2P_KEY_LEN + P2P_HS_PAYLOAD_LEN + \
				 P2P_AEAD_TAG_LEN)	/* 50 */

/* Limits. */
#define P2P_HDR_LEN		12
#define P2P_MAX_BODY		(65536 + 256)	/* every frame but DATA */
#define P2P_MAX_REQ_BODY	P2P_MAX_BODY
#define P2P_MAX_DATA_CHUNK	(1024 * 1024)	/* one DATA frame, either way */
#define P2P_NAME_MAX		64	/* user and export names */
#define P2P_PATH_MAX		4096	/* whole path, bytes */
#define P2P_COMPONENT_MAX	255	/* one path component, bytes */
#define P2P_ERRMSG_MAX		1024	/* ERROR message, bytes */
#define P2P_MAX_PROLOGUE	(P2P_PROLOGUE_LABEL_LEN + 1 + 6 + 1 + \
				 P2P_NAME_MAX + P2P_CHALLENGE_LEN)

/*
 * Values of the control plane that docs/netlink.yaml names with `header:`:
 * the generator of uapi/p2pshare.h renders constants under the family's
 * name (P2PSHARE_*) only, so the P2P_* ones live here.
 */
#define P2P_DEFAULT_PORT	7437
#define P2P_UID_NOBODY		65534	/* uid and gid of a user by default */
#define P2P_EXPORT_F_NONE	0	/* export-flags: none defined yet */
#define P2P_EXPORT_F_ALL	0

/* Server defaults. */
#define P2P_IDLE_TIMEOUT_S	60	/* no byte received or sent: close */
#define P2P_HANDSHAKE_TIMEOUT_S	10	/* accept to HANDSHAKE2 */
#define P2P_MAX_CONNS		256	/* beyond: ERROR EBUSY, close */
#define P2P_AUTH_BURST		10	/* handshakes per address, then 1 per 3 s */

/*
 * The ranges of a namespace's limits (limits-set, the module parameters
 * that give their defaults, and the state file's limits line).
 * max_user_conns and auth_burst 0 mean no limit.
 */
#define P2P_MAX_CONNS_LIMIT	4096	/* max_conns 1-4096 */
#define P2P_MAX_USER_CONNS_LIMIT 4096	/* max_user_conns 0-4096 */
#define P2P_AUTH_BURST_LIMIT	1000000	/* auth_burst 0-1000000 */
#define P2P_IDLE_TIMEOUT_LIMIT	86400	/* idle_timeout 1-86400 s */

/*
 * Frame operations. Client-sent ops are < 0x80, server-sent ops >= 0x80;
 * a reply to request op X has op X | P2P_OP_REPLY where one exists.
 */
enum p2p_op {
	P2P_OP_UNSPEC,

	/* client to server */
	P2P_OP_HELLO		= 0x01,
	P2P_OP_HANDSHAKE1	= 0x02,
	P2P_OP_LIST_EXPORTS	= 0x03,
	P2P_OP_STAT		= 0x04,
	P2P_OP_READDIR		= 0x05,
	P2P_OP_READ		= 0x06,
	P2P_OP_PUT_BEGIN	= 0x07,
	P2P_OP_PUT_DATA		= 0x08,
	P2P_OP_HASH		= 0x09,
	P2P_OP_BLOCKS		= 0x0a,

	/* server to client */
	P2P_OP_HELLO_REPLY	= 0x81,
	P2P_OP_HANDSHAKE2	= 0x82,
	P2P_OP_LIST_EXPORTS_REPLY = 0x83,
	P2P_OP_STAT_REPLY	= 0x84,
	P2P_OP_READDIR_REPLY	= 0x85,
	P2P_OP_READ_REPLY	= 0x86,
	P2P_OP_READ_DATA	= 0x88,
	P2P_OP_HASH_REPLY	= 0x89,
	P2P_OP_BLOCKS_REPLY	= 0x8a,
	P2P_OP_OK		= 0xf0,
	P2P_OP_ERROR		= 0xf1,

	__P2P_OP_MAX
};
#define P2P_OP_MAX		(__P2P_OP_MAX - 1)
#define P2P_OP_REPLY		0x80

/* Header flags. MORE is valid on PUT_DATA and READ_DATA only. */
#define P2P_F_MORE		0x01
#define P2P_F_ALL		P2P_F_MORE

/* File types in STAT_REPLY and READDIR_REPLY entries. */
enum p2p_ftype {
	P2P_FTYPE_UNSPEC,
	P2P_FTYPE_REG,
	P2P_FTYPE_DIR,
	P2P_FTYPE_SYMLINK,
	P2P_FTYPE_OTHER,

	__P2P_FTYPE_MAX
};
#define P2P_FTYPE_MAX		(__P2P_FTYPE_MAX - 1)

/* Access of a grant, in LIST_EXPORTS_REPLY entries. */
enum p2p_access {
	P2P_ACCESS_UNSPEC,
	P2P_ACCESS_RO,
	P2P_ACCESS_RW,

	__P2P_ACCESS_MAX
};
#define P2P_ACCESS_MAX		(__P2P_ACCESS_MAX - 1)

/* LIST_EXPORTS_REPLY flags. */
#define P2P_LS_TRUNCATED	0x01
#define P2P_LS_ALL		P2P_LS_TRUNCATED

/* READ length meaning "up to end of file". */
#define P2P_READ_TO_EOF		((__u64)~0ULL)

/*
 * Content hashes (PROTOCOL.md 7.6): SHA-256 of each 1 MiB block, a root
 * over them, and at most P2P_HASH_MAX_COUNT block hashes in one reply.
 */
#define P2P_HASH_BLOCK		(1024 * 1024)
#define P2P_HASH_MAX_COUNT	2048
#define P2P_HASH_ROOT_LABEL	"p2pshare/2 root"	/* then one 0 byte */
#define P2P_HASH_ROOT_LABEL_LEN	15

/*
 * A partial file (PROTOCOL.md 7.7): a download in progress marks its file
 * with this extended attribute, a struct p2p_partial_head followed by a
 * bitmap of ceil(blocks / 8) bytes (block i is bit i % 8, least
 * significant first, of byte i / 8; set: the block is written and was
 * verified).  Servers read only the blocks whose bit is set; without the
 * attribute the file is complete.
 */
#define P2P_PARTIAL_XATTR	"user.p2pshare.partial"
#define P2P_PARTIAL_MAGIC	"p2ppart1"		/* 8 bytes, no NUL */
#define P2P_PARTIAL_MAGIC_LEN	8
#define P2P_PARTIAL_MAX		65536			/* XATTR_SIZE_MAX */

/* PUT_BEGIN mode: only permission bits. */
#define P2P_PUT_MODE_MASK	0777

/* Frame header, 12 bytes, at the start of every frame. */
struct p2p_hdr {
	__be32	len;		/* body bytes following the header */
	__u8	op;		/* enum p2p_op */
	__u8	flags;		/* P2P_F_* */
	__be16	reserved;	/* 0 */
	__be32	tag;		/* chosen by the client, echoed in replies */
} __attribute__((packed));

/*
 * Fixed-size bodies. Variable-size bodies (names, paths, entries) are
 * described in docs/PROTOCOL.md and encoded field by field in wire.c.
 */

/* HELLO_REPLY, 66 bytes. */
struct p2p_hello_reply_body {
	__be16	version;
	__u8	host_key[P2P_KEY_LEN];
	__u8	challenge[P2P_CHALLENGE_LEN];
} __attribute__((packed));

/* STAT_REPLY, 28 bytes. */
struct p2p_stat_reply_body {
	__u8	type;		/* enum p2p_ftype */
	__u8	reserved;	/* 0 */
	__be16	mode;		/* st_mode & 07777 */
	__be32	nlink;
	__be64	size;
	__be64	mtime_sec;	/* signed */
	__be32	mtime_nsec;
} __attribute__((packed));

/* READ_REPLY, 28 bytes. */
struct p2p_read_reply_body {
	__be64	total;		/* bytes that the READ_DATA frames will carry */
	__be64	size;		/* file size when the read started */
	__be64	mtime_sec;	/* signed */
	__be32	mtime_nsec;
} __attribute__((packed));

/* HASH_REPLY head, 68 bytes; count block hashes of 32 bytes follow. */
struct p2p_hash_reply_head {
	__be64	size;		/* file size the hashes cover */
	__be64	mtime_sec;	/* signed */
	__be32	mtime_nsec;
	__be32	block_size;	/* P2P_HASH_BLOCK */
	__be32	blocks;		/* ceil(size / block_size) */
	__be32	first;		/* index of the first hash that follows */
	__be16	count;		/* hashes that follow */
	__be16	reserved;	/* 0 */
	__u8	root[P2P_HASH_LEN];
} __attribute__((packed));

/* Head of the P2P_PARTIAL_XATTR value, 56 bytes; the bitmap follows. */
struct p2p_partial_head {
	__u8	magic[P2P_PARTIAL_MAGIC_LEN];	/* P2P_PARTIAL_MAGIC */
	__be64	size;		/* the complete file's size */
	__be32	block_size;	/* P2P_HASH_BLOCK */
	__be32	blocks;		/* ceil(size / block_size) */
	__u8	root[P2P_HASH_LEN];	/* of the complete file (7.6) */
} __attribute__((packed));

/*
 * BLOCKS_REPLY head, 17 bytes (PROTOCOL.md 7.8); without
 * P2P_BLOCKS_COMPLETE a bitmap of ceil(blocks / 8) bytes follows, in the
 * partial-file mark's order (block i is bit i % 8 of byte i / 8).
 */
#define P2P_BLOCKS_COMPLETE	0x01	/* every block is here; no bitmap */
struct p2p_blocks_reply_head {
	__be64	size;		/* the complete file's size */
	__be32	block_size;	/* P2P_HASH_BLOCK */
	__be32	blocks;		/* ceil(size / block_size) */
	__u8	flags;		/* P2P_BLOCKS_COMPLETE or 0 */
} __attribute__((packed));

/* READDIR_REPLY head, 12 bytes; count entries follow. */
struct p2p_readdir_reply_head {
	__be64	cookie;		/* pass back to continue; opaque */
	__be16	count;
	__u8	end;		/* 1: no more entries after these */
	__u8	reserved;	/* 0 */
} __attribute__((packed));

/* READDIR_REPLY entry head, 24 bytes; name_len name bytes follow. */
struct p2p_dirent_head {
	__u8	type;		/* enum p2p_ftype */
	__u8	name_len;	/* 1..255 */
	__be16	mode;		/* st_mode & 07777 */
	__be32	mtime_nsec;
	__be64	size;
	__be64	mtime_sec;	/* signed */
} __attribute__((packed));

/* LIST_EXPORTS_REPLY head, 4 bytes; count entries follow. */
struct p2p_list_reply_head {
	__be16	count;
	__u8	flags;		/* P2P_LS_* */
	__u8	reserved;	/* 0 */
} __attribute__((packed));

/* ERROR head, 6 bytes; msg_len bytes of UTF-8 follow. */
struct p2p_error_head {
	__be32	code;		/* positive Linux errno value */
	__be16	msg_len;
} __attribute__((packed));

#endif /* _UAPI_LINUX_P2PSHARE_PROTO_H */
