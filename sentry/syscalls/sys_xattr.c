/*
 * Extended attributes: {,l,f}{get,set,list,remove}xattr. The handlers copy the name
 * and value in, find the inode (by path, following a trailing symlink or not, or by fd)
 * and call the VFS, which checks namespaces and permissions (fs/vfs/xattr.c). The order
 * of the checks is Linux's: flags, then the name, then the value, then the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

#define XATTR_NAME_MAX 255
#define XATTR_SIZE_MAX 65536
#define XATTR_LIST_MAX 65536

/* The file an xattr call acts on: a walked path or an fd's file. */
struct xattr_target {
	struct path path; /* +1 refs, or {NULL, NULL} */
	struct file *file; /* +1, or NULL */
	struct inode *inode; /* borrowed from either */
	struct mount *mnt; /* may be NULL (anonymous files) */
	struct vfs_cred cred;
};

static long name_in(struct task *t, uaddr_t uname, char name[XATTR_NAME_MAX + 1])
{
	long n = task_strncpy_in(t, uname, name, XATTR_NAME_MAX + 1);

	if (n == -ENAMETOOLONG)
		return -ERANGE;
	if (n < 0)
		return n;
	return n == 0 ? -ERANGE : 0;
}

/* Resolves the path (the pathname calls pass fd -1) or the fd (the f* calls map a
 * negative fd to one that fails with -EBADF) into tg. */
static long target_get(struct task *t, uaddr_t upath, bool follow, int fd, struct xattr_target *tg)
{
	struct sys_at at;
	long err;

	memset(tg, 0, sizeof(*tg));
	if (fd >= 0) {
		tg->file = fdt_get(t->fdt, fd);
		if (!tg->file)
			return -EBADF;
		if (tg->file->flags & O_PATH) {
			file_put(tg->file);
			tg->file = NULL;
			return -EBADF;
		}
		sys_fs_cred(t, &tg->cred);
		tg->inode = tg->file->inode;
		tg->mnt = tg->file->path.mnt;
		return 0;
	}
	err = sys_at_begin(t, AT_FDCWD, upath, false, &at);
	if (!err)
		err = vfs_walk(t->fs, at.start, at.name, follow ? LOOKUP_FOLLOW : 0, &at.cred,
			       &tg->path);
	if (!err) {
		tg->cred = at.cred;
		tg->inode = tg->path.dentry->inode;
		tg->mnt = tg->path.mnt;
	}
	sys_at_end(&at);
	return err;
}

static void target_put(struct xattr_target *tg)
{
	if (tg->file)
		file_put(tg->file);
	else if (tg->path.dentry)
		path_put(&tg->path);
}

static long do_getxattr(struct task *t, uaddr_t upath, bool follow, int fd, uaddr_t uname,
			uaddr_t uvalue, size_t size)
{
	char name[XATTR_NAME_MAX + 1];
	struct xattr_target tg;
	void *buf = NULL;
	long ret;

	ret = name_in(t, uname, name);
	if (ret < 0)
		return ret;
	size = MIN(size, (size_t)XATTR_SIZE_MAX);
	if (size && !(buf = malloc(size)))
		return -ENOMEM;
	ret = target_get(t, upath, follow, fd, &tg);
	if (ret < 0)
		goto out_free;
	ret = vfs_getxattr(tg.inode, name, buf, size, &tg.cred);
	target_put(&tg);
	if (ret > 0 && size && task_copy_out(t, uvalue, buf, (size_t)ret) < 0)
		ret = -EFAULT;
	else if (ret == -ERANGE && size >= XATTR_SIZE_MAX)
		ret = -E2BIG;
out_free:
	free(buf);
	return ret;
}

long sys_getxattr(struct task *t, const struct sysargs *a)
{
	return do_getxattr(t, sysarg_addr(a, 0), true, -1, sysarg_addr(a, 1), sysarg_addr(a, 2),
			   sysarg_size(a, 3));
}

long sys_lgetxattr(struct task *t, const struct sysargs *a)
{
	return do_getxattr(t, sysarg_addr(a, 0), false, -1, sysarg_addr(a, 1), sysarg_addr(a, 2),
			   sysarg_size(a, 3));
}

long sys_fgetxattr(struct task *t, const struct sysargs *a)
{
	int fd = sysarg_int(a, 0);

	return do_getxattr(t, 0, false, fd < 0 ? INT32_MAX : fd, sysarg_addr(a, 1),
			   sysarg_addr(a, 2), sysarg_size(a, 3));
}

