/*
 * Calls on names: access, getcwd/chdir, mkdir, mknod, rmdir/unlink, link, symlink,
 * readlink, rename, chmod, umask, truncate, utimensat, and their *at forms. Each
 * decodes its guest strings and flags and calls the VFS's *at logic.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h> /* RENAME_* */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/vfs/vfs.h"
#include "sentry/abi/linux.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

#define CAP_BIT(n) (1ULL << (n))

/* access(2) asks with the real ids; root's capabilities count only for real root. */
static void real_cred(struct task *t, struct vfs_cred *c)
{
	const struct cred *cr = t->cred;
	bool root = cr->uid == 0;

	c->fsuid = cr->uid;
	c->fsgid = cr->gid;
	c->cap_chown = root && (cr->cap_permitted & CAP_BIT(0));
	c->cap_dac_override = root && (cr->cap_permitted & CAP_BIT(1));
	c->cap_dac_read_search = root && (cr->cap_permitted & CAP_BIT(2));
	c->cap_fowner = root && (cr->cap_permitted & CAP_BIT(3));
	c->cap_fsetid = root && (cr->cap_permitted & CAP_BIT(4));
	c->cap_mknod = root && (cr->cap_permitted & CAP_BIT(27));
}

static long do_faccessat(struct task *t, int dirfd, uaddr_t upath, int mode, int flags)
{
	unsigned lookup = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	struct sys_at at;
	long ret;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	ret = sys_at_begin(t, dirfd, upath, flags & AT_EMPTY_PATH, &at);
	if (ret < 0)
		goto out_end;
	if (!(flags & AT_EACCESS))
		real_cred(t, &at.cred);
	if (sys_at_anon(&at)) {
		int mask = ((mode & R_OK) ? MAY_READ : 0) | ((mode & W_OK) ? MAY_WRITE : 0) |
			   ((mode & X_OK) ? MAY_EXEC : 0);

		ret = mask ? vfs_permission(at.held->inode, mask, &at.cred) : 0;
		goto out_end;
	}
	ret = vfs_accessat(t->fs, at.start, at.name, mode, lookup | LOOKUP_EMPTY, &at.cred);
out_end:
	sys_at_end(&at);
	return ret;
}

/* access(2) */
long sys_access(struct task *t, const struct sysargs *a)
{
	return do_faccessat(t, AT_FDCWD, sysarg_addr(a, 0), sysarg_int(a, 1), 0);
}

/* faccessat(2): the syscall has no flags argument. */
long sys_faccessat(struct task *t, const struct sysargs *a)
{
	return do_faccessat(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2), 0);
}

/* faccessat2(2) */
long sys_faccessat2(struct task *t, const struct sysargs *a)
{
	return do_faccessat(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2),
			    sysarg_int(a, 3));
}

/* getcwd(2): the length including the NUL, -ERANGE if it doesn't fit, -ENOENT once the
 * cwd was removed. */
long sys_getcwd(struct task *t, const struct sysargs *a)
{
	uint64_t size = sysarg_size(a, 1);
	struct path root, cwd;
	char *buf;
	long ret;

	buf = malloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	pthread_mutex_lock(&t->fs->lock);
	root = t->fs->root;
	cwd = t->fs->cwd;
	path_get(&root);
	path_get(&cwd);
	pthread_mutex_unlock(&t->fs->lock);
	if (cwd.dentry->flags & DENTRY_UNHASHED) {
		ret = -ENOENT;
		goto out_put;
	}
	ret = vfs_path_string(&root, &cwd, buf, PATH_MAX);
	if (ret == -ERANGE)
		ret = -ENAMETOOLONG;
	if (ret < 0)
		goto out_put;
	if ((uint64_t)ret > size)
		ret = -ERANGE;
	else if (task_copy_out(t, sysarg_addr(a, 0), buf, (size_t)ret) < 0)
		ret = -EFAULT;
out_put:
	path_put(&cwd);
	path_put(&root);
	free(buf);
	return ret;
}

/* chdir(2) */
long sys_chdir(struct task *t, const struct sysargs *a)
{
	struct sys_at at;
	struct path p;
	long ret;

	ret = sys_at_begin(t, AT_FDCWD, sysarg_addr(a, 0), false, &at);
	if (ret < 0)
		goto out_end;
	ret = vfs_walk(t->fs, NULL, at.name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &at.cred, &p);
	if (ret < 0)
		goto out_end;
	ret = vfs_chdir(t->fs, &p, &at.cred);
	path_put(&p);
out_end:
	sys_at_end(&at);
	return ret;
}

