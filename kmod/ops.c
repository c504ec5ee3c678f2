// SPDX-License-Identifier: GPL-2.0
/*
 * The operations of an authenticated connection, one function each.  Every
 * one checks the grant first and runs with the user's credentials.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/stat.h>

#include "compat.h"
#include "conn.h"
#include "hash.h"
#include "ops.h"
#include "path.h"
#include "transport.h"
#include "wire.h"

/* A reply body of len bytes in buf, or an error code to answer instead. */
static int reply(struct p2p_conn *conn, u8 op, const u8 *buf, int len)
{
	if (len < 0)
		return p2p_conn_send_error(conn, len, NULL);
	return p2p_conn_send(conn, op, 0, buf, len, 0);
}

/* A recoverable failure: say so and go on with the next request. */
static int fail(struct p2p_conn *conn, int err, const char *msg)
{
	const struct p2p_user *u = conn->account;
	char buf[192];

	if (!msg && (err == EACCES || err == -EACCES) && u)
		msg = p2p_eacces_msg(buf, sizeof(buf),
				     from_kuid_munged(&init_user_ns, u->uid),
				     from_kgid_munged(&init_user_ns, u->gid));
	return p2p_conn_send_error(conn, err, msg);
}

/*
 * A body the decoder refused: its code where PROTOCOL.md names one (a long
 * path is ENAMETOOLONG, a PUT size over 2^63 - 1 EFBIG, PUT of the root
 * EISDIR), else EINVAL with what was malformed.
 */
static int malformed(struct p2p_conn *conn, int err, const char *msg)
{
	return fail(conn, err, err == -EINVAL ? msg : NULL);
}

/*
 * The export a request names, if the user holds a grant on it, recorded in
 * the connection's export set before it is used.  The id is recorded
 * first, the unlinked flag read after: p2p_export_unlink() sets the flag
 * before p2p_server_export_gone() reads each set under its exports_lock,
 * so either that walk finds our id and kills us, or its unlock happened
 * before our lock and we see the flag here.  Never both missed.
 */
static struct p2p_export *export_of(struct p2p_conn *conn,
				    const struct p2p_str *name,
				    enum p2p_grant_mode *mode)
{
	struct p2p_export *exp;

	exp = p2p_export_get(conn->pn, name->s, name->len, conn->account, mode);
	if (!exp)
		return NULL;
	p2p_conn_use_export(conn, p2p_export_id(exp));
	if (!p2p_export_unlinked(exp))
		return exp;
	p2p_export_put(exp);
	return NULL;
}

static int getattr(const struct path *path, struct kstat *st)
{
	return vfs_getattr(path, st, STATX_BASIC_STATS, AT_STATX_SYNC_AS_STAT);
}

/* LIST_EXPORTS */

static int list_one(void *arg, const char *name, enum p2p_grant_mode mode)
{
	struct p2p_list_builder *b = arg;
	struct p2p_export_ent e = {
		.access = mode == P2P_GRANT_RW ? P2P_ACCESS_RW : P2P_ACCESS_RO,
		.name = { .s = name, .len = strlen(name) },
	};

	return p2p_list_reply_add(b, &e);
}

static int op_list_exports(struct p2p_conn *conn, u32 len)
{
	struct p2p_list_builder b;
	u8 *buf;
	int ret;

	if (len)
		return fail(conn, EINVAL, "LIST_EXPORTS takes no body");
	buf = kvmalloc(P2P_MAX_BODY, GFP_KERNEL);
	if (!buf)
		return fail(conn, ENOMEM, NULL);
	p2p_list_reply_init(&b, buf, P2P_MAX_BODY);
	ret = p2p_grants_for_user(conn->pn, conn->account, list_one, &b);
	ret = reply(conn, P2P_OP_LIST_EXPORTS_REPLY, buf,
		    p2p_list_reply_finish(&b, ret == -EMSGSIZE));
	kvfree(buf);
	return ret;
}

