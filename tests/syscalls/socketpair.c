// SPDX-License-Identifier: MIT
/*
 * socketpair(2) for AF_UNIX: creation and its errors, the socket inode (fstat,
 * /proc/self/fd), stream data and its flags (MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL),
 * message boundaries and truncation for SOCK_SEQPACKET/SOCK_DGRAM, shutdown and close
 * (EOF, EPIPE and SIGPIPE, ECONNRESET), the socket options, names, sendmsg/recvmsg
 * iovecs, bad pointers, and blocking calls woken by a thread, a child process or a signal.
 */
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

/* An unmapped address the compiler cannot see through (it would warn). */
static void *bad_ptr(void)
{
	volatile uintptr_t p = 8;

	return (void *)p;
}

#define BAD_PTR bad_ptr()

static void pair(int type, int sv[2])
{
	ASSERT_OK(socketpair(AF_UNIX, type, 0, sv));
}

static void close_pair(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

TEST(creation_flags_and_errors)
{
	int sv[2];

	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
	EXPECT_EQ(fcntl(sv[0], F_GETFL), O_RDWR | O_NONBLOCK);
	EXPECT_EQ(fcntl(sv[1], F_GETFD), FD_CLOEXEC);
	close_pair(sv);
	pair(SOCK_DGRAM, sv);
	EXPECT_EQ(fcntl(sv[0], F_GETFL), O_RDWR);
	EXPECT_EQ(fcntl(sv[0], F_GETFD), 0);
	close_pair(sv);
	ASSERT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, PF_UNIX, sv));
	close_pair(sv);
	EXPECT_ERRNO(socketpair(12345, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
	EXPECT_ERRNO(socketpair(AF_UNIX, SOCK_STREAM | 0x10000, 0, sv), EINVAL);
	EXPECT_ERRNO(socketpair(AF_UNIX, SOCK_STREAM, 6, sv), EPROTONOSUPPORT);
	EXPECT_ERRNO(socketpair(AF_UNIX, SOCK_RDM, 0, sv), ESOCKTNOSUPPORT);
	EXPECT_ERRNO(socketpair(AF_UNIX, SOCK_STREAM, 0, BAD_PTR), EFAULT);
}

TEST(the_ends_are_socket_inodes)
{
	char path[64], link[64], want[64];
	struct stat st, st1;
	int sv[2];

	pair(SOCK_STREAM, sv);
	ASSERT_OK(fstat(sv[0], &st));
	ASSERT_OK(fstat(sv[1], &st1));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0777);
	EXPECT_NE(st.st_ino, st1.st_ino);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", sv[0]);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	ASSERT_GT(n, 0);
	link[n] = 0;
	snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)st.st_ino);
	EXPECT_STREQ(link, want);
	EXPECT_ERRNO(lseek(sv[0], 0, SEEK_SET), ESPIPE);
	close_pair(sv);
}

TEST(stream_moves_bytes_both_ways_with_peek_and_dontwait)
{
	char buf[16];
	int sv[2], n, on = 1;

	pair(SOCK_STREAM, sv);
	EXPECT_ERRNO(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	ASSERT_EQ(write(sv[0], "hello", 5), 5);
	ASSERT_EQ(send(sv[0], " world", 6, 0), 6);
	ASSERT_OK(ioctl(sv[1], FIONREAD, &n));
	EXPECT_EQ(n, 11);
	/* a peek reads across the writes and leaves them */
	ASSERT_EQ(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 11);
	EXPECT_MEMEQ(buf, "hello world", 11);
	ASSERT_EQ(recv(sv[1], buf, 3, 0), 3);
	EXPECT_MEMEQ(buf, "hel", 3);
	ASSERT_EQ(read(sv[1], buf, sizeof(buf)), 8);
	EXPECT_MEMEQ(buf, "lo world", 8);
	/* recv of 0 bytes waits for data, read of 0 bytes does not */
	EXPECT_ERRNO(recv(sv[1], buf, 0, MSG_DONTWAIT), EAGAIN);
	EXPECT_EQ(read(sv[1], buf, 0), 0);
	ASSERT_EQ(write(sv[0], "!", 1), 1);
	EXPECT_EQ(recv(sv[1], buf, 0, MSG_DONTWAIT), 0);
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 1);
	ASSERT_EQ(write(sv[1], "back", 4), 4);
	ASSERT_EQ(read(sv[0], buf, sizeof(buf)), 4);
	/* FIONBIO makes the end non-blocking, as O_NONBLOCK */
	ASSERT_OK(ioctl(sv[0], FIONBIO, &on));
	EXPECT_TRUE(fcntl(sv[0], F_GETFL) & O_NONBLOCK);
	EXPECT_ERRNO(read(sv[0], buf, sizeof(buf)), EAGAIN);
	EXPECT_EQ(write(sv[0], buf, 0), 0);
	close_pair(sv);
}

