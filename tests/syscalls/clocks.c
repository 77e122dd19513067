// SPDX-License-Identifier: MIT
/*
 * Every Linux clock id: clock_gettime, clock_getres and clock_nanosleep behave as
 * Linux's (which ids read, which sleep, which are -EINVAL or -EOPNOTSUPP), the CPU clocks
 * of processes and threads (clock_getcpuclockid, pthread_getcpuclockid), adjtimex and
 * clock_adjtime reading the clock state, and setting the time refused without
 * CAP_SYS_TIME. Raw syscalls where glibc would answer by itself. Sleeps are checked for
 * lower bounds and generous upper ones only.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

#define MS 1000000LL
/* Linux's CPU clock encoding (MAKE_PROCESS_CPUCLOCK / MAKE_THREAD_CPUCLOCK). */
#define CPUCLOCK_SCHED 2
#define CPUCLOCK_PERTHREAD 4
#define MAKE_PROCESS_CPUCLOCK(pid, clk) ((int)((~(unsigned)(pid)) << 3) | (clk))
#define MAKE_THREAD_CPUCLOCK(tid, clk) (MAKE_PROCESS_CPUCLOCK(tid, clk) | CPUCLOCK_PERTHREAD)

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static struct timespec ts_of(long long ns)
{
	struct timespec t = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };

	return t;
}

static long long now(clockid_t clk)
{
	struct timespec t;

	if (syscall(SYS_clock_gettime, clk, &t))
		return -1;
	return ns_of(&t);
}

/* The ALARM clocks exist only with an RTC that can wake the machine. */
static int have_alarm_clocks(void)
{
	struct timespec t;

	return syscall(SYS_clock_gettime, CLOCK_REALTIME_ALARM, &t) == 0;
}

TEST(every_clock_id_reads_or_is_einval)
{
	static const int readable[] = {
		CLOCK_REALTIME,		 CLOCK_MONOTONIC,     CLOCK_PROCESS_CPUTIME_ID,
		CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
		CLOCK_MONOTONIC_COARSE,	 CLOCK_BOOTTIME,      CLOCK_TAI
	};
	static const int invalid[] = { 10 /* CLOCK_SGI_CYCLE */, 12, 16, 1000, INT32_MAX };
	int alarm = have_alarm_clocks();
	struct timespec t, r;

	for (size_t i = 0; i < sizeof(readable) / sizeof(readable[0]); i++) {
		int id = readable[i];

		EXPECT_OK(syscall(SYS_clock_gettime, id, &t));
		EXPECT_LT(t.tv_nsec, 1000000000L);
		EXPECT_OK(syscall(SYS_clock_getres, id, &r));
		EXPECT_GT(ns_of(&r), 0);
		EXPECT_LE(ns_of(&r), 1000000000LL);
		/* Only the coarse clocks tick; the others are high resolution. */
		if (id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE)
			EXPECT_GE(ns_of(&r), 1000);
		else
			EXPECT_EQ(ns_of(&r), 1);
		EXPECT_OK(syscall(SYS_clock_getres, id, NULL));
	}
	for (int id = CLOCK_REALTIME_ALARM; id <= CLOCK_BOOTTIME_ALARM; id++) {
		if (alarm) {
			EXPECT_OK(syscall(SYS_clock_getres, id, &r));
		} else {
			EXPECT_ERRNO(syscall(SYS_clock_gettime, id, &t), EINVAL);
			EXPECT_ERRNO(syscall(SYS_clock_getres, id, &r), EINVAL);
		}
	}
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		EXPECT_ERRNO(syscall(SYS_clock_gettime, invalid[i], &t), EINVAL);
		EXPECT_ERRNO(syscall(SYS_clock_getres, invalid[i], &r), EINVAL);
	}
	EXPECT_ERRNO(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8), EFAULT);
	EXPECT_ERRNO(syscall(SYS_clock_getres, CLOCK_MONOTONIC, (void *)8), EFAULT);
}

