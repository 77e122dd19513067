/*
 * Clocks and sleeping: every Linux clock id. The wall and monotonic clocks are the
 * vDSO's (sentry/vdso: what a trap returns equals what the vDSO computes), CPU clocks
 * are the sandbox's own accounting (rusage.c). The sandbox never sets the host's time:
 * settimeofday, clock_settime and adjtimex's setting modes are -EPERM, even for root.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/random.h>
#include <sys/timex.h>
#include <time.h>

#include "sentry/kernel/rusage.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/vdso/vdso.h"

#define NSEC_PER_SEC 1000000000LL
/* A CPU-clock sleep rechecks the clock at least this often (threads may burn CPU time
 * faster than the wall clock runs). */
#define CPU_SLEEP_POLL_NS (10 * 1000000LL)
/* Linux's CLOCKFD encoding of a dynamic (fd) clock in a negative id. */
#define CLOCKFD_ID(id) ((id) < 0 && ((id)&7) == 3)
/* The kernel's adjtime(3) bits (glibc's ADJ_OFFSET_SINGLESHOT is ADJTIME | this one). */
#define LINUX_ADJ_ADJTIME 0x8000
#define LINUX_ADJ_OFFSET_SINGLESHOT 0x0001
#define LINUX_ADJ_OFFSET_READONLY 0x2000

/* The ALARM clocks need an RTC that can wake the machine: like Linux on a host without
 * one, they are -EINVAL to read and -EOPNOTSUPP to sleep on when the host has none. */
static bool alarm_clocks(void)
{
	static int have = -1;
	struct timespec ts;

	if (__atomic_load_n(&have, __ATOMIC_RELAXED) < 0)
		__atomic_store_n(&have, clock_getres(CLOCK_REALTIME_ALARM, &ts) == 0,
				 __ATOMIC_RELAXED);
	return have;
}

/* A wall or monotonic clock id this sandbox serves (the vDSO's set plus the ALARMs). */
static bool wall_clock(int id)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return true;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		return alarm_clocks();
	default:
		return false;
	}
}

static uint64_t ts_to_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

static int timespec_out(struct task *t, uaddr_t addr, uint64_t ns)
{
	struct linux_timespec lts = { .tv_sec = (int64_t)(ns / NSEC_PER_SEC),
				      .tv_nsec = (int64_t)(ns % NSEC_PER_SEC) };

	return task_copy_out(t, addr, &lts, sizeof(lts));
}

long sys_clock_gettime(struct task *t, const struct sysargs *a)
{
	int id = sysarg_int(a, 0);
	struct timespec ts;
	uint64_t ns;
	int err;

	if (rusage_is_cpu_clock(id) && !CLOCKFD_ID(id)) {
		err = rusage_cpu_clock(t, id, &ns);
		if (err)
			return err;
		return timespec_out(t, sysarg_addr(a, 1), ns);
	}
	if (!wall_clock(id))
		return -EINVAL;
	err = vclock_gettime(id, &ts);
	if (err)
		return err;
	return timespec_out(t, sysarg_addr(a, 1), ts_to_ns(&ts));
}

long sys_clock_getres(struct task *t, const struct sysargs *a)
{
	int id = sysarg_int(a, 0);
	struct timespec ts = { 0, 1 }; /* high-resolution clocks and CPU clocks: 1 ns */
	uint64_t ns;
	int err;

	if (rusage_is_cpu_clock(id) && !CLOCKFD_ID(id)) {
		err = rusage_cpu_clock(t, id, &ns); /* validates the id */
		if (err)
			return err;
	} else if (!wall_clock(id)) {
		return -EINVAL;
	} else if (id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE) {
		clock_getres(id, &ts); /* the host's tick, as the vDSO reports it */
	}
	if (!sysarg_addr(a, 1))
		return 0;
	return timespec_out(t, sysarg_addr(a, 1), ts_to_ns(&ts));
}