static long do_mkdirat(struct task *t, int dirfd, uaddr_t upath, uint32_t mode)
{
	struct sys_at at;
	long ret;

	ret = sys_at_begin(t, dirfd, upath, false, &at);
	if (ret == 0)
		ret = vfs_mkdirat(t->fs, at.start, at.name, mode, &at.cred);
	sys_at_end(&at);
	return ret;
}

/* mkdir(2) */
long sys_mkdir(struct task *t, const struct sysargs *a)
{
	return do_mkdirat(t, AT_FDCWD, sysarg_addr(a, 0), sysarg_uint(a, 1));
}

/* mkdirat(2) */
long sys_mkdirat(struct task *t, const struct sysargs *a)
{
	return do_mkdirat(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_uint(a, 2));
}

static long do_mknodat(struct task *t, int dirfd, uaddr_t upath, uint32_t mode, uint32_t dev)
{
	struct sys_at at;
	long ret;

	ret = sys_at_begin(t, dirfd, upath, false, &at);
	if (ret == 0)
		ret = vfs_mknodat(t->fs, at.start, at.name, mode, dev, &at.cred);
	sys_at_end(&at);
	return ret;
}

/* mknod(2): regular files, FIFOs and sockets; device nodes need CAP_MKNOD. */
long sys_mknod(struct task *t, const struct sysargs *a)
{
	return do_mknodat(t, AT_FDCWD, sysarg_addr(a, 0), sysarg_uint(a, 1), sysarg_uint(a, 2));
}

/* mknodat(2) */
long sys_mknodat(struct task *t, const struct sysargs *a)
{
	return do_mknodat(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_uint(a, 2),
			  sysarg_uint(a, 3));
}

static long do_unlinkat(struct task *t, int dirfd, uaddr_t upath, int flags)
{
	struct sys_at at;
	long ret;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	ret = sys_at_begin(t, dirfd, upath, false, &at);
	if (ret == 0)
		ret = vfs_unlinkat(t->fs, at.start, at.name, flags, &at.cred);
	sys_at_end(&at);
	return ret;
}

/* unlink(2) */
long sys_unlink(struct task *t, const struct sysargs *a)
{
	return do_unlinkat(t, AT_FDCWD, sysarg_addr(a, 0), 0);
}

/* rmdir(2) */
long sys_rmdir(struct task *t, const struct sysargs *a)
{
	return do_unlinkat(t, AT_FDCWD, sysarg_addr(a, 0), AT_REMOVEDIR);
}

/* unlinkat(2) */
long sys_unlinkat(struct task *t, const struct sysargs *a)
{
	return do_unlinkat(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2));
}

static long do_linkat(struct task *t, int odirfd, uaddr_t oupath, int ndirfd, uaddr_t nupath,
		      int flags)
{
	unsigned lookup = 0;
	struct sys_at o, n;
	long ret;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_SYMLINK_FOLLOW)
		lookup |= LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lookup |= LOOKUP_EMPTY;
	n.name = NULL;
	n.held = NULL;
	ret = sys_at_begin(t, odirfd, oupath, flags & AT_EMPTY_PATH, &o);
	if (ret < 0)
		goto out_end;
	/* linking an open file by its fd needs CAP_DAC_READ_SEARCH, as on Linux */
	if (!o.name[0] && (!o.cred.cap_dac_read_search || sys_at_anon(&o))) {
		ret = -ENOENT;
		goto out_end;
	}
	ret = sys_at_begin(t, ndirfd, nupath, false, &n);
	if (ret < 0)
		goto out_end;
	ret = vfs_linkat(t->fs, o.start, o.name, n.start, n.name, lookup, &o.cred);
out_end:
	sys_at_end(&n);
	sys_at_end(&o);
	return ret;
}

/* link(2) */
long sys_link(struct task *t, const struct sysargs *a)
{
	return do_linkat(t, AT_FDCWD, sysarg_addr(a, 0), AT_FDCWD, sysarg_addr(a, 1), 0);
}

/* linkat(2) */
long sys_linkat(struct task *t, const struct sysargs *a)
{
	return do_linkat(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2),
			 sysarg_addr(a, 3), sysarg_int(a, 4));
}

static long do_symlinkat(struct task *t, uaddr_t utarget, int dirfd, uaddr_t upath)
{
	char *target = NULL;
	struct sys_at at;
	long ret;

	at.name = NULL;
	at.held = NULL;
	ret = task_path_in(t, utarget, &target);
	if (ret < 0)
		goto out_end;
	ret = sys_at_begin(t, dirfd, upath, false, &at);
	if (ret == 0)
		ret = vfs_symlinkat(t->fs, target, at.start, at.name, &at.cred);
out_end:
	sys_at_end(&at);
	free(target);
	return ret;
}

