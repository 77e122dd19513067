/*
 * tmpfs superblocks and inodes: creation with the caller's ownership, page accounting
 * against the size limit, eviction, statfs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "common/memfile.h"
#include "fs/tmpfs/internal.h"
#include "fs/tmpfs/tmpfs.h"

void tmpfs_touch(struct inode *inode, bool mtime)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	inode->ctime = now;
	if (mtime)
		inode->mtime = now;
}

int tmpfs_page_alloc(struct super_block *sb, uint64_t *off)
{
	struct tmpfs_sb *tsb = TSB(sb);
	uint64_t used = __atomic_add_fetch(&tsb->pages_used, 1, __ATOMIC_RELAXED);

	if ((tsb->max_pages && used > tsb->max_pages) || memfile_alloc(1, off) < 0) {
		__atomic_sub_fetch(&tsb->pages_used, 1, __ATOMIC_RELAXED);
		return -ENOSPC;
	}
	return 0;
}

void tmpfs_page_release(uint64_t off, void *sb)
{
	memfile_unref(off, 1);
	__atomic_sub_fetch(&TSB(sb)->pages_used, 1, __ATOMIC_RELAXED);
}

struct inode *tmpfs_inode_new(struct super_block *sb, uint32_t mode, uint64_t rdev,
			      const struct vfs_cred *c, struct inode *dir)
{
	struct tmpfs_node *n = calloc(1, sizeof(*n));
	struct inode *inode;

	if (!n)
		return NULL;
	inode = inode_new(sb, mode);
	if (!inode) {
		free(n);
		return NULL;
	}
	inode->priv = n;
	inode->ino = __atomic_add_fetch(&TSB(sb)->next_ino, 1, __ATOMIC_RELAXED);
	inode->uid = c ? c->fsuid : 0;
	inode->gid = c ? c->fsgid : 0;
	/* a set-group-ID directory hands its group (and, to directories, the bit) down */
	if (dir && (dir->mode & S_ISGID)) {
		inode->gid = dir->gid;
		if (S_ISDIR(mode))
			inode->mode |= S_ISGID;
	}
	inode->nlink = 1;
	clock_gettime(CLOCK_REALTIME, &inode->mtime);
	inode->atime = inode->ctime = inode->btime = inode->mtime;
	switch (mode & S_IFMT) {
	case S_IFREG:
		inode->iops = &tmpfs_file_iops;
		inode->fops = &tmpfs_file_fops;
		break;
	case S_IFDIR:
		inode->iops = &tmpfs_dir_iops;
		inode->fops = &tmpfs_dir_fops;
		inode->nlink = 2;
		inode->size = 2 * TMPFS_BOGO_DIRENT;
		list_init(&n->entries);
		n->next_cookie = 2;
		break;
	case S_IFLNK:
		inode->iops = &tmpfs_symlink_iops;
		break;
	default:
		inode->iops = &tmpfs_special_iops;
		inode->rdev = rdev;
		break;
	}
	return inode;
}

static void tmpfs_evict(struct inode *inode)
{
	struct tmpfs_node *n = TNODE(inode);

	if (!n)
		return;
	if (S_ISREG(inode->mode))
		tp_truncate(&n->pages, 0, tmpfs_page_release, inode->sb);
	else if (S_ISDIR(inode->mode))
		tmpfs_dir_destroy(n);
	free(n->target);
	free(n);
	inode->priv = NULL;
}

static int tmpfs_statfs(struct super_block *sb, struct statfs *out)
{
	struct tmpfs_sb *tsb = TSB(sb);
	uint64_t used = __atomic_load_n(&tsb->pages_used, __ATOMIC_RELAXED);
	uint64_t total = tsb->max_pages ? tsb->max_pages : memfile_size() >> 12;

	out->f_type = TMPFS_MAGIC_NR;
	out->f_blocks = total;
	out->f_bfree = out->f_bavail = total > used ? total - used : 0;
	out->f_files = 1u << 20;
	out->f_ffree = out->f_files - MIN(out->f_files - 1, tsb->next_ino);
	out->f_fsid.__val[0] = (int)sb->dev;
	return 0;
}

static void tmpfs_put_super(struct super_block *sb)
{
	struct tmpfs_sb *tsb = TSB(sb);

	pthread_rwlock_destroy(&tsb->ns_lock);
	free(tsb);
}

static const struct super_ops tmpfs_sops = {
	.put_super = tmpfs_put_super,
	.statfs = tmpfs_statfs,
	.evict_inode = tmpfs_evict,
};

int tmpfs_new(struct super_block **sbp, struct inode **rootp, uint32_t root_mode,
	      uint64_t size_limit)
{
	struct tmpfs_sb *tsb = calloc(1, sizeof(*tsb));
	struct super_block *sb;
	struct inode *root;

	if (!tsb)
		return -ENOMEM;
	sb = sb_new(&tmpfs_sops, "tmpfs", 0);
	if (!sb) {
		free(tsb);
		return -ENOMEM;
	}
	pthread_rwlock_init(&tsb->ns_lock, NULL);
	tsb->max_pages = (size_limit + 4095) >> 12;
	sb->priv = tsb;
	root = tmpfs_inode_new(sb, S_IFDIR | (root_mode & 07777), 0, NULL, NULL);
	if (!root) {
		sb_put(sb);
		return -ENOMEM;
	}
	*sbp = sb;
	*rootp = root;
	return 0;
}