TEST(a_full_stream_says_eagain_and_takes_what_fits)
{
	static char big[1 << 16];
	long total = 0, n, got = 0;
	int sv[2];

	pair(SOCK_STREAM | SOCK_NONBLOCK, sv);
	while ((n = write(sv[0], big, sizeof(big))) > 0)
		total += n;
	EXPECT_ERRNO(write(sv[0], big, sizeof(big)), EAGAIN);
	EXPECT_GT(total, 4096);
	while ((n = read(sv[1], big, sizeof(big))) > 0)
		got += n;
	EXPECT_EQ(got, total);
	EXPECT_ERRNO(read(sv[1], big, 1), EAGAIN);
	close_pair(sv);
}

static void check_boundaries(int type)
{
	char buf[16];
	struct msghdr mh = { 0 };
	struct iovec iov = { buf, 4 };
	int sv[2], n;

	pair(type, sv);
	ASSERT_EQ(send(sv[0], "first", 5, 0), 5);
	ASSERT_EQ(send(sv[0], "second!", 7, 0), 7);
	ASSERT_EQ(send(sv[0], "", 0, 0), 0);
	ASSERT_EQ(send(sv[0], "x", 1, 0), 1);
	ASSERT_OK(ioctl(sv[1], FIONREAD, &n));
	EXPECT_EQ(n, type == SOCK_DGRAM ? 5 : 13);
	ASSERT_EQ(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 5);
	ASSERT_EQ(recv(sv[1], buf, sizeof(buf), 0), 5);
	EXPECT_MEMEQ(buf, "first", 5);
	/* a short buffer cuts the message and the rest is gone */
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	ASSERT_EQ(recvmsg(sv[1], &mh, 0), 4);
	EXPECT_MEMEQ(buf, "seco", 4);
	EXPECT_EQ(mh.msg_flags, MSG_TRUNC);
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), 0), 0); /* the empty message */
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), 0), 1);
	EXPECT_EQ(buf[0], 'x');
	/* MSG_TRUNC returns the real length */
	ASSERT_EQ(send(sv[0], "abcdef", 6, 0), 6);
	EXPECT_EQ(recv(sv[1], buf, 2, MSG_TRUNC), 6);
	EXPECT_MEMEQ(buf, "ab", 2);
	EXPECT_ERRNO(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	close_pair(sv);
}

TEST(seqpacket_keeps_message_boundaries)
{
	check_boundaries(SOCK_SEQPACKET);
}

TEST(dgram_keeps_message_boundaries)
{
	check_boundaries(SOCK_DGRAM);
}

TEST(a_message_larger_than_sndbuf_is_emsgsize)
{
	static char big[300000];
	int sv[2];

	pair(SOCK_DGRAM, sv);
	EXPECT_ERRNO(send(sv[0], big, sizeof(big), 0), EMSGSIZE);
	close_pair(sv);
}

TEST(shutdown_wr_gives_the_peer_eof)
{
	char buf[8];
	int sv[2];

	pair(SOCK_STREAM, sv);
	ASSERT_EQ(write(sv[0], "ab", 2), 2);
	ASSERT_OK(shutdown(sv[0], SHUT_WR));
	EXPECT_ERRNO(send(sv[0], "c", 1, MSG_NOSIGNAL), EPIPE);
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 2);
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 0);
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 0);
	/* the other direction still works */
	ASSERT_EQ(write(sv[1], "z", 1), 1);
	EXPECT_EQ(read(sv[0], buf, sizeof(buf)), 1);
	EXPECT_ERRNO(shutdown(sv[0], 3), EINVAL);
	EXPECT_ERRNO(shutdown(sv[0], -1), EINVAL);
	close_pair(sv);
}