long sys_gettimeofday(struct task *t, const struct sysargs *a)
{
	struct timespec ts;
	struct linux_timeval tv;
	int err;

	vclock_gettime(CLOCK_REALTIME, &ts);
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
	struct timespec ts;
	int64_t now;

	vclock_gettime(CLOCK_REALTIME, &ts);
	now = ts.tv_sec;
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
	if (lts.tv_sec < 0 || lts.tv_nsec < 0 || lts.tv_nsec >= NSEC_PER_SEC)
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

/*
 * Sleeps until CPU clock id reaches deadline (ns). The clock is polled: no event says
 * when another thread's CPU time crosses a value, and a wait no longer than what is
 * left (or CPU_SLEEP_POLL_NS) never oversleeps a single busy thread by much.
 */
static long cpu_sleep_until(struct task *t, int id, uint64_t deadline, uaddr_t rmtp, bool relative);

static long cpu_sleep_restart(struct task *t)
{
	struct sig_restart_block r = t->sig.restart;

	return cpu_sleep_until(t, r.clockid, ts_to_ns(&r.deadline), r.rmtp, true);
}

static long cpu_sleep_until(struct task *t, int id, uint64_t deadline, uaddr_t rmtp, bool relative)
{
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv;
	pthread_condattr_t ca;
	uint64_t now = 0;
	int err;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&mu);
	for (;;) {
		struct timespec until;

		err = rusage_cpu_clock(t, id, &now);
		if (err || now >= deadline)
			break;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)MIN(deadline - now, (uint64_t)CPU_SLEEP_POLL_NS);
		until.tv_sec += until.tv_nsec / NSEC_PER_SEC;
		until.tv_nsec %= NSEC_PER_SEC;
		err = task_block(t, &mu, &cv, &until);
		if (err == -EINTR)
			break;
		err = 0;
	}
	pthread_mutex_unlock(&mu);
	pthread_cond_destroy(&cv);
	if (err != -EINTR)
		return err;
	if (!relative)
		return -ERESTARTNOHAND;
	if (rmtp && timespec_out(t, rmtp, deadline > now ? deadline - now : 0))
		return -EFAULT;
	t->sig.restart.fn = cpu_sleep_restart;
	t->sig.restart.clockid = id;
	t->sig.restart.deadline.tv_sec = (time_t)(deadline / NSEC_PER_SEC);
	t->sig.restart.deadline.tv_nsec = (long)(deadline % NSEC_PER_SEC);
	t->sig.restart.rmtp = rmtp;
	return -ERESTART_RESTARTBLOCK;
}

/* clock_nanosleep on a CPU clock: Linux's posix_cpu_nsleep. */
static long cpu_nanosleep(struct task *t, int id, int flags, uaddr_t req, uaddr_t rem)
{
	struct timespec ts;
	uint64_t now;
	int err;

	err = timespec_in(t, req, &ts);
	if (err)
		return err;
	/* The caller's own thread clock can never advance while it sleeps. */
	if (id < 0 && (id & 4) && (~(id >> 3) == 0 || ~(id >> 3) == t->tid))
		return -EINVAL;
	err = rusage_cpu_clock(t, id, &now);
	if (err)
		return err;
	if (flags & TIMER_ABSTIME)
		return cpu_sleep_until(t, id, ts_to_ns(&ts), 0, false);
	return cpu_sleep_until(t, id, now + ts_to_ns(&ts), rem, true);
}

long sys_clock_nanosleep(struct task *t, const struct sysargs *a)
{
	int id = sysarg_int(a, 0), flags = sysarg_int(a, 1);
	uaddr_t req = sysarg_addr(a, 2), rem = sysarg_addr(a, 3);

	if (flags & TIMER_ABSTIME)
		rem = 0;
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return do_sleep(t, id, flags, req, rem);
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		if (!alarm_clocks())
			return -EOPNOTSUPP;
		if (flags & ~TIMER_ABSTIME)
			return -EINVAL;
		return do_sleep(t, id, flags, req, rem);
	case CLOCK_PROCESS_CPUTIME_ID:
		return cpu_nanosleep(t, id, flags, req, rem);
	case CLOCK_THREAD_CPUTIME_ID:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP; /* clocks Linux cannot sleep on */
	default:
		if (CLOCKFD_ID(id))
			return -EOPNOTSUPP;
		if (id < 0)
			return cpu_nanosleep(t, id, flags, req, rem);
		return -EINVAL;
	}
}

/* The kernel's clock discipline as this sandbox reports it: an unsynchronized clock with
 * Linux's defaults (what a host without NTP shows), the time and TAI offset filled in. */