TEST(wall_clocks_keep_their_relations)
{
	struct timex tx = { 0 };
	long long m, b, rt, tai, raw0, mono0, raw1, mono1;
	struct timespec d = ts_of(20 * MS);

	m = now(CLOCK_MONOTONIC);
	b = now(CLOCK_BOOTTIME);
	EXPECT_GE(b, m);
	rt = now(CLOCK_REALTIME);
	tai = now(CLOCK_TAI);
	ASSERT_GE(adjtimex(&tx), 0);
	/* TAI is REALTIME plus the kernel's whole-second TAI offset. */
	EXPECT_LE(llabs(tai - rt - tx.tai * 1000000000LL), 1000000000LL / 2);
	EXPECT_LE(llabs(rt / 1000000000LL - time(NULL)), 1);
	/* MONOTONIC_RAW and MONOTONIC run at the same rate but for NTP's slewing. */
	raw0 = now(CLOCK_MONOTONIC_RAW);
	mono0 = now(CLOCK_MONOTONIC);
	ASSERT_OK(clock_nanosleep(CLOCK_MONOTONIC, 0, &d, NULL));
	raw1 = now(CLOCK_MONOTONIC_RAW);
	mono1 = now(CLOCK_MONOTONIC);
	EXPECT_LE(llabs((raw1 - raw0) - (mono1 - mono0)), 2 * MS);
}

TEST(coarse_clocks_trail_the_fine_ones)
{
	struct timespec res;
	long long fine0, coarse, fine1;

	ASSERT_OK(clock_getres(CLOCK_MONOTONIC_COARSE, &res));
	for (int i = 0; i < 100; i++) {
		fine0 = now(CLOCK_MONOTONIC);
		coarse = now(CLOCK_MONOTONIC_COARSE);
		fine1 = now(CLOCK_MONOTONIC);
		EXPECT_LE(coarse, fine1);
		EXPECT_LE(fine0 - coarse, 1000 * MS);
		fine0 = now(CLOCK_REALTIME);
		coarse = now(CLOCK_REALTIME_COARSE);
		fine1 = now(CLOCK_REALTIME);
		EXPECT_LE(coarse, fine1);
		EXPECT_LE(fine0 - coarse, 1000 * MS);
	}
}

/* Burns CPU in this thread until its CPU clock advanced by ns (or 20 s passed). */
static void burn(long long ns)
{
	long long start = now(CLOCK_THREAD_CPUTIME_ID), wall = now(CLOCK_MONOTONIC);

	while (now(CLOCK_THREAD_CPUTIME_ID) - start < ns &&
	       now(CLOCK_MONOTONIC) - wall < 20000 * MS)
		;
}

TEST(cpu_clocks_count_the_work_done)
{
	long long p0 = now(CLOCK_PROCESS_CPUTIME_ID), t0 = now(CLOCK_THREAD_CPUTIME_ID);
	clockid_t pc, tc;
	struct timespec t;

	burn(30 * MS);
	EXPECT_GE(now(CLOCK_THREAD_CPUTIME_ID) - t0, 30 * MS);
	EXPECT_GE(now(CLOCK_PROCESS_CPUTIME_ID) - p0, 30 * MS);
	/* The same clocks by id: this process's and this thread's. */
	ASSERT_EQ(clock_getcpuclockid(0, &pc), 0);
	ASSERT_OK(clock_gettime(pc, &t));
	EXPECT_GE(ns_of(&t) - p0, 30 * MS);
	ASSERT_EQ(clock_getcpuclockid(getpid(), &pc), 0);
	ASSERT_OK(clock_gettime(pc, &t));
	EXPECT_GE(ns_of(&t) - p0, 30 * MS);
	ASSERT_EQ(pthread_getcpuclockid(pthread_self(), &tc), 0);
	ASSERT_OK(clock_gettime(tc, &t));
	EXPECT_GE(ns_of(&t) - t0, 30 * MS);
	ASSERT_OK(clock_getres(tc, &t));
	EXPECT_EQ(ns_of(&t), 1);
}

