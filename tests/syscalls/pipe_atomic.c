// SPDX-License-Identifier: MIT
/*
 * Pipe writes: PIPE_BUF atomicity and partial writes without blocking (one process), and
 * blocking readers and writers woken across processes: interleaving of concurrent
 * PIPE_BUF writers, a big transfer, EOF and EPIPE seen by a blocked peer, and blocked
 * calls ended by their process's exit. The cases that need fork skip while the kernel has
 * none.
 */
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "tests/syscalls/sysutil.h"

static char blk[PIPE_BUF];

/* Forks a child that runs fn(arg) and _exits with its result. Skips without fork. */
static pid_t spawn(int (*fn)(void *), void *arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0 && errno == ENOSYS)
		SKIP("fork: ENOSYS");
	ASSERT_OK(pid);
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

static void expect_child_exit(pid_t pid, int code)
{
	int st;

	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), code);
}

TEST(a_pipe_buf_write_goes_in_whole_or_not_at_all)
{
	int fd[2], n = 0;

	ASSERT_OK(pipe2(fd, O_NONBLOCK));
	/* 15 full pages and 4000 bytes: 96 bytes of room in the last page, no free page */
	for (int i = 0; i < 15; i++)
		ASSERT_EQ(write(fd[1], blk, PIPE_BUF), PIPE_BUF);
	ASSERT_EQ(write(fd[1], blk, 4000), 4000);
	EXPECT_ERRNO(write(fd[1], blk, 100), EAGAIN);
	EXPECT_ERRNO(write(fd[1], blk, PIPE_BUF), EAGAIN);
	EXPECT_EQ(write(fd[1], blk, 96), 96);
	ASSERT_OK(ioctl(fd[0], FIONREAD, &n));
	EXPECT_EQ(n, 65536);
	close(fd[0]);
	close(fd[1]);
}

TEST(a_big_nonblocking_write_is_partial)
{
	static char big[3 * PIPE_BUF + 10];
	int fd[2];

	ASSERT_OK(pipe2(fd, O_NONBLOCK));
	for (int i = 0; i < 14; i++)
		ASSERT_EQ(write(fd[1], blk, PIPE_BUF), PIPE_BUF);
	/* the 10-byte tail cannot top up a full page; two free pages take 8192 */
	EXPECT_EQ(write(fd[1], big, sizeof(big)), 2 * PIPE_BUF);
	EXPECT_ERRNO(write(fd[1], big, sizeof(big)), EAGAIN);
	close(fd[0]);
	close(fd[1]);
}

static int slow_writer(void *arg)
{
	int *fd = arg;

	close(fd[0]);
	usleep(100 * 1000);
	if (write(fd[1], "late", 4) != 4)
		return 1;
	usleep(50 * 1000);
	return 0; /* exiting closes the write end: EOF */
}

TEST(a_blocked_read_wakes_for_data_then_sees_eof)
{
	int fd[2];
	char buf[8];
	pid_t pid;

	ASSERT_OK(pipe(fd));
	pid = spawn(slow_writer, fd);
	close(fd[1]);
	EXPECT_EQ(read(fd[0], buf, sizeof(buf)), 4);
	EXPECT_MEMEQ(buf, "late", 4);
	EXPECT_EQ(read(fd[0], buf, sizeof(buf)), 0);
	expect_child_exit(pid, 0);
	close(fd[0]);
}

TEST(poll_wakes_when_another_process_writes)
{
	struct pollfd p;
	int fd[2];
	pid_t pid;

	ASSERT_OK(pipe(fd));
	pid = spawn(slow_writer, fd);
	close(fd[1]);
	p = (struct pollfd){ .fd = fd[0], .events = POLLIN };
	EXPECT_EQ(poll(&p, 1, 10000), 1);
	EXPECT_EQ(p.revents, POLLIN);
	expect_child_exit(pid, 0);
	close(fd[0]);
}

static int slow_reader_exit(void *arg)
{
	int *fd = arg;

	close(fd[1]);
	usleep(100 * 1000);
	return 0;
}

