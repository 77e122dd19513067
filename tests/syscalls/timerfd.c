// SPDX-License-Identifier: MIT
/*
 * timerfd_create(2), timerfd_settime(2), timerfd_gettime(2): clocks and flags (the alarm
 * clocks need CAP_WAKE_ALARM), one-shot and periodic timers read as a u64 expiry count,
 * TFD_TIMER_ABSTIME on each clock, the old value, disarming, argument errors, and poll
 * readiness. Times are checked loosely: only order and coarse bounds.
 */
#include <linux/capability.h>
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

#define MS 1000000L
#define CAP_WAKE_ALARM_BIT 35

static uint64_t rd(int fd)
{
	uint64_t v = 0;

	ASSERT_EQ(read(fd, &v, sizeof(v)), 8);
	return v;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static struct timespec ns_ts(int64_t ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	return ts;
}

static int64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts_ns(&ts);
}

/* Arms fd: value and interval in ns. */
static void arm(int fd, int flags, int64_t value, int64_t interval)
{
	struct itimerspec its = { .it_value = ns_ts(value), .it_interval = ns_ts(interval) };

	ASSERT_OK(timerfd_settime(fd, flags, &its, NULL));
}

TEST(create_checks_clock_and_flags)
{
	int fd;

	EXPECT_ERRNO(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
	EXPECT_ERRNO(timerfd_create(CLOCK_MONOTONIC_RAW, 0), EINVAL);
	EXPECT_ERRNO(timerfd_create(-1, 0), EINVAL);
	EXPECT_ERRNO(timerfd_create(CLOCK_MONOTONIC, 0x4), EINVAL);
	fd = ASSERT_OK(timerfd_create(CLOCK_MONOTONIC, 0));
	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
	EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	close(fd);
	fd = ASSERT_OK(timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK));
	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	fd = ASSERT_OK(timerfd_create(CLOCK_BOOTTIME, 0));
	close(fd);
}

static bool has_wake_alarm(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	ASSERT_OK(syscall(SYS_capget, &h, d));
	return d[1].effective & (1u << (CAP_WAKE_ALARM_BIT - 32));
}

static void alarm_clocks_without_the_capability(void *arg)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	(void)arg;
	if (syscall(SYS_capget, &h, d))
		_exit(3);
	d[1].effective &= ~(1u << (CAP_WAKE_ALARM_BIT - 32));
	if (syscall(SYS_capset, &h, d))
		_exit(4);
	if (timerfd_create(CLOCK_REALTIME_ALARM, 0) != -1 || errno != EPERM)
		_exit(1);
	if (timerfd_create(CLOCK_BOOTTIME_ALARM, 0) != -1 || errno != EPERM)
		_exit(2);
}

TEST(alarm_clocks_need_cap_wake_alarm)
{
	if (has_wake_alarm()) {
		close(ASSERT_OK(timerfd_create(CLOCK_REALTIME_ALARM, 0)));
		close(ASSERT_OK(timerfd_create(CLOCK_BOOTTIME_ALARM, 0)));
	}
	EXPECT_EQ(status_of_child(alarm_clocks_without_the_capability, NULL), 0);
}

TEST(a_new_timer_is_disarmed)
{
	int fd = ASSERT_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	struct itimerspec cur;
	uint64_t v;

	memset(&cur, 0xff, sizeof(cur));
	ASSERT_OK(timerfd_gettime(fd, &cur));
	EXPECT_EQ(ts_ns(&cur.it_value), 0);
	EXPECT_EQ(ts_ns(&cur.it_interval), 0);
	EXPECT_ERRNO(read(fd, &v, sizeof(v)), EAGAIN);
	close(fd);
}

