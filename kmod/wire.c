// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * p2pshare frame encoding and decoding, for the kernel and for userspace.
 * Integers are assembled byte by byte, so no byte-order or alignment
 * helpers are needed on either side.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/stat.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#endif
#include "wire.h"

_Static_assert(sizeof(struct p2p_hdr) == P2P_HDR_LEN, "p2p_hdr");
_Static_assert(sizeof(struct p2p_hello_reply_body) == 66, "hello_reply");
_Static_assert(sizeof(struct p2p_stat_reply_body) == 28, "stat_reply");
_Static_assert(sizeof(struct p2p_read_reply_body) == 28, "read_reply");
_Static_assert(sizeof(struct p2p_readdir_reply_head) == 12, "readdir");
_Static_assert(sizeof(struct p2p_dirent_head) == 24, "dirent");
_Static_assert(sizeof(struct p2p_list_reply_head) == 4, "list");
_Static_assert(sizeof(struct p2p_error_head) == 6, "error");
_Static_assert(sizeof(struct p2p_partial_head) == 56, "partial");
_Static_assert(sizeof(struct p2p_blocks_reply_head) == 17, "blocks");

#define S64_LIMIT	0x7fffffffffffffffULL
#define NSEC_LIMIT	1000000000U
#define MAX_ERRNO_VAL	4095

/* Names and paths */

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static bool is_dots(const char *s, size_t len)
{
	return (len == 1 && s[0] == '.') ||
	       (len == 2 && s[0] == '.' && s[1] == '.');
}

