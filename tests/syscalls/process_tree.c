// SPDX-License-Identifier: MIT
/*
 * The process tree: orphans go to the nearest subreaper (the case process sets
 * PR_SET_CHILD_SUBREAPER, so this holds natively and in a sandbox whose init is the test
 * program), PR_SET_PDEATHSIG, sessions and process groups.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "tests/syscalls/sysutil.h"

/* Forks a middle child that forks a grandchild running fn(sync write end), then waits for
 * one byte from the grandchild and exits. Returns the middle child's pid. */
static pid_t orphan_maker(void (*fn)(int), int *rfd)
{
	int sync[2], out[2];
	pid_t mid;

	ASSERT_OK(pipe(sync));
	ASSERT_OK(pipe(out));
	mid = ASSERT_OK(fork());
	if (mid == 0) {
		char c;

		close(out[0]);
		if (fork() == 0) {
			close(sync[0]);
			fn(sync[1]);
			_exit(0);
		}
		close(sync[1]);
		if (read(sync[0], &c, 1) != 1)
			_exit(90);
		usleep(20000); /* lets the grandchild settle in its wait first */
		_exit(0);
	}
	close(sync[0]);
	close(sync[1]);
	close(out[1]);
	*rfd = out[0];
	return mid;
}

static int result_fd;

static void report_new_parent(int sync)
{
	pid_t old = getppid(), now;
	char c = 1;

	if (write(sync, &c, 1) != 1)
		_exit(90);
	for (int i = 0; i < 2000 && (now = getppid()) == old; i++)
		usleep(1000);
	_exit(now == (pid_t)result_fd ? 0 : 1);
}

TEST(orphans_go_to_the_subreaper)
{
	int rfd, st, n = 0;
	pid_t mid, gc;

	ASSERT_OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
	result_fd = getpid();
	mid = orphan_maker(report_new_parent, &rfd);
	ASSERT_EQ(waitpid(mid, &st, 0), mid);
	EXPECT_EXITED_OK(st);
	gc = waitpid(-1, &st, 0);
	ASSERT_GT(gc, 0);
	EXPECT_NE(gc, mid);
	EXPECT_EXITED_OK(st);
	while (wait(&st) > 0)
		n++;
	EXPECT_EQ(n, 0);
	close(rfd);
}

static void die_with_parent(int sync)
{
	char c = 1;
	int p[2];

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || pipe(p) < 0)
		_exit(90);
	if (write(sync, &c, 1) != 1)
		_exit(90);
	/* Blocks for good: we hold the write end ourselves. */
	if (read(p[0], &c, 1) < 0)
		_exit(91);
	_exit(92);
}

TEST(pdeathsig_fires_when_the_parent_dies)
{
	int rfd, st;
	pid_t mid, gc;

	ASSERT_OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
	mid = orphan_maker(die_with_parent, &rfd);
	ASSERT_EQ(waitpid(mid, &st, 0), mid);
	gc = waitpid(-1, &st, 0);
	ASSERT_GT(gc, 0);
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(WTERMSIG(st), SIGKILL);
	close(rfd);
}