/* symlink(2) */
long sys_symlink(struct task *t, const struct sysargs *a)
{
	return do_symlinkat(t, sysarg_addr(a, 0), AT_FDCWD, sysarg_addr(a, 1));
}

/* symlinkat(2) */
long sys_symlinkat(struct task *t, const struct sysargs *a)
{
	return do_symlinkat(t, sysarg_addr(a, 0), sysarg_int(a, 1), sysarg_addr(a, 2));
}

/* readlinkat: "" reads the symlink the dirfd itself names (opened O_PATH|O_NOFOLLOW). */
static long do_readlinkat(struct task *t, int dirfd, uaddr_t upath, uaddr_t ubuf, int size)
{
	struct sys_at at;
	char *buf = NULL;
	long ret;

	if (size <= 0)
		return -EINVAL;
	ret = sys_at_begin(t, dirfd, upath, true, &at);
	if (ret < 0)
		goto out_end;
	if (sys_at_anon(&at)) {
		ret = -ENOENT;
		goto out_end;
	}
	buf = malloc(MIN((size_t)size, PATH_MAX));
	if (!buf) {
		ret = -ENOMEM;
		goto out_end;
	}
	ret = vfs_readlinkat(t->fs, at.start, at.name, buf, MIN((size_t)size, PATH_MAX), &at.cred);
	if (ret > 0 && task_copy_out(t, ubuf, buf, (size_t)ret) < 0)
		ret = -EFAULT;
out_end:
	free(buf);
	sys_at_end(&at);
	return ret;
}

/* readlink(2) */
long sys_readlink(struct task *t, const struct sysargs *a)
{
	return do_readlinkat(t, AT_FDCWD, sysarg_addr(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2));
}

/* readlinkat(2) */
long sys_readlinkat(struct task *t, const struct sysargs *a)
{
	return do_readlinkat(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_addr(a, 2),
			     sysarg_int(a, 3));
}

static long do_renameat2(struct task *t, int odirfd, uaddr_t oupath, int ndirfd, uaddr_t nupath,
			 unsigned flags)
{
	struct sys_at o, n;
	long ret;

	n.name = NULL;
	n.held = NULL;
	ret = sys_at_begin(t, odirfd, oupath, false, &o);
	if (ret < 0)
		goto out_end;
	ret = sys_at_begin(t, ndirfd, nupath, false, &n);
	if (ret < 0)
		goto out_end;
	ret = vfs_renameat(t->fs, o.start, o.name, n.start, n.name, flags, &o.cred);
out_end:
	sys_at_end(&n);
	sys_at_end(&o);
	return ret;
}

/* rename(2) */
long sys_rename(struct task *t, const struct sysargs *a)
{
	return do_renameat2(t, AT_FDCWD, sysarg_addr(a, 0), AT_FDCWD, sysarg_addr(a, 1), 0);
}

/* renameat(2) */
long sys_renameat(struct task *t, const struct sysargs *a)
{
	return do_renameat2(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2),
			    sysarg_addr(a, 3), 0);
}

/* renameat2(2): RENAME_NOREPLACE and RENAME_EXCHANGE; RENAME_WHITEOUT is -EOPNOTSUPP. */
long sys_renameat2(struct task *t, const struct sysargs *a)
{
	return do_renameat2(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2),
			    sysarg_addr(a, 3), sysarg_uint(a, 4));
}

static long do_fchmodat(struct task *t, int dirfd, uaddr_t upath, uint32_t mode)
{
	struct sys_at at;
	struct path p;
	long ret;

	ret = sys_at_begin(t, dirfd, upath, false, &at);
	if (ret < 0)
		goto out_end;
	ret = vfs_walk(t->fs, at.start, at.name, LOOKUP_FOLLOW, &at.cred, &p);
	if (ret < 0)
		goto out_end;
	ret = vfs_chmod(p.mnt, p.dentry->inode, mode, &at.cred);
	path_put(&p);
out_end:
	sys_at_end(&at);
	return ret;
}

/* chmod(2) */
long sys_chmod(struct task *t, const struct sysargs *a)
{
	return do_fchmodat(t, AT_FDCWD, sysarg_addr(a, 0), sysarg_uint(a, 1));
}

/* fchmodat(2): no flags argument in the syscall. */
long sys_fchmodat(struct task *t, const struct sysargs *a)
{
	return do_fchmodat(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_uint(a, 2));
}

/* umask(2): the previous mask. */
long sys_umask(struct task *t, const struct sysargs *a)
{
	return __atomic_exchange_n(&t->fs->umask, sysarg_uint(a, 0) & 0777, __ATOMIC_RELAXED);
}

