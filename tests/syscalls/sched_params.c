// SPDX-License-Identifier: MIT
/*
 * Scheduling parameters: sched_{get,set}{scheduler,param}, the priority ranges,
 * sched_rr_get_interval, CPU affinity and nice values (getpriority/setpriority). Each case
 * puts back what it changed, since without fork the cases share one process.
 */
#include <limits.h>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

#define NO_SUCH_PID INT_MAX

static long raw_getpriority(int which, int who)
{
	return syscall(SYS_getpriority, which, who);
}

TEST(scheduler_policy_round_trip)
{
	struct sched_param p = { 0 };

	EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
	ASSERT_OK(sched_getparam(0, &p));
	EXPECT_EQ(p.sched_priority, 0);
	ASSERT_OK(sched_setscheduler(0, SCHED_BATCH, &p));
	EXPECT_EQ(sched_getscheduler(0), SCHED_BATCH);
	EXPECT_EQ(sched_getscheduler(getpid()), SCHED_BATCH);
	ASSERT_OK(sched_setscheduler(0, SCHED_IDLE, &p));
	EXPECT_EQ(sched_getscheduler(0), SCHED_IDLE);
	ASSERT_OK(sched_setscheduler(0, SCHED_OTHER, &p));
	EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
}

TEST(scheduler_bad_arguments)
{
	struct sched_param p = { 1 };

	EXPECT_ERRNO(sched_setscheduler(0, SCHED_OTHER, &p), EINVAL);
	p.sched_priority = 0;
	EXPECT_ERRNO(sched_setscheduler(0, 1234, &p), EINVAL);
	EXPECT_ERRNO(sched_setscheduler(-1, SCHED_OTHER, &p), EINVAL);
	EXPECT_ERRNO(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
	EXPECT_ERRNO(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, (void *)8), EFAULT);
	EXPECT_ERRNO(sched_setscheduler(NO_SUCH_PID, SCHED_OTHER, &p), ESRCH);
	EXPECT_ERRNO(sched_getscheduler(-1), EINVAL);
	EXPECT_ERRNO(sched_getscheduler(NO_SUCH_PID), ESRCH);
	EXPECT_ERRNO(syscall(SYS_sched_getparam, 0, NULL), EINVAL);
	EXPECT_ERRNO(sched_getparam(NO_SUCH_PID, &p), ESRCH);
	p.sched_priority = 100;
	EXPECT_ERRNO(sched_setscheduler(0, SCHED_FIFO, &p), EINVAL);
	p.sched_priority = 0;
	EXPECT_ERRNO(sched_setscheduler(0, SCHED_RR, &p), EINVAL);
}

/* FIFO/RR need CAP_SYS_NICE (or RLIMIT_RTPRIO room): root gets them, others EPERM. */
TEST(realtime_policy_needs_privilege)
{
	struct sched_param p = { 10 }, q = { 0 };
	struct rlimit rt;

	ASSERT_OK(getrlimit(RLIMIT_RTPRIO, &rt));
	if (sched_setscheduler(0, SCHED_FIFO, &p) < 0) {
		EXPECT_EQ(errno, EPERM);
		EXPECT_NE(geteuid(), 0);
		return;
	}
	EXPECT_EQ(sched_getscheduler(0), SCHED_FIFO);
	ASSERT_OK(sched_getparam(0, &q));
	EXPECT_EQ(q.sched_priority, 10);
	q.sched_priority = 20;
	ASSERT_OK(sched_setparam(0, &q));
	ASSERT_OK(sched_getparam(0, &q));
	EXPECT_EQ(q.sched_priority, 20);
	q.sched_priority = 0;
	EXPECT_ERRNO(sched_setparam(0, &q), EINVAL);
	ASSERT_OK(sched_setscheduler(0, SCHED_RR, &p));
	EXPECT_EQ(sched_getscheduler(0), SCHED_RR);
	q.sched_priority = 0;
	ASSERT_OK(sched_setscheduler(0, SCHED_OTHER, &q));
	EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
}

TEST(priority_ranges)
{
	EXPECT_EQ(sched_get_priority_max(SCHED_FIFO), 99);
	EXPECT_EQ(sched_get_priority_min(SCHED_FIFO), 1);
	EXPECT_EQ(sched_get_priority_max(SCHED_RR), 99);
	EXPECT_EQ(sched_get_priority_min(SCHED_RR), 1);
	EXPECT_EQ(sched_get_priority_max(SCHED_OTHER), 0);
	EXPECT_EQ(sched_get_priority_min(SCHED_OTHER), 0);
	EXPECT_EQ(sched_get_priority_max(SCHED_BATCH), 0);
	EXPECT_EQ(sched_get_priority_min(SCHED_IDLE), 0);
	EXPECT_ERRNO(sched_get_priority_max(-1), EINVAL);
	EXPECT_ERRNO(sched_get_priority_min(77), EINVAL);
}

TEST(rr_interval)
{
	struct timespec ts = { -1, -1 };

	ASSERT_OK(sched_rr_get_interval(0, &ts));
	EXPECT_GE(ts.tv_sec, 0);
	EXPECT_GE(ts.tv_nsec, 0);
	EXPECT_LT(ts.tv_nsec, 1000000000);
	EXPECT_ERRNO(sched_rr_get_interval(-1, &ts), EINVAL);
	EXPECT_ERRNO(sched_rr_get_interval(NO_SUCH_PID, &ts), ESRCH);
	EXPECT_ERRNO(sched_rr_get_interval(0, (void *)8), EFAULT);
}

