// SPDX-License-Identifier: MIT
/*
 * Controlling terminals and job control on a pty: TIOCSCTTY (session leaders only, one
 * terminal per session), TIOCGSID/TIOCGPGRP/TIOCSPGRP, /dev/tty, TIOCNOTTY, setsid
 * leaving the terminal behind; ISIG sending SIGINT/SIGQUIT/SIGTSTP to the foreground
 * group; SIGWINCH on a window-size change; a background group reading (SIGTTIN) or
 * writing with TOSTOP (SIGTTOU) stops, seen through waitpid(WUNTRACED).
 *
 * Every case works in a child that makes its own session, so it needs no terminal of
 * its own and leaves none behind.
 */
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "tests/syscalls/sysutil.h"

/* Child-side checks: exit with the line number of the first that fails. */
#define CHECK(cond)                                \
	do {                                       \
		if (!(cond))                       \
			_exit(__LINE__ % 250 + 1); \
	} while (0)

static int open_master(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	if (m < 0 && (errno == ENOENT || errno == ENXIO))
		SKIP("no /dev/ptmx");
	ASSERT_OK(m);
	ASSERT_OK(grantpt(m));
	ASSERT_OK(unlockpt(m));
	return m;
}

/* In a child: a new session whose controlling terminal is m's replica (fd returned). */
static int take_terminal(int m)
{
	int r;

	alarm(20); /* a child never outlives a failed case */
	CHECK(setsid() == getpid());
	r = open(ptsname(m), O_RDWR | O_NOCTTY);
	CHECK(r >= 0);
	CHECK(ioctl(r, TIOCSCTTY, 0) == 0);
	return r;
}

/* Waits (5 s at most) until the pipe says the child is ready. */
static void wait_ready(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	ASSERT_EQ(poll(&p, 1, 5000), 1);
	ASSERT_EQ(read(fd, &c, 1), 1);
}

static void ctty_rules(void *arg)
{
	int m = *(int *)arg, r, pgrp, sid, t, st;
	struct stat a, b;
	char buf[16];
	pid_t pid;

	r = open(ptsname(m), O_RDWR | O_NOCTTY);
	CHECK(r >= 0);
	/* not a session leader yet */
	CHECK(ioctl(r, TIOCSCTTY, 0) == -1 && errno == EPERM);
	CHECK(ioctl(r, TIOCGSID, &sid) == -1 && errno == ENOTTY);
	CHECK(setsid() == getpid());
	CHECK(open("/dev/tty", O_RDWR) == -1 && errno == ENXIO);
	CHECK(ioctl(r, TIOCGPGRP, &pgrp) == -1 && errno == ENOTTY);
	CHECK(ioctl(r, TIOCSCTTY, 0) == 0);
	CHECK(ioctl(r, TIOCSCTTY, 0) == 0); /* again: it is ours already */
	CHECK(ioctl(r, TIOCGSID, &sid) == 0 && sid == getpid());
	CHECK(ioctl(r, TIOCGPGRP, &pgrp) == 0 && pgrp == getpgrp());
	CHECK(tcgetpgrp(r) == getpgrp());
	CHECK(ioctl(m, TIOCGPGRP, &pgrp) == 0 && pgrp == getpgrp());
	/* /dev/tty (the node, 5:0) reaches the replica */
	t = open("/dev/tty", O_RDWR);
	CHECK(t >= 0);
	CHECK(fstat(t, &a) == 0 && a.st_rdev == makedev(5, 0));
	CHECK(fstat(r, &b) == 0 && major(b.st_rdev) == 136);
	CHECK(write(t, "via tty", 7) == 7);
	CHECK(read(m, buf, sizeof(buf)) == 7 && !memcmp(buf, "via tty", 7));
	close(t);
	/* a child inherits it; after setsid it has none */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int s;

		CHECK(ioctl(r, TIOCGSID, &s) == 0 && s == getppid());
		CHECK(setsid() == getpid());
		CHECK(open("/dev/tty", O_RDWR) == -1 && errno == ENXIO);
		CHECK(ioctl(r, TIOCGPGRP, &s) == -1 && errno == ENOTTY);
		/* another session's terminal cannot be taken without stealing */
		CHECK(ioctl(r, TIOCSCTTY, 0) == -1 && errno == EPERM);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* the session leader lets it go */
	signal(SIGHUP, SIG_IGN);
	CHECK(ioctl(r, TIOCNOTTY) == 0);
	CHECK(open("/dev/tty", O_RDWR) == -1 && errno == ENXIO);
	CHECK(ioctl(r, TIOCGSID, &sid) == -1 && errno == ENOTTY);
}

