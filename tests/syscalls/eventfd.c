// SPDX-License-Identifier: MIT
/*
 * eventfd(2) and eventfd2(2): the counter (sum on write, all of it or one in semaphore mode
 * on read), 8-byte transfers, the overflow limit, flags, poll/select readiness, blocking
 * readers and writers woken by the other side (threads), EINTR, and sharing across fork.
 */
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/select.h>

#include "tests/syscalls/sysutil.h"

#define EFD_MAX 0xfffffffffffffffeULL

static uint64_t rd(int fd)
{
	uint64_t v = 0;

	ASSERT_EQ(read(fd, &v, sizeof(v)), 8);
	return v;
}

static void wr(int fd, uint64_t v)
{
	ASSERT_EQ(write(fd, &v, sizeof(v)), 8);
}

static short revents_of(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	ASSERT_OK(poll(&p, 1, 0));
	return p.revents;
}

TEST(flags_set_status_and_fd_flags)
{
	int fd = ASSERT_OK(eventfd(0, 0));

	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
	EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	close(fd);
	fd = ASSERT_OK(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	EXPECT_ERRNO(eventfd(0, 0x10), EINVAL);
	EXPECT_ERRNO(eventfd(0, O_APPEND), EINVAL);
}

TEST(the_old_eventfd_call_takes_an_initial_value)
{
	int fd = ASSERT_OK((int)syscall(SYS_eventfd, 5));

	EXPECT_EQ(rd(fd), 5);
	close(fd);
}

TEST(writes_add_up_and_a_read_takes_everything)
{
	int fd = ASSERT_OK(eventfd(10, EFD_NONBLOCK));
	uint64_t v;

	wr(fd, 3);
	wr(fd, 4);
	wr(fd, 0);
	EXPECT_EQ(rd(fd), 17);
	EXPECT_ERRNO(read(fd, &v, sizeof(v)), EAGAIN);
	close(fd);
}

TEST(semaphore_mode_reads_one_at_a_time)
{
	int fd = ASSERT_OK(eventfd(2, EFD_NONBLOCK | EFD_SEMAPHORE));
	uint64_t v;

	wr(fd, 1);
	EXPECT_EQ(rd(fd), 1);
	EXPECT_EQ(rd(fd), 1);
	EXPECT_EQ(rd(fd), 1);
	EXPECT_ERRNO(read(fd, &v, sizeof(v)), EAGAIN);
	close(fd);
}

TEST(short_buffers_and_the_all_ones_value_are_einval)
{
	int fd = ASSERT_OK(eventfd(1, EFD_NONBLOCK));
	uint64_t big[2] = { 0, 0 }, max = UINT64_MAX;
	uint32_t small = 1;

	EXPECT_ERRNO(read(fd, &small, sizeof(small)), EINVAL);
	EXPECT_ERRNO(write(fd, &small, sizeof(small)), EINVAL);
	EXPECT_ERRNO(write(fd, &max, sizeof(max)), EINVAL);
	EXPECT_ERRNO(read(fd, &small, 0), EINVAL);
	/* a longer buffer reads 8 bytes; a write must be exactly 8 (Linux 6.9 on) */
	EXPECT_EQ(read(fd, big, sizeof(big)), 8);
	EXPECT_EQ(big[0], 1);
	EXPECT_EQ(big[1], 0);
	big[0] = 2;
	EXPECT_ERRNO(write(fd, big, sizeof(big)), EINVAL);
	close(fd);
}

TEST(bad_buffers_are_efault)
{
	int fd = ASSERT_OK(eventfd(1, EFD_NONBLOCK));

	/* raw calls: the compiler would flag these pointers */
	EXPECT_ERRNO(syscall(SYS_write, fd, 8L, 8L), EFAULT);
	EXPECT_ERRNO(syscall(SYS_read, fd, 8L, 8L), EFAULT);
	close(fd);
}

TEST(the_counter_stops_below_all_ones)
{
	int fd = ASSERT_OK(eventfd(0, EFD_NONBLOCK));
	uint64_t one = 1;

	wr(fd, EFD_MAX);
	EXPECT_ERRNO(write(fd, &one, sizeof(one)), EAGAIN);
	EXPECT_EQ(revents_of(fd, POLLIN | POLLOUT), POLLIN);
	EXPECT_EQ(rd(fd), EFD_MAX);
	wr(fd, EFD_MAX - 1);
	wr(fd, 1);
	EXPECT_ERRNO(write(fd, &one, sizeof(one)), EAGAIN);
	/* a zero write succeeds even when full */
	wr(fd, 0);
	close(fd);
}

TEST(poll_and_select_follow_the_counter)
{
	int fd = ASSERT_OK(eventfd(0, EFD_NONBLOCK));
	struct timeval tv = { 0, 0 };
	fd_set r, w;

	EXPECT_EQ(revents_of(fd, POLLIN | POLLOUT), POLLOUT);
	EXPECT_EQ(revents_of(fd, POLLIN), 0);
	wr(fd, 1);
	EXPECT_EQ(revents_of(fd, POLLIN | POLLOUT), POLLIN | POLLOUT);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fd, &r);
	FD_SET(fd, &w);
	EXPECT_EQ(select(fd + 1, &r, &w, NULL, &tv), 2);
	EXPECT_TRUE(FD_ISSET(fd, &r));
	rd(fd);
	EXPECT_EQ(revents_of(fd, POLLIN), 0);
	close(fd);
}

