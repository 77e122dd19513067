// SPDX-License-Identifier: MIT
/*
 * dup/dup2/dup3, fcntl (descriptor flags, status flags, F_DUPFD*, record-lock queries) and
 * close_range: the fd table's rules.
 */
#include <linux/close_range.h>

#include "tests/syscalls/sysutil.h"

static int fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

TEST(dup_returns_the_lowest_free_fd_and_shares_the_offset)
{
	char p[256];
	int fd = tmp_file_with("f", "0123456789", 10, p, sizeof(p));
	int hole = ASSERT_OK(open("/dev/null", O_RDONLY));
	int guard = ASSERT_OK(open("/dev/null", O_RDONLY));
	int d;
	char c;

	close(hole);
	d = ASSERT_OK(dup(fd));
	EXPECT_EQ(d, hole);
	EXPECT_EQ(read(fd, &c, 1), 1);
	EXPECT_EQ(lseek(d, 0, SEEK_CUR), 1);
	EXPECT_EQ(lseek(d, 5, SEEK_SET), 5);
	EXPECT_EQ(read(fd, &c, 1), 1);
	EXPECT_EQ(c, '5');
	close(d);
	close(guard);
	close(fd);
}

TEST(dup_does_not_copy_fd_cloexec)
{
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY | O_CLOEXEC));
	int d = ASSERT_OK(dup(fd));

	EXPECT_EQ(fcntl(d, F_GETFD), 0);
	close(d);
	close(fd);
}

TEST(dup2_onto_an_open_fd_closes_it_first)
{
	char p[256];
	int a = tmp_file_with("a", "A", 1, p, sizeof(p));
	int b = tmp_file_with("b", "B", 1, p, sizeof(p));
	char c = 0;

	EXPECT_EQ(dup2(a, b), b);
	EXPECT_EQ(read(b, &c, 1), 1);
	EXPECT_EQ(c, 'A');
	close(a);
	close(b);
}

TEST(dup2_to_itself_returns_the_fd_or_ebadf)
{
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY | O_CLOEXEC));

	EXPECT_EQ(dup2(fd, fd), fd);
	/* dup2 to itself leaves FD_CLOEXEC alone. */
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	EXPECT_ERRNO(dup2(fd, fd), EBADF);
}

TEST(dup2_and_dup3_argument_errors)
{
	struct rlimit rl;
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY));

	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_ERRNO(dup2(-1, 50), EBADF);
	EXPECT_ERRNO(dup2(fd, -1), EBADF);
	EXPECT_ERRNO(dup2(fd, (int)rl.rlim_cur), EBADF);
	EXPECT_ERRNO(dup3(fd, fd, 0), EINVAL);
	EXPECT_ERRNO(dup3(fd, 50, O_RDWR), EINVAL);
	close(fd);
}

TEST(dup3_with_o_cloexec_sets_fd_cloexec)
{
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY));

	EXPECT_EQ(dup3(fd, 60, O_CLOEXEC), 60);
	EXPECT_EQ(fcntl(60, F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(dup3(fd, 61, 0), 61);
	EXPECT_EQ(fcntl(61, F_GETFD), 0);
	close(60);
	close(61);
	close(fd);
}

TEST(dup2_to_a_high_fd_within_the_limit)
{
	struct rlimit rl;
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY));
	int high;

	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	high = (int)(rl.rlim_cur > 1000 ? 1000 : rl.rlim_cur - 1);
	EXPECT_EQ(dup2(fd, high), high);
	EXPECT_TRUE(fd_is_open(high));
	close(high);
	EXPECT_FALSE(fd_is_open(high));
	close(fd);
}

TEST(fcntl_f_setfd_and_f_getfd)
{
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY));

	EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	EXPECT_OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	EXPECT_OK(fcntl(fd, F_SETFD, 0));
	EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	close(fd);
}

TEST(fcntl_f_getfl_reports_access_mode_and_status_flags)
{
	char p[256];
	int fd = tmp_file_with("f", NULL, 0, p, sizeof(p));
	int a = ASSERT_OK(open(p, O_WRONLY | O_APPEND));
	int r = ASSERT_OK(open(p, O_RDONLY | O_NONBLOCK));
	int o = ASSERT_OK(open(p, O_PATH));

	EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	EXPECT_EQ(fcntl(a, F_GETFL) & (O_ACCMODE | O_APPEND), O_WRONLY | O_APPEND);
	EXPECT_EQ(fcntl(r, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY | O_NONBLOCK);
	EXPECT_EQ(fcntl(o, F_GETFL) & O_PATH, O_PATH);
	/* Creation flags are not kept. */
	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_CREAT | O_TRUNC | O_EXCL | O_CLOEXEC), 0);
	close(fd);
	close(a);
	close(r);
	close(o);
}