/* STAT */

static int op_stat(struct p2p_conn *conn, u32 len)
{
	struct p2p_stat_req req;
	enum p2p_grant_mode mode;
	struct p2p_export *exp;
	struct p2p_fattr a = {};
	struct path path;
	struct kstat st;
	int ret;

	ret = p2p_dec_stat_req(conn->body, len, &req);
	if (ret)
		return malformed(conn, ret, "malformed STAT");
	exp = export_of(conn, &req.export, &mode);
	if (!exp)
		return fail(conn, ENOENT, "no such export");
	ret = p2p_path_resolve(p2p_export_root(exp), req.path.s, req.path.len,
			       &path);
	if (!ret) {
		ret = getattr(&path, &st);
		path_put(&path);
	}
	p2p_export_put(exp);
	if (ret)
		return fail(conn, ret, NULL);
	a.type = p2p_ftype_of(st.mode);
	a.mode = st.mode & 07777;
	a.nlink = st.nlink;
	a.size = st.size;
	a.mtime_sec = st.mtime.tv_sec;
	a.mtime_nsec = st.mtime.tv_nsec;
	return reply(conn, P2P_OP_STAT_REPLY, conn->wbuf,
		     p2p_enc_attr(conn->wbuf, conn->wsize, &a));
}

/* READDIR: names first (the directory is locked meanwhile), then stats. */

struct rd_name {
	loff_t pos;
	u8 len;
	char name[];
};

struct rd_ctx {
	struct dir_context ctx;
	char *buf;
	size_t used, cap;
	unsigned int count, max;
	bool full;
};

static bool rd_fill(struct dir_context *dctx, const char *name, int len,
		    loff_t pos, u64 ino, unsigned int type)
{
	struct rd_ctx *rd = container_of(dctx, struct rd_ctx, ctx);
	size_t need = ALIGN(sizeof(struct rd_name) + len, 8);
	struct rd_name *n;

	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	if (len > P2P_COMPONENT_MAX || !p2p_component_valid(name, len) ||
	    p2p_name_reserved(name, len))
		return true;		/* a name the protocol cannot carry */
	if (rd->count >= rd->max || rd->used + need > rd->cap) {
		rd->full = true;
		return false;
	}
	n = (struct rd_name *)(rd->buf + rd->used);
	n->pos = pos;
	n->len = len;
	memcpy(n->name, name, len);
	rd->used += need;
	rd->count++;
	return true;
}

/* Something is mounted on path in the export's mount tree. */
static bool mounted_on(const struct path *path)
{
	struct path p = *path;
	bool ret;

	if (!d_mountpoint(p.dentry))
		return false;
	path_get(&p);
	ret = follow_down_one(&p);
	path_put(&p);
	return ret;
}

static void dirent_of(struct file *dir, const struct rd_name *n,
		      struct p2p_dirent *e)
{
	struct path path = { .mnt = dir->f_path.mnt };
	struct kstat st;

	memset(e, 0, sizeof(*e));
	e->name.s = n->name;
	e->name.len = n->len;
	e->type = P2P_FTYPE_OTHER;
	path.dentry = lookup_one_len_unlocked(n->name, dir->f_path.dentry,
					      n->len);
	if (IS_ERR(path.dentry))
		return;
	/* Neither the mounted file system nor the directory it covers. */
	if (d_really_is_positive(path.dentry) && !mounted_on(&path) &&
	    !getattr(&path, &st)) {
		e->type = p2p_ftype_of(st.mode);
		e->mode = st.mode & 07777;
		e->size = st.size;
		e->mtime_sec = st.mtime.tv_sec;
		e->mtime_nsec = st.mtime.tv_nsec;
	}
	dput(path.dentry);
}

