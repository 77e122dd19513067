// SPDX-License-Identifier: MIT
/*
 * copy_file_range(2): positions or offset pointers (updated in place), the copy cut at
 * the input's end, a large copy checked by checksum, copies within one file (overlap is
 * EINVAL), across filesystems (EXDEV exactly when st_dev differs) and every refused
 * argument.
 */
#include "tests/syscalls/splice_util.h"

static ssize_t cfr(int in, loff_t *oin, int out, loff_t *oout, size_t len, unsigned flags)
{
	return copy_file_range(in, oin, out, oout, len, flags);
}

TEST(null_offsets_use_and_move_both_positions)
{
	char ip[256], op[256], buf[32] = { 0 };
	int in = tmp_file_with("in", "copy file range", 15, ip, sizeof(ip));
	int out = tmp_file_with("out", NULL, 0, op, sizeof(op));

	ASSERT_OK(lseek(in, 5, SEEK_SET));
	EXPECT_EQ(cfr(in, NULL, out, NULL, 4, 0), 4);
	EXPECT_EQ(lseek(in, 0, SEEK_CUR), 9);
	EXPECT_EQ(lseek(out, 0, SEEK_CUR), 4);
	EXPECT_EQ(cfr(in, NULL, out, NULL, 100, 0), 6);
	EXPECT_EQ(cfr(in, NULL, out, NULL, 100, 0), 0);
	EXPECT_EQ(pread(out, buf, sizeof(buf), 0), 10);
	EXPECT_STREQ(buf, "file range");
	close(in);
	close(out);
}

TEST(offset_pointers_are_updated_and_positions_stay)
{
	static const char hole_then_789[15] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
						'i', 'j', 0,   0,   '7', '8', '9' };
	char ip[256], op[256], buf[32] = { 0 };
	int in = tmp_file_with("in", "0123456789", 10, ip, sizeof(ip));
	int out = tmp_file_with("out", "abcdefghij", 10, op, sizeof(op));
	loff_t oin = 7, oout = 12;

	EXPECT_EQ(cfr(in, &oin, out, &oout, 100, 0), 3);
	EXPECT_EQ(oin, 10);
	EXPECT_EQ(oout, 15);
	EXPECT_EQ(lseek(in, 0, SEEK_CUR), 0);
	EXPECT_EQ(lseek(out, 0, SEEK_CUR), 0);
	/* writing past the end leaves a hole of zeros */
	EXPECT_EQ(pread(out, buf, sizeof(buf), 0), 15);
	EXPECT_MEMEQ(buf, hole_then_789, sizeof(hole_then_789));
	oin = 10;
	EXPECT_EQ(cfr(in, &oin, out, NULL, 5, 0), 0);
	EXPECT_EQ(oin, 10);
	close(in);
	close(out);
}

TEST(within_one_file_apart_works_overlapping_is_einval)
{
	char path[256], buf[32] = { 0 };
	int f = tmp_file_with("f", "abcdefghij", 10, path, sizeof(path));
	loff_t a = 0, b = 2;

	EXPECT_ERRNO(cfr(f, &a, f, &b, 5, 0), EINVAL);
	a = 0;
	b = 5;
	EXPECT_EQ(cfr(f, &a, f, &b, 5, 0), 5);
	EXPECT_EQ(pread(f, buf, sizeof(buf), 0), 10);
	EXPECT_STREQ(buf, "abcdeabcde");
	/* overlap is judged on the length cut at the end of the input */
	a = 8;
	b = 0;
	EXPECT_EQ(cfr(f, &a, f, &b, 100, 0), 2);
	close(f);
}

TEST(a_large_copy_is_whole)
{
	const size_t len = (16u << 20) + 777;
	char ip[256], op[256];
	int in = pattern_file("in", len, ip, sizeof(ip));
	int out = tmp_file_with("out", NULL, 0, op, sizeof(op));
	size_t done = 0;
	ssize_t n;

	while ((n = cfr(in, NULL, out, NULL, len, 0)) > 0)
		done += (size_t)n;
	EXPECT_EQ(n, 0);
	EXPECT_EQ(done, len);
	ASSERT_OK(lseek(out, 0, SEEK_SET));
	EXPECT_EQ(csum_fd(out, len), csum_pattern(len));
	close(in);
	close(out);
}

