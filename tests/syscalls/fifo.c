// SPDX-License-Identifier: MIT
/*
 * FIFOs made with mknod/mkfifo: open without O_NONBLOCK waits for the other side, the
 * non-blocking opens (ENXIO for a writer without readers), POLLHUP only once a writer has
 * been seen, O_RDWR, and data that dies with the last open end. The cases that need a
 * second process skip without fork.
 */
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>

#include "tests/syscalls/sysutil.h"

static char *fifo_path(char *buf, size_t size)
{
	tmp_path(buf, size, "fifo");
	ASSERT_OK(mkfifo(buf, 0600));
	return buf;
}

static short revents_of(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	ASSERT_OK(poll(&p, 1, 0));
	return p.revents;
}

TEST(mkfifo_and_mknod_make_fifos)
{
	char p[256], q[256];
	struct stat st;
	int fd;

	fifo_path(p, sizeof(p));
	ASSERT_OK(stat(p, &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	EXPECT_EQ(st.st_mode & 0777, 0600);
	tmp_path(q, sizeof(q), "node");
	ASSERT_OK(mknod(q, S_IFIFO | 0644, 0));
	fd = ASSERT_OK(open(q, O_RDWR));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	EXPECT_EQ(fcntl(fd, F_GETPIPE_SZ), 65536);
	EXPECT_ERRNO(lseek(fd, 0, SEEK_SET), ESPIPE);
	close(fd);
}

TEST(a_nonblocking_reader_opens_alone_and_sees_eof_without_pollhup)
{
	char p[256], c;
	int fd;

	fifo_path(p, sizeof(p));
	fd = ASSERT_OK(open(p, O_RDONLY | O_NONBLOCK));
	EXPECT_EQ(read(fd, &c, 1), 0);
	/* no writer has come yet: no POLLHUP (Linux remembers the writer count at open) */
	EXPECT_EQ(revents_of(fd, POLLIN), 0);
	close(fd);
}

TEST(a_nonblocking_writer_without_readers_is_enxio)
{
	char p[256];

	fifo_path(p, sizeof(p));
	EXPECT_ERRNO(open(p, O_WRONLY | O_NONBLOCK), ENXIO);
}

TEST(data_flows_between_separately_opened_ends)
{
	char p[256], buf[8] = { 0 };
	int r, w;

	fifo_path(p, sizeof(p));
	r = ASSERT_OK(open(p, O_RDONLY | O_NONBLOCK));
	w = ASSERT_OK(open(p, O_WRONLY | O_NONBLOCK));
	EXPECT_ERRNO(read(r, buf, sizeof(buf)), EAGAIN);
	EXPECT_EQ(write(w, "fifo", 4), 4);
	EXPECT_EQ(revents_of(r, POLLIN), POLLIN);
	EXPECT_EQ(read(r, buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "fifo");
	close(w);
	/* a writer came and went: now hangup and EOF */
	EXPECT_EQ(revents_of(r, POLLIN), POLLHUP);
	EXPECT_EQ(read(r, buf, sizeof(buf)), 0);
	close(r);
}

TEST(o_rdwr_never_waits_and_data_dies_with_the_last_end)
{
	char p[256], buf[8];
	int fd, n = -1;

	fifo_path(p, sizeof(p));
	fd = ASSERT_OK(open(p, O_RDWR | O_NONBLOCK));
	EXPECT_EQ(write(fd, "abc", 3), 3);
	ASSERT_OK(ioctl(fd, FIONREAD, &n));
	EXPECT_EQ(n, 3);
	close(fd);
	fd = ASSERT_OK(open(p, O_RDWR));
	ASSERT_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
	EXPECT_ERRNO(read(fd, buf, sizeof(buf)), EAGAIN);
	close(fd);
}

TEST(a_writer_sees_epipe_after_the_reader_closes)
{
	char p[256];
	int r, w;

	fifo_path(p, sizeof(p));
	r = ASSERT_OK(open(p, O_RDONLY | O_NONBLOCK));
	w = ASSERT_OK(open(p, O_WRONLY));
	close(r);
	signal(SIGPIPE, SIG_IGN);
	EXPECT_ERRNO(write(w, "x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	EXPECT_EQ(revents_of(w, POLLOUT), POLLOUT | POLLERR);
	close(w);
}

/* Forks a child that sleeps ms, opens path with flags, writes or reads one byte, exits. */
static pid_t partner(const char *path, int flags, int ms)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0 && errno == ENOSYS)
		SKIP("fork: ENOSYS");
	ASSERT_OK(pid);
	if (pid == 0) {
		int fd;
		char c = 'z';

		usleep((useconds_t)ms * 1000);
		fd = open(path, flags);
		if (fd < 0)
			_exit(1);
		if ((flags & O_ACCMODE) == O_WRONLY ? write(fd, &c, 1) != 1 : read(fd, &c, 1) != 1)
			_exit(2);
		_exit(0);
	}
	return pid;
}

static void expect_exit0(pid_t pid)
{
	int st;

	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
}

TEST(a_blocking_reader_open_waits_for_a_writer)
{
	char p[256], c = 0;
	pid_t pid;
	int fd;

	fifo_path(p, sizeof(p));
	pid = partner(p, O_WRONLY, 50);
	fd = ASSERT_OK(open(p, O_RDONLY));
	EXPECT_EQ(read(fd, &c, 1), 1);
	EXPECT_EQ(c, 'z');
	expect_exit0(pid);
	EXPECT_EQ(read(fd, &c, 1), 0);
	close(fd);
}

TEST(a_blocking_writer_open_waits_for_a_reader)
{
	char p[256];
	pid_t pid;
	int fd;

	fifo_path(p, sizeof(p));
	pid = partner(p, O_RDONLY, 50);
	fd = ASSERT_OK(open(p, O_WRONLY));
	EXPECT_EQ(write(fd, "z", 1), 1);
	expect_exit0(pid);
	close(fd);
}
