/* Timers and CPU-time accounting: setitimer/getitimer/alarm, POSIX timers, getrusage, times. */
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#include "sentry/kernel/rusage.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/syscalls/syscalls.h"

#define NS 1000000000LL
#define USER_HZ 100 /* times(2) counts clock ticks of 1/100 s */

struct linux_itimerval {
	struct linux_timeval interval, value;
};

struct linux_itimerspec {
	struct linux_timespec interval, value;
};

struct linux_sigevent {
	int64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid; /* _sigev_un._tid */
	int32_t pad[11];
};
_Static_assert(sizeof(struct linux_sigevent) == 64, "sigevent is 64 bytes");

struct linux_tms {
	int64_t utime, stime, cutime, cstime;
};

static int tv_to_ns(const struct linux_timeval *tv, int64_t *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	*ns = tv->tv_sec > INT64_MAX / NS / 2 ? INT64_MAX / 2 :
						tv->tv_sec * NS + tv->tv_usec * 1000;
	return 0;
}

/* Rounds up, so that an armed timer never reads as 0 (disarmed). */
static void ns_to_tv(int64_t ns, struct linux_timeval *tv)
{
	int64_t us = (ns + 999) / 1000;

	tv->tv_sec = us / 1000000;
	tv->tv_usec = us % 1000000;
}

static int ts_to_ns(const struct linux_timespec *ts, int64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NS)
		return -EINVAL;
	*ns = ts->tv_sec > INT64_MAX / NS / 2 ? INT64_MAX / 2 : ts->tv_sec * NS + ts->tv_nsec;
	return 0;
}

static void ns_to_ts(int64_t ns, struct linux_timespec *ts)
{
	ts->tv_sec = ns / NS;
	ts->tv_nsec = ns % NS;
}

static int itimerval_out(struct task *t, uaddr_t addr, const struct ktimer_spec *s)
{
	struct linux_itimerval v;

	ns_to_tv(s->value, &v.value);
	ns_to_tv(s->interval, &v.interval);
	return task_copy_out(t, addr, &v, sizeof(v));
}

/* setitimer(2): a NULL new value disarms, as Linux has always allowed. */
long sys_setitimer(struct task *t, const struct sysargs *a)
{
	struct ktimer_spec nv = { 0, 0 }, old;
	struct linux_itimerval v;
	uaddr_t old_addr = sysarg_addr(a, 2);
	int err;

	if (sysarg_addr(a, 1)) {
		if (task_copy_in(t, sysarg_addr(a, 1), &v, sizeof(v)))
			return -EFAULT;
		err = tv_to_ns(&v.value, &nv.value);
		if (!err)
			err = tv_to_ns(&v.interval, &nv.interval);
		if (err)
			return err;
	}
	err = timer_itimer_set(t, sysarg_int(a, 0), &nv, &old);
	if (!err && old_addr)
		err = itimerval_out(t, old_addr, &old);
	return err;
}

long sys_getitimer(struct task *t, const struct sysargs *a)
{
	struct ktimer_spec cur;
	int err = timer_itimer_get(t, sysarg_int(a, 0), &cur);

	return err ? err : itimerval_out(t, sysarg_addr(a, 1), &cur);
}

/* alarm(2): the seconds left of the previous alarm, rounded to nearest (at least 1). */
long sys_alarm(struct task *t, const struct sysargs *a)
{
	struct ktimer_spec nv = { (int64_t)sysarg_uint(a, 0) * NS, 0 }, old;
	int64_t secs;
	int err = timer_itimer_set(t, ITIMER_REAL, &nv, &old);

	if (err)
		return err;
	secs = old.value / NS;
	if ((!secs && old.value) || old.value % NS >= NS / 2)
		secs++;
	return secs;
}

/* timer_create(2): 0 and the id stored at the third argument, or -errno. */
long sys_timer_create(struct task *t, const struct sysargs *a)
{
	struct linux_sigevent sev = { 0 };
	uaddr_t sev_addr = sysarg_addr(a, 1);
	int id, err;

	if (sev_addr && task_copy_in(t, sev_addr, &sev, sizeof(sev)))
		return -EFAULT;
	err = timer_posix_create(t, sysarg_int(a, 0), sev_addr != 0, sev.notify, sev.signo, sev.tid,
				 sev.value, &id);
	if (err)
		return err;
	if (task_copy_out(t, sysarg_addr(a, 2), &id, sizeof(id))) {
		timer_posix_delete(t, id);
		return -EFAULT;
	}
	return 0;
}

