/*
 * The VFS: mounts, dentries, inodes and open files, polymorphic through const ops
 * tables, and the generic path walk and *at logic every filesystem shares.
 *
 * Objects are refcounted (struct ref). A function that returns an object through an
 * out-parameter returns a new reference ("+1") that the caller puts. NULL ops mean
 * "unsupported" and the generic layer returns the errno Linux documents for that case.
 *
 * Files never see guest addresses: read/write take host iovecs (the sentry translates
 * guest buffers into its own mapping of the memory file), and ioctl gets a umem to
 * copy through.
 *
 * Lock order: mount_lock (global, rename/mount topology) -> dentry->lock (parent before
 * child) -> inode->lock -> file->pos_lock.
 */
#ifndef FS_VFS_VFS_H
#define FS_VFS_VFS_H

#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#include "common/list.h"
#include "common/ref.h"
#include "common/util.h"

struct inode;
struct dentry;
struct mount;
struct file;
struct path;
struct super_block;
struct statfs;
struct waitq;

/* Who is asking: the fs-relevant part of a task's credentials. */
struct vfs_cred {
	uint32_t fsuid, fsgid;
	uint32_t ngroups;
	const uint32_t *groups;
	bool cap_dac_override, cap_dac_read_search, cap_fowner, cap_chown, cap_fsetid;
	bool cap_mknod; /* mknod of char/block devices */
	bool cap_sys_admin; /* trusted.* and security.* xattrs */
};

/* Guest memory access for ioctl and similar: implemented by the sentry. */
struct umem {
	int (*copy_in)(const struct umem *um, uaddr_t src, void *dst, size_t n);
	int (*copy_out)(const struct umem *um, uaddr_t dst, const void *src, size_t n);
	void *priv;
};

struct kstat {
	uint64_t dev, ino, nlink, rdev;
	uint32_t mode, uid, gid, blksize;
	int64_t size, blocks;
	struct timespec atime, mtime, ctime, btime;
	uint64_t mnt_id;
};

/* setattr request; valid is a mask of ATTR_*. */
#define ATTR_MODE (1u << 0)
#define ATTR_UID (1u << 1)
#define ATTR_GID (1u << 2)
#define ATTR_SIZE (1u << 3)
#define ATTR_ATIME (1u << 4)
#define ATTR_MTIME (1u << 5)
#define ATTR_CTIME (1u << 6)
struct iattr {
	unsigned valid;
	uint32_t mode, uid, gid;
	int64_t size;
	struct timespec atime, mtime, ctime;
};

struct super_ops {
	void (*put_super)(struct super_block *sb);
	int (*statfs)(struct super_block *sb, struct statfs *out);
	/* Frees the filesystem's part of an inode (inode->priv) on its last put. */
	void (*evict_inode)(struct inode *inode);
};

struct super_block {
	struct ref ref;
	const struct super_ops *ops;
	const char *fstype; /* "tmpfs", "goferfs"... */
	uint64_t dev;
	unsigned flags; /* MS_RDONLY ... */
	unsigned dcache; /* DCACHE_*: what the dentry cache may keep of this fs unused */
	void *priv;
};

/* super_block.dcache: 0 = a dentry dies with its last reference (names that change
 * behind the VFS's back: procfs). DCACHE_KEEP keeps unused dentries (and their inodes)
 * in a bounded LRU; DCACHE_NEGATIVE also remembers names the fs said don't exist, for a
 * filesystem whose only writer is the VFS itself (its view is authoritative). */
#define DCACHE_KEEP (1u << 0)
#define DCACHE_NEGATIVE (1u << 1)

