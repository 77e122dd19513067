/* signalfd(2), signalfd4(2): decode the mask and flags; sentry/kernel/signalfd does the
 * rest. */
#include <errno.h>
#include <fcntl.h>
#include <sys/signalfd.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/signalfd.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

/* fd -1 makes a new signalfd, else fd's mask is replaced (flags then only checked). */
static long do_signalfd4(struct task *t, int fd, uaddr_t umask, uint64_t sizemask, unsigned flags)
{
	linux_sigset_t mask;
	struct file *f;
	long ret;

	if (sizemask != sizeof(mask))
		return -EINVAL;
	ret = task_copy_in(t, umask, &mask, sizeof(mask));
	if (ret < 0)
		return ret;
	if (flags & ~(unsigned)(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	if (fd == -1) {
		ret = signalfd_create(t, mask, flags & SFD_NONBLOCK, &f);
		if (ret < 0)
			return ret;
		ret = fdt_install(t->fdt, f, 0, flags & SFD_CLOEXEC, sys_nofile(t));
		file_put(f);
		return ret;
	}
	f = fdt_get(t->fdt, fd);
	if (!f)
		return -EBADF;
	ret = -EINVAL;
	if (signalfd_is_signalfd(f)) {
		signalfd_set_mask(f, mask);
		ret = fd;
	}
	file_put(f);
	return ret;
}

/* signalfd(2): no flags. */
long sys_signalfd(struct task *t, const struct sysargs *a)
{
	return do_signalfd4(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_size(a, 2), 0);
}

/* signalfd4(2): flags SFD_CLOEXEC, SFD_NONBLOCK. */
long sys_signalfd4(struct task *t, const struct sysargs *a)
{
	return do_signalfd4(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_size(a, 2),
			    sysarg_uint(a, 3));
}
