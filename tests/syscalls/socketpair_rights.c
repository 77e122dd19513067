// SPDX-License-Identifier: MIT
/*
 * Passing files over AF_UNIX socket pairs (SCM_RIGHTS): to another process, several at
 * once, MSG_CTRUNC when the control buffer is short, MSG_CMSG_CLOEXEC, MSG_PEEK, files
 * ending a stream read, files dropped by read(2) or by closing the socket, and the errors
 * of bad control data.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include "tests/syscalls/sysutil.h"

#define MAX_FDS 4

/* Sends data (len bytes) with n fds on sock; the result of sendmsg. */
static ssize_t send_fds(int sock, const char *data, size_t len, const int *fds, int n)
{
	union {
		char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)data, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (n) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	}
	return sendmsg(sock, &mh, 0);
}

/* Receives into buf with room for room_fds fds; the fds land in fds[], their count in
 * *n, msg_flags in *mflags. The result of recvmsg. */
static ssize_t recv_fds(int sock, char *buf, size_t len, int room_fds, int flags, int *fds, int *n,
			int *mflags)
{
	union {
		char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t r;

	mh.msg_control = room_fds >= 0 ? u.buf : NULL;
	mh.msg_controllen = room_fds > 0  ? CMSG_LEN(room_fds * sizeof(int)) :
			    room_fds == 0 ? sizeof(struct cmsghdr) :
					    0;
	*n = 0;
	r = recvmsg(sock, &mh, flags);
	if (r < 0)
		return r;
	*mflags = mh.msg_flags;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
		*n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		memcpy(fds, CMSG_DATA(c), *n * sizeof(int));
	}
	return r;
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	ASSERT_OK(fstat(a, &sa));
	ASSERT_OK(fstat(b, &sb));
	return sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

TEST(a_pipe_end_goes_to_another_process)
{
	int sv[2], p[2], st;
	char buf[8];
	pid_t pid;

	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_OK(pipe(p));
	fflush(NULL);
	pid = fork();
	if (pid < 0 && errno == ENOSYS)
		SKIP("fork: ENOSYS");
	ASSERT_OK(pid);
	if (pid == 0) {
		int fds[MAX_FDS], n, fl;

		close(p[1]);
		if (recv_fds(sv[1], buf, sizeof(buf), 1, 0, fds, &n, &fl) != 1 || n != 1)
			_exit(1);
		_exit(write(fds[0], "hi", 2) == 2 ? 0 : 2);
	}
	ASSERT_EQ(send_fds(sv[0], "f", 1, &p[1], 1), 1);
	close(p[1]);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED_OK(st);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 2);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 0); /* every write end is gone */
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

