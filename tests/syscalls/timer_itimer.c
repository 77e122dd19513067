// SPDX-License-Identifier: MIT
/*
 * Interval timers: setitimer/getitimer round trips on the three timers, alarm's return
 * values, the errors, and (with fork) the default action of their signals. The harness
 * may be using ITIMER_REAL for its own timeout (alarm): cases that touch it put back what
 * they found.
 */
#include <signal.h>
#include <sys/time.h>

#include "tests/syscalls/sysutil.h"

static long long tv_us(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000 + tv->tv_usec;
}

static void disarm(int which)
{
	struct itimerval zero = { { 0, 0 }, { 0, 0 } };

	setitimer(which, &zero, NULL);
}

TEST(real_round_trip)
{
	struct itimerval set = { { 2, 0 }, { 30, 0 } }, cur, old, harness;

	ASSERT_OK(setitimer(ITIMER_REAL, &set, &harness));
	ASSERT_OK(getitimer(ITIMER_REAL, &cur));
	EXPECT_GT(tv_us(&cur.it_value), 29000000);
	EXPECT_LE(tv_us(&cur.it_value), 30000000);
	EXPECT_EQ(tv_us(&cur.it_interval), 2000000);
	memset(&set, 0, sizeof(set));
	ASSERT_OK(setitimer(ITIMER_REAL, &set, &old));
	EXPECT_GT(tv_us(&old.it_value), 29000000);
	EXPECT_EQ(tv_us(&old.it_interval), 2000000);
	ASSERT_OK(getitimer(ITIMER_REAL, &cur));
	EXPECT_EQ(tv_us(&cur.it_value), 0);
	ASSERT_OK(setitimer(ITIMER_REAL, &harness, NULL));
}

TEST(cpu_timers_round_trip)
{
	int which[] = { ITIMER_VIRTUAL, ITIMER_PROF };

	for (int i = 0; i < 2; i++) {
		struct itimerval set = { { 0, 0 }, { 50, 0 } }, cur;

		ASSERT_OK(setitimer(which[i], &set, NULL));
		ASSERT_OK(getitimer(which[i], &cur));
		EXPECT_GT(tv_us(&cur.it_value), 49000000);
		EXPECT_LE(tv_us(&cur.it_value), 50010000); /* Linux rounds to its tick */
		disarm(which[i]);
		ASSERT_OK(getitimer(which[i], &cur));
		EXPECT_EQ(tv_us(&cur.it_value), 0);
	}
}

TEST(itimer_errors)
{
	struct itimerval set = { { 0, 0 }, { 0, 1000000 } }, cur, harness;

	EXPECT_ERRNO(setitimer(ITIMER_REAL, &set, NULL), EINVAL);
	set.it_value.tv_usec = -1;
	EXPECT_ERRNO(setitimer(ITIMER_REAL, &set, NULL), EINVAL);
	set.it_value.tv_usec = 0;
	EXPECT_ERRNO(setitimer(7, &set, NULL), EINVAL);
	EXPECT_ERRNO(getitimer(7, &cur), EINVAL);
	EXPECT_ERRNO(syscall(SYS_getitimer, ITIMER_REAL, (void *)8), EFAULT);
	EXPECT_ERRNO(syscall(SYS_setitimer, ITIMER_REAL, (void *)8, NULL), EFAULT);
	/* A NULL new value disarms (Linux has always accepted it). */
	ASSERT_OK(syscall(SYS_setitimer, ITIMER_REAL, NULL, &harness));
	ASSERT_OK(getitimer(ITIMER_REAL, &cur));
	EXPECT_EQ(tv_us(&cur.it_value), 0);
	ASSERT_OK(setitimer(ITIMER_REAL, &harness, NULL));
}

TEST(alarm_returns_seconds_left)
{
	struct itimerval harness;

	ASSERT_OK(syscall(SYS_setitimer, ITIMER_REAL, NULL, &harness));
	EXPECT_EQ(alarm(0), 0);
	EXPECT_EQ(alarm(100), 0);
	EXPECT_EQ(alarm(50), 100);
	EXPECT_EQ(alarm(0), 50);
	EXPECT_EQ(alarm(0), 0);
	ASSERT_OK(setitimer(ITIMER_REAL, &harness, NULL));
}

TEST(alarm_and_setitimer_share_the_timer)
{
	struct itimerval cur, harness;

	ASSERT_OK(syscall(SYS_setitimer, ITIMER_REAL, NULL, &harness));
	EXPECT_EQ(alarm(40), 0);
	ASSERT_OK(getitimer(ITIMER_REAL, &cur));
	EXPECT_GT(tv_us(&cur.it_value), 39000000);
	disarm(ITIMER_REAL);
	EXPECT_EQ(alarm(0), 0);
	ASSERT_OK(setitimer(ITIMER_REAL, &harness, NULL));
}

static void spin_until_killed(void *arg)
{
	volatile unsigned long x = 0;
	struct itimerval set = { { 0, 0 }, { 0, 50000 } };

	if (arg)
		setitimer(*(int *)arg, &set, NULL);
	else
		alarm(1);
	for (unsigned long i = 0; i < 200000000000UL; i++)
		x += i;
}

TEST(alarm_kills_by_default)
{
	int st = status_of_child(spin_until_killed, NULL);

	EXPECT_KILLED_BY(st, SIGALRM);
}

TEST(prof_and_virtual_timers_fire_on_cpu_time)
{
	int prof = ITIMER_PROF, virt = ITIMER_VIRTUAL, real = ITIMER_REAL;

	EXPECT_KILLED_BY(status_of_child(spin_until_killed, &prof), SIGPROF);
	EXPECT_KILLED_BY(status_of_child(spin_until_killed, &virt), SIGVTALRM);
	EXPECT_KILLED_BY(status_of_child(spin_until_killed, &real), SIGALRM);
}
