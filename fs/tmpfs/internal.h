/*
 * tmpfs internals.
 *
 * Lock order: tmpfs_sb.ns_lock (every directory's entries, link counts, rename) ->
 * inode->lock (a file's pages and size, any inode's attributes).
 * Directory entries hold a reference on their inode; an unlinked file lives on while
 * dentries or open files hold it, and its pages go when the inode is evicted.
 */
#ifndef FS_TMPFS_INTERNAL_H
#define FS_TMPFS_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "common/list.h"
#include "fs/vfs/vfs.h"

/* ---- the page index (pages.c): page number -> memory-file offset, 0 = hole ---- */
#define TP_SHIFT 9
#define TP_FANOUT (1u << TP_SHIFT)
#define TP_LEVELS 4
#define TP_MAX_PAGES (1ULL << (TP_SHIFT * TP_LEVELS))

struct tmpfs_pages {
	void **root;
	uint64_t npages; /* pages present */
};

/* A slot's low bit marks a page fallocate allocated and nothing wrote yet: it reads
 * as zeros and is a hole to SEEK_DATA, as Linux's !uptodate tmpfs pages. */
#define TP_UNWRITTEN 1ULL

/* The memory-file offset of page idx (without TP_UNWRITTEN), 0 for a hole. */
uint64_t tp_get(const struct tmpfs_pages *tp, uint64_t idx);
/* The slot for page idx, allocating the path to it. NULL on ENOMEM. */
uint64_t *tp_slot(struct tmpfs_pages *tp, uint64_t idx);
/* Removes every page >= first, calling release on each, and frees emptied nodes. */
void tp_truncate(struct tmpfs_pages *tp, uint64_t first, void (*release)(uint64_t off, void *arg),
		 void *arg);
/* The same for the pages in [first, last). */
void tp_punch(struct tmpfs_pages *tp, uint64_t first, uint64_t last,
	      void (*release)(uint64_t off, void *arg), void *arg);
/* What tp_find looks for: a page never allocated, a written page, or either a hole or an
 * unwritten page (what SEEK_HOLE calls a hole). */
enum tp_find { TP_HOLE, TP_DATA, TP_NODATA };
/* The first page number in [idx, limit) that is what, or limit if there is none. */
uint64_t tp_find(const struct tmpfs_pages *tp, uint64_t idx, uint64_t limit, enum tp_find what);

/* ---- superblock and inodes (super.c) ---- */
#define TMPFS_MAX_SIZE ((int64_t)(TP_MAX_PAGES << 12))
#define TMPFS_BOGO_DIRENT 20 /* the directory size Linux's tmpfs reports per entry */
#define TMPFS_MAGIC_NR 0x01021994

struct tmpfs_sb {
	pthread_rwlock_t ns_lock;
	uint64_t max_pages; /* 0 = no limit of our own */
	uint64_t pages_used;
	uint64_t max_inodes; /* 0 = no limit */
	uint64_t inodes_used;
	uint64_t next_ino;
};

struct tmpfs_dirent {
	struct list_head node; /* in cookie order */
	struct tmpfs_dirent *hnext;
	struct inode *inode; /* +1 */
	int64_t cookie;
	uint32_t hash;
	char name[];
};

struct tmpfs_node {
	/* directories */
	struct list_head entries;
	struct tmpfs_dirent **buckets;
	uint64_t nbuckets, nentries;
	int64_t next_cookie;
	/* regular files */
	struct tmpfs_pages pages;
	unsigned seals; /* F_SEAL_* (memfd.c), under inode->lock; F_SEAL_SEAL unless a memfd
			 * allows sealing, as Linux's shmem inodes */
	/* symlinks */
	char *target;
	/* any type: extended attributes (xattr.c), under inode->lock */
	struct tmpfs_xattr *xattrs;
};

static inline struct tmpfs_sb *TSB(struct super_block *sb)
{
	return sb->priv;
}

static inline struct tmpfs_node *TNODE(struct inode *inode)
{
	return inode->priv;
}

/* A new inode of mode in dir (dir may be NULL for the root), owned by c: +1 in *out.
 * -ENOSPC past nr_inodes, -ENOMEM. */
int tmpfs_inode_new(struct super_block *sb, uint32_t mode, uint64_t rdev, const struct vfs_cred *c,
		    struct inode *dir, struct inode **out);
/* One nr_inodes slot (an inode, or an extra name of one): -ENOSPC past the limit. */
int tmpfs_inode_reserve(struct super_block *sb);
void tmpfs_inode_unreserve(struct super_block *sb);
int tmpfs_page_alloc(struct super_block *sb, uint64_t *off);
/* Whether n more pages fit under the size limit now. */
bool tmpfs_pages_available(struct super_block *sb, uint64_t n);
void tmpfs_page_release(uint64_t off, void *sb);
void tmpfs_touch(struct inode *inode, bool mtime); /* ctime (and mtime) = now */

/* ---- per-type ops (dir.c, file.c) ---- */
extern const struct inode_ops tmpfs_dir_iops;
extern const struct file_ops tmpfs_dir_fops;
extern const struct inode_ops tmpfs_file_iops;
extern const struct file_ops tmpfs_file_fops;
extern const struct inode_ops tmpfs_symlink_iops;
extern const struct inode_ops tmpfs_special_iops;

void tmpfs_dir_destroy(struct tmpfs_node *n);

/* ---- extended attributes (xattr.c): in every inode type's ops ---- */
ssize_t tmpfs_getxattr(struct inode *inode, const char *name, void *buf, size_t size);
int tmpfs_setxattr(struct inode *inode, const char *name, const void *value, size_t size,
		   int flags);
ssize_t tmpfs_listxattr(struct inode *inode, char *buf, size_t size, bool trusted);
int tmpfs_removexattr(struct inode *inode, const char *name);
void tmpfs_xattrs_free(struct tmpfs_node *n);
#define TMPFS_XATTR_IOPS                                                                      \
	.getxattr = tmpfs_getxattr, .setxattr = tmpfs_setxattr, .listxattr = tmpfs_listxattr, \
	.removexattr = tmpfs_removexattr
int tmpfs_setattr(struct inode *inode, const struct iattr *ia);
/* The seal check of a write of len bytes at off (memfd.c): how many of them the seals
 * allow (fewer at a grow seal), -EPERM for none. Under inode->lock. */
ssize_t tmpfs_seal_write(struct inode *inode, int64_t off, size_t len);
/* Of a size change (F_SEAL_SHRINK / F_SEAL_GROW) and a mode change (F_SEAL_EXEC):
 * 0 or -EPERM. Under inode->lock. */
int tmpfs_seal_setattr(struct inode *inode, const struct iattr *ia);
int tmpfs_fsync(struct file *f, bool datasync);

#endif