static int timex_state(struct timex *tx)
{
	struct timespec rt, tai;

	vclock_gettime(CLOCK_REALTIME, &rt);
	vclock_gettime(CLOCK_TAI, &tai);
	tx->offset = 0;
	tx->freq = 0;
	tx->maxerror = 16000000; /* NTP_PHASE_LIMIT */
	tx->esterror = 16000000;
	tx->status = STA_UNSYNC;
	tx->constant = 2;
	tx->precision = 1;
	tx->tolerance = 32768000; /* MAXFREQ_SCALED: 500 ppm << 16 */
	tx->time.tv_sec = rt.tv_sec;
	tx->time.tv_usec = rt.tv_nsec / 1000;
	tx->tick = 1000000 / 100; /* USER_HZ */
	tx->ppsfreq = tx->jitter = tx->shift = tx->stabil = 0;
	tx->jitcnt = tx->calcnt = tx->errcnt = tx->stbcnt = 0;
	tx->tai = (int)((ts_to_ns(&tai) - ts_to_ns(&rt) + NSEC_PER_SEC / 2) / NSEC_PER_SEC);
	return TIME_ERROR; /* STA_UNSYNC */
}

/* adjtimex on CLOCK_REALTIME: reading only (Linux's timekeeping_validate_timex order). */
static long do_adjtimex(struct task *t, uaddr_t buf)
{
	struct timex tx;
	int ret, err;

	err = task_copy_in(t, buf, &tx, sizeof(tx));
	if (err)
		return err;
	if (tx.modes & LINUX_ADJ_ADJTIME) {
		if (!(tx.modes & LINUX_ADJ_OFFSET_SINGLESHOT))
			return -EINVAL;
		if (!(tx.modes & LINUX_ADJ_OFFSET_READONLY))
			return -EPERM;
	} else if (tx.modes) {
		return -EPERM; /* the sandbox never steers the host's clock */
	}
	ret = timex_state(&tx);
	err = task_copy_out(t, buf, &tx, sizeof(tx));
	return err ? err : ret;
}

long sys_adjtimex(struct task *t, const struct sysargs *a)
{
	return do_adjtimex(t, sysarg_addr(a, 0));
}

long sys_clock_adjtime(struct task *t, const struct sysargs *a)
{
	int id = sysarg_int(a, 0);
	struct timex tx;
	int err = task_copy_in(t, sysarg_addr(a, 1), &tx, sizeof(tx));

	if (err)
		return err;
	if (id == CLOCK_REALTIME)
		return do_adjtimex(t, sysarg_addr(a, 1));
	if (CLOCKFD_ID(id))
		return -EINVAL; /* no dynamic (PTP) clocks in the sandbox */
	if (rusage_is_cpu_clock(id) || (id >= 0 && id <= CLOCK_TAI && id != 10))
		return -EOPNOTSUPP; /* only CLOCK_REALTIME can be adjusted */
	return -EINVAL;
}

long sys_settimeofday(struct task *t, const struct sysargs *a)
{
	struct linux_timeval tv;
	int32_t tz[2];
	int err;

	if (sysarg_addr(a, 0)) {
		err = task_copy_in(t, sysarg_addr(a, 0), &tv, sizeof(tv));
		if (err)
			return err;
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000 || tv.tv_sec < 0)
			return -EINVAL;
	}
	if (sysarg_addr(a, 1)) {
		err = task_copy_in(t, sysarg_addr(a, 1), tz, sizeof(tz));
		if (err)
			return err;
	}
	return -EPERM; /* CAP_SYS_TIME over the host's clock is never the sandbox's */
}

long sys_clock_settime(struct task *t, const struct sysargs *a)
{
	int id = sysarg_int(a, 0);
	struct timespec ts;
	uint64_t ns;
	int err;

	/* Linux: only CLOCK_REALTIME and the CPU clocks have a clock_set. */
	if (id == CLOCK_REALTIME) {
		err = timespec_in(t, sysarg_addr(a, 1), &ts);
		return err ? err : -EPERM;
	}
	if (id < 0 && !CLOCKFD_ID(id)) {
		struct linux_timespec lts;

		err = task_copy_in(t, sysarg_addr(a, 1), &lts, sizeof(lts));
		if (!err)
			err = rusage_cpu_clock(t, id, &ns);
		return err ? err : -EPERM;
	}
	return -EINVAL;
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
