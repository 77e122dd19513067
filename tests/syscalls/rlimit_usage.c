// SPDX-License-Identifier: MIT
/*
 * Resource limits and usage: RLIMIT_NOFILE and RLIMIT_AS enforced, getrusage and times
 * monotonic and non-negative, CPU-time clocks (process, thread, clock_getcpuclockid) that
 * grow with a CPU-bound loop. Limits are put back: without fork the cases share a process.
 */
#include <limits.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

static long long cpu_ns(clockid_t c)
{
	struct timespec ts;

	ASSERT_OK(clock_gettime(c, &ts));
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Burns at least ms milliseconds of CPU time, by the process's own clock. */
static void burn(long ms)
{
	volatile unsigned long x = 0;
	long long end = cpu_ns(CLOCK_PROCESS_CPUTIME_ID) + ms * 1000000LL;

	while (cpu_ns(CLOCK_PROCESS_CPUTIME_ID) < end)
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
}

TEST(nofile_limit_gives_emfile)
{
	struct rlimit old, rl;
	int fds[64], n = 0, fd;

	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &old));
	rl.rlim_cur = 16;
	rl.rlim_max = old.rlim_max;
	ASSERT_OK(setrlimit(RLIMIT_NOFILE, &rl));
	for (;;) {
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			break;
		if (n < 64)
			fds[n++] = fd;
	}
	EXPECT_EQ(errno, EMFILE);
	EXPECT_LE(n, 16);
	EXPECT_ERRNO(dup(0), EMFILE);
	EXPECT_ERRNO(fcntl(0, F_DUPFD, 20), EINVAL);
	while (n > 0)
		close(fds[--n]);
	ASSERT_OK(setrlimit(RLIMIT_NOFILE, &old));
}

TEST(as_limit_gives_enomem)
{
	struct rlimit old, rl;
	void *p;

	ASSERT_OK(getrlimit(RLIMIT_AS, &old));
	rl.rlim_cur = 1UL << 30;
	rl.rlim_max = old.rlim_max;
	ASSERT_OK(setrlimit(RLIMIT_AS, &rl));
	p = mmap(NULL, 2UL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(errno, ENOMEM);
	p = mmap(NULL, 1UL << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT_TRUE(p != MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, 1UL << 20);
	ASSERT_OK(setrlimit(RLIMIT_AS, &old));
	p = mmap(NULL, 2UL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT_TRUE(p != MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, 2UL << 30);
}

TEST(cpu_clocks_grow_with_cpu_work)
{
	long long p0 = cpu_ns(CLOCK_PROCESS_CPUTIME_ID), t0 = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
	clockid_t pc;

	EXPECT_GE(p0, 0);
	EXPECT_GE(t0, 0);
	burn(100);
	EXPECT_GE(cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - p0, 100000000LL);
	EXPECT_GT(cpu_ns(CLOCK_THREAD_CPUTIME_ID), t0);
	ASSERT_OK(clock_getcpuclockid(0, &pc));
	EXPECT_GE(cpu_ns(pc), p0 + 100000000LL);
	ASSERT_OK(clock_getcpuclockid(getpid(), &pc));
	EXPECT_GE(cpu_ns(pc), p0 + 100000000LL);
}

TEST(cpu_clock_errors_and_resolution)
{
	struct timespec ts;
	/* pid INT_MAX / 8 as a process clock: nobody. */
	clockid_t bad = (clockid_t)((~(unsigned)(0x3ffffff0) << 3) | 2);

	EXPECT_ERRNO(clock_gettime(bad, &ts), EINVAL);
	EXPECT_ERRNO(clock_gettime((clockid_t)((~0u << 3) | 3), &ts), EINVAL); /* which 3 */
	ASSERT_OK(clock_getres(CLOCK_PROCESS_CPUTIME_ID, &ts));
	EXPECT_EQ(ts.tv_sec, 0);
	EXPECT_GT(ts.tv_nsec, 0);
	ASSERT_OK(clock_getres(CLOCK_THREAD_CPUTIME_ID, &ts));
	EXPECT_ERRNO(syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, (void *)8), EFAULT);
}

TEST(getrusage_is_monotonic)
{
	struct rusage a, b, c;

	ASSERT_OK(getrusage(RUSAGE_SELF, &a));
	EXPECT_GE(a.ru_utime.tv_sec, 0);
	EXPECT_GE(a.ru_stime.tv_sec, 0);
	EXPECT_GE(a.ru_utime.tv_usec, 0);
	EXPECT_LT(a.ru_utime.tv_usec, 1000000);
	EXPECT_GT(a.ru_maxrss, 0);
	burn(50);
	ASSERT_OK(getrusage(RUSAGE_SELF, &b));
	EXPECT_GT(b.ru_utime.tv_sec * 1000000LL + b.ru_utime.tv_usec +
			  b.ru_stime.tv_sec * 1000000LL + b.ru_stime.tv_usec,
		  a.ru_utime.tv_sec * 1000000LL + a.ru_utime.tv_usec +
			  a.ru_stime.tv_sec * 1000000LL + a.ru_stime.tv_usec + 40000);
	ASSERT_OK(getrusage(RUSAGE_THREAD, &c));
	EXPECT_GE(c.ru_utime.tv_sec, 0);
	ASSERT_OK(getrusage(RUSAGE_CHILDREN, &c));
	EXPECT_GE(c.ru_utime.tv_sec, 0);
	EXPECT_ERRNO(getrusage(5, &c), EINVAL);
	EXPECT_ERRNO(syscall(SYS_getrusage, RUSAGE_SELF, (void *)8), EFAULT);
}

TEST(times_is_monotonic)
{
	struct tms a, b;
	clock_t r0, r1;

	r0 = times(&a);
	ASSERT_NE(r0, (clock_t)-1);
	burn(50);
	r1 = times(&b);
	EXPECT_GE(r1, r0);
	EXPECT_GE(a.tms_utime, 0);
	EXPECT_GE(a.tms_stime, 0);
	EXPECT_GE(b.tms_utime + b.tms_stime, a.tms_utime + a.tms_stime + 4);
	EXPECT_GE(b.tms_cutime, 0);
	EXPECT_GE(syscall(SYS_times, NULL), 0);
	EXPECT_ERRNO(syscall(SYS_times, (void *)8), EFAULT);
}