static int readdir_reply(u8 *out, struct file *dir, struct rd_ctx *rd)
{
	struct p2p_list_builder b;
	struct p2p_dirent e;
	size_t off = 0;
	loff_t next = rd->ctx.pos;
	bool end = !rd->full;
	int ret;

	p2p_readdir_reply_init(&b, out, P2P_MAX_BODY);
	while (off < rd->used) {
		struct rd_name *n = (struct rd_name *)(rd->buf + off);

		dirent_of(dir, n, &e);
		ret = p2p_readdir_reply_add(&b, &e);
		if (ret == -EMSGSIZE) {
			next = n->pos;
			end = false;
			break;
		}
		if (ret)
			return ret;
		off += ALIGN(sizeof(*n) + n->len, 8);
	}
	return p2p_readdir_reply_finish(&b, next, end);
}

/* The reply's body in out (P2P_MAX_BODY bytes): its length or an error. */
static int do_readdir(u8 *out, struct file *dir,
		      const struct p2p_readdir_req *req)
{
	struct rd_ctx rd = {
		.ctx.actor = rd_fill,
		.cap = P2P_MAX_BODY,
		.max = req->max_entries ?: UINT_MAX,
	};
	loff_t pos;
	int ret;

	if (req->cookie > LLONG_MAX)
		return -EINVAL;
	pos = vfs_llseek(dir, req->cookie, SEEK_SET);
	if (pos < 0)
		return pos;
	rd.buf = kvmalloc(rd.cap, GFP_KERNEL);
	if (!rd.buf)
		return -ENOMEM;
	rd.ctx.pos = dir->f_pos;
	ret = iterate_dir(dir, &rd.ctx);
	rd.ctx.pos = dir->f_pos;
	if (!ret)
		ret = readdir_reply(out, dir, &rd);
	kvfree(rd.buf);
	return ret;
}

static int op_readdir(struct p2p_conn *conn, u32 len)
{
	struct p2p_readdir_req req;
	enum p2p_grant_mode mode;
	struct p2p_export *exp;
	struct file *dir;
	u8 *out;
	int ret;

	ret = p2p_dec_readdir_req(conn->body, len, &req);
	if (ret)
		return malformed(conn, ret, "malformed READDIR");
	exp = export_of(conn, &req.export, &mode);
	if (!exp)
		return fail(conn, ENOENT, "no such export");
	dir = p2p_path_open_dir(p2p_export_root(exp), req.path.s,
				req.path.len);
	p2p_export_put(exp);
	if (IS_ERR(dir))
		return fail(conn, PTR_ERR(dir), NULL);
	out = kvmalloc(P2P_MAX_BODY, GFP_KERNEL);
	ret = out ? do_readdir(out, dir, &req) : -ENOMEM;
	__fput_sync(dir);
	ret = reply(conn, P2P_OP_READDIR_REPLY, out, ret);
	kvfree(out);
	return ret;
}

/*
 * READ: READ_REPLY, then READ_DATA frames of at most P2P_MAX_DATA_CHUNK,
 * each header followed by pages of the file, never copied; they go out as
 * the socket takes them (transport.c, p2p_reply_send()).
 */

/*
 * A partial file (PROTOCOL.md 7.7) carries the mark its download keeps.
 * It is read with the credentials the file was opened with and trusted
 * only to refuse: no mark, or a file system without xattrs, is a complete
 * file (one getxattr that fails, the common case); a mark that cannot be
 * read whole counts as one with no block present.
 */
static ssize_t mark_len(struct file *file)
{
	return p2p_vfs_getxattr(&file->f_path, P2P_PARTIAL_XATTR, NULL, 0);
}

static bool unmarked(ssize_t len)
{
	return len == -ENODATA || len == -EOPNOTSUPP;
}

/*
 * The mark of a file: false if it has none (complete); else true with
 * *val (kvfree it) and *len, *val NULL if the mark cannot be read whole.
 */
