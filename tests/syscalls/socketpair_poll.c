// SPDX-License-Identifier: MIT
/*
 * Readiness of AF_UNIX socket pairs through poll, select and epoll: POLLOUT while there
 * is room, POLLIN with data, POLLRDHUP after the peer's SHUT_WR, POLLHUP once the peer
 * is gone (streams and packets; a datagram end never hangs up), POLLOUT back once a full
 * socket is drained, and blocked pollers woken by a thread.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>

#include "tests/syscalls/sysutil.h"

#define ALL_EVENTS (POLLIN | POLLOUT | POLLRDHUP)

static short revents_of(int fd)
{
	struct pollfd p = { .fd = fd, .events = ALL_EVENTS };

	ASSERT_OK(poll(&p, 1, 0));
	return p.revents;
}

TEST(stream_readiness_follows_data_shutdown_and_close)
{
	char buf[8];
	int sv[2];

	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	EXPECT_EQ(revents_of(sv[0]), POLLOUT);
	ASSERT_EQ(write(sv[0], "x", 1), 1);
	EXPECT_EQ(revents_of(sv[1]), POLLIN | POLLOUT);
	ASSERT_EQ(read(sv[1], buf, sizeof(buf)), 1);
	EXPECT_EQ(revents_of(sv[1]), POLLOUT);
	ASSERT_OK(shutdown(sv[0], SHUT_WR));
	EXPECT_EQ(revents_of(sv[1]), POLLIN | POLLOUT | POLLRDHUP);
	EXPECT_EQ(revents_of(sv[0]), POLLOUT);
	ASSERT_OK(shutdown(sv[1], SHUT_WR));
	EXPECT_EQ(revents_of(sv[0]), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
	close(sv[0]);
	close(sv[1]);
}

TEST(closing_one_end_hangs_up_the_other)
{
	int sv[2];

	ASSERT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	close(sv[1]);
	EXPECT_EQ(revents_of(sv[0]), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
	close(sv[0]);
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	close(sv[1]);
	EXPECT_EQ(revents_of(sv[0]), POLLOUT);
	close(sv[0]);
}

TEST(closing_with_unread_data_is_pollerr)
{
	int sv[2];

	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ(write(sv[0], "x", 1), 1);
	close(sv[1]);
	EXPECT_EQ(revents_of(sv[0]), POLLIN | POLLOUT | POLLRDHUP | POLLHUP | POLLERR);
	close(sv[0]);
}

TEST(a_full_socket_is_not_writable_until_drained)
{
	static char big[1 << 16];
	struct epoll_event ev = { .events = EPOLLOUT };
	fd_set wr;
	struct timeval tv = { 0, 0 };
	int sv[2], ep;

	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
	while (write(sv[0], big, sizeof(big)) > 0)
		;
	EXPECT_EQ(revents_of(sv[0]), 0);
	EXPECT_EQ(revents_of(sv[1]), POLLIN | POLLOUT);
	FD_ZERO(&wr);
	FD_SET(sv[0], &wr);
	EXPECT_EQ(select(sv[0] + 1, NULL, &wr, NULL, &tv), 0);
	ep = ASSERT_OK(epoll_create1(EPOLL_CLOEXEC));
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev));
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	while (read(sv[1], big, sizeof(big)) > 0)
		;
	EXPECT_EQ(revents_of(sv[0]), POLLOUT);
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1);
	EXPECT_EQ(ev.events, EPOLLOUT);
	FD_ZERO(&wr);
	FD_SET(sv[0], &wr);
	EXPECT_EQ(select(sv[0] + 1, NULL, &wr, NULL, &tv), 1);
	close(ep);
	close(sv[0]);
	close(sv[1]);
}

static void *write_one(void *arg)
{
	int fd = *(int *)arg;

	return write(fd, "!", 1) == 1 ? NULL : (void *)1;
}

TEST(a_blocked_poll_is_woken_by_a_thread)
{
	struct pollfd p;
	pthread_t th;
	int sv[2];
	void *r;

	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	p = (struct pollfd){ .fd = sv[1], .events = POLLIN };
	ASSERT_EQ(pthread_create(&th, NULL, write_one, &sv[0]), 0);
	EXPECT_EQ(poll(&p, 1, -1), 1);
	EXPECT_EQ(p.revents, POLLIN);
	ASSERT_EQ(pthread_join(th, &r), 0);
	EXPECT_EQ(r, NULL);
	close(sv[0]);
	close(sv[1]);
}

TEST(a_blocked_edge_triggered_epoll_is_woken_by_a_thread)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u32 = 7 };
	pthread_t th;
	int sv[2], ep;
	void *r;

	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	ep = ASSERT_OK(epoll_create1(EPOLL_CLOEXEC));
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev));
	ASSERT_EQ(pthread_create(&th, NULL, write_one, &sv[0]), 0);
	EXPECT_EQ(epoll_wait(ep, &ev, 1, -1), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	EXPECT_EQ(ev.data.u32, 7);
	/* edge triggered: no new edge until more arrives */
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	ASSERT_EQ(pthread_join(th, &r), 0);
	EXPECT_EQ(r, NULL);
	close(ep);
	close(sv[0]);
	close(sv[1]);
}
