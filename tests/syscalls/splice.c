// SPDX-License-Identifier: MIT
/*
 * splice(2): file to pipe, pipe to file and pipe to pipe; offsets against file positions;
 * waiting for data or room like read/write (and EINTR), EAGAIN from SPLICE_F_NONBLOCK or
 * an O_NONBLOCK pipe, 0 when the writers are gone, EPIPE; every refused argument; and a
 * 64 MiB file -> pipe -> file transfer between two processes.
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

TEST(file_to_pipe_to_file_round_trip)
{
	char ip[256], op[256], buf[32] = { 0 };
	int in = tmp_file_with("in", "hello splice", 12, ip, sizeof(ip));
	int out = tmp_file_with("out", NULL, 0, op, sizeof(op));
	int p[2];

	make_pipe(p, 0);
	EXPECT_EQ(splice(in, NULL, p[1], NULL, 100, SPLICE_F_MOVE | SPLICE_F_MORE), 12);
	EXPECT_EQ(lseek(in, 0, SEEK_CUR), 12);
	EXPECT_EQ(splice(p[0], NULL, out, NULL, 5, 0), 5);
	EXPECT_EQ(lseek(out, 0, SEEK_CUR), 5);
	EXPECT_EQ(splice(p[0], NULL, out, NULL, 100, 0), 7);
	EXPECT_EQ(pread(out, buf, sizeof(buf), 0), 12);
	EXPECT_STREQ(buf, "hello splice");
	close_pipe(p);
	close(in);
	close(out);
}

TEST(offsets_are_used_and_updated_and_positions_stay)
{
	char ip[256], op[256], buf[32] = { 0 };
	int in = tmp_file_with("in", "0123456789", 10, ip, sizeof(ip));
	int out = tmp_file_with("out", "..........", 10, op, sizeof(op));
	loff_t oin = 4, oout = 2;
	int p[2];

	make_pipe(p, 0);
	EXPECT_EQ(splice(in, &oin, p[1], NULL, 3, 0), 3);
	EXPECT_EQ(oin, 7);
	EXPECT_EQ(lseek(in, 0, SEEK_CUR), 0);
	EXPECT_EQ(splice(p[0], NULL, out, &oout, 3, 0), 3);
	EXPECT_EQ(oout, 5);
	EXPECT_EQ(lseek(out, 0, SEEK_CUR), 0);
	EXPECT_EQ(pread(out, buf, sizeof(buf), 0), 10);
	EXPECT_STREQ(buf, "..456.....");
	/* at the end of the file: nothing to move */
	oin = 10;
	EXPECT_EQ(splice(in, &oin, p[1], NULL, 3, 0), 0);
	EXPECT_EQ(oin, 10);
	close_pipe(p);
	close(in);
	close(out);
}

