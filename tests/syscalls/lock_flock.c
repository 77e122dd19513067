// SPDX-License-Identifier: MIT
/*
 * flock(2): locks owned by the open file description (shared by dup and fork, released
 * with the description's last descriptor), conversion, LOCK_NB, independence from
 * fcntl record locks, and blocking waits that signals interrupt or restart.
 */
#include <signal.h>
#include <sys/file.h>
#include <sys/time.h>

#include "tests/syscalls/sysutil.h"

static int open_again(const char *path)
{
	return ASSERT_OK(open(path, O_RDWR | O_CLOEXEC));
}

/* The wait status of a child running fn(arg) (exit code = fn's result). */
static int run_child(int (*fn)(void *), void *arg)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = ASSERT_OK(fork());
	if (pid == 0)
		_exit(fn(arg));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	return st;
}

TEST(exclusive_lock_excludes_other_descriptions_until_unlocked)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	int b = open_again(p);

	EXPECT_OK(flock(a, LOCK_EX));
	EXPECT_ERRNO(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	EXPECT_ERRNO(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	/* relocking with the same type is a no-op */
	EXPECT_OK(flock(a, LOCK_EX | LOCK_NB));
	EXPECT_OK(flock(a, LOCK_UN));
	EXPECT_OK(flock(b, LOCK_EX | LOCK_NB));
	EXPECT_ERRNO(flock(a, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	close(a);
	close(b);
}

TEST(shared_locks_coexist_and_a_failed_conversion_drops_the_old_lock)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	int b = open_again(p);
	int c = open_again(p);

	EXPECT_OK(flock(a, LOCK_SH));
	EXPECT_OK(flock(b, LOCK_SH | LOCK_NB));
	EXPECT_ERRNO(flock(c, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	/* conversion is not atomic: a's shared lock is gone after its failed upgrade */
	EXPECT_ERRNO(flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	EXPECT_OK(flock(b, LOCK_EX | LOCK_NB));
	EXPECT_ERRNO(flock(a, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	/* downgrade */
	EXPECT_OK(flock(b, LOCK_SH));
	EXPECT_OK(flock(a, LOCK_SH | LOCK_NB));
	close(a);
	close(b);
	close(c);
}

TEST(the_lock_belongs_to_the_description_not_the_descriptor)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	int b = open_again(p);
	int d;

	EXPECT_OK(flock(a, LOCK_EX));
	d = ASSERT_OK(dup(a));
	/* the dup shares the lock: it can "relock" it, and closing a keeps it */
	EXPECT_OK(flock(d, LOCK_EX | LOCK_NB));
	close(a);
	EXPECT_ERRNO(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	/* the last descriptor of the description releases it */
	close(d);
	EXPECT_OK(flock(b, LOCK_EX | LOCK_NB));
	close(b);
}

static int unlock_in_child(void *arg)
{
	return flock(*(int *)arg, LOCK_UN) == 0 ? 0 : 1;
}

static int try_lock_in_child(void *arg)
{
	int r = flock(*(int *)arg, LOCK_EX | LOCK_NB);

	return r == 0 ? 0 : errno == EWOULDBLOCK ? 2 : 1;
}

TEST(a_forked_child_shares_the_description_and_its_lock)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	int b = open_again(p);
	int st;

	EXPECT_OK(flock(a, LOCK_EX));
	/* the child's copy of a is the same description: it already holds the lock */
	st = run_child(try_lock_in_child, &a);
	EXPECT_EQ(st, 0);
	/* a child's own description (b) conflicts */
	st = run_child(try_lock_in_child, &b);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	/* unlocking through the child's copy unlocks the shared description */
	st = run_child(unlock_in_child, &a);
	EXPECT_EQ(st, 0);
	EXPECT_OK(flock(b, LOCK_EX | LOCK_NB));
	close(a);
	close(b);
}

TEST(flock_and_fcntl_locks_do_not_interact)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	int b = open_again(p);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 1 };

	EXPECT_OK(flock(a, LOCK_EX));
	EXPECT_OK(fcntl(b, F_OFD_SETLK, &fl));
	fl.l_start = 1;
	EXPECT_OK(fcntl(b, F_SETLK, &fl));
	close(a);
	close(b);
}

TEST(argument_errors)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	int ro = ASSERT_OK(open(p, O_RDONLY));
	int path = ASSERT_OK(open(p, O_PATH));

	EXPECT_ERRNO(flock(a, 0), EINVAL);
	EXPECT_ERRNO(flock(a, LOCK_SH | LOCK_EX), EINVAL);
	EXPECT_ERRNO(flock(a, 16), EINVAL);
	EXPECT_ERRNO(flock(-1, 16), EINVAL); /* the op is checked before the fd */
	EXPECT_ERRNO(flock(-1, LOCK_SH), EBADF);
	EXPECT_ERRNO(flock(path, LOCK_SH), EBADF);
	/* unlike fcntl locks, the access mode does not matter */
	EXPECT_OK(flock(ro, LOCK_EX));
	EXPECT_OK(flock(a, LOCK_UN)); /* unlocking nothing is fine */
	close(path);
	close(ro);
	close(a);
}

static volatile sig_atomic_t ticks;
static int tick_pipe = -1;

static void on_tick(int sig)
{
	(void)sig;
	/* the third tick tells the holder it may let go */
	if (++ticks == 3 && tick_pipe >= 0)
		(void)!write(tick_pipe, "t", 1);
}

static void start_ticking(bool restart)
{
	struct sigaction sa = { .sa_handler = on_tick, .sa_flags = restart ? SA_RESTART : 0 };
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };

	sigemptyset(&sa.sa_mask);
	ASSERT_OK(sigaction(SIGALRM, &sa, NULL));
	ASSERT_OK(setitimer(ITIMER_REAL, &it, NULL));
}

static void stop_ticking(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static int blocked_lock_is_interrupted(void *arg)
{
	int r;

	start_ticking(false);
	/* the parent holds the lock forever: only a signal ends this wait */
	r = flock(*(int *)arg, LOCK_EX);
	stop_ticking();
	return r == -1 && errno == EINTR ? 0 : 1;
}

TEST(a_signal_interrupts_a_blocked_flock_with_eintr)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	int b = open_again(p);

	EXPECT_OK(flock(a, LOCK_EX));
	EXPECT_EQ(run_child(blocked_lock_is_interrupted, &b), 0);
	close(a);
	close(b);
}

struct restart_arg {
	int fd, pipe_w;
};

static int blocked_lock_restarts(void *arg)
{
	struct restart_arg *ra = arg;
	int r;

	tick_pipe = ra->pipe_w;
	start_ticking(true);
	r = flock(ra->fd, LOCK_EX);
	stop_ticking();
	return r == 0 ? 0 : 1;
}

TEST(sa_restart_restarts_a_blocked_flock)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	int b = open_again(p);
	struct restart_arg ra = { .fd = b };
	int pfd[2], st;
	pid_t pid;
	char c;

	EXPECT_OK(flock(a, LOCK_EX));
	ASSERT_OK(pipe(pfd));
	ra.pipe_w = pfd[1];
	fflush(NULL);
	pid = ASSERT_OK(fork());
	if (pid == 0)
		_exit(blocked_lock_restarts(&ra));
	close(pfd[1]);
	/* signals have hit the waiting child; it must still be waiting, not failing */
	ASSERT_EQ(read(pfd[0], &c, 1), 1);
	EXPECT_OK(flock(a, LOCK_UN));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	close(pfd[0]);
	close(a);
	close(b);
}

/* Two separate opens of one file of the root filesystem (the gofer's, sandboxed) see
 * each other's locks. */
TEST(locks_on_a_file_of_the_root_filesystem)
{
	int a = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	int b = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_len = 1 };

	if (a < 0 || b < 0)
		SKIP("no /etc/hostname");
	EXPECT_OK(flock(a, LOCK_SH));
	EXPECT_ERRNO(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	EXPECT_OK(flock(b, LOCK_SH | LOCK_NB));
	EXPECT_OK(fcntl(a, F_OFD_SETLK, &fl));
	fl.l_type = F_WRLCK;
	ASSERT_OK(fcntl(b, F_OFD_GETLK, &fl));
	EXPECT_EQ(fl.l_type, F_RDLCK);
	EXPECT_EQ(fl.l_pid, -1);
	close(a);
	close(b);
}
