/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Bounds-checked encoding and decoding of p2pshare frames. Shared verbatim
 * by the kernel server and userspace (p2pctl, the userspace twin, tests,
 * fuzzers): no allocation, no libc beyond memcpy/memchr/memcmp.
 *
 * Decoded strings (struct p2p_str) point into the buffer they were decoded
 * from and are not NUL-terminated. Decoders validate everything they return
 * and fail with -EINVAL (malformed, truncated, trailing bytes, bad value)
 * or -ENAMETOOLONG (path or component too long); encoders fail with
 * -EMSGSIZE when the output does not fit and validate names and paths like
 * the decoders do, so a client cannot send what a server would refuse.
 */
#ifndef _P2P_WIRE_H
#define _P2P_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#endif
#include "uapi/p2pshare_proto.h"

struct p2p_rd {
	const __u8 *p;
	size_t len;
	size_t off;
};

/* err is sticky: after the first overflow nothing more is written. */
struct p2p_wr {
	__u8 *p;
	size_t cap;
	size_t off;
	int err;
};

struct p2p_str {
	const char *s;
	size_t len;
};

/* A decoded frame header. */
struct p2p_frame {
	__u32 len;
	__u8 op;
	__u8 flags;
	__u32 tag;
};

struct p2p_hello {
	__u16 version_min;
	__u16 version_max;
	struct p2p_str user;
};

struct p2p_hello_reply {
	__u16 version;
	__u8 host_key[P2P_KEY_LEN];
	__u8 challenge[P2P_CHALLENGE_LEN];
};

struct p2p_error {
	__u32 code;		/* positive errno */
	struct p2p_str msg;
};

struct p2p_stat_req {
	struct p2p_str export;
	struct p2p_str path;
};

struct p2p_readdir_req {
	struct p2p_str export;
	struct p2p_str path;
	__u64 cookie;
	__u32 max_entries;	/* 0: as many as fit */
};

struct p2p_read_req {
	struct p2p_str export;
	struct p2p_str path;
	__u64 offset;
	__u64 length;		/* P2P_READ_TO_EOF: to end of file */
};

struct p2p_put_req {
	struct p2p_str export;
	struct p2p_str path;
	__u64 size;
	__u32 mode;
};

struct p2p_hash_req {
	struct p2p_str export;
	struct p2p_str path;
	__u32 first;		/* index of the first block hash wanted */
};

/* HASH_REPLY: hashes points at count * P2P_HASH_LEN bytes. */
struct p2p_hash_reply {
	__u64 size;
	__s64 mtime_sec;
	__u32 mtime_nsec;
	__u32 block_size;
	__u32 blocks;
	__u32 first;
	__u16 count;
	__u8 root[P2P_HASH_LEN];
	const __u8 *hashes;
};

/*
 * BLOCKS_REPLY: without P2P_BLOCKS_COMPLETE, map points at the bitmap (to
 * encode: NULL for one with no block set; decoded: never NULL).
 */
struct p2p_blocks_reply {
	__u64 size;
	__u32 blocks;
	__u8 flags;
	const __u8 *map;	/* ceil(blocks / 8) bytes, or NULL */
};

/* STAT_REPLY body. */
struct p2p_fattr {
	__u8 type;		/* enum p2p_ftype */
	__u16 mode;
	__u32 nlink;
	__u64 size;
	__s64 mtime_sec;
	__u32 mtime_nsec;
};

struct p2p_read_reply {
	__u64 total;
	__u64 size;
	__s64 mtime_sec;
	__u32 mtime_nsec;
};

struct p2p_dirent {
	__u8 type;		/* enum p2p_ftype */
	__u16 mode;
	__u64 size;
	__s64 mtime_sec;
	__u32 mtime_nsec;
	struct p2p_str name;
};

struct p2p_export_ent {
	__u8 access;		/* enum p2p_access */
	struct p2p_str name;
};

/* Decoded list replies: entries is positioned at the first entry. */
struct p2p_readdir_reply {
	__u64 cookie;
	__u16 count;
	bool end;
	struct p2p_rd entries;
};

struct p2p_list_reply {
	__u16 count;
	__u8 flags;
	struct p2p_rd entries;
};

/* Builder for list replies (READDIR_REPLY, LIST_EXPORTS_REPLY). */
struct p2p_list_builder {
	struct p2p_wr w;
	unsigned int count;
};

/*
 * The errno codes PROTOCOL.md lists: p2p_wire_errno() maps any error (of
 * either sign) onto one of them, EIO for the rest; p2p_errno_msg() is the
 * default text of an ERROR with that code.
 */
int p2p_wire_errno(int err);
const char *p2p_errno_msg(int code);

/* Validation of names, path components and paths. */
bool p2p_name_valid(const char *s, size_t len);
bool p2p_component_valid(const char *s, size_t len);
int p2p_path_check(const char *s, size_t len);

