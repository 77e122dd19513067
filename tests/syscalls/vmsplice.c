// SPDX-License-Identifier: MIT
/*
 * vmsplice(2): the caller's buffers into a pipe and a pipe's data into the caller's
 * buffers (scattered over several iovecs), the pipe's capacity, SPLICE_F_NONBLOCK (and
 * the fd's O_NONBLOCK not counting, as on Linux), EOF, EPIPE, EFAULT and the refused
 * arguments.
 */
#include <sys/uio.h>

#include "tests/syscalls/splice_util.h"

static void make_pipe(int p[2], int flags)
{
	ASSERT_OK(pipe2(p, flags | O_CLOEXEC));
}

static void close_pipe(int p[2])
{
	close(p[0]);
	close(p[1]);
}

TEST(gathers_into_a_pipe_and_scatters_out_of_it)
{
	struct iovec w[2] = { { "hello ", 6 }, { "vmsplice", 8 } };
	char a[4] = { 0 }, b[16] = { 0 };
	struct iovec r[2] = { { a, 3 }, { b, sizeof(b) - 1 } };
	int p[2];

	make_pipe(p, 0);
	EXPECT_EQ(vmsplice(p[1], w, 2, 0), 14);
	EXPECT_EQ(vmsplice(p[0], r, 2, 0), 14);
	EXPECT_STREQ(a, "hel");
	EXPECT_STREQ(b, "lo vmsplice");
	close_pipe(p);
}

TEST(read_write_interleave_with_vmsplice)
{
	struct iovec w = { "abc", 3 };
	char buf[16] = { 0 };
	struct iovec r = { buf, 2 };
	int p[2];

	make_pipe(p, 0);
	ASSERT_EQ(write(p[1], "123", 3), 3);
	EXPECT_EQ(vmsplice(p[1], &w, 1, 0), 3);
	EXPECT_EQ(vmsplice(p[0], &r, 1, 0), 2);
	EXPECT_EQ(read(p[0], buf + 2, sizeof(buf) - 3), 4);
	EXPECT_STREQ(buf, "123abc");
	close_pipe(p);
}

TEST(page_aligned_data_fills_the_pipe_to_capacity)
{
	const size_t len = 70000;
	unsigned char *src = map_anon(len + PAGE);
	struct iovec w = { src, len };
	int p[2];

	pattern_fill(src, 0, len);
	make_pipe(p, 0);
	EXPECT_EQ(vmsplice(p[1], &w, 1, SPLICE_F_NONBLOCK), 65536);
	EXPECT_ERRNO(vmsplice(p[1], &w, 1, SPLICE_F_NONBLOCK), EAGAIN);
	EXPECT_EQ(csum_fd(p[0], 65536), csum_pattern(65536));
	close_pipe(p);
	munmap(src, len + PAGE);
}

TEST(empty_pipe_is_eagain_with_the_flag_and_zero_without_writers)
{
	char buf[8];
	struct iovec r = { buf, sizeof(buf) };
	int p[2];

	make_pipe(p, 0);
	EXPECT_ERRNO(vmsplice(p[0], &r, 1, SPLICE_F_NONBLOCK), EAGAIN);
	close(p[1]);
	EXPECT_EQ(vmsplice(p[0], &r, 1, 0), 0);
	close(p[0]);
}

TEST(the_fds_nonblock_flag_does_not_count)
{
	char buf[8];
	struct iovec r = { buf, sizeof(buf) };
	int p[2];
	pid_t nag;

	make_pipe(p, O_NONBLOCK);
	nag = start_nagging();
	/* it blocks (until the signal) where read(2) would say EAGAIN */
	EXPECT_ERRNO(vmsplice(p[0], &r, 1, 0), EINTR);
	stop_nagging(nag);
	close_pipe(p);
}

TEST(a_readerless_pipe_is_epipe)
{
	struct iovec w = { "abc", 3 };
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	make_pipe(p, 0);
	close(p[0]);
	EXPECT_ERRNO(vmsplice(p[1], &w, 1, 0), EPIPE);
	close(p[1]);
}

TEST(bad_memory_is_efault)
{
	char *bad = unmapped_page();
	struct iovec w = { bad, 10 };
	char ok[4];
	struct iovec r = { (void *)"ro", 2 };
	int p[2];

	make_pipe(p, 0);
	EXPECT_ERRNO(vmsplice(p[1], &w, 1, 0), EFAULT);
	EXPECT_ERRNO(vmsplice(p[1], (struct iovec *)bad, 1, 0), EFAULT);
	ASSERT_EQ(write(p[1], "xy", 2), 2);
	/* a read-only buffer cannot take the data: it stays in the pipe */
	EXPECT_ERRNO(vmsplice(p[0], &r, 1, 0), EFAULT);
	EXPECT_EQ(read(p[0], ok, sizeof(ok)), 2);
	close_pipe(p);
}

TEST(refused_arguments)
{
	char path[256];
	int f = tmp_file_with("f", "abc", 3, path, sizeof(path));
	int opath = ASSERT_OK(open(path, O_PATH | O_CLOEXEC));
	struct iovec w = { "abc", 3 };
	int p[2];

	make_pipe(p, 0);
	EXPECT_ERRNO(vmsplice(p[1], &w, 1, 0x10), EINVAL);
	EXPECT_ERRNO(vmsplice(999, &w, 1, 0), EBADF);
	EXPECT_ERRNO(vmsplice(opath, &w, 1, 0), EBADF);
	EXPECT_ERRNO(vmsplice(f, &w, 1, 0), EBADF);
	EXPECT_ERRNO(vmsplice(p[1], &w, 1025, 0), EINVAL);
	EXPECT_EQ(vmsplice(p[1], &w, 0, 0), 0);
	EXPECT_EQ(vmsplice(f, &w, 0, 0), 0);
	close_pipe(p);
	close(f);
	close(opath);
}
