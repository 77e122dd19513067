// SPDX-License-Identifier: MIT
/*
 * Epolls watching epolls: an epoll fd is readable while one of its items is ready, an
 * outer wait wakes for an inner item, loops and too deep chains are ELOOP.
 */
#include <pthread.h>
#include <time.h>

#include "tests/syscalls/epoll_util.h"

TEST(an_inner_epoll_is_ready_while_its_items_are)
{
	int outer = ep_new(), inner = ep_new(), p[2];
	struct epoll_event ev;
	char b;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(inner, EPOLL_CTL_ADD, p[0], EPOLLIN));
	ASSERT_OK(ep_ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN));
	EXPECT_EQ(ep_poll1(outer, &ev), 0);
	ASSERT_EQ(write(p[1], "a", 1), 1);
	ASSERT_EQ(ep_poll1(outer, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	EXPECT_EQ(ev.data.u64, (uint64_t)inner);
	/* Level-triggered: still ready, and the inner wait still reports the pipe. */
	EXPECT_EQ(ep_poll1(outer, &ev), 1);
	ASSERT_EQ(ep_poll1(inner, &ev), 1);
	EXPECT_EQ(ev.data.u64, (uint64_t)p[0]);
	/* Drained: no stale readiness upstairs. */
	ASSERT_EQ(read(p[0], &b, 1), 1);
	EXPECT_EQ(ep_poll1(outer, &ev), 0);
	close(p[0]);
	close(p[1]);
	close(inner);
	close(outer);
}

TEST(edge_triggered_outer_over_inner)
{
	int outer = ep_new(), inner = ep_new(), p[2];
	struct epoll_event ev;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(inner, EPOLL_CTL_ADD, p[0], EPOLLIN));
	ASSERT_OK(ep_ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN | EPOLLET));
	ASSERT_EQ(write(p[1], "a", 1), 1);
	EXPECT_EQ(ep_poll1(outer, &ev), 1);
	EXPECT_EQ(ep_poll1(outer, &ev), 0);
	ASSERT_EQ(write(p[1], "b", 1), 1);
	EXPECT_EQ(ep_poll1(outer, &ev), 1);
	close(p[0]);
	close(p[1]);
	close(inner);
	close(outer);
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

TEST(an_outer_wait_wakes_for_an_inner_item)
{
	int outer = ep_new(), mid = ep_new(), inner = ep_new(), p[2];
	struct epoll_event ev;
	pthread_t th;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(inner, EPOLL_CTL_ADD, p[0], EPOLLIN));
	ASSERT_OK(ep_ctl(mid, EPOLL_CTL_ADD, inner, EPOLLIN));
	ASSERT_OK(ep_ctl(outer, EPOLL_CTL_ADD, mid, EPOLLIN));
	ASSERT_EQ(pthread_create(&th, NULL, write_later, &p[1]), 0);
	ASSERT_EQ(epoll_wait(outer, &ev, 1, 10000), 1);
	EXPECT_EQ(ev.data.u64, (uint64_t)mid);
	pthread_join(th, NULL);
	close(p[0]);
	close(p[1]);
	close(inner);
	close(mid);
	close(outer);
}

TEST(loops_are_eloop)
{
	int a = ep_new(), b = ep_new(), c = ep_new();

	EXPECT_ERRNO(ep_ctl(a, EPOLL_CTL_ADD, a, EPOLLIN), EINVAL);
	ASSERT_OK(ep_ctl(a, EPOLL_CTL_ADD, b, EPOLLIN));
	EXPECT_ERRNO(ep_ctl(b, EPOLL_CTL_ADD, a, EPOLLIN), ELOOP);
	ASSERT_OK(ep_ctl(b, EPOLL_CTL_ADD, c, EPOLLIN));
	EXPECT_ERRNO(ep_ctl(c, EPOLL_CTL_ADD, a, EPOLLIN), ELOOP);
	/* Without the link the other way is fine. */
	ASSERT_OK(ep_ctl(a, EPOLL_CTL_DEL, b, 0));
	EXPECT_OK(ep_ctl(c, EPOLL_CTL_ADD, a, EPOLLIN));
	close(a);
	close(b);
	close(c);
}

TEST(chains_longer_than_five_epolls_are_eloop)
{
	int e[7];

	for (int i = 0; i < 7; i++)
		e[i] = ep_new();
	/* e[i+1] watches e[i]: four links (five epolls) are allowed. */
	for (int i = 0; i < 4; i++)
		ASSERT_OK(ep_ctl(e[i + 1], EPOLL_CTL_ADD, e[i], EPOLLIN));
	EXPECT_ERRNO(ep_ctl(e[5], EPOLL_CTL_ADD, e[4], EPOLLIN), ELOOP);
	/* Counted upwards too: e[0] cannot watch another epoll now. */
	EXPECT_ERRNO(ep_ctl(e[0], EPOLL_CTL_ADD, e[6], EPOLLIN), ELOOP);
	for (int i = 0; i < 7; i++)
		close(e[i]);
}

TEST(closing_an_inner_epoll_drops_it_from_the_outer)
{
	int outer = ep_new(), inner = ep_new(), p[2];
	struct epoll_event ev;

	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(inner, EPOLL_CTL_ADD, p[0], EPOLLIN));
	ASSERT_OK(ep_ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN));
	ASSERT_EQ(write(p[1], "a", 1), 1);
	close(inner);
	EXPECT_EQ(ep_poll1(outer, &ev), 0);
	close(p[0]);
	close(p[1]);
	close(outer);
}