TEST(across_filesystems_only_when_the_kernel_allows)
{
	char op[256];
	int out = tmp_file_with("out", NULL, 0, op, sizeof(op));
	int in = ASSERT_OK(open("/etc/passwd", O_RDONLY | O_CLOEXEC));
	struct stat si, so;

	ASSERT_OK(fstat(in, &si));
	ASSERT_OK(fstat(out, &so));
	if (si.st_dev == so.st_dev)
		EXPECT_GT(cfr(in, NULL, out, NULL, 16, 0), 0);
	else
		EXPECT_ERRNO(cfr(in, NULL, out, NULL, 16, 0), EXDEV);
	close(in);
	close(out);
}

TEST(refused_arguments)
{
	char ip[256], op[256], ap[256];
	int in = tmp_file_with("in", "hello", 5, ip, sizeof(ip));
	int out = tmp_file_with("out", NULL, 0, op, sizeof(op));
	int app =
		ASSERT_OK(open(tmp_path(ap, sizeof(ap), "app"), O_RDWR | O_CREAT | O_APPEND, 0600));
	int wronly = ASSERT_OK(open(ip, O_WRONLY | O_CLOEXEC));
	int rdonly = ASSERT_OK(open(op, O_RDONLY | O_CLOEXEC));
	int dir = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	int opath = ASSERT_OK(open(ip, O_PATH | O_CLOEXEC));
	int null = ASSERT_OK(open("/dev/null", O_RDWR | O_CLOEXEC));
	int p[2];
	loff_t off;

	ASSERT_OK(pipe2(p, O_CLOEXEC));
	EXPECT_ERRNO(cfr(999, NULL, out, NULL, 1, 0), EBADF);
	EXPECT_ERRNO(cfr(in, NULL, 999, NULL, 1, 0), EBADF);
	EXPECT_ERRNO(cfr(opath, NULL, out, NULL, 1, 0), EBADF);
	EXPECT_ERRNO(cfr(in, NULL, out, NULL, 1, 1), EINVAL);
	EXPECT_ERRNO(cfr(in, (loff_t *)unmapped_page(), out, NULL, 1, 0), EFAULT);
	EXPECT_ERRNO(cfr(in, NULL, out, (loff_t *)unmapped_page(), 1, 0), EFAULT);
	/* a bad pointer is found before the flags are looked at */
	EXPECT_ERRNO(cfr(in, (loff_t *)unmapped_page(), out, NULL, 1, 1), EFAULT);
	EXPECT_ERRNO(cfr(dir, NULL, out, NULL, 1, 0), EISDIR);
	EXPECT_ERRNO(cfr(in, NULL, dir, NULL, 1, 0), EISDIR);
	EXPECT_ERRNO(cfr(p[0], NULL, out, NULL, 1, 0), EINVAL);
	EXPECT_ERRNO(cfr(in, NULL, p[1], NULL, 1, 0), EINVAL);
	EXPECT_ERRNO(cfr(null, NULL, out, NULL, 1, 0), EINVAL);
	EXPECT_ERRNO(cfr(in, NULL, app, NULL, 1, 0), EBADF);
	EXPECT_ERRNO(cfr(wronly, NULL, out, NULL, 1, 0), EBADF);
	EXPECT_ERRNO(cfr(in, NULL, rdonly, NULL, 1, 0), EBADF);
	off = -1;
	EXPECT_ERRNO(cfr(in, &off, out, NULL, 1, 0), EOVERFLOW);
	EXPECT_EQ(off, -1);
	EXPECT_EQ(cfr(in, NULL, out, NULL, 0, 0), 0);
	EXPECT_EQ(lseek(in, 0, SEEK_CUR), 0);
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
	close(app);
	close(wronly);
	close(rdonly);
	close(dir);
	close(opath);
	close(null);
}