static bool mark_get(struct file *file, void **val, ssize_t *len)
{
	*val = NULL;
	*len = mark_len(file);
	if (unmarked(*len))
		return false;
	if (*len > 0 && *len <= P2P_PARTIAL_MAX)
		*val = kvmalloc(*len, GFP_KERNEL);
	if (*val)
		*len = p2p_vfs_getxattr(&file->f_path, P2P_PARTIAL_XATTR, *val,
					*len);
	if (*val && *len <= 0) {
		kvfree(*val);
		*val = NULL;
	}
	return true;
}

/* The bytes [off, off + n) of a file of size bytes may be served. */
static bool covered(struct file *file, u64 size, u64 off, u64 n)
{
	ssize_t len;
	void *val;
	bool ret;

	if (!n || !mark_get(file, &val, &len))
		return true;
	ret = val && p2p_partial_covers(val, len, size, off, n);
	kvfree(val);
	return ret;
}

static int read_file(struct p2p_conn *conn, struct file *file,
		     const struct p2p_read_req *req)
{
	struct p2p_frame f = { .op = P2P_OP_READ_REPLY, .tag = conn->tag };
	struct p2p_read_reply r = {};
	struct kstat st;
	int len, ret;

	ret = getattr(&file->f_path, &st);
	if (ret)
		return fail(conn, ret, NULL);
	if (req->offset > LLONG_MAX)
		return fail(conn, EINVAL, "offset out of range");
	r.size = st.size;
	r.mtime_sec = st.mtime.tv_sec;
	r.mtime_nsec = st.mtime.tv_nsec;
	if (req->offset < st.size)
		r.total = min_t(u64, req->length, st.size - req->offset);
	if (!covered(file, st.size, req->offset, r.total))
		return fail(conn, ENODATA, "block not yet here");
	/* wbuf: READ_REPLY's header and body; the reply copies them. */
	len = p2p_enc_read_reply(conn->wbuf + P2P_HDR_LEN,
				 conn->wsize - 2 * P2P_HDR_LEN, &r);
	if (len < 0)
		return fail(conn, len, NULL);
	f.len = len;
	p2p_hdr_encode(conn->wbuf, &f);
	/* Past this point a failure cannot be told in-band: close. */
	return p2p_reply_start(conn, file, req->offset, r.total, conn->wbuf,
			       P2P_HDR_LEN + len);
}

/*
 * Open PATH of EXPORT for reading, confined to the export, as the user:
 * the file, or NULL with *ret what fail() returned after the ERROR frame.
 */
static struct file *open_read(struct p2p_conn *conn, const struct p2p_str *export,
			      const struct p2p_str *path, int *ret)
{
	enum p2p_grant_mode mode;
	struct p2p_export *exp;
	struct file *file;

	exp = export_of(conn, export, &mode);
	if (!exp) {
		*ret = fail(conn, ENOENT, "no such export");
		return NULL;
	}
	file = p2p_path_open_read(p2p_export_root(exp), path->s, path->len);
	p2p_export_put(exp);
	if (IS_ERR(file)) {
		*ret = fail(conn, PTR_ERR(file), NULL);
		return NULL;
	}
	return file;
}

static int op_read(struct p2p_conn *conn, u32 len)
{
	struct p2p_read_req req;
	struct file *file;
	int ret;

	ret = p2p_dec_read_req(conn->body, len, &req);
	if (ret)
		return malformed(conn, ret, "malformed READ");
	file = open_read(conn, &req.export, &req.path, &ret);
	if (!file)
		return ret;
	ret = read_file(conn, file, &req);
	__fput_sync(file);
	return ret;
}

/* HASH: the block hashes from the first the request names. */

