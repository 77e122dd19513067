/* The stat family (stat, lstat, fstat, newfstatat, statx) and statfs/fstatfs. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fs/vfs/vfs.h"
#include "sentry/abi/linux.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

#ifndef AT_STATX_SYNC_TYPE
#define AT_STATX_SYNC_TYPE 0x6000
#endif
#ifndef STATX__RESERVED
#define STATX__RESERVED 0x80000000U
#endif

/* stat of dirfd/upath with AT_* flags (already validated). */
static long do_statat(struct task *t, int dirfd, uaddr_t upath, int flags, struct kstat *st)
{
	unsigned lookup = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	struct sys_at at;
	long ret;

	ret = sys_at_begin(t, dirfd, upath, flags & AT_EMPTY_PATH, &at);
	if (ret < 0)
		goto out_end;
	if (!at.name[0] && at.held)
		ret = vfs_fstat(at.held, st);
	else
		ret = vfs_statat(t->fs, at.start, at.name, lookup | LOOKUP_EMPTY, &at.cred, st);
out_end:
	sys_at_end(&at);
	return ret;
}

static long stat_to(struct task *t, int dirfd, uaddr_t upath, int flags, uaddr_t ubuf)
{
	struct kstat st;
	long ret = do_statat(t, dirfd, upath, flags, &st);

	return ret < 0 ? ret : sys_put_stat(t, ubuf, &st);
}

/* stat(2) */
long sys_stat(struct task *t, const struct sysargs *a)
{
	return stat_to(t, AT_FDCWD, sysarg_addr(a, 0), 0, sysarg_addr(a, 1));
}

/* lstat(2) */
long sys_lstat(struct task *t, const struct sysargs *a)
{
	return stat_to(t, AT_FDCWD, sysarg_addr(a, 0), AT_SYMLINK_NOFOLLOW, sysarg_addr(a, 1));
}

/* fstat(2): O_PATH descriptors too. */
long sys_fstat(struct task *t, const struct sysargs *a)
{
	struct file *f = fdt_get(t->fdt, sysarg_int(a, 0));
	struct kstat st;
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_fstat(f, &st);
	file_put(f);
	return ret < 0 ? ret : sys_put_stat(t, sysarg_addr(a, 1), &st);
}

/* newfstatat(2) */
long sys_newfstatat(struct task *t, const struct sysargs *a)
{
	int flags = sysarg_int(a, 3);

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	return stat_to(t, sysarg_int(a, 0), sysarg_addr(a, 1), flags, sysarg_addr(a, 2));
}

/* statx(2) */
long sys_statx(struct task *t, const struct sysargs *a)
{
	int flags = sysarg_int(a, 2);
	unsigned mask = sysarg_uint(a, 3);
	struct kstat st;
	long ret;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	ret = do_statat(t, sysarg_int(a, 0), sysarg_addr(a, 1), flags, &st);
	return ret < 0 ? ret : sys_put_statx(t, sysarg_addr(a, 4), &st, mask);
}

/* The host's struct statfs is the guest's (x86-64 on x86-64). */
_Static_assert(sizeof(struct statfs) == 120, "struct statfs is 120 bytes on x86-64");

/* statfs(2) */
long sys_statfs(struct task *t, const struct sysargs *a)
{
	struct statfs sfs;
	struct sys_at at;
	struct path p;
	long ret;

	ret = sys_at_begin(t, AT_FDCWD, sysarg_addr(a, 0), false, &at);
	if (ret < 0)
		goto out_end;
	ret = vfs_walk(t->fs, at.start, at.name, LOOKUP_FOLLOW, &at.cred, &p);
	if (ret < 0)
		goto out_end;
	ret = vfs_statfs(p.mnt, p.dentry->inode, &sfs);
	path_put(&p);
	if (ret == 0)
		ret = task_copy_out(t, sysarg_addr(a, 1), &sfs, sizeof(sfs));
out_end:
	sys_at_end(&at);
	return ret;
}

/* fstatfs(2) */
long sys_fstatfs(struct task *t, const struct sysargs *a)
{
	struct file *f = fdt_get(t->fdt, sysarg_int(a, 0));
	struct statfs sfs;
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_statfs(f->path.mnt, f->inode, &sfs);
	file_put(f);
	if (ret == 0)
		ret = task_copy_out(t, sysarg_addr(a, 1), &sfs, sizeof(sfs));
	return ret;
}
