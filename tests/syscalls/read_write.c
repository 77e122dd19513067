// SPDX-License-Identifier: MIT
/*
 * read/write/pread/pwrite/readv/writev/preadv/pwritev/lseek/ftruncate on regular files in a
 * private temp dir and on /dev/{null,zero,full}.
 */
#include <limits.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "tests/syscalls/sysutil.h"

static const char hello[] = "hello, warden";

TEST(write_then_read_back_same_bytes)
{
	char path[256], buf[64] = { 0 };
	int fd = tmp_file_with("f", NULL, 0, path, sizeof(path));

	EXPECT_EQ(write(fd, hello, sizeof(hello)), sizeof(hello));
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), sizeof(hello));
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), sizeof(hello));
	EXPECT_STREQ(buf, hello);
	close(fd);
}

TEST(read_at_eof_returns_zero)
{
	char path[256], buf[8];
	int fd = tmp_file_with("f", "ab", 2, path, sizeof(path));

	EXPECT_EQ(read(fd, buf, sizeof(buf)), 2);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
	close(fd);
}

TEST(zero_length_read_and_write_return_zero)
{
	char path[256], buf[1];
	int fd = tmp_file_with("f", "ab", 2, path, sizeof(path));

	EXPECT_EQ(read(fd, buf, 0), 0);
	EXPECT_EQ(write(fd, buf, 0), 0);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
	close(fd);
}

TEST(short_read_returns_only_what_the_file_has)
{
	char path[256], buf[100];
	int fd = tmp_file_with("f", hello, 5, path, sizeof(path));

	EXPECT_EQ(lseek(fd, 3, SEEK_SET), 3);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 2);
	EXPECT_MEMEQ(buf, "lo", 2);
	close(fd);
}

TEST(large_write_and_read_of_one_mib)
{
	size_t len = 1 << 20, i;
	char path[256];
	unsigned char *a = malloc(len), *b = malloc(len);
	int fd = tmp_file_with("big", NULL, 0, path, sizeof(path));
	ssize_t got = 0, n;

	ASSERT_TRUE(a && b);
	for (i = 0; i < len; i++)
		a[i] = (unsigned char)(i * 7 + (i >> 12));
	EXPECT_EQ(write(fd, a, len), (long)len);
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	while ((n = read(fd, b + got, len - (size_t)got)) > 0)
		got += n;
	EXPECT_EQ(got, (long)len);
	EXPECT_MEMEQ(a, b, len);
	free(a);
	free(b);
	close(fd);
}

TEST(pread_pwrite_do_not_move_the_offset)
{
	char path[256], buf[8] = { 0 };
	int fd = tmp_file_with("f", "0123456789", 10, path, sizeof(path));

	EXPECT_EQ(lseek(fd, 2, SEEK_SET), 2);
	EXPECT_EQ(pread(fd, buf, 3, 5), 3);
	EXPECT_MEMEQ(buf, "567", 3);
	EXPECT_EQ(pwrite(fd, "ab", 2, 8), 2);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 2);
	EXPECT_EQ(pread(fd, buf, 8, 6), 4);
	EXPECT_MEMEQ(buf, "67ab", 4);
	close(fd);
}

TEST(pwrite_past_eof_leaves_a_zero_filled_hole)
{
	char path[256], buf[16];
	struct stat st;
	int fd = tmp_file_with("f", "ab", 2, path, sizeof(path));

	EXPECT_EQ(pwrite(fd, "z", 1, 10), 1);
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 11);
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 11);
	EXPECT_MEMEQ(buf, "ab\0\0\0\0\0\0\0\0z", 11);
	close(fd);
}

TEST(pread_with_negative_offset_is_einval)
{
	char path[256], buf[4];
	int fd = tmp_file_with("f", "ab", 2, path, sizeof(path));

	EXPECT_ERRNO(pread(fd, buf, 1, -1), EINVAL);
	EXPECT_ERRNO(pwrite(fd, buf, 1, -1), EINVAL);
	close(fd);
}

