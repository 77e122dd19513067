// SPDX-License-Identifier: MIT
/*
 * signalfd(2) and signalfd4(2): reading blocked signals as struct signalfd_siginfo
 * (dequeuing them), several per read, the record's fields for kill, sigqueue and SIGCHLD,
 * updating the mask through the existing fd, argument errors, and readiness (poll) that
 * follows the pending signals of the task that asks, woken by a signal sent later.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/signalfd.h>

#include "tests/syscalls/sysutil.h"

static sigset_t set_of(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	return s;
}

static void block(int sig)
{
	sigset_t s = set_of(sig);

	ASSERT_OK(sigprocmask(SIG_BLOCK, &s, NULL));
}

static short revents_of(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	ASSERT_OK(poll(&p, 1, 0));
	return p.revents;
}

static bool is_pending(int sig)
{
	sigset_t s;

	ASSERT_OK(sigpending(&s));
	return sigismember(&s, sig);
}

TEST(flags_and_argument_errors)
{
	sigset_t s = set_of(SIGUSR1);
	int fd = ASSERT_OK(signalfd(-1, &s, 0)), pfd[2];

	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
	EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	close(fd);
	fd = ASSERT_OK(signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC));
	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	EXPECT_ERRNO(signalfd(-1, &s, 0x4), EINVAL);
	EXPECT_ERRNO(syscall(SYS_signalfd4, -1, &s, 4, 0), EINVAL);
	EXPECT_ERRNO(syscall(SYS_signalfd4, -1, &s, 16, 0), EINVAL);
	EXPECT_ERRNO(syscall(SYS_signalfd4, -1, (void *)8, 8, 0), EFAULT);
	EXPECT_ERRNO(syscall(SYS_signalfd, -1, &s, 4), EINVAL);
	ASSERT_OK(pipe(pfd));
	EXPECT_ERRNO(signalfd(pfd[0], &s, 0), EINVAL);
	EXPECT_ERRNO(signalfd(1000, &s, 0), EBADF);
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
}

TEST(a_read_dequeues_a_pending_signal)
{
	struct signalfd_siginfo ssi;
	sigset_t s = set_of(SIGUSR1);
	int fd;

	block(SIGUSR1);
	fd = ASSERT_OK(signalfd(-1, &s, SFD_NONBLOCK));
	EXPECT_ERRNO(read(fd, &ssi, sizeof(ssi)), EAGAIN);
	EXPECT_EQ(revents_of(fd), 0);
	ASSERT_OK(kill(getpid(), SIGUSR1));
	EXPECT_EQ(revents_of(fd), POLLIN);
	EXPECT_TRUE(is_pending(SIGUSR1));
	ASSERT_EQ(read(fd, &ssi, sizeof(ssi)), (ssize_t)sizeof(ssi));
	EXPECT_EQ(ssi.ssi_signo, SIGUSR1);
	EXPECT_EQ(ssi.ssi_code, SI_USER);
	EXPECT_EQ(ssi.ssi_pid, (uint32_t)getpid());
	EXPECT_EQ(ssi.ssi_uid, getuid());
	EXPECT_FALSE(is_pending(SIGUSR1));
	EXPECT_EQ(revents_of(fd), 0);
	EXPECT_ERRNO(read(fd, &ssi, sizeof(ssi)), EAGAIN);
	close(fd);
}

TEST(a_buffer_smaller_than_a_record_is_einval)
{
	sigset_t s = set_of(SIGUSR1);
	char small[127];
	int fd;

	block(SIGUSR1);
	fd = ASSERT_OK(signalfd(-1, &s, SFD_NONBLOCK));
	ASSERT_OK(kill(getpid(), SIGUSR1));
	EXPECT_ERRNO(read(fd, small, sizeof(small)), EINVAL);
	EXPECT_TRUE(is_pending(SIGUSR1));
	close(fd);
}

TEST(one_read_takes_as_many_records_as_fit)
{
	struct signalfd_siginfo ssi[4];
	union sigval v;
	int rt = SIGRTMIN + 1, fd;
	sigset_t s = set_of(rt);

	block(rt);
	fd = ASSERT_OK(signalfd(-1, &s, SFD_NONBLOCK));
	for (int i = 1; i <= 3; i++) {
		v.sival_int = 100 + i;
		ASSERT_OK(sigqueue(getpid(), rt, v));
	}
	/* room for two: the other one stays queued */
	ASSERT_EQ(read(fd, ssi, 2 * sizeof(ssi[0]) + 10), (ssize_t)(2 * sizeof(ssi[0])));
	EXPECT_EQ(ssi[0].ssi_signo, (uint32_t)rt);
	EXPECT_EQ(ssi[0].ssi_code, SI_QUEUE);
	EXPECT_EQ(ssi[0].ssi_int, 101);
	EXPECT_EQ(ssi[0].ssi_pid, (uint32_t)getpid());
	EXPECT_EQ(ssi[1].ssi_int, 102);
	ASSERT_EQ(read(fd, ssi, sizeof(ssi)), (ssize_t)sizeof(ssi[0]));
	EXPECT_EQ(ssi[0].ssi_int, 103);
	EXPECT_ERRNO(read(fd, ssi, sizeof(ssi)), EAGAIN);
	close(fd);
}