struct inode_ops {
	/* Finds name in dir. 0 and a +1 inode, or -ENOENT. */
	int (*lookup)(struct inode *dir, const char *name, struct inode **out);
	int (*create)(struct inode *dir, const char *name, uint32_t mode, const struct vfs_cred *c,
		      struct inode **out);
	int (*mkdir)(struct inode *dir, const char *name, uint32_t mode, const struct vfs_cred *c,
		     struct inode **out);
	int (*mknod)(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev,
		     const struct vfs_cred *c, struct inode **out);
	int (*symlink)(struct inode *dir, const char *name, const char *target,
		       const struct vfs_cred *c, struct inode **out);
	int (*link)(struct inode *dir, const char *name, struct inode *target);
	int (*unlink)(struct inode *dir, const char *name, struct inode *victim);
	int (*rmdir)(struct inode *dir, const char *name, struct inode *victim);
	int (*rename)(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
		      unsigned flags);
	/* Copies the target (not NUL-terminated) into buf; returns its length or -errno. */
	ssize_t (*readlink)(struct inode *inode, char *buf, size_t len);
	/* Magic links (/proc/[pid]/fd/N, exe, cwd, root): the walk goes straight to the
	 * +1 path this gives instead of resolving readlink's text. NULL = a plain symlink. */
	int (*get_link_path)(struct inode *inode, struct path *out);
	/* Refreshes inode fields from the backing store (goferfs); NULL = fields are truth. */
	int (*getattr)(struct inode *inode, struct kstat *st);
	int (*setattr)(struct inode *inode, const struct iattr *ia);
	/* Sets file->ops/file->priv for a new open file. NULL = use inode->fops as is. */
	int (*open)(struct inode *inode, struct file *file);
	/* Extended attributes, by full name ("user.x"), after the VFS checked the name and
	 * the caller's permission (fs/vfs/xattr.c). getxattr/listxattr return the size of
	 * the value / of the NUL-separated name list, copying it only when size != 0 (then
	 * -ERANGE if it does not fit); -ENODATA for a missing name. setxattr's flags are
	 * XATTR_CREATE (-EEXIST) / XATTR_REPLACE (-ENODATA). NULL = -EOPNOTSUPP. */
	ssize_t (*getxattr)(struct inode *inode, const char *name, void *buf, size_t size);
	int (*setxattr)(struct inode *inode, const char *name, const void *value, size_t size,
			int flags);
	ssize_t (*listxattr)(struct inode *inode, char *buf, size_t size, bool trusted);
	int (*removexattr)(struct inode *inode, const char *name);
	/* O_TMPFILE: a new unnamed regular file (nlink 0) of mode (S_IFREG, umask applied)
	 * in dir's filesystem; the VFS sets its linkable flag. +1 inode. NULL = -EOPNOTSUPP. */
	int (*tmpfile)(struct inode *dir, uint32_t mode, const struct vfs_cred *c,
		       struct inode **out);
};

/*
 * Callback for iterate: return false to stop (buffer full).
 *
 * iterate contract: the VFS emits "." and ".." itself at positions 0 and 1; a
 * filesystem's iterate emits neither and its cookies are >= 2. It emits the entries
 * whose cookie is >= ctx->pos in order: before calling actor for an entry it sets
 * ctx->pos to that entry's cookie, after the actor accepts it it advances ctx->pos past
 * it; when the actor returns false it stops and leaves ctx->pos at the rejected entry.
 */
struct dir_context;
typedef bool (*filldir_t)(struct dir_context *ctx, const char *name, size_t namelen, uint64_t ino,
			  unsigned dtype);
struct dir_context {
	filldir_t actor;
	int64_t pos; /* the filesystem's cookie; file->pos is updated from it */
};

/*
 * read/write: pos points to f->pos for read(2)/write(2) (under f->pos_lock for regular
 * files and directories) and to a local for pread/pwrite, so a stream-like file can tell
 * the two apart by pos == &f->pos. write must honour O_APPEND in f->flags itself (write
 * at the end, atomically with the size it sees).
 */