TEST(shutdown_rd_stops_the_peers_sends)
{
	char buf[8];
	int sv[2];

	pair(SOCK_STREAM, sv);
	ASSERT_OK(shutdown(sv[1], SHUT_RD));
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 0);
	EXPECT_ERRNO(send(sv[0], "c", 1, MSG_NOSIGNAL), EPIPE);
	close_pair(sv);
}

static void write_to_closed(void *arg)
{
	int fd = *(int *)arg;

	(void)!write(fd, "x", 1);
}

TEST(writing_to_a_closed_stream_raises_sigpipe)
{
	int sv[2], st;

	pair(SOCK_STREAM, sv);
	close(sv[1]);
	EXPECT_ERRNO(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	st = status_of_child(write_to_closed, &sv[0]);
	EXPECT_KILLED_BY(st, SIGPIPE);
	close(sv[0]);
}

/* Linux raises SIGPIPE for streams only: write(2) to a packet socket whose peer is gone
 * fails with EPIPE (seqpacket) or ECONNREFUSED/ENOTCONN (dgram), and the writer lives. */
TEST(writing_to_a_closed_packet_socket_raises_no_sigpipe)
{
	int types[] = { SOCK_SEQPACKET, SOCK_DGRAM };

	for (int i = 0; i < 2; i++) {
		int sv[2], st;

		pair(types[i], sv);
		close(sv[1]);
		st = status_of_child(write_to_closed, &sv[0]);
		EXPECT_TRUE(WIFEXITED(st));
		close(sv[0]);
	}
}

TEST(a_seqpacket_peer_gone_is_epipe_and_eof)
{
	char buf[4];
	int sv[2];

	pair(SOCK_SEQPACKET, sv);
	close(sv[1]);
	EXPECT_ERRNO(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	EXPECT_EQ(recv(sv[0], buf, sizeof(buf), 0), 0);
	close(sv[0]);
}

TEST(closing_with_unread_data_resets_the_peer)
{
	char buf[8];
	int sv[2], err = -1;
	socklen_t len = sizeof(err);

	pair(SOCK_STREAM, sv);
	ASSERT_EQ(write(sv[0], "lost", 4), 4);
	ASSERT_EQ(write(sv[1], "kept", 4), 4);
	close(sv[1]);
	/* queued data first, then the error once, then end of file */
	EXPECT_EQ(read(sv[0], buf, sizeof(buf)), 4);
	EXPECT_ERRNO(read(sv[0], buf, sizeof(buf)), ECONNRESET);
	EXPECT_EQ(read(sv[0], buf, sizeof(buf)), 0);
	ASSERT_OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(err, 0);
	close(sv[0]);
}

TEST(so_error_reports_the_reset_once)
{
	int sv[2], err = -1;
	socklen_t len = sizeof(err);

	pair(SOCK_STREAM, sv);
	ASSERT_EQ(write(sv[0], "lost", 4), 4);
	close(sv[1]);
	ASSERT_OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(err, ECONNRESET);
	ASSERT_OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(err, 0);
	close(sv[0]);
}

TEST(datagram_shutdown_and_addresses)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4];
	int sv[2];

	pair(SOCK_DGRAM, sv);
	ASSERT_OK(shutdown(sv[1], SHUT_RD));
	EXPECT_ERRNO(send(sv[0], "x", 1, 0), EPIPE);
	/* only a blocking read sees end of file */
	EXPECT_ERRNO(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), 0), 0);
	close_pair(sv);
	/* a datagram shutdown stays on its own end */
	pair(SOCK_DGRAM, sv);
	ASSERT_OK(shutdown(sv[0], SHUT_WR));
	EXPECT_ERRNO(send(sv[0], "x", 1, 0), EPIPE);
	EXPECT_EQ(send(sv[1], "y", 1, 0), 1);
	EXPECT_EQ(recv(sv[0], buf, sizeof(buf), 0), 1);
	close_pair(sv);
	/* an explicit destination is looked up: nothing is bound here */
	pair(SOCK_DGRAM, sv);
	strcpy(sa.sun_path, "/nonexistent-socket");
	EXPECT_ERRNO(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)), ENOENT);
	strcpy(sa.sun_path, "/");
	EXPECT_ERRNO(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)), ECONNREFUSED);
	sa.sun_path[0] = 0; /* abstract */
	EXPECT_ERRNO(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)), ECONNREFUSED);
	EXPECT_ERRNO(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&sa, 2), EINVAL);
	EXPECT_ERRNO(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&sa, 1000), EINVAL);
	/* a packet socket ignores a destination */
	close_pair(sv);
	pair(SOCK_SEQPACKET, sv);
	EXPECT_EQ(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)), 1);
	close_pair(sv);
}