struct io_arg {
	int fd;
	uint64_t v;
};

static void *reader(void *p)
{
	struct io_arg *a = p;

	a->v = rd(a->fd);
	return NULL;
}

static void *writer(void *p)
{
	struct io_arg *a = p;

	wr(a->fd, a->v);
	return NULL;
}

TEST(a_blocked_reader_wakes_on_a_write)
{
	struct io_arg a = { .fd = ASSERT_OK(eventfd(0, 0)) };
	pthread_t th;

	ASSERT_EQ(pthread_create(&th, NULL, reader, &a), 0);
	wr(a.fd, 42);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	EXPECT_EQ(a.v, 42);
	close(a.fd);
}

TEST(a_blocked_writer_wakes_on_a_read)
{
	struct io_arg a = { .fd = ASSERT_OK(eventfd(0, 0)), .v = 5 };
	pthread_t th;

	wr(a.fd, EFD_MAX);
	/* the writer cannot add 5 until the read below empties the counter */
	ASSERT_EQ(pthread_create(&th, NULL, writer, &a), 0);
	EXPECT_EQ(rd(a.fd), EFD_MAX);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	EXPECT_EQ(rd(a.fd), 5);
	close(a.fd);
}

TEST(a_poller_wakes_on_a_write)
{
	struct io_arg a = { .fd = ASSERT_OK(eventfd(0, EFD_NONBLOCK)), .v = 3 };
	struct pollfd p = { .fd = a.fd, .events = POLLIN };
	pthread_t th;

	ASSERT_EQ(pthread_create(&th, NULL, writer, &a), 0);
	EXPECT_EQ(poll(&p, 1, -1), 1);
	EXPECT_EQ(p.revents, POLLIN);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	EXPECT_EQ(rd(a.fd), 3);
	close(a.fd);
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

TEST(a_signal_interrupts_a_blocked_read_with_eintr)
{
	struct sigaction sa = { .sa_handler = on_usr1 }; /* no SA_RESTART */
	int fd = ASSERT_OK(eventfd(0, 0));
	pthread_t self = pthread_self(), th;
	uint64_t v;

	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(pthread_create(&th, NULL, kicker, &self), 0);
	EXPECT_ERRNO(read(fd, &v, sizeof(v)), EINTR);
	__atomic_store_n(&stop_kicking, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	close(fd);
}

TEST(a_forked_child_shares_the_counter)
{
	int fd = ASSERT_OK(eventfd(0, 0));
	pid_t pid;
	int st;

	pid = fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		uint64_t v = 7;

		_exit(write(fd, &v, sizeof(v)) == 8 ? 0 : 1);
	}
	EXPECT_EQ(rd(fd), 7); /* blocks until the child writes */
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	close(fd);
}

TEST(proc_fd_names_it_an_anonymous_inode)
{
	int fd = ASSERT_OK(eventfd(0, 0));
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0 && errno == ENOENT)
		SKIP("no /proc");
	ASSERT_OK(n);
	link[n] = 0;
	EXPECT_STREQ(link, "anon_inode:[eventfd]");
	close(fd);
}

TEST(fstat_shows_an_anonymous_inode)
{
	int fd = ASSERT_OK(eventfd(0, 0));
	struct stat st;

	ASSERT_OK(fstat(fd, &st));
	/* no file type bits, read-write for the owner */
	EXPECT_EQ(st.st_mode, 0600);
	EXPECT_EQ(st.st_nlink, 1);
	EXPECT_EQ(st.st_size, 0);
	close(fd);
}

TEST(lseek_does_nothing_and_succeeds)
{
	int fd = ASSERT_OK(eventfd(0, 0));

	/* Linux's noop_llseek: the position stays 0 */
	EXPECT_EQ(lseek(fd, 100, SEEK_SET), 0);
	EXPECT_EQ(lseek(fd, 0, SEEK_END), 0);
	close(fd);
}
