// SPDX-License-Identifier: MIT
/*
 * readahead(2) and posix_fadvise/fadvise64(2): hints a kernel may ignore, so what is
 * checked is which descriptors and advice they accept.
 */
#include "tests/syscalls/sysutil.h"

static long fadvise64(int fd, off_t off, off_t len, int advice)
{
	return syscall(SYS_fadvise64, fd, off, len, advice);
}

TEST(fadvise_accepts_every_advice_on_a_file)
{
	char path[256];
	int f = tmp_file_with("f", "abc", 3, path, sizeof(path));

	for (int adv = POSIX_FADV_NORMAL; adv <= POSIX_FADV_NOREUSE; adv++)
		EXPECT_EQ(fadvise64(f, 0, 3, adv), 0);
	EXPECT_EQ(posix_fadvise(f, 0, 0, POSIX_FADV_SEQUENTIAL), 0);
	EXPECT_ERRNO(fadvise64(f, 0, 3, 6), EINVAL);
	EXPECT_ERRNO(fadvise64(f, 0, 3, -1), EINVAL);
	EXPECT_EQ(posix_fadvise(f, 0, 3, 99), EINVAL);
	close(f);
}

TEST(fadvise_on_a_pipe_is_espipe_whatever_the_advice)
{
	int p[2];

	ASSERT_OK(pipe2(p, O_CLOEXEC));
	EXPECT_ERRNO(fadvise64(p[0], 0, 1, POSIX_FADV_WILLNEED), ESPIPE);
	EXPECT_ERRNO(fadvise64(p[1], 0, 1, 99), ESPIPE);
	close(p[0]);
	close(p[1]);
}

TEST(fadvise_needs_an_open_file_not_a_path)
{
	char path[256];
	int f = tmp_file_with("f", "abc", 3, path, sizeof(path));
	int opath = ASSERT_OK(open(path, O_PATH | O_CLOEXEC));
	int wronly = ASSERT_OK(open(path, O_WRONLY | O_CLOEXEC));
	int dir = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));

	EXPECT_ERRNO(fadvise64(999, 0, 1, POSIX_FADV_NORMAL), EBADF);
	EXPECT_ERRNO(fadvise64(opath, 0, 1, POSIX_FADV_NORMAL), EBADF);
	EXPECT_EQ(fadvise64(wronly, 0, 1, POSIX_FADV_DONTNEED), 0);
	EXPECT_EQ(fadvise64(dir, 0, 1, POSIX_FADV_WILLNEED), 0);
	close(f);
	close(opath);
	close(wronly);
	close(dir);
}

TEST(readahead_wants_a_readable_regular_file)
{
	char path[256];
	int f = tmp_file_with("f", "abc", 3, path, sizeof(path));
	int wronly = ASSERT_OK(open(path, O_WRONLY | O_CLOEXEC));
	int opath = ASSERT_OK(open(path, O_PATH | O_CLOEXEC));
	int dir = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	int zero = ASSERT_OK(open("/dev/zero", O_RDONLY | O_CLOEXEC));
	int p[2];

	ASSERT_OK(pipe2(p, O_CLOEXEC));
	EXPECT_EQ(readahead(f, 0, 4096), 0);
	EXPECT_EQ(readahead(f, 1 << 20, 4096), 0);
	EXPECT_ERRNO(readahead(999, 0, 1), EBADF);
	EXPECT_ERRNO(readahead(wronly, 0, 1), EBADF);
	EXPECT_ERRNO(readahead(opath, 0, 1), EBADF);
	EXPECT_ERRNO(readahead(p[0], 0, 1), EINVAL);
	EXPECT_ERRNO(readahead(dir, 0, 1), EINVAL);
	EXPECT_ERRNO(readahead(zero, 0, 1), EINVAL);
	close(p[0]);
	close(p[1]);
	close(f);
	close(wronly);
	close(opath);
	close(dir);
	close(zero);
}
