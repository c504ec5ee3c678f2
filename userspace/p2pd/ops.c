// SPDX-License-Identifier: GPL-2.0
/*
 * The operations of an authenticated connection, one function each, in the
 * order of checks of kmod/ops.c. Every one checks the grant first; the
 * thread already runs with the user's file-system identity.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <sodium.h>

#include "hashes.h"
#include "ktls.h"
#include "p2pd.h"

static int reply(struct pd_conn *c, uint8_t op, int len)
{
	if (len < 0)
		return pd_conn_send_error(c, len, NULL);
	return pd_conn_send(c, op, 0, c->wbuf, len, 0);
}

/* A recoverable failure: say so and go on with the next request. */
static int fail(struct pd_conn *c, int err, const char *msg)
{
	char buf[192];

	if (!msg && (err == EACCES || err == -EACCES) && c->user)
		msg = p2p_eacces_msg(buf, sizeof(buf), c->user->uid,
				     c->user->gid);
	return pd_conn_send_error(c, err, msg);
}

/* A request body the decoder refused: its code, as PROTOCOL.md sets it. */
static int malformed(struct pd_conn *c, int err, const char *msg)
{
	return fail(c, err, err == -EINVAL ? msg : NULL);
}

static const struct p2p_model_export *export_of(struct pd_conn *c,
					 const struct p2p_str *name,
					 enum pd_grant_mode *mode)
{
	return pd_export_find(c->cfg, name->s, name->len, c->user, mode);
}