TEST(fcntl_f_setfl_changes_status_flags_but_not_the_access_mode)
{
	char p[256];
	int fd = tmp_file_with("f", "abc", 3, p, sizeof(p));
	int ro = ASSERT_OK(open(p, O_RDONLY));
	char buf[8] = { 0 };

	EXPECT_OK(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK);
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(write(fd, "d", 1), 1);
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 4);
	EXPECT_STREQ(buf, "abcd");
	EXPECT_OK(fcntl(fd, F_SETFL, 0));
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_APPEND, 0);
	EXPECT_OK(fcntl(ro, F_SETFL, O_RDWR));
	EXPECT_EQ(fcntl(ro, F_GETFL) & O_ACCMODE, O_RDONLY);
	EXPECT_ERRNO(write(ro, "x", 1), EBADF);
	close(fd);
	close(ro);
}

TEST(fcntl_status_flags_are_shared_by_dups_fd_flags_are_not)
{
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY));
	int d = ASSERT_OK(dup(fd));

	EXPECT_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
	EXPECT_OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
	EXPECT_EQ(fcntl(d, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	EXPECT_EQ(fcntl(d, F_GETFD), 0);
	close(fd);
	close(d);
}

TEST(fcntl_f_dupfd_picks_the_lowest_fd_at_or_above_arg)
{
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY));
	int base = 40, a, b, c;
	struct rlimit rl;

	/* Start at three free fds in a row, whatever the test runner left open. */
	while (fd_is_open(base) || fd_is_open(base + 1) || fd_is_open(base + 2))
		base++;
	a = ASSERT_OK(fcntl(fd, F_DUPFD, base));
	b = ASSERT_OK(fcntl(fd, F_DUPFD, base));
	c = ASSERT_OK(fcntl(fd, F_DUPFD_CLOEXEC, base));
	EXPECT_EQ(a, base);
	EXPECT_EQ(b, base + 1);
	EXPECT_EQ(c, base + 2);
	EXPECT_EQ(fcntl(a, F_GETFD), 0);
	EXPECT_EQ(fcntl(c, F_GETFD), FD_CLOEXEC);
	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_ERRNO(fcntl(fd, F_DUPFD, (int)rl.rlim_cur), EINVAL);
	EXPECT_ERRNO(fcntl(fd, F_DUPFD, -1), EINVAL);
	close(a);
	close(b);
	close(c);
	close(fd);
}

TEST(fcntl_on_a_bad_fd_is_ebadf_and_bad_cmd_is_einval)
{
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY));

	EXPECT_ERRNO(fcntl(-1, F_GETFD), EBADF);
	EXPECT_ERRNO(fcntl(1000000, F_GETFL), EBADF);
	EXPECT_ERRNO(fcntl(fd, 123456), EINVAL);
	close(fd);
}

TEST(fcntl_f_getlk_reports_no_conflict_with_own_lock)
{
	char p[256];
	int fd = tmp_file_with("f", "0123456789", 10, p, sizeof(p));
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 5 };

	EXPECT_OK(fcntl(fd, F_SETLK, &fl));
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	EXPECT_OK(fcntl(fd, F_GETLK, &fl));
	EXPECT_EQ(fl.l_type, F_UNLCK);
	fl = (struct flock){ .l_type = F_UNLCK, .l_whence = SEEK_SET };
	EXPECT_OK(fcntl(fd, F_SETLK, &fl));
	fl = (struct flock){ .l_type = 42, .l_whence = SEEK_SET };
	EXPECT_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
	close(fd);
}

TEST(write_lock_on_a_read_only_fd_is_ebadf)
{
	int fd = ASSERT_OK(open("/etc/passwd", O_RDONLY));
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	EXPECT_ERRNO(fcntl(fd, F_SETLK, &fl), EBADF);
	close(fd);
}

TEST(close_range_closes_a_range)
{
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY));

	ASSERT_EQ(dup2(fd, 70), 70);
	ASSERT_EQ(dup2(fd, 71), 71);
	ASSERT_EQ(dup2(fd, 73), 73);
	EXPECT_OK(syscall(SYS_close_range, 70, 72, 0));
	EXPECT_FALSE(fd_is_open(70));
	EXPECT_FALSE(fd_is_open(71));
	EXPECT_TRUE(fd_is_open(73));
	EXPECT_OK(syscall(SYS_close_range, 73, ~0U, CLOSE_RANGE_CLOEXEC));
	EXPECT_EQ(fcntl(73, F_GETFD), FD_CLOEXEC);
	EXPECT_ERRNO(syscall(SYS_close_range, 72, 70, 0), EINVAL);
	close(73);
	close(fd);
}

/* Not fd 0: a test runner may start us without standard input. */
TEST(stdout_and_stderr_are_open)
{
	EXPECT_TRUE(fd_is_open(1));
	EXPECT_TRUE(fd_is_open(2));
}
