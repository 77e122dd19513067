/*
 * POSIX message queue syscalls: decode, check, and wait (on the queue file's waitq, as
 * any pollable file) around the non-blocking operations of sentry/ipc/mqueue.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs/vfs/vfs.h"
#include "sentry/ipc/mqueue.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/sys_wait_file.h"
#include "sentry/syscalls/syscalls.h"

#define LINUX_SIGEV_SIGNAL 0
#define LINUX_SIGEV_NONE 1
#define LINUX_SIGEV_THREAD 2

struct linux_mq_sigevent {
	int64_t value;
	int32_t signo;
	int32_t notify;
	int32_t pad[12];
};

/* An absolute CLOCK_REALTIME guest timeout as a CLOCK_MONOTONIC deadline (NULL for
 * none). 0, -EFAULT or -EINVAL. */
static int mq_deadline(struct task *t, uaddr_t uts, struct timespec *mono, struct timespec **out)
{
	struct linux_timespec lt;
	struct timespec now, rt;
	int64_t ns;

	*out = NULL;
	if (!uts)
		return 0;
	if (task_copy_in(t, uts, &lt, sizeof(lt)))
		return -EFAULT;
	if (lt.tv_sec < 0 || lt.tv_nsec < 0 || lt.tv_nsec >= 1000000000)
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (lt.tv_sec - rt.tv_sec > INT32_MAX) {
		ns = (int64_t)INT32_MAX * 1000000000;
	} else {
		ns = (lt.tv_sec - rt.tv_sec) * 1000000000 + (lt.tv_nsec - rt.tv_nsec);
		if (ns < 0)
			ns = 0;
	}
	ns += now.tv_nsec;
	mono->tv_sec = now.tv_sec + ns / 1000000000;
	mono->tv_nsec = ns % 1000000000;
	*out = mono;
	return 0;
}

/* The open queue behind fd (+1), or -EBADF (not a queue either). */
static struct file *mq_file(struct task *t, int fd)
{
	struct file *f = fdt_get(t->fdt, fd);

	if (f && !mqueue_is(f)) {
		file_put(f);
		return NULL;
	}
	return f;
}

/* mq_open(2): name without glibc's leading '/'. */
long sys_mq_open(struct task *t, const struct sysargs *a)
{
	int oflag = sysarg_int(a, 1);
	struct linux_mq_attr attr, *ap = NULL;
	char name[NAME_MAX + 1];
	struct file *f;
	long ret;

	ret = task_strncpy_in(t, sysarg_addr(a, 0), name, sizeof(name));
	if (ret < 0)
		return ret;
	if ((oflag & O_CREAT) && sysarg_addr(a, 3)) {
		if (task_copy_in(t, sysarg_addr(a, 3), &attr, sizeof(attr)))
			return -EFAULT;
		ap = &attr;
	}
	ret = mqueue_open(t, name, oflag, sysarg_uint(a, 2), ap, &f);
	if (ret)
		return ret;
	ret = fdt_install(t->fdt, f, 0, oflag & O_CLOEXEC, sys_nofile(t));
	file_put(f);
	return ret;
}

long sys_mq_unlink(struct task *t, const struct sysargs *a)
{
	char name[NAME_MAX + 1];
	long ret;

	ret = task_strncpy_in(t, sysarg_addr(a, 0), name, sizeof(name));
	if (ret < 0)
		return ret;
	return mqueue_unlink(t, name);
}

long sys_mq_timedsend(struct task *t, const struct sysargs *a)
{
	uint64_t len = sysarg_size(a, 2);
	unsigned prio = sysarg_uint(a, 3);
	struct timespec mono, *deadline;
	struct linux_mq_attr attr;
	struct file *f;
	void *buf;
	long ret;

	if (prio >= MQ_PRIO_MAX)
		return -EINVAL;
	ret = mq_deadline(t, sysarg_addr(a, 4), &mono, &deadline);
	if (ret)
		return ret;
	f = mq_file(t, sysarg_int(a, 0));
	if (!f)
		return -EBADF;
	if (!file_writable(f)) {
		ret = -EBADF;
		goto out_put;
	}
	mqueue_getattr(f, &attr);
	if ((int64_t)len > attr.mq_msgsize) {
		ret = -EMSGSIZE;
		goto out_put;
	}
	buf = malloc(len ? len : 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out_put;
	}
	if (task_copy_in(t, sysarg_addr(a, 1), buf, len)) {
		ret = -EFAULT;
		goto out_free;
	}
	for (;;) {
		ret = mqueue_send(t, f, buf, len, prio);
		if (ret != -EAGAIN || (f->flags & O_NONBLOCK))
			break;
		ret = sys_wait_file(t, f, POLLOUT, deadline);
		if (ret == -EINTR)
			ret = -ERESTARTSYS;
		if (ret)
			break;
	}
out_free:
	free(buf);
out_put:
	file_put(f);
	return ret;
}

