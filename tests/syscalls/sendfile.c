// SPDX-License-Identifier: MIT
/*
 * sendfile(2): file to file and file to pipe, the offset pointer against the file
 * position, short counts at end of file and at the pipe's capacity, blocking on a full
 * pipe (and EINTR), EAGAIN/EPIPE, and the errno of every refused argument.
 */
#include <poll.h>
#include <sys/sendfile.h>

#include "tests/syscalls/splice_util.h"

static int open_rd(const char *path)
{
	return ASSERT_OK(open(path, O_RDONLY | O_CLOEXEC));
}

TEST(null_offset_uses_and_moves_the_input_position)
{
	char ip[256], op[256], buf[16] = { 0 };
	int in = tmp_file_with("in", "hello world", 11, ip, sizeof(ip));
	int out = tmp_file_with("out", NULL, 0, op, sizeof(op));

	EXPECT_EQ(sendfile(out, in, NULL, 5), 5);
	EXPECT_EQ(lseek(in, 0, SEEK_CUR), 5);
	EXPECT_EQ(lseek(out, 0, SEEK_CUR), 5);
	EXPECT_EQ(sendfile(out, in, NULL, 100), 6);
	EXPECT_EQ(lseek(in, 0, SEEK_CUR), 11);
	EXPECT_EQ(sendfile(out, in, NULL, 100), 0);
	EXPECT_EQ(pread(out, buf, sizeof(buf), 0), 11);
	EXPECT_STREQ(buf, "hello world");
	close(in);
	close(out);
}

TEST(offset_pointer_reads_there_and_leaves_the_position_alone)
{
	char ip[256], op[256], buf[16] = { 0 };
	int in = tmp_file_with("in", "hello world", 11, ip, sizeof(ip));
	int out = tmp_file_with("out", NULL, 0, op, sizeof(op));
	off_t off = 6;

	EXPECT_EQ(sendfile(out, in, &off, 100), 5);
	EXPECT_EQ(off, 11);
	EXPECT_EQ(lseek(in, 0, SEEK_CUR), 0);
	EXPECT_EQ(sendfile(out, in, &off, 100), 0);
	EXPECT_EQ(off, 11);
	off = 0;
	EXPECT_EQ(sendfile(out, in, &off, 5), 5);
	EXPECT_EQ(pread(out, buf, sizeof(buf), 0), 10);
	EXPECT_STREQ(buf, "worldhello");
	close(in);
	close(out);
}

TEST(a_large_file_to_file_copy_is_whole)
{
	const size_t len = (8u << 20) + 12345;
	char ip[256], op[256];
	int in = pattern_file("in", len, ip, sizeof(ip));
	int out = tmp_file_with("out", NULL, 0, op, sizeof(op));
	size_t done = 0;
	ssize_t n;

	while ((n = sendfile(out, in, NULL, len)) > 0)
		done += (size_t)n;
	EXPECT_EQ(n, 0);
	EXPECT_EQ(done, len);
	ASSERT_OK(lseek(out, 0, SEEK_SET));
	EXPECT_EQ(csum_fd(out, len), csum_pattern(len));
	close(in);
	close(out);
}

TEST(into_a_pipe_stops_at_its_capacity)
{
	char ip[256];
	int in = pattern_file("in", 100000, ip, sizeof(ip));
	int p[2];

	ASSERT_OK(pipe(p));
	EXPECT_EQ(sendfile(p[1], in, NULL, 100000), 65536);
	EXPECT_EQ(lseek(in, 0, SEEK_CUR), 65536);
	EXPECT_EQ(csum_fd(p[0], 65536), csum_pattern(65536));
	close(p[0]);
	close(p[1]);
	close(in);
}

TEST(a_full_nonblocking_pipe_is_eagain_and_a_readerless_one_epipe)
{
	char ip[256];
	int in = pattern_file("in", 100000, ip, sizeof(ip));
	int p[2];

	ASSERT_OK(pipe2(p, O_NONBLOCK));
	EXPECT_EQ(sendfile(p[1], in, NULL, 100000), 65536);
	EXPECT_ERRNO(sendfile(p[1], in, NULL, 100000), EAGAIN);
	EXPECT_EQ(lseek(in, 0, SEEK_CUR), 65536);
	signal(SIGPIPE, SIG_IGN);
	close(p[0]);
	EXPECT_ERRNO(sendfile(p[1], in, NULL, 10), EPIPE);
	close(p[1]);
	close(in);
}

static void sendfile_to_readerless_pipe(void *arg)
{
	int p[2], in = *(int *)arg;

	ASSERT_OK(pipe(p));
	close(p[0]);
	sendfile(p[1], in, NULL, 10);
	_exit(3);
}

TEST(a_readerless_pipe_raises_sigpipe)
{
	char ip[256];
	int in = pattern_file("in", 100, ip, sizeof(ip));

	EXPECT_KILLED_BY(status_of_child(sendfile_to_readerless_pipe, &in), SIGPIPE);
	close(in);
}