TEST(only_signals_in_the_mask_are_read_and_the_mask_can_change)
{
	struct signalfd_siginfo ssi;
	sigset_t s = set_of(SIGUSR1);
	int fd;

	block(SIGUSR1);
	block(SIGUSR2);
	fd = ASSERT_OK(signalfd(-1, &s, SFD_NONBLOCK));
	ASSERT_OK(kill(getpid(), SIGUSR2));
	EXPECT_ERRNO(read(fd, &ssi, sizeof(ssi)), EAGAIN);
	EXPECT_EQ(revents_of(fd), 0);
	s = set_of(SIGUSR2);
	EXPECT_EQ(signalfd(fd, &s, 0), fd);
	EXPECT_EQ(revents_of(fd), POLLIN);
	ASSERT_EQ(read(fd, &ssi, sizeof(ssi)), (ssize_t)sizeof(ssi));
	EXPECT_EQ(ssi.ssi_signo, SIGUSR2);
	close(fd);
}

TEST(sigkill_and_sigstop_in_the_mask_are_ignored)
{
	struct signalfd_siginfo ssi;
	sigset_t s;
	int fd;

	sigfillset(&s);
	fd = ASSERT_OK(signalfd(-1, &s, SFD_NONBLOCK));
	EXPECT_ERRNO(read(fd, &ssi, sizeof(ssi)), EAGAIN);
	close(fd);
}

TEST(sigchld_records_carry_the_child_status)
{
	struct signalfd_siginfo ssi;
	sigset_t s = set_of(SIGCHLD);
	pid_t pid;
	int fd, st;

	block(SIGCHLD);
	fd = ASSERT_OK(signalfd(-1, &s, 0));
	pid = fork();
	ASSERT_OK(pid);
	if (pid == 0)
		_exit(7);
	/* blocks until the child is gone */
	ASSERT_EQ(read(fd, &ssi, sizeof(ssi)), (ssize_t)sizeof(ssi));
	EXPECT_EQ(ssi.ssi_signo, SIGCHLD);
	EXPECT_EQ(ssi.ssi_code, CLD_EXITED);
	EXPECT_EQ(ssi.ssi_pid, (uint32_t)pid);
	EXPECT_EQ(ssi.ssi_status, 7);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	close(fd);
}

struct send_arg {
	int sig;
	pid_t tid;
};

static void *send_to_process(void *p)
{
	struct send_arg *a = p;

	kill(getpid(), a->sig);
	return NULL;
}

TEST(a_blocked_read_wakes_when_a_signal_arrives)
{
	struct send_arg a = { .sig = SIGUSR1 };
	struct signalfd_siginfo ssi;
	sigset_t s = set_of(SIGUSR1);
	pthread_t th;
	int fd;

	block(SIGUSR1); /* the thread inherits the mask */
	fd = ASSERT_OK(signalfd(-1, &s, 0));
	ASSERT_EQ(pthread_create(&th, NULL, send_to_process, &a), 0);
	ASSERT_EQ(read(fd, &ssi, sizeof(ssi)), (ssize_t)sizeof(ssi));
	EXPECT_EQ(ssi.ssi_signo, SIGUSR1);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	close(fd);
}