/* An O_PATH descriptor's file of the given type, opened for reading. */
static int open_checked(int pathfd, bool dir)
{
	struct stat st;

	if (fstat(pathfd, &st))
		return -errno;
	if (dir && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (!dir && S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!dir && S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!dir && !S_ISREG(st.st_mode))
		return -EINVAL;
	return pd_reopen(pathfd, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
}

static int open_in(const struct p2p_model_export *e, const struct p2p_str *path,
		   bool dir)
{
	int pathfd, fd;

	pathfd = pd_resolve(e->fd, path->s, path->len);
	if (pathfd < 0)
		return pathfd;
	fd = open_checked(pathfd, dir);
	close(pathfd);
	return fd;
}

/*
 * The file (or directory) a request names, opened for reading: its fd, or
 * -1 once the error frame is sent, with *ret what the handler returns.
 */
static int open_target(struct pd_conn *c, const struct p2p_str *export,
		       const struct p2p_str *path, bool dir, int *ret)
{
	const struct p2p_model_export *e;
	enum pd_grant_mode mode;
	int fd;

	e = export_of(c, export, &mode);
	if (!e) {
		*ret = fail(c, ENOENT, "no such export");
		return -1;
	}
	fd = open_in(e, path, dir);
	if (fd < 0) {
		*ret = fail(c, fd, NULL);
		return -1;
	}
	return fd;
}

/* LIST_EXPORTS */

static int op_list_exports(struct pd_conn *c, uint32_t len)
{
	const struct pd_config *cfg = c->cfg;
	struct p2p_list_builder b;
	struct p2p_export_ent ent;
	bool truncated = false;
	int i, j;

	if (len)
		return fail(c, EINVAL, "LIST_EXPORTS takes no body");
	p2p_list_reply_init(&b, c->wbuf, PD_BUF_LEN);
	for (i = 0; i < cfg->model.n_exports && !truncated; i++) {
		const struct p2p_model_export *e = &cfg->model.exports[i];

		for (j = 0; j < e->n_grants; j++) {
			if (e->grants[j].u != c->user)
				continue;
			ent.access = e->grants[j].mode;
			ent.name.s = e->name;
			ent.name.len = strlen(e->name);
			truncated = p2p_list_reply_add(&b, &ent) == -EMSGSIZE;
			break;
		}
	}
	return reply(c, P2P_OP_LIST_EXPORTS_REPLY,
		     p2p_list_reply_finish(&b, truncated));
}

/* STAT: a symlink is reported as itself. */

static int op_stat(struct pd_conn *c, uint32_t len)
{
	struct p2p_stat_req req;
	enum pd_grant_mode mode;
	const struct p2p_model_export *e;
	struct p2p_fattr a = { 0 };
	struct stat st;
	int fd, ret;

	ret = p2p_dec_stat_req(c->rbuf, len, &req);
	if (ret)
		return malformed(c, ret, "malformed STAT");
	e = export_of(c, &req.export, &mode);
	if (!e)
		return fail(c, ENOENT, "no such export");
	fd = pd_resolve(e->fd, req.path.s, req.path.len);
	if (fd < 0)
		return fail(c, fd, NULL);
	ret = fstatat(fd, "", &st, AT_EMPTY_PATH) ? -errno : 0;
	close(fd);
	if (ret)
		return fail(c, ret, NULL);
	a.type = p2p_ftype_of(st.st_mode);
	a.mode = st.st_mode & 07777;
	a.nlink = st.st_nlink;
	a.size = st.st_size;
	a.mtime_sec = st.st_mtim.tv_sec;
	a.mtime_nsec = st.st_mtim.tv_nsec;
	return reply(c, P2P_OP_STAT_REPLY,
		     p2p_enc_attr(c->wbuf, PD_BUF_LEN, &a));
}

/* READDIR: getdents64 from the cookie on; the cookie is a d_off. */

struct rd {
	struct p2p_list_builder b;
	unsigned int count, max;
	off_t next;		/* where the next reply starts */
	bool end;
};

/*
 * A mount point shows as type other with zeros, as an entry that vanished:
 * neither the mounted file system nor the directory it covers.
 */
static void dirent_of(int dirfd, const char *name, struct p2p_dirent *e)
{
	struct statx st;

	memset(e, 0, sizeof(*e));
	e->name.s = name;
	e->name.len = strlen(name);
	e->type = P2P_FTYPE_OTHER;	/* vanished meanwhile: zeros */
	if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) ||
	    (st.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return;
	e->type = p2p_ftype_of(st.stx_mode);
	e->mode = st.stx_mode & 07777;
	e->size = st.stx_size;
	e->mtime_sec = st.stx_mtime.tv_sec;
	e->mtime_nsec = st.stx_mtime.tv_nsec;
}

/* 1: the reply is full, 0: go on, < 0: an error. */
static int rd_add(struct rd *rd, int dirfd, const struct dirent64 *d)
{
	struct p2p_dirent e;
	size_t len = strlen(d->d_name);
	int ret;

	if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") ||
	    !p2p_component_valid(d->d_name, len) ||
	    p2p_name_reserved(d->d_name, len))
		goto skip;	/* a name the protocol cannot carry */
	if (rd->count >= rd->max)
		return 1;
	dirent_of(dirfd, d->d_name, &e);
	ret = p2p_readdir_reply_add(&rd->b, &e);
	if (ret == -EMSGSIZE)
		return 1;
	if (ret)
		return ret;
	rd->count++;
skip:
	rd->next = d->d_off;
	return 0;
}

static int rd_fill(struct rd *rd, int dirfd, char *buf, size_t cap)
{
	ssize_t n, off;
	int ret;

	for (;;) {
		n = getdents64(dirfd, buf, cap);
		if (n < 0)
			return -errno;
		if (n == 0) {
			rd->end = true;
			return 0;
		}
		for (off = 0; off < n; off += ((struct dirent64 *)(buf + off))->d_reclen) {
			ret = rd_add(rd, dirfd, (struct dirent64 *)(buf + off));
			if (ret)
				return ret < 0 ? ret : 0;
		}
	}
}

static int do_readdir(struct pd_conn *c, int dirfd,
		      const struct p2p_readdir_req *req)
{
	struct rd rd = { .max = req->max_entries ? req->max_entries : UINT_MAX };
	size_t cap = 32 * 1024;
	char *buf;
	int ret;

	if (req->cookie > LLONG_MAX ||
	    lseek(dirfd, req->cookie, SEEK_SET) != (off_t)req->cookie)
		return -EINVAL;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	rd.next = req->cookie;
	p2p_readdir_reply_init(&rd.b, c->wbuf, PD_BUF_LEN);
	ret = rd_fill(&rd, dirfd, buf, cap);
	free(buf);
	if (ret)
		return ret;
	return p2p_readdir_reply_finish(&rd.b, rd.next, rd.end);
}

static int op_readdir(struct pd_conn *c, uint32_t len)
{
	struct p2p_readdir_req req;
	int fd, ret;

	ret = p2p_dec_readdir_req(c->rbuf, len, &req);
	if (ret)
		return malformed(c, ret, "malformed READDIR");
	fd = open_target(c, &req.export, &req.path, true, &ret);
	if (fd < 0)
		return ret;
	ret = do_readdir(c, fd, &req);
	close(fd);
	return reply(c, P2P_OP_READDIR_REPLY, ret);
}

/* READ: READ_REPLY, then READ_DATA frames of at most 1 MiB. */

static void data_hdr(struct pd_conn *c, uint8_t *hdr, uint8_t flags,
		     uint32_t len)
{
	struct p2p_frame f = {
		.len = len, .op = P2P_OP_READ_DATA, .flags = flags,
		.tag = c->tag,
	};

	p2p_hdr_encode(hdr, &f);
}

/* sendfile(2): the page-cache pages go to the socket, never copied. */
static int chunk_sendfile(struct pd_conn *c, int fd, off_t *pos,
			  uint8_t *hdr, size_t len)
{
	struct iovec iov = { hdr, P2P_HDR_LEN };
	ssize_t n;
	int ret;

	ret = pd_conn_sendv(c, &iov, 1, len ? MSG_MORE : 0);
	while (!ret && len) {
		ret = pd_conn_count(c, len);
		if (ret)
			return ret;
		n = sendfile(c->fd, fd, pos, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)	/* 0: the file shrank under us */
			return -EIO;
		len -= n;
	}
	return ret;
}

/* Copy: pread into a buffer and send it; the header rides with the first. */
static int chunk_copy(struct pd_conn *c, int fd, off_t *pos, uint8_t *hdr,
		      size_t len, bool more)
{
	struct iovec iov[2] = { { hdr, P2P_HDR_LEN } };
	int cnt = 1, ret;
	ssize_t n;

	for (;;) {
		if (len) {
			n = pread(fd, c->iobuf,
				  len < PD_IOBUF_LEN ? len : PD_IOBUF_LEN, *pos);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)	/* 0: the file shrank under us */
				return -EIO;
			iov[cnt].iov_base = c->iobuf;
			iov[cnt++].iov_len = n;
			*pos += n;
			len -= n;
		}
		ret = pd_conn_sendv(c, iov, cnt, len || more ? MSG_MORE : 0);
		if (ret || !len)
			return ret;
		cnt = 0;
	}
}

