// SPDX-License-Identifier: MIT
/*
 * epoll over the stdin the program was started with (under Warden: host stdio, which has
 * no wait queue and is polled on the host). run_epoll_stdin.sh starts it twice: with a
 * pipe that gets one byte after a pause and then hangs up, and with /dev/null.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "tests/syscalls/epoll_util.h"

static void stdin_is(int type)
{
	struct stat st;

	ASSERT_OK(fstat(0, &st));
	if ((st.st_mode & S_IFMT) != (unsigned)type)
		SKIP("stdin is not the kind this case is about");
}

TEST(a_pipe_on_stdin_wakes_the_wait_then_hangs_up)
{
	int ep = ep_new();
	struct epoll_event ev;
	char b;

	stdin_is(S_IFIFO);
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, 0, EPOLLIN));
	ASSERT_EQ(epoll_wait(ep, &ev, 1, 20000), 1);
	EXPECT_TRUE(ev.events & EPOLLIN);
	EXPECT_EQ(ev.data.u64, 0);
	ASSERT_EQ(read(0, &b, 1), 1);
	EXPECT_EQ(b, 'x');
	/* The writer exits after its byte: a hangup, whatever else is ready. */
	ASSERT_EQ(epoll_wait(ep, &ev, 1, 20000), 1);
	EXPECT_EQ(ev.events, EPOLLHUP);
	/* Level-triggered: still there. */
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1);
	close(ep);
}

TEST(dev_null_on_stdin_cannot_be_watched)
{
	int ep = ep_new();
	struct stat st;

	stdin_is(S_IFCHR);
	ASSERT_OK(fstat(0, &st));
	if (major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
		SKIP("stdin is not /dev/null");
	EXPECT_ERRNO(ep_ctl(ep, EPOLL_CTL_ADD, 0, EPOLLIN), EPERM);
	close(ep);
}
