/* goferfs internals: per-inode fids, per-file host fds and the ops tables. */
#ifndef FS_GOFER_GOFERFS_INTERNAL_H
#define FS_GOFER_GOFERFS_INTERNAL_H

#include "fs/gofer/client.h"
#include "fs/gofer/pagecache.h"
#include "fs/vfs/vfs.h"

struct goferfs_sb {
	struct gofer_client *client;
	uint32_t root_fid;
};

struct goferfs_inode {
	uint32_t fid;
	uint64_t hdev; /* the host st_dev, reported by stat */
	uint32_t blksize; /* the host st_blksize */
	struct pcache *pc; /* regular files, once mapped (pagecache.h); set under inode->lock */
};

static inline struct goferfs_inode *GI(struct inode *inode)
{
	return inode->priv;
}

static inline struct gofer_client *GCLIENT(struct inode *inode)
{
	return ((struct goferfs_sb *)inode->sb->priv)->client;
}

/* Copies the gofer's attributes into the inode (takes inode->lock). */
void goferfs_set_attrs(struct inode *inode, const struct gofer_stat *st);
int goferfs_file_open(struct inode *inode, struct file *f);
/* The file shrank or grew to size: cached pages past it go (after a setattr). */
void goferfs_file_resized(struct inode *inode, int64_t size);
/* The inode is going: writes back and frees its page cache. */
void goferfs_file_evict(struct inode *inode);

extern const struct file_ops goferfs_file_fops;
extern const struct file_ops goferfs_dir_fops;

#endif
