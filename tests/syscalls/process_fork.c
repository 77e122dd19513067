// SPDX-License-Identifier: MIT
/* fork, vfork, exit and wait: exit codes, WNOHANG, waitid's variants, rusage, ECHILD. */
#include <fenv.h>
#include <signal.h>
#include <stdlib.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "tests/syscalls/sysutil.h"

/* A child that exits code once the parent closes the write end of a pipe. */
static pid_t child_waiting(int *wfd, int code)
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
		_exit(code);
	}
	close(p[0]);
	*wfd = p[1];
	return pid;
}

static pid_t child_exiting(int code)
{
	pid_t pid = ASSERT_OK(fork());

	if (pid == 0)
		_exit(code);
	return pid;
}

TEST(exit_codes_reach_waitpid)
{
	static const int codes[] = { 0, 1, 7, 128, 255 };
	int st;

	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid_t pid = child_exiting(codes[i]);

		ASSERT_EQ(waitpid(pid, &st, 0), pid);
		EXPECT_TRUE(WIFEXITED(st));
		EXPECT_EQ(WEXITSTATUS(st), codes[i]);
	}
}

TEST(a_killed_child_reports_its_signal)
{
	int wfd, st;
	pid_t pid = child_waiting(&wfd, 0);

	ASSERT_OK(kill(pid, SIGKILL));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(WTERMSIG(st), SIGKILL);
	close(wfd);
}

TEST(child_sees_its_parent_and_a_pid_of_its_own)
{
	pid_t me = getpid(), pid;
	int st;

	pid = ASSERT_OK(fork());
	if (pid == 0)
		_exit(getppid() == me && getpid() != me ? 0 : 1);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED_OK(st);
}

TEST(memory_is_copied_not_shared)
{
	volatile int *v = map_anon(PAGE);
	pid_t pid;
	int st;

	*v = 1;
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		int ok = *v == 1;

		*v = 2;
		_exit(ok && *v == 2 ? 0 : 1);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED_OK(st);
	EXPECT_EQ(*v, 1);
}

TEST(the_child_inherits_the_fpu_rounding_mode)
{
	pid_t pid;
	int st;

	ASSERT_EQ(fesetround(FE_UPWARD), 0);
	pid = ASSERT_OK(fork());
	if (pid == 0)
		_exit(fegetround() == FE_UPWARD ? 0 : 1);
	fesetround(FE_TONEAREST);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED_OK(st);
}

TEST(wnohang_returns_zero_while_the_child_runs)
{
	int wfd, st;
	pid_t pid = child_waiting(&wfd, 3);

	EXPECT_EQ(waitpid(pid, &st, WNOHANG), 0);
	close(wfd);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(WEXITSTATUS(st), 3);
}

TEST(waitid_fills_siginfo)
{
	siginfo_t si;
	pid_t pid = child_exiting(5);

	memset(&si, 0xff, sizeof(si));
	ASSERT_OK(waitid(P_PID, pid, &si, WEXITED));
	EXPECT_EQ(si.si_signo, SIGCHLD);
	EXPECT_EQ(si.si_code, CLD_EXITED);
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_EQ(si.si_status, 5);
	EXPECT_EQ(si.si_uid, getuid());
}

TEST(waitid_reports_a_kill_as_cld_killed)
{
	siginfo_t si;
	int wfd;
	pid_t pid = child_waiting(&wfd, 0);

	ASSERT_OK(kill(pid, SIGKILL));
	ASSERT_OK(waitid(P_PID, pid, &si, WEXITED));
	EXPECT_EQ(si.si_code, CLD_KILLED);
	EXPECT_EQ(si.si_status, SIGKILL);
	close(wfd);
}

TEST(wnowait_leaves_the_zombie_waitable)
{
	siginfo_t si;
	int st;
	pid_t pid = child_exiting(9);

	ASSERT_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	EXPECT_EQ(si.si_pid, pid);
	ASSERT_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	EXPECT_EQ(si.si_status, 9);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(WEXITSTATUS(st), 9);
	EXPECT_ERRNO(waitpid(pid, &st, 0), ECHILD);
}