/*
 * ".p2p-" HEX ".part" (1 to 16 hex digits): the name an upload takes at
 * its commit, for an instant under the directory's lock, or all along on
 * a file system without O_TMPFILE.  No request may name it (STAT, READ,
 * READDIR: ENOENT; PUT: EINVAL) and READDIR never lists it, so no peer
 * can read, list or replace an upload in flight.  Both servers use these.
 */
bool p2p_name_reserved(const char *s, size_t len);
/* Whether any component of the wire path P (LEN bytes) is reserved. */
bool p2p_path_reserved(const char *p, size_t len);

/* The P2P_FTYPE_* of a file mode (S_IFMT bits). */
__u8 p2p_ftype_of(unsigned int mode);

/* Reader and writer primitives. */
void p2p_rd_init(struct p2p_rd *r, const void *buf, size_t len);
int p2p_get_u8(struct p2p_rd *r, __u8 *v);
int p2p_get_u16(struct p2p_rd *r, __u16 *v);
int p2p_get_u32(struct p2p_rd *r, __u32 *v);
int p2p_get_u64(struct p2p_rd *r, __u64 *v);
int p2p_get_bytes(struct p2p_rd *r, void *dst, size_t n);
int p2p_get_ptr(struct p2p_rd *r, const void **p, size_t n);
int p2p_get_name(struct p2p_rd *r, struct p2p_str *s);
int p2p_get_path(struct p2p_rd *r, struct p2p_str *s);
int p2p_rd_end(const struct p2p_rd *r);

void p2p_wr_init(struct p2p_wr *w, void *buf, size_t cap);
void p2p_put_u8(struct p2p_wr *w, __u8 v);
void p2p_put_u16(struct p2p_wr *w, __u16 v);
void p2p_put_u32(struct p2p_wr *w, __u32 v);
void p2p_put_u64(struct p2p_wr *w, __u64 v);
void p2p_put_bytes(struct p2p_wr *w, const void *src, size_t n);
int p2p_put_name(struct p2p_wr *w, const struct p2p_str *s);
int p2p_put_path(struct p2p_wr *w, const struct p2p_str *s);
int p2p_wr_done(const struct p2p_wr *w);

/*
 * Frame header. p2p_hdr_decode() checks the 12 bytes at buf as received by
 * the server (from_server false) or by the client (from_server true):
 * -EPROTO for a non-zero reserved field, unknown flags, MORE on a non-DATA
 * op, an op of the wrong direction, or tag 0 from the client; -EMSGSIZE
 * for a body over the limit of its op. Unknown request ops pass: the
 * server answers them ENOSYS.
 */
int p2p_hdr_decode(const void *buf, bool from_server, struct p2p_frame *f);
void p2p_hdr_encode(void *buf, const struct p2p_frame *f);
__u32 p2p_max_body(__u8 op);
static inline bool p2p_op_is_data(__u8 op)
{
	return op == P2P_OP_PUT_DATA || op == P2P_OP_READ_DATA;
}

/*
 * Bodies. p2p_enc_*() write into buf (cap bytes) and return the body
 * length or a negative errno; p2p_dec_*() return 0 or a negative errno.
 */
int p2p_enc_hello(void *buf, size_t cap, const struct p2p_hello *m);
int p2p_dec_hello(const void *buf, size_t len, struct p2p_hello *m);
int p2p_enc_hello_reply(void *buf, size_t cap,
			const struct p2p_hello_reply *m);
int p2p_dec_hello_reply(const void *buf, size_t len,
			struct p2p_hello_reply *m);
int p2p_enc_error(void *buf, size_t cap, const struct p2p_error *m);
/*
 * An ERROR body for ERR (any sign, mapped by p2p_wire_errno()) with MSG,
 * or the code's default text when MSG is NULL.
 */
int p2p_enc_error_code(void *buf, size_t cap, int err, const char *msg);
/*
 * The text of an EACCES the file system gave: the peer cannot know as whom
 * it reads and writes on this host, so both servers say so, and who can
 * change it.  Writes at most LEN bytes into BUF and returns BUF.
 */
const char *p2p_eacces_msg(char *buf, size_t len, unsigned int uid,
			   unsigned int gid);
int p2p_dec_error(const void *buf, size_t len, struct p2p_error *m);

int p2p_enc_stat_req(void *buf, size_t cap, const struct p2p_stat_req *m);
int p2p_dec_stat_req(const void *buf, size_t len, struct p2p_stat_req *m);
int p2p_enc_readdir_req(void *buf, size_t cap,
			const struct p2p_readdir_req *m);
int p2p_dec_readdir_req(const void *buf, size_t len,
			struct p2p_readdir_req *m);
int p2p_enc_read_req(void *buf, size_t cap, const struct p2p_read_req *m);
int p2p_dec_read_req(const void *buf, size_t len, struct p2p_read_req *m);
int p2p_enc_put_req(void *buf, size_t cap, const struct p2p_put_req *m);
int p2p_dec_put_req(const void *buf, size_t len, struct p2p_put_req *m);

