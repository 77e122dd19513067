// SPDX-License-Identifier: MIT
/*
 * eventfd, timerfd and signalfd under epoll: level-triggered readiness that follows each
 * file's state, edge-triggered events on every eventfd write, and epoll_wait woken by a
 * timer expiring and by a signal arriving from another thread.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "tests/syscalls/epoll_util.h"

static void wr(int fd, uint64_t v)
{
	ASSERT_EQ(write(fd, &v, sizeof(v)), 8);
}

static uint64_t rd(int fd)
{
	uint64_t v = 0;

	ASSERT_EQ(read(fd, &v, sizeof(v)), 8);
	return v;
}

TEST(eventfd_level_triggered_follows_the_counter)
{
	int ep = ep_new(), fd = ASSERT_OK(eventfd(0, EFD_NONBLOCK));
	struct epoll_event ev;

	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLOUT));
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLOUT);
	wr(fd, 2);
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLIN | EPOLLOUT);
	EXPECT_EQ(ev.data.u64, (uint64_t)fd);
	ASSERT_EQ(ep_poll1(ep, &ev), 1); /* still readable: level-triggered */
	EXPECT_EQ(rd(fd), 2);
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_MOD, fd, EPOLLIN));
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	close(fd);
	close(ep);
}

TEST(eventfd_edge_triggered_reports_each_write)
{
	int ep = ep_new(), fd = ASSERT_OK(eventfd(0, EFD_NONBLOCK));
	struct epoll_event ev;

	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLET));
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	wr(fd, 1);
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	EXPECT_EQ(ep_poll1(ep, &ev), 0); /* reported once */
	wr(fd, 1); /* still readable, but a new event */
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(rd(fd), 2);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	close(fd);
	close(ep);
}

TEST(epoll_wait_wakes_when_a_timerfd_expires)
{
	int ep = ep_new(), fd = ASSERT_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	struct itimerspec its = { .it_value = { 0, 10 * 1000000 } };
	struct epoll_event ev;

	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN));
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	ASSERT_OK(timerfd_settime(fd, 0, &its, NULL));
	ASSERT_EQ(epoll_wait(ep, &ev, 1, -1), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	EXPECT_EQ(rd(fd), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	close(fd);
	close(ep);
}

static void *send_usr1(void *arg)
{
	(void)arg;
	kill(getpid(), SIGUSR1);
	return NULL;
}

TEST(epoll_wait_wakes_when_a_signal_becomes_pending)
{
	struct signalfd_siginfo ssi;
	struct epoll_event ev;
	sigset_t s;
	pthread_t th;
	int ep = ep_new(), fd;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &s, NULL));
	fd = ASSERT_OK(signalfd(-1, &s, SFD_NONBLOCK));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN));
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	ASSERT_EQ(pthread_create(&th, NULL, send_usr1, NULL), 0);
	ASSERT_EQ(epoll_wait(ep, &ev, 1, -1), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	ASSERT_EQ(read(fd, &ssi, sizeof(ssi)), (ssize_t)sizeof(ssi));
	EXPECT_EQ(ssi.ssi_signo, SIGUSR1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	close(fd);
	close(ep);
}