long sys_mq_timedreceive(struct task *t, const struct sysargs *a)
{
	uint64_t len = sysarg_size(a, 2);
	uaddr_t uprio = sysarg_addr(a, 3);
	struct timespec mono, *deadline;
	struct file *f;
	unsigned prio = 0;
	void *buf = NULL;
	long ret;

	ret = mq_deadline(t, sysarg_addr(a, 4), &mono, &deadline);
	if (ret)
		return ret;
	f = mq_file(t, sysarg_int(a, 0));
	if (!f)
		return -EBADF;
	if (!file_readable(f)) {
		ret = -EBADF;
		goto out_put;
	}
	for (;;) {
		ret = mqueue_receive(f, len, &buf, &prio);
		if (ret != -EAGAIN || (f->flags & O_NONBLOCK))
			break;
		mqueue_receiver_sleeping(f, 1);
		ret = sys_wait_file(t, f, POLLIN, deadline);
		mqueue_receiver_sleeping(f, -1);
		if (ret == -EINTR)
			ret = -ERESTARTSYS;
		if (ret)
			break;
	}
	if (ret < 0)
		goto out_put;
	/* the message is gone from the queue even if the copy faults, as on Linux */
	if ((uprio && task_copy_out(t, uprio, &prio, sizeof(prio))) ||
	    task_copy_out(t, sysarg_addr(a, 1), buf, (size_t)ret))
		ret = -EFAULT;
	free(buf);
out_put:
	file_put(f);
	return ret;
}

/* mq_notify(2): SIGEV_NONE and SIGEV_SIGNAL. SIGEV_THREAD needs a netlink socket (glibc
 * makes one first), which the sandbox has not: -ENOTSOCK, what Linux says for an fd
 * that is no socket. */
long sys_mq_notify(struct task *t, const struct sysargs *a)
{
	struct linux_mq_sigevent ev;
	uaddr_t uev = sysarg_addr(a, 1);
	struct file *f;
	long ret;

	if (uev) {
		if (task_copy_in(t, uev, &ev, sizeof(ev)))
			return -EFAULT;
		if (ev.notify != LINUX_SIGEV_NONE && ev.notify != LINUX_SIGEV_SIGNAL &&
		    ev.notify != LINUX_SIGEV_THREAD)
			return -EINVAL;
		if (ev.notify == LINUX_SIGEV_SIGNAL && (ev.signo < 0 || ev.signo > LINUX_NSIG))
			return -EINVAL;
	}
	f = mq_file(t, sysarg_int(a, 0));
	if (!f)
		return -EBADF;
	if (uev && ev.notify == LINUX_SIGEV_THREAD)
		ret = -ENOTSOCK;
	else
		ret = mqueue_notify(t, f, uev != 0, uev ? ev.notify : 0, uev ? ev.signo : 0,
				    uev ? ev.value : 0);
	file_put(f);
	return ret;
}

long sys_mq_getsetattr(struct task *t, const struct sysargs *a)
{
	uaddr_t unew = sysarg_addr(a, 1), uold = sysarg_addr(a, 2);
	struct linux_mq_attr nattr, oattr;
	struct file *f;
	long ret = 0;

	if (unew) {
		if (task_copy_in(t, unew, &nattr, sizeof(nattr)))
			return -EFAULT;
		if (nattr.mq_flags & ~(int64_t)O_NONBLOCK)
			return -EINVAL;
	}
	f = mq_file(t, sysarg_int(a, 0));
	if (!f)
		return -EBADF;
	mqueue_getattr(f, &oattr);
	if (unew) {
		if (nattr.mq_flags & O_NONBLOCK)
			__atomic_fetch_or(&f->flags, O_NONBLOCK, __ATOMIC_RELAXED);
		else
			__atomic_fetch_and(&f->flags, ~(unsigned)O_NONBLOCK, __ATOMIC_RELAXED);
	}
	if (uold && task_copy_out(t, uold, &oattr, sizeof(oattr)))
		ret = -EFAULT;
	file_put(f);
	return ret;
}
