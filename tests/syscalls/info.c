// SPDX-License-Identifier: MIT
/*
 * Process and system information: uname, the pid/tid/uid family, clocks and sleeping,
 * getrandom, sysinfo, rlimits (prlimit64/getrlimit/setrlimit), umask and the TLS base.
 * Time is only checked for order and lower bounds, never for being fast.
 */
#include <asm/prctl.h>
#include <grp.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long sys_now(clockid_t clk)
{
	struct timespec t;

	ASSERT_OK(syscall(SYS_clock_gettime, clk, &t));
	return ns_of(&t);
}

static long long vdso_now(clockid_t clk)
{
	struct timespec t;

	ASSERT_OK(clock_gettime(clk, &t));
	return ns_of(&t);
}

TEST(uname_fields_are_sane)
{
	struct utsname u;

	memset(&u, 0xff, sizeof(u));
	ASSERT_OK(uname(&u));
	EXPECT_STREQ(u.sysname, "Linux");
	EXPECT_STREQ(u.machine, "x86_64");
	EXPECT_TRUE(u.release[0] >= '2' && u.release[0] <= '9');
	EXPECT_TRUE(strchr(u.release, '.') != NULL);
	EXPECT_GT(strlen(u.nodename), 0);
	EXPECT_GT(strlen(u.version), 0);
	/* Every field is NUL-terminated within its array. */
	EXPECT_LT(strnlen(u.sysname, sizeof(u.sysname)), sizeof(u.sysname));
	EXPECT_LT(strnlen(u.nodename, sizeof(u.nodename)), sizeof(u.nodename));
	EXPECT_LT(strnlen(u.domainname, sizeof(u.domainname)), sizeof(u.domainname));
}

TEST(pid_and_tid_are_consistent)
{
	pid_t pid = getpid();

	EXPECT_GT(pid, 0);
	EXPECT_EQ(syscall(SYS_getpid), pid);
	EXPECT_EQ(gettid(), pid); /* single-threaded: the main thread's tid is the pid */
	EXPECT_NE(getppid(), pid);
	EXPECT_GE(getppid(), 0);
	EXPECT_EQ(getpgid(0), getpgrp());
	EXPECT_EQ(getsid(0), getsid(pid));
}

TEST(uids_and_gids_are_consistent)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	ASSERT_OK(getresuid(&r, &e, &s));
	ASSERT_OK(getresgid(&gr, &ge, &gs));
	EXPECT_EQ(getuid(), r);
	EXPECT_EQ(geteuid(), e);
	EXPECT_EQ(getgid(), gr);
	EXPECT_EQ(getegid(), ge);
}

TEST(getgroups_count_matches_the_list)
{
	gid_t groups[256];
	int n = ASSERT_OK(getgroups(0, NULL));

	ASSERT_LE(n, 256);
	EXPECT_EQ(getgroups(256, groups), n);
	if (n >= 2)
		EXPECT_ERRNO(getgroups(n - 1, groups), EINVAL);
}

TEST(clock_monotonic_never_goes_backwards)
{
	long long prev = sys_now(CLOCK_MONOTONIC), now;
	int i;

	for (i = 0; i < 1000; i++) {
		now = sys_now(CLOCK_MONOTONIC);
		ASSERT_GE(now, prev);
		prev = now;
	}
}

TEST(vdso_and_syscall_clocks_agree_in_order)
{
	static const clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME };
	size_t i;

	for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		long long a = vdso_now(clocks[i]);
		long long b = sys_now(clocks[i]);
		long long c = vdso_now(clocks[i]);

		EXPECT_LE(a, b);
		EXPECT_LE(b, c);
	}
}

TEST(clock_realtime_is_after_2020)
{
	struct timeval tv;

	EXPECT_GT(sys_now(CLOCK_REALTIME), 1577836800LL * 1000000000LL);
	ASSERT_OK(gettimeofday(&tv, NULL));
	EXPECT_GT(tv.tv_sec, 1577836800);
	EXPECT_LT(tv.tv_usec, 1000000);
	EXPECT_GE(time(NULL), 1577836800);
}

TEST(clock_boottime_is_at_least_monotonic)
{
	long long m = sys_now(CLOCK_MONOTONIC);
	long long b = sys_now(CLOCK_BOOTTIME);

	EXPECT_GE(b, m);
}

TEST(clock_getres_is_positive_and_fine)
{
	struct timespec r;

	ASSERT_OK(clock_getres(CLOCK_MONOTONIC, &r));
	EXPECT_EQ(r.tv_sec, 0);
	EXPECT_GT(r.tv_nsec, 0);
	EXPECT_LE(r.tv_nsec, 1000000);
	ASSERT_OK(clock_getres(CLOCK_REALTIME, &r));
	EXPECT_GT(ns_of(&r), 0);
}

TEST(cpu_time_clocks_work)
{
	long long p = sys_now(CLOCK_PROCESS_CPUTIME_ID);
	long long t = sys_now(CLOCK_THREAD_CPUTIME_ID);

	EXPECT_GE(p, 0);
	EXPECT_GE(t, 0);
	EXPECT_GE(sys_now(CLOCK_PROCESS_CPUTIME_ID), p);
}

TEST(invalid_clock_is_einval)
{
	struct timespec t;

	EXPECT_ERRNO(syscall(SYS_clock_gettime, 12345, &t), EINVAL);
	EXPECT_ERRNO(syscall(SYS_clock_getres, 12345, &t), EINVAL);
}

