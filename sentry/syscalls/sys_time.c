/* Clocks and sleeping. */
#include <errno.h>
#include <sys/random.h>
#include <time.h>

#include "sentry/kernel/rusage.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

/* Maps a guest clock id to the host clock that serves it; -EINVAL if unknown. */
static int host_clock(int id, clockid_t *out)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		*out = id;
		return 0;
	case CLOCK_REALTIME_ALARM:
		*out = CLOCK_REALTIME;
		return 0;
	case CLOCK_BOOTTIME_ALARM:
		*out = CLOCK_BOOTTIME;
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		/* Guest CPU time is spent in the platform's stub, not here; until per-task
		 * accounting exists the sentry thread's clock is the closest measure. */
		*out = CLOCK_THREAD_CPUTIME_ID;
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_clock_gettime(struct task *t, const struct sysargs *a)
{
	struct timespec ts;
	struct linux_timespec lts;
	clockid_t c;
	int err = host_clock(sysarg_int(a, 0), &c);
	uint64_t ns;

	/* CPU clocks are the sandbox's own accounting (rusage.c), not the host's. */
	if (rusage_is_cpu_clock(sysarg_int(a, 0))) {
		err = rusage_cpu_clock(t, sysarg_int(a, 0), &ns);
		ts.tv_sec = (time_t)(ns / 1000000000);
		ts.tv_nsec = (long)(ns % 1000000000);
	}
	if (err)
		return err;
	if (!rusage_is_cpu_clock(sysarg_int(a, 0)))
		clock_gettime(c, &ts);
	lts.tv_sec = ts.tv_sec;
	lts.tv_nsec = ts.tv_nsec;
	return task_copy_out(t, sysarg_addr(a, 1), &lts, sizeof(lts));
}

long sys_clock_getres(struct task *t, const struct sysargs *a)
{
	struct timespec ts;
	struct linux_timespec lts;
	clockid_t c;
	int err = host_clock(sysarg_int(a, 0), &c);
	uint64_t ns;

	if (rusage_is_cpu_clock(sysarg_int(a, 0))) {
		err = rusage_cpu_clock(t, sysarg_int(a, 0), &ns);
		c = CLOCK_PROCESS_CPUTIME_ID; /* for its resolution: 1 ns */
	}
	if (err)
		return err;
	if (!sysarg_addr(a, 1))
		return 0;
	clock_getres(c, &ts);
	lts.tv_sec = ts.tv_sec;
	lts.tv_nsec = ts.tv_nsec;
	return task_copy_out(t, sysarg_addr(a, 1), &lts, sizeof(lts));
}

long sys_gettimeofday(struct task *t, const struct sysargs *a)
{
	struct timespec ts;
	struct linux_timeval tv;
	int err;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (sysarg_addr(a, 0)) {
		tv.tv_sec = ts.tv_sec;
		tv.tv_usec = ts.tv_nsec / 1000;
		err = task_copy_out(t, sysarg_addr(a, 0), &tv, sizeof(tv));
		if (err)
			return err;
	}
	if (sysarg_addr(a, 1)) {
		int32_t tz[2] = { 0, 0 }; /* struct timezone: UTC, no DST */

		return task_copy_out(t, sysarg_addr(a, 1), tz, sizeof(tz));
	}
	return 0;
}

long sys_time(struct task *t, const struct sysargs *a)
{
	int64_t now = (int64_t)time(NULL);

	if (sysarg_addr(a, 0)) {
		int err = task_copy_out(t, sysarg_addr(a, 0), &now, sizeof(now));

		if (err)
			return err;
	}
	return now;
}

static int timespec_in(struct task *t, uaddr_t addr, struct timespec *ts)
{
	struct linux_timespec lts;
	int err = task_copy_in(t, addr, &lts, sizeof(lts));

	if (err)
		return err;
	if (lts.tv_sec < 0 || lts.tv_nsec < 0 || lts.tv_nsec >= 1000000000)
		return -EINVAL;
	ts->tv_sec = lts.tv_sec;
	ts->tv_nsec = lts.tv_nsec;
	return 0;
}

static long do_sleep(struct task *t, clockid_t c, int flags, uaddr_t req, uaddr_t rem)
{
	struct timespec ts;
	int err = timespec_in(t, req, &ts);

	if (err)
		return err;
	/* Signals interrupt it; restart_syscall resumes it to the same deadline (signal.c). */
	return sig_nanosleep(t, c, flags & TIMER_ABSTIME, &ts, rem);
}

long sys_nanosleep(struct task *t, const struct sysargs *a)
{
	return do_sleep(t, CLOCK_MONOTONIC, 0, sysarg_addr(a, 0), sysarg_addr(a, 1));
}

long sys_clock_nanosleep(struct task *t, const struct sysargs *a)
{
	int id = sysarg_int(a, 0);
	clockid_t c;
	int err;

	if (id == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	err = host_clock(id, &c);
	if (err)
		return err;
	if (sysarg_int(a, 1) & ~TIMER_ABSTIME)
		return -EINVAL;
	return do_sleep(t, c, sysarg_int(a, 1), sysarg_addr(a, 2), sysarg_addr(a, 3));
}

long sys_getrandom(struct task *t, const struct sysargs *a)
{
	unsigned flags = sysarg_uint(a, 2);
	size_t len = MIN(sysarg_size(a, 1), (size_t)33554431); /* Linux's per-call cap */
	struct iovec iov[16];
	struct mm_pin pin;
	int niov, err;
	long done = 0;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE))
		return -EINVAL;
	if (!len)
		return 0;
	err = mm_pin_iov(t->mm, sysarg_addr(a, 0), &len, true, iov, 16, &niov, &pin);
	if (err)
		return err;
	for (int i = 0; i < niov; i++) {
		size_t off = 0;

		while (off < iov[i].iov_len) {
			ssize_t n = getrandom((char *)iov[i].iov_base + off, iov[i].iov_len - off,
					      flags & GRND_NONBLOCK);

			if (n < 0) {
				mm_unpin_iov(&pin);
				return done ? done : -errno;
			}
			off += (size_t)n;
			done += n;
		}
	}
	mm_unpin_iov(&pin);
	return done;
}