TEST(writev_gathers_and_readv_scatters_in_order)
{
	char path[256], a[3], b[4], c[20];
	struct iovec out[3] = {
		{ "one", 3 },
		{ "", 0 },
		{ "twothree", 8 },
	};
	struct iovec in[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	int fd = tmp_file_with("f", NULL, 0, path, sizeof(path));

	EXPECT_EQ(writev(fd, out, 3), 11);
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(readv(fd, in, 3), 11);
	EXPECT_MEMEQ(a, "one", 3);
	EXPECT_MEMEQ(b, "twot", 4);
	EXPECT_MEMEQ(c, "hree", 4);
	close(fd);
}

TEST(preadv_pwritev_use_the_given_offset)
{
	char path[256], a[2], b[2];
	struct iovec out[2] = { { "XY", 2 }, { "Z", 1 } };
	struct iovec in[2] = { { a, 2 }, { b, 2 } };
	int fd = tmp_file_with("f", "0123456789", 10, path, sizeof(path));

	EXPECT_EQ(pwritev(fd, out, 2, 4), 3);
	EXPECT_EQ(preadv(fd, in, 2, 3), 4);
	EXPECT_MEMEQ(a, "3X", 2);
	EXPECT_MEMEQ(b, "YZ", 2);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
	close(fd);
}

TEST(readv_writev_reject_bad_iovec_counts)
{
	char path[256], buf[4];
	struct iovec iov = { buf, sizeof(buf) };
	int fd = tmp_file_with("f", "ab", 2, path, sizeof(path));

	/* Raw syscalls: the compiler rightly objects to these through the libc prototypes. */
	EXPECT_ERRNO(syscall(SYS_readv, fd, &iov, -1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_writev, fd, &iov, -1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_readv, fd, &iov, IOV_MAX + 1), EINVAL);
	EXPECT_EQ(readv(fd, &iov, 0), 0);
	close(fd);
}

TEST(writev_rejects_an_iov_len_above_ssize_max)
{
	char path[256];
	struct iovec iov[2] = { { (void *)hello, 1 }, { (void *)hello, (size_t)SSIZE_MAX + 1 } };
	int fd = tmp_file_with("f", NULL, 0, path, sizeof(path));

	EXPECT_ERRNO(writev(fd, iov, 2), EINVAL);
	EXPECT_EQ(lseek(fd, 0, SEEK_END), 0); /* nothing was written */
	close(fd);
}

TEST(o_append_writes_always_go_to_the_end)
{
	char path[256], buf[16] = { 0 };
	int fd = tmp_file_with("f", "abc", 3, path, sizeof(path));
	int afd;

	close(fd);
	afd = ASSERT_OK(open(path, O_RDWR | O_APPEND));
	EXPECT_EQ(lseek(afd, 0, SEEK_SET), 0);
	EXPECT_EQ(write(afd, "de", 2), 2);
	EXPECT_EQ(lseek(afd, 0, SEEK_CUR), 5);
	EXPECT_EQ(pread(afd, buf, sizeof(buf), 0), 5);
	EXPECT_STREQ(buf, "abcde");
	close(afd);
}

TEST(read_or_write_against_the_open_mode_is_ebadf)
{
	char path[256], buf[4];
	int fd = tmp_file_with("f", "ab", 2, path, sizeof(path));
	int ro, wo;

	close(fd);
	ro = ASSERT_OK(open(path, O_RDONLY));
	wo = ASSERT_OK(open(path, O_WRONLY));
	EXPECT_ERRNO(write(ro, "x", 1), EBADF);
	EXPECT_ERRNO(read(wo, buf, 1), EBADF);
	EXPECT_ERRNO(pwrite(ro, "x", 1, 0), EBADF);
	EXPECT_ERRNO(pread(wo, buf, 1, 0), EBADF);
	close(ro);
	close(wo);
}

TEST(read_write_on_closed_or_invalid_fd_is_ebadf)
{
	char buf[4];

	EXPECT_ERRNO(read(-1, buf, 1), EBADF);
	EXPECT_ERRNO(write(-1, buf, 1), EBADF);
	EXPECT_ERRNO(read(1000000, buf, 1), EBADF);
	EXPECT_ERRNO(lseek(-1, 0, SEEK_SET), EBADF);
}

TEST(read_of_a_directory_is_eisdir)
{
	char buf[4];
	int fd = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY));

	EXPECT_ERRNO(read(fd, buf, sizeof(buf)), EISDIR);
	close(fd);
}