static int hash_reply(struct p2p_conn *conn, const struct p2p_hashes *h,
		      u32 first)
{
	struct p2p_hash_reply r = {
		.size = h->key.size,
		.mtime_sec = h->key.mtime.tv_sec,
		.mtime_nsec = h->key.mtime.tv_nsec,
		.block_size = P2P_HASH_BLOCK,
		.blocks = h->blocks,
		.first = first,
	};
	u8 *out;
	int ret;

	if (first > h->blocks)
		return fail(conn, EINVAL, "first block past the last");
	r.count = min_t(u32, h->blocks - first, P2P_HASH_MAX_COUNT);
	r.hashes = h->h[first];
	memcpy(r.root, h->root, sizeof(r.root));
	out = kvmalloc(P2P_MAX_BODY, GFP_KERNEL);
	if (!out)
		return fail(conn, ENOMEM, NULL);
	ret = reply(conn, P2P_OP_HASH_REPLY, out,
		    p2p_enc_hash_reply(out, P2P_MAX_BODY, &r));
	kvfree(out);
	return ret;
}

static int op_hash(struct p2p_conn *conn, u32 len)
{
	struct p2p_hash_req req;
	struct p2p_hashes *h;
	struct file *file;
	int ret;

	ret = p2p_dec_hash_req(conn->body, len, &req);
	if (ret)
		return malformed(conn, ret, "malformed HASH");
	file = open_read(conn, &req.export, &req.path, &ret);
	if (!file)
		return ret;
	if (!unmarked(mark_len(file))) {
		__fput_sync(file);
		return fail(conn, ENODATA, "file incomplete here");
	}
	/* Hashing runs in this connection's worker: killing it stops it. */
	h = p2p_hash_get(file, &conn->killed);
	__fput_sync(file);
	if (IS_ERR(h)) {
		ret = PTR_ERR(h);
		if (ret == -ECONNABORTED)
			return -EIO;
		return fail(conn, ret, ret == -EFBIG ?
			    "file too large to hash" : NULL);
	}
	ret = hash_reply(conn, h, req.first);
	p2p_hash_put(h);
	return ret;
}

/* BLOCKS: which blocks of a file are here (PROTOCOL.md 7.8). */

static int blocks_reply(struct p2p_conn *conn, struct file *file)
{
	struct p2p_blocks_reply r = { .flags = P2P_BLOCKS_COMPLETE };
	void *val = NULL;
	struct kstat st;
	ssize_t vlen;
	u8 *out;
	int ret;

	ret = getattr(&file->f_path, &st);
	if (ret)
		return fail(conn, ret, NULL);
	if (mark_get(file, &val, &vlen)) {
		ret = p2p_partial_blocks(val, vlen, st.size, &r);
	} else {
		r.size = st.size;
		r.blocks = p2p_hash_blocks(st.size);
	}
	out = ret ? NULL : kvmalloc(P2P_MAX_BODY, GFP_KERNEL);
	if (out)
		ret = reply(conn, P2P_OP_BLOCKS_REPLY, out,
			    p2p_enc_blocks_reply(out, P2P_MAX_BODY, &r));
	else
		ret = fail(conn, ret ? ret : ENOMEM, ret == -EFBIG ?
			   "file too large for a block map" : NULL);
	kvfree(out);
	kvfree(val);
	return ret;
}

static int op_blocks(struct p2p_conn *conn, u32 len)
{
	struct p2p_stat_req req;
	struct file *file;
	int ret;

	ret = p2p_dec_stat_req(conn->body, len, &req);
	if (ret)
		return malformed(conn, ret, "malformed BLOCKS");
	file = open_read(conn, &req.export, &req.path, &ret);
	if (!file)
		return ret;
	ret = blocks_reply(conn, file);
	__fput_sync(file);
	return ret;
}

/* PUT: PUT_BEGIN, OK, PUT_DATA frames totalling the size, OK. */

/*
 * An upload in progress (conn->put): its PUT_DATA frames are read as they
 * come, by p2p_ops_put_step(), the connection parking while none is there.
 */
struct p2p_put {
	struct p2p_upload up;
	struct p2p_export *exp;		/* a reference, until the upload ends */
	u64 size, got;			/* got: announced by the frames so far */
	loff_t pos;
	u32 frame_left;			/* of the current frame, to write */
	bool more;			/* the current frame has P2P_F_MORE */
	bool started;			/* a frame was read */
};