struct file_ops {
	ssize_t (*read)(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos);
	ssize_t (*write)(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos);
	/* NULL = generic (SEEK_SET/CUR/END over inode->size). */
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	int (*iterate)(struct file *f, struct dir_context *ctx);
	long (*ioctl)(struct file *f, unsigned cmd, uint64_t arg, const struct umem *um);
	int (*fsync)(struct file *f, bool datasync);
	/* SEEK_DATA (hole false) / SEEK_HOLE from off (>= 0): the offset found, -ENXIO at
	 * or past EOF. NULL = the whole file is data (vfs_llseek's generic answer). */
	int64_t (*seek_data)(struct file *f, int64_t off, bool hole);
	/* fallocate(2) after vfs_fallocate's checks (mode, range, open for writing, a
	 * regular file). NULL = -EOPNOTSUPP. */
	int (*fallocate)(struct file *f, int mode, int64_t off, int64_t len);
	/* For MAP_SHARED (and page-cache backed private) mappings: the memory-file page
	 * holding page pgoff of the file, with a +1 page reference. write: the page goes
	 * into a writable shared mapping and may be stored to from now on (a page cache
	 * must write it back). -ENXIO past EOF (SIGBUS). NULL = the mm copies the file's
	 * data into private pages with read. */
	int (*get_page)(struct file *f, uint64_t pgoff, bool write, uint64_t *memfile_off);
	/* A writable shared mapping of the file went away (munmap, exit): write what was
	 * stored through it back to the backing store. NULL = nothing to write (tmpfs). */
	int (*writeback)(struct file *f);
	void (*release)(struct file *f);
	/* Character devices (vfs_chrdev_register): called when a device node opens with
	 * these ops, to set up f->priv or switch f->ops (a new pty master per /dev/ptmx
	 * open). -errno fails the open (release is not called). NULL = nothing to do. */
	int (*open)(struct inode *inode, struct file *f);
	/* F_SETFL: flags are the new O_APPEND/O_NONBLOCK/... status bits, applied by the VFS
	 * after this returns 0. NULL = nothing to do beyond storing them. */
	int (*setfl)(struct file *f, unsigned flags);
	/* Readiness now, never blocking: which of events (POLLIN, POLLOUT...) would not
	 * block, plus POLLERR/POLLHUP. NULL = always ready (regular files, devices). */
	short (*poll)(struct file *f, short events);
	/* The queue notified when poll's answer may have changed (common/waitq.h). NULL =
	 * the file never becomes ready later: -EAGAIN from it is final. */
	struct waitq *(*waitq)(struct file *f);
};

struct inode {
	struct ref ref;
	struct super_block *sb;
	uint64_t ino;
	uint32_t mode, uid, gid;
	uint64_t nlink, rdev;
	int64_t size, blocks;
	struct timespec atime, mtime, ctime, btime;
	const struct inode_ops *iops;
	const struct file_ops *fops;
	void *priv;
	pthread_mutex_t lock;
	bool linkable; /* nlink 0 but linkat may name it (O_TMPFILE without O_EXCL) */
};

#define DENTRY_MOUNTED (1u << 0) /* a mount sits on this dentry */
#define DENTRY_UNHASHED (1u << 1) /* unlinked / replaced: no longer in its parent */

struct dentry {
	struct ref ref;
	char *name;
	struct dentry *parent; /* +1 ref; the root's parent is itself */
	struct inode *inode; /* +1 ref; NULL for a negative dentry */
	struct list_head children;
	struct list_head sibling;
	struct d_kids *kids; /* children by name (dcache.c), under lock */
	struct dentry *hash_next; /* in parent->kids */
	uint32_t hash; /* of name */
	struct list_head lru; /* unused and cached: on the dcache's LRU */
	unsigned flags;
	unsigned nmounts; /* mounts sitting on it (any namespace), under vfs_mount_lock */
	pthread_mutex_t lock;
};

struct mount {
	struct ref ref;
	struct mount *parent; /* itself for the root mount */
	struct dentry *mountpoint; /* in parent */
	struct dentry *root;
	struct super_block *sb;
	unsigned flags; /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_NOATIME...,
			 * and the propagation type (MS_SHARED/SLAVE/UNBINDABLE; none = private) */
	uint64_t id;
	char *source; /* mount(2)'s source, for /proc/mounts; NULL = the fstype (owned) */
	bool expiry_mark; /* set by umount2(MNT_EXPIRE), cleared by any use (mount_put) */
	struct list_head children;
	struct list_head sibling;
};

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

struct file {
	struct ref ref;
	const struct file_ops *ops;
	struct path path; /* +1 refs on both */
	struct inode *inode; /* +1 ref */
	unsigned flags; /* O_* status flags as the guest opened it (O_ACCMODE, O_APPEND...) */
	int64_t pos;
	pthread_mutex_t pos_lock;
	void *priv;
	struct list_head ep_links; /* epoll items watching this file (fs/epoll) */
};

