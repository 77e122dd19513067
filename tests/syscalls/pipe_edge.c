// SPDX-License-Identifier: MIT
/*
 * Pipe corners pipe_basic.c and fifo.c leave out: zero-length reads and writes, SIGPIPE
 * while blocked (EPIPE, the signal left pending), the /proc/self/fd name of a pipe and
 * reopening an end through it, pipe-max-size read from /proc, O_DIRECT packets from
 * writev and through readv, and a FIFO whose two ends share one buffer's size and
 * FIONREAD.
 */
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "tests/syscalls/sysutil.h"

TEST(zero_length_io_returns_zero_even_without_a_partner)
{
	int fd[2];
	char c;

	ASSERT_OK(pipe2(fd, O_NONBLOCK));
	EXPECT_EQ(read(fd[0], &c, 0), 0);
	EXPECT_EQ(write(fd[1], &c, 0), 0);
	close(fd[0]);
	/* no reader: a zero-length write still returns 0 (no EPIPE, no SIGPIPE) */
	EXPECT_EQ(write(fd[1], &c, 0), 0);
	close(fd[1]);
}

TEST(a_blocked_sigpipe_stays_pending_and_the_write_fails_with_epipe)
{
	sigset_t set, pending;
	int fd[2], sig;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_OK(pipe(fd));
	close(fd[0]);
	EXPECT_ERRNO(write(fd[1], "x", 1), EPIPE);
	ASSERT_OK(sigpending(&pending));
	EXPECT_TRUE(sigismember(&pending, SIGPIPE));
	ASSERT_OK(sigwait(&set, &sig));
	EXPECT_EQ(sig, SIGPIPE);
	close(fd[1]);
}

TEST(proc_self_fd_names_a_pipe_and_reopens_its_ends)
{
	char link[64], name[64], want[64], c = 0;
	struct stat st;
	int fd[2], w2;
	ssize_t n;

	ASSERT_OK(pipe2(fd, O_NONBLOCK));
	ASSERT_OK(fstat(fd[0], &st));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd[1]);
	n = readlink(link, name, sizeof(name) - 1);
	ASSERT_GT(n, 0);
	name[n] = '\0';
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)st.st_ino);
	EXPECT_STREQ(name, want);
	/* a new write end of the same pipe */
	w2 = ASSERT_OK(open(link, O_WRONLY));
	close(fd[1]);
	ASSERT_EQ(write(w2, "z", 1), 1);
	ASSERT_EQ(read(fd[0], &c, 1), 1);
	EXPECT_EQ(c, 'z');
	close(w2);
	EXPECT_EQ(read(fd[0], &c, 1), 0);
	close(fd[0]);
}

/* Whether CAP_SYS_RESOURCE is effective (from /proc/self/status). */
static bool cap_sys_resource(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		SKIP("no /proc/self/status");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return eff & (1ULL << 24);
}

TEST(pipe_max_size_from_proc_is_the_unprivileged_limit)
{
	long max = 0;
	int fd[2];
	FILE *f = fopen("/proc/sys/fs/pipe-max-size", "r");

	if (!f)
		SKIP("no /proc/sys/fs/pipe-max-size");
	ASSERT_EQ(fscanf(f, "%ld", &max), 1);
	fclose(f);
	ASSERT_GE(max, 4096);
	ASSERT_OK(pipe(fd));
	EXPECT_EQ(fcntl(fd[0], F_SETPIPE_SZ, max), max);
	EXPECT_EQ(fcntl(fd[1], F_GETPIPE_SZ), max);
	if (cap_sys_resource())
		EXPECT_EQ(fcntl(fd[0], F_SETPIPE_SZ, max + 1), 2 * max);
	else
		EXPECT_ERRNO(fcntl(fd[0], F_SETPIPE_SZ, max + 1), EPERM);
	close(fd[0]);
	close(fd[1]);
}

TEST(o_direct_packets_come_from_each_write_and_leave_whole_through_readv)
{
	struct iovec w[2] = { { "ab", 2 }, { "cd", 2 } };
	char x[3] = { 0 }, y[8] = { 0 };
	struct iovec r[2] = { { x, 3 }, { y, 8 } };
	int fd[2];

	ASSERT_OK(pipe2(fd, O_DIRECT | O_NONBLOCK));
	/* a writev is one write: one packet */
	ASSERT_EQ(writev(fd[1], w, 2), 4);
	ASSERT_EQ(write(fd[1], "ef", 2), 2);
	/* a readv takes one packet, across its iovecs */
	ASSERT_EQ(readv(fd[0], r, 2), 4);
	EXPECT_EQ(memcmp(x, "abc", 3), 0);
	EXPECT_EQ(y[0], 'd');
	ASSERT_EQ(read(fd[0], y, sizeof(y)), 2);
	EXPECT_EQ(memcmp(y, "ef", 2), 0);
	close(fd[0]);
	close(fd[1]);
}

TEST(both_ends_of_a_fifo_share_one_buffer)
{
	char path[256];
	int r, w, n = -1;

	ASSERT_OK(mkfifo(tmp_path(path, sizeof(path), "fifo"), 0600));
	r = ASSERT_OK(open(path, O_RDONLY | O_NONBLOCK));
	w = ASSERT_OK(open(path, O_WRONLY | O_NONBLOCK));
	EXPECT_EQ(fcntl(r, F_GETPIPE_SZ), 65536);
	EXPECT_EQ(fcntl(w, F_SETPIPE_SZ, 8192), 8192);
	EXPECT_EQ(fcntl(r, F_GETPIPE_SZ), 8192);
	ASSERT_EQ(write(w, "hello", 5), 5);
	ASSERT_OK(ioctl(r, FIONREAD, &n));
	EXPECT_EQ(n, 5);
	ASSERT_OK(ioctl(w, FIONREAD, &n));
	EXPECT_EQ(n, 5);
	close(w);
	close(r);
	/* the data went with the last end: a new pair starts empty */
	r = ASSERT_OK(open(path, O_RDWR | O_NONBLOCK));
	ASSERT_OK(ioctl(r, FIONREAD, &n));
	EXPECT_EQ(n, 0);
	EXPECT_EQ(fcntl(r, F_GETPIPE_SZ), 65536);
	close(r);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
