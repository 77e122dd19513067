/* Extended attributes. No filesystem stores xattrs yet, so every existing file has none:
 * get is ENODATA, list is empty, set is ENOTSUP (EROFS on read-only mounts), remove is
 * ENODATA. Names are still validated, as Linux does, before the lookup result. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

#define XATTR_NAME_MAX 255

static int check_name(struct task *t, uaddr_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	long n = task_strncpy_in(t, uname, name, sizeof(name));

	if (n == -ENAMETOOLONG)
		return -ERANGE;
	if (n < 0)
		return (int)n;
	return n == 0 ? -ERANGE : 0;
}

/* The file the path names exists (following symlinks unless nofollow). */
static int path_exists(struct task *t, uaddr_t upath, bool nofollow)
{
	struct sys_at at;
	struct kstat st;
	long err = sys_at_begin(t, AT_FDCWD, upath, false, &at);

	if (!err)
		err = vfs_statat(t->fs, at.start, at.name, nofollow ? 0 : LOOKUP_FOLLOW, &at.cred,
				 &st);
	sys_at_end(&at);
	return (int)err;
}

static int fd_exists(struct task *t, int fd)
{
	struct file *f = fdt_get(t->fdt, fd);

	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

static long get_common(struct task *t, int err, uaddr_t uname)
{
	if (err)
		return err;
	err = check_name(t, uname);
	return err ? err : -ENODATA;
}

long sys_getxattr(struct task *t, const struct sysargs *a)
{
	return get_common(t, path_exists(t, sysarg_addr(a, 0), false), sysarg_addr(a, 1));
}

long sys_lgetxattr(struct task *t, const struct sysargs *a)
{
	return get_common(t, path_exists(t, sysarg_addr(a, 0), true), sysarg_addr(a, 1));
}

long sys_fgetxattr(struct task *t, const struct sysargs *a)
{
	return get_common(t, fd_exists(t, sysarg_int(a, 0)), sysarg_addr(a, 1));
}

long sys_listxattr(struct task *t, const struct sysargs *a)
{
	return path_exists(t, sysarg_addr(a, 0), false);
}

long sys_llistxattr(struct task *t, const struct sysargs *a)
{
	return path_exists(t, sysarg_addr(a, 0), true);
}

long sys_flistxattr(struct task *t, const struct sysargs *a)
{
	return fd_exists(t, sysarg_int(a, 0));
}

static long set_common(struct task *t, int err, uaddr_t uname)
{
	if (err)
		return err;
	err = check_name(t, uname);
	return err ? err : -ENOTSUP;
}

long sys_setxattr(struct task *t, const struct sysargs *a)
{
	return set_common(t, path_exists(t, sysarg_addr(a, 0), false), sysarg_addr(a, 1));
}

long sys_lsetxattr(struct task *t, const struct sysargs *a)
{
	return set_common(t, path_exists(t, sysarg_addr(a, 0), true), sysarg_addr(a, 1));
}

long sys_fsetxattr(struct task *t, const struct sysargs *a)
{
	return set_common(t, fd_exists(t, sysarg_int(a, 0)), sysarg_addr(a, 1));
}

long sys_removexattr(struct task *t, const struct sysargs *a)
{
	return get_common(t, path_exists(t, sysarg_addr(a, 0), false), sysarg_addr(a, 1));
}

long sys_lremovexattr(struct task *t, const struct sysargs *a)
{
	return get_common(t, path_exists(t, sysarg_addr(a, 0), true), sysarg_addr(a, 1));
}

long sys_fremovexattr(struct task *t, const struct sysargs *a)
{
	return get_common(t, fd_exists(t, sysarg_int(a, 0)), sysarg_addr(a, 1));
}