/* File bytes a run of p2p_ops_put_step() writes before it yields. */
#define P2P_PUT_BUDGET (256 * 1024)

/*
 * The frames' bytes into the temporary file, as far as they are there:
 * 0 once the last frame is written, -EAGAIN while more is to come,
 * P2P_YIELD, or an error.  The write right is checked again before each
 * frame is written (an RCU lookup): a revoke or a downgrade to ro aborts
 * an upload in flight.
 */
static int put_data(struct p2p_conn *conn, struct p2p_put *put)
{
	size_t budget = P2P_PUT_BUDGET;
	struct p2p_frame f;
	const u8 *p;
	ssize_t n;
	int ret;

	for (;;) {
		while (put->frame_left) {
			if (!budget)
				return P2P_YIELD;
			ret = p2p_conn_recv_some(conn, min_t(size_t, put->frame_left, budget),
						 &p, MSG_DONTWAIT);
			if (ret < 0)
				return ret;
			n = kernel_write(put->up.file, p, ret, &put->pos);
			if (n != ret)
				return n < 0 ? n : -EIO;
			put->frame_left -= ret;
			budget -= ret;
		}
		if (put->started && !put->more)
			return put->got == put->size ? 0 : -EPROTO;
		ret = p2p_conn_recv_hdr(conn, &f, MSG_DONTWAIT);
		if (ret)
			return ret;
		if (f.op != P2P_OP_PUT_DATA || f.tag != conn->tag ||
		    f.len > put->size - put->got)
			return -EPROTO;
		if (p2p_grant_mode(put->exp, conn->account) != P2P_GRANT_RW)
			return -EACCES;
		put->got += f.len;
		put->frame_left = f.len;
		put->more = f.flags & P2P_F_MORE;
		put->started = true;
	}
}

/*
 * The bytes in rbuf with which the upload goes on without the socket:
 * a frame's first, or a whole header.  Fewer are the first part of a
 * header whose rest the socket has not brought yet.
 */
size_t p2p_ops_put_need(struct p2p_conn *conn)
{
	return conn->put->frame_left ? 1 : P2P_HDR_LEN;
}

/* Commit (err 0) or abort the upload, and forget it. */
static int put_end(struct p2p_conn *conn, int err)
{
	struct p2p_put *put = conn->put;

	conn->put = NULL;
	if (err)
		p2p_upload_abort(&put->up);
	else
		err = p2p_upload_commit(&put->up);
	atomic_dec(&p2p_live_uploads);
	p2p_export_put(put->exp);
	kfree(put);
	p2p_conn_trim(conn);
	return err;
}

/* The upload fails: aborted, the peer told why if it can still hear it. */
static int put_failed(struct p2p_conn *conn, int err)
{
	put_end(conn, err);
	/* The peer may still be sending: answer, then close. */
	if (err != -ECONNRESET && err != -ETIMEDOUT && err != -EPIPE &&
	    err != -EBADMSG)
		p2p_conn_send_error(conn, err, NULL);
	return -EIO;
}

/*
 * The upload's next frames, as the user: 0 once answered (OK), -EAGAIN
 * while it waits for the peer, P2P_YIELD, or what ends the connection:
 * every error after PUT_BEGIN's OK closes it (PROTOCOL.md 7.5), the
 * temporary file removed, nothing committed.
 */
int p2p_ops_put_step(struct p2p_conn *conn)
{
	const struct cred *old;
	int ret;

	old = override_creds(conn->cred);
	ret = put_data(conn, conn->put);
	if (ret == -EAGAIN || ret == P2P_YIELD)
		goto out;
	if (ret) {
		ret = put_failed(conn, ret);
		goto out;
	}
	ret = put_end(conn, 0);
	if (ret) {
		p2p_conn_send_error(conn, ret, NULL);
		ret = -EIO;
		goto out;
	}
	p2p_stat_inc(conn->pn, P2P_STAT_FILES_PUT);
	ret = p2p_conn_send(conn, P2P_OP_OK, 0, NULL, 0, 0);
out:
	revert_creds(old);
	return ret;
}

