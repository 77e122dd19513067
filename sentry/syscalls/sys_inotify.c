/*
 * inotify_init(2), inotify_init1(2), inotify_add_watch(2), inotify_rm_watch(2): decode,
 * walk and check, then fs/inotify does the work. Events come from the sentry's VFS
 * (fs/vfs/fsnotify.h): what the host changes behind a gofer mount is not seen.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/inotify.h>

#include "fs/inotify/inotify.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

#ifndef IN_MASK_CREATE
#define IN_MASK_CREATE 0x10000000
#endif
/* Every bit inotify_add_watch knows (Linux's ALL_INOTIFY_BITS). */
#define INOTIFY_ALL_BITS                                                                         \
	(IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR | IN_DONT_FOLLOW | \
	 IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR | IN_ONESHOT)

static long do_inotify_init(struct task *t, unsigned flags)
{
	struct file *f;
	long ret;

	if (flags & ~(unsigned)(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	ret = inotify_new(flags & IN_NONBLOCK, t->cred->fsuid, t->cred->fsgid, &f);
	if (ret < 0)
		return ret;
	ret = fdt_install(t->fdt, f, 0, flags & IN_CLOEXEC, sys_nofile(t));
	file_put(f);
	return ret;
}

/* inotify_init(2): a new instance's fd, or -EMFILE, -ENOMEM. */
long sys_inotify_init(struct task *t, const struct sysargs *a)
{
	(void)a;
	return do_inotify_init(t, 0);
}

/* inotify_init1(2): flags IN_NONBLOCK, IN_CLOEXEC; others -EINVAL. */
long sys_inotify_init1(struct task *t, const struct sysargs *a)
{
	return do_inotify_init(t, sysarg_uint(a, 0));
}

/* inotify_add_watch(2): the watch descriptor, or -EINVAL (no event bits, IN_MASK_ADD
 * with IN_MASK_CREATE, fd no inotify instance), -EBADF, the walk's errors, -EACCES
 * without read permission, -EEXIST (IN_MASK_CREATE), -ENOSPC. */
long sys_inotify_add_watch(struct task *t, const struct sysargs *a)
{
	uint32_t mask = sysarg_uint(a, 2);
	unsigned lookup = 0;
	struct sys_at at;
	struct file *f;
	struct path p;
	long ret;

	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	if (!(mask & INOTIFY_ALL_BITS))
		return -EINVAL;
	f = fdt_get(t->fdt, sysarg_int(a, 0));
	if (!f)
		return -EBADF;
	if (!inotify_is(f)) {
		file_put(f);
		return -EINVAL;
	}
	if (!(mask & IN_DONT_FOLLOW))
		lookup |= LOOKUP_FOLLOW;
	if (mask & IN_ONLYDIR)
		lookup |= LOOKUP_DIRECTORY;
	ret = sys_at_begin(t, AT_FDCWD, sysarg_addr(a, 1), false, &at);
	if (ret < 0)
		goto out_end;
	ret = vfs_walk(t->fs, NULL, at.name, lookup, &at.cred, &p);
	if (ret < 0)
		goto out_end;
	ret = vfs_permission(p.dentry->inode, MAY_READ, &at.cred);
	if (ret == 0)
		ret = inotify_add(f, &p, mask);
	path_put(&p);
out_end:
	sys_at_end(&at);
	file_put(f);
	return ret;
}

/* inotify_rm_watch(2): 0, or -EBADF, -EINVAL (no inotify fd, no such watch). */
long sys_inotify_rm_watch(struct task *t, const struct sysargs *a)
{
	struct file *f = fdt_get(t->fdt, sysarg_int(a, 0));
	long ret;

	if (!f)
		return -EBADF;
	ret = inotify_is(f) ? inotify_rm(f, sysarg_int(a, 1)) : -EINVAL;
	file_put(f);
	return ret;
}
