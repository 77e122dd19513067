// SPDX-License-Identifier: MIT
/*
 * POSIX record locks (fcntl F_SETLK/F_SETLKW/F_GETLK) beyond the basics of dup_fcntl.c:
 * splitting and merging of one owner's ranges, the pid F_GETLK reports, deadlock
 * detection between two waiting processes, and blocked waits ended by signals.
 */
#include <signal.h>
#include <sys/time.h>

#include "tests/syscalls/sysutil.h"

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* F_GETLK for a write lock on [start, start+len): the conflicting lock, in *out. */
static void getlk(int fd, off_t start, off_t len, struct flock *out)
{
	*out = (struct flock){
		.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len
	};
	ASSERT_OK(fcntl(fd, F_GETLK, out));
}

struct probe {
	int fd;
	off_t start, len;
	struct flock got;
};

/* Runs F_GETLK in a child (a different owner) and returns what it saw through a pipe. */
static void probe_from_child(struct probe *pr)
{
	int pfd[2], st;
	pid_t pid;

	ASSERT_OK(pipe(pfd));
	fflush(NULL);
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		struct flock fl;

		getlk(pr->fd, pr->start, pr->len, &fl);
		_exit(write(pfd[1], &fl, sizeof(fl)) == sizeof(fl) ? 0 : 1);
	}
	close(pfd[1]);
	ASSERT_EQ(read(pfd[0], &pr->got, sizeof(pr->got)), (long)sizeof(pr->got));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT_EQ(st, 0);
	close(pfd[0]);
}

TEST(unlocking_the_middle_splits_a_lock)
{
	char p[256];
	int fd = tmp_file_with("f", "x", 1, p, sizeof(p));
	struct probe pr = { .fd = fd };

	ASSERT_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 100));
	ASSERT_OK(setlk(fd, F_SETLK, F_UNLCK, 40, 20));
	pr.start = 0, pr.len = 100;
	probe_from_child(&pr);
	EXPECT_EQ(pr.got.l_type, F_WRLCK);
	EXPECT_EQ(pr.got.l_start, 0);
	EXPECT_EQ(pr.got.l_len, 40);
	EXPECT_EQ(pr.got.l_pid, getpid());
	pr.start = 40, pr.len = 20;
	probe_from_child(&pr);
	EXPECT_EQ(pr.got.l_type, F_UNLCK);
	pr.start = 50, pr.len = 0; /* to EOF and beyond */
	probe_from_child(&pr);
	EXPECT_EQ(pr.got.l_type, F_WRLCK);
	EXPECT_EQ(pr.got.l_start, 60);
	EXPECT_EQ(pr.got.l_len, 40);
	close(fd);
}

TEST(adjacent_locks_of_one_type_merge_and_types_split)
{
	char p[256];
	int fd = tmp_file_with("f", "x", 1, p, sizeof(p));
	struct probe pr = { .fd = fd, .start = 0, .len = 0 };

	ASSERT_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 10));
	ASSERT_OK(setlk(fd, F_SETLK, F_WRLCK, 10, 10));
	probe_from_child(&pr);
	EXPECT_EQ(pr.got.l_start, 0);
	EXPECT_EQ(pr.got.l_len, 20);
	/* downgrading the middle leaves three pieces; the first conflict is the head */
	ASSERT_OK(setlk(fd, F_SETLK, F_RDLCK, 5, 10));
	pr.start = 5, pr.len = 10;
	probe_from_child(&pr);
	EXPECT_EQ(pr.got.l_type, F_RDLCK);
	EXPECT_EQ(pr.got.l_start, 5);
	EXPECT_EQ(pr.got.l_len, 10);
	pr.start = 15, pr.len = 0;
	probe_from_child(&pr);
	EXPECT_EQ(pr.got.l_type, F_WRLCK);
	EXPECT_EQ(pr.got.l_start, 15);
	EXPECT_EQ(pr.got.l_len, 5);
	/* a lock to EOF swallows everything after its start */
	ASSERT_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0));
	pr.start = 100, pr.len = 1;
	probe_from_child(&pr);
	EXPECT_EQ(pr.got.l_start, 0);
	EXPECT_EQ(pr.got.l_len, 0);
	close(fd);
}

TEST(getlk_argument_errors)
{
	char p[256];
	int fd = tmp_file_with("f", "x", 1, p, sizeof(p));
	struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

	EXPECT_ERRNO(fcntl(fd, F_GETLK, &fl), EINVAL);
	fl.l_type = F_RDLCK;
	fl.l_whence = 7;
	EXPECT_ERRNO(fcntl(fd, F_GETLK, &fl), EINVAL);
	EXPECT_ERRNO(fcntl(fd, F_GETLK, (void *)8), EFAULT);
	close(fd);
}

