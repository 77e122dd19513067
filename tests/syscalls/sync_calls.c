// SPDX-License-Identifier: MIT
/*
 * fsync, fdatasync, syncfs, sync and sync_file_range: what they accept and the errors
 * they give for descriptors that cannot be synced.
 */
#include "tests/syscalls/sysutil.h"

TEST(syncing_a_regular_file_and_its_directory_succeeds)
{
	char p[256];
	int fd = tmp_file_with("f", "data", 4, p, sizeof(p));
	int d = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY));

	EXPECT_OK(fsync(fd));
	EXPECT_OK(fdatasync(fd));
	EXPECT_OK(fsync(d));
	EXPECT_OK(syncfs(fd));
	EXPECT_OK(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
	EXPECT_OK(sync_file_range(fd, 0, 4,
				  SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
					  SYNC_FILE_RANGE_WAIT_AFTER));
	sync();
	close(d);
	close(fd);
}

TEST(a_read_only_descriptor_can_be_synced)
{
	char p[256];
	int fd = tmp_file_with("f", "data", 4, p, sizeof(p));
	int ro = ASSERT_OK(open(p, O_RDONLY));

	EXPECT_OK(fsync(ro));
	EXPECT_OK(fdatasync(ro));
	close(ro);
	close(fd);
}

TEST(descriptors_that_cannot_be_synced)
{
	char p[256];
	int fd = tmp_file_with("f", "data", 4, p, sizeof(p));
	int opath = ASSERT_OK(open(p, O_PATH));
	int pfd[2];

	ASSERT_OK(pipe(pfd));
	EXPECT_ERRNO(fsync(-1), EBADF);
	EXPECT_ERRNO(fdatasync(12345), EBADF);
	EXPECT_ERRNO(syncfs(-1), EBADF);
	EXPECT_ERRNO(fsync(opath), EBADF);
	EXPECT_ERRNO(syncfs(opath), EBADF);
	EXPECT_ERRNO(fsync(pfd[0]), EINVAL);
	EXPECT_ERRNO(fdatasync(pfd[1]), EINVAL);
	EXPECT_ERRNO(sync_file_range(pfd[0], 0, 0, SYNC_FILE_RANGE_WRITE), ESPIPE);
	EXPECT_ERRNO(sync_file_range(-1, 0, 0, SYNC_FILE_RANGE_WRITE), EBADF);
	close(pfd[0]);
	close(pfd[1]);
	close(opath);
	close(fd);
}

TEST(sync_file_range_argument_checks)
{
	char p[256];
	int fd = tmp_file_with("f", "data", 4, p, sizeof(p));

	EXPECT_ERRNO(sync_file_range(fd, 0, 0, 8), EINVAL);
	EXPECT_ERRNO(sync_file_range(fd, -1, 0, SYNC_FILE_RANGE_WRITE), EINVAL);
	EXPECT_ERRNO(sync_file_range(fd, 0, -1, SYNC_FILE_RANGE_WRITE), EINVAL);
	EXPECT_ERRNO(sync_file_range(fd, INT64_MAX, 10, SYNC_FILE_RANGE_WRITE), EINVAL);
	/* no flags: nothing to do, nothing wrong */
	EXPECT_OK(sync_file_range(fd, 0, 0, 0));
	close(fd);
}