TEST(waitid_wnohang_with_nothing_ready_zeroes_si_pid)
{
	siginfo_t si;
	int wfd;
	pid_t pid = child_waiting(&wfd, 0);

	memset(&si, 0xff, sizeof(si));
	ASSERT_OK(waitid(P_ALL, 0, &si, WEXITED | WNOHANG));
	EXPECT_EQ(si.si_pid, 0);
	EXPECT_EQ(si.si_signo, 0);
	close(wfd);
	ASSERT_OK(waitid(P_PID, pid, &si, WEXITED));
}

TEST(waitid_by_process_group_and_any)
{
	siginfo_t si;
	pid_t a = child_exiting(1), b;

	ASSERT_OK(waitid(P_PGID, getpgrp(), &si, WEXITED));
	EXPECT_EQ(si.si_pid, a);
	b = child_exiting(2);
	ASSERT_OK(waitid(P_ALL, 0, &si, WEXITED));
	EXPECT_EQ(si.si_pid, b);
	EXPECT_EQ(si.si_status, 2);
}

TEST(wait4_fills_rusage)
{
	struct rusage ru;
	int st;
	pid_t pid = child_exiting(0);

	memset(&ru, 0xff, sizeof(ru));
	ASSERT_EQ(wait4(pid, &st, 0, &ru), pid);
	EXPECT_GE(ru.ru_utime.tv_sec, 0);
	EXPECT_GE(ru.ru_stime.tv_usec, 0);
	EXPECT_LT(ru.ru_stime.tv_usec, 1000000);
}

TEST(no_children_is_echild)
{
	siginfo_t si;
	int st;

	EXPECT_ERRNO(waitpid(-1, &st, 0), ECHILD);
	EXPECT_ERRNO(waitpid(getpid(), &st, 0), ECHILD);
	EXPECT_ERRNO(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), ECHILD);
}

TEST(bad_wait_arguments_are_einval)
{
	siginfo_t si;
	int st;

	EXPECT_ERRNO(waitpid(-1, &st, 0x4000), EINVAL);
	EXPECT_ERRNO(waitid(P_ALL, 0, &si, WNOHANG), EINVAL);
	EXPECT_ERRNO(waitid(P_PID, 0, &si, WEXITED), EINVAL);
	EXPECT_ERRNO(waitid(42, 0, &si, WEXITED), EINVAL);
}

TEST(a_child_without_exit_signal_needs_wall)
{
	int st;
	long pid = syscall(SYS_clone, 0L, 0L, 0L, 0L, 0L);

	ASSERT_OK(pid);
	if (pid == 0)
		_exit(4);
	EXPECT_ERRNO(waitpid((pid_t)pid, &st, WNOHANG), ECHILD);
	ASSERT_EQ(waitpid((pid_t)pid, &st, __WALL), pid);
	EXPECT_EQ(WEXITSTATUS(st), 4);
}

TEST(vfork_shares_memory_until_exit)
{
	volatile int shared = 0;
	pid_t pid;
	int st;

	pid = vfork();
	if (pid == 0) {
		shared = 42;
		_exit(6);
	}
	ASSERT_OK(pid);
	/* The parent resumes only after the child is gone. */
	EXPECT_EQ(shared, 42);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(WEXITSTATUS(st), 6);
}

TEST(vfork_then_execve)
{
	pid_t pid;
	int st;

	pid = vfork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "exit 11", (char *)NULL);
		_exit(99);
	}
	ASSERT_OK(pid);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(WEXITSTATUS(st), 11);
}

TEST(ignored_sigchld_reaps_children_at_once)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	int st;
	pid_t pid;

	ASSERT_OK(sigaction(SIGCHLD, &sa, NULL));
	pid = child_exiting(1);
	/* wait blocks until the child is gone, then finds no child at all. */
	EXPECT_ERRNO(waitpid(pid, &st, 0), ECHILD);
}

TEST(many_children_are_all_reaped)
{
	int n = 0, st;

	for (int i = 0; i < 20; i++)
		child_exiting(i);
	while (waitpid(-1, &st, 0) > 0)
		n++;
	EXPECT_EQ(n, 20);
	EXPECT_EQ(errno, ECHILD);
}