TEST(settime_returns_the_old_setting_and_gettime_the_time_left)
{
	int fd = ASSERT_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	struct itimerspec its = { .it_value = { 100, 0 }, .it_interval = { 3, 500 } }, old, cur;

	memset(&old, 0xff, sizeof(old));
	ASSERT_OK(timerfd_settime(fd, 0, &its, &old));
	EXPECT_EQ(ts_ns(&old.it_value), 0);
	EXPECT_EQ(ts_ns(&old.it_interval), 0);
	ASSERT_OK(timerfd_gettime(fd, &cur));
	EXPECT_GT(ts_ns(&cur.it_value), 0);
	EXPECT_LE(ts_ns(&cur.it_value), 100 * 1000000000LL);
	EXPECT_GT(ts_ns(&cur.it_value), 90 * 1000000000LL);
	EXPECT_EQ(cur.it_interval.tv_sec, 3);
	EXPECT_EQ(cur.it_interval.tv_nsec, 500);
	/* disarm: the old value comes back */
	memset(&its, 0, sizeof(its));
	ASSERT_OK(timerfd_settime(fd, 0, &its, &old));
	EXPECT_GT(ts_ns(&old.it_value), 90 * 1000000000LL);
	EXPECT_EQ(old.it_interval.tv_sec, 3);
	ASSERT_OK(timerfd_gettime(fd, &cur));
	EXPECT_EQ(ts_ns(&cur.it_value), 0);
	EXPECT_EQ(ts_ns(&cur.it_interval), 0);
	close(fd);
}

TEST(a_one_shot_timer_reads_one_then_is_disarmed)
{
	int fd = ASSERT_OK(timerfd_create(CLOCK_MONOTONIC, 0));
	struct itimerspec cur;
	int64_t start = clock_ns(CLOCK_MONOTONIC);
	uint64_t v;

	arm(fd, 0, 20 * MS, 0);
	EXPECT_EQ(rd(fd), 1); /* blocks until it expires */
	EXPECT_GE(clock_ns(CLOCK_MONOTONIC) - start, 19 * MS);
	ASSERT_OK(timerfd_gettime(fd, &cur));
	EXPECT_EQ(ts_ns(&cur.it_value), 0);
	ASSERT_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
	EXPECT_ERRNO(read(fd, &v, sizeof(v)), EAGAIN);
	close(fd);
}

TEST(a_periodic_timer_counts_every_period)
{
	int fd = ASSERT_OK(timerfd_create(CLOCK_MONOTONIC, 0));
	struct timespec nap = { 0, 50 * MS };
	struct itimerspec cur;
	uint64_t n;

	arm(fd, 0, 1 * MS, 1 * MS);
	nanosleep(&nap, NULL);
	n = rd(fd);
	/* >= 50 periods have passed; the count includes the ones nobody read */
	EXPECT_GE(n, 2);
	EXPECT_LT(n, 100000);
	ASSERT_OK(timerfd_gettime(fd, &cur));
	EXPECT_GT(ts_ns(&cur.it_value), 0);
	EXPECT_LE(ts_ns(&cur.it_value), 1 * MS);
	EXPECT_EQ(ts_ns(&cur.it_interval), 1 * MS);
	close(fd);
}

TEST(an_absolute_time_in_the_past_counts_the_periods_since)
{
	int fd = ASSERT_OK(timerfd_create(CLOCK_MONOTONIC, 0));
	int64_t now = clock_ns(CLOCK_MONOTONIC);
	uint64_t n;

	/* expiries at now-10s, now-9s, ... now: 11 of them */
	arm(fd, TFD_TIMER_ABSTIME, now - 10000 * MS, 1000 * MS);
	n = rd(fd);
	EXPECT_GE(n, 11);
	EXPECT_LE(n, 12);
	close(fd);
}

static void abs_expires_on(clockid_t c)
{
	int fd = ASSERT_OK(timerfd_create(c, 0));
	int64_t start = clock_ns(c);
	struct itimerspec cur;

	arm(fd, TFD_TIMER_ABSTIME, start + 20 * MS, 0);
	ASSERT_OK(timerfd_gettime(fd, &cur)); /* relative, even for an absolute timer */
	EXPECT_LE(ts_ns(&cur.it_value), 20 * MS);
	EXPECT_EQ(rd(fd), 1);
	EXPECT_GE(clock_ns(c) - start, 19 * MS);
	close(fd);
}

TEST(absolute_times_on_each_clock)
{
	abs_expires_on(CLOCK_MONOTONIC);
	abs_expires_on(CLOCK_REALTIME);
	abs_expires_on(CLOCK_BOOTTIME);
}

