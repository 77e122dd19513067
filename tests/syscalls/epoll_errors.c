// SPDX-License-Identifier: MIT
/*
 * epoll's argument errors, in Linux's order: bad fds, files that cannot be polled,
 * ops on missing or existing items, bad pointers and event counts.
 */
#include <limits.h>

#include "tests/syscalls/epoll_util.h"

#define KADDR 0xffff800000000000UL /* above user space */

TEST(ctl_errors)
{
	int ep = ep_new(), p[2], f;
	char path[256];
	struct epoll_event ev = { .events = EPOLLIN };

	ASSERT_OK(pipe(p));
	EXPECT_ERRNO(epoll_ctl(1000, EPOLL_CTL_ADD, p[0], &ev), EBADF);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, 1000, &ev), EBADF);
	/* Not an epoll */
	EXPECT_ERRNO(epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev), EINVAL);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], &ev), ENOENT);
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	EXPECT_ERRNO(epoll_ctl(ep, 0, p[0], &ev), EINVAL);
	EXPECT_ERRNO(epoll_ctl(ep, 4, p[0], &ev), EINVAL);
	/* DEL ignores the event pointer. */
	EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	/* Regular files and /dev/null cannot be polled: EPERM, even before EINVAL. */
	f = tmp_file_with("f", "x", 1, path, sizeof(path));
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), EPERM);
	EXPECT_ERRNO(epoll_ctl(p[1], EPOLL_CTL_ADD, f, &ev), EPERM);
	close(f);
	f = ASSERT_OK(open("/dev/null", O_RDWR));
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), EPERM);
	close(f);
	/* An O_PATH fd is no file to epoll. */
	f = ASSERT_OK(open("/", O_PATH));
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), EBADF);
	close(f);
	close(p[0]);
	close(p[1]);
	close(ep);
}

TEST(ctl_efault_comes_first)
{
	int ep = ep_new(), p[2];

	ASSERT_OK(pipe(p));
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], unmapped_page()), EFAULT);
	EXPECT_ERRNO(epoll_ctl(1000, EPOLL_CTL_ADD, p[0], unmapped_page()), EFAULT);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], NULL), EFAULT);
	close(p[0]);
	close(p[1]);
	close(ep);
}

TEST(wait_errors)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev[2];
	sigset_t set;

	ASSERT_OK(pipe(p));
	EXPECT_ERRNO(epoll_wait(ep, ev, 0, 0), EINVAL);
	/* Raw calls: the compiler would check these counts against ev's size. */
	EXPECT_ERRNO((int)syscall(SYS_epoll_wait, ep, ev, -1, 0), EINVAL);
	EXPECT_ERRNO((int)syscall(SYS_epoll_wait, ep, ev, INT_MAX, 0), EINVAL);
	EXPECT_ERRNO(epoll_wait(1000, ev, 1, 0), EBADF);
	EXPECT_ERRNO(epoll_wait(p[0], ev, 1, 0), EINVAL);
	/* Linux 6.x checks the fd, then the count, then the buffer, then the fd's type. */
	EXPECT_ERRNO(epoll_wait(1000, ev, 0, 0), EBADF);
	EXPECT_ERRNO(epoll_wait(ep, (void *)KADDR, 0, 0), EINVAL);
	EXPECT_ERRNO(epoll_wait(p[0], (void *)KADDR, 1, 0), EFAULT);
	/* A kernel address is refused at once... */
	EXPECT_ERRNO(epoll_wait(ep, (void *)KADDR, 1, 0), EFAULT);
	/* ...an unmapped one only when an event is copied out. */
	EXPECT_EQ(epoll_wait(ep, unmapped_page(), 1, 0), 0);
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT));
	EXPECT_ERRNO(epoll_wait(ep, unmapped_page(), 1, 0), EFAULT);
	/* The event was not lost. */
	EXPECT_EQ(epoll_wait(ep, ev, 2, 0), 1);
	sigemptyset(&set);
	EXPECT_ERRNO((int)syscall(SYS_epoll_pwait, ep, ev, 1, 0, &set, 4), EINVAL);
	EXPECT_ERRNO((int)syscall(SYS_epoll_pwait, ep, ev, 1, 0, unmapped_page(), 8), EFAULT);
	EXPECT_ERRNO((int)syscall(SYS_epoll_pwait, 1000, ev, 1, 0, &set, 4), EINVAL);
	EXPECT_ERRNO((int)syscall(SYS_epoll_pwait2, ep, ev, 1, unmapped_page(), NULL, 8), EFAULT);
	EXPECT_ERRNO((int)syscall(SYS_epoll_pwait2, 1000, ev, 0, unmapped_page(), NULL, 8), EFAULT);
	close(p[0]);
	close(p[1]);
	close(ep);
}
