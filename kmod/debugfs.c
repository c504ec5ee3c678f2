// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/p2pshare/: what tests read to find leaks (live objects
 * of all namespaces, the connections' workers) and the one knob only a
 * test turns (record_limit).
 * Nothing here is configuration: a namespace's limits are netlink's.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>

#include "conn.h"
#include "debugfs.h"
#include "hash.h"
#include "noise.h"
#include "objects.h"
#include "server.h"
#include "transport.h"

static struct dentry *dir;

static int objects_show(struct seq_file *m, void *v)
{
	seq_printf(m, "users %d exports %d grants %d\n",
		   atomic_read(&p2p_live_users), atomic_read(&p2p_live_exports),
		   atomic_read(&p2p_live_grants));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(objects);

static int conn_objects_show(struct seq_file *m, void *v)
{
	seq_printf(m, "conns %d uploads %d\n", atomic_read(&p2p_live_conns),
		   atomic_read(&p2p_live_uploads));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(conn_objects);

static int noise_objects_show(struct seq_file *m, void *v)
{
	unsigned int sets, idle;

	p2p_noise_objects(&sets, &idle);
	seq_printf(m, "sets %u idle %u\n", sets, idle);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(noise_objects);

static int hash_cache_show(struct seq_file *m, void *v)
{
	unsigned int entries;
	size_t bytes;
	u64 hits, misses;

	p2p_hash_stats(&entries, &bytes, &hits, &misses);
	seq_printf(m, "entries %u bytes %zu hits %llu misses %llu\n",
		   entries, bytes, hits, misses);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hash_cache);

/* "limit L busy B peak P"; a write starts the peak again from now. */
static int workers_show(struct seq_file *m, void *v)
{
	unsigned int limit, busy, peak;

	p2p_server_workers(&limit, &busy, &peak, false);
	seq_printf(m, "limit %u busy %u peak %u\n", limit, busy, peak);
	return 0;
}

static int workers_open(struct inode *inode, struct file *file)
{
	return single_open(file, workers_show, NULL);
}

static ssize_t workers_write(struct file *file, const char __user *buf,
			     size_t len, loff_t *ppos)
{
	unsigned int limit, busy, peak;

	p2p_server_workers(&limit, &busy, &peak, true);
	return len;
}

static const struct file_operations workers_fops = {
	.owner = THIS_MODULE,
	.open = workers_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = workers_write,
};

static int record_limit_get(void *data, u64 *val)
{
	*val = READ_ONCE(p2p_record_limit);
	return 0;
}

static int record_limit_set(void *data, u64 val)
{
	if (val < P2P_RECORD_LIMIT_MIN || val > P2P_RECORD_LIMIT)
		return -EINVAL;
	WRITE_ONCE(p2p_record_limit, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(record_limit_fops, record_limit_get, record_limit_set, "%llu\n");

void p2p_debugfs_init(void)
{
	dir = debugfs_create_dir("p2pshare", NULL);
	debugfs_create_file("objects", 0400, dir, NULL, &objects_fops);
	debugfs_create_file("conn_objects", 0400, dir, NULL, &conn_objects_fops);
	debugfs_create_file("noise_objects", 0400, dir, NULL, &noise_objects_fops);
	debugfs_create_file("hash_cache", 0400, dir, NULL, &hash_cache_fops);
	debugfs_create_file("workers", 0600, dir, NULL, &workers_fops);
	debugfs_create_file_unsafe("record_limit", 0600, dir, NULL, &record_limit_fops);
}

/* Waits for the readers of the files: what they read may go after. */
void p2p_debugfs_uninit(void)
{
	debugfs_remove_recursive(dir);
}