TEST(cancel_on_set_is_accepted)
{
	int fd = ASSERT_OK(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK));
	struct itimerspec its = { .it_value = ns_ts(clock_ns(CLOCK_REALTIME) + 100000 * MS) };
	uint64_t v;

	ASSERT_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL));
	EXPECT_ERRNO(read(fd, &v, sizeof(v)), EAGAIN);
	close(fd);
}

TEST(settime_checks_its_arguments)
{
	int fd = ASSERT_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	int efd = ASSERT_OK(dup(1));
	struct itimerspec its = { .it_value = { 1, 0 } }, cur;

	EXPECT_ERRNO(timerfd_settime(fd, 0x4, &its, NULL), EINVAL);
	its.it_value.tv_nsec = 1000000000;
	EXPECT_ERRNO(timerfd_settime(fd, 0, &its, NULL), EINVAL);
	its.it_value.tv_nsec = -1;
	EXPECT_ERRNO(timerfd_settime(fd, 0, &its, NULL), EINVAL);
	its.it_value.tv_nsec = 0;
	its.it_interval.tv_sec = -1;
	EXPECT_ERRNO(timerfd_settime(fd, 0, &its, NULL), EINVAL);
	its.it_interval.tv_sec = 0;
	EXPECT_ERRNO(timerfd_settime(fd, 0, (void *)8, NULL), EFAULT);
	EXPECT_ERRNO(timerfd_settime(fd, 0, &its, (void *)8), EFAULT);
	EXPECT_ERRNO(timerfd_settime(-1, 0, &its, NULL), EBADF);
	EXPECT_ERRNO(timerfd_settime(efd, 0, &its, NULL), EINVAL);
	EXPECT_ERRNO(timerfd_gettime(efd, &cur), EINVAL);
	EXPECT_ERRNO(timerfd_gettime(-1, &cur), EBADF);
	EXPECT_ERRNO(timerfd_gettime(fd, (void *)8), EFAULT);
	close(efd);
	close(fd);
}

TEST(far_off_times_are_accepted_and_never_fire)
{
	int fd = ASSERT_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	struct itimerspec its = { .it_value = { INT64_MAX / 4, 0 },
				  .it_interval = { INT64_MAX / 4, 999999999 } },
			  cur;
	uint64_t v;

	ASSERT_OK(timerfd_settime(fd, 0, &its, NULL));
	ASSERT_OK(timerfd_gettime(fd, &cur));
	EXPECT_GT(cur.it_value.tv_sec, 100LL * 365 * 86400);
	EXPECT_GT(cur.it_interval.tv_sec, 100LL * 365 * 86400);
	EXPECT_ERRNO(read(fd, &v, sizeof(v)), EAGAIN);
	ASSERT_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL));
	EXPECT_ERRNO(read(fd, &v, sizeof(v)), EAGAIN);
	close(fd);
}

TEST(short_reads_are_einval)
{
	int fd = ASSERT_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	uint32_t small;

	EXPECT_ERRNO(read(fd, &small, sizeof(small)), EINVAL);
	EXPECT_ERRNO(write(fd, &small, sizeof(small)), EINVAL);
	close(fd);
}

TEST(poll_says_readable_once_it_expired)
{
	int fd = ASSERT_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

	EXPECT_EQ(poll(&p, 1, 0), 0);
	arm(fd, 0, 10 * MS, 0);
	EXPECT_EQ(poll(&p, 1, -1), 1);
	EXPECT_EQ(p.revents, POLLIN);
	EXPECT_EQ(rd(fd), 1);
	EXPECT_EQ(poll(&p, 1, 0), 0);
	close(fd);
}

TEST(rearming_forgets_unread_expiries)
{
	int fd = ASSERT_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t v;

	arm(fd, 0, 1 * MS, 0);
	EXPECT_EQ(poll(&p, 1, -1), 1);
	arm(fd, 0, 100000 * MS, 0);
	EXPECT_ERRNO(read(fd, &v, sizeof(v)), EAGAIN);
	close(fd);
}

TEST(a_forked_child_reads_the_same_timer)
{
	int fd = ASSERT_OK(timerfd_create(CLOCK_MONOTONIC, 0));
	pid_t pid;
	int st;

	arm(fd, 0, 10 * MS, 0);
	pid = fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		uint64_t v = 0;

		_exit(read(fd, &v, sizeof(v)) == 8 && v == 1 ? 0 : 1);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	close(fd);
}