static int run(void (*fn)(void))
{
	int st;
	pid_t pid = ASSERT_OK(fork());

	if (pid == 0) {
		fn();
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void new_session(void)
{
	pid_t me = getpid();

	if (setsid() != me)
		_exit(1);
	if (getsid(0) != me || getpgrp() != me || getpgid(0) != me)
		_exit(2);
	if (setsid() != -1 || errno != EPERM)
		_exit(3);
	/* A session leader cannot move to another group. */
	if (setpgid(0, getppid()) != -1 || errno != EPERM)
		_exit(4);
}

TEST(setsid_makes_a_session_and_group_leader)
{
	EXPECT_EQ(run(new_session), 0);
}

TEST(a_group_leader_cannot_setsid)
{
	pid_t pid;
	int st;

	pid = ASSERT_OK(fork());
	if (pid == 0) {
		if (setpgid(0, 0) < 0)
			_exit(1);
		_exit(setsid() == -1 && errno == EPERM ? 0 : 2);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED_OK(st);
}

TEST(setpgid_moves_a_child)
{
	int p[2], st;
	pid_t pid;
	char c;

	ASSERT_OK(pipe(p));
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(getpgrp() == getpid() ? 0 : 1);
	}
	close(p[0]);
	EXPECT_EQ(getpgid(pid), getpgrp());
	ASSERT_OK(setpgid(pid, pid));
	EXPECT_EQ(getpgid(pid), pid);
	EXPECT_EQ(getsid(pid), getsid(0));
	/* Back into ours, then into a group that does not exist. */
	ASSERT_OK(setpgid(pid, getpgrp()));
	EXPECT_ERRNO(setpgid(pid, 999999), EPERM);
	EXPECT_ERRNO(setpgid(pid, -1), EINVAL);
	close(p[1]);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(WEXITSTATUS(st), 1);
	EXPECT_ERRNO(getpgid(pid), ESRCH);
	EXPECT_ERRNO(setpgid(pid, 0), ESRCH);
}

TEST(a_child_that_ran_execve_cannot_be_moved)
{
	int sync[2], hold[2], st;
	pid_t pid;
	char c;

	ASSERT_OK(pipe2(sync, O_CLOEXEC));
	ASSERT_OK(pipe(hold));
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		close(sync[0]);
		close(hold[1]);
		dup2(hold[0], 0);
		execl("/bin/sh", "sh", "-c", "read x; exit 0", (char *)NULL);
		_exit(90);
	}
	close(sync[1]);
	close(hold[0]);
	/* EOF once exec has closed the child's close-on-exec end. */
	EXPECT_EQ(read(sync[0], &c, 1), 0);
	EXPECT_ERRNO(setpgid(pid, pid), EACCES);
	close(hold[1]);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	close(sync[0]);
}

TEST(only_children_can_be_moved)
{
	EXPECT_ERRNO(setpgid(getppid(), 0), ESRCH);
	EXPECT_ERRNO(getsid(999999), ESRCH);
}

/* A stopped process whose group becomes orphaned (its session's parent goes) gets SIGHUP
 * and SIGCONT; SIGHUP's default action ends it. */
TEST(an_orphaned_stopped_group_gets_sighup)
{
	pid_t mid, d;
	int st;

	ASSERT_OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
	mid = ASSERT_OK(fork());
	if (mid == 0) {
		if (setsid() < 0)
			_exit(90);
		d = fork();
		if (d == 0) {
			setpgid(0, 0);
			raise(SIGSTOP);
			_exit(0);
		}
		/* Leaves only once d is stopped: its group is orphaned then. */
		if (waitpid(d, &st, WUNTRACED) != d || !WIFSTOPPED(st))
			_exit(91);
		_exit(0);
	}
	ASSERT_EQ(waitpid(mid, &st, 0), mid);
	EXPECT_EXITED_OK(st);
	d = wait(&st);
	ASSERT_GT(d, 0);
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(WTERMSIG(st), SIGHUP);
}

TEST(wuntraced_and_wcontinued_report_job_control)
{
	siginfo_t si;
	int p[2], st;
	pid_t pid;
	char c;

	ASSERT_OK(pipe(p));
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		close(p[1]);
		raise(SIGSTOP);
		/* Stays until the parent has seen the continue: a zombie reports no WCONTINUED. */
		while (read(p[0], &c, 1) > 0)
			;
		_exit(3);
	}
	close(p[0]);
	ASSERT_EQ(waitpid(pid, &st, WUNTRACED), pid);
	EXPECT_TRUE(WIFSTOPPED(st));
	EXPECT_EQ(WSTOPSIG(st), SIGSTOP);
	ASSERT_OK(kill(pid, SIGCONT));
	ASSERT_OK(waitid(P_PID, pid, &si, WCONTINUED));
	EXPECT_EQ(si.si_code, CLD_CONTINUED);
	EXPECT_EQ(si.si_status, SIGCONT);
	close(p[1]);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(WEXITSTATUS(st), 3);
}
