/*
 * overlay internals.
 *
 * Every overlay inode stands for one name in the merged tree and points at its real
 * inodes: upper (in the tmpfs layer), lower (in the gofer layer), or both for a merged
 * directory. A non-directory loses its lower once copied up. Each overlay inode also
 * holds its parent overlay directory and its name there: copy-up walks that chain to
 * create the missing upper directories first.
 *
 * Overlay metadata lives in the superblock, never in the guest's view:
 *  - whiteouts are Linux's: a 0/0 character device in the upper layer, hidden from
 *    lookup and readdir;
 *  - per upper inode (by upper inode number): the lower inode number it was copied up
 *    from (st_ino stays the lower's across copy-up) and whether a directory is opaque.
 *  - a registry of live overlay inodes by (parent, name), so rename and subtree copy-up
 *    update the inode the dentry cache holds rather than a stale twin.
 *
 * Lock order: ovl_sb.ns_lock (read for lookups, readdir and opens that don't copy up;
 * write for anything that changes a layer) -> the layers' own locks -> ovl_sb.reg_lock.
 * Eviction takes only reg_lock, so an inode may be put anywhere.
 */
#ifndef FS_OVERLAY_INTERNAL_H
#define FS_OVERLAY_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "fs/vfs/vfs.h"

#define OVL_SUPER_MAGIC 0x794c7630 /* Linux's OVERLAYFS_SUPER_MAGIC */
/* Upper-only inodes report their tmpfs number with this bit, so they never collide with
 * a lower (host) inode number (Linux's xino does the same with high bits). */
#define OVL_UPPER_INO_BIT (1ULL << 62)

struct ovl_inode;
struct ovl_meta;

struct ovl_sb {
	struct inode *upper_root, *lower_root; /* +1 each */
	pthread_rwlock_t ns_lock;
	pthread_mutex_t reg_lock;
	struct ovl_inode **reg; /* the live-inode registry, hashed by (parent, name) */
	size_t reg_nb, reg_n;
	struct ovl_meta **meta; /* per upper inode metadata, hashed by upper ino */
	size_t meta_nb, meta_n;
};

struct ovl_meta {
	struct ovl_meta *next;
	uint64_t upper_ino;
	uint64_t origin_ino; /* valid if has_origin */
	bool has_origin;
	bool opaque;
};

struct ovl_inode {
	struct inode *vfs; /* the overlay inode this belongs to */
	struct inode *upper, *lower; /* +1 each, at least one set; changed under ns_lock */
	struct inode *parent; /* +1 overlay directory; NULL for the root */
	char *name;
	struct ovl_inode *reg_next;
	bool registered;
	bool unlinked; /* its name is gone: attributes no longer follow a layer's nlink */
	bool has_origin;
	uint64_t origin_ino;
};

static inline struct ovl_inode *OI(struct inode *inode)
{
	return inode->priv;
}

static inline struct ovl_sb *OSB(struct super_block *sb)
{
	return sb->priv;
}

/* The inode operations act on: upper if there is one. Under ns_lock. */
static inline struct inode *ovl_real(struct inode *inode)
{
	return OI(inode)->upper ? OI(inode)->upper : OI(inode)->lower;
}

/* ---- inodes (super.c) ---- */
/* The overlay inode for name in parent over upper/lower (references consumed, also on
 * failure). parent NULL = the root. Registers it. +1. */
int ovl_inode_make(struct super_block *sb, struct inode *parent, const char *name,
		   struct inode *upper, struct inode *lower, struct inode **out);
/* Copies the real inode's attributes into the overlay inode. Under ns_lock. */
void ovl_sync_attrs(struct inode *inode);
/* The same from a given real inode: under ns_lock, or for an inode that has an upper
 * already (an open writable file), whose layers no longer change. */
void ovl_sync_from(struct inode *inode, struct inode *real);