TEST(several_files_short_buffers_and_cloexec)
{
	int sv[2], p[2], fds[MAX_FDS], n, fl;
	int out[3];
	char c;

	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	ASSERT_OK(pipe(p));
	out[0] = p[0];
	out[1] = p[1];
	out[2] = sv[0];
	ASSERT_EQ(send_fds(sv[0], "3", 1, out, 3), 1);
	ASSERT_EQ(recv_fds(sv[1], &c, 1, 3, MSG_CMSG_CLOEXEC, fds, &n, &fl), 1);
	ASSERT_EQ(n, 3);
	EXPECT_EQ(fl, MSG_CMSG_CLOEXEC); /* Linux echoes it */
	EXPECT_TRUE(same_file(fds[0], p[0]));
	EXPECT_TRUE(same_file(fds[1], p[1]));
	EXPECT_TRUE(same_file(fds[2], sv[0]));
	EXPECT_EQ(fcntl(fds[0], F_GETFD), FD_CLOEXEC);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	/* room for one: the rest are dropped, MSG_CTRUNC */
	ASSERT_EQ(send_fds(sv[0], "2", 1, out, 2), 1);
	ASSERT_EQ(recv_fds(sv[1], &c, 1, 1, 0, fds, &n, &fl), 1);
	EXPECT_EQ(n, 1);
	EXPECT_EQ(fl, MSG_CTRUNC);
	EXPECT_EQ(fcntl(fds[0], F_GETFD), 0);
	close(fds[0]);
	/* no room at all */
	ASSERT_EQ(send_fds(sv[0], "1", 1, out, 1), 1);
	ASSERT_EQ(recv_fds(sv[1], &c, 1, 0, 0, fds, &n, &fl), 1);
	EXPECT_EQ(n, 0);
	EXPECT_EQ(fl, MSG_CTRUNC);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

TEST(files_end_a_stream_read_and_peek_duplicates_them)
{
	int sv[2], p[2], fds[MAX_FDS], n, fl;
	char buf[16];

	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_OK(pipe(p));
	ASSERT_EQ(send_fds(sv[0], "ab", 2, &p[0], 1), 2);
	ASSERT_EQ(send(sv[0], "cd", 2, 0), 2);
	ASSERT_EQ(recv_fds(sv[1], buf, sizeof(buf), 1, MSG_PEEK, fds, &n, &fl), 2);
	ASSERT_EQ(n, 1);
	EXPECT_TRUE(same_file(fds[0], p[0]));
	close(fds[0]);
	ASSERT_EQ(recv_fds(sv[1], buf, sizeof(buf), 1, 0, fds, &n, &fl), 2);
	EXPECT_MEMEQ(buf, "ab", 2);
	ASSERT_EQ(n, 1);
	close(fds[0]);
	ASSERT_EQ(recv_fds(sv[1], buf, sizeof(buf), 1, 0, fds, &n, &fl), 2);
	EXPECT_MEMEQ(buf, "cd", 2);
	EXPECT_EQ(n, 0);
	/* plain data before the files is read with them */
	ASSERT_EQ(send(sv[0], "ef", 2, 0), 2);
	ASSERT_EQ(send_fds(sv[0], "gh", 2, &p[0], 1), 2);
	ASSERT_EQ(recv_fds(sv[1], buf, sizeof(buf), 1, 0, fds, &n, &fl), 4);
	EXPECT_MEMEQ(buf, "efgh", 4);
	ASSERT_EQ(n, 1);
	close(fds[0]);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

TEST(unreceived_files_are_dropped)
{
	int sv[2], p[2];
	char buf[4];

	/* by read(2), which has no control buffer */
	ASSERT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	ASSERT_OK(pipe(p));
	ASSERT_EQ(send_fds(sv[0], "x", 1, &p[1], 1), 1);
	close(p[1]);
	ASSERT_EQ(read(sv[1], buf, sizeof(buf)), 1);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	/* by closing the socket they wait in */
	ASSERT_OK(pipe(p));
	ASSERT_EQ(send_fds(sv[0], "x", 1, &p[1], 1), 1);
	close(p[1]);
	close(sv[1]);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	close(sv[0]);
}

TEST(bad_control_data)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { "x", 1 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = (struct cmsghdr *)u.buf;
	int sv[2], bad = 9999;

	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	EXPECT_ERRNO(send_fds(sv[0], "x", 1, &bad, 1), EBADF);
	memset(&u, 0, sizeof(u));
	c->cmsg_len = 4; /* shorter than its header */
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	EXPECT_ERRNO(sendmsg(sv[0], &mh, 0), EINVAL);
	c->cmsg_len = CMSG_LEN(sizeof(int));
	c->cmsg_type = 77; /* no such SOL_SOCKET type */
	EXPECT_ERRNO(sendmsg(sv[0], &mh, 0), EINVAL);
	/* other levels are skipped */
	c->cmsg_level = 12345;
	EXPECT_EQ(sendmsg(sv[0], &mh, 0), 1);
	mh.msg_control = (void *)8;
	EXPECT_ERRNO(sendmsg(sv[0], &mh, 0), EFAULT);
	/* more control data than a socket may hold at once (optmem_max) */
	mh.msg_controllen = 1 << 24;
	EXPECT_ERRNO(sendmsg(sv[0], &mh, 0), ENOBUFS);
	close(sv[0]);
	close(sv[1]);
}