int p2p_enc_hash_req(void *buf, size_t cap, const struct p2p_hash_req *m);
int p2p_dec_hash_req(const void *buf, size_t len, struct p2p_hash_req *m);
/* Blocks of a file of SIZE bytes: ceil(SIZE / P2P_HASH_BLOCK). */
__u64 p2p_hash_blocks(__u64 size);
/*
 * The decoder checks the counts against each other: blocks is the size's,
 * first <= blocks, and count is exactly min(blocks - first,
 * P2P_HASH_MAX_COUNT), so a reply that holds back hashes is refused.
 */
/* BLOCKS takes the body of STAT (p2p_enc_stat_req, p2p_dec_stat_req). */
int p2p_enc_blocks_reply(void *buf, size_t cap,
			 const struct p2p_blocks_reply *m);
int p2p_dec_blocks_reply(const void *buf, size_t len,
			 struct p2p_blocks_reply *m);
/*
 * A partial file's BLOCKS_REPLY from its mark (val, len) and its size on
 * disk: the bitmap of a mark that is well formed for that size, else none
 * set (map NULL: a broken mark covers nothing).  -EFBIG if the size needs a
 * bitmap larger than a mark can hold.
 */
int p2p_partial_blocks(const void *val, size_t len, __u64 isize,
		       struct p2p_blocks_reply *m);
int p2p_enc_hash_reply(void *buf, size_t cap,
		       const struct p2p_hash_reply *m);
int p2p_dec_hash_reply(const void *buf, size_t len,
		       struct p2p_hash_reply *m);

int p2p_enc_attr(void *buf, size_t cap, const struct p2p_fattr *m);
int p2p_dec_attr(const void *buf, size_t len, struct p2p_fattr *m);
int p2p_enc_read_reply(void *buf, size_t cap,
		       const struct p2p_read_reply *m);
int p2p_dec_read_reply(const void *buf, size_t len,
		       struct p2p_read_reply *m);

/*
 * READDIR_REPLY: init, add entries until add returns -EMSGSIZE (the entry
 * did not fit and was not written), then finish, which returns the body
 * length. The decoder validates every entry before returning; then
 * p2p_next_dirent() walks them.
 */
void p2p_readdir_reply_init(struct p2p_list_builder *b, void *buf,
			    size_t cap);
int p2p_readdir_reply_add(struct p2p_list_builder *b,
			  const struct p2p_dirent *e);
int p2p_readdir_reply_finish(struct p2p_list_builder *b, __u64 cookie,
			     bool end);
int p2p_dec_readdir_reply(const void *buf, size_t len,
			  struct p2p_readdir_reply *m);
int p2p_next_dirent(struct p2p_rd *it, struct p2p_dirent *e);

/* LIST_EXPORTS_REPLY, same scheme; finish sets P2P_LS_TRUNCATED. */
void p2p_list_reply_init(struct p2p_list_builder *b, void *buf, size_t cap);
int p2p_list_reply_add(struct p2p_list_builder *b,
		       const struct p2p_export_ent *e);
int p2p_list_reply_finish(struct p2p_list_builder *b, bool truncated);
int p2p_dec_list_reply(const void *buf, size_t len,
		       struct p2p_list_reply *m);
int p2p_next_export(struct p2p_rd *it, struct p2p_export_ent *e);

/*
 * Noise prologue of the handshake: "p2pshare/1" 0x00, the client's
 * version_min and version_max, the chosen version, user_len, user, the
 * challenge. Returns its length (at most P2P_MAX_PROLOGUE).
 */
int p2p_prologue(void *buf, size_t cap, const struct p2p_hello *hello,
		 __u16 version, const __u8 *challenge);

/*
 * Partial files (PROTOCOL.md 7.7).  p2p_partial_len: the length of a
 * P2P_PARTIAL_XATTR value for a file of SIZE bytes (0 if it has too many
 * blocks to fit).  p2p_partial_encode: head and an all-clear bitmap into
 * buf (cap bytes); the length or -EMSGSIZE.  p2p_partial_covers: whether
 * the value VAL (LEN bytes) of a file whose size is now ISIZE marks every
 * block overlapping [OFF, OFF + N) as present.  A value that is malformed,
 * or for another size, covers nothing (a damaged mark must not make a
 * partial file look complete); N 0 is always covered.
 */
size_t p2p_partial_len(__u64 size);
int p2p_partial_encode(void *buf, size_t cap, __u64 size,
		       const __u8 root[P2P_HASH_LEN]);
bool p2p_partial_covers(const void *val, size_t len, __u64 isize,
			__u64 off, __u64 n);
/* Block I of a valid value: test and set its bit. */
bool p2p_partial_has(const void *val, __u32 i);
void p2p_partial_set(void *val, __u32 i);

#endif /* _P2P_WIRE_H */