static long do_listxattr(struct task *t, uaddr_t upath, bool follow, int fd, uaddr_t ulist,
			 size_t size)
{
	struct xattr_target tg;
	char *buf = NULL;
	long ret;

	size = MIN(size, (size_t)XATTR_LIST_MAX);
	if (size && !(buf = malloc(size)))
		return -ENOMEM;
	ret = target_get(t, upath, follow, fd, &tg);
	if (ret < 0)
		goto out_free;
	ret = vfs_listxattr(tg.inode, buf, size, &tg.cred);
	target_put(&tg);
	if (ret > 0 && size && task_copy_out(t, ulist, buf, (size_t)ret) < 0)
		ret = -EFAULT;
	else if (ret == -ERANGE && size >= XATTR_LIST_MAX)
		ret = -E2BIG;
out_free:
	free(buf);
	return ret;
}

long sys_listxattr(struct task *t, const struct sysargs *a)
{
	return do_listxattr(t, sysarg_addr(a, 0), true, -1, sysarg_addr(a, 1), sysarg_size(a, 2));
}

long sys_llistxattr(struct task *t, const struct sysargs *a)
{
	return do_listxattr(t, sysarg_addr(a, 0), false, -1, sysarg_addr(a, 1), sysarg_size(a, 2));
}

long sys_flistxattr(struct task *t, const struct sysargs *a)
{
	int fd = sysarg_int(a, 0);

	return do_listxattr(t, 0, false, fd < 0 ? INT32_MAX : fd, sysarg_addr(a, 1),
			    sysarg_size(a, 2));
}

static long do_setxattr(struct task *t, uaddr_t upath, bool follow, int fd, const struct sysargs *a)
{
	uaddr_t uname = sysarg_addr(a, 1), uvalue = sysarg_addr(a, 2);
	size_t size = sysarg_size(a, 3);
	int flags = sysarg_int(a, 4);
	char name[XATTR_NAME_MAX + 1];
	struct xattr_target tg;
	void *value = NULL;
	long ret;

	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	ret = name_in(t, uname, name);
	if (ret < 0)
		return ret;
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	if (size) {
		value = malloc(size);
		if (!value)
			return -ENOMEM;
		ret = task_copy_in(t, uvalue, value, size);
		if (ret < 0)
			goto out_free;
	}
	ret = target_get(t, upath, follow, fd, &tg);
	if (ret < 0)
		goto out_free;
	ret = vfs_setxattr(tg.mnt, tg.inode, name, value ? value : "", size, flags, &tg.cred);
	target_put(&tg);
out_free:
	free(value);
	return ret;
}

long sys_setxattr(struct task *t, const struct sysargs *a)
{
	return do_setxattr(t, sysarg_addr(a, 0), true, -1, a);
}

long sys_lsetxattr(struct task *t, const struct sysargs *a)
{
	return do_setxattr(t, sysarg_addr(a, 0), false, -1, a);
}

long sys_fsetxattr(struct task *t, const struct sysargs *a)
{
	int fd = sysarg_int(a, 0);

	return do_setxattr(t, 0, false, fd < 0 ? INT32_MAX : fd, a);
}

static long do_removexattr(struct task *t, uaddr_t upath, bool follow, int fd, uaddr_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	struct xattr_target tg;
	long ret;

	ret = name_in(t, uname, name);
	if (ret < 0)
		return ret;
	ret = target_get(t, upath, follow, fd, &tg);
	if (ret < 0)
		return ret;
	ret = vfs_removexattr(tg.mnt, tg.inode, name, &tg.cred);
	target_put(&tg);
	return ret;
}

long sys_removexattr(struct task *t, const struct sysargs *a)
{
	return do_removexattr(t, sysarg_addr(a, 0), true, -1, sysarg_addr(a, 1));
}

long sys_lremovexattr(struct task *t, const struct sysargs *a)
{
	return do_removexattr(t, sysarg_addr(a, 0), false, -1, sysarg_addr(a, 1));
}

long sys_fremovexattr(struct task *t, const struct sysargs *a)
{
	int fd = sysarg_int(a, 0);

	return do_removexattr(t, 0, false, fd < 0 ? INT32_MAX : fd, sysarg_addr(a, 1));
}