/*
 * Each of two processes holds one byte and then waits for the other's: whichever of
 * them asks second closes the cycle and gets EDEADLK, whatever the order, and gives
 * up its lock by exiting (child) or unlocking (parent) so the other one gets through.
 */
TEST(crossed_waits_of_two_processes_give_one_edeadlk)
{
	char p[256];
	int fd = tmp_file_with("f", "xx", 2, p, sizeof(p));
	int ready[2], st, parent_result, child_result;
	pid_t pid;
	char c;

	ASSERT_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 1));
	ASSERT_OK(pipe(ready));
	fflush(NULL);
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		if (setlk(fd, F_SETLK, F_WRLCK, 1, 1) < 0)
			_exit(10);
		(void)!write(ready[1], "r", 1);
		if (setlk(fd, F_SETLKW, F_WRLCK, 0, 1) == 0)
			_exit(0);
		_exit(errno == EDEADLK ? 1 : 11);
	}
	close(ready[1]);
	ASSERT_EQ(read(ready[0], &c, 1), 1);
	parent_result = setlk(fd, F_SETLKW, F_WRLCK, 1, 1) == 0 ? 0 : errno;
	if (parent_result == EDEADLK)
		ASSERT_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 1));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT_TRUE(WIFEXITED(st));
	child_result = WEXITSTATUS(st);
	if (parent_result == EDEADLK) {
		EXPECT_EQ(child_result, 0);
	} else {
		EXPECT_EQ(parent_result, 0);
		EXPECT_EQ(child_result, 1);
	}
	close(ready[0]);
	close(fd);
}

TEST(a_wait_on_an_unrelated_owner_is_no_deadlock)
{
	char p[256];
	int fd = tmp_file_with("f", "xx", 2, p, sizeof(p));
	int st;
	pid_t pid;

	ASSERT_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 1));
	fflush(NULL);
	pid = ASSERT_OK(fork());
	if (pid == 0)
		_exit(setlk(fd, F_SETLKW, F_WRLCK, 0, 1) == 0 ? 0 : 1);
	/* whether or not the child waits already, our own relock and unlock are fine */
	EXPECT_OK(setlk(fd, F_SETLKW, F_RDLCK, 0, 1));
	EXPECT_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 1));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	close(fd);
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST(a_signal_interrupts_a_blocked_setlkw)
{
	char p[256];
	int fd = tmp_file_with("f", "x", 1, p, sizeof(p));
	int hold[2], st;
	pid_t pid;
	char c;

	ASSERT_OK(pipe(hold));
	fflush(NULL);
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		/* hold the lock until the parent closes the pipe */
		close(hold[1]);
		setlk(fd, F_SETLK, F_WRLCK, 0, 0);
		(void)!read(hold[0], &c, 1);
		_exit(0);
	}
	{
		struct sigaction sa = { .sa_handler = on_alarm };
		struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
		struct flock fl;

		/* wait until the child holds it: poll F_GETLK, no sleeping involved */
		do
			getlk(fd, 0, 0, &fl);
		while (fl.l_type == F_UNLCK);
		sigemptyset(&sa.sa_mask);
		ASSERT_OK(sigaction(SIGALRM, &sa, NULL));
		ASSERT_OK(setitimer(ITIMER_REAL, &it, NULL));
		EXPECT_ERRNO(setlk(fd, F_SETLKW, F_WRLCK, 0, 1), EINTR);
		it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
		setitimer(ITIMER_REAL, &it, NULL);
	}
	close(hold[1]);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	close(hold[0]);
	close(fd);
}

/* The holder's exit releases its locks and wakes a waiter (whichever comes first: the
 * holder leaves when it sees the parent close its end of the pipe). */
TEST(a_waiter_gets_the_lock_when_the_holder_exits)
{
	char p[256];
	int fd = tmp_file_with("f", "x", 1, p, sizeof(p));
	int held[2], go[2], st;
	pid_t pid;
	char c;

	ASSERT_OK(pipe(held));
	ASSERT_OK(pipe(go));
	fflush(NULL);
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		close(held[0]);
		close(go[1]);
		if (setlk(fd, F_SETLK, F_WRLCK, 0, 0) < 0)
			_exit(1);
		(void)!write(held[1], "h", 1);
		(void)!read(go[0], &c, 1); /* EOF: the parent is about to wait */
		_exit(0);
	}
	close(held[1]);
	close(go[0]);
	ASSERT_EQ(read(held[0], &c, 1), 1);
	EXPECT_ERRNO(setlk(fd, F_SETLK, F_WRLCK, 0, 1), EAGAIN);
	close(go[1]);
	EXPECT_OK(setlk(fd, F_SETLKW, F_WRLCK, 0, 1));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	close(held[0]);
	close(fd);
}
