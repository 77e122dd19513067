// SPDX-License-Identifier: MIT
/*
 * Job control in orphaned process groups: SIGTSTP, SIGTTIN and SIGTTOU with the default
 * action are discarded there (nothing would ever send SIGCONT), SIGSTOP still stops, and
 * a group anchored by a parent in the same session stops as usual.
 */
#include <signal.h>
#include <stdlib.h>

#include "tests/syscalls/sysutil.h"

/* Forks a child that moves to a new session (orphaned: its parent is in another
 * session) or a new group in our session (anchored by us), then raises sig and exits 0
 * if it ran on. Returns the wait4(WUNTRACED) status; a stopped child is killed. */
static int raise_in_group(bool orphaned, int sig)
{
	pid_t pid = ASSERT_OK(fork());
	int st;

	if (pid == 0) {
		if (orphaned ? setsid() < 0 : setpgid(0, 0) < 0)
			_exit(90);
		raise(sig);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &st, WUNTRACED), pid);
	if (WIFSTOPPED(st)) {
		int st2;

		ASSERT_OK(kill(pid, SIGKILL));
		ASSERT_EQ(waitpid(pid, &st2, 0), pid);
	}
	return st;
}

TEST(tstp_ttin_ttou_are_discarded_in_an_orphaned_group)
{
	static const int sigs[] = { SIGTSTP, SIGTTIN, SIGTTOU };

	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int st = raise_in_group(true, sigs[i]);

		EXPECT_FALSE(WIFSTOPPED(st));
		EXPECT_TRUE(WIFEXITED(st));
		EXPECT_EQ(WEXITSTATUS(st), 0);
	}
}

TEST(sigstop_stops_an_orphaned_group)
{
	int st = raise_in_group(true, SIGSTOP);

	EXPECT_TRUE(WIFSTOPPED(st));
	EXPECT_EQ(WSTOPSIG(st), SIGSTOP);
}

TEST(tstp_stops_a_group_anchored_in_the_session)
{
	int st = raise_in_group(false, SIGTSTP);

	EXPECT_TRUE(WIFSTOPPED(st));
	EXPECT_EQ(WSTOPSIG(st), SIGTSTP);
}

/* Sent by another process while the orphaned child runs: still discarded, and a handler
 * (not the default action) still runs. */
static volatile sig_atomic_t got;

static void on_tstp(int sig)
{
	got = sig;
}

TEST(tstp_from_outside_is_discarded_but_a_handler_runs)
{
	int p[2], st;
	pid_t pid;
	char c;

	ASSERT_OK(pipe(p));
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		sigset_t set;
		int s;

		close(p[0]);
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (setsid() < 0 || write(p[1], "r", 1) != 1)
			_exit(90);
		/* SIGTSTP may interrupt the wait (EINTR) but is discarded, not a stop. */
		while ((s = sigwaitinfo(&set, NULL)) < 0 && errno == EINTR)
			;
		if (s != SIGUSR1)
			_exit(91);
		signal(SIGTSTP, on_tstp);
		if (write(p[1], "h", 1) != 1)
			_exit(92);
		while (!got)
			pause();
		_exit(got == SIGTSTP ? 0 : 93);
	}
	close(p[1]);
	ASSERT_EQ(read(p[0], &c, 1), 1);
	ASSERT_OK(kill(pid, SIGTSTP));
	ASSERT_OK(kill(pid, SIGUSR1));
	ASSERT_EQ(read(p[0], &c, 1), 1);
	ASSERT_OK(kill(pid, SIGTSTP));
	ASSERT_EQ(waitpid(pid, &st, WUNTRACED), pid);
	EXPECT_FALSE(WIFSTOPPED(st));
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
	close(p[0]);
}