/*
 * Records one READ_DATA frame of len bytes may make, written as chunk_*()
 * write it: 1 + n / 2^14 per write(2) or sendfile(2) of n bytes.
 */
static uint64_t chunk_records(const struct pd_conn *c, uint64_t len)
{
	uint64_t calls;

	if (c->cfg->mode == PD_MODE_SENDFILE)
		return 1 + p2p_records_of(len);	/* header, then the file */
	calls = len ? (len + PD_IOBUF_LEN - 1) / PD_IOBUF_LEN : 1;
	return calls + (P2P_HDR_LEN + len) / P2P_TLS_MAX_PLAINTEXT;
}

/*
 * Past the record limit the stream ends with ERROR EKEYEXPIRED after the
 * last whole frame; the client resumes from there on a new connection.
 */
static int send_data(struct pd_conn *c, int fd, off_t pos, uint64_t total)
{
	uint8_t hdr[P2P_HDR_LEN];
	uint64_t left = total, chunk;
	int ret;

	if (c->cfg->mode == PD_MODE_COPY && !c->iobuf) {
		c->iobuf = malloc(PD_IOBUF_LEN);
		if (!c->iobuf)
			return -ENOMEM;
	}
	do {
		chunk = left < P2P_MAX_DATA_CHUNK ? left : P2P_MAX_DATA_CHUNK;
		left -= chunk;
		data_hdr(c, hdr, left ? P2P_F_MORE : 0, chunk);
		ret = pd_conn_reserve(c, chunk_records(c, chunk));
		if (ret)
			return ret;
		if (c->cfg->mode == PD_MODE_SENDFILE)
			ret = chunk_sendfile(c, fd, &pos, hdr, chunk);
		else
			ret = chunk_copy(c, fd, &pos, hdr, chunk, left > 0);
	} while (!ret && left);
	return ret;
}

