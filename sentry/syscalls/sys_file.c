/* Calls on an open descriptor: getdents64, ftruncate, fsync/fdatasync, fchmod, fchdir. */
#include <errno.h>
#include <stdlib.h>

#include "fs/vfs/vfs.h"
#include "sentry/abi/linux.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

#define GETDENTS_BUF (64u << 10) /* a shorter read is a valid getdents answer */

/* getdents64(2): bytes of linux_dirent64 records, 0 at the end. */
long sys_getdents64(struct task *t, const struct sysargs *a)
{
	struct file *f = fdt_get(t->fdt, sysarg_int(a, 0));
	unsigned count = sysarg_uint(a, 2);
	size_t len = MIN(count, GETDENTS_BUF);
	void *buf;
	long ret;

	if (!f)
		return -EBADF;
	buf = malloc(len ? len : 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out_put;
	}
	ret = vfs_getdents64(f, buf, len);
	if (ret > 0 && task_copy_out(t, sysarg_addr(a, 1), buf, (size_t)ret) < 0)
		ret = -EFAULT;
	free(buf);
out_put:
	file_put(f);
	return ret;
}

/* ftruncate(2): a regular file open for writing, else -EINVAL (-EBADF for O_PATH). */
long sys_ftruncate(struct task *t, const struct sysargs *a)
{
	struct file *f = fdt_get(t->fdt, sysarg_int(a, 0));
	int64_t len = sysarg_long(a, 1);
	long ret;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		ret = -EBADF;
	else if (len < 0 || !file_writable(f) || !S_ISREG(f->inode->mode))
		ret = -EINVAL;
	else
		ret = vfs_truncate(f->inode, len);
	file_put(f);
	return ret;
}

static long do_fsync(struct task *t, int fd, bool datasync)
{
	struct file *f = fdt_get(t->fdt, fd);
	long ret = 0;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		ret = -EBADF;
	else if (f->ops && f->ops->fsync)
		ret = f->ops->fsync(f, datasync);
	file_put(f);
	return ret;
}

/* fsync(2): in-memory filesystems have nothing to flush. */
long sys_fsync(struct task *t, const struct sysargs *a)
{
	return do_fsync(t, sysarg_int(a, 0), false);
}

/* fdatasync(2) */
long sys_fdatasync(struct task *t, const struct sysargs *a)
{
	return do_fsync(t, sysarg_int(a, 0), true);
}

/* fchmod(2) */
long sys_fchmod(struct task *t, const struct sysargs *a)
{
	struct file *f = fdt_get(t->fdt, sysarg_int(a, 0));
	struct vfs_cred c;
	long ret;

	if (!f)
		return -EBADF;
	sys_fs_cred(t, &c);
	if (f->flags & O_PATH)
		ret = -EBADF;
	else
		ret = vfs_chmod(f->path.mnt, f->inode, sysarg_uint(a, 1), &c);
	file_put(f);
	return ret;
}

/* fchdir(2) */
long sys_fchdir(struct task *t, const struct sysargs *a)
{
	struct file *f = fdt_get(t->fdt, sysarg_int(a, 0));
	struct vfs_cred c;
	long ret;

	if (!f)
		return -EBADF;
	sys_fs_cred(t, &c);
	if (!f->path.dentry)
		ret = -ENOTDIR;
	else
		ret = vfs_chdir(t->fs, &f->path, &c);
	file_put(f);
	return ret;
}
