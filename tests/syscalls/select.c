/* select(2) and pselect6(2): readiness sets, EBADF, timeouts and their write-back, and
 * pselect's temporary signal mask. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tests/harness/harness.h"

TEST(readable_pipe_is_reported_and_others_cleared)
{
	int p[2];
	fd_set r, w;
	struct timeval tv = { 1, 0 };

	ASSERT_OK(pipe(p));
	ASSERT_EQ(write(p[1], "x", 1), 1);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &r); /* a write end is never readable */
	FD_SET(p[1], &w);
	EXPECT_EQ(select(p[1] + 1, &r, &w, NULL, &tv), 3 - 1);
	EXPECT_TRUE(FD_ISSET(p[0], &r));
	EXPECT_FALSE(FD_ISSET(p[1], &r));
	EXPECT_TRUE(FD_ISSET(p[1], &w));
	close(p[0]);
	close(p[1]);
}

TEST(zero_timeout_polls_and_returns_zero)
{
	int p[2];
	fd_set r;
	struct timeval tv = { 0, 0 };

	ASSERT_OK(pipe(p));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	EXPECT_EQ(select(p[0] + 1, &r, NULL, NULL, &tv), 0);
	EXPECT_FALSE(FD_ISSET(p[0], &r));
	close(p[0]);
	close(p[1]);
}

TEST(timeout_expires_and_is_written_back)
{
	int p[2];
	fd_set r;
	struct timeval tv = { 0, 20000 };

	ASSERT_OK(pipe(p));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	EXPECT_EQ(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv), 0);
	EXPECT_EQ(tv.tv_sec, 0);
	EXPECT_EQ(tv.tv_usec, 0);
	close(p[0]);
	close(p[1]);
}

TEST(closed_fd_is_ebadf_and_negative_nfds_einval)
{
	fd_set r;
	struct timeval tv = { 0, 0 };
	int fd = dup(0);

	ASSERT_OK(fd);
	close(fd);
	FD_ZERO(&r);
	FD_SET(fd, &r);
	EXPECT_ERRNO(select(fd + 1, &r, NULL, NULL, &tv), EBADF);
	EXPECT_ERRNO(syscall(SYS_select, -1, NULL, NULL, NULL, &tv), EINVAL);
	EXPECT_ERRNO(syscall(SYS_select, 1, (void *)1, NULL, NULL, &tv), EFAULT);
}

TEST(pipe_hangup_makes_the_read_end_readable)
{
	int p[2];
	fd_set r;

	ASSERT_OK(pipe(p));
	close(p[1]);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	EXPECT_EQ(select(p[0] + 1, &r, NULL, NULL, NULL), 1);
	EXPECT_TRUE(FD_ISSET(p[0], &r));
	close(p[0]);
}

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = sig;
}

TEST(pselect_mask_lets_a_pending_signal_in)
{
	struct sigaction sa;
	sigset_t block, during;
	struct timespec ts = { 5, 0 };
	int p[2];
	fd_set r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	ASSERT_OK(raise(SIGUSR1)); /* pending, blocked */
	EXPECT_EQ(got, 0);
	ASSERT_OK(pipe(p));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	sigemptyset(&during);
	EXPECT_ERRNO(pselect(p[0] + 1, &r, NULL, NULL, &ts, &during), EINTR);
	EXPECT_EQ(got, SIGUSR1);
	/* The old mask is back: SIGUSR1 is blocked again. */
	ASSERT_OK(sigprocmask(SIG_BLOCK, NULL, &during));
	EXPECT_TRUE(sigismember(&during, SIGUSR1));
	close(p[0]);
	close(p[1]);
}