/*
 * A partial file (PROTOCOL.md 7.7), as kmod/ops.c reads its mark: no mark
 * or no xattrs here is a complete file; a mark that cannot be read whole
 * counts as one with no block present.
 */
static bool unmarked(ssize_t len)
{
	return len < 0 && (errno == ENODATA || errno == EOPNOTSUPP);
}

/*
 * The mark of a file: false if it has none (complete); else true with
 * *val (free it) and *len, *val NULL if the mark cannot be read whole.
 */
static bool mark_get(int fd, void **val, ssize_t *len)
{
	*val = NULL;
	*len = fgetxattr(fd, P2P_PARTIAL_XATTR, NULL, 0);
	if (unmarked(*len))
		return false;
	if (*len > 0 && *len <= P2P_PARTIAL_MAX)
		*val = malloc(*len);
	if (*val)
		*len = fgetxattr(fd, P2P_PARTIAL_XATTR, *val, *len);
	if (*val && *len <= 0) {
		free(*val);
		*val = NULL;
	}
	return true;
}

/* The bytes [off, off + n) of a file of size bytes may be served. */
static bool covered(int fd, uint64_t size, uint64_t off, uint64_t n)
{
	ssize_t len;
	void *val;
	bool ret;

	if (!n || !mark_get(fd, &val, &len))
		return true;
	ret = val && p2p_partial_covers(val, len, size, off, n);
	free(val);
	return ret;
}

static int read_file(struct pd_conn *c, int fd, const struct p2p_read_req *req)
{
	struct p2p_read_reply r = { 0 };
	struct stat st;
	int len, ret;

	if (fstat(fd, &st))
		return fail(c, errno, NULL);
	r.size = st.st_size;
	r.mtime_sec = st.st_mtim.tv_sec;
	r.mtime_nsec = st.st_mtim.tv_nsec;
	if (req->offset < r.size)
		r.total = req->length < r.size - req->offset ?
			  req->length : r.size - req->offset;
	if (!covered(fd, r.size, req->offset, r.total))
		return fail(c, ENODATA, "block not yet here");
	len = p2p_enc_read_reply(c->wbuf, PD_BUF_LEN, &r);
	if (len < 0)
		return fail(c, len, NULL);
	ret = pd_conn_send(c, P2P_OP_READ_REPLY, 0, c->wbuf, len, MSG_MORE);
	if (ret)
		return ret;
	/* Past this point a failure cannot be told in-band: close. */
	return send_data(c, fd, req->offset, r.total) ? -EIO : 0;
}

static int op_read(struct pd_conn *c, uint32_t len)
{
	struct p2p_read_req req;
	int fd, ret;

	ret = p2p_dec_read_req(c->rbuf, len, &req);
	if (ret)
		return malformed(c, ret, "malformed READ");
	fd = open_target(c, &req.export, &req.path, false, &ret);
	if (fd < 0)
		return ret;
	ret = read_file(c, fd, &req);
	close(fd);
	return ret;
}

/*
 * HASH: computed on every request (no cache here).  The twin cannot see
 * other writers as the module does: a file changed while hashed is
 * ETXTBSY.
 */

#define HASH_MAX_BLOCKS	(1U << 19)

static bool unchanged(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static int hash_fd(int fd, const struct stat *st, uint8_t (*h)[P2P_HASH_LEN],
		   uint32_t blocks)
{
	uint8_t *buf = malloc(P2P_HASH_BLOCK);
	uint64_t off = 0, n;
	uint32_t i;
	ssize_t got;
	size_t done;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < blocks; i++, off += n) {
		n = (uint64_t)st->st_size - off;
		if (n > P2P_HASH_BLOCK)
			n = P2P_HASH_BLOCK;
		for (done = 0; done < n; done += got) {
			got = pread(fd, buf + done, n - done, off + done);
			if (got < 0 && errno == EINTR) {
				got = 0;
				continue;
			}
			if (got <= 0) {
				free(buf);
				return got ? -errno : -ETXTBSY;
			}
		}
		p2p_hash_block(buf, n, h[i]);
	}
	free(buf);
	return 0;
}

