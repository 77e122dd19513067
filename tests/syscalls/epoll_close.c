// SPDX-License-Identifier: MIT
/*
 * epoll items belong to (file, fd) pairs and live as long as the file, not the fd: a
 * dup keeps a closed fd's item alive (and reporting under the old fd's data), and the
 * item goes once the last descriptor of the file is closed.
 */
#include "tests/syscalls/epoll_util.h"

TEST(closing_the_only_fd_drops_the_item)
{
	int ep = ep_new(), p[2], q[2];
	struct epoll_event ev;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN));
	ASSERT_EQ(write(p[1], "a", 1), 1);
	close(p[0]);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	/* A new file on the same fd number is a new key. */
	ASSERT_OK(pipe(q));
	ASSERT_EQ(q[0], p[0]);
	EXPECT_ERRNO(ep_ctl(ep, EPOLL_CTL_DEL, q[0], 0), ENOENT);
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN));
	close(q[0]);
	close(q[1]);
	close(p[1]);
	close(ep);
}

TEST(a_dup_keeps_the_item_alive)
{
	int ep = ep_new(), p[2], d;
	struct epoll_event ev;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN));
	d = ASSERT_OK(dup(p[0]));
	close(p[0]);
	ASSERT_EQ(write(p[1], "a", 1), 1);
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.data.u64, (uint64_t)p[0]);
	/* The key is (file, old fd): the dup is a different one, the old fd is closed. */
	EXPECT_ERRNO(ep_ctl(ep, EPOLL_CTL_DEL, d, 0), ENOENT);
	EXPECT_ERRNO(ep_ctl(ep, EPOLL_CTL_DEL, p[0], 0), EBADF);
	/* The dup can be added as an item of its own. */
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, d, EPOLLIN));
	{
		struct epoll_event two[4];

		EXPECT_EQ(epoll_wait(ep, two, 4, 0), 2);
	}
	close(d);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	close(p[1]);
	close(ep);
}

TEST(an_item_survives_in_a_forked_child_holding_the_file)
{
	int ep = ep_new(), p[2], st;
	struct epoll_event ev;
	pid_t pid;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN));
	fflush(NULL);
	pid = fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		/* The child shares the epoll and the pipe's file. */
		close(p[0]);
		_exit(write(p[1], "a", 1) == 1 ? 0 : 1);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	ASSERT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.data.u64, (uint64_t)p[0]);
	close(p[0]);
	close(p[1]);
	close(ep);
}

TEST(closing_the_epoll_releases_the_watched_files)
{
	int ep = ep_new(), p[2];
	char b;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT));
	/* The epoll holds no reference: the reader sees EOF once the writer closes. */
	close(p[1]);
	EXPECT_EQ(read(p[0], &b, 1), 0);
	close(ep);
	close(p[0]);
}
