// SPDX-License-Identifier: MIT
/*
 * epoll on its own terms, level-triggered: creating instances, what an epoll fd looks
 * like, pipes becoming readable and writable, the data field, timeouts, maxevents, and
 * epoll over other pollable files (pidfds, another thread's write).
 */
#include <poll.h>
#include <pthread.h>
#include <time.h>

#include "tests/syscalls/epoll_util.h"

static long ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

TEST(epoll_create_flags_and_sizes)
{
	int ep;

	EXPECT_ERRNO(epoll_create(0), EINVAL);
	EXPECT_ERRNO(epoll_create(-1), EINVAL);
	EXPECT_ERRNO(epoll_create1(1), EINVAL);
	ep = ASSERT_OK(epoll_create(1));
	EXPECT_EQ(fcntl(ep, F_GETFD), 0);
	close(ep);
	ep = ASSERT_OK(epoll_create1(EPOLL_CLOEXEC));
	EXPECT_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
	close(ep);
}

TEST(an_epoll_fd_is_an_anonymous_inode)
{
	int ep = ep_new();
	char link[64], buf[64] = "";
	struct stat st;
	char b;

	ASSERT_OK(fstat(ep, &st));
	EXPECT_EQ(st.st_mode & S_IFMT, 0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", ep);
	EXPECT_OK(readlink(link, buf, sizeof(buf) - 1));
	EXPECT_STREQ(buf, "anon_inode:[eventpoll]");
	EXPECT_ERRNO(read(ep, &b, 1), EINVAL);
	EXPECT_ERRNO(write(ep, &b, 1), EINVAL);
	close(ep);
}

TEST(level_triggered_pipe_stays_ready_until_drained)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev;
	char b[4];

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN));
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	ASSERT_EQ(write(p[1], "ab", 2), 2);
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(ep_poll1(ep, &ev), 1);
		EXPECT_EQ(ev.events, EPOLLIN);
		EXPECT_EQ(ev.data.u64, (uint64_t)p[0]);
	}
	ASSERT_EQ(read(p[0], b, 1), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	ASSERT_EQ(read(p[0], b, 1), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	close(p[0]);
	close(p[1]);
	close(ep);
}

TEST(both_ends_and_the_data_field)
{
	int ep = ep_new(), p[2];
	struct epoll_event in = { .events = EPOLLIN, .data.u64 = 0x1122334455667788ULL };
	struct epoll_event out = { .events = EPOLLOUT, .data.u64 = 42 };
	struct epoll_event ev[4];
	int n;

	ASSERT_OK(pipe(p));
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &in));
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &out));
	ASSERT_EQ(epoll_wait(ep, ev, 4, 0), 1);
	EXPECT_EQ(ev[0].events, EPOLLOUT);
	EXPECT_EQ(ev[0].data.u64, 42);
	ASSERT_EQ(write(p[1], "x", 1), 1);
	n = epoll_wait(ep, ev, 4, 0);
	ASSERT_EQ(n, 2);
	for (int i = 0; i < n; i++) {
		if (ev[i].events == EPOLLIN)
			EXPECT_EQ(ev[i].data.u64, 0x1122334455667788ULL);
		else
			EXPECT_EQ(ev[i].data.u64, 42);
	}
	/* maxevents 1 reports one at a time, round robin over ready items. */
	ASSERT_EQ(epoll_wait(ep, ev, 1, 0), 1);
	ASSERT_EQ(epoll_wait(ep, ev + 1, 1, 0), 1);
	EXPECT_NE(ev[0].data.u64, ev[1].data.u64);
	close(p[0]);
	close(p[1]);
	close(ep);
}

TEST(mod_changes_interest_and_data)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };

	ASSERT_OK(pipe(p));
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	ev = (struct epoll_event){ .events = EPOLLOUT, .data.u64 = 2 };
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLOUT);
	EXPECT_EQ(ev.data.u64, 2);
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	close(p[0]);
	close(p[1]);
	close(ep);
}

TEST(timeouts)
{
	int ep = ep_new();
	struct epoll_event ev;
	struct timespec a, ts = { 0, 40 * 1000000 };

	clock_gettime(CLOCK_MONOTONIC, &a);
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 50), 0);
	EXPECT_GE(ms_since(&a), 45);
	EXPECT_LT(ms_since(&a), 5000);
	clock_gettime(CLOCK_MONOTONIC, &a);
	EXPECT_EQ(epoll_pwait2(ep, &ev, 1, &ts, NULL), 0);
	EXPECT_GE(ms_since(&a), 35);
	ts = (struct timespec){ 0, 0 };
	EXPECT_EQ(epoll_pwait2(ep, &ev, 1, &ts, NULL), 0);
	ts = (struct timespec){ 0, 1000000000 };
	EXPECT_ERRNO(epoll_pwait2(ep, &ev, 1, &ts, NULL), EINVAL);
	ts = (struct timespec){ -1, 0 };
	EXPECT_ERRNO(epoll_pwait2(ep, &ev, 1, &ts, NULL), EINVAL);
	close(ep);
}

static void *write_later(void *arg)
{
	int fd = *(int *)arg;
	struct timespec d = { 0, 20 * 1000000 };

	nanosleep(&d, NULL);
	if (write(fd, "w", 1) != 1)
		return (void *)1;
	return NULL;
}

TEST(a_blocked_wait_wakes_for_another_threads_write)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev;
	pthread_t th;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN));
	ASSERT_EQ(pthread_create(&th, NULL, write_later, &p[1]), 0);
	ASSERT_EQ(epoll_wait(ep, &ev, 1, -1), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	pthread_join(th, NULL);
	ASSERT_EQ(epoll_pwait2(ep, &ev, 1, NULL, NULL), 1);
	close(p[0]);
	close(p[1]);
	close(ep);
}

TEST(a_pidfd_is_readable_when_the_process_exits)
{
	int ep = ep_new(), pfd, st;
	struct epoll_event ev;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		struct timespec d = { 0, 20 * 1000000 };

		nanosleep(&d, NULL);
		_exit(0);
	}
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0) {
		waitpid(pid, &st, 0);
		SKIP("pidfd_open: %s", strerror(errno));
	}
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, pfd, EPOLLIN));
	ASSERT_EQ(epoll_wait(ep, &ev, 1, 10000), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	EXPECT_EQ(waitpid(pid, &st, 0), pid);
	close(pfd);
	close(ep);
}

TEST(poll_on_an_epoll_fd)
{
	int ep = ep_new(), p[2];
	struct pollfd pf = { .events = POLLIN };

	ASSERT_OK(pipe(p));
	pf.fd = ep;
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN));
	EXPECT_EQ(poll(&pf, 1, 0), 0);
	ASSERT_EQ(write(p[1], "x", 1), 1);
	EXPECT_EQ(poll(&pf, 1, 0), 1);
	EXPECT_EQ(pf.revents, POLLIN);
	close(p[0]);
	close(p[1]);
	close(ep);
}

TEST(many_fds_one_active)
{
	enum { N = 200 };
	int ep = ep_new(), p[N][2];
	struct epoll_event ev[8];

	for (int i = 0; i < N; i++) {
		ASSERT_OK(pipe(p[i]));
		ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[i][0], EPOLLIN));
	}
	ASSERT_EQ(write(p[137][1], "x", 1), 1);
	ASSERT_EQ(epoll_wait(ep, ev, 8, -1), 1);
	EXPECT_EQ(ev[0].data.u64, (uint64_t)p[137][0]);
	for (int i = 0; i < N; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	close(ep);
}