TEST(affinity_round_trip)
{
	cpu_set_t all, one, got;
	int first = -1;
	long n;

	CPU_ZERO(&all);
	n = syscall(SYS_sched_getaffinity, 0, sizeof(all), &all);
	ASSERT_GT(n, 0);
	EXPECT_EQ(n % 8, 0);
	ASSERT_GE(CPU_COUNT(&all), 1);
	for (int i = 0; i < CPU_SETSIZE && first < 0; i++)
		if (CPU_ISSET(i, &all))
			first = i;
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	ASSERT_OK(sched_setaffinity(0, sizeof(one), &one));
	CPU_ZERO(&got);
	ASSERT_OK(sched_getaffinity(0, sizeof(got), &got));
	EXPECT_TRUE(CPU_EQUAL(&got, &one));
	ASSERT_OK(sched_setaffinity(0, sizeof(all), &all));
	ASSERT_OK(sched_getaffinity(getpid(), sizeof(got), &got));
	EXPECT_TRUE(CPU_EQUAL(&got, &all));
}

TEST(affinity_errors)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	EXPECT_ERRNO(sched_setaffinity(0, sizeof(set), &set), EINVAL);
	EXPECT_ERRNO(syscall(SYS_sched_getaffinity, 0, 7, &set), EINVAL);
	EXPECT_ERRNO(syscall(SYS_sched_getaffinity, 0, sizeof(set), (void *)8), EFAULT);
	EXPECT_ERRNO(syscall(SYS_sched_setaffinity, 0, sizeof(set), (void *)8), EFAULT);
	ASSERT_OK(sched_getaffinity(0, sizeof(set), &set));
	EXPECT_ERRNO(sched_setaffinity(NO_SUCH_PID, sizeof(set), &set), ESRCH);
	EXPECT_ERRNO(sched_getaffinity(NO_SUCH_PID, sizeof(set), &set), ESRCH);
}

TEST(nice_round_trip)
{
	long base = raw_getpriority(PRIO_PROCESS, 0);
	int nice0;

	ASSERT_GE(base, 1);
	ASSERT_LE(base, 40);
	nice0 = 20 - (int)base;
	errno = 0;
	EXPECT_EQ(getpriority(PRIO_PROCESS, 0), nice0);
	EXPECT_EQ(errno, 0);
	ASSERT_OK(setpriority(PRIO_PROCESS, 0, 5));
	EXPECT_EQ(raw_getpriority(PRIO_PROCESS, 0), 15);
	EXPECT_EQ(raw_getpriority(PRIO_PROCESS, getpid()), 15);
	EXPECT_GE(raw_getpriority(PRIO_PGRP, 0), 15);
	EXPECT_GE(raw_getpriority(PRIO_USER, 0), 15);
	/* Out-of-range values clamp. */
	ASSERT_OK(setpriority(PRIO_PROCESS, 0, 100));
	EXPECT_EQ(raw_getpriority(PRIO_PROCESS, 0), 1);
	if (setpriority(PRIO_PROCESS, 0, nice0) < 0) {
		/* Lowering nice takes CAP_SYS_NICE (or RLIMIT_NICE). */
		EXPECT_EQ(errno, EACCES);
		EXPECT_NE(geteuid(), 0);
		return;
	}
	ASSERT_OK(setpriority(PRIO_PROCESS, 0, -100));
	EXPECT_EQ(raw_getpriority(PRIO_PROCESS, 0), 40);
	ASSERT_OK(setpriority(PRIO_PROCESS, 0, nice0));
	EXPECT_EQ(raw_getpriority(PRIO_PROCESS, 0), base);
}

TEST(nice_errors)
{
	EXPECT_ERRNO(raw_getpriority(3, 0), EINVAL);
	EXPECT_ERRNO(raw_getpriority(-1, 0), EINVAL);
	EXPECT_ERRNO(setpriority(7, 0, 0), EINVAL);
	EXPECT_ERRNO(raw_getpriority(PRIO_PROCESS, NO_SUCH_PID), ESRCH);
	EXPECT_ERRNO(setpriority(PRIO_PROCESS, NO_SUCH_PID, 0), ESRCH);
	EXPECT_ERRNO(raw_getpriority(PRIO_PGRP, NO_SUCH_PID), ESRCH);
}

TEST(yield_and_getcpu)
{
	unsigned cpu = ~0u, node = ~0u;

	EXPECT_OK(sched_yield());
	ASSERT_OK(syscall(SYS_getcpu, &cpu, &node, NULL));
	EXPECT_LT(cpu, (unsigned)CPU_SETSIZE);
}

static void check_inherited(void *arg)
{
	struct sched_param p;

	if (syscall(SYS_getpriority, PRIO_PROCESS, 0) != 17)
		_exit(1);
	if (sched_getscheduler(0) != SCHED_BATCH || sched_getparam(0, &p) || p.sched_priority)
		_exit(2);
}

TEST(fork_inherits_nice_and_policy)
{
	struct sched_param p = { 0 };
	long base = syscall(SYS_getpriority, PRIO_PROCESS, 0);
	int st;

	ASSERT_OK(setpriority(PRIO_PROCESS, 0, 3));
	ASSERT_OK(sched_setscheduler(0, SCHED_BATCH, &p));
	st = status_of_child(check_inherited, NULL);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
	ASSERT_OK(sched_setscheduler(0, SCHED_OTHER, &p));
	if (setpriority(PRIO_PROCESS, 0, 20 - (int)base) < 0)
		EXPECT_EQ(errno, EACCES);
}