static int do_hash(struct pd_conn *c, int fd, uint32_t first)
{
	struct p2p_hash_reply r = { .block_size = P2P_HASH_BLOCK };
	uint8_t (*h)[P2P_HASH_LEN];
	struct stat st, after;
	int ret;

	if (fstat(fd, &st))
		return -errno;
	r.size = st.st_size;
	r.mtime_sec = st.st_mtim.tv_sec;
	r.mtime_nsec = st.st_mtim.tv_nsec;
	if (p2p_hash_blocks(r.size) > HASH_MAX_BLOCKS)
		return -EFBIG;
	r.blocks = p2p_hash_blocks(r.size);
	if (first > r.blocks)
		return -EINVAL;
	h = calloc(r.blocks ? r.blocks : 1, P2P_HASH_LEN);
	if (!h)
		return -ENOMEM;
	ret = hash_fd(fd, &st, h, r.blocks);
	if (!ret && (fstat(fd, &after) || !unchanged(&st, &after)))
		ret = -ETXTBSY;
	if (!ret) {
		p2p_hash_root(r.size, (const uint8_t (*)[P2P_HASH_LEN])h,
			      r.blocks, r.root);
		r.first = first;
		r.count = r.blocks - first > P2P_HASH_MAX_COUNT ?
			  P2P_HASH_MAX_COUNT : r.blocks - first;
		r.hashes = h[first];
		ret = p2p_enc_hash_reply(c->wbuf, PD_BUF_LEN, &r);
	}
	free(h);
	return ret;
}

static int op_hash(struct pd_conn *c, uint32_t len)
{
	struct p2p_hash_req req;
	int fd, ret;

	ret = p2p_dec_hash_req(c->rbuf, len, &req);
	if (ret)
		return malformed(c, ret, "malformed HASH");
	fd = open_target(c, &req.export, &req.path, false, &ret);
	if (fd < 0)
		return ret;
	if (!unmarked(fgetxattr(fd, P2P_PARTIAL_XATTR, NULL, 0))) {
		close(fd);
		return fail(c, ENODATA, "file incomplete here");
	}
	ret = do_hash(c, fd, req.first);
	close(fd);
	if (ret == -EINVAL)
		return fail(c, EINVAL, "first block past the last");
	if (ret < 0)
		return fail(c, ret, NULL);
	return reply(c, P2P_OP_HASH_REPLY, ret);
}

/* BLOCKS: which blocks of a file are here (PROTOCOL.md 7.8). */

static int blocks_reply(struct pd_conn *c, int fd)
{
	struct p2p_blocks_reply r = { .flags = P2P_BLOCKS_COMPLETE };
	struct stat st;
	ssize_t vlen;
	void *val;
	int ret = 0;

	if (fstat(fd, &st))
		return fail(c, errno, NULL);
	if (mark_get(fd, &val, &vlen)) {
		ret = p2p_partial_blocks(val, vlen, st.st_size, &r);
	} else {
		r.size = st.st_size;
		r.blocks = p2p_hash_blocks(st.st_size);
	}
	if (!ret)
		ret = reply(c, P2P_OP_BLOCKS_REPLY,
			    p2p_enc_blocks_reply(c->wbuf, PD_BUF_LEN, &r));
	else
		ret = fail(c, ret, "file too large for a block map");
	free(val);
	return ret;
}

static int op_blocks(struct pd_conn *c, uint32_t len)
{
	struct p2p_stat_req req;
	int fd, ret;

	ret = p2p_dec_stat_req(c->rbuf, len, &req);
	if (ret)
		return malformed(c, ret, "malformed BLOCKS");
	fd = open_target(c, &req.export, &req.path, false, &ret);
	if (fd < 0)
		return ret;
	ret = blocks_reply(c, fd);
	close(fd);
	return ret;
}

/* PUT: PUT_BEGIN, OK, PUT_DATA frames totalling the size, OK. */

struct upload {
	int dir;			/* O_PATH of the parent directory */
	int fd;				/* the file written */
	bool named;			/* no O_TMPFILE here: under tmpname */
	char name[P2P_COMPONENT_MAX + 1];
	char tmpname[32];
};