TEST(a_dgram_to_a_closed_peer_is_refused_then_not_connected)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	int sv[2];

	pair(SOCK_DGRAM, sv);
	close(sv[1]);
	EXPECT_ERRNO(send(sv[0], "x", 1, 0), ECONNREFUSED);
	EXPECT_ERRNO(send(sv[0], "x", 1, 0), ENOTCONN);
	EXPECT_ERRNO(getpeername(sv[0], (struct sockaddr *)&sa, &len), ENOTCONN);
	close(sv[0]);
	/* its own shutdown comes first */
	pair(SOCK_DGRAM, sv);
	close(sv[1]);
	ASSERT_OK(shutdown(sv[0], SHUT_WR));
	EXPECT_ERRNO(send(sv[0], "x", 1, 0), EPIPE);
	close(sv[0]);
}

static int int_opt(int fd, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	ASSERT_OK(getsockopt(fd, SOL_SOCKET, name, &v, &len));
	ASSERT_EQ(len, sizeof(v));
	return v;
}

TEST(socket_options)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	int sv[2], v = 65536;
	short sh = 0;

	pair(SOCK_SEQPACKET, sv);
	EXPECT_EQ(int_opt(sv[0], SO_TYPE), SOCK_SEQPACKET);
	EXPECT_EQ(int_opt(sv[0], SO_DOMAIN), AF_UNIX);
	EXPECT_EQ(int_opt(sv[0], SO_PROTOCOL), 0);
	EXPECT_EQ(int_opt(sv[0], SO_ERROR), 0);
	EXPECT_GT(int_opt(sv[0], SO_SNDBUF), 0);
	EXPECT_GT(int_opt(sv[0], SO_RCVBUF), 0);
	ASSERT_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	EXPECT_EQ(int_opt(sv[0], SO_SNDBUF), 2 * 65536);
	ASSERT_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
	EXPECT_EQ(int_opt(sv[0], SO_RCVBUF), 2 * 65536);
	v = 1;
	ASSERT_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	EXPECT_EQ(int_opt(sv[0], SO_SNDBUF), 4608);
	EXPECT_ERRNO(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sh, sizeof(sh)), EINVAL);
	EXPECT_ERRNO(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, BAD_PTR, sizeof(v)), EFAULT);
	ASSERT_OK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &len));
	EXPECT_EQ(len, sizeof(uc));
	EXPECT_EQ(uc.pid, getpid());
	EXPECT_EQ(uc.uid, geteuid());
	EXPECT_EQ(uc.gid, getegid());
	/* a short length gets a prefix */
	len = 2;
	ASSERT_OK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &sh, &len));
	EXPECT_EQ(len, 2);
	EXPECT_EQ(sh, SOCK_SEQPACKET);
	len = sizeof(v);
	EXPECT_ERRNO(getsockopt(sv[0], SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
	EXPECT_ERRNO(getsockopt(sv[0], 6 /* IPPROTO_TCP */, 1, &v, &len), EOPNOTSUPP);
	EXPECT_ERRNO(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, BAD_PTR), EFAULT);
	close_pair(sv);
}

static void peer_cred_in_child(void *arg)
{
	int fd = *(int *)arg;
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) || uc.pid != getppid())
		_exit(1);
}

TEST(so_peercred_is_the_creator_even_in_a_child)
{
	int sv[2];

	pair(SOCK_STREAM, sv);
	EXPECT_EXITED_OK(status_of_child(peer_cred_in_child, &sv[1]));
	close_pair(sv);
}