TEST(another_process_cpu_clock_lives_as_long_as_it)
{
	clockid_t c;
	struct timespec t;
	int status;
	pid_t pid = ASSERT_OK(fork());

	if (pid == 0) {
		pause();
		_exit(0);
	}
	ASSERT_EQ(clock_getcpuclockid(pid, &c), 0);
	EXPECT_OK(clock_gettime(c, &t));
	EXPECT_GE(ns_of(&t), 0);
	/* A thread clock names a thread of our own process only. */
	EXPECT_ERRNO(syscall(SYS_clock_gettime, MAKE_THREAD_CPUCLOCK(pid, CPUCLOCK_SCHED), &t),
		     EINVAL);
	ASSERT_OK(kill(pid, SIGKILL));
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_ERRNO(clock_gettime(c, &t), EINVAL);
	/* glibc turns the kernel's EINVAL for a missing process into ESRCH. */
	EXPECT_EQ(clock_getcpuclockid(pid, &c), ESRCH);
}

/* Sleeps 20 ms on clk, relative then absolute, and checks it on the same clock. */
static void check_sleep(clockid_t clk)
{
	struct timespec d = ts_of(20 * MS), t;
	long long start = now(clk), deadline;

	EXPECT_OK(syscall(SYS_clock_nanosleep, clk, 0, &d, NULL));
	EXPECT_GE(now(clk) - start, 20 * MS);
	EXPECT_LT(now(clk) - start, 5000 * MS);
	deadline = now(clk) + 20 * MS;
	t = ts_of(deadline);
	EXPECT_OK(syscall(SYS_clock_nanosleep, clk, TIMER_ABSTIME, &t, NULL));
	EXPECT_GE(now(clk), deadline);
	/* An absolute deadline already past returns at once. */
	t = ts_of(now(clk) - 1000 * MS);
	EXPECT_OK(syscall(SYS_clock_nanosleep, clk, TIMER_ABSTIME, &t, NULL));
}

TEST(clock_nanosleep_on_each_clock)
{
	static const int cannot[] = { CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW,
				      CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE };
	struct timespec d = ts_of(1000), bad = { 0, 1000000000L };

	check_sleep(CLOCK_REALTIME);
	check_sleep(CLOCK_MONOTONIC);
	check_sleep(CLOCK_BOOTTIME);
	check_sleep(CLOCK_TAI);
	for (size_t i = 0; i < sizeof(cannot) / sizeof(cannot[0]); i++)
		EXPECT_ERRNO(syscall(SYS_clock_nanosleep, cannot[i], 0, &d, NULL), EOPNOTSUPP);
	if (!have_alarm_clocks()) {
		EXPECT_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_REALTIME_ALARM, 0, &d, NULL),
			     EOPNOTSUPP);
		EXPECT_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME_ALARM, 0, &d, NULL),
			     EOPNOTSUPP);
	}
	EXPECT_ERRNO(syscall(SYS_clock_nanosleep, 10, 0, &d, NULL), EINVAL);
	EXPECT_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
	EXPECT_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, (void *)8, NULL), EFAULT);
	/* glibc refuses the calling thread's own CPU clock, as the kernel does. */
	EXPECT_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &d, NULL), EINVAL);
	EXPECT_ERRNO(
		syscall(SYS_clock_nanosleep, MAKE_THREAD_CPUCLOCK(0, CPUCLOCK_SCHED), 0, &d, NULL),
		EINVAL);
}

static volatile int spin_stop;

static void *spinner(void *arg)
{
	while (!spin_stop)
		;
	return NULL;
}

TEST(process_cpu_clock_sleep_ends_when_the_cpu_time_is_spent)
{
	struct timespec d = ts_of(30 * MS), t;
	long long p0, deadline;
	pthread_t th;

	spin_stop = 0;
	ASSERT_EQ(pthread_create(&th, NULL, spinner, NULL), 0);
	p0 = now(CLOCK_PROCESS_CPUTIME_ID);
	EXPECT_EQ(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &d, NULL), 0);
	EXPECT_GE(now(CLOCK_PROCESS_CPUTIME_ID) - p0, 30 * MS);
	deadline = now(CLOCK_PROCESS_CPUTIME_ID) + 20 * MS;
	t = ts_of(deadline);
	EXPECT_EQ(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &t, NULL), 0);
	EXPECT_GE(now(CLOCK_PROCESS_CPUTIME_ID), deadline);
	spin_stop = 1;
	pthread_join(th, NULL);
}

