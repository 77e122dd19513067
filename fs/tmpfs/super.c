/*
 * tmpfs superblocks and inodes: creation with the caller's ownership, page accounting
 * against the size limit, eviction, statfs.
 */
#include <errno.h>
#include <fcntl.h>
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

bool tmpfs_pages_available(struct super_block *sb, uint64_t n)
{
	struct tmpfs_sb *tsb = TSB(sb);

	return !tsb->max_pages ||
	       __atomic_load_n(&tsb->pages_used, __ATOMIC_RELAXED) + n <= tsb->max_pages;
}

void tmpfs_page_release(uint64_t off, void *sb)
{
	memfile_unref(off, 1);
	__atomic_sub_fetch(&TSB(sb)->pages_used, 1, __ATOMIC_RELAXED);
}

int tmpfs_inode_reserve(struct super_block *sb)
{
	struct tmpfs_sb *tsb = TSB(sb);

	if (__atomic_add_fetch(&tsb->inodes_used, 1, __ATOMIC_RELAXED) > tsb->max_inodes &&
	    tsb->max_inodes) {
		__atomic_sub_fetch(&tsb->inodes_used, 1, __ATOMIC_RELAXED);
		return -ENOSPC;
	}
	return 0;
}

void tmpfs_inode_unreserve(struct super_block *sb)
{
	__atomic_sub_fetch(&TSB(sb)->inodes_used, 1, __ATOMIC_RELAXED);
}

int tmpfs_inode_new(struct super_block *sb, uint32_t mode, uint64_t rdev, const struct vfs_cred *c,
		    struct inode *dir, struct inode **out)
{
	struct tmpfs_node *n;
	struct inode *inode;
	int err;

	err = tmpfs_inode_reserve(sb);
	if (err < 0)
		return err;
	n = calloc(1, sizeof(*n));
	inode = n ? inode_new(sb, mode) : NULL;
	if (!inode) {
		free(n);
		tmpfs_inode_unreserve(sb);
		return -ENOMEM;
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
		n->seals = F_SEAL_SEAL;
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
	*out = inode;
	return 0;
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
	tmpfs_xattrs_free(n);
	free(n->target);
	free(n);
	inode->priv = NULL;
	tmpfs_inode_unreserve(inode->sb);
}

static int tmpfs_statfs(struct super_block *sb, struct statfs *out)
{
	struct tmpfs_sb *tsb = TSB(sb);
	uint64_t used = __atomic_load_n(&tsb->pages_used, __ATOMIC_RELAXED);
	uint64_t total = tsb->max_pages ? tsb->max_pages : memfile_size() >> 12;
	uint64_t inodes = __atomic_load_n(&tsb->inodes_used, __ATOMIC_RELAXED);

	out->f_type = TMPFS_MAGIC_NR;
	out->f_blocks = total;
	out->f_bfree = out->f_bavail = total > used ? total - used : 0;
	out->f_files = tsb->max_inodes ? tsb->max_inodes : 1u << 20;
	out->f_ffree = out->f_files > inodes ? out->f_files - inodes : 0;
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

int tmpfs_new_opts(const struct tmpfs_opts *o, struct super_block **sbp, struct inode **rootp)
{
	struct tmpfs_sb *tsb = calloc(1, sizeof(*tsb));
	struct super_block *sb;
	struct inode *root;
	int err;

	if (!tsb)
		return -ENOMEM;
	sb = sb_new(&tmpfs_sops, "tmpfs", 0);
	if (!sb) {
		free(tsb);
		return -ENOMEM;
	}
	pthread_rwlock_init(&tsb->ns_lock, NULL);
	tsb->max_pages = (o->size + 4095) >> 12;
	tsb->max_inodes = o->nr_inodes;
	sb->priv = tsb;
	err = tmpfs_inode_new(sb, S_IFDIR | (o->mode & 07777), 0, NULL, NULL, &root);
	if (err < 0) {
		sb_put(sb);
		return err;
	}
	root->uid = o->uid;
	root->gid = o->gid;
	*sbp = sb;
	*rootp = root;
	return 0;
}

int tmpfs_new(struct super_block **sbp, struct inode **rootp, uint32_t root_mode,
	      uint64_t size_limit)
{
	struct tmpfs_opts o = { .size = size_limit, .mode = root_mode };

	return tmpfs_new_opts(&o, sbp, rootp);
}
