/*
 * Private declarations shared by the VFS's own files: the dentry cache, mount
 * crossing, and the name walker the *at operations are built on.
 *
 * vfs_mount_lock (a rwlock) guards the mount tree and every dentry's parent and name:
 * readers are `..`, mount crossing and path strings; writers are mount and rename.
 * A dentry's lock guards its children (list and hash); while a directory operation runs, the
 * parent dentry's lock is held around the filesystem call, so lookups, creates and
 * removals in one directory are serialized and the cache stays coherent with the fs.
 * Never call dentry_put or mount_put with a dentry lock held (the last put takes the
 * parent's lock), nor mount_put with vfs_mount_lock held. The dcache's LRU lock nests
 * inside dentry locks (dcache.c says how unused dentries are kept and evicted).
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
/* Moves d to (parent, name) in the cache (name is taken over): both parents locked,
 * vfs_mount_lock held for writing. A cached entry for name in parent gives way. Returns
 * the old parent, whose reference the caller drops once no dentry lock is held. */
struct dentry *d_move_locked(struct dentry *d, struct dentry *parent, char *name);
/* Whether a is d or one of its ancestors within one filesystem (vfs_mount_lock held). */
bool d_is_ancestor(const struct dentry *a, const struct dentry *d);
/* Frees every unused cached dentry (of sb only, if not NULL). No dentry lock held. */
void dcache_shrink(const struct super_block *sb);
/* How many unused dentries the LRU keeps (default 16384); returns the old limit. */
size_t dcache_set_limit(size_t limit);
/* Unused dentries now cached (positive and negative). */
size_t dcache_unused(void);
bool d_is_dir(const struct dentry *d);
unsigned d_flags(const struct dentry *d);
void d_set_flag(struct dentry *d, unsigned flag);
void d_clear_flag(struct dentry *d, unsigned flag);

/* ---- mounts (mount.c) ---- */
/* A detached mount of sb rooted at root (both referenced anew). +1 or NULL. */
struct mount *mount_alloc(struct super_block *sb, struct dentry *root, unsigned flags);
/* Hangs m (whose reference the parent's list takes over) on mp in parent; vfs_mount_lock
 * held for writing. */
void mnt_attach_locked(struct mount *m, struct mount *parent, struct dentry *mp);
/* Unhooks m from its parent (vfs_mount_lock held for writing). Returns the mountpoint
 * reference for the caller to put after unlocking (NULL if m was detached already); the
 * parent list's reference on m passes to the caller too. */
struct dentry *mnt_detach_locked(struct mount *m);
/* mount_put without clearing the expiry mark (umount2's own reference). */
void mount_put_keep_expiry(struct mount *m);
/* The mount last mounted on (mnt, d), or NULL; under vfs_mount_lock. No reference. */
struct mount *mount_lookup_locked(struct mount *mnt, struct dentry *d);
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
	struct mount *start_mnt; /* LOOKUP_NO_XDEV: the only mount the walk may use */
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