bool p2p_name_valid(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > P2P_NAME_MAX || is_dots(s, len))
		return false;
	for (i = 0; i < len; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

static bool hex_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

bool p2p_name_reserved(const char *s, size_t len)
{
	size_t i;

	if (len < 11 || len > 26 || memcmp(s, ".p2p-", 5) ||
	    memcmp(s + len - 5, ".part", 5))
		return false;
	for (i = 5; i < len - 5; i++)
		if (!hex_char(s[i]))
			return false;
	return true;
}

bool p2p_path_reserved(const char *p, size_t len)
{
	const char *end = p + len, *c;

	for (; p < end; p = c + 1) {
		c = memchr(p, '/', end - p);
		if (!c)
			c = end;
		if (p2p_name_reserved(p, c - p))
			return true;
	}
	return false;
}

__u8 p2p_ftype_of(unsigned int mode)
{
	if (S_ISREG(mode))
		return P2P_FTYPE_REG;
	if (S_ISDIR(mode))
		return P2P_FTYPE_DIR;
	if (S_ISLNK(mode))
		return P2P_FTYPE_SYMLINK;
	return P2P_FTYPE_OTHER;
}

bool p2p_component_valid(const char *s, size_t len)
{
	if (len < 1 || len > P2P_COMPONENT_MAX || is_dots(s, len))
		return false;
	return !memchr(s, '\0', len) && !memchr(s, '/', len);
}

static int component_check(const char *s, size_t len)
{
	if (len > P2P_COMPONENT_MAX)
		return -ENAMETOOLONG;
	if (len == 0 || is_dots(s, len))
		return -EINVAL;
	return 0;
}

/*
 * The empty path names the export root. Otherwise: no NUL, no leading or
 * trailing '/', no empty, "." or ".." component. Errors are reported in
 * that order: length, NUL, then components from left to right.
 */
int p2p_path_check(const char *s, size_t len)
{
	const char *end = s + len, *slash;
	int ret;

	if (len > P2P_PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return 0;
	if (memchr(s, '\0', len))
		return -EINVAL;
	for (;;) {
		slash = memchr(s, '/', end - s);
		ret = component_check(s, (slash ? slash : end) - s);
		if (ret || !slash)
			return ret;
		s = slash + 1;
	}
}

/* Reader */

void p2p_rd_init(struct p2p_rd *r, const void *buf, size_t len)
{
	r->p = buf;
	r->len = len;
	r->off = 0;
}

int p2p_get_ptr(struct p2p_rd *r, const void **p, size_t n)
{
	if (n > r->len - r->off)
		return -EINVAL;
	*p = r->p + r->off;
	r->off += n;
	return 0;
}

int p2p_get_bytes(struct p2p_rd *r, void *dst, size_t n)
{
	const void *p;
	int ret;

	ret = p2p_get_ptr(r, &p, n);
	if (!ret)
		memcpy(dst, p, n);
	return ret;
}

static int get_be(struct p2p_rd *r, __u64 *v, size_t n)
{
	const void *p;
	__u64 x = 0;
	size_t i;
	int ret;

	ret = p2p_get_ptr(r, &p, n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		x = x << 8 | ((const __u8 *)p)[i];
	*v = x;
	return 0;
}

int p2p_get_u8(struct p2p_rd *r, __u8 *v)
{
	__u64 x = 0;
	int ret = get_be(r, &x, 1);

	*v = x;
	return ret;
}

int p2p_get_u16(struct p2p_rd *r, __u16 *v)
{
	__u64 x = 0;
	int ret = get_be(r, &x, 2);

	*v = x;
	return ret;
}

int p2p_get_u32(struct p2p_rd *r, __u32 *v)
{
	__u64 x = 0;
	int ret = get_be(r, &x, 4);

	*v = x;
	return ret;
}

int p2p_get_u64(struct p2p_rd *r, __u64 *v)
{
	return get_be(r, v, 8);
}

static int get_s64(struct p2p_rd *r, __s64 *v)
{
	__u64 x = 0;
	int ret = get_be(r, &x, 8);

	*v = (__s64)x;
	return ret;
}

static int get_str(struct p2p_rd *r, struct p2p_str *s, size_t len)
{
	const void *p = NULL;
	int ret;

	ret = p2p_get_ptr(r, &p, len);
	s->s = p;
	s->len = ret ? 0 : len;
	return ret;
}

int p2p_get_name(struct p2p_rd *r, struct p2p_str *s)
{
	__u8 len;
	int ret;

	ret = p2p_get_u8(r, &len);
	if (!ret)
		ret = get_str(r, s, len);
	if (!ret && !p2p_name_valid(s->s, s->len))
		ret = -EINVAL;
	return ret;
}

int p2p_get_path(struct p2p_rd *r, struct p2p_str *s)
{
	__u16 len;
	int ret;

	ret = p2p_get_u16(r, &len);
	if (!ret)
		ret = get_str(r, s, len);
	if (!ret)
		ret = p2p_path_check(s->s, s->len);
	return ret;
}

int p2p_rd_end(const struct p2p_rd *r)
{
	return r->off == r->len ? 0 : -EINVAL;
}

/* Writer */

void p2p_wr_init(struct p2p_wr *w, void *buf, size_t cap)
{
	w->p = buf;
	w->cap = cap;
	w->off = 0;
	w->err = 0;
}

void p2p_put_bytes(struct p2p_wr *w, const void *src, size_t n)
{
	if (w->err)
		return;
	if (n > w->cap - w->off) {
		w->err = -EMSGSIZE;
		return;
	}
	if (n)
		memcpy(w->p + w->off, src, n);
	w->off += n;
}

/* Straight into the buffer: a memcpy per field cost more than the field. */
static void put_be(struct p2p_wr *w, __u64 v, size_t n)
{
	__u8 *p;

	if (w->err)
		return;
	if (n > w->cap - w->off) {
		w->err = -EMSGSIZE;
		return;
	}
	p = w->p + w->off;
	w->off += n;
	while (n--) {
		p[n] = v;
		v >>= 8;
	}
}

void p2p_put_u8(struct p2p_wr *w, __u8 v)
{
	put_be(w, v, 1);
}

void p2p_put_u16(struct p2p_wr *w, __u16 v)
{
	put_be(w, v, 2);
}

void p2p_put_u32(struct p2p_wr *w, __u32 v)
{
	put_be(w, v, 4);
}

void p2p_put_u64(struct p2p_wr *w, __u64 v)
{
	put_be(w, v, 8);
}

int p2p_put_name(struct p2p_wr *w, const struct p2p_str *s)
{
	if (!p2p_name_valid(s->s, s->len))
		return -EINVAL;
	p2p_put_u8(w, s->len);
	p2p_put_bytes(w, s->s, s->len);
	return w->err;
}

int p2p_put_path(struct p2p_wr *w, const struct p2p_str *s)
{
	int ret;

	ret = p2p_path_check(s->s, s->len);
	if (ret)
		return ret;
	p2p_put_u16(w, s->len);
	p2p_put_bytes(w, s->s, s->len);
	return w->err;
}

/* Body length, or the sticky error. */
int p2p_wr_done(const struct p2p_wr *w)
{
	return w->err ? w->err : (int)w->off;
}

/* Error codes */

static const struct {
	int code;
	const char *msg;
} p2p_errors[] = {
	{ EACCES,		"permission denied" },
	{ EPERM,		"operation not permitted" },
	{ ENOENT,		"no such file or directory" },
	{ ENOTDIR,		"not a directory" },
	{ EISDIR,		"is a directory" },
	{ EINVAL,		"invalid argument" },
	{ ENAMETOOLONG,		"name too long" },
	{ ELOOP,		"symbolic link refused" },
	{ EXDEV,		"path crosses a mount point" },
	{ EBUSY,		"server busy" },
	{ ETXTBSY,		"file is being written" },
	{ ENODATA,		"not yet downloaded here" },
	{ EPROTO,		"protocol error" },
	{ EMSGSIZE,		"frame too large" },
	{ ENOSPC,		"no space left on device" },
	{ EDQUOT,		"disk quota exceeded" },
	{ EFBIG,		"file too large" },
	{ EROFS,		"read-only file system" },
	{ ENOSYS,		"unknown operation" },
	{ EAGAIN,		"too many failed handshakes, try later" },
	{ EPROTONOSUPPORT,	"protocol version not supported" },
	{ ENOPROTOOPT,		"no cipher in common" },
	{ EKEYEXPIRED,		"record limit reached, reconnect" },
	{ EIO,			"input/output error" },
};

int p2p_wire_errno(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(p2p_errors) / sizeof(p2p_errors[0]); i++)
		if (p2p_errors[i].code == err)
			return err;
	return EIO;
}

const char *p2p_errno_msg(int code)
{
	size_t i;

	for (i = 0; i < sizeof(p2p_errors) / sizeof(p2p_errors[0]); i++)
		if (p2p_errors[i].code == code)
			return p2p_errors[i].msg;
	return "input/output error";
}

/* Frame header */

__u32 p2p_max_body(__u8 op)
{
	return p2p_op_is_data(op) ? P2P_MAX_DATA_CHUNK : P2P_MAX_BODY;
}

int p2p_hdr_decode(const void *buf, bool from_server, struct p2p_frame *f)
{
	struct p2p_rd r;
	__u16 reserved;

	p2p_rd_init(&r, buf, P2P_HDR_LEN);
	p2p_get_u32(&r, &f->len);
	p2p_get_u8(&r, &f->op);
	p2p_get_u8(&r, &f->flags);
	p2p_get_u16(&r, &reserved);
	p2p_get_u32(&r, &f->tag);

	if (reserved || (f->flags & ~P2P_F_ALL))
		return -EPROTO;
	if ((f->flags & P2P_F_MORE) && !p2p_op_is_data(f->op))
		return -EPROTO;
	if (f->op == P2P_OP_UNSPEC || !(f->op & P2P_OP_REPLY) == from_server)
		return -EPROTO;
	/* Tag 0 is the server's: errors that belong to no request. */
	if (!from_server && !f->tag)
		return -EPROTO;
	if (f->len > p2p_max_body(f->op))
		return -EMSGSIZE;
	return 0;
}

void p2p_hdr_encode(void *buf, const struct p2p_frame *f)
{
	struct p2p_wr w;

	p2p_wr_init(&w, buf, P2P_HDR_LEN);
	p2p_put_u32(&w, f->len);
	p2p_put_u8(&w, f->op);
	p2p_put_u8(&w, f->flags);
	p2p_put_u16(&w, 0);
	p2p_put_u32(&w, f->tag);
}

/* HELLO, HELLO_REPLY, ERROR */

int p2p_enc_hello(void *buf, size_t cap, const struct p2p_hello *m)
{
	struct p2p_wr w;
	int ret;

	if (!m->version_min || m->version_min > m->version_max)
		return -EINVAL;
	p2p_wr_init(&w, buf, cap);
	p2p_put_u16(&w, m->version_min);
	p2p_put_u16(&w, m->version_max);
	ret = p2p_put_name(&w, &m->user);
	return ret ? ret : p2p_wr_done(&w);
}

int p2p_dec_hello(const void *buf, size_t len, struct p2p_hello *m)
{
	struct p2p_rd r;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = p2p_get_u16(&r, &m->version_min);
	if (!ret)
		ret = p2p_get_u16(&r, &m->version_max);
	if (!ret)
		ret = p2p_get_name(&r, &m->user);
	if (!ret)
		ret = p2p_rd_end(&r);
	if (!ret && (!m->version_min || m->version_min > m->version_max))
		ret = -EINVAL;
	return ret;
}

int p2p_enc_hello_reply(void *buf, size_t cap,
			const struct p2p_hello_reply *m)
{
	struct p2p_wr w;

	if (!m->version)
		return -EINVAL;
	p2p_wr_init(&w, buf, cap);
	p2p_put_u16(&w, m->version);
	p2p_put_bytes(&w, m->host_key, P2P_KEY_LEN);
	p2p_put_bytes(&w, m->challenge, P2P_CHALLENGE_LEN);
	return p2p_wr_done(&w);
}

int p2p_dec_hello_reply(const void *buf, size_t len,
			struct p2p_hello_reply *m)
{
	struct p2p_rd r;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = p2p_get_u16(&r, &m->version);
	if (!ret)
		ret = p2p_get_bytes(&r, m->host_key, P2P_KEY_LEN);
	if (!ret)
		ret = p2p_get_bytes(&r, m->challenge, P2P_CHALLENGE_LEN);
	if (!ret)
		ret = p2p_rd_end(&r);
	if (!ret && !m->version)
		ret = -EINVAL;
	return ret;
}

static bool error_valid(const struct p2p_error *m)
{
	return m->code >= 1 && m->code <= MAX_ERRNO_VAL &&
	       m->msg.len <= P2P_ERRMSG_MAX &&
	       (!m->msg.len || !memchr(m->msg.s, '\0', m->msg.len));
}

int p2p_enc_error(void *buf, size_t cap, const struct p2p_error *m)
{
	struct p2p_wr w;

	if (!error_valid(m))
		return -EINVAL;
	p2p_wr_init(&w, buf, cap);
	p2p_put_u32(&w, m->code);
	p2p_put_u16(&w, m->msg.len);
	p2p_put_bytes(&w, m->msg.s, m->msg.len);
	return p2p_wr_done(&w);
}

int p2p_enc_error_code(void *buf, size_t cap, int err, const char *msg)
{
	struct p2p_error e;

	e.code = p2p_wire_errno(err);
	if (!msg)
		msg = p2p_errno_msg(e.code);
	e.msg.s = msg;
	e.msg.len = strlen(msg);
	return p2p_enc_error(buf, cap, &e);
}

const char *p2p_eacces_msg(char *buf, size_t len, unsigned int uid,
			   unsigned int gid)
{
	snprintf(buf, len,
		 "permission denied: on this host you read and write as uid %u gid %u (its administrator can change that with p2pctl user set --uid/--gid, or the file's owner or mode)",
		 uid, gid);
	return buf;
}

int p2p_dec_error(const void *buf, size_t len, struct p2p_error *m)
{
	struct p2p_rd r;
	__u16 msg_len;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = p2p_get_u32(&r, &m->code);
	if (!ret)
		ret = p2p_get_u16(&r, &msg_len);
	if (!ret)
		ret = get_str(&r, &m->msg, msg_len);
	if (!ret)
		ret = p2p_rd_end(&r);
	if (!ret && !error_valid(m))
		ret = -EINVAL;
	return ret;
}

/* Requests naming a file: export name and path first */

static int put_target(struct p2p_wr *w, const struct p2p_str *export,
		      const struct p2p_str *path)
{
	int ret;

	ret = p2p_put_name(w, export);
	if (!ret)
		ret = p2p_put_path(w, path);
	return ret;
}

static int get_target(struct p2p_rd *r, struct p2p_str *export,
		      struct p2p_str *path)
{
	int ret;

	ret = p2p_get_name(r, export);
	if (!ret)
		ret = p2p_get_path(r, path);
	return ret;
}

int p2p_enc_stat_req(void *buf, size_t cap, const struct p2p_stat_req *m)
{
	struct p2p_wr w;
	int ret;

	p2p_wr_init(&w, buf, cap);
	ret = put_target(&w, &m->export, &m->path);
	return ret ? ret : p2p_wr_done(&w);
}

int p2p_dec_stat_req(const void *buf, size_t len, struct p2p_stat_req *m)
{
	struct p2p_rd r;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = get_target(&r, &m->export, &m->path);
	return ret ? ret : p2p_rd_end(&r);
}

int p2p_enc_readdir_req(void *buf, size_t cap,
			const struct p2p_readdir_req *m)
{
	struct p2p_wr w;
	int ret;

	p2p_wr_init(&w, buf, cap);
	ret = put_target(&w, &m->export, &m->path);
	if (ret)
		return ret;
	p2p_put_u64(&w, m->cookie);
	p2p_put_u32(&w, m->max_entries);
	return p2p_wr_done(&w);
}

int p2p_dec_readdir_req(const void *buf, size_t len,
			struct p2p_readdir_req *m)
{
	struct p2p_rd r;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = get_target(&r, &m->export, &m->path);
	if (!ret)
		ret = p2p_get_u64(&r, &m->cookie);
	if (!ret)
		ret = p2p_get_u32(&r, &m->max_entries);
	return ret ? ret : p2p_rd_end(&r);
}

int p2p_enc_read_req(void *buf, size_t cap, const struct p2p_read_req *m)
{
	struct p2p_wr w;
	int ret;

	if (m->offset > S64_LIMIT)
		return -EINVAL;
	p2p_wr_init(&w, buf, cap);
	ret = put_target(&w, &m->export, &m->path);
	if (ret)
		return ret;
	p2p_put_u64(&w, m->offset);
	p2p_put_u64(&w, m->length);
	return p2p_wr_done(&w);
}

int p2p_dec_read_req(const void *buf, size_t len, struct p2p_read_req *m)
{
	struct p2p_rd r;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = get_target(&r, &m->export, &m->path);
	if (!ret)
		ret = p2p_get_u64(&r, &m->offset);
	if (!ret)
		ret = p2p_get_u64(&r, &m->length);
	if (!ret)
		ret = p2p_rd_end(&r);
	if (!ret && m->offset > S64_LIMIT)
		ret = -EINVAL;
	return ret;
}

static int put_req_check(const struct p2p_put_req *m)
{
	if (m->mode & ~P2P_PUT_MODE_MASK)
		return -EINVAL;
	if (m->size > S64_LIMIT)
		return -EFBIG;
	if (!m->path.len)
		return -EISDIR;
	return 0;
}

int p2p_enc_put_req(void *buf, size_t cap, const struct p2p_put_req *m)
{
	struct p2p_wr w;
	int ret;

	p2p_wr_init(&w, buf, cap);
	ret = put_target(&w, &m->export, &m->path);
	if (!ret)
		ret = put_req_check(m);
	if (ret)
		return ret;
	p2p_put_u64(&w, m->size);
	p2p_put_u32(&w, m->mode);
	return p2p_wr_done(&w);
}

int p2p_dec_put_req(const void *buf, size_t len, struct p2p_put_req *m)
{
	struct p2p_rd r;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = get_target(&r, &m->export, &m->path);
	if (!ret)
		ret = p2p_get_u64(&r, &m->size);
	if (!ret)
		ret = p2p_get_u32(&r, &m->mode);
	if (!ret)
		ret = p2p_rd_end(&r);
	if (!ret)
		ret = put_req_check(m);
	return ret;
}

/* HASH, HASH_REPLY */

int p2p_enc_hash_req(void *buf, size_t cap, const struct p2p_hash_req *m)
{
	struct p2p_wr w;
	int ret;

	p2p_wr_init(&w, buf, cap);
	ret = put_target(&w, &m->export, &m->path);
	if (ret)
		return ret;
	p2p_put_u32(&w, m->first);
	return p2p_wr_done(&w);
}

int p2p_dec_hash_req(const void *buf, size_t len, struct p2p_hash_req *m)
{
	struct p2p_rd r;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = get_target(&r, &m->export, &m->path);
	if (!ret)
		ret = p2p_get_u32(&r, &m->first);
	return ret ? ret : p2p_rd_end(&r);
}

__u64 p2p_hash_blocks(__u64 size)
{
	return size / P2P_HASH_BLOCK + !!(size % P2P_HASH_BLOCK);
}

static bool hash_reply_valid(const struct p2p_hash_reply *m)
{
	__u32 want;

	if (m->size > S64_LIMIT || m->mtime_nsec >= NSEC_LIMIT ||
	    m->block_size != P2P_HASH_BLOCK ||
	    m->blocks != p2p_hash_blocks(m->size) || m->first > m->blocks)
		return false;
	want = m->blocks - m->first;
	if (want > P2P_HASH_MAX_COUNT)
		want = P2P_HASH_MAX_COUNT;
	return m->count == want;
}

int p2p_enc_hash_reply(void *buf, size_t cap,
		       const struct p2p_hash_reply *m)
{
	struct p2p_wr w;

	if (!hash_reply_valid(m))
		return -EINVAL;
	p2p_wr_init(&w, buf, cap);
	p2p_put_u64(&w, m->size);
	p2p_put_u64(&w, (__u64)m->mtime_sec);
	p2p_put_u32(&w, m->mtime_nsec);
	p2p_put_u32(&w, m->block_size);
	p2p_put_u32(&w, m->blocks);
	p2p_put_u32(&w, m->first);
	p2p_put_u16(&w, m->count);
	p2p_put_u16(&w, 0);
	p2p_put_bytes(&w, m->root, P2P_HASH_LEN);
	p2p_put_bytes(&w, m->hashes, (size_t)m->count * P2P_HASH_LEN);
	return p2p_wr_done(&w);
}

int p2p_dec_hash_reply(const void *buf, size_t len,
		       struct p2p_hash_reply *m)
{
	const void *hashes = NULL;
	__u16 reserved = 0;
	struct p2p_rd r;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = p2p_get_u64(&r, &m->size);
	if (!ret)
		ret = get_s64(&r, &m->mtime_sec);
	if (!ret)
		ret = p2p_get_u32(&r, &m->mtime_nsec);
	if (!ret)
		ret = p2p_get_u32(&r, &m->block_size);
	if (!ret)
		ret = p2p_get_u32(&r, &m->blocks);
	if (!ret)
		ret = p2p_get_u32(&r, &m->first);
	if (!ret)
		ret = p2p_get_u16(&r, &m->count);
	if (!ret)
		ret = p2p_get_u16(&r, &reserved);
	if (!ret)
		ret = p2p_get_bytes(&r, m->root, P2P_HASH_LEN);
	if (!ret)
		ret = p2p_get_ptr(&r, &hashes, (size_t)m->count * P2P_HASH_LEN);
	if (!ret)
		ret = p2p_rd_end(&r);
	if (!ret && (reserved || !hash_reply_valid(m)))
		ret = -EINVAL;
	m->hashes = hashes;
	return ret;
}

/* BLOCKS_REPLY */

static size_t map_len(__u32 blocks)
{
	return blocks / 8 + !!(blocks % 8);
}

/* The bits past the last block are clear. */
static bool map_tail_clear(const __u8 *map, __u32 blocks)
{
	return !(blocks % 8) || !(map[blocks / 8] >> (blocks % 8));
}

static bool blocks_reply_valid(const struct p2p_blocks_reply *m)
{
	if (m->size > S64_LIMIT || m->blocks != p2p_hash_blocks(m->size) ||
	    (m->flags & ~P2P_BLOCKS_COMPLETE))
		return false;
	if (m->flags & P2P_BLOCKS_COMPLETE)
		return true;
	return sizeof(struct p2p_partial_head) + map_len(m->blocks) <=
	       P2P_PARTIAL_MAX && (!m->map || map_tail_clear(m->map, m->blocks));
}

int p2p_enc_blocks_reply(void *buf, size_t cap,
			 const struct p2p_blocks_reply *m)
{
	struct p2p_wr w;
	size_t i;

	if (!blocks_reply_valid(m))
		return -EINVAL;
	p2p_wr_init(&w, buf, cap);
	p2p_put_u64(&w, m->size);
	p2p_put_u32(&w, P2P_HASH_BLOCK);
	p2p_put_u32(&w, m->blocks);
	p2p_put_u8(&w, m->flags);
	if (m->flags & P2P_BLOCKS_COMPLETE)
		return p2p_wr_done(&w);
	if (m->map) {
		p2p_put_bytes(&w, m->map, map_len(m->blocks));
	} else {
		for (i = 0; i < map_len(m->blocks); i++)
			p2p_put_u8(&w, 0);
	}
	return p2p_wr_done(&w);
}

int p2p_dec_blocks_reply(const void *buf, size_t len,
			 struct p2p_blocks_reply *m)
{
	const void *map = NULL;
	__u32 block_size = 0;
	struct p2p_rd r;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = p2p_get_u64(&r, &m->size);
	if (!ret)
		ret = p2p_get_u32(&r, &block_size);
	if (!ret)
		ret = p2p_get_u32(&r, &m->blocks);
	if (!ret)
		ret = p2p_get_u8(&r, &m->flags);
	if (!ret && block_size != P2P_HASH_BLOCK)
		ret = -EINVAL;
	if (!ret && m->blocks != p2p_hash_blocks(m->size))
		ret = -EINVAL;
	if (!ret && !(m->flags & P2P_BLOCKS_COMPLETE))
		ret = p2p_get_ptr(&r, &map, map_len(m->blocks));
	if (!ret)
		ret = p2p_rd_end(&r);
	m->map = map;
	if (!ret && !blocks_reply_valid(m))
		ret = -EINVAL;
	return ret;
}

/* STAT_REPLY, READ_REPLY */

static bool ftype_valid(__u8 type)
{
	return type > P2P_FTYPE_UNSPEC && type <= P2P_FTYPE_MAX;
}

static bool attr_valid(const struct p2p_fattr *m)
{
	return ftype_valid(m->type) && !(m->mode & ~07777) &&
	       m->mtime_nsec < NSEC_LIMIT;
}

int p2p_enc_attr(void *buf, size_t cap, const struct p2p_fattr *m)
{
	struct p2p_wr w;

	if (!attr_valid(m))
		return -EINVAL;
	p2p_wr_init(&w, buf, cap);
	p2p_put_u8(&w, m->type);
	p2p_put_u8(&w, 0);
	p2p_put_u16(&w, m->mode);
	p2p_put_u32(&w, m->nlink);
	p2p_put_u64(&w, m->size);
	p2p_put_u64(&w, (__u64)m->mtime_sec);
	p2p_put_u32(&w, m->mtime_nsec);
	return p2p_wr_done(&w);
}

int p2p_dec_attr(const void *buf, size_t len, struct p2p_fattr *m)
{
	struct p2p_rd r;
	__u8 reserved = 0;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = p2p_get_u8(&r, &m->type);
	if (!ret)
		ret = p2p_get_u8(&r, &reserved);
	if (!ret)
		ret = p2p_get_u16(&r, &m->mode);
	if (!ret)
		ret = p2p_get_u32(&r, &m->nlink);
	if (!ret)
		ret = p2p_get_u64(&r, &m->size);
	if (!ret)
		ret = get_s64(&r, &m->mtime_sec);
	if (!ret)
		ret = p2p_get_u32(&r, &m->mtime_nsec);
	if (!ret)
		ret = p2p_rd_end(&r);
	if (!ret && (reserved || !attr_valid(m)))
		ret = -EINVAL;
	return ret;
}

static bool read_reply_valid(const struct p2p_read_reply *m)
{
	return m->total <= m->size && m->size <= S64_LIMIT &&
	       m->mtime_nsec < NSEC_LIMIT;
}

int p2p_enc_read_reply(void *buf, size_t cap,
		       const struct p2p_read_reply *m)
{
	struct p2p_wr w;

	if (!read_reply_valid(m))
		return -EINVAL;
	p2p_wr_init(&w, buf, cap);
	p2p_put_u64(&w, m->total);
	p2p_put_u64(&w, m->size);
	p2p_put_u64(&w, (__u64)m->mtime_sec);
	p2p_put_u32(&w, m->mtime_nsec);
	return p2p_wr_done(&w);
}

int p2p_dec_read_reply(const void *buf, size_t len,
		       struct p2p_read_reply *m)
{
	struct p2p_rd r;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = p2p_get_u64(&r, &m->total);
	if (!ret)
		ret = p2p_get_u64(&r, &m->size);
	if (!ret)
		ret = get_s64(&r, &m->mtime_sec);
	if (!ret)
		ret = p2p_get_u32(&r, &m->mtime_nsec);
	if (!ret)
		ret = p2p_rd_end(&r);
	if (!ret && !read_reply_valid(m))
		ret = -EINVAL;
	return ret;
}

/* List builders: the head is written by finish, over reserved space. */

static void list_init(struct p2p_list_builder *b, void *buf, size_t cap,
		      size_t head)
{
	p2p_wr_init(&b->w, buf, cap);
	b->count = 0;
	if (head > cap)
		b->w.err = -EMSGSIZE;
	else
		b->w.off = head;
}

/* Append one entry, or nothing at all if it does not fit. */
static int list_commit(struct p2p_list_builder *b, struct p2p_wr *w)
{
	if (b->w.err)
		return b->w.err;
	if (w->err)
		return w->err;
	if (b->count >= 0xffff)
		return -EMSGSIZE;
	b->w.off = w->off;
	b->count++;
	return 0;
}

static bool dirent_valid(const struct p2p_dirent *e)
{
	return ftype_valid(e->type) && !(e->mode & ~07777) &&
	       e->mtime_nsec < NSEC_LIMIT &&
	       p2p_component_valid(e->name.s, e->name.len);
}

void p2p_readdir_reply_init(struct p2p_list_builder *b, void *buf,
			    size_t cap)
{
	list_init(b, buf, cap, sizeof(struct p2p_readdir_reply_head));
}

int p2p_readdir_reply_add(struct p2p_list_builder *b,
			  const struct p2p_dirent *e)
{
	struct p2p_wr w = b->w;

	if (!dirent_valid(e))
		return -EINVAL;
	p2p_put_u8(&w, e->type);
	p2p_put_u8(&w, e->name.len);
	p2p_put_u16(&w, e->mode);
	p2p_put_u32(&w, e->mtime_nsec);
	p2p_put_u64(&w, e->size);
	p2p_put_u64(&w, (__u64)e->mtime_sec);
	p2p_put_bytes(&w, e->name.s, e->name.len);
	return list_commit(b, &w);
}

int p2p_readdir_reply_finish(struct p2p_list_builder *b, __u64 cookie,
			     bool end)
{
	struct p2p_wr w;

	if (b->w.err)
		return b->w.err;
	if (!b->count && !end)
		return -EINVAL;
	p2p_wr_init(&w, b->w.p, b->w.cap);
	p2p_put_u64(&w, cookie);
	p2p_put_u16(&w, b->count);
	p2p_put_u8(&w, end);
	p2p_put_u8(&w, 0);
	return p2p_wr_done(&b->w);
}

int p2p_next_dirent(struct p2p_rd *it, struct p2p_dirent *e)
{
	__u8 name_len;
	int ret;

	ret = p2p_get_u8(it, &e->type);
	if (!ret)
		ret = p2p_get_u8(it, &name_len);
	if (!ret)
		ret = p2p_get_u16(it, &e->mode);
	if (!ret)
		ret = p2p_get_u32(it, &e->mtime_nsec);
	if (!ret)
		ret = p2p_get_u64(it, &e->size);
	if (!ret)
		ret = get_s64(it, &e->mtime_sec);
	if (!ret)
		ret = get_str(it, &e->name, name_len);
	if (!ret && !dirent_valid(e))
		ret = -EINVAL;
	return ret;
}

int p2p_dec_readdir_reply(const void *buf, size_t len,
			  struct p2p_readdir_reply *m)
{
	struct p2p_dirent e;
	struct p2p_rd r;
	__u8 end = 0, reserved = 0;
	unsigned int i;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = p2p_get_u64(&r, &m->cookie);
	if (!ret)
		ret = p2p_get_u16(&r, &m->count);
	if (!ret)
		ret = p2p_get_u8(&r, &end);
	if (!ret)
		ret = p2p_get_u8(&r, &reserved);
	if (ret)
		return ret;
	/* An empty reply that is not the end would make a client spin. */
	if (end > 1 || reserved || (!m->count && !end))
		return -EINVAL;
	m->end = end;
	m->entries = r;
	for (i = 0; i < m->count && !ret; i++)
		ret = p2p_next_dirent(&r, &e);
	return ret ? ret : p2p_rd_end(&r);
}

static bool export_valid(const struct p2p_export_ent *e)
{
	return e->access > P2P_ACCESS_UNSPEC && e->access <= P2P_ACCESS_MAX &&
	       p2p_name_valid(e->name.s, e->name.len);
}

void p2p_list_reply_init(struct p2p_list_builder *b, void *buf, size_t cap)
{
	list_init(b, buf, cap, sizeof(struct p2p_list_reply_head));
}

int p2p_list_reply_add(struct p2p_list_builder *b,
		       const struct p2p_export_ent *e)
{
	struct p2p_wr w = b->w;

	if (!export_valid(e))
		return -EINVAL;
	p2p_put_u8(&w, e->access);
	p2p_put_u8(&w, e->name.len);
	p2p_put_bytes(&w, e->name.s, e->name.len);
	return list_commit(b, &w);
}

int p2p_list_reply_finish(struct p2p_list_builder *b, bool truncated)
{
	struct p2p_wr w;

	if (b->w.err)
		return b->w.err;
	p2p_wr_init(&w, b->w.p, b->w.cap);
	p2p_put_u16(&w, b->count);
	p2p_put_u8(&w, truncated ? P2P_LS_TRUNCATED : 0);
	p2p_put_u8(&w, 0);
	return p2p_wr_done(&b->w);
}

int p2p_next_export(struct p2p_rd *it, struct p2p_export_ent *e)
{
	__u8 name_len;
	int ret;

	ret = p2p_get_u8(it, &e->access);
	if (!ret)
		ret = p2p_get_u8(it, &name_len);
	if (!ret)
		ret = get_str(it, &e->name, name_len);
	if (!ret && !export_valid(e))
		ret = -EINVAL;
	return ret;
}

int p2p_dec_list_reply(const void *buf, size_t len,
		       struct p2p_list_reply *m)
{
	struct p2p_export_ent e;
	struct p2p_rd r;
	__u8 reserved = 0;
	unsigned int i;
	int ret;

	p2p_rd_init(&r, buf, len);
	ret = p2p_get_u16(&r, &m->count);
	if (!ret)
		ret = p2p_get_u8(&r, &m->flags);
	if (!ret)
		ret = p2p_get_u8(&r, &reserved);
	if (ret)
		return ret;
	if (reserved || (m->flags & ~P2P_LS_ALL))
		return -EINVAL;
	m->entries = r;
	for (i = 0; i < m->count && !ret; i++)
		ret = p2p_next_export(&r, &e);
	return ret ? ret : p2p_rd_end(&r);
}

/* Handshake prologue */

int p2p_prologue(void *buf, size_t cap, const struct p2p_hello *hello,
		 __u16 version, const __u8 *challenge)
{
	struct p2p_wr w;
	int ret;

	p2p_wr_init(&w, buf, cap);
	p2p_put_bytes(&w, P2P_PROLOGUE_LABEL, P2P_PROLOGUE_LABEL_LEN);
	p2p_put_u8(&w, 0);
	p2p_put_u16(&w, hello->version_min);
	p2p_put_u16(&w, hello->version_max);
	p2p_put_u16(&w, version);
	ret = p2p_put_name(&w, &hello->user);
	if (ret)
		return ret;
	p2p_put_bytes(&w, challenge, P2P_CHALLENGE_LEN);
	return p2p_wr_done(&w);
}

/* Partial files (PROTOCOL.md 7.7). */

static __u64 partial_blocks(__u64 size)
{
	return size / P2P_HASH_BLOCK + (size % P2P_HASH_BLOCK != 0);
}

size_t p2p_partial_len(__u64 size)
{
	__u64 len = sizeof(struct p2p_partial_head) +
		    (partial_blocks(size) + 7) / 8;

	return len > P2P_PARTIAL_MAX ? 0 : (size_t)len;
}

int p2p_partial_encode(void *buf, size_t cap, __u64 size,
		       const __u8 root[P2P_HASH_LEN])
{
	size_t len = p2p_partial_len(size);
	struct p2p_wr w;

	if (!len || len > cap || size > S64_LIMIT)
		return -EMSGSIZE;
	memset(buf, 0, len);
	p2p_wr_init(&w, buf, len);
	p2p_put_bytes(&w, P2P_PARTIAL_MAGIC, P2P_PARTIAL_MAGIC_LEN);
	p2p_put_u64(&w, size);
	p2p_put_u32(&w, P2P_HASH_BLOCK);
	p2p_put_u32(&w, (__u32)partial_blocks(size));
	p2p_put_bytes(&w, root, P2P_HASH_LEN);
	return w.err ? w.err : (int)len;
}

bool p2p_partial_has(const void *val, __u32 i)
{
	const __u8 *map = (const __u8 *)val + sizeof(struct p2p_partial_head);

	return map[i / 8] & (1u << (i % 8));
}

void p2p_partial_set(void *val, __u32 i)
{
	__u8 *map = (__u8 *)val + sizeof(struct p2p_partial_head);

	map[i / 8] |= 1u << (i % 8);
}

/* The value is well formed for a file of ISIZE bytes. */
static bool partial_valid(const void *val, size_t len, __u64 isize)
{
	__u32 block_size, blocks;
	struct p2p_rd r;
	__u64 size;

	if (len < sizeof(struct p2p_partial_head) ||
	    memcmp(val, P2P_PARTIAL_MAGIC, P2P_PARTIAL_MAGIC_LEN))
		return false;
	p2p_rd_init(&r, val, len);
	r.off = P2P_PARTIAL_MAGIC_LEN;
	if (p2p_get_u64(&r, &size) || p2p_get_u32(&r, &block_size) ||
	    p2p_get_u32(&r, &blocks))
		return false;
	return size == isize && block_size == P2P_HASH_BLOCK &&
	       blocks == partial_blocks(size) && len == p2p_partial_len(size);
}

int p2p_partial_blocks(const void *val, size_t len, __u64 isize,
		       struct p2p_blocks_reply *m)
{
	if (!p2p_partial_len(isize) || isize > S64_LIMIT)
		return -EFBIG;
	m->size = isize;
	m->blocks = (__u32)partial_blocks(isize);
	m->flags = 0;
	m->map = NULL;
	if (val && partial_valid(val, len, isize))
		m->map = (const __u8 *)val + sizeof(struct p2p_partial_head);
	return 0;
}

bool p2p_partial_covers(const void *val, size_t len, __u64 isize,
			__u64 off, __u64 n)
{
	__u64 i, last;

	if (!n)
		return true;
	if (!partial_valid(val, len, isize) || off >= isize ||
	    n > isize - off)
		return false;
	last = (off + n - 1) / P2P_HASH_BLOCK;
	for (i = off / P2P_HASH_BLOCK; i <= last; i++)
		if (!p2p_partial_has(val, (__u32)i))
			return false;
	return true;
}