static int itimerspec_out(struct task *t, uaddr_t addr, const struct ktimer_spec *s)
{
	struct linux_itimerspec v;

	ns_to_ts(s->value, &v.value);
	ns_to_ts(s->interval, &v.interval);
	return task_copy_out(t, addr, &v, sizeof(v));
}

long sys_timer_settime(struct task *t, const struct sysargs *a)
{
	struct linux_itimerspec v;
	struct ktimer_spec nv, old;
	int flags = sysarg_int(a, 1);
	uaddr_t old_addr = sysarg_addr(a, 3);
	int err;

	if (!sysarg_addr(a, 2))
		return -EINVAL;
	if (task_copy_in(t, sysarg_addr(a, 2), &v, sizeof(v)))
		return -EFAULT;
	err = ts_to_ns(&v.value, &nv.value);
	if (!err)
		err = ts_to_ns(&v.interval, &nv.interval);
	if (err)
		return err;
	err = timer_posix_set(t, sysarg_int(a, 0), flags & TIMER_ABSTIME, &nv, &old);
	if (!err && old_addr)
		err = itimerspec_out(t, old_addr, &old);
	return err;
}

long sys_timer_gettime(struct task *t, const struct sysargs *a)
{
	struct ktimer_spec cur;
	int err = timer_posix_get(t, sysarg_int(a, 0), &cur);

	return err ? err : itimerspec_out(t, sysarg_addr(a, 1), &cur);
}

long sys_timer_getoverrun(struct task *t, const struct sysargs *a)
{
	return timer_posix_getoverrun(t, sysarg_int(a, 0));
}

long sys_timer_delete(struct task *t, const struct sysargs *a)
{
	return timer_posix_delete(t, sysarg_int(a, 0));
}

/* getrusage(2): times, and maxrss in KiB; the other counters are not kept (0). */
long sys_getrusage(struct task *t, const struct sysargs *a)
{
	struct linux_rusage ru = { 0 };
	struct rusage_times r;

	switch (sysarg_int(a, 0)) {
	case RUSAGE_SELF:
		rusage_tg(t, &r);
		break;
	case RUSAGE_THREAD:
		rusage_thread(t, &r);
		break;
	case RUSAGE_CHILDREN:
		rusage_children(t, &r);
		break;
	default:
		return -EINVAL;
	}
	ns_to_tv((int64_t)r.utime_ns - 999, &ru.ru_utime); /* truncate, as Linux reports */
	ns_to_tv((int64_t)r.stime_ns - 999, &ru.ru_stime);
	ru.ru_maxrss = (int64_t)r.maxrss_kb;
	return task_copy_out(t, sysarg_addr(a, 1), &ru, sizeof(ru));
}

/* times(2): clock ticks since the sandbox started (never -1 to -4095, errno-like). */
long sys_times(struct task *t, const struct sysargs *a)
{
	struct rusage_times self, kids;
	struct linux_tms tms;
	struct timespec now;
	int64_t ticks;

	if (sysarg_addr(a, 0)) {
		rusage_tg(t, &self);
		rusage_children(t, &kids);
		tms.utime = (int64_t)self.utime_ns / (NS / USER_HZ);
		tms.stime = (int64_t)self.stime_ns / (NS / USER_HZ);
		tms.cutime = (int64_t)kids.utime_ns / (NS / USER_HZ);
		tms.cstime = (int64_t)kids.stime_ns / (NS / USER_HZ);
		if (task_copy_out(t, sysarg_addr(a, 0), &tms, sizeof(tms)))
			return -EFAULT;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	ticks = (now.tv_sec - t->k->boot_time.tv_sec) * USER_HZ +
		(now.tv_nsec - t->k->boot_time.tv_nsec) / (NS / USER_HZ);
	return ticks < 0 ? 0 : ticks;
}
