/* eventfd(2), eventfd2(2): decode the flags, then fs/eventfd makes the file. */
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>

#include "fs/eventfd/eventfd.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

/* A new eventfd holding initval, installed: the fd or -errno. */
static long do_eventfd(struct task *t, unsigned initval, unsigned flags)
{
	struct file *f;
	long ret;

	if (flags & ~(unsigned)(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	ret = eventfd_create(initval, flags & EFD_SEMAPHORE, flags & EFD_NONBLOCK, t->cred->fsuid,
			     t->cred->fsgid, &f);
	if (ret < 0)
		return ret;
	ret = fdt_install(t->fdt, f, 0, flags & EFD_CLOEXEC, sys_nofile(t));
	file_put(f);
	return ret;
}

/* eventfd(2): the fd or -errno. */
long sys_eventfd(struct task *t, const struct sysargs *a)
{
	return do_eventfd(t, sysarg_uint(a, 0), 0);
}

/* eventfd2(2): flags EFD_CLOEXEC, EFD_NONBLOCK, EFD_SEMAPHORE; others -EINVAL. */
long sys_eventfd2(struct task *t, const struct sysargs *a)
{
	return do_eventfd(t, sysarg_uint(a, 0), sysarg_uint(a, 1));
}