TEST(adjtimex_reads_the_clock_state)
{
	struct timex tx;
	struct timeval tv;
	int ret;

	memset(&tx, 0, sizeof(tx));
	ret = ASSERT_OK(adjtimex(&tx));
	EXPECT_LE(ret, TIME_ERROR);
	if (tx.status & STA_UNSYNC)
		EXPECT_EQ(ret, TIME_ERROR);
	EXPECT_GE(tx.tick, 9000);
	EXPECT_LE(tx.tick, 11000);
	EXPECT_EQ(tx.tolerance, 32768000); /* 500 ppm << 16, fixed in Linux */
	EXPECT_GE(tx.precision, 1);
	EXPECT_GE(tx.tai, 0);
	ASSERT_OK(gettimeofday(&tv, NULL));
	EXPECT_LE(llabs((long long)tv.tv_sec - tx.time.tv_sec), 2);
	/* clock_adjtime(CLOCK_REALTIME) is the same call. */
	memset(&tx, 0, sizeof(tx));
	EXPECT_EQ(syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx), ret);
	EXPECT_GE(tx.tick, 9000);
	memset(&tx, 0, sizeof(tx));
	EXPECT_ERRNO(syscall(SYS_clock_adjtime, CLOCK_MONOTONIC, &tx), EOPNOTSUPP);
	EXPECT_ERRNO(syscall(SYS_clock_adjtime, CLOCK_PROCESS_CPUTIME_ID, &tx), EOPNOTSUPP);
	EXPECT_ERRNO(syscall(SYS_clock_adjtime, 10, &tx), EINVAL);
	EXPECT_ERRNO(syscall(SYS_clock_adjtime, CLOCK_REALTIME, (void *)8), EFAULT);
	EXPECT_ERRNO(adjtimex((struct timex *)8), EFAULT);
}

/* In a child without CAP_SYS_TIME: 0, or the number of the check that failed. */
static int unprivileged_checks(void)
{
	struct timespec ts;
	struct timeval tv;
	struct timex tx;

	if (getuid() == 0 && setuid(65534))
		return 1;
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_FREQUENCY;
	if (adjtimex(&tx) != -1 || errno != EPERM)
		return 2;
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_OFFSET_SS_READ; /* reading the adjtime offset needs nothing */
	if (adjtimex(&tx) < 0)
		return 3;
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_FREQUENCY;
	if (syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx) != -1 || errno != EPERM)
		return 4;
	gettimeofday(&tv, NULL);
	if (settimeofday(&tv, NULL) != -1 || errno != EPERM)
		return 5;
	tv.tv_usec = 1000001;
	if (settimeofday(&tv, NULL) != -1 || errno != EINVAL)
		return 6;
	if (syscall(SYS_settimeofday, (void *)8, NULL) != -1 || errno != EFAULT)
		return 7;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (syscall(SYS_clock_settime, CLOCK_REALTIME, &ts) != -1 || errno != EPERM)
		return 8;
	/* Clocks Linux cannot set at all: -EINVAL whoever asks. */
	if (syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ts) != -1 || errno != EINVAL)
		return 9;
	if (syscall(SYS_clock_settime, CLOCK_PROCESS_CPUTIME_ID, &ts) != -1 || errno != EINVAL)
		return 10;
	if (syscall(SYS_clock_settime, MAKE_PROCESS_CPUCLOCK(0, CPUCLOCK_SCHED), &ts) != -1 ||
	    errno != EPERM)
		return 11;
	ts.tv_nsec = -1;
	if (syscall(SYS_clock_settime, CLOCK_REALTIME, &ts) != -1 || errno != EINVAL)
		return 12;
	return 0;
}

TEST(setting_the_time_needs_cap_sys_time)
{
	int status;
	pid_t pid = ASSERT_OK(fork());

	if (pid == 0)
		_exit(unprivileged_checks());
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}
