/*
 * pipe(2), pipe2(2), the pipe fcntls (F_GETPIPE_SZ, F_SETPIPE_SZ) and the wait of a
 * blocking FIFO open: decode (or wait), then fs/pipe does the work.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>

#include "fs/pipe/pipe.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/sys_pipe.h"
#include "sentry/syscalls/sys_wait_file.h"
#include "sentry/syscalls/syscalls.h"

#define CAP_SYS_RESOURCE_BIT (1ULL << 24)
#ifndef O_NOTIFICATION_PIPE
#define O_NOTIFICATION_PIPE O_EXCL /* linux/watch_queue.h */
#endif

/* Creates a pipe, installs its ends and writes them to fds[2]. 0 or -errno. */
static long do_pipe2(struct task *t, uaddr_t ufds, unsigned flags)
{
	struct file *rd, *wr;
	int fds[2];
	long ret;

	if (flags & ~(unsigned)(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE))
		return -EINVAL;
	/* Watch queues are not offered: what a kernel without CONFIG_WATCH_QUEUE says. */
	if (flags & O_NOTIFICATION_PIPE)
		return -ENOPKG;
	ret = pipe_create(t->cred->fsuid, t->cred->fsgid, flags, &rd, &wr);
	if (ret < 0)
		return ret;
	ret = fdt_install(t->fdt, rd, 0, flags & O_CLOEXEC, sys_nofile(t));
	if (ret < 0)
		goto out_put;
	fds[0] = (int)ret;
	ret = fdt_install(t->fdt, wr, 0, flags & O_CLOEXEC, sys_nofile(t));
	if (ret < 0) {
		fdt_close(t->fdt, fds[0]);
		goto out_put;
	}
	fds[1] = (int)ret;
	ret = task_copy_out(t, ufds, fds, sizeof(fds));
	if (ret < 0) {
		/* Linux installs only after the copy; closing both is what the guest sees. */
		fdt_close(t->fdt, fds[0]);
		fdt_close(t->fdt, fds[1]);
	}
out_put:
	file_put(rd);
	file_put(wr);
	return ret;
}

/* pipe(2): 0 or -errno. */
long sys_pipe(struct task *t, const struct sysargs *a)
{
	return do_pipe2(t, sysarg_addr(a, 0), 0);
}

/* pipe2(2): flags O_CLOEXEC, O_NONBLOCK, O_DIRECT (packet mode); O_NOTIFICATION_PIPE is
 * -ENOPKG. */
long sys_pipe2(struct task *t, const struct sysargs *a)
{
	return do_pipe2(t, sysarg_addr(a, 0), sysarg_uint(a, 1));
}

long sys_pipe_fcntl(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	if (!pipe_is_pipe(f))
		return -EBADF;
	if (cmd == F_GETPIPE_SZ)
		return pipe_get_size(f);
	return pipe_set_size(f, arg, t->cred->cap_effective & CAP_SYS_RESOURCE_BIT);
}

long sys_pipe_open_wait(struct task *t, struct file *f)
{
	struct file_waiter fw;
	int err = 0;

	if (!pipe_is_pipe(f) || (f->flags & O_NONBLOCK))
		return 0;
	while (!err) {
		/* A partner's open notifies POLLIN (new writer) or POLLOUT (new reader). */
		task_wait_arm();
		file_waiter_add(&fw, f, POLLIN | POLLOUT);
		if (pipe_fifo_open_ready(f)) {
			file_waiter_del(&fw);
			return 0;
		}
		err = task_wait_block(t, NULL);
		file_waiter_del(&fw);
	}
	return -ERESTARTSYS;
}