/* A task's filesystem view (CLONE_FS shares it). */
struct fs_view {
	struct ref ref;
	struct path root, cwd;
	uint32_t umask;
	pthread_mutex_t lock;
};

/* ---- object lifetime ---- */
struct inode *inode_new(struct super_block *sb, uint32_t mode); /* +1, fields zeroed */
void inode_get(struct inode *i);
void inode_put(struct inode *i);
void dentry_get(struct dentry *d);
void dentry_put(struct dentry *d);
void mount_get(struct mount *m);
void mount_put(struct mount *m);
void path_get(const struct path *p);
void path_put(const struct path *p);
void file_get(struct file *f);
void file_put(struct file *f);
void sb_put(struct super_block *sb);
/* A new superblock with a fresh anonymous st_dev (major 0). +1. NULL on ENOMEM.
 * sb_put calls ops->put_super on the last put, then frees it. */
struct super_block *sb_new(const struct super_ops *ops, const char *fstype, unsigned flags);
void sb_get(struct super_block *sb);
/* A fresh anonymous device number (makedev(0, n)) for st_dev. */
uint64_t vfs_anon_dev(void);

/* Live object counts, for leak checks in tests (the dcache's unused entries are freed
 * first, so what is counted is referenced). */
struct vfs_live {
	long inodes, dentries, mounts, files, sbs;
};
void vfs_live_counts(struct vfs_live *out);

static inline bool file_readable(const struct file *f)
{
	return !(f->flags & O_PATH) &&
	       ((f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_ACCMODE) == O_RDWR);
}

static inline bool file_writable(const struct file *f)
{
	return !(f->flags & O_PATH) &&
	       ((f->flags & O_ACCMODE) == O_WRONLY || (f->flags & O_ACCMODE) == O_RDWR);
}

/* Creates an open file over inode at path (path may be {NULL,NULL} for anonymous files
 * such as host stdio or pipes). Calls inode->iops->open. +1 file. */
int file_new(const struct path *path, struct inode *inode, unsigned flags, struct file **out);

struct fs_view *fs_view_new(const struct path *root, const struct path *cwd); /* +1 */
struct fs_view *fs_view_copy(struct fs_view *v); /* +1 */
void fs_view_put(struct fs_view *v);

/* ---- mounts ---- */
/* Mount functions take their own references on sb and root: the caller still puts its
 * own. A mount attached to a parent lives as long as the parent; the last put of a
 * mount detaches (and puts) the mounts on it. */
/* Makes sb's root inode the root of a new mount namespace's root mount. +1 mount. */
int vfs_mount_root(struct super_block *sb, struct inode *root, struct mount **out);
/* Mounts sb (root inode root) on the directory at path, e.g. a tmpfs on /tmp.
 * -ENOTDIR if the mountpoint is not a directory. */
int vfs_mount_at(const struct path *mountpoint, struct super_block *sb, struct inode *root,
		 unsigned flags);

/* The mount(2)-level operations (mount.c, mount_ops.c). Paths are as walked by the caller;
 * "the root of a mount" means path->dentry == path->mnt->root. */
/* A new mount of sb (its root dentry is root) on mp, with per-mount MS_* flags and
 * mount(2)'s source string (copied; NULL = none). */
int vfs_mount_new(const struct path *mp, struct super_block *sb, struct inode *root, unsigned flags,
		  const char *source);
/* MS_BIND: mounts what from names on mp (a file on a file, a directory on a
 * directory: else -ENOTDIR); rec (MS_REC) takes the mounts below along. */
int vfs_mount_bind(const struct path *from, const struct path *mp, bool rec);
/* MS_REMOUNT: new per-mount flags; unless bind, also the superblock's MS_RDONLY.
 * -EINVAL if p is not the root of a mount. */