/* Split "a/b/c" into the parent "a/b" and the last component "c". */
static void split_last(const struct p2p_str *path, struct p2p_str *parent,
		       char *name)
{
	size_t i = path->len;

	while (i && path->s[i - 1] != '/')
		i--;
	parent->s = path->s;
	parent->len = i ? i - 1 : 0;
	memcpy(name, path->s + i, path->len - i);
	name[path->len - i] = '\0';
}

static void new_tmpname(struct upload *up)
{
	uint64_t r;

	randombytes_buf(&r, sizeof(r));
	snprintf(up->tmpname, sizeof(up->tmpname), ".p2p-%016llx.part",
		 (unsigned long long)r);
}

/* A directory under the target's name is refused before any data. */
static int target_ok(struct upload *up)
{
	struct stat st;

	if (!fstatat(up->dir, up->name, &st, AT_SYMLINK_NOFOLLOW))
		return S_ISDIR(st.st_mode) ? -EISDIR : 0;
	return errno == ENOENT ? 0 : -errno;
}

/*
 * An unnamed file (O_TMPFILE), as the module writes uploads; on a file
 * system without it, a reserved name (p2p_name_reserved) that no request
 * can reach.
 */
static int upload_begin(struct upload *up, const struct p2p_model_export *e,
			const struct p2p_str *path, uint32_t mode)
{
	struct p2p_str parent;
	struct stat st;
	int ret;

	split_last(path, &parent, up->name);
	up->fd = -1;
	up->named = false;
	if (p2p_name_reserved(up->name, strlen(up->name)))
		return -EINVAL;
	up->dir = pd_resolve(e->fd, parent.s, parent.len);
	if (up->dir < 0)
		return up->dir;
	ret = fstat(up->dir, &st) ? -errno : 0;
	/* The parent's symlink is not followed, but it is in the path. */
	if (!ret && S_ISLNK(st.st_mode))
		ret = -ELOOP;
	else if (!ret && !S_ISDIR(st.st_mode))
		ret = -ENOTDIR;
	if (!ret)
		ret = target_ok(up);
	if (ret)
		goto err_close;
	up->fd = openat(up->dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC,
			mode & 0777);
	if (up->fd < 0 && errno == EOPNOTSUPP) {
		up->named = true;
		new_tmpname(up);
		/* One component of our making: it cannot leave the directory. */
		up->fd = openat(up->dir, up->tmpname,
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				O_CLOEXEC, mode & 0777);
	}
	if (up->fd >= 0)
		return 0;
	ret = -errno;
err_close:
	close(up->dir);
	return ret;
}

/* Remove the partial file; the target name was never touched. */
static void upload_abort(struct upload *up)
{
	if (up->fd >= 0)
		close(up->fd);
	if (up->named)
		unlinkat(up->dir, up->tmpname, 0);
	close(up->dir);
}

/*
 * The file written gets a name: the unnamed one a fresh reserved name
 * (linkat through /proc, which needs no capability, unlike AT_EMPTY_PATH),
 * the named one is checked to be still ours. Userspace cannot hold the
 * directory's lock as the module does, but no request reaches the name.
 */
static int name_upload(struct upload *up)
{
	char proc[40];
	struct stat a, b;

	if (!up->named) {
		new_tmpname(up);
		snprintf(proc, sizeof(proc), "/proc/thread-self/fd/%d", up->fd);
		return linkat(AT_FDCWD, proc, up->dir, up->tmpname,
			      AT_SYMLINK_FOLLOW) ? -errno : 0;
	}
	if (fstat(up->fd, &a) ||
	    fstatat(up->dir, up->tmpname, &b, AT_SYMLINK_NOFOLLOW))
		return -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino ? 0 : -ENOENT;
}