TEST(unnamed_addresses)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	char buf[4];
	int sv[2];

	pair(SOCK_STREAM, sv);
	memset(&sa, 0x55, sizeof(sa));
	ASSERT_OK(getsockname(sv[0], (struct sockaddr *)&sa, &len));
	EXPECT_EQ(len, sizeof(sa_family_t));
	EXPECT_EQ(sa.sun_family, AF_UNIX);
	len = sizeof(sa);
	ASSERT_OK(getpeername(sv[0], (struct sockaddr *)&sa, &len));
	EXPECT_EQ(len, sizeof(sa_family_t));
	len = 0;
	ASSERT_OK(getsockname(sv[0], (struct sockaddr *)&sa, &len));
	EXPECT_EQ(len, sizeof(sa_family_t));
	EXPECT_ERRNO(getsockname(sv[0], (struct sockaddr *)&sa, BAD_PTR), EFAULT);
	/* a stream is connected: a destination is EISCONN */
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, "/nowhere");
	EXPECT_ERRNO(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)), EISCONN);
	ASSERT_EQ(send(sv[0], "x", 1, 0), 1);
	len = sizeof(sa);
	ASSERT_EQ(recvfrom(sv[1], buf, sizeof(buf), 0, (struct sockaddr *)&sa, &len), 1);
	EXPECT_EQ(len, 0);
	close_pair(sv);
}

TEST(sendmsg_and_recvmsg_gather_and_scatter)
{
	char a[3], b[5], c[8];
	struct iovec out[2] = { { "abc", 3 }, { "defgh", 5 } };
	struct iovec in[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct msghdr mh = { .msg_iov = out, .msg_iovlen = 2 };
	char ctl[64];
	int sv[2];

	pair(SOCK_STREAM, sv);
	ASSERT_EQ(sendmsg(sv[0], &mh, 0), 8);
	mh = (struct msghdr){ .msg_iov = in,
			      .msg_iovlen = 2,
			      .msg_control = ctl,
			      .msg_controllen = sizeof(ctl),
			      .msg_flags = -1 };
	ASSERT_EQ(recvmsg(sv[1], &mh, 0), 8);
	EXPECT_MEMEQ(a, "abc", 3);
	EXPECT_MEMEQ(b, "defgh", 5);
	EXPECT_EQ(mh.msg_controllen, 0);
	EXPECT_EQ(mh.msg_flags, 0);
	/* iovecs may be empty, the message too */
	mh = (struct msghdr){ .msg_iov = NULL, .msg_iovlen = 0 };
	EXPECT_EQ(sendmsg(sv[0], &mh, 0), 0);
	mh.msg_iov = in;
	mh.msg_iovlen = 1025;
	EXPECT_ERRNO(sendmsg(sv[0], &mh, 0), EMSGSIZE);
	mh.msg_iov = BAD_PTR;
	mh.msg_iovlen = 1;
	EXPECT_ERRNO(sendmsg(sv[0], &mh, 0), EFAULT);
	EXPECT_ERRNO(recvmsg(sv[1], BAD_PTR, 0), EFAULT);
	(void)c;
	close_pair(sv);
}

TEST(bad_pointers_are_efault_and_keep_the_data)
{
	char buf[8];
	int sv[2];

	pair(SOCK_STREAM, sv);
	EXPECT_ERRNO(send(sv[0], BAD_PTR, 4, 0), EFAULT);
	ASSERT_EQ(send(sv[0], "data", 4, 0), 4);
	EXPECT_ERRNO(recv(sv[1], BAD_PTR, 4, 0), EFAULT);
	EXPECT_ERRNO(read(sv[1], BAD_PTR, 4), EFAULT);
	ASSERT_EQ(recv(sv[1], buf, sizeof(buf), 0), 4);
	EXPECT_MEMEQ(buf, "data", 4);
	close_pair(sv);
}

TEST(not_a_socket)
{
	int p[2], v;
	socklen_t len = sizeof(v);
	char c;

	ASSERT_OK(pipe(p));
	EXPECT_ERRNO(send(p[1], "x", 1, 0), ENOTSOCK);
	EXPECT_ERRNO(recv(p[0], &c, 1, MSG_DONTWAIT), ENOTSOCK);
	EXPECT_ERRNO(shutdown(p[0], SHUT_RD), ENOTSOCK);
	EXPECT_ERRNO(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &len), ENOTSOCK);
	EXPECT_ERRNO(send(-1, "x", 1, 0), EBADF);
	close(p[0]);
	close(p[1]);
}