int vfs_mount_remount(const struct path *p, unsigned flags, bool bind);
/* MS_SHARED/PRIVATE/SLAVE/UNBINDABLE (one of them), recorded only; rec = MS_REC. */
int vfs_mount_set_propagation(const struct path *p, unsigned type, bool rec);
/* MS_MOVE: moves the mount whose root is from onto mp. -EINVAL if from is no mount
 * root or is the namespace's top, -ELOOP if mp is inside from's tree. */
int vfs_mount_move(const struct path *from, const struct path *mp);
/* umount2(2) with MNT_DETACH / MNT_EXPIRE in flags; p must be the root of a mount
 * (-EINVAL). Without MNT_DETACH a mount with mounts below it or users other than p
 * itself is -EBUSY. MNT_EXPIRE only marks an unmarked mount (-EAGAIN) and unmounts one
 * nobody used since (any mount_put is a use: drop p with path_put_keep_expiry). */
int vfs_umount(const struct path *p, int flags);
void path_put_keep_expiry(const struct path *p);
/* unshare(CLONE_NEWNS): a copy of the mount tree v's root lives in, v's root and cwd
 * moved to the matching mounts of the copy (v must not be shared). */
int vfs_mount_ns_copy(struct fs_view *v);
/* pivot_root(2) against root (the caller's fs root, a mount root): new_root's mount
 * takes root's place and root's mount goes on put_old; then repoint(root, new root)
 * moves every fs view across (Linux's chroot_fs_refs, see vfs_fs_view_repoint). */
int vfs_pivot_root(const struct path *root, const struct path *new_root, const struct path *put_old,
		   void (*repoint)(const struct path *from, const struct path *to, void *arg),
		   void *arg);
/* Replaces root/cwd equal to from with to in v (pivot_root's chroot_fs_refs). */
void vfs_fs_view_repoint(struct fs_view *v, const struct path *from, const struct path *to);
/* Per-mount flags: MS_RDONLY|NOSUID|NODEV|NOEXEC|NOATIME|NODIRATIME|RELATIME|STRICTATIME. */
#define VFS_MNT_FLAGS_MASK 0x1200c0fu

/* ---- filesystem types (mount(2)'s fstype, /proc/filesystems) ---- */
struct fs_type {
	const char *name; /* "tmpfs", "proc"... */
	bool nodev; /* not backed by a block device: "nodev" in /proc/filesystems */
	/* A new superblock and its root inode (+1 each) for mount(2). source and data are
	 * the guest's strings (data may be NULL); flags are mount(2)'s MS_* flags. */
	int (*mount)(const char *source, unsigned long flags, const char *data,
		     struct super_block **sb, struct inode **root);
};
/* Registers a type (t must outlive the sandbox). -EEXIST if the name is taken. */
int vfs_register_fstype(const struct fs_type *t);
const struct fs_type *vfs_fstype_lookup(const char *name); /* NULL = -ENODEV */
/* A new filesystem of the registered type fstype (-ENODEV if none) on mp: the type's
 * mount with flags' superblock flags, mounted with per-mount flags mflags (from
 * vfs_mount_flags). For mount(2) and the sandbox's boot mounts alike. */
int vfs_mount_fstype(const struct path *mp, const char *fstype, const char *source,
		     unsigned long flags, unsigned mflags, const char *data);
/* The per-mount flags mount(2)'s MS_* flags ask for on target (relatime by default). */
unsigned vfs_mount_flags(const struct path *target, unsigned long flags);
/* Calls fn for each registered type, in registration order. */
void vfs_fstype_iterate(void (*fn)(const struct fs_type *t, void *arg), void *arg);

/* ---- the mount table as a task sees it (/proc/[pid]/mounts, mountinfo) ---- */
struct mount_entry {
	struct mount *mnt; /* valid (referenced) during the callback */
	uint64_t id, parent_id; /* parent_id == id for the namespace's top mount */
	const char *mountpoint; /* as seen from the iterating root, e.g. "/tmp" */
	const char *fs_root; /* the mount's root within its filesystem ("/" or a bind's subdir) */
};
/* Calls fn for each mount under root (root's own mount first, parents before children,
 * siblings in mount order). Mounts outside root (after chroot) are skipped. Stops at the
 * first nonzero return of fn and returns it; -ENOMEM if the snapshot cannot be taken. */