TEST(a_blocking_pipe_takes_everything_as_a_reader_drains_it)
{
	const size_t len = 1u << 20;
	char ip[256];
	int in = pattern_file("in", len, ip, sizeof(ip));
	int p[2], st;
	size_t done = 0;
	pid_t pid;

	ASSERT_OK(pipe(p));
	pid = fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		close(p[1]);
		_exit(csum_fd(p[0], len) == csum_pattern(len) ? 0 : 1);
	}
	close(p[0]);
	while (done < len) {
		ssize_t n = sendfile(p[1], in, NULL, len - done);

		ASSERT_GT(n, 0);
		done += (size_t)n;
	}
	close(p[1]);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED_OK(st);
	close(in);
}

TEST(a_blocked_sendfile_is_interrupted_by_a_signal)
{
	char ip[256];
	int in = pattern_file("in", 200000, ip, sizeof(ip));
	int p[2];
	pid_t nag;

	ASSERT_OK(pipe(p));
	ASSERT_EQ(sendfile(p[1], in, NULL, 65536), 65536);
	nag = start_nagging();
	EXPECT_ERRNO(sendfile(p[1], in, NULL, 100), EINTR);
	stop_nagging(nag);
	EXPECT_EQ(lseek(in, 0, SEEK_CUR), 65536);
	close(p[0]);
	close(p[1]);
	close(in);
}

TEST(a_file_of_the_root_filesystem_copies_like_read)
{
	static char want[1 << 16], got[1 << 16];
	int in = open_rd("/etc/passwd");
	char op[256];
	int out = tmp_file_with("out", NULL, 0, op, sizeof(op));
	ssize_t n = read(in, want, sizeof(want));
	off_t off = 0;

	ASSERT_GT(n, 0);
	EXPECT_EQ(sendfile(out, in, &off, sizeof(want)), n);
	EXPECT_EQ(off, n);
	EXPECT_EQ(pread(out, got, sizeof(got), 0), n);
	EXPECT_MEMEQ(got, want, (size_t)n);
	close(in);
	close(out);
}

TEST(devices_can_be_both_ends)
{
	int z = open_rd("/dev/zero");
	int null = ASSERT_OK(open("/dev/null", O_WRONLY | O_CLOEXEC));

	EXPECT_EQ(sendfile(null, z, NULL, 100000), 100000);
	close(z);
	close(null);
}

TEST(refused_arguments)
{
	char ip[256], op[256], ap[256];
	int in = tmp_file_with("in", "hello", 5, ip, sizeof(ip));
	int out = tmp_file_with("out", NULL, 0, op, sizeof(op));
	int app = ASSERT_OK(
		open(tmp_path(ap, sizeof(ap), "app"), O_WRONLY | O_CREAT | O_APPEND, 0600));
	int wronly = ASSERT_OK(open(ip, O_WRONLY | O_CLOEXEC));
	int rdonly = open_rd(op);
	int opath = ASSERT_OK(open(ip, O_PATH | O_CLOEXEC));
	int dir = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	int p[2];
	off_t off;

	ASSERT_OK(pipe(p));
	ASSERT_EQ(write(p[1], "abc", 3), 3);
	EXPECT_ERRNO(sendfile(out, 999, NULL, 1), EBADF);
	EXPECT_ERRNO(sendfile(999, in, NULL, 1), EBADF);
	EXPECT_ERRNO(sendfile(out, wronly, NULL, 1), EBADF);
	EXPECT_ERRNO(sendfile(rdonly, in, NULL, 1), EBADF);
	EXPECT_ERRNO(sendfile(out, opath, NULL, 1), EBADF);
	EXPECT_ERRNO(sendfile(out, p[0], NULL, 1), EINVAL);
	off = 0;
	EXPECT_ERRNO(sendfile(out, p[0], &off, 1), ESPIPE);
	EXPECT_ERRNO(sendfile(out, dir, NULL, 1), EINVAL);
	EXPECT_ERRNO(sendfile(app, in, NULL, 1), EINVAL);
	off = -1;
	EXPECT_ERRNO(sendfile(out, in, &off, 1), EINVAL);
	EXPECT_EQ(off, -1);
	EXPECT_ERRNO(sendfile(out, in, (off_t *)unmapped_page(), 1), EFAULT);
	EXPECT_ERRNO(sendfile(out, in, NULL, (size_t)-1), EINVAL);
	EXPECT_EQ(sendfile(out, in, NULL, 0), 0);
	EXPECT_EQ(lseek(in, 0, SEEK_CUR), 0);
	/* the pipe kept its data through all of that */
	EXPECT_EQ(read(p[0], ip, sizeof(ip)), 3);
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
	close(app);
	close(wronly);
	close(rdonly);
	close(opath);
	close(dir);
}