TEST(controlling_terminal_rules)
{
	int m = open_master();

	EXPECT_EXITED_OK(status_of_child(ctty_rules, &m));
	close(m);
}

static void tcsetpgrp_rules(void *arg)
{
	int m = *(int *)arg, r, st;
	pid_t gone, other;

	r = take_terminal(m);
	CHECK(tcsetpgrp(r, -1) == -1 && errno == EINVAL);
	/* a group that no longer exists */
	gone = fork();
	CHECK(gone >= 0);
	if (gone == 0)
		_exit(0);
	CHECK(waitpid(gone, &st, 0) == gone);
	CHECK(tcsetpgrp(r, gone) == -1 && errno == ESRCH);
	/* a group of another session */
	other = fork();
	CHECK(other >= 0);
	if (other == 0) {
		alarm(20);
		setsid();
		pause();
		_exit(0);
	}
	while (getsid(other) != other)
		sched_yield();
	CHECK(tcsetpgrp(r, other) == -1 && errno == EPERM);
	kill(other, SIGKILL);
	waitpid(other, &st, 0);
	/* a group of its own session */
	other = fork();
	CHECK(other >= 0);
	if (other == 0) {
		alarm(20);
		pause();
		_exit(0);
	}
	CHECK(setpgid(other, other) == 0);
	CHECK(tcsetpgrp(r, other) == 0);
	CHECK(tcgetpgrp(r) == other);
	kill(other, SIGKILL);
	waitpid(other, &st, 0);
}

TEST(tcsetpgrp_checks_the_group)
{
	int m = open_master();

	EXPECT_EXITED_OK(status_of_child(tcsetpgrp_rules, &m));
	close(m);
}

/*
 * A session leader with the terminal puts a child in a foreground group of its own (a
 * group with a parent in the session: not orphaned, so stop signals stop it), types c
 * on the master and reports how the child fared: 100 + the stop signal, 200 + the
 * killing one.
 */
static void isig_child(void *arg)
{
	int m = ((int *)arg)[0], c = ((int *)arg)[1], r = take_terminal(m), st;
	char ch = (char)c;
	pid_t pid;

	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		alarm(20);
		for (;;)
			pause();
	}
	CHECK(setpgid(pid, pid) == 0);
	CHECK(tcsetpgrp(r, pid) == 0);
	CHECK(write(m, &ch, 1) == 1);
	CHECK(waitpid(pid, &st, WUNTRACED) == pid);
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		_exit(100 + WSTOPSIG(st));
	}
	_exit(WIFSIGNALED(st) ? 200 + WTERMSIG(st) : 1);
}

static int isig_result(char c)
{
	int arg[2] = { open_master(), c };
	int st = status_of_child(isig_child, arg);

	close(arg[0]);
	ASSERT_TRUE(WIFEXITED(st));
	return WEXITSTATUS(st);
}

TEST(vintr_sends_sigint_to_the_foreground_group)
{
	EXPECT_EQ(isig_result(003), 200 + SIGINT);
}

TEST(vquit_sends_sigquit)
{
	EXPECT_EQ(isig_result(034), 200 + SIGQUIT);
}

