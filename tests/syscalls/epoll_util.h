/* SPDX-License-Identifier: MIT */
/* Helpers shared by the epoll_*.c tests: adding an fd and waiting without blocking. */
#ifndef WARDEN_TESTS_SYSCALLS_EPOLL_UTIL_H
#define WARDEN_TESTS_SYSCALLS_EPOLL_UTIL_H

#include <sys/epoll.h>

#include "tests/syscalls/sysutil.h"

/* epoll_ctl(op) of fd with events and fd itself as the data. */
static inline int ep_ctl(int ep, int op, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = (uint64_t)fd };

	return epoll_ctl(ep, op, fd, &ev);
}

/* One epoll_wait with a zero timeout: how many events, the first in *ev. */
static inline int ep_poll1(int ep, struct epoll_event *ev)
{
	return epoll_wait(ep, ev, 1, 0);
}

/* A new epoll fd, ending the case on failure. */
static inline int ep_new(void)
{
	return ASSERT_OK(epoll_create1(EPOLL_CLOEXEC));
}

#endif