TEST(lseek_whence_and_range_checks)
{
	char path[256];
	int fd = tmp_file_with("f", "0123456789", 10, path, sizeof(path));

	EXPECT_EQ(lseek(fd, 4, SEEK_SET), 4);
	EXPECT_EQ(lseek(fd, 2, SEEK_CUR), 6);
	EXPECT_EQ(lseek(fd, -3, SEEK_END), 7);
	EXPECT_EQ(lseek(fd, 100, SEEK_SET), 100);
	EXPECT_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
	EXPECT_ERRNO(lseek(fd, -200, SEEK_CUR), EINVAL);
	EXPECT_ERRNO(lseek(fd, 0, 42), EINVAL);
	close(fd);
}

TEST(lseek_seek_data_and_seek_hole)
{
	char path[256];
	int fd = tmp_file_with("f", "0123456789", 10, path, sizeof(path));

	EXPECT_EQ(lseek(fd, 0, SEEK_DATA), 0);
	EXPECT_EQ(lseek(fd, 0, SEEK_HOLE), 10);
	EXPECT_ERRNO(lseek(fd, 10, SEEK_DATA), ENXIO);
	close(fd);
}

TEST(ftruncate_grows_with_zeros_and_shrinks)
{
	char path[256], buf[16];
	struct stat st;
	int fd = tmp_file_with("f", "abcdef", 6, path, sizeof(path));

	EXPECT_OK(ftruncate(fd, 9));
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 9);
	EXPECT_MEMEQ(buf, "abcdef\0\0\0", 9);
	EXPECT_OK(ftruncate(fd, 2));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 2);
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 2);
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 5), 0);
	EXPECT_ERRNO(ftruncate(fd, -1), EINVAL);
	close(fd);
}

TEST(truncate_by_path_and_ftruncate_on_readonly_fd)
{
	char path[256];
	struct stat st;
	int fd = tmp_file_with("f", "abcdef", 6, path, sizeof(path));
	int ro;

	close(fd);
	EXPECT_OK(truncate(path, 3));
	ASSERT_OK(stat(path, &st));
	EXPECT_EQ(st.st_size, 3);
	ro = ASSERT_OK(open(path, O_RDONLY));
	EXPECT_ERRNO(ftruncate(ro, 1), EINVAL);
	close(ro);
}

TEST(dev_null_reads_eof_and_swallows_writes)
{
	char buf[8];
	int fd = ASSERT_OK(open("/dev/null", O_RDWR));

	EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
	EXPECT_EQ(write(fd, hello, sizeof(hello)), sizeof(hello));
	close(fd);
}

TEST(dev_zero_reads_zeros)
{
	char buf[4096];
	char zeros[4096] = { 0 };
	int fd = ASSERT_OK(open("/dev/zero", O_RDONLY));

	memset(buf, 0xa5, sizeof(buf));
	EXPECT_EQ(read(fd, buf, sizeof(buf)), sizeof(buf));
	EXPECT_MEMEQ(buf, zeros, sizeof(buf));
	close(fd);
}

TEST(dev_full_write_is_enospc)
{
	char buf[8] = { 1 };
	int fd = ASSERT_OK(open("/dev/full", O_RDWR));

	EXPECT_ERRNO(write(fd, "x", 1), ENOSPC);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), sizeof(buf));
	EXPECT_EQ(buf[0], 0);
	close(fd);
}

TEST(dev_urandom_and_random_fill_the_buffer)
{
	unsigned char a[64], b[64];
	int fd = ASSERT_OK(open("/dev/urandom", O_RDONLY));
	int rfd;

	EXPECT_EQ(read(fd, a, sizeof(a)), sizeof(a));
	EXPECT_EQ(read(fd, b, sizeof(b)), sizeof(b));
	EXPECT_TRUE(memcmp(a, b, sizeof(a)) != 0);
	close(fd);
	rfd = ASSERT_OK(open("/dev/random", O_RDONLY));
	EXPECT_EQ(read(rfd, a, 16), 16);
	close(rfd);
}

TEST(lseek_on_a_pipe_is_espipe)
{
	char buf[1];
	int p[2];
	int r = pipe(p);

	if (r < 0 && errno == ENOSYS)
		SKIP("pipe: ENOSYS");
	ASSERT_OK(r);
	EXPECT_ERRNO(lseek(p[0], 0, SEEK_SET), ESPIPE);
	EXPECT_ERRNO(pread(p[0], buf, 1, 0), ESPIPE);
	close(p[0]);
	close(p[1]);
}