TEST(vsusp_stops_the_foreground_group)
{
	EXPECT_EQ(isig_result(032), 100 + SIGTSTP);
}

static volatile sig_atomic_t winched;

static void on_winch(int sig)
{
	winched = 1;
}

TEST(a_new_window_size_sends_sigwinch)
{
	struct winsize w = { .ws_row = 12, .ws_col = 34 };
	int m = open_master(), p[2], q[2], st;
	pid_t pid;
	char c;

	ASSERT_OK(pipe(p));
	ASSERT_OK(pipe(q));
	fflush(NULL);
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		struct winsize g;
		sigset_t block, old;
		int r;

		sigemptyset(&block);
		sigaddset(&block, SIGWINCH);
		sigprocmask(SIG_BLOCK, &block, &old);
		signal(SIGWINCH, on_winch);
		r = take_terminal(m);
		CHECK(write(p[1], "r", 1) == 1);
		while (!winched)
			sigsuspend(&old);
		CHECK(ioctl(r, TIOCGWINSZ, &g) == 0 && g.ws_row == 12 && g.ws_col == 34);
		/* the same size again is no change: no signal */
		winched = 0;
		CHECK(ioctl(r, TIOCSWINSZ, &g) == 0);
		CHECK(write(p[1], "d", 1) == 1);
		CHECK(read(q[0], &c, 1) == 1);
		sigprocmask(SIG_SETMASK, &old, NULL);
		CHECK(!winched);
		_exit(0);
	}
	close(p[1]);
	wait_ready(p[0]);
	ASSERT_OK(ioctl(m, TIOCSWINSZ, &w));
	wait_ready(p[0]);
	ASSERT_EQ(write(q[1], "g", 1), 1);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED_OK(st);
	close(p[0]);
	close(q[0]);
	close(q[1]);
	close(m);
}

struct bg {
	int m;
	bool write, tostop, ignore;
};

/* A session leader with the terminal runs a child in a background group that reads (or
 * writes) the terminal, and reports how the child fared. */
static void background_io(void *arg)
{
	struct bg *b = arg;
	int r = take_terminal(b->m), st;
	struct termios t;
	pid_t pid;

	if (b->tostop) {
		CHECK(tcgetattr(r, &t) == 0);
		t.c_lflag |= TOSTOP;
		CHECK(tcsetattr(r, TCSANOW, &t) == 0);
	}
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char c;

		alarm(20);
		CHECK(setpgid(0, 0) == 0);
		if (b->ignore)
			signal(b->write ? SIGTTOU : SIGTTIN, SIG_IGN);
		if (b->write)
			_exit(write(r, "bg", 2) == 2 ? 0 : errno == EIO ? 3 : 4);
		_exit(read(r, &c, 1) < 0 && errno == EIO ? 3 : 4);
	}
	CHECK(waitpid(pid, &st, WUNTRACED) == pid);
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		_exit(100 + WSTOPSIG(st));
	}
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 99);
}

static int background_result(bool write, bool tostop, bool ignore)
{
	struct bg b = { open_master(), write, tostop, ignore };
	int st = status_of_child(background_io, &b);

	close(b.m);
	ASSERT_TRUE(WIFEXITED(st));
	return WEXITSTATUS(st);
}

TEST(a_background_read_stops_with_sigttin)
{
	EXPECT_EQ(background_result(false, false, false), 100 + SIGTTIN);
}

TEST(a_background_read_ignoring_sigttin_gets_eio)
{
	EXPECT_EQ(background_result(false, false, true), 3);
}

TEST(a_background_write_goes_through_without_tostop)
{
	EXPECT_EQ(background_result(true, false, false), 0);
}

TEST(a_background_write_with_tostop_stops_with_sigttou)
{
	EXPECT_EQ(background_result(true, true, false), 100 + SIGTTOU);
}

TEST(a_background_write_ignoring_sigttou_goes_through)
{
	EXPECT_EQ(background_result(true, true, true), 0);
}