TEST(a_poller_wakes_when_a_signal_arrives)
{
	struct send_arg a = { .sig = SIGUSR2 };
	sigset_t s = set_of(SIGUSR2);
	struct pollfd p;
	pthread_t th;
	int fd;

	block(SIGUSR2);
	fd = ASSERT_OK(signalfd(-1, &s, SFD_NONBLOCK));
	p.fd = fd;
	p.events = POLLIN;
	ASSERT_EQ(pthread_create(&th, NULL, send_to_process, &a), 0);
	EXPECT_EQ(poll(&p, 1, -1), 1);
	EXPECT_EQ(p.revents, POLLIN);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	close(fd);
}

struct thread_view {
	int fd;
	short revents;
	uint32_t signo;
};

static void *poll_and_read_here(void *p)
{
	struct thread_view *v = p;
	struct signalfd_siginfo ssi;

	/* a signal sent to this thread is pending here only */
	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR1);
	v->revents = revents_of(v->fd);
	if (read(v->fd, &ssi, sizeof(ssi)) == (ssize_t)sizeof(ssi))
		v->signo = ssi.ssi_signo;
	return NULL;
}

TEST(readiness_follows_the_reading_thread)
{
	sigset_t s = set_of(SIGUSR1);
	struct thread_view v;
	struct signalfd_siginfo ssi;
	pthread_t th;

	block(SIGUSR1);
	v.fd = ASSERT_OK(signalfd(-1, &s, SFD_NONBLOCK));
	v.revents = 0;
	v.signo = 0;
	ASSERT_EQ(pthread_create(&th, NULL, poll_and_read_here, &v), 0);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	EXPECT_EQ(v.revents, POLLIN);
	EXPECT_EQ(v.signo, SIGUSR1);
	/* nothing was ever pending for this thread */
	EXPECT_EQ(revents_of(v.fd), 0);
	EXPECT_ERRNO(read(v.fd, &ssi, sizeof(ssi)), EAGAIN);
	close(v.fd);
}

TEST(a_signal_sent_to_the_reading_thread_is_read_with_si_tkill)
{
	sigset_t s = set_of(SIGUSR2);
	struct signalfd_siginfo ssi;
	int fd;

	block(SIGUSR2);
	fd = ASSERT_OK(signalfd(-1, &s, SFD_NONBLOCK));
	ASSERT_OK(syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR2));
	EXPECT_EQ(revents_of(fd), POLLIN);
	ASSERT_EQ(read(fd, &ssi, sizeof(ssi)), (ssize_t)sizeof(ssi));
	EXPECT_EQ(ssi.ssi_signo, SIGUSR2);
	EXPECT_EQ(ssi.ssi_code, SI_TKILL);
	close(fd);
}

static void child_sees_nothing_pending(void *arg)
{
	struct signalfd_siginfo ssi;
	int fd = *(int *)arg;

	/* a fork child starts with no pending signals */
	if (revents_of(fd) != 0)
		_exit(1);
	if (read(fd, &ssi, sizeof(ssi)) != -1 || errno != EAGAIN)
		_exit(2);
}

TEST(a_fork_child_reads_its_own_pending_signals)
{
	sigset_t s = set_of(SIGUSR1);
	int fd;

	block(SIGUSR1);
	fd = ASSERT_OK(signalfd(-1, &s, SFD_NONBLOCK));
	ASSERT_OK(kill(getpid(), SIGUSR1));
	EXPECT_EQ(status_of_child(child_sees_nothing_pending, &fd), 0);
	EXPECT_EQ(revents_of(fd), POLLIN);
	close(fd);
}

TEST(proc_fd_names_it_an_anonymous_inode)
{
	sigset_t s = set_of(SIGUSR1);
	int fd = ASSERT_OK(signalfd(-1, &s, 0));
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0 && errno == ENOENT)
		SKIP("no /proc");
	ASSERT_OK(n);
	link[n] = 0;
	EXPECT_STREQ(link, "anon_inode:[signalfd]");
	close(fd);
}