/* An upload cut short by the connection's end. */
void p2p_ops_put_abort(struct p2p_conn *conn)
{
	const struct cred *old;

	if (!conn->put)
		return;
	old = override_creds(conn->cred);
	put_end(conn, -ECONNABORTED);
	revert_creds(old);
}

/* The upload starts; it takes over the reference to exp. */
static int put_begin(struct p2p_conn *conn, struct p2p_export *exp,
		     const struct p2p_put_req *req)
{
	struct p2p_put *put;
	int ret;

	put = kzalloc(sizeof(*put), GFP_KERNEL);
	if (!put) {
		p2p_export_put(exp);
		return fail(conn, ENOMEM, NULL);
	}
	ret = p2p_upload_begin(&put->up, p2p_export_root(exp), req->path.s,
			       req->path.len, req->mode);
	if (ret) {	/* EINVAL: only a reserved name gets past wire.c */
		kfree(put);
		p2p_export_put(exp);
		return fail(conn, ret, ret == -EINVAL ?
			    "name reserved for uploads in progress" : NULL);
	}
	atomic_inc(&p2p_live_uploads);
	put->exp = exp;
	put->size = req->size;
	conn->put = put;
	/* Uploads are received in large pieces; put_end() trims it back. */
	ret = p2p_conn_reserve(conn, P2P_PUT_BUF);
	if (!ret)
		ret = p2p_conn_send(conn, P2P_OP_OK, 0, NULL, 0, 0);
	return ret ? put_failed(conn, ret) : 0;
}

static int op_put(struct p2p_conn *conn, u32 len)
{
	struct p2p_put_req req;
	char *path;
	enum p2p_grant_mode mode;
	struct p2p_export *exp;
	int ret;

	ret = p2p_dec_put_req(conn->body, len, &req);
	if (ret)
		return malformed(conn, ret, "malformed PUT_BEGIN");
	exp = export_of(conn, &req.export, &mode);
	if (!exp)
		return fail(conn, ENOENT, "no such export");
	if (mode != P2P_GRANT_RW) {
		p2p_export_put(exp);
		return fail(conn, EACCES, "read-only access");
	}
	/* req points into rbuf, which the data frames reuse: keep the path. */
	path = kmemdup(req.path.s, req.path.len, GFP_KERNEL);
	if (!path) {
		p2p_export_put(exp);
		return fail(conn, ENOMEM, NULL);
	}
	req.path.s = path;
	ret = put_begin(conn, exp, &req);
	kfree(path);
	return ret;
}

static int dispatch(struct p2p_conn *conn, u8 op, u32 len)
{
	switch (op) {
	case P2P_OP_LIST_EXPORTS:
		return op_list_exports(conn, len);
	case P2P_OP_STAT:
		return op_stat(conn, len);
	case P2P_OP_READDIR:
		return op_readdir(conn, len);
	case P2P_OP_READ:
		return op_read(conn, len);
	case P2P_OP_PUT_BEGIN:
		return op_put(conn, len);
	case P2P_OP_HASH:
		return op_hash(conn, len);
	case P2P_OP_BLOCKS:
		return op_blocks(conn, len);
	case P2P_OP_HELLO:
	case P2P_OP_HANDSHAKE1:
	case P2P_OP_PUT_DATA:
		p2p_conn_send_error(conn, EPROTO, "unexpected operation");
		return -EPROTO;
	default:
		return fail(conn, ENOSYS, NULL);
	}
}

int p2p_ops_dispatch(struct p2p_conn *conn, u8 op, u8 flags, u32 len)
{
	const struct cred *old;
	int ret;

	old = override_creds(conn->cred);
	ret = dispatch(conn, op, len);
	revert_creds(old);
	return ret;
}
