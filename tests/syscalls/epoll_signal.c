// SPDX-License-Identifier: MIT
/*
 * epoll waits and signals: a handled signal ends a wait with EINTR even with
 * SA_RESTART, and epoll_pwait/epoll_pwait2 wait under a temporary signal mask.
 */
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "tests/syscalls/epoll_util.h"

static volatile sig_atomic_t got;

static void on_sig(int sig)
{
	(void)sig;
	got++;
}

static void handle(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	ASSERT_OK(sigaction(sig, &sa, NULL));
}

static volatile int stop_killing;

/* Signals the waiter until it has been interrupted: one signal could come before the
 * wait starts, which would leave it waiting. */
static void *kill_until_stopped(void *arg)
{
	pthread_t target = *(pthread_t *)arg;
	struct timespec d = { 0, 20 * 1000000 };

	while (!stop_killing) {
		nanosleep(&d, NULL);
		pthread_kill(target, SIGUSR1);
	}
	return NULL;
}

static void *kill_later(void *arg)
{
	pthread_t target = *(pthread_t *)arg;
	struct timespec d = { 0, 30 * 1000000 };

	nanosleep(&d, NULL);
	pthread_kill(target, SIGUSR1);
	return NULL;
}

TEST(a_handled_signal_interrupts_even_with_sa_restart)
{
	int ep = ep_new();
	struct epoll_event ev;
	pthread_t self = pthread_self(), th;

	handle(SIGUSR1, SA_RESTART);
	got = 0;
	stop_killing = 0;
	ASSERT_EQ(pthread_create(&th, NULL, kill_until_stopped, &self), 0);
	EXPECT_ERRNO(epoll_wait(ep, &ev, 1, -1), EINTR);
	stop_killing = 1;
	pthread_join(th, NULL);
	EXPECT_GE(got, 1);
	close(ep);
}

TEST(pwait_unblocks_a_blocked_signal_for_the_wait)
{
	int ep = ep_new();
	struct epoll_event ev;
	sigset_t block, during, now;

	handle(SIGUSR1, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	got = 0;
	raise(SIGUSR1);
	EXPECT_EQ(got, 0);
	/* Pending and blocked: ignored by a plain wait... */
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	/* ...delivered during epoll_pwait, and the mask is back afterwards. */
	sigemptyset(&during);
	EXPECT_ERRNO(epoll_pwait(ep, &ev, 1, 20000, &during), EINTR);
	EXPECT_EQ(got, 1);
	ASSERT_OK(sigprocmask(SIG_BLOCK, NULL, &now));
	EXPECT_TRUE(sigismember(&now, SIGUSR1));
	raise(SIGUSR1);
	EXPECT_ERRNO(epoll_pwait2(ep, &ev, 1, NULL, &during), EINTR);
	EXPECT_EQ(got, 2);
	ASSERT_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
	close(ep);
}

TEST(pwait_mask_blocks_a_signal_during_the_wait)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev;
	sigset_t mask;
	pthread_t self = pthread_self(), th;

	handle(SIGUSR1, 0);
	got = 0;
	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN));
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	ASSERT_EQ(pthread_create(&th, NULL, kill_later, &self), 0);
	/* Blocked during the wait: the wait times out, then the signal is delivered. */
	EXPECT_EQ(epoll_pwait(ep, &ev, 1, 200, &mask), 0);
	pthread_join(th, NULL);
	EXPECT_EQ(got, 1);
	close(p[0]);
	close(p[1]);
	close(ep);
}

TEST(events_ready_are_returned_rather_than_eintr)
{
	int ep = ep_new(), p[2];
	struct epoll_event ev;
	sigset_t block, during;

	handle(SIGUSR1, 0);
	ASSERT_OK(pipe(p));
	ASSERT_OK(ep_ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT));
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	got = 0;
	raise(SIGUSR1);
	sigemptyset(&during);
	EXPECT_EQ(epoll_pwait(ep, &ev, 1, -1, &during), 1);
	/* Not interrupted: the old mask is back at once and the signal stays pending. */
	EXPECT_EQ(got, 0);
	ASSERT_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
	EXPECT_EQ(got, 1);
	close(p[0]);
	close(p[1]);
	close(ep);
}
