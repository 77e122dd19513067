/* hostfs internals: per-inode host fds and the ops tables. */
#ifndef FS_HOSTFS_INTERNAL_H
#define FS_HOSTFS_INTERNAL_H

#include <stdbool.h>
#include <sys/stat.h>

#include "fs/vfs/vfs.h"

struct hostfs_inode {
	int fd; /* O_PATH|O_NOFOLLOW on the host object */
	struct inode *parent; /* +1, NULL for the root: files reopen through parent + name */
	char *name;
	uint64_t hdev; /* host st_dev, with inode->ino the identity a reopen checks */
	bool hidden; /* a host pseudo-filesystem: shown empty */
};

static inline struct hostfs_inode *HI(struct inode *inode)
{
	return inode->priv;
}

/* Copies host attributes into the inode (under inode->lock). */
void hostfs_set_attrs(struct inode *inode, const struct stat *st);
int hostfs_file_open(struct inode *inode, struct file *f);

extern const struct file_ops hostfs_file_fops;
extern const struct file_ops hostfs_dir_fops;

#endif
