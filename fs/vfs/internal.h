/*
 * Private declarations shared by the VFS's own files: the dentry cache, mount
 * crossing, and the name walker the *at operations are built on.
 *
 * vfs_mount_lock (a rwlock) guards the mount tree and every dentry's parent and name:
 * readers are `..`, mount crossing and path strings; writers are mount and rename.
 * A dentry's lock guards its children list; while a directory operation runs, the
 * parent dentry's lock is held around the filesystem call, so lookups, creates and
 * removals in one directory are serialized and the cache stays coherent with the fs.
 * Never call dentry_put or mount_put with a dentry lock held (the last put takes the
 * parent's lock), nor mount_put with vfs_mount_lock held.
 */
#ifndef FS_VFS_INTERNAL_H
#define FS_VFS_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "fs/vfs/vfs.h"

#define VFS_MAXSYMLINKS 40

extern pthread_rwlock_t vfs_mount_lock;

/* ---- live-object counters (object.c) ---- */
void vfs_count(long *counter, long delta);
extern long vfs_live_dentries, vfs_live_mounts, vfs_live_files;

/* ---- dentry cache (dcache.c) ---- */
/* A new dentry for inode under parent (NULL: a root, its own parent). Takes its own
 * references on parent and inode. Not inserted in parent's children. +1 or NULL. */
struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len, struct inode *inode);
/* The cached child, or the filesystem's answer cached. Caller holds parent->lock. */
int d_lookup_locked(struct dentry *parent, const char *name, size_t len, struct dentry **out);
/* The same, taking parent->lock. +1 or -ENOENT/-ENOTDIR/... */
int d_lookup(struct dentry *parent, const char *name, size_t len, struct dentry **out);
/* Caches a freshly created inode as name under parent (parent->lock held). +1. */
int d_add_locked(struct dentry *parent, const char *name, struct inode *inode, struct dentry **out);
/* Removes d from its parent's children (parent->lock held). */
void d_unhash_locked(struct dentry *d);
bool d_is_dir(const struct dentry *d);
unsigned d_flags(const struct dentry *d);
void d_set_flag(struct dentry *d, unsigned flag);
void d_clear_flag(struct dentry *d, unsigned flag);

/* ---- mounts (mount.c) ---- */
/* Moves p down through whatever is mounted on it. */
void path_cross_mounts(struct path *p);
/* `..` from p, not above root, across mounts upward. */
void path_dotdot(const struct path *root, struct path *p);
bool path_equal(const struct path *a, const struct path *b);

/* ---- name walk (namei.c) ---- */
enum last_type { LAST_NORM, LAST_NONE, LAST_DOT, LAST_DOTDOT };

struct nameidata {
	struct path root; /* +1: the fs view's root */
	struct path cur; /* +1: where the walk is */
	char *buf; /* the path still to walk (owned) */
	char *rest; /* into buf */
	const char *last; /* after nd_walk_parent: the final component (not NUL-terminated) */
	size_t last_len;
	enum last_type last_type;
	bool trailing_slash;
	int nlinks;
	unsigned flags;
	const struct vfs_cred *cred;
	char name[NAME_MAX + 1]; /* nd_last_name() */
};

int nd_init(struct nameidata *nd, struct fs_view *v, const struct path *start, const char *name,
	    unsigned flags, const struct vfs_cred *c);
void nd_cleanup(struct nameidata *nd);
/* Walks every component but the last (following symlinks), leaving nd->cur at the
 * directory that holds it and nd->last* describing it. */
int nd_walk_parent(struct nameidata *nd);
/* Resolves the final component in nd->cur (no symlink following). +1 path. */
int nd_lookup_last(struct nameidata *nd, struct path *out);
/* Continues the walk through symlink link (the final component): splices its target
 * in place of the last component. Call nd_walk_parent again afterwards. */
int nd_follow_last(struct nameidata *nd, const struct path *link);
/* nd->last as a NUL-terminated string (in nd->name). */
const char *nd_last_name(struct nameidata *nd);
/* The full walk (vfs_walk without the setup). */
int nd_walk(struct nameidata *nd, struct path *out);

/* ---- permissions (perm.c) ---- */
int may_lookup(struct inode *dir, const struct vfs_cred *c);
/* Creating in dir (write + search, read-only mount). */
int may_create(const struct path *dir, const struct vfs_cred *c);
/* Removing victim from dir: write + search on dir, the sticky bit. */
int may_delete(const struct path *dir, struct inode *victim, const struct vfs_cred *c);
bool cred_in_group(const struct vfs_cred *c, uint32_t gid);
bool cred_owns(const struct vfs_cred *c, const struct inode *inode);

/* ---- misc ---- */
void vfs_now(struct timespec *ts);
extern const struct file_ops vfs_opath_fops;

#endif