/* ---- registry and metadata (table.c) ---- */
/* The live overlay inode for (parent, name), +1, or NULL. */
struct inode *ovl_reg_find(struct ovl_sb *osb, struct inode *parent, const char *name);
void ovl_reg_add(struct ovl_sb *osb, struct ovl_inode *oi);
void ovl_reg_remove(struct ovl_sb *osb, struct ovl_inode *oi);
/* Renames oi in the registry (and its parent/name). -ENOMEM leaves it as it was. */
int ovl_reg_move(struct ovl_sb *osb, struct ovl_inode *oi, struct inode *parent, const char *name);
/* Metadata of an upper inode, or NULL. Under ns_lock. */
const struct ovl_meta *ovl_meta_find(struct ovl_sb *osb, uint64_t upper_ino);
bool ovl_meta_opaque(struct ovl_sb *osb, uint64_t upper_ino);
/* Under ns_lock held for writing. */
int ovl_meta_set_origin(struct ovl_sb *osb, uint64_t upper_ino, uint64_t origin_ino);
int ovl_meta_set_opaque(struct ovl_sb *osb, uint64_t upper_ino);
void ovl_meta_drop(struct ovl_sb *osb, uint64_t upper_ino);
void ovl_tables_free(struct ovl_sb *osb);

/* ---- layer helpers and copy-up (copy_up.c); ns_lock held for writing ---- */
int ovl_layer_lookup(struct inode *dir, const char *name, struct inode **out);
bool ovl_is_whiteout(struct inode *real);
/* Puts a whiteout at name in the upper directory udir. */
int ovl_whiteout(struct inode *udir, const char *name);
/* Whether the lower layer of overlay directory dir has name (so removing it needs a
 * whiteout). Under ns_lock. */
bool ovl_lower_has(struct inode *dir, const char *name);
/* Gives inode (and its parents) an upper inode. data: copy a regular file's contents
 * (false for a truncate to zero). */
int ovl_copy_up(struct inode *inode, bool data);
/* Copies directory dir and everything under it up and makes it opaque: afterwards it
 * has no lower (rename of a directory with lower content). */
int ovl_copy_up_tree(struct inode *dir);

/* ---- names (namei.c) ---- */
/* lookup's work, for callers that hold ns_lock already. +1. */
int ovl_lookup_locked(struct inode *dir, const char *name, struct inode **out);

/* ---- directory listings (readdir.c) ---- */
struct ovl_dirent {
	char *name;
	uint64_t ino;
	unsigned type;
};

struct ovl_dirlist {
	struct ovl_dirent *e;
	size_t n, cap;
};

/* The merged entries of overlay directory dir (no whiteouts, no "." or ".."). Under
 * ns_lock. */
int ovl_dir_list(struct inode *dir, struct ovl_dirlist *out);
void ovl_dirlist_free(struct ovl_dirlist *l);
/* Removes every whiteout from upper directory udir (before it is removed or replaced). */
int ovl_purge_whiteouts(struct inode *udir);
/* Sets up an open directory's snapshot state. */
int ovl_dir_open(struct file *f);

/* ---- ops ---- */
extern const struct inode_ops ovl_iops;
extern const struct file_ops ovl_dir_fops;
extern const struct file_ops ovl_file_fops;
int ovl_open(struct inode *inode, struct file *f);
int ovl_getattr(struct inode *inode, struct kstat *st);
int ovl_setattr(struct inode *inode, const struct iattr *ia);
ssize_t ovl_readlink(struct inode *inode, char *buf, size_t len);
ssize_t ovl_getxattr(struct inode *inode, const char *name, void *buf, size_t size);
int ovl_setxattr(struct inode *inode, const char *name, const void *value, size_t size, int flags);
ssize_t ovl_listxattr(struct inode *inode, char *buf, size_t size, bool trusted);
int ovl_removexattr(struct inode *inode, const char *name);
/* Copies every extended attribute lower has (that upper can hold) to upper. */
int ovl_copy_xattrs(struct inode *lower, struct inode *upper);

#endif
