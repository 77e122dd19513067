/*
 * epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2: decode
 * the guest's arguments and wait; the instances themselves are fs/epoll. A wait adds
 * the task to the epoll's own waitq and sleeps until an item is queued, the deadline
 * passes or a signal comes (epoll waits are never restarted: -EINTR). Watched host stdio
 * has no waitq: its host fds are polled on the host in slices, as poll(2) does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "fs/epoll/epoll.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/sys_wait_file.h"
#include "sentry/syscalls/syscalls.h"

#define EPOLL_CLOEXEC O_CLOEXEC
/* Linux's EP_MAX_EVENTS. */
#define EP_MAX_EVENTS (INT_MAX / (int)sizeof(struct epoll_ev))
/* Linux's TASK_SIZE_MAX on x86-64: access_ok's bound. */
#define USER_ADDR_END 0x7ffffffff000ULL
#define HOST_SLICE_MS 100 /* host fds only: nothing else can wake the wait */
#define HOST_SLICE_MIXED_MS 5 /* host fds and items that notify */

static long epoll_create_common(struct task *t, unsigned flags)
{
	struct file *f;
	int fd, err;

	err = epoll_file_new(t->cred->fsuid, t->cred->fsgid, &f);
	if (err < 0)
		return err;
	fd = fdt_install(t->fdt, f, 0, flags & EPOLL_CLOEXEC, sys_nofile(t));
	file_put(f);
	return fd;
}

/* epoll_create(2): size is a hint that must be positive. */
long sys_epoll_create(struct task *t, const struct sysargs *a)
{
	if (sysarg_int(a, 0) <= 0)
		return -EINVAL;
	return epoll_create_common(t, 0);
}

long sys_epoll_create1(struct task *t, const struct sysargs *a)
{
	unsigned flags = sysarg_uint(a, 0);

	if (flags & ~(unsigned)EPOLL_CLOEXEC)
		return -EINVAL;
	return epoll_create_common(t, flags);
}

/* An fd for epoll: O_PATH files are not files to it (Linux's fdget: -EBADF). */
static struct file *epoll_fdget(struct task *t, int fd)
{
	struct file *f = fdt_get(t->fdt, fd); /* +1 */

	if (f && (f->flags & O_PATH)) {
		file_put(f);
		return NULL;
	}
	return f;
}

long sys_epoll_ctl(struct task *t, const struct sysargs *a)
{
	int op = sysarg_int(a, 1), fd = sysarg_int(a, 2);
	struct epoll_ev ev = { 0, 0 };
	struct file *ep, *tf;
	long ret;

	/* The event is read first: a bad pointer is -EFAULT before any fd is looked at. */
	if (op != EPOLL_CTL_DEL) {
		ret = task_copy_in(t, sysarg_addr(a, 3), &ev, sizeof(ev));
		if (ret)
			return ret;
	}
	ep = epoll_fdget(t, sysarg_int(a, 0));
	if (!ep)
		return -EBADF;
	tf = epoll_fdget(t, fd);
	if (!tf) {
		ret = -EBADF;
		goto out_put_ep;
	}
	ret = epoll_ctl(ep, op, tf, fd, op == EPOLL_CTL_DEL ? NULL : &ev);
	file_put(tf);
out_put_ep:
	file_put(ep);
	return ret;
}

struct epoll_out {
	struct task *t;
	uaddr_t events;
};

static int epoll_put_event(void *ctx, int i, const struct epoll_ev *ev)
{
	struct epoll_out *o = ctx;

	return task_copy_out(o->t, o->events + (uaddr_t)i * sizeof(*ev), ev, sizeof(*ev));
}

static int64_t ns_until(const struct timespec *abs)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (abs->tv_sec - now.tv_sec) * 1000000000LL + (abs->tv_nsec - now.tv_nsec);
}

/* Sleeps on host fds in a slice (see sys_poll.c): 0 to rescan, -ETIMEDOUT or -EINTR. */
static int wait_host(struct task *t, struct pollfd *host, int nhost, bool notifying,
		     const struct timespec *abs)
{
	int64_t left = abs ? ns_until(abs) : INT64_MAX;
	int ms = notifying ? HOST_SLICE_MIXED_MS : HOST_SLICE_MS;

	if (left <= 0)
		return -ETIMEDOUT;
	if (left < (int64_t)ms * 1000000LL)
		ms = (int)(left / 1000000);
	if (poll(host, (nfds_t)nhost, ms) < 0 && errno != EINTR)
		return -errno;
	return t->exiting || t->interrupted ? -EINTR : 0;
}

/*
 * The wait of every epoll_wait flavour: abs is a CLOCK_MONOTONIC deadline (NULL:
 * forever), zero means do not wait. Returns the events reported or -errno.
 */