int vfs_mount_iterate(const struct path *root, int (*fn)(const struct mount_entry *e, void *arg),
		      void *arg);

/* A path for an anonymous inode (a pipe(2) inode...) on a filesystem's internal mount: a
 * dentry named name under mnt's root that no lookup finds, so files of the inode have a
 * path that /proc/[pid]/fd links can reopen. +1 path. */
int vfs_anon_path(struct mount *mnt, const char *name, struct inode *inode, struct path *out);

/* ---- path walk and the *at logic (all take the caller's fs view and creds) ---- */
/* A NULL cred is the kernel itself: no permission checks (the loader, tests). */

/* Resolution flags for vfs_walk (LOOKUP_*). */
#define LOOKUP_FOLLOW (1u << 0) /* follow a trailing symlink */
#define LOOKUP_DIRECTORY (1u << 1) /* the result must be a directory */
#define LOOKUP_EMPTY (1u << 2) /* "" names the start directory (AT_EMPTY_PATH) */
#define LOOKUP_PARENT (1u << 3) /* internal */
/* openat2(2)'s RESOLVE_* restrictions */
#define LOOKUP_NO_SYMLINKS (1u << 4) /* -ELOOP on any symlink to follow */
#define LOOKUP_NO_MAGICLINKS (1u << 5) /* -ELOOP on a procfs-style magic link */
#define LOOKUP_NO_XDEV (1u << 6) /* -EXDEV on crossing a mount (down, up, or by a jump) */
#define LOOKUP_BENEATH (1u << 7) /* -EXDEV on leaving the start dir (`..`, "/...") */
#define LOOKUP_IN_ROOT (1u << 8) /* the start dir is the root for "/" and `..` */
#define LOOKUP_CACHED (1u << 9) /* only what needs no I/O: -EAGAIN otherwise */

/* The start of a relative walk: the dirfd's path, or NULL for the cwd. */
int vfs_walk(struct fs_view *v, const struct path *start, const char *name, unsigned lookup,
	     const struct vfs_cred *c, struct path *out);

/* openat(2) semantics: flags are the guest's O_* flags; mode before umask. */
int vfs_openat(struct fs_view *v, const struct path *start, const char *name, int flags,
	       uint32_t mode, const struct vfs_cred *c, struct file **out);
/* openat2(2): the same with LOOKUP_* restrictions (flags and mode already validated). */
int vfs_openat2(struct fs_view *v, const struct path *start, const char *name, int flags,
		uint32_t mode, unsigned lookup, const struct vfs_cred *c, struct file **out);
/* The O_TMPFILE case of vfs_openat2 (tmpfile.c): name is the directory. -EINVAL unless
 * opened for writing, -EOPNOTSUPP if its filesystem has no unnamed files. */
int vfs_open_tmpfile(struct fs_view *v, const struct path *start, const char *name, int flags,
		     uint32_t mode, unsigned lookup, const struct vfs_cred *c, struct file **out);
int vfs_statat(struct fs_view *v, const struct path *start, const char *name, unsigned lookup,
	       const struct vfs_cred *c, struct kstat *st);
int vfs_fstat(struct file *f, struct kstat *st);
int vfs_mkdirat(struct fs_view *v, const struct path *start, const char *name, uint32_t mode,
		const struct vfs_cred *c);
int vfs_mknodat(struct fs_view *v, const struct path *start, const char *name, uint32_t mode,
		uint64_t dev, const struct vfs_cred *c);
int vfs_unlinkat(struct fs_view *v, const struct path *start, const char *name, int flags,
		 const struct vfs_cred *c);
int vfs_renameat(struct fs_view *v, const struct path *ostart, const char *oname,
		 const struct path *nstart, const char *nname, unsigned flags,
		 const struct vfs_cred *c);
int vfs_symlinkat(struct fs_view *v, const char *target, const struct path *start, const char *name,
		  const struct vfs_cred *c);
int vfs_linkat(struct fs_view *v, const struct path *ostart, const char *oname,
	       const struct path *nstart, const char *nname, unsigned lookup,
	       const struct vfs_cred *c);