TEST(a_blocked_writer_gets_epipe_when_the_last_reader_goes)
{
	int fd[2];
	pid_t pid;

	ASSERT_OK(pipe(fd));
	pid = spawn(slow_reader_exit, fd);
	close(fd[0]);
	signal(SIGPIPE, SIG_IGN);
	ASSERT_OK(fcntl(fd[1], F_SETFL, O_NONBLOCK));
	while (write(fd[1], blk, PIPE_BUF) > 0)
		;
	ASSERT_OK(fcntl(fd[1], F_SETFL, 0));
	EXPECT_ERRNO(write(fd[1], blk, PIPE_BUF), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	expect_child_exit(pid, 0);
	close(fd[1]);
}

#define RECORDS 400

static int record_writer(void *arg)
{
	int fd = *(int *)arg;
	char rec[PIPE_BUF];

	memset(rec, (char)('a' + getpid() % 26), sizeof(rec));
	rec[0] = '<';
	rec[PIPE_BUF - 1] = '>';
	for (int i = 0; i < RECORDS; i++)
		if (write(fd, rec, sizeof(rec)) != (ssize_t)sizeof(rec))
			return 1;
	return 0;
}

TEST(concurrent_pipe_buf_writes_never_interleave)
{
	static char rec[PIPE_BUF];
	int fd[2], bad = 0;
	size_t got = 0;
	pid_t a, b;
	ssize_t n;

	ASSERT_OK(pipe(fd));
	a = spawn(record_writer, &fd[1]);
	b = spawn(record_writer, &fd[1]);
	close(fd[1]);
	/* read whole records: a read may return less than one, so assemble them */
	for (;;) {
		n = read(fd[0], rec + got, sizeof(rec) - got);
		ASSERT_GE(n, 0);
		if (n == 0)
			break;
		got += (size_t)n;
		if (got < sizeof(rec))
			continue;
		got = 0;
		if (rec[0] != '<' || rec[PIPE_BUF - 1] != '>')
			bad++;
		for (int i = 2; i < PIPE_BUF - 1; i++)
			if (rec[i] != rec[1]) {
				bad++;
				break;
			}
	}
	EXPECT_EQ(got, 0);
	EXPECT_EQ(bad, 0);
	expect_child_exit(a, 0);
	expect_child_exit(b, 0);
	close(fd[0]);
}

#define BIG_MB 16

static int big_writer(void *arg)
{
	int fd = *(int *)arg;
	static unsigned char chunk[1 << 20];

	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (unsigned char)(i * 7 + 3);
	for (int i = 0; i < BIG_MB; i++)
		if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
			return 1;
	return 0;
}

TEST(megabytes_cross_a_pipe_intact)
{
	static unsigned char buf[65536];
	unsigned long long total = 0, bad = 0;
	int fd[2];
	pid_t pid;
	ssize_t n;

	ASSERT_OK(pipe(fd));
	pid = spawn(big_writer, &fd[1]);
	close(fd[1]);
	while ((n = read(fd[0], buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != (unsigned char)(((total + (size_t)i) % (1 << 20)) * 7 + 3))
				bad++;
		total += (size_t)n;
	}
	EXPECT_EQ(n, 0);
	EXPECT_EQ(total, (unsigned long long)BIG_MB << 20);
	EXPECT_EQ(bad, 0);
	expect_child_exit(pid, 0);
	close(fd[0]);
}

/* ---- a blocked pipe call ends when its process exits (exit interrupts the wait) ---- */

enum block_kind { BLOCK_READ, BLOCK_WRITE, BLOCK_POLL, BLOCK_FIFO_OPEN };

struct blocker {
	enum block_kind kind;
	int fd[2];
	char fifo[256];
};

static void *block_forever(void *arg)
{
	struct blocker *b = arg;
	struct pollfd p = { .fd = b->fd[0], .events = POLLIN };
	char c;

	switch (b->kind) {
	case BLOCK_READ:
		(void)!read(b->fd[0], &c, 1);
		break;
	case BLOCK_WRITE:
		for (;;)
			(void)!write(b->fd[1], blk, PIPE_BUF);
	case BLOCK_POLL:
		poll(&p, 1, -1);
		break;
	case BLOCK_FIFO_OPEN:
		open(b->fifo, O_RDONLY);
		break;
	}
	_exit(9); /* woke up: wrong */
}

/* In a child: a thread blocks, then the main thread exits the whole process with 0. */
static void exit_while_blocked(void *arg)
{
	pthread_t th;

	if (pthread_create(&th, NULL, block_forever, arg))
		_exit(8);
	usleep(50 * 1000);
	exit(0);
}

static void expect_exit_ends_block(enum block_kind kind)
{
	struct blocker b = { .kind = kind };

	ASSERT_OK(pipe(b.fd));
	if (kind == BLOCK_FIFO_OPEN) {
		tmp_path(b.fifo, sizeof(b.fifo), "fifo");
		ASSERT_OK(mkfifo(b.fifo, 0600));
	}
	EXPECT_EXITED_OK(status_of_child(exit_while_blocked, &b));
	close(b.fd[0]);
	close(b.fd[1]);
}

TEST(exit_ends_a_blocked_read)
{
	expect_exit_ends_block(BLOCK_READ);
}

TEST(exit_ends_a_blocked_write)
{
	expect_exit_ends_block(BLOCK_WRITE);
}

TEST(exit_ends_a_blocked_poll)
{
	expect_exit_ends_block(BLOCK_POLL);
}

TEST(exit_ends_a_blocked_fifo_open)
{
	expect_exit_ends_block(BLOCK_FIFO_OPEN);
}