static long epoll_wait_common(struct task *t, int epfd, uaddr_t events, int max,
			      const struct timespec *abs, bool zero)
{
	struct epoll_out out = { t, events };
	struct pollfd *host = NULL;
	struct file_waiter fw;
	struct file *f;
	long ret;
	int err;

	/* Linux 6.x's order: the fd, the count, the buffer's range, the fd's type. */
	f = epoll_fdget(t, epfd);
	if (!f)
		return -EBADF;
	ret = -EINVAL;
	if (max <= 0 || max > EP_MAX_EVENTS)
		goto out_put;
	/* access_ok: only the range is checked here; a bad page is -EFAULT on copy out. */
	ret = -EFAULT;
	if (events >= USER_ADDR_END ||
	    (uint64_t)max * sizeof(struct epoll_ev) > USER_ADDR_END - events)
		goto out_put;
	ret = -EINVAL;
	if (!epoll_is(f))
		goto out_put;
	/* Armed before the scan: an item queued after it looked wakes the sleep. */
	task_wait_arm();
	file_waiter_add(&fw, f, POLLIN);
	for (;;) {
		bool notifying;
		int nhost;

		ret = epoll_send(f, epoll_put_event, &out, max);
		if (ret || zero)
			break;
		nhost = epoll_host_fds(f, NULL, 0, &notifying);
		if (nhost) {
			free(host);
			host = calloc((size_t)nhost, sizeof(*host));
			if (!host) {
				ret = -ENOMEM;
				break;
			}
			nhost = MIN(nhost, epoll_host_fds(f, host, nhost, &notifying));
			err = wait_host(t, host, nhost, notifying, abs);
		} else {
			err = task_wait_block(t, abs);
		}
		if (err == -ETIMEDOUT) {
			ret = 0;
			break;
		}
		if (err) {
			ret = -EINTR; /* never restarted, even with SA_RESTART */
			break;
		}
		task_wait_arm();
	}
	file_waiter_del(&fw);
	free(host);
out_put:
	file_put(f);
	return ret;
}

static void deadline_in(int64_t ns, struct timespec *abs)
{
	clock_gettime(CLOCK_MONOTONIC, abs);
	abs->tv_sec += ns / 1000000000LL;
	abs->tv_nsec += ns % 1000000000LL;
	if (abs->tv_nsec >= 1000000000L) {
		abs->tv_sec++;
		abs->tv_nsec -= 1000000000L;
	}
}

/* A millisecond timeout (negative: forever) as a wait. */
static long epoll_wait_ms(struct task *t, const struct sysargs *a)
{
	int ms = sysarg_int(a, 3);
	struct timespec abs;

	if (ms > 0)
		deadline_in((int64_t)ms * 1000000LL, &abs);
	return epoll_wait_common(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2),
				 ms > 0 ? &abs : NULL, ms == 0);
}

long sys_epoll_wait(struct task *t, const struct sysargs *a)
{
	return epoll_wait_ms(t, a);
}

/* The signal mask of epoll_pwait(2)/epoll_pwait2(2), args 4 and 5; *set if one is given. */
static int epoll_sigmask_in(struct task *t, const struct sysargs *a, linux_sigset_t *mask,
			    bool *set)
{
	*set = sysarg_addr(a, 4) != 0;
	if (!*set)
		return 0;
	if (sysarg_size(a, 5) != sizeof(linux_sigset_t))
		return -EINVAL;
	return task_copy_in(t, sysarg_addr(a, 4), mask, sizeof(*mask));
}

long sys_epoll_pwait(struct task *t, const struct sysargs *a)
{
	linux_sigset_t mask;
	bool set;
	long ret;

	ret = epoll_sigmask_in(t, a, &mask, &set);
	if (ret)
		return ret;
	if (set)
		sig_set_temp_mask(t, mask);
	ret = epoll_wait_ms(t, a);
	if (set)
		sig_restore_temp_mask(t, ret);
	return ret;
}

long sys_epoll_pwait2(struct task *t, const struct sysargs *a)
{
	struct linux_timespec ts;
	struct timespec abs;
	linux_sigset_t mask;
	bool set, has_timeout = sysarg_addr(a, 3) != 0, zero = false;
	long ret;

	if (has_timeout) {
		ret = task_copy_in(t, sysarg_addr(a, 3), &ts, sizeof(ts));
		if (ret)
			return ret;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		zero = !ts.tv_sec && !ts.tv_nsec;
		deadline_in(ts.tv_sec > INT64_MAX / 2000000000LL ?
				    INT64_MAX / 2 :
				    ts.tv_sec * 1000000000LL + ts.tv_nsec,
			    &abs);
	}
	ret = epoll_sigmask_in(t, a, &mask, &set);
	if (ret)
		return ret;
	if (set)
		sig_set_temp_mask(t, mask);
	ret = epoll_wait_common(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2),
				has_timeout ? &abs : NULL, zero);
	if (set)
		sig_restore_temp_mask(t, ret);
	return ret;
}
