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
	void *priv;
};

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
	/* Refreshes inode fields from the backing store (goferfs); NULL = fields are truth. */
	int (*getattr)(struct inode *inode, struct kstat *st);
	int (*setattr)(struct inode *inode, const struct iattr *ia);
	/* Sets file->ops/file->priv for a new open file. NULL = use inode->fops as is. */
	int (*open)(struct inode *inode, struct file *file);
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
	/* For MAP_SHARED (and page-cache backed private) mappings: the memory-file page
	 * holding page pgoff of the file, with a +1 page reference. NULL = the mm copies
	 * the file's data into private pages with read. */
	int (*get_page)(struct file *f, uint64_t pgoff, bool write, uint64_t *memfile_off);
	void (*release)(struct file *f);
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
	unsigned flags;
	pthread_mutex_t lock;
};

struct mount {
	struct ref ref;
	struct mount *parent; /* itself for the root mount */
	struct dentry *mountpoint; /* in parent */
	struct dentry *root;
	struct super_block *sb;
	unsigned flags; /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC */
	uint64_t id;
	char *source; /* mount(2)'s source, for /proc/mounts; NULL = the fstype (owned) */
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

/* Live object counts, for leak checks in tests. */
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

/* ---- path walk and the *at logic (all take the caller's fs view and creds) ---- */
/* A NULL cred is the kernel itself: no permission checks (the loader, tests). */

/* Resolution flags for vfs_walk (LOOKUP_*). */
#define LOOKUP_FOLLOW (1u << 0) /* follow a trailing symlink */
#define LOOKUP_DIRECTORY (1u << 1) /* the result must be a directory */
#define LOOKUP_EMPTY (1u << 2) /* "" names the start directory (AT_EMPTY_PATH) */
#define LOOKUP_PARENT (1u << 3) /* internal */

/* The start of a relative walk: the dirfd's path, or NULL for the cwd. */
int vfs_walk(struct fs_view *v, const struct path *start, const char *name, unsigned lookup,
	     const struct vfs_cred *c, struct path *out);

/* openat(2) semantics: flags are the guest's O_* flags; mode before umask. */
int vfs_openat(struct fs_view *v, const struct path *start, const char *name, int flags,
	       uint32_t mode, const struct vfs_cred *c, struct file **out);
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

/* ---- I/O on open files ---- */
ssize_t vfs_readv(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos);
ssize_t vfs_writev(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos);
/* Reads into a sentry buffer (the loader, #! lines). pos = -1 uses and moves f->pos. */
ssize_t vfs_kernel_read(struct file *f, void *buf, size_t len, int64_t pos);
int64_t vfs_llseek(struct file *f, int64_t off, int whence);
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

/* ---- POSIX record locks (fcntl F_GETLK/F_SETLK/F_SETLKW) ----
 * A lock's owner is the fd table of the process that took it (as Linux's files_struct):
 * threads share their locks, fork does not pass them on, and the owner's locks on an
 * inode go when it closes any descriptor of that inode (vfs_posix_release). */
struct vfs_flock {
	short type; /* F_RDLCK, F_WRLCK, F_UNLCK */
	int64_t start, end; /* absolute byte range, end inclusive; INT64_MAX = to EOF and beyond */
	int pid; /* the owner's pid, reported by F_GETLK */
};
/* F_GETLK: fl becomes the first lock of another owner that conflicts, or type F_UNLCK. */
int vfs_posix_getlk(struct inode *inode, const void *owner, struct vfs_flock *fl);
/* F_SETLK(W): -EAGAIN on a conflict unless wait (then it blocks until it can). */
int vfs_posix_setlk(struct inode *inode, const void *owner, const struct vfs_flock *fl, bool wait);
void vfs_posix_release(struct inode *inode, const void *owner);

/* ---- character devices implemented in the sentry (fs/dev), by st_rdev ---- */
/* Registers fops for device rdev (makedev(major, minor)); opens of a char-device
 * inode with that rdev on a filesystem that supports device nodes use them. */
int vfs_chrdev_register(uint64_t rdev, const struct file_ops *fops);
const struct file_ops *vfs_chrdev_lookup(uint64_t rdev); /* NULL = -ENXIO */

#endif
