// SPDX-License-Identifier: MIT
/*
 * fallocate(2) on tmpfs: allocation with and without FALLOC_FL_KEEP_SIZE, punching
 * holes, the modes Linux's tmpfs rejects, and the generic argument checks.
 */
#include <linux/falloc.h>

#include "tests/syscalls/tmpfs_util.h"

TEST(allocation_extends_the_size_unless_keep_size)
{
	int fd = tmpfs_scratch();
	struct stat st;
	char c = 1;

	ASSERT_OK(fallocate(fd, 0, PAGE, 2 * PAGE));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, (off_t)(3 * PAGE));
	EXPECT_EQ(st.st_blocks, 16);
	ASSERT_EQ(pread(fd, &c, 1, PAGE), 1);
	EXPECT_EQ(c, 0);
	ASSERT_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 3 * PAGE, 5 * PAGE));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, (off_t)(3 * PAGE));
	EXPECT_EQ(st.st_blocks, 56);
	/* allocating what is there already changes nothing */
	ASSERT_OK(fallocate(fd, 0, 0, 10));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_blocks, 64);
	EXPECT_EQ(st.st_size, (off_t)(3 * PAGE));
	close(fd);
}

TEST(punch_hole_frees_whole_pages_and_zeroes_partial_ones)
{
	int fd = tmpfs_scratch();
	static char buf[4 * PAGE], back[4 * PAGE];
	struct stat st;

	memset(buf, 'p', sizeof(buf));
	ASSERT_EQ(write(fd, buf, sizeof(buf)), (long)sizeof(buf));
	/* from the middle of page 0 to the middle of page 3 */
	ASSERT_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 3 * PAGE));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, (off_t)sizeof(buf));
	EXPECT_EQ(st.st_blocks, 16); /* pages 1 and 2 went */
	ASSERT_EQ(pread(fd, back, sizeof(back), 0), (long)sizeof(back));
	for (size_t i = 0; i < sizeof(back); i++) {
		char want = (i < 100 || i >= 100 + 3 * PAGE) ? 'p' : 0;

		if (back[i] != want) {
			EXPECT_EQ(back[i], want);
			break;
		}
	}
	EXPECT_EQ(lseek(fd, 0, SEEK_HOLE), (off_t)PAGE);
	EXPECT_EQ(lseek(fd, PAGE, SEEK_DATA), (off_t)(3 * PAGE));
	/* within one page, and past EOF: no size change */
	ASSERT_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 10, 5));
	ASSERT_EQ(pread(fd, back, 16, 0), 16);
	EXPECT_EQ(back[9], 'p');
	EXPECT_EQ(back[10], 0);
	EXPECT_EQ(back[15], 'p');
	ASSERT_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 10 * PAGE, PAGE));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, (off_t)sizeof(buf));
	close(fd);
}

TEST(modes_tmpfs_does_not_support)
{
	int fd = tmpfs_scratch();

	ASSERT_OK(ftruncate(fd, 4 * PAGE));
	/* punching must keep the size */
	EXPECT_ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, PAGE), EOPNOTSUPP);
	EXPECT_ERRNO(fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, PAGE), EOPNOTSUPP);
	EXPECT_ERRNO(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, PAGE), EOPNOTSUPP);
	EXPECT_ERRNO(fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, PAGE), EOPNOTSUPP);
	EXPECT_ERRNO(fallocate(fd, 0x4000, 0, PAGE), EOPNOTSUPP);
	close(fd);
}

TEST(argument_and_descriptor_errors)
{
	int fd = tmpfs_scratch();
	char dir[200];
	int ro, d, p[2];

	EXPECT_ERRNO(fallocate(fd, 0, -1, PAGE), EINVAL);
	EXPECT_ERRNO(fallocate(fd, 0, 0, 0), EINVAL);
	EXPECT_ERRNO(fallocate(fd, 0, 0, -5), EINVAL);
	EXPECT_ERRNO(fallocate(fd, 0, INT64_MAX - 10, 100), EFBIG);
	EXPECT_ERRNO(fallocate(-1, 0, 0, PAGE), EBADF);
	ro = ASSERT_OK(open("/dev/null", O_RDONLY));
	EXPECT_ERRNO(fallocate(ro, 0, 0, PAGE), EBADF);
	close(ro);
	d = ASSERT_OK(open(tmpfs_dir(dir, sizeof(dir)), O_RDONLY | O_DIRECTORY));
	EXPECT_ERRNO(fallocate(d, 0, 0, PAGE), EBADF);
	close(d);
	ASSERT_OK(pipe(p));
	EXPECT_ERRNO(fallocate(p[1], 0, 0, PAGE), ESPIPE);
	close(p[0]);
	close(p[1]);
	close(fd);
}

TEST(allocated_but_unwritten_pages_are_holes_to_seek_data)
{
	int fd = tmpfs_scratch();
	struct stat st;

	ASSERT_OK(fallocate(fd, 0, 0, 4 * PAGE));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_blocks, 32);
	EXPECT_ERRNO(lseek(fd, 0, SEEK_DATA), ENXIO);
	EXPECT_EQ(lseek(fd, 0, SEEK_HOLE), 0);
	/* one byte written makes its page data */
	ASSERT_EQ(pwrite(fd, "w", 1, 2 * PAGE + 5), 1);
	EXPECT_EQ(lseek(fd, 0, SEEK_DATA), (off_t)(2 * PAGE));
	EXPECT_EQ(lseek(fd, 2 * PAGE, SEEK_HOLE), (off_t)(3 * PAGE));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_blocks, 32);
	close(fd);
}
