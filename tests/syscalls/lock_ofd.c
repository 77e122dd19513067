// SPDX-License-Identifier: MIT
/*
 * Open file description locks (F_OFD_SETLK/SETLKW/GETLK): owned by the description,
 * so two opens in one process conflict, closing another descriptor of the file keeps
 * them, they conflict with POSIX locks, and F_GETLK reports their pid as -1.
 */
#include "tests/syscalls/sysutil.h"

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

TEST(two_descriptions_in_one_process_conflict)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	int b = ASSERT_OK(open(p, O_RDWR));
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

	EXPECT_OK(lk(a, F_OFD_SETLK, F_WRLCK, 0, 10));
	EXPECT_ERRNO(lk(b, F_OFD_SETLK, F_RDLCK, 5, 1), EAGAIN);
	EXPECT_OK(lk(b, F_OFD_SETLK, F_WRLCK, 10, 10));
	ASSERT_OK(fcntl(b, F_OFD_GETLK, &fl));
	EXPECT_EQ(fl.l_type, F_WRLCK);
	EXPECT_EQ(fl.l_start, 0);
	EXPECT_EQ(fl.l_len, 10);
	EXPECT_EQ(fl.l_pid, -1);
	/* the same description may relock and convert its own range */
	EXPECT_OK(lk(a, F_OFD_SETLK, F_RDLCK, 0, 10));
	EXPECT_OK(lk(b, F_OFD_SETLK, F_RDLCK, 0, 5));
	close(a);
	close(b);
}

TEST(l_pid_must_be_zero)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = getpid() };

	EXPECT_ERRNO(fcntl(a, F_OFD_SETLK, &fl), EINVAL);
	EXPECT_ERRNO(fcntl(a, F_OFD_SETLKW, &fl), EINVAL);
	EXPECT_ERRNO(fcntl(a, F_OFD_GETLK, &fl), EINVAL);
	close(a);
}

TEST(ofd_and_posix_locks_conflict_and_getlk_reports_pid_minus_one)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	int b = ASSERT_OK(open(p, O_RDWR));
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };

	EXPECT_OK(lk(a, F_OFD_SETLK, F_WRLCK, 0, 1));
	EXPECT_ERRNO(lk(b, F_SETLK, F_WRLCK, 0, 1), EAGAIN);
	ASSERT_OK(fcntl(b, F_GETLK, &fl));
	EXPECT_EQ(fl.l_type, F_WRLCK);
	EXPECT_EQ(fl.l_pid, -1);
	/* and the other way round: a POSIX lock of this process blocks an OFD lock */
	EXPECT_OK(lk(b, F_SETLK, F_WRLCK, 1, 1));
	EXPECT_ERRNO(lk(a, F_OFD_SETLK, F_WRLCK, 1, 1), EAGAIN);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 1, .l_len = 1 };
	ASSERT_OK(fcntl(a, F_OFD_GETLK, &fl));
	EXPECT_EQ(fl.l_pid, getpid());
	close(a);
	close(b);
}

TEST(closing_another_descriptor_keeps_ofd_locks_but_drops_posix_ones)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	int b = ASSERT_OK(open(p, O_RDWR));
	int other;

	EXPECT_OK(lk(a, F_OFD_SETLK, F_WRLCK, 0, 1));
	EXPECT_OK(lk(a, F_SETLK, F_WRLCK, 1, 1));
	other = ASSERT_OK(open(p, O_RDONLY));
	close(other);
	EXPECT_ERRNO(lk(b, F_OFD_SETLK, F_WRLCK, 0, 1), EAGAIN);
	EXPECT_OK(lk(b, F_OFD_SETLK, F_WRLCK, 1, 1));
	close(a);
	/* the description's last descriptor takes its OFD locks with it */
	EXPECT_OK(lk(b, F_OFD_SETLK, F_WRLCK, 0, 1));
	close(b);
}

TEST(a_forked_child_shares_the_ofd_lock)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	int b = ASSERT_OK(open(p, O_RDWR));
	int st;
	pid_t pid;

	EXPECT_OK(lk(a, F_OFD_SETLK, F_WRLCK, 0, 0));
	fflush(NULL);
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		/* same owner: no conflict; then unlock for both processes */
		if (lk(a, F_OFD_SETLKW, F_WRLCK, 0, 0) < 0)
			_exit(1);
		_exit(lk(a, F_OFD_SETLK, F_UNLCK, 0, 0) < 0 ? 2 : 0);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	EXPECT_OK(lk(b, F_OFD_SETLK, F_WRLCK, 0, 0));
	close(a);
	close(b);
}

TEST(setlkw_waits_for_the_holder)
{
	char p[256];
	int a = tmp_file_with("f", "x", 1, p, sizeof(p));
	int b = ASSERT_OK(open(p, O_RDWR));
	int st;
	pid_t pid;

	EXPECT_OK(lk(a, F_OFD_SETLK, F_WRLCK, 0, 0));
	fflush(NULL);
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		close(a); /* the parent's copy still holds the description */
		_exit(lk(b, F_OFD_SETLKW, F_WRLCK, 0, 0) == 0 ? 0 : 1);
	}
	EXPECT_OK(lk(a, F_OFD_SETLK, F_UNLCK, 0, 0));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	close(a);
	close(b);
}
