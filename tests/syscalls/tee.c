// SPDX-License-Identifier: MIT
/*
 * tee(2): duplicates a pipe's data into another pipe without consuming it, bounded by
 * the length and the output's room; EAGAIN, 0 without writers, EPIPE, EINTR, and the
 * refused arguments (the same pipe, a non-pipe, wrong ends).
 */
#include <sys/ioctl.h>

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

TEST(duplicates_without_consuming)
{
	int a[2], b[2];
	char buf[32] = { 0 };

	make_pipe(a, 0);
	make_pipe(b, 0);
	ASSERT_EQ(write(a[1], "hello", 5), 5);
	ASSERT_EQ(write(a[1], " tee", 4), 4);
	EXPECT_EQ(tee(a[0], b[1], 100, 0), 9);
	EXPECT_EQ(tee(a[0], b[1], 3, 0), 3);
	EXPECT_EQ(read(b[0], buf, sizeof(buf)), 12);
	EXPECT_STREQ(buf, "hello teehel");
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(read(a[0], buf, sizeof(buf)), 9);
	EXPECT_STREQ(buf, "hello tee");
	close_pipe(a);
	close_pipe(b);
}

TEST(later_writes_follow_the_teed_data)
{
	int a[2], b[2];
	char buf[32] = { 0 };

	make_pipe(a, 0);
	make_pipe(b, 0);
	ASSERT_EQ(write(a[1], "ab", 2), 2);
	EXPECT_EQ(tee(a[0], b[1], 2, 0), 2);
	ASSERT_EQ(write(b[1], "cd", 2), 2);
	EXPECT_EQ(read(b[0], buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "abcd");
	close_pipe(a);
	close_pipe(b);
}

TEST(stops_at_the_outputs_room)
{
	static unsigned char page[4096];
	int a[2], b[2];
	long n = 0;

	make_pipe(a, 0);
	make_pipe(b, O_NONBLOCK);
	pattern_fill(page, 0, sizeof(page));
	for (int i = 0; i < 16; i++)
		ASSERT_EQ(write(a[1], page, sizeof(page)), 4096);
	ASSERT_EQ(write(b[1], page, 100), 100);
	/* 15 of b's 16 slots are free */
	EXPECT_EQ(tee(a[0], b[1], 1 << 20, 0), 15 * 4096);
	EXPECT_ERRNO(tee(a[0], b[1], 1 << 20, 0), EAGAIN);
	ASSERT_OK(ioctl(a[0], FIONREAD, &n));
	EXPECT_EQ(n, 65536);
	close_pipe(a);
	close_pipe(b);
}

TEST(empty_input_is_eagain_or_zero_without_writers)
{
	int a[2], b[2];

	make_pipe(a, 0);
	make_pipe(b, 0);
	EXPECT_ERRNO(tee(a[0], b[1], 10, SPLICE_F_NONBLOCK), EAGAIN);
	ASSERT_OK(fcntl(b[1], F_SETFL, O_NONBLOCK));
	EXPECT_ERRNO(tee(a[0], b[1], 10, 0), EAGAIN);
	close(a[1]);
	EXPECT_EQ(tee(a[0], b[1], 10, 0), 0);
	close(a[0]);
	close_pipe(b);
}

TEST(a_readerless_output_is_epipe)
{
	int a[2], b[2];

	signal(SIGPIPE, SIG_IGN);
	make_pipe(a, 0);
	make_pipe(b, 0);
	close(b[0]);
	ASSERT_EQ(write(a[1], "x", 1), 1);
	EXPECT_ERRNO(tee(a[0], b[1], 10, 0), EPIPE);
	close_pipe(a);
	close(b[1]);
}

TEST(a_blocked_tee_is_interrupted_by_a_signal)
{
	int a[2], b[2];
	pid_t nag;

	make_pipe(a, 0);
	make_pipe(b, 0);
	nag = start_nagging();
	EXPECT_ERRNO(tee(a[0], b[1], 10, 0), EINTR);
	stop_nagging(nag);
	close_pipe(a);
	close_pipe(b);
}

TEST(refused_arguments)
{
	char path[256];
	int f = tmp_file_with("f", "abc", 3, path, sizeof(path));
	int a[2], b[2];

	make_pipe(a, 0);
	make_pipe(b, 0);
	ASSERT_EQ(write(a[1], "x", 1), 1);
	/* flags are checked before the length, then the length before the descriptors */
	EXPECT_ERRNO(tee(a[0], b[1], 0, 0x10), EINVAL);
	EXPECT_EQ(tee(999, 999, 0, 0), 0);
	EXPECT_ERRNO(tee(999, b[1], 1, 0), EBADF);
	EXPECT_ERRNO(tee(a[0], 999, 1, 0), EBADF);
	EXPECT_ERRNO(tee(a[0], a[1], 1, 0), EINVAL);
	EXPECT_ERRNO(tee(a[0], a[0], 1, 0), EBADF);
	EXPECT_ERRNO(tee(a[1], b[1], 1, 0), EBADF);
	EXPECT_ERRNO(tee(a[0], b[0], 1, 0), EBADF);
	EXPECT_ERRNO(tee(a[0], f, 1, 0), EINVAL);
	EXPECT_ERRNO(tee(f, b[1], 1, 0), EINVAL);
	close_pipe(a);
	close_pipe(b);
	close(f);
}
