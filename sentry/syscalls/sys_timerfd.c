/*
 * timerfd_create(2), timerfd_settime(2), timerfd_gettime(2): decode and check the guest's
 * clock, flags and itimerspecs, then sentry/kernel/timerfd does the work.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/kernel/timerfd.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

#define NS 1000000000LL
#define CAP_WAKE_ALARM 35
#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)
#endif

struct linux_itimerspec {
	struct {
		int64_t tv_sec, tv_nsec;
	} interval, value;
};

/* Far-off times saturate here (~146 years), as Linux's at KTIME_MAX: low enough that a
 * deadline plus an interval never overflows. */
#define TIMERFD_MAX_NS (INT64_MAX / 2)

/* A guest timespec as ns: -EINVAL unless normalized. */
static int ts_to_ns(int64_t sec, int64_t nsec, int64_t *out)
{
	if (sec < 0 || nsec < 0 || nsec >= NS)
		return -EINVAL;
	*out = sec >= TIMERFD_MAX_NS / NS ? TIMERFD_MAX_NS : sec * NS + nsec;
	return 0;
}

static void spec_out(const struct ktimer_spec *s, struct linux_itimerspec *out)
{
	out->value.tv_sec = s->value / NS;
	out->value.tv_nsec = s->value % NS;
	out->interval.tv_sec = s->interval / NS;
	out->interval.tv_nsec = s->interval % NS;
}

/* The timerfd behind fd (+1): -EBADF, or -EINVAL for another kind of file. */
static struct file *timerfd_file_get(struct task *t, int fd, long *err)
{
	struct file *f = fdt_get(t->fdt, fd);

	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (!timerfd_is_timerfd(f)) {
		file_put(f);
		*err = -EINVAL;
		return NULL;
	}
	return f;
}

/* timerfd_create(2): clocks REALTIME, MONOTONIC, BOOTTIME and the two _ALARM ones (those
 * need CAP_WAKE_ALARM: -EPERM); flags TFD_CLOEXEC, TFD_NONBLOCK. */
long sys_timerfd_create(struct task *t, const struct sysargs *a)
{
	int clock = sysarg_int(a, 0);
	unsigned flags = sysarg_uint(a, 1);
	struct file *f;
	long ret;

	if (flags & ~(unsigned)(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
	    clock != CLOCK_REALTIME_ALARM && clock != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	if ((clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM) &&
	    !cred_capable(t->cred, CAP_WAKE_ALARM))
		return -EPERM;
	ret = timerfd_new(t, clock, flags & TFD_NONBLOCK, &f);
	if (ret < 0)
		return ret;
	ret = fdt_install(t->fdt, f, 0, flags & TFD_CLOEXEC, sys_nofile(t));
	file_put(f);
	return ret;
}

/* timerfd_settime(2): flags TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET (accepted: the
 * sandbox's realtime clock cannot be set, so the read never sees ECANCELED). */
long sys_timerfd_settime(struct task *t, const struct sysargs *a)
{
	unsigned flags = sysarg_uint(a, 1);
	uaddr_t uold = sysarg_addr(a, 3);
	struct linux_itimerspec its;
	struct ktimer_spec nv, old;
	struct file *f;
	long ret;

	ret = task_copy_in(t, sysarg_addr(a, 2), &its, sizeof(its));
	if (ret < 0)
		return ret;
	if (flags & ~(unsigned)(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	ret = ts_to_ns(its.value.tv_sec, its.value.tv_nsec, &nv.value);
	if (!ret)
		ret = ts_to_ns(its.interval.tv_sec, its.interval.tv_nsec, &nv.interval);
	if (ret < 0)
		return ret;
	f = timerfd_file_get(t, sysarg_int(a, 0), &ret);
	if (!f)
		return ret;
	ret = timerfd_set(f, flags & TFD_TIMER_ABSTIME, flags & TFD_TIMER_CANCEL_ON_SET, &nv, &old);
	file_put(f);
	if (ret < 0 || !uold)
		return ret;
	spec_out(&old, &its);
	return task_copy_out(t, uold, &its, sizeof(its));
}

/* timerfd_gettime(2): the time left to the next expiry and the interval. */
long sys_timerfd_gettime(struct task *t, const struct sysargs *a)
{
	struct linux_itimerspec its;
	struct ktimer_spec cur;
	struct file *f;
	long ret;

	f = timerfd_file_get(t, sysarg_int(a, 0), &ret);
	if (!f)
		return ret;
	timerfd_get(f, &cur);
	file_put(f);
	spec_out(&cur, &its);
	return task_copy_out(t, sysarg_addr(a, 1), &its, sizeof(its));
}
