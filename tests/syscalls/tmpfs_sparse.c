// SPDX-License-Identifier: MIT
/*
 * tmpfs sparse files: holes read as zeros and take no memory (st_blocks counts only
 * written pages), SEEK_DATA/SEEK_HOLE find them at page granularity, truncation and
 * statfs's accounting.
 */
#include "tests/syscalls/tmpfs_util.h"

TEST(holes_read_as_zeros_and_take_no_blocks)
{
	int fd = tmpfs_scratch();
	char buf[8192], zeros[8192] = { 0 };
	struct stat st;

	ASSERT_EQ(pwrite(fd, "A", 1, 10 * PAGE), 1);
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, (off_t)(10 * PAGE + 1));
	EXPECT_EQ(st.st_blocks, 8); /* one 4 KiB page, in 512-byte units */
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 2 * PAGE), (long)sizeof(buf));
	EXPECT_MEMEQ(buf, zeros, sizeof(buf));
	/* reading a hole allocates nothing */
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_blocks, 8);
	ASSERT_EQ(pwrite(fd, "B", 1, 0), 1);
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_blocks, 16);
	close(fd);
}

TEST(seek_data_and_seek_hole_find_pages)
{
	int fd = tmpfs_scratch();

	/* data in pages 1 and 4..5, EOF inside page 7 */
	ASSERT_EQ(pwrite(fd, "x", 1, PAGE + 100), 1);
	ASSERT_EQ(pwrite(fd, "y", 1, 4 * PAGE), 1);
	ASSERT_EQ(pwrite(fd, "z", 1, 5 * PAGE + 4095), 1);
	ASSERT_OK(ftruncate(fd, 7 * PAGE + 10));
	EXPECT_EQ(lseek(fd, 0, SEEK_DATA), (off_t)PAGE);
	EXPECT_EQ(lseek(fd, PAGE + 7, SEEK_DATA), (off_t)(PAGE + 7));
	EXPECT_EQ(lseek(fd, 2 * PAGE, SEEK_DATA), (off_t)(4 * PAGE));
	EXPECT_EQ(lseek(fd, 0, SEEK_HOLE), 0);
	EXPECT_EQ(lseek(fd, PAGE, SEEK_HOLE), (off_t)(2 * PAGE));
	EXPECT_EQ(lseek(fd, 4 * PAGE + 1, SEEK_HOLE), (off_t)(6 * PAGE));
	/* no data after page 5: SEEK_DATA fails, SEEK_HOLE finds the hole or EOF */
	EXPECT_ERRNO(lseek(fd, 6 * PAGE, SEEK_DATA), ENXIO);
	EXPECT_EQ(lseek(fd, 7 * PAGE, SEEK_HOLE), (off_t)(7 * PAGE));
	/* at or past EOF, or negative: ENXIO */
	EXPECT_ERRNO(lseek(fd, 7 * PAGE + 10, SEEK_HOLE), ENXIO);
	EXPECT_ERRNO(lseek(fd, 100 * PAGE, SEEK_DATA), ENXIO);
	EXPECT_ERRNO(lseek(fd, -1, SEEK_DATA), ENXIO);
	/* the file position moved to the last answer */
	EXPECT_EQ(lseek(fd, 0, SEEK_DATA), (off_t)PAGE);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), (off_t)PAGE);
	close(fd);
}

TEST(an_all_data_file_has_its_hole_at_eof)
{
	int fd = tmpfs_scratch();
	char buf[3 * PAGE];

	memset(buf, 'd', sizeof(buf));
	ASSERT_EQ(write(fd, buf, sizeof(buf)), (long)sizeof(buf));
	EXPECT_EQ(lseek(fd, 0, SEEK_DATA), 0);
	EXPECT_EQ(lseek(fd, 0, SEEK_HOLE), (off_t)sizeof(buf));
	close(fd);
}

TEST(truncate_frees_pages_and_the_tail_reads_zero_after_growing)
{
	int fd = tmpfs_scratch();
	char buf[PAGE];
	struct stat st;

	memset(buf, 'q', sizeof(buf));
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(write(fd, buf, sizeof(buf)), (long)sizeof(buf));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_blocks, 32);
	ASSERT_OK(ftruncate(fd, PAGE + 10));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_blocks, 16);
	ASSERT_OK(ftruncate(fd, 3 * PAGE));
	ASSERT_EQ(pread(fd, buf, 20, PAGE), 20);
	EXPECT_EQ(buf[9], 'q');
	EXPECT_EQ(buf[10], 0);
	/* growing by truncate allocates nothing */
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_blocks, 16);
	close(fd);
}

/* Exact accounting needs a private tmpfs (tests/unit/fs/test_tmpfs_limits.c): here
 * others may use the same one at once, so only the invariants are checked. */
TEST(statfs_reports_a_consistent_tmpfs)
{
	char dir[200];
	struct statfs sf;

	tmpfs_dir(dir, sizeof(dir));
	ASSERT_OK(statfs(dir, &sf));
	EXPECT_EQ(sf.f_type, TMPFS_MAGIC);
	EXPECT_EQ(sf.f_bsize, (long)PAGE);
	EXPECT_GT(sf.f_blocks, 0);
	EXPECT_LE(sf.f_bfree, sf.f_blocks);
	EXPECT_EQ(sf.f_bavail, sf.f_bfree);
	EXPECT_LE(sf.f_ffree, sf.f_files);
	EXPECT_EQ(sf.f_namelen, 255);
}
