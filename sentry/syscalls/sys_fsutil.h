/*
 * Helpers the file syscalls share: the caller's fs credentials, the start of a *at
 * walk from a dirfd, RLIMIT_NOFILE, and guest <-> kstat conversions.
 */
#ifndef SENTRY_SYSCALLS_SYS_FSUTIL_H
#define SENTRY_SYSCALLS_SYS_FSUTIL_H

#include <stdbool.h>

#include "fs/vfs/vfs.h"

struct task;

/* Linux's MAX_RW_COUNT: one read or write moves at most this many bytes. */
#define SYS_MAX_RW_COUNT (INT32_MAX & ~4095)

void sys_fs_cred(struct task *t, struct vfs_cred *c);
/* The fd limit for new descriptors (RLIMIT_NOFILE's soft limit). */
int sys_nofile(struct task *t);

/*
 * The start of a walk of name relative to dirfd: *start is NULL for AT_FDCWD or an
 * absolute name, else the dirfd's path, kept alive by *held (put it with file_put; it
 * may be NULL). -EBADF for a bad dirfd, -ENOTDIR for a dirfd that is no directory
 * (unless name is empty: AT_EMPTY_PATH callers then use *held itself).
 */
int sys_at_start(struct task *t, int dirfd, const char *name, struct file **held,
		 const struct path **start);

/* The common prologue of a path syscall: the guest path, its start, the creds. */
struct sys_at {
	char *name;
	struct file *held; /* the dirfd's file, or NULL */
	const struct path *start; /* NULL: cwd (or root for an absolute name) */
	struct vfs_cred cred;
};

/* Fills at; empty_ok allows "" (AT_EMPTY_PATH), otherwise "" is -ENOENT. Call
 * sys_at_end whatever it returns. */
long sys_at_begin(struct task *t, int dirfd, uaddr_t upath, bool empty_ok, struct sys_at *at);
void sys_at_end(struct sys_at *at);
/* "" under AT_EMPTY_PATH on a file that has no path (a pipe, host stdio). */
static inline bool sys_at_anon(const struct sys_at *at)
{
	return !at->name[0] && at->held && !at->held->path.dentry;
}

/* fcntl's record-lock commands (F_GETLK..., F_OFD_*) on f, arg the guest's struct
 * flock (sys_lock.c). */
long sys_fcntl_lock(struct task *t, struct file *f, int cmd, uaddr_t arg);

/* kstat -> the guest's struct stat / struct statx, copied out. */
int sys_put_stat(struct task *t, uaddr_t addr, const struct kstat *st);
int sys_put_statx(struct task *t, uaddr_t addr, const struct kstat *st, unsigned mask);

#endif
