/*
 * Calls on an open descriptor: getdents/getdents64, ftruncate, fallocate,
 * fsync/fdatasync/syncfs/sync_file_range (and sync), fchmod/fchown, fchdir, close_range.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/close_range.h>

#include "fs/vfs/vfs.h"
#include "sentry/abi/linux.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

#define GETDENTS_BUF (64u << 10) /* a shorter read is a valid getdents answer */

/*
 * The legacy getdents record: d_ino, d_off, d_reclen, d_name, then d_type in the last byte.
 * It is exactly as long as the getdents64 record of the same name, so each record of buf
 * is rewritten in place.
 */
static void dirent64_to_legacy(char *buf, long len)
{
	for (long off = 0; off < len;) {
		char *rec = buf + off;
		uint16_t reclen;
		uint8_t type = (uint8_t)rec[18];

		memcpy(&reclen, rec + 16, sizeof(reclen));
		memmove(rec + 18, rec + 19, strnlen(rec + 19, reclen - 19u) + 1);
		rec[reclen - 1] = (char)type;
		off += reclen;
	}
}

/* getdents/getdents64: bytes of records, 0 at the end. */
static long do_getdents(struct task *t, const struct sysargs *a, bool legacy)
{
	struct file *f = fdt_get(t->fdt, sysarg_int(a, 0));
	unsigned count = sysarg_uint(a, 2);
	size_t len = MIN(count, GETDENTS_BUF);
	int64_t pos;
	char *buf;
	long ret;

	if (!f)
		return -EBADF;
	buf = malloc(len ? len : 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out_put;
	}
	pos = __atomic_load_n(&f->pos, __ATOMIC_RELAXED);
	ret = vfs_getdents64(f, buf, len);
	if (legacy)
		dirent64_to_legacy(buf, ret);
	if (ret > 0 && task_copy_out(t, sysarg_addr(a, 1), buf, (size_t)ret) < 0) {
		/* nothing reached the guest: the entries are still to be read */
		vfs_llseek(f, pos, SEEK_SET);
		ret = -EFAULT;
	}
	free(buf);
out_put:
	file_put(f);
	return ret;
}

long sys_getdents64(struct task *t, const struct sysargs *a)
{
	return do_getdents(t, a, false);
}

long sys_getdents(struct task *t, const struct sysargs *a)
{
	return do_getdents(t, a, true);
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
	long ret;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		ret = -EBADF;
	else if (f->ops && f->ops->fsync)
		ret = f->ops->fsync(f, datasync);
	else
		ret = -EINVAL; /* pipes, sockets, devices: nothing that could be synced */
	file_put(f);
	return ret;
}

/* fallocate(2): the checks and modes are the VFS's and the filesystem's. */
long sys_fallocate(struct task *t, const struct sysargs *a)
{
	struct file *f = fdt_get(t->fdt, sysarg_int(a, 0));
	long ret;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		ret = -EBADF;
	else
		ret = vfs_fallocate(f, sysarg_int(a, 1), sysarg_long(a, 2), sysarg_long(a, 3));
	file_put(f);
	return ret;
}

/* sync(2): tmpfs lives in memory, and gofer-backed files are written through to their
 * host fds at once (their shared-mapping pages on msync, fsync and close), so there is
 * no sentry-side cache for it to flush. */
long sys_sync(struct task *t, const struct sysargs *a)
{
	(void)t;
	(void)a;
	return 0;
}

/* syncfs(2): as sync, for one filesystem; the fd must be a real open file. */
long sys_syncfs(struct task *t, const struct sysargs *a)
{
	struct file *f = fdt_get(t->fdt, sysarg_int(a, 0));
	long ret = 0;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		ret = -EBADF;
	file_put(f);
	return ret;
}

/* sync_file_range(2): Linux's argument checks; a write-out request flushes the file's
 * data as fdatasync would (the only cache is a shared mapping's pages). */
long sys_sync_file_range(struct task *t, const struct sysargs *a)
{
	const unsigned valid =
		SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
	int64_t off = sysarg_long(a, 1), nbytes = sysarg_long(a, 2), end;
	unsigned flags = sysarg_uint(a, 3);
	struct file *f = fdt_get(t->fdt, sysarg_int(a, 0));
	uint32_t mode;
	long ret = 0;

	if (!f)
		return -EBADF;
	mode = f->inode->mode;
	if (f->flags & O_PATH)
		ret = -EBADF;
	else if ((flags & ~valid) || off < 0 || nbytes < 0 ||
		 __builtin_add_overflow(off, nbytes, &end))
		ret = -EINVAL;
	else if (!S_ISREG(mode) && !S_ISBLK(mode) && !S_ISDIR(mode) && !S_ISLNK(mode))
		ret = -ESPIPE;
	else if ((flags & SYNC_FILE_RANGE_WRITE) && f->ops && f->ops->fsync)
		ret = f->ops->fsync(f, true);
	file_put(f);
	return ret;
}

/* fsync(2) */
long sys_fsync(struct task *t, const struct sysargs *a)
{
	return do_fsync(t, sysarg_int(a, 0), false);
}

/* fdatasync(2) */
long sys_fdatasync(struct task *t, const struct sysargs *a)
{
	return do_fsync(t, sysarg_int(a, 0), true);
}

/* The file fchmod/fchown change (+1) and the caller's creds; NULL = -EBADF (no such fd,
 * or an O_PATH one, which names a file without opening it). */
static struct file *attr_file(struct task *t, int fd, struct vfs_cred *c)
{
	struct file *f = fdt_get(t->fdt, fd);

	if (f && (f->flags & O_PATH)) {
		file_put(f);
		return NULL;
	}
	sys_fs_cred(t, c);
	return f;
}

/* fchmod(2) */
long sys_fchmod(struct task *t, const struct sysargs *a)
{
	struct vfs_cred c;
	struct file *f = attr_file(t, sysarg_int(a, 0), &c);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_chmod(f->path.mnt, f->inode, sysarg_uint(a, 1), &c);
	file_put(f);
	return ret;
}

/* fchown(2) */
long sys_fchown(struct task *t, const struct sysargs *a)
{
	struct vfs_cred c;
	struct file *f = attr_file(t, sysarg_int(a, 0), &c);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_chown(f->path.mnt, f->inode, sysarg_uint(a, 1), sysarg_uint(a, 2), &c);
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

/* close_range(2): CLOSE_RANGE_UNSHARE first gives the caller a private copy of a
 * shared table, as unshare(CLONE_FILES) would. */
long sys_close_range(struct task *t, const struct sysargs *a)
{
	unsigned first = sysarg_uint(a, 0), last = sysarg_uint(a, 1), flags = sysarg_uint(a, 2);
	int err;

	if (first > last || (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)))
		return -EINVAL;
	if (flags & CLOSE_RANGE_UNSHARE) {
		err = task_unshare_files(t);
		if (err)
			return err;
	}
	return fdt_close_range(t->fdt, first, last, flags & ~CLOSE_RANGE_UNSHARE);
}