struct delayed {
	int fd;
	size_t len;
};

static void *delayed_writer(void *arg)
{
	struct delayed *d = arg;
	static char buf[1 << 16];

	memset(buf, 'w', sizeof(buf));
	if (write(d->fd, buf, d->len) != (ssize_t)d->len)
		return (void *)1;
	return NULL;
}

TEST(a_blocked_recv_is_woken_by_a_thread)
{
	struct delayed d;
	pthread_t th;
	char buf[4];
	int sv[2];
	void *r;

	pair(SOCK_SEQPACKET, sv);
	d = (struct delayed){ .fd = sv[0], .len = 3 };
	ASSERT_EQ(pthread_create(&th, NULL, delayed_writer, &d), 0);
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), 0), 3);
	ASSERT_EQ(pthread_join(th, &r), 0);
	EXPECT_EQ(r, NULL);
	close_pair(sv);
}

static void *drain(void *arg)
{
	struct delayed *d = arg;
	static char buf[1 << 16];
	size_t got = 0;
	ssize_t n;

	while (got < d->len && (n = read(d->fd, buf, sizeof(buf))) > 0)
		got += (size_t)n;
	return (void *)got;
}

TEST(a_blocked_stream_send_is_woken_by_a_reader)
{
	static char big[1 << 20];
	struct delayed d;
	pthread_t th;
	int sv[2];
	void *r;

	pair(SOCK_STREAM, sv);
	d = (struct delayed){ .fd = sv[1], .len = sizeof(big) };
	ASSERT_EQ(pthread_create(&th, NULL, drain, &d), 0);
	/* more than the socket holds: the send waits for the reader, and sends it all */
	EXPECT_EQ(send(sv[0], big, sizeof(big), 0), (long)sizeof(big));
	ASSERT_EQ(pthread_join(th, &r), 0);
	EXPECT_EQ((size_t)r, sizeof(big));
	close_pair(sv);
}

TEST(a_blocked_waitall_recv_is_woken_by_another_process)
{
	char buf[10];
	int sv[2], st;
	pid_t pid;

	pair(SOCK_STREAM, sv);
	fflush(NULL);
	pid = fork();
	if (pid < 0 && errno == ENOSYS)
		SKIP("fork: ENOSYS");
	ASSERT_OK(pid);
	if (pid == 0) {
		for (int i = 0; i < 10; i++)
			if (write(sv[0], "0123456789" + i, 1) != 1)
				_exit(1);
		_exit(0);
	}
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), MSG_WAITALL), 10);
	EXPECT_MEMEQ(buf, "0123456789", 10);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED_OK(st);
	close_pair(sv);
}

static volatile int stop_kicking;

static void on_usr1(int sig)
{
	(void)sig;
}

static void *kicker(void *p)
{
	pthread_t main_thread = *(pthread_t *)p;
	struct timespec ms = { 0, 1000000 };

	while (!__atomic_load_n(&stop_kicking, __ATOMIC_ACQUIRE)) {
		pthread_kill(main_thread, SIGUSR1);
		nanosleep(&ms, NULL);
	}
	return NULL;
}

TEST(a_signal_interrupts_a_blocked_recv_with_eintr)
{
	struct sigaction sa = { .sa_handler = on_usr1 }; /* no SA_RESTART */
	pthread_t self = pthread_self(), th;
	char buf[4];
	int sv[2];

	pair(SOCK_DGRAM, sv);
	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	__atomic_store_n(&stop_kicking, 0, __ATOMIC_RELEASE);
	ASSERT_EQ(pthread_create(&th, NULL, kicker, &self), 0);
	EXPECT_ERRNO(recv(sv[0], buf, sizeof(buf), 0), EINTR);
	__atomic_store_n(&stop_kicking, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	sa.sa_handler = SIG_DFL;
	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	close_pair(sv);
}