ssize_t vfs_readlinkat(struct fs_view *v, const struct path *start, const char *name, char *buf,
		       size_t len, const struct vfs_cred *c);
/* faccessat2: mode is R_OK|W_OK|X_OK|F_OK. */
int vfs_accessat(struct fs_view *v, const struct path *start, const char *name, int mode,
		 unsigned lookup, const struct vfs_cred *c);
int vfs_chdir(struct fs_view *v, const struct path *p, const struct vfs_cred *c);
/* The path of p as seen from root, into buf (NUL-terminated). Length incl. NUL or -errno. */
ssize_t vfs_path_string(const struct path *root, const struct path *p, char *buf, size_t len);
/* The same without the "(unreachable)" prefix, as Linux's d_path for /proc links and
 * maps: a memfd on the internal tmpfs reads "/memfd:NAME (deleted)". */
ssize_t vfs_d_path(const struct path *root, const struct path *p, char *buf, size_t len);
/* Attribute changes with Linux's ownership / permission rules. mnt may be NULL (an
 * anonymous file); it only adds the mount's read-only flag. */
int vfs_chmod(struct mount *mnt, struct inode *inode, uint32_t mode, const struct vfs_cred *c);
/* ts NULL = now for both; tv_nsec may be UTIME_NOW / UTIME_OMIT (validated by the caller). */
int vfs_utimens(struct mount *mnt, struct inode *inode, const struct timespec *ts,
		const struct vfs_cred *c);
/* truncate(2) on a path: write permission, -EISDIR, -EINVAL for non-regular files. */
int vfs_truncate_checked(struct mount *mnt, struct inode *inode, int64_t size,
			 const struct vfs_cred *c);
/* chown(2): uid/gid of (uint32_t)-1 leave that id alone; clears set-ID bits. */
int vfs_chown(struct mount *mnt, struct inode *inode, uint32_t uid, uint32_t gid,
	      const struct vfs_cred *c);
int vfs_statfs(struct mount *mnt, struct inode *inode, struct statfs *out);
/* Whether the mount or its superblock is read-only. */
bool vfs_mnt_readonly(const struct mount *mnt, const struct inode *inode);
/* Permission check against an inode: mask of MAY_READ/MAY_WRITE/MAY_EXEC. */
#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4
int vfs_permission(struct inode *inode, int mask, const struct vfs_cred *c);

/* ---- extended attributes (xattr.c) ----
 * name is the full name; the checks are Linux's xattr_permission: an unknown namespace
 * is -EOPNOTSUPP, trusted.* needs CAP_SYS_ADMIN (reads: -ENODATA without it, writes
 * -EPERM), user.* only exists on regular files and directories and on sticky
 * directories is the owner's; otherwise read / write permission on the inode. */
ssize_t vfs_getxattr(struct inode *inode, const char *name, void *buf, size_t size,
		     const struct vfs_cred *c);
ssize_t vfs_listxattr(struct inode *inode, char *buf, size_t size, const struct vfs_cred *c);
int vfs_setxattr(struct mount *mnt, struct inode *inode, const char *name, const void *value,
		 size_t size, int flags, const struct vfs_cred *c);
int vfs_removexattr(struct mount *mnt, struct inode *inode, const char *name,
		    const struct vfs_cred *c);

/* ---- I/O on open files ---- */
ssize_t vfs_readv(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos);
ssize_t vfs_writev(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos);
/* Reads into a sentry buffer (the loader, #! lines). pos = -1 uses and moves f->pos. */
ssize_t vfs_kernel_read(struct file *f, void *buf, size_t len, int64_t pos);
int64_t vfs_llseek(struct file *f, int64_t off, int whence);
/* fallocate(2): Linux's vfs_fallocate checks, then file_ops.fallocate. */
int vfs_fallocate(struct file *f, int mode, int64_t off, int64_t len);
/* getdents64: fills buf with struct linux_dirent64 records; bytes used, 0 at end. */
ssize_t vfs_getdents64(struct file *f, void *buf, size_t len);
int vfs_truncate(struct inode *inode, int64_t size);
int vfs_setattr(struct inode *inode, const struct iattr *ia);