/* truncate(2) */
long sys_truncate(struct task *t, const struct sysargs *a)
{
	int64_t len = sysarg_long(a, 1);
	struct sys_at at;
	struct path p;
	long ret;

	if (len < 0)
		return -EINVAL;
	ret = sys_at_begin(t, AT_FDCWD, sysarg_addr(a, 0), false, &at);
	if (ret < 0)
		goto out_end;
	ret = vfs_walk(t->fs, NULL, at.name, LOOKUP_FOLLOW, &at.cred, &p);
	if (ret < 0)
		goto out_end;
	ret = vfs_truncate_checked(p.mnt, p.dentry->inode, len, &at.cred);
	path_put(&p);
out_end:
	sys_at_end(&at);
	return ret;
}

static bool utime_valid(const struct linux_timespec *ts)
{
	return ts->tv_nsec == UTIME_NOW || ts->tv_nsec == UTIME_OMIT ||
	       (ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000);
}

/* utimensat(2): a NULL path applies to dirfd itself (futimens). */
long sys_utimensat(struct task *t, const struct sysargs *a)
{
	int dirfd = sysarg_int(a, 0), flags = sysarg_int(a, 3);
	uaddr_t upath = sysarg_addr(a, 1), utimes = sysarg_addr(a, 2);
	struct linux_timespec lts[2];
	struct timespec ts[2];
	struct vfs_cred c;
	struct sys_at at = { 0 };
	struct file *f;
	struct path p;
	long ret;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (utimes) {
		ret = task_copy_in(t, utimes, lts, sizeof(lts));
		if (ret < 0)
			return ret;
		if (!utime_valid(&lts[0]) || !utime_valid(&lts[1]))
			return -EINVAL;
		for (int i = 0; i < 2; i++) {
			ts[i].tv_sec = lts[i].tv_sec;
			ts[i].tv_nsec = lts[i].tv_nsec;
		}
	}
	if (!upath) {
		if (dirfd == AT_FDCWD)
			return -EFAULT;
		if (flags & AT_SYMLINK_NOFOLLOW)
			return -EINVAL;
		f = fdt_get(t->fdt, dirfd);
		if (!f)
			return -EBADF;
		sys_fs_cred(t, &c);
		ret = vfs_utimens(f->path.mnt, f->inode, utimes ? ts : NULL, &c);
		file_put(f);
		return ret;
	}
	ret = sys_at_begin(t, dirfd, upath, flags & AT_EMPTY_PATH, &at);
	if (ret < 0)
		goto out_end;
	if (sys_at_anon(&at)) {
		ret = vfs_utimens(NULL, at.held->inode, utimes ? ts : NULL, &at.cred);
		goto out_end;
	}
	ret = vfs_walk(t->fs, at.start, at.name,
		       ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) | LOOKUP_EMPTY, &at.cred,
		       &p);
	if (ret < 0)
		goto out_end;
	ret = vfs_utimens(p.mnt, p.dentry->inode, utimes ? ts : NULL, &at.cred);
	path_put(&p);
out_end:
	sys_at_end(&at);
	return ret;
}

static long do_fchownat(struct task *t, int dirfd, uaddr_t upath, uint32_t uid, uint32_t gid,
			int flags)
{
	unsigned lookup = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	struct sys_at at;
	struct path p;
	long ret;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	ret = sys_at_begin(t, dirfd, upath, flags & AT_EMPTY_PATH, &at);
	if (ret < 0)
		goto out_end;
	if (sys_at_anon(&at)) {
		ret = vfs_chown(NULL, at.held->inode, uid, gid, &at.cred);
		goto out_end;
	}
	ret = vfs_walk(t->fs, at.start, at.name, lookup | LOOKUP_EMPTY, &at.cred, &p);
	if (ret < 0)
		goto out_end;
	ret = vfs_chown(p.mnt, p.dentry->inode, uid, gid, &at.cred);
	path_put(&p);
out_end:
	sys_at_end(&at);
	return ret;
}

/* chown(2) */
long sys_chown(struct task *t, const struct sysargs *a)
{
	return do_fchownat(t, AT_FDCWD, sysarg_addr(a, 0), sysarg_uint(a, 1), sysarg_uint(a, 2), 0);
}

/* lchown(2) */
long sys_lchown(struct task *t, const struct sysargs *a)
{
	return do_fchownat(t, AT_FDCWD, sysarg_addr(a, 0), sysarg_uint(a, 1), sysarg_uint(a, 2),
			   AT_SYMLINK_NOFOLLOW);
}

/* fchownat(2) */
long sys_fchownat(struct task *t, const struct sysargs *a)
{
	return do_fchownat(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_uint(a, 2),
			   sysarg_uint(a, 3), sysarg_int(a, 4));
}