static int upload_commit(struct upload *up)
{
	int ret;

	ret = fsync(up->fd) ? -errno : 0;
	if (!ret)
		ret = target_ok(up);
	if (!ret)
		ret = name_upload(up);
	if (!ret && renameat(up->dir, up->tmpname, up->dir, up->name)) {
		ret = -errno;
		up->named = true;	/* the link is removed with the rest */
	}
	if (ret) {
		upload_abort(up);
		return ret;
	}
	close(up->fd);
	close(up->dir);
	return 0;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

static int recv_put_data(struct pd_conn *c, struct upload *up, uint64_t size)
{
	uint8_t hdr[P2P_HDR_LEN];
	struct p2p_frame f;
	uint64_t got = 0;
	uint32_t chunk;
	int ret;

	do {
		ret = pd_conn_recv(c, hdr, sizeof(hdr));
		if (!ret)
			ret = p2p_hdr_decode(hdr, false, &f);
		if (ret)
			return ret;
		if (f.op != P2P_OP_PUT_DATA || f.tag != c->tag ||
		    f.len > size - got)
			return -EPROTO;
		got += f.len;
		while (f.len) {
			chunk = f.len < PD_BUF_LEN ? f.len : PD_BUF_LEN;
			ret = pd_conn_recv(c, c->rbuf, chunk);
			if (!ret)
				ret = write_all(up->fd, c->rbuf, chunk);
			if (ret)
				return ret;
			f.len -= chunk;
		}
	} while (f.flags & P2P_F_MORE);
	return got == size ? 0 : -EPROTO;
}

static int do_put(struct pd_conn *c, const struct p2p_model_export *e,
		  const struct p2p_put_req *req)
{
	struct upload up;
	int ret;

	ret = upload_begin(&up, e, &req->path, req->mode);
	if (ret)	/* EINVAL: only a reserved name gets past wire.c */
		return fail(c, ret, ret == -EINVAL ?
			    "name reserved for uploads in progress" : NULL);
	ret = pd_conn_send(c, P2P_OP_OK, 0, NULL, 0, 0);
	if (!ret)
		ret = recv_put_data(c, &up, req->size);
	if (ret) {
		upload_abort(&up);
		/* The peer may still be sending: answer, then close; after
		 * a record that failed authentication, send nothing. */
		if (ret != -ECONNRESET && ret != -ETIMEDOUT && ret != -EPIPE &&
		    ret != -EBADE && ret != -EKEYEXPIRED)
			pd_conn_send_error(c, ret, NULL);
		return -EIO;
	}
	/* No commit without the OK that tells it: the limit is checked first. */
	if (pd_conn_reserve(c, 1)) {
		upload_abort(&up);
		return -EKEYEXPIRED;
	}
	ret = upload_commit(&up);
	if (ret) {
		/* Every error after PUT_BEGIN's OK closes (PROTOCOL.md 7.5). */
		pd_conn_send_error(c, ret, NULL);
		return -EIO;
	}
	return pd_conn_send(c, P2P_OP_OK, 0, NULL, 0, 0);
}

static int op_put(struct pd_conn *c, uint32_t len)
{
	struct p2p_put_req req;
	enum pd_grant_mode mode;
	const struct p2p_model_export *e;
	int ret;

	ret = p2p_dec_put_req(c->rbuf, len, &req);
	if (ret)
		return malformed(c, ret, "malformed PUT_BEGIN");
	e = export_of(c, &req.export, &mode);
	if (!e)
		return fail(c, ENOENT, "no such export");
	if (mode != PD_GRANT_RW)
		return fail(c, EACCES, "read-only access");
	/* req points into rbuf, which the data frames reuse: keep the path. */
	memmove(c->wbuf, req.path.s, req.path.len);
	req.path.s = (const char *)c->wbuf;
	return do_put(c, e, &req);
}

int pd_ops_dispatch(struct pd_conn *c, uint8_t op, uint32_t len)
{
	switch (op) {
	case P2P_OP_LIST_EXPORTS:
		return op_list_exports(c, len);
	case P2P_OP_STAT:
		return op_stat(c, len);
	case P2P_OP_READDIR:
		return op_readdir(c, len);
	case P2P_OP_READ:
		return op_read(c, len);
	case P2P_OP_PUT_BEGIN:
		return op_put(c, len);
	case P2P_OP_HASH:
		return op_hash(c, len);
	case P2P_OP_BLOCKS:
		return op_blocks(c, len);
	case P2P_OP_HELLO:
	case P2P_OP_HANDSHAKE1:
	case P2P_OP_PUT_DATA:
		pd_conn_send_error(c, EPROTO, "unexpected operation");
		return -EPROTO;
	default:
		return fail(c, ENOSYS, NULL);
	}
}
