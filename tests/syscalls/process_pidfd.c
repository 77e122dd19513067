// SPDX-License-Identifier: MIT
/* pidfds: pidfd_open, CLONE_PIDFD, pidfd_send_signal, waitid(P_PIDFD), poll at exit. */
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>

#include "tests/syscalls/sysutil.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static pid_t child_waiting(int *wfd)
{
	int p[2];
	pid_t pid;

	ASSERT_OK(pipe(p));
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		char c;

		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	*wfd = p[1];
	return pid;
}

TEST(pidfd_open_polls_readable_at_exit)
{
	int wfd, pfd;
	pid_t pid = child_waiting(&wfd);
	struct pollfd p;
	siginfo_t si;

	pfd = ASSERT_OK((int)syscall(SYS_pidfd_open, pid, 0));
	EXPECT_EQ(fcntl(pfd, F_GETFD), FD_CLOEXEC);
	p.fd = pfd;
	p.events = POLLIN;
	EXPECT_EQ(poll(&p, 1, 0), 0);
	close(wfd);
	EXPECT_EQ(poll(&p, 1, 10000), 1);
	EXPECT_TRUE(p.revents & POLLIN);
	ASSERT_OK(waitid(P_PIDFD, pfd, &si, WEXITED));
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_EQ(si.si_code, CLD_EXITED);
	close(pfd);
}

TEST(pidfd_send_signal_kills)
{
	int wfd, pfd;
	pid_t pid = child_waiting(&wfd);
	siginfo_t si;

	pfd = ASSERT_OK((int)syscall(SYS_pidfd_open, pid, 0));
	ASSERT_OK(syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0));
	ASSERT_OK(waitid(P_PIDFD, pfd, &si, WEXITED));
	EXPECT_EQ(si.si_code, CLD_KILLED);
	EXPECT_EQ(si.si_status, SIGKILL);
	/* Reaped: the pidfd names no process any more. */
	EXPECT_ERRNO(syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0), ESRCH);
	close(pfd);
	close(wfd);
}

TEST(clone3_pidfd)
{
	struct clone_args ca;
	int pfd = -1;
	long pid;
	siginfo_t si;

	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_PIDFD;
	ca.pidfd = (uintptr_t)&pfd;
	ca.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	ASSERT_OK(pid);
	if (pid == 0)
		_exit(17);
	ASSERT_GE(pfd, 0);
	EXPECT_EQ(fcntl(pfd, F_GETFD), FD_CLOEXEC);
	ASSERT_OK(waitid(P_PIDFD, pfd, &si, WEXITED));
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_EQ(si.si_status, 17);
	close(pfd);
}

TEST(pidfd_errors)
{
	int fd;

	EXPECT_ERRNO(syscall(SYS_pidfd_open, getpid(), 1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_pidfd_open, 0, 0), EINVAL);
	fd = ASSERT_OK(open("/dev/null", O_RDONLY));
	EXPECT_ERRNO(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0), EBADF);
	close(fd);
	EXPECT_ERRNO(syscall(SYS_pidfd_send_signal, 999, 0, NULL, 0), EBADF);
	fd = ASSERT_OK((int)syscall(SYS_pidfd_open, getpid(), 0));
	EXPECT_ERRNO(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0x100), EINVAL);
	EXPECT_OK(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0));
	close(fd);
}
