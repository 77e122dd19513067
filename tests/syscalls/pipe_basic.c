// SPDX-License-Identifier: MIT
/*
 * pipe/pipe2 in one process: the two ends, flags, data in order, EAGAIN, EOF, EPIPE,
 * FIONREAD, ESPIPE, fstat, F_GETPIPE_SZ/F_SETPIPE_SZ, O_DIRECT packets and poll's readiness
 * transitions. A few cases use fork and skip without it.
 */
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

static void make_pipe(int fd[2], int flags)
{
	ASSERT_OK(pipe2(fd, flags));
}

static void close_pipe(int fd[2])
{
	close(fd[0]);
	close(fd[1]);
}

/* poll's revents for fd right now (timeout 0). */
static short revents_of(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	ASSERT_OK(poll(&p, 1, 0));
	return p.revents;
}

/* Writes 4096-byte blocks without blocking until the pipe is full; bytes written. */
static long fill_pipe(int wfd)
{
	static char blk[4096];
	long total = 0;
	ssize_t n;

	while ((n = write(wfd, blk, sizeof(blk))) > 0)
		total += n;
	EXPECT_EQ(n, -1);
	EXPECT_EQ(errno, EAGAIN);
	return total;
}

TEST(pipe_gives_a_read_end_and_a_write_end)
{
	int fd[2];
	char c;

	ASSERT_OK(pipe(fd));
	EXPECT_EQ(fcntl(fd[0], F_GETFL) & O_ACCMODE, O_RDONLY);
	EXPECT_EQ(fcntl(fd[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	EXPECT_EQ(fcntl(fd[0], F_GETFD), 0);
	EXPECT_ERRNO(write(fd[0], "x", 1), EBADF);
	EXPECT_ERRNO(read(fd[1], &c, 1), EBADF);
	close_pipe(fd);
}

TEST(pipe2_flags_apply_to_both_ends)
{
	int fd[2];

	make_pipe(fd, O_CLOEXEC | O_NONBLOCK);
	EXPECT_EQ(fcntl(fd[0], F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(fcntl(fd[1], F_GETFD), FD_CLOEXEC);
	EXPECT_TRUE(fcntl(fd[0], F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(fd[1], F_GETFL) & O_NONBLOCK);
	close_pipe(fd);
	make_pipe(fd, O_DIRECT);
	EXPECT_TRUE(fcntl(fd[1], F_GETFL) & O_DIRECT);
	close_pipe(fd);
}

TEST(pipe2_rejects_unknown_flags_and_bad_pointers)
{
	int fd[2];

	EXPECT_ERRNO(pipe2(fd, O_APPEND), EINVAL);
	EXPECT_ERRNO(pipe2(fd, O_SYNC), EINVAL);
	/* O_NOTIFICATION_PIPE (O_EXCL) needs watch queues, which the host may lack */
	if (pipe2(fd, O_EXCL) == 0) {
		close(fd[0]);
		close(fd[1]);
	} else {
		EXPECT_EQ(errno, ENOPKG);
	}
	EXPECT_ERRNO(pipe2(unmapped_page(), 0), EFAULT);
	EXPECT_ERRNO(syscall(SYS_pipe, unmapped_page()), EFAULT);
}

TEST(data_comes_out_in_order_and_reads_return_what_is_there)
{
	int fd[2];
	char buf[64] = { 0 };

	make_pipe(fd, 0);
	EXPECT_EQ(write(fd[1], "hello ", 6), 6);
	EXPECT_EQ(write(fd[1], "world", 5), 5);
	EXPECT_EQ(read(fd[0], buf, 3), 3);
	EXPECT_EQ(read(fd[0], buf + 3, sizeof(buf) - 3), 8);
	EXPECT_STREQ(buf, "hello world");
	close_pipe(fd);
}

TEST(readv_and_writev_scatter_and_gather)
{
	int fd[2];
	char a[3], b[5];
	struct iovec w[2] = { { "abc", 3 }, { "defgh", 5 } };
	struct iovec r[2] = { { a, 3 }, { b, 5 } };

	make_pipe(fd, 0);
	EXPECT_EQ(writev(fd[1], w, 2), 8);
	EXPECT_EQ(readv(fd[0], r, 2), 8);
	EXPECT_MEMEQ(a, "abc", 3);
	EXPECT_MEMEQ(b, "defgh", 5);
	close_pipe(fd);
}

TEST(empty_nonblocking_read_is_eagain_and_full_write_is_eagain)
{
	int fd[2];
	char c;

	make_pipe(fd, O_NONBLOCK);
	EXPECT_ERRNO(read(fd[0], &c, 1), EAGAIN);
	EXPECT_EQ(fill_pipe(fd[1]), 65536);
	EXPECT_ERRNO(write(fd[1], "x", 1), EAGAIN);
	EXPECT_EQ(read(fd[0], &c, 1), 1);
	/* one byte freed: still no room for a whole new slot */
	EXPECT_ERRNO(write(fd[1], "x", 1), EAGAIN);
	close_pipe(fd);
}

TEST(f_setfl_toggles_o_nonblock)
{
	int fd[2];
	char c;

	make_pipe(fd, 0);
	ASSERT_OK(fcntl(fd[0], F_SETFL, O_NONBLOCK));
	EXPECT_ERRNO(read(fd[0], &c, 1), EAGAIN);
	ASSERT_OK(fcntl(fd[0], F_SETFL, 0));
	EXPECT_FALSE(fcntl(fd[0], F_GETFL) & O_NONBLOCK);
	close_pipe(fd);
}

TEST(reads_see_eof_once_the_write_end_is_closed)
{
	int fd[2];
	char buf[8];

	make_pipe(fd, 0);
	EXPECT_EQ(write(fd[1], "ab", 2), 2);
	close(fd[1]);
	EXPECT_EQ(read(fd[0], buf, sizeof(buf)), 2);
	EXPECT_EQ(read(fd[0], buf, sizeof(buf)), 0);
	EXPECT_EQ(read(fd[0], buf, sizeof(buf)), 0);
	close(fd[0]);
}

TEST(a_dup_of_the_write_end_keeps_the_pipe_open)
{
	int fd[2], d;
	char c;

	make_pipe(fd, O_NONBLOCK);
	d = ASSERT_OK(dup(fd[1]));
	close(fd[1]);
	EXPECT_ERRNO(read(fd[0], &c, 1), EAGAIN);
	close(d);
	EXPECT_EQ(read(fd[0], &c, 1), 0);
	close(fd[0]);
}

TEST(writes_without_readers_fail_with_epipe_when_sigpipe_is_ignored)
{
	int fd[2];

	make_pipe(fd, 0);
	close(fd[0]);
	signal(SIGPIPE, SIG_IGN);
	EXPECT_ERRNO(write(fd[1], "x", 1), EPIPE);
	EXPECT_ERRNO(write(fd[1], "xyz", 3), EPIPE);
	/* an empty write succeeds before the reader check, as Linux's pipe_write */
	EXPECT_EQ(write(fd[1], "", 0), 0);
	signal(SIGPIPE, SIG_DFL);
	close(fd[1]);
}

static void write_to_readerless_pipe(void *arg)
{
	int *fd = arg;

	signal(SIGPIPE, SIG_DFL); /* whoever ran us may have ignored it */
	(void)!write(fd[1], "x", 1);
	_exit(3); /* not reached: SIGPIPE's default action kills */
}

TEST(sigpipe_kills_a_writer_that_does_not_handle_it)
{
	int fd[2];

	make_pipe(fd, 0);
	close(fd[0]);
	EXPECT_KILLED_BY(status_of_child(write_to_readerless_pipe, fd), SIGPIPE);
	close(fd[1]);
}

TEST(fionread_counts_unread_bytes)
{
	int fd[2], n = -1;
	char buf[10];

	make_pipe(fd, 0);
	ASSERT_OK(ioctl(fd[0], FIONREAD, &n));
	EXPECT_EQ(n, 0);
	EXPECT_EQ(write(fd[1], "0123456789", 10), 10);
	EXPECT_EQ(write(fd[1], "ab", 2), 2);
	ASSERT_OK(ioctl(fd[0], FIONREAD, &n));
	EXPECT_EQ(n, 12);
	EXPECT_EQ(read(fd[0], buf, 4), 4);
	ASSERT_OK(ioctl(fd[1], FIONREAD, &n));
	EXPECT_EQ(n, 8);
	EXPECT_ERRNO(ioctl(fd[0], FIONREAD, unmapped_page()), EFAULT);
	close_pipe(fd);
}

TEST(pipes_do_not_seek)
{
	int fd[2];
	char c;

	make_pipe(fd, 0);
	EXPECT_EQ(write(fd[1], "x", 1), 1);
	EXPECT_ERRNO(lseek(fd[0], 0, SEEK_SET), ESPIPE);
	EXPECT_ERRNO(lseek(fd[1], 0, SEEK_CUR), ESPIPE);
	EXPECT_ERRNO(pread(fd[0], &c, 1, 0), ESPIPE);
	EXPECT_ERRNO(pwrite(fd[1], &c, 1, 0), ESPIPE);
	close_pipe(fd);
}

TEST(fstat_shows_a_fifo_owned_by_the_creator)
{
	int fd[2], fd2[2];
	struct stat a, b, c;

	make_pipe(fd, 0);
	make_pipe(fd2, 0);
	ASSERT_OK(fstat(fd[0], &a));
	ASSERT_OK(fstat(fd[1], &b));
	ASSERT_OK(fstat(fd2[0], &c));
	EXPECT_TRUE(S_ISFIFO(a.st_mode));
	EXPECT_EQ(a.st_mode & 07777, 0600);
	EXPECT_EQ(a.st_nlink, 1);
	EXPECT_EQ(a.st_uid, geteuid());
	EXPECT_EQ(a.st_gid, getegid());
	EXPECT_EQ(a.st_size, 0);
	EXPECT_EQ(a.st_blksize, 4096);
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(a.st_dev, b.st_dev);
	EXPECT_NE(a.st_ino, c.st_ino);
	EXPECT_EQ(a.st_dev, c.st_dev);
	EXPECT_EQ(major(a.st_dev), 0);
	close_pipe(fd);
	close_pipe(fd2);
}

TEST(f_getpipe_sz_and_f_setpipe_sz_round_to_powers_of_two_pages)
{
	int fd[2];

	make_pipe(fd, O_NONBLOCK);
	EXPECT_EQ(fcntl(fd[0], F_GETPIPE_SZ), 65536);
	EXPECT_EQ(fcntl(fd[1], F_SETPIPE_SZ, 0), 4096);
	EXPECT_EQ(fcntl(fd[0], F_GETPIPE_SZ), 4096);
	EXPECT_EQ(fill_pipe(fd[1]), 4096);
	EXPECT_EQ(fcntl(fd[0], F_SETPIPE_SZ, 5000), 8192);
	EXPECT_EQ(fcntl(fd[0], F_SETPIPE_SZ, 3 * 4096), 16384);
	EXPECT_EQ(fcntl(fd[0], F_SETPIPE_SZ, 1 << 20), 1 << 20);
	EXPECT_ERRNO(fcntl(fd[0], F_SETPIPE_SZ, (1u << 31) + 1), EINVAL);
	close_pipe(fd);
}

TEST(f_setpipe_sz_below_the_data_held_is_ebusy_and_keeps_the_data)
{
	static char blk[4096];
	int fd[2], n = 0;
	char c;

	make_pipe(fd, O_NONBLOCK);
	memset(blk, 'q', sizeof(blk));
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(write(fd[1], blk, sizeof(blk)), 4096);
	EXPECT_ERRNO(fcntl(fd[1], F_SETPIPE_SZ, 8192), EBUSY);
	EXPECT_EQ(fcntl(fd[1], F_SETPIPE_SZ, 16384), 16384);
	ASSERT_OK(ioctl(fd[0], FIONREAD, &n));
	EXPECT_EQ(n, 3 * 4096);
	EXPECT_EQ(fill_pipe(fd[1]), 4096);
	EXPECT_EQ(read(fd[0], &c, 1), 1);
	EXPECT_EQ(c, 'q');
	close_pipe(fd);
}

/* Whether the caller has CAP_SYS_RESOURCE in its effective set; skips without capget. */
static bool has_cap_sys_resource(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		SKIP("capget: %s", harness_errname(errno));
	return d[CAP_SYS_RESOURCE / 32].effective & (1u << (CAP_SYS_RESOURCE % 32));
}

TEST(only_cap_sys_resource_may_exceed_pipe_max_size)
{
	bool privileged = has_cap_sys_resource();
	int fd[2];

	make_pipe(fd, 0);
	EXPECT_EQ(fcntl(fd[0], F_SETPIPE_SZ, 1 << 20), 1 << 20);
	if (privileged)
		EXPECT_EQ(fcntl(fd[0], F_SETPIPE_SZ, 4 << 20), 4 << 20);
	else
		EXPECT_ERRNO(fcntl(fd[0], F_SETPIPE_SZ, 4 << 20), EPERM);
	/* shrinking is always allowed */
	EXPECT_EQ(fcntl(fd[0], F_SETPIPE_SZ, 65536), 65536);
	close_pipe(fd);
}

TEST(pipe_fcntls_on_other_files_are_ebadf)
{
	int fd = ASSERT_OK(open("/dev/null", O_RDWR));

	EXPECT_ERRNO(fcntl(fd, F_GETPIPE_SZ), EBADF);
	EXPECT_ERRNO(fcntl(fd, F_SETPIPE_SZ, 4096), EBADF);
	close(fd);
}

TEST(small_writes_pack_into_pages_as_on_linux)
{
	char blk[100] = { 0 };
	long total = 0;
	int fd[2], n = 0;
	ssize_t w;

	make_pipe(fd, O_NONBLOCK);
	/* 40 writes of 100 bytes share a page; the 41st needs a new one. */
	while ((w = write(fd[1], blk, sizeof(blk))) > 0)
		total += w;
	EXPECT_EQ(errno, EAGAIN);
	EXPECT_EQ(total, 16 * 4000);
	ASSERT_OK(ioctl(fd[0], FIONREAD, &n));
	EXPECT_EQ(n, 16 * 4000);
	close_pipe(fd);
}

TEST(o_direct_makes_each_write_a_packet)
{
	int fd[2];
	char buf[16] = { 0 };

	make_pipe(fd, O_DIRECT | O_NONBLOCK);
	EXPECT_EQ(write(fd[1], "abc", 3), 3);
	EXPECT_EQ(write(fd[1], "defgh", 5), 5);
	EXPECT_EQ(write(fd[1], "0123456789", 10), 10);
	EXPECT_EQ(read(fd[0], buf, sizeof(buf)), 3);
	EXPECT_MEMEQ(buf, "abc", 3);
	EXPECT_EQ(read(fd[0], buf, sizeof(buf)), 5);
	EXPECT_MEMEQ(buf, "defgh", 5);
	/* a short read takes the packet's head and drops the rest */
	EXPECT_EQ(read(fd[0], buf, 4), 4);
	EXPECT_MEMEQ(buf, "0123", 4);
	EXPECT_ERRNO(read(fd[0], buf, sizeof(buf)), EAGAIN);
	close_pipe(fd);
}

TEST(o_direct_splits_big_writes_into_page_packets)
{
	static char big[4096 + 100];
	static char buf[8192];
	int fd[2];

	make_pipe(fd, O_DIRECT | O_NONBLOCK);
	EXPECT_EQ(write(fd[1], big, sizeof(big)), (long)sizeof(big));
	EXPECT_EQ(read(fd[0], buf, sizeof(buf)), 4096);
	EXPECT_EQ(read(fd[0], buf, sizeof(buf)), 100);
	close_pipe(fd);
}

TEST(poll_readiness_follows_data_space_and_hangups)
{
	int fd[2];
	char c;

	make_pipe(fd, O_NONBLOCK);
	EXPECT_EQ(revents_of(fd[0], POLLIN | POLLOUT), 0);
	EXPECT_EQ(revents_of(fd[1], POLLIN | POLLOUT), POLLOUT);
	EXPECT_EQ(revents_of(fd[1], POLLWRNORM), POLLWRNORM);
	EXPECT_EQ(write(fd[1], "x", 1), 1);
	EXPECT_EQ(revents_of(fd[0], POLLIN), POLLIN);
	EXPECT_EQ(revents_of(fd[0], POLLRDNORM), POLLRDNORM);
	EXPECT_EQ(revents_of(fd[0], 0), 0);
	fill_pipe(fd[1]);
	EXPECT_EQ(revents_of(fd[1], POLLOUT), 0);
	while (read(fd[0], &c, 1) == 1)
		;
	EXPECT_EQ(revents_of(fd[1], POLLOUT), POLLOUT);
	EXPECT_EQ(write(fd[1], "y", 1), 1);
	close(fd[1]);
	/* data and hangup together; POLLHUP is reported even when not asked for */
	EXPECT_EQ(revents_of(fd[0], POLLIN), POLLIN | POLLHUP);
	EXPECT_EQ(read(fd[0], &c, 1), 1);
	EXPECT_EQ(revents_of(fd[0], POLLIN), POLLHUP);
	EXPECT_EQ(revents_of(fd[0], 0), POLLHUP);
	close(fd[0]);
}

TEST(poll_on_a_write_end_without_readers_reports_pollerr)
{
	int fd[2];

	make_pipe(fd, 0);
	close(fd[0]);
	EXPECT_EQ(revents_of(fd[1], POLLOUT), POLLOUT | POLLERR);
	EXPECT_EQ(revents_of(fd[1], 0), POLLERR);
	close(fd[1]);
}

TEST(poll_times_out_on_an_empty_pipe)
{
	struct timespec a, b;
	struct pollfd p;
	int fd[2];
	long ms;

	make_pipe(fd, 0);
	p = (struct pollfd){ .fd = fd[0], .events = POLLIN };
	clock_gettime(CLOCK_MONOTONIC, &a);
	EXPECT_EQ(poll(&p, 1, 50), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	EXPECT_GE(ms, 45);
	EXPECT_LT(ms, 5000);
	EXPECT_EQ(p.revents, 0);
	close_pipe(fd);
}