/* d_type for a mode */
unsigned vfs_dtype(uint32_t mode);
/* A kstat from a host struct stat (filesystems backed by host files). */
struct stat;
void vfs_kstat_from_host(const struct stat *h, struct kstat *st);
/* A kstat from an inode's fields (what a NULL getattr means). */
void vfs_fill_kstat(struct inode *inode, struct kstat *st);
/* poll(2)'s question for one file, without blocking (see file_ops.poll). */
short vfs_poll(struct file *f, short events);
/* The file's wait queue (file_ops.waitq), or NULL. */
struct waitq *vfs_waitq(struct file *f);
/* F_SETFL: changes the O_APPEND/O_NONBLOCK/O_ASYNC/O_DIRECT/O_NOATIME bits. */
int vfs_setfl(struct file *f, unsigned flags);

/* ---- file locks (locks.c): POSIX and OFD record locks, flock ----
 * A POSIX lock's owner is the fd table of the process that took it (as Linux's
 * files_struct): threads share their locks, fork does not pass them on, and the owner's
 * locks on an inode go when it closes any descriptor of that inode (vfs_posix_release).
 * An OFD or flock lock's owner is the open file: it goes with the file's last put. */
struct vfs_flock {
	short type; /* F_RDLCK, F_WRLCK, F_UNLCK */
	bool ofd; /* an OFD lock (owner: the struct file); F_GETLK reports its pid as -1 */
	int64_t start, end; /* absolute byte range, end inclusive; INT64_MAX = to EOF and beyond */
	int pid; /* the owner's pid, reported by F_GETLK */
};
/* How a blocking lock request sleeps: block waits on cv (mu held, as pthread_cond_wait)
 * and returns 0 when woken or -EINTR (a signal: the request is abandoned). */
struct vfs_lock_sleeper {
	int (*block)(void *arg, pthread_mutex_t *mu, pthread_cond_t *cv);
	void *arg;
};
extern const struct vfs_lock_sleeper vfs_lock_sleep_forever; /* uninterruptible */
/* F_GETLK: fl becomes the first lock of another owner that conflicts, or type F_UNLCK. */
int vfs_posix_getlk(struct inode *inode, const void *owner, struct vfs_flock *fl);
/* F_SETLK(W) / F_OFD_SETLK(W): -EAGAIN on a conflict when wait is NULL, else sleeps
 * through wait; -EDEADLK when a POSIX request would close a cycle of waiting owners,
 * -EINTR from the sleeper, -ENOLCK. */
int vfs_posix_setlk(struct inode *inode, const void *owner, const struct vfs_flock *fl,
		    const struct vfs_lock_sleeper *wait);
void vfs_posix_release(struct inode *inode, const void *owner);
/* flock(2): op is LOCK_SH/LOCK_EX/LOCK_UN (| LOCK_NB); the owner is the open file
 * description. -EWOULDBLOCK, -EINVAL, -EINTR, -ENOLCK. */
int vfs_flock(struct file *f, int op, const struct vfs_lock_sleeper *wait);
/* The last reference of f went: drops its OFD and flock locks (file_put calls it). */
void vfs_locks_file_release(struct file *f);

/* ---- guest mappings of files ----
 * After a truncate or a hole punch, pages [first, end) of inode leave every guest
 * mapping (private copies of them too), so the next access faults and sees the file as
 * it is now: zeros in a hole, SIGBUS past EOF. Call it without inode->lock held (the
 * mm takes its own lock first, then the file's in get_page). */
void vfs_unmap_file_range(struct inode *inode, uint64_t first, uint64_t end);
/* Set once at boot by the sentry (mm_zap_file_range). */
void vfs_set_unmap_hook(void (*fn)(struct inode *inode, uint64_t first, uint64_t end));

/* ---- character devices implemented in the sentry (fs/dev), by st_rdev ---- */
/* Registers fops for device rdev (makedev(major, minor)); opens of a char-device
 * inode with that rdev on a filesystem that supports device nodes use them. */
int vfs_chrdev_register(uint64_t rdev, const struct file_ops *fops);
const struct file_ops *vfs_chrdev_lookup(uint64_t rdev); /* NULL = -ENXIO */

#endif