TEST(nanosleep_sleeps_at_least_the_request)
{
	struct timespec req = { 0, 2000000 };
	long long before = sys_now(CLOCK_MONOTONIC);

	ASSERT_OK(nanosleep(&req, NULL));
	EXPECT_GE(sys_now(CLOCK_MONOTONIC) - before, 2000000);
}

TEST(nanosleep_zero_returns_at_once)
{
	struct timespec req = { 0, 0 };

	EXPECT_OK(nanosleep(&req, NULL));
}

TEST(nanosleep_rejects_bad_timespecs)
{
	struct timespec big = { 0, 1000000000 }, neg = { -1, 0 }, negns = { 0, -1 };

	EXPECT_ERRNO(syscall(SYS_nanosleep, &big, NULL), EINVAL);
	EXPECT_ERRNO(syscall(SYS_nanosleep, &neg, NULL), EINVAL);
	EXPECT_ERRNO(syscall(SYS_nanosleep, &negns, NULL), EINVAL);
}

TEST(clock_nanosleep_absolute_in_the_past_returns_at_once)
{
	struct timespec past = { 1, 0 };

	EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), 0);
	EXPECT_EQ(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &past, NULL), 0);
}

TEST(clock_nanosleep_absolute_waits_until_the_deadline)
{
	struct timespec deadline;
	long long target = sys_now(CLOCK_MONOTONIC) + 3000000;

	deadline.tv_sec = target / 1000000000LL;
	deadline.tv_nsec = target % 1000000000LL;
	EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL), 0);
	EXPECT_GE(sys_now(CLOCK_MONOTONIC), target);
}

TEST(getrandom_fills_the_buffer_with_fresh_bytes)
{
	unsigned char a[256], b[256];

	EXPECT_EQ(getrandom(a, sizeof(a), 0), sizeof(a));
	EXPECT_EQ(getrandom(b, sizeof(b), GRND_NONBLOCK), sizeof(b));
	EXPECT_TRUE(memcmp(a, b, sizeof(a)) != 0);
	EXPECT_EQ(getrandom(a, 0, 0), 0);
}

TEST(getrandom_rejects_unknown_flags)
{
	unsigned char a[16];

	EXPECT_ERRNO(getrandom(a, sizeof(a), 0x1000), EINVAL);
}

TEST(sysinfo_fields_are_sane)
{
	struct sysinfo si;

	memset(&si, 0xff, sizeof(si));
	ASSERT_OK(sysinfo(&si));
	EXPECT_GE(si.uptime, 0);
	EXPECT_GT(si.totalram, 0);
	EXPECT_LE(si.freeram, si.totalram);
	EXPECT_GE(si.mem_unit, 1);
	EXPECT_GE(si.procs, 1);
}

TEST(prlimit64_get_matches_getrlimit)
{
	struct rlimit a, b;

	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &a));
	ASSERT_OK(prlimit(0, RLIMIT_NOFILE, NULL, &b));
	EXPECT_EQ(a.rlim_cur, b.rlim_cur);
	EXPECT_EQ(a.rlim_max, b.rlim_max);
	EXPECT_LE(a.rlim_cur, a.rlim_max);
	ASSERT_OK(prlimit(getpid(), RLIMIT_NOFILE, NULL, &b));
	EXPECT_EQ(a.rlim_cur, b.rlim_cur);
}

TEST(prlimit64_set_rlimit_nofile_takes_effect)
{
	struct rlimit old, lim = { 64, 0 }, now;

	ASSERT_OK(prlimit(0, RLIMIT_NOFILE, NULL, &old));
	lim.rlim_max = old.rlim_max;
	ASSERT_OK(prlimit(0, RLIMIT_NOFILE, &lim, &now));
	EXPECT_EQ(now.rlim_cur, old.rlim_cur); /* the old value comes back */
	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &now));
	EXPECT_EQ(now.rlim_cur, 64);
	/* The new soft limit bounds fd numbers. */
	EXPECT_ERRNO(dup2(1, 64), EBADF);
	EXPECT_ERRNO(fcntl(1, F_DUPFD, 64), EINVAL);
	EXPECT_EQ(dup2(1, 63), 63);
	close(63);
	ASSERT_OK(prlimit(0, RLIMIT_NOFILE, &old, NULL));
	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &now));
	EXPECT_EQ(now.rlim_cur, old.rlim_cur);
}

TEST(rlimit_soft_above_hard_is_einval)
{
	struct rlimit old, bad;

	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &old));
	bad.rlim_max = old.rlim_max;
	bad.rlim_cur = old.rlim_max + 1;
	if (old.rlim_max == RLIM_INFINITY)
		SKIP("RLIMIT_NOFILE hard limit is infinite");
	EXPECT_ERRNO(setrlimit(RLIMIT_NOFILE, &bad), EINVAL);
	EXPECT_ERRNO(prlimit(0, 1000, NULL, &old), EINVAL);
}

TEST(umask_returns_the_previous_mask)
{
	mode_t orig = umask(027);

	EXPECT_EQ(umask(0777), 027);
	EXPECT_EQ(umask(orig), 0777);
	/* Only the permission bits are kept. */
	umask(0177777);
	EXPECT_EQ(umask(orig), 0777);
}

TEST(arch_prctl_get_fs_is_the_tls_base)
{
	unsigned long fs = 0, self;

	ASSERT_OK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	/* glibc's TCB starts with a pointer to itself. */
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	EXPECT_NE(fs, 0);
	EXPECT_EQ(fs, self);
}

TEST(sched_yield_and_getcpu_work)
{
	unsigned int cpu = 1u << 30;

	EXPECT_OK(sched_yield());
	EXPECT_OK(getcpu(&cpu, NULL));
	EXPECT_LT(cpu, 1u << 30);
}
