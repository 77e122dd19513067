// SPDX-License-Identifier: MIT
/*
 * Hangups and errors through epoll on pipes and FIFOs: EPOLLHUP and EPOLLERR are always
 * reported (asked for or not), and pipes never report EPOLLRDHUP (sockets do).
 */
#include "tests/syscalls/epoll_util.h"

TEST(reader_sees_hup_when_the_writer_closes)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev;

	ASSERT_OK(pipe(p));
	/* Asked for nothing (but RDHUP): HUP comes anyway. */
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLRDHUP));
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	close(p[1]);
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLHUP);
	close(p[0]);
	close(ep);
}

TEST(reader_with_data_left_sees_in_and_hup)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLRDHUP | EPOLLET));
	ASSERT_EQ(write(p[1], "a", 1), 1);
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	close(p[1]);
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLIN | EPOLLHUP);
	close(p[0]);
	close(ep);
}

TEST(writer_sees_err_when_the_reader_closes)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[1], 0));
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	close(p[0]);
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLERR);
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_MOD, p[1], EPOLLOUT));
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLOUT | EPOLLERR);
	close(p[1]);
	close(ep);
}

TEST(fifo_reader_before_and_after_a_writer)
{
	int ep = ep_new(), r, w;
	char path[256];
	struct epoll_event ev;

	tmp_path(path, sizeof(path), "fifo");
	ASSERT_OK(mkfifo(path, 0600));
	r = ASSERT_OK(open(path, O_RDONLY | O_NONBLOCK));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, r, EPOLLIN));
	/* No writer yet: no hangup either. */
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	w = ASSERT_OK(open(path, O_WRONLY | O_NONBLOCK));
	ASSERT_EQ(write(w, "x", 1), 1);
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	close(w);
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLIN | EPOLLHUP);
	close(r);
	close(ep);
	unlink(path);
}
