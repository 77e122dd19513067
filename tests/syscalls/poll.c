// SPDX-License-Identifier: MIT
/*
 * poll and ppoll on their own terms: timeouts, ignored and invalid descriptors, always-ready
 * files, argument errors, and waiting on several files where one becomes ready.
 */
#include <poll.h>
#include <signal.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

static long ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

TEST(poll_with_no_fds_sleeps_for_the_timeout)
{
	struct timespec a;

	clock_gettime(CLOCK_MONOTONIC, &a);
	EXPECT_EQ(poll(NULL, 0, 30), 0);
	EXPECT_GE(ms_since(&a), 25);
}

TEST(negative_fds_are_ignored_and_closed_ones_are_pollnval)
{
	struct pollfd p[2] = { { .fd = -1, .events = POLLIN, .revents = 7 },
			       { .fd = 1000, .events = POLLIN } };

	EXPECT_EQ(poll(p, 2, 0), 1);
	EXPECT_EQ(p[0].revents, 0);
	EXPECT_EQ(p[1].revents, POLLNVAL);
}

TEST(regular_files_and_dev_null_are_always_ready)
{
	char path[256];
	int f = tmp_file_with("f", "x", 1, path, sizeof(path));
	int n = ASSERT_OK(open("/dev/null", O_RDWR));
	struct pollfd p[2] = { { .fd = f, .events = POLLIN | POLLOUT },
			       { .fd = n, .events = POLLIN | POLLOUT | POLLPRI } };

	EXPECT_EQ(poll(p, 2, -1), 2);
	EXPECT_EQ(p[0].revents, POLLIN | POLLOUT);
	EXPECT_EQ(p[1].revents, POLLIN | POLLOUT);
	close(f);
	close(n);
}

TEST(poll_argument_errors)
{
	struct rlimit rl;
	struct pollfd p = { .fd = 0, .events = POLLIN };

	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_ERRNO(poll(&p, rl.rlim_cur + 1, 0), EINVAL);
	EXPECT_ERRNO(poll(unmapped_page(), 1, 0), EFAULT);
}

TEST(ppoll_with_a_zero_timeout_does_not_wait_and_checks_the_timeout)
{
	struct timespec zero = { 0, 0 }, bad = { 0, 1000000000 };
	struct pollfd p;
	int fd[2];

	ASSERT_OK(pipe(fd));
	p = (struct pollfd){ .fd = fd[0], .events = POLLIN };
	EXPECT_EQ(ppoll(&p, 1, &zero, NULL), 0);
	EXPECT_ERRNO(ppoll(&p, 1, &bad, NULL), EINVAL);
	EXPECT_EQ(write(fd[1], "x", 1), 1);
	EXPECT_EQ(ppoll(&p, 1, NULL, NULL), 1);
	EXPECT_EQ(p.revents, POLLIN);
	close(fd[0]);
	close(fd[1]);
}

TEST(ppoll_times_out)
{
	struct timespec ts = { 0, 40 * 1000000 }, a;
	struct pollfd p;
	sigset_t none;
	int fd[2];

	ASSERT_OK(pipe(fd));
	sigemptyset(&none);
	p = (struct pollfd){ .fd = fd[0], .events = POLLIN };
	clock_gettime(CLOCK_MONOTONIC, &a);
	EXPECT_EQ(ppoll(&p, 1, &ts, &none), 0);
	EXPECT_GE(ms_since(&a), 35);
	close(fd[0]);
	close(fd[1]);
}

TEST(poll_reports_only_the_ready_ones_of_several_pipes)
{
	int a[2], b[2];
	struct pollfd p[3];

	ASSERT_OK(pipe(a));
	ASSERT_OK(pipe(b));
	EXPECT_EQ(write(b[1], "x", 1), 1);
	p[0] = (struct pollfd){ .fd = a[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = b[0], .events = POLLIN };
	p[2] = (struct pollfd){ .fd = a[1], .events = POLLOUT };
	EXPECT_EQ(poll(p, 3, 1000), 2);
	EXPECT_EQ(p[0].revents, 0);
	EXPECT_EQ(p[1].revents, POLLIN);
	EXPECT_EQ(p[2].revents, POLLOUT);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

TEST(poll_wakes_for_a_pipe_written_by_a_child)
{
	struct pollfd p[2];
	int a[2], b[2], st;
	pid_t pid;

	ASSERT_OK(pipe(a));
	ASSERT_OK(pipe(b));
	fflush(NULL);
	pid = fork();
	if (pid < 0 && errno == ENOSYS)
		SKIP("fork: ENOSYS");
	ASSERT_OK(pid);
	if (pid == 0) {
		usleep(50 * 1000);
		_exit(write(b[1], "y", 1) == 1 ? 0 : 1);
	}
	p[0] = (struct pollfd){ .fd = a[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = b[0], .events = POLLIN };
	EXPECT_EQ(poll(p, 2, 10000), 1);
	EXPECT_EQ(p[0].revents, 0);
	EXPECT_EQ(p[1].revents, POLLIN);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}
