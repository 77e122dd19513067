// SPDX-License-Identifier: MIT
/*
 * epoll's trigger modes: EPOLLET reports a change once (and each new write to a pipe
 * again), EPOLLONESHOT disables an item after one report until EPOLL_CTL_MOD re-arms it,
 * and EPOLLEXCLUSIVE's argument rules.
 */
#include "tests/syscalls/epoll_util.h"

TEST(edge_triggered_reports_each_write_once)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET));
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	ASSERT_EQ(write(p[1], "a", 1), 1);
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	/* Still readable, but no new edge. */
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	/* A write to a non-empty pipe is an edge too (Linux wakes readers on each write). */
	ASSERT_EQ(write(p[1], "b", 1), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	close(p[0]);
	close(p[1]);
	close(ep);
}

TEST(edge_triggered_mod_rearms_a_ready_file)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev;

	ASSERT_OK(pipe(p));
	ASSERT_EQ(write(p[1], "a", 1), 1);
	/* Ready when added: reported once. */
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET));
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET));
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	close(p[0]);
	close(p[1]);
	close(ep);
}

TEST(edge_triggered_writer_sees_room_after_a_full_pipe_drains)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev;
	static char buf[1 << 16];

	ASSERT_OK(pipe2(p, O_NONBLOCK));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLET));
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	ASSERT_EQ(errno, EAGAIN);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLOUT);
	close(p[0]);
	close(p[1]);
	close(ep);
}

TEST(oneshot_disables_until_mod)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev;
	char b;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLONESHOT));
	ASSERT_EQ(write(p[1], "a", 1), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	ASSERT_EQ(write(p[1], "b", 1), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	/* Disabled, not removed: ADD says it exists; MOD re-arms it. */
	EXPECT_ERRNO(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN), EEXIST);
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT));
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	/* A hangup is not reported to a disabled item either. */
	ASSERT_EQ(read(p[0], &b, 1), 1);
	close(p[1]);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN));
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLIN | EPOLLHUP);
	close(p[0]);
	close(ep);
}

TEST(oneshot_with_edge_trigger)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET | EPOLLONESHOT));
	ASSERT_EQ(write(p[1], "a", 1), 1);
	ASSERT_EQ(write(p[1], "b", 1), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	ASSERT_EQ(write(p[1], "c", 1), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	close(p[0]);
	close(p[1]);
	close(ep);
}

TEST(exclusive_rules)
{
	int ep = ep_new(), ep2 = ep_new(), p[2];
	struct epoll_event ev;

	ASSERT_OK(pipe(p));
	/* Only with in/out/err/hup/et/wakeup, never on an epoll, never in MOD. */
	EXPECT_ERRNO(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT),
		     EINVAL);
	EXPECT_ERRNO(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP),
		     EINVAL);
	EXPECT_ERRNO(ep_ctl(ep, EPOLL_CTL_ADD, ep2, EPOLLIN | EPOLLEXCLUSIVE), EINVAL);
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLET));
	EXPECT_ERRNO(ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN), EINVAL);
	EXPECT_ERRNO(ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLEXCLUSIVE), EINVAL);
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT));
	EXPECT_ERRNO(ep_ctl(ep, EPOLL_CTL_MOD, p[1], EPOLLOUT | EPOLLEXCLUSIVE), EINVAL);
	ASSERT_EQ(write(p[1], "a", 1), 1);
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_DEL, p[1], 0));
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_DEL, p[0], 0));
	close(p[0]);
	close(p[1]);
	close(ep2);
	close(ep);
}