TEST(pipe_to_pipe_moves_the_data)
{
	int a[2], b[2];
	char buf[64] = { 0 };

	make_pipe(a, 0);
	make_pipe(b, 0);
	ASSERT_EQ(write(a[1], "first", 5), 5);
	ASSERT_EQ(write(a[1], "second", 6), 6);
	EXPECT_EQ(splice(a[0], NULL, b[1], NULL, 7, 0), 7);
	EXPECT_EQ(splice(a[0], NULL, b[1], NULL, 100, 0), 4);
	ASSERT_EQ(write(b[1], "!", 1), 1);
	EXPECT_EQ(read(b[0], buf, sizeof(buf)), 12);
	EXPECT_STREQ(buf, "firstsecond!");
	/* a is empty with a writer: nonblocking says EAGAIN; without writers, 0 */
	EXPECT_ERRNO(splice(a[0], NULL, b[1], NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
	close(a[1]);
	EXPECT_EQ(splice(a[0], NULL, b[1], NULL, 10, 0), 0);
	close(a[0]);
	close_pipe(b);
}

TEST(a_file_fills_a_pipe_up_to_its_capacity)
{
	char ip[256];
	int in = pattern_file("in", 1u << 20, ip, sizeof(ip));
	int p[2];

	make_pipe(p, O_NONBLOCK);
	EXPECT_EQ(splice(in, NULL, p[1], NULL, 1u << 20, 0), 65536);
	EXPECT_ERRNO(splice(in, NULL, p[1], NULL, 1u << 20, 0), EAGAIN);
	EXPECT_EQ(csum_fd(p[0], 65536), csum_pattern(65536));
	close_pipe(p);
	close(in);
}

TEST(nonblocking_flag_or_pipe_flag_gives_eagain)
{
	char op[256];
	int out = tmp_file_with("out", NULL, 0, op, sizeof(op));
	int p[2];

	make_pipe(p, 0);
	EXPECT_ERRNO(splice(p[0], NULL, out, NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
	ASSERT_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
	EXPECT_ERRNO(splice(p[0], NULL, out, NULL, 10, 0), EAGAIN);
	close(p[1]);
	EXPECT_EQ(splice(p[0], NULL, out, NULL, 10, 0), 0);
	close(p[0]);
	close(out);
}

TEST(a_readerless_pipe_is_epipe)
{
	char ip[256];
	int in = tmp_file_with("in", "abc", 3, ip, sizeof(ip));
	int p[2], q[2];

	signal(SIGPIPE, SIG_IGN);
	make_pipe(p, 0);
	make_pipe(q, 0);
	close(p[0]);
	EXPECT_ERRNO(splice(in, NULL, p[1], NULL, 3, 0), EPIPE);
	/* pipe to pipe: an empty input with writers is waited for first */
	EXPECT_ERRNO(splice(q[0], NULL, p[1], NULL, 3, SPLICE_F_NONBLOCK), EAGAIN);
	ASSERT_EQ(write(q[1], "x", 1), 1);
	EXPECT_ERRNO(splice(q[0], NULL, p[1], NULL, 3, 0), EPIPE);
	close(p[1]);
	close_pipe(q);
	close(in);
}

TEST(a_splice_from_an_empty_pipe_waits_for_a_writer)
{
	char op[256], buf[16] = { 0 };
	int out = tmp_file_with("out", NULL, 0, op, sizeof(op));
	int p[2], st;
	pid_t pid;

	make_pipe(p, 0);
	pid = fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		/* runs whenever it is scheduled: the parent's splice waits either way */
		_exit(write(p[1], "late", 4) == 4 ? 0 : 1);
	}
	EXPECT_EQ(splice(p[0], NULL, out, NULL, 100, 0), 4);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED_OK(st);
	EXPECT_EQ(pread(out, buf, sizeof(buf), 0), 4);
	EXPECT_STREQ(buf, "late");
	close_pipe(p);
	close(out);
}

TEST(a_blocked_splice_is_interrupted_by_a_signal)
{
	char op[256];
	int out = tmp_file_with("out", NULL, 0, op, sizeof(op));
	int p[2];
	pid_t nag;

	make_pipe(p, 0);
	nag = start_nagging();
	EXPECT_ERRNO(splice(p[0], NULL, out, NULL, 100, 0), EINTR);
	stop_nagging(nag);
	close_pipe(p);
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
	int p[2], q[2];
	loff_t off = 0;

	make_pipe(p, 0);
	make_pipe(q, 0);
	ASSERT_EQ(write(p[1], "abc", 3), 3);
	/* a zero length succeeds before anything is looked at */
	EXPECT_EQ(splice(999, NULL, 999, NULL, 0, 0xff), 0);
	EXPECT_ERRNO(splice(p[0], NULL, q[1], NULL, 1, 0x10), EINVAL);
	EXPECT_ERRNO(splice(999, NULL, q[1], NULL, 1, 0), EBADF);
	EXPECT_ERRNO(splice(p[0], NULL, 999, NULL, 1, 0), EBADF);
	EXPECT_ERRNO(splice(opath, NULL, q[1], NULL, 1, 0), EBADF);
	EXPECT_ERRNO(splice(in, NULL, out, NULL, 1, 0), EINVAL);
	EXPECT_ERRNO(splice(p[0], &off, out, NULL, 1, 0), ESPIPE);
	EXPECT_ERRNO(splice(in, NULL, q[1], &off, 1, 0), ESPIPE);
	EXPECT_ERRNO(splice(p[0], NULL, p[1], NULL, 1, 0), EINVAL);
	EXPECT_ERRNO(splice(p[1], NULL, q[1], NULL, 1, 0), EBADF);
	EXPECT_ERRNO(splice(p[0], NULL, q[0], NULL, 1, 0), EBADF);
	EXPECT_ERRNO(splice(wronly, NULL, q[1], NULL, 1, 0), EBADF);
	EXPECT_ERRNO(splice(p[0], NULL, rdonly, NULL, 1, 0), EBADF);
	EXPECT_ERRNO(splice(p[0], NULL, app, NULL, 1, 0), EINVAL);
	EXPECT_ERRNO(splice(p[0], NULL, app, &off, 1, 0), EINVAL);
	EXPECT_ERRNO(splice(dir, NULL, q[1], NULL, 1, 0), EINVAL);
	off = -1;
	EXPECT_ERRNO(splice(in, &off, q[1], NULL, 1, 0), EINVAL);
	EXPECT_ERRNO(splice(p[0], NULL, out, &off, 1, 0), EINVAL);
	EXPECT_ERRNO(splice(in, (loff_t *)unmapped_page(), q[1], NULL, 1, 0), EFAULT);
	EXPECT_ERRNO(splice(p[0], NULL, out, (loff_t *)unmapped_page(), 1, 0), EFAULT);
	/* nothing moved */
	EXPECT_EQ(read(p[0], ip, sizeof(ip)), 3);
	EXPECT_EQ(lseek(in, 0, SEEK_CUR), 0);
	close_pipe(p);
	close_pipe(q);
	close(in);
	close(out);
	close(app);
	close(wronly);
	close(rdonly);
	close(dir);
	close(opath);
}

#define BIG (64u << 20)

/* The child: splices the pipe into a new file until EOF, then checks what it wrote. */
static void big_reader(int rd, const char *path)
{
	int out = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	size_t done = 0;
	ssize_t n;

	if (out < 0)
		_exit(2);
	while ((n = splice(rd, NULL, out, NULL, 1u << 20, 0)) > 0)
		done += (size_t)n;
	if (n < 0 || done != BIG || lseek(out, 0, SEEK_SET) != 0)
		_exit(3);
	_exit(csum_fd(out, BIG) == csum_pattern(BIG) ? 0 : 4);
}

TEST_TIMEOUT(sixty_four_mib_file_to_pipe_to_file_between_processes, 110)
{
	char ip[256], op[256];
	int in = pattern_file("in", BIG, ip, sizeof(ip));
	size_t done = 0;
	int p[2], st;
	pid_t pid;

	tmp_path(op, sizeof(op), "out");
	/* a reader that gives up shows in its exit status, not as our SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	make_pipe(p, 0);
	pid = fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		close(p[1]);
		big_reader(p[0], op);
	}
	close(p[0]);
	while (done < BIG) {
		ssize_t n = splice(in, NULL, p[1], NULL, BIG - done, 0);

		if (n <= 0)
			harness_diag("splice into the pipe: %zd (%s)", n, harness_errname(errno));
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(p[1]);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED_OK(st);
	unlink(op);
	close(in);
}
