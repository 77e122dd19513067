// SPDX-License-Identifier: MIT
/*
 * POSIX message queues: mq_open's create/lookup rules and attributes, priority order,
 * size and access errors, O_NONBLOCK and mq_setattr, timeouts, blocking and EINTR,
 * poll readiness, mq_notify with SIGEV_SIGNAL, unlink while open, the status line read(2)
 * gives, and the mqueue filesystem (mount -t mqueue). Every queue is unlinked before its
 * case ends: natively they would outlive the test.
 */
#include <dirent.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/time.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

static char *qname(char *buf, size_t size, int n)
{
	snprintf(buf, size, "/warden-mq-%d-%d", getpid(), n);
	return buf;
}

static mqd_t open_new(const char *name, int flags, long maxmsg, long msgsize)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };

	return mq_open(name, flags | O_CREAT | O_EXCL, 0600, &a);
}

TEST(create_send_receive_by_priority)
{
	char name[64], buf[64];
	struct mq_attr a;
	unsigned prio;
	mqd_t q;

	qname(name, sizeof(name), 1);
	q = ASSERT_OK(mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL));
	ASSERT_OK(mq_getattr(q, &a));
	EXPECT_EQ(a.mq_maxmsg, 10);
	EXPECT_EQ(a.mq_msgsize, 8192);
	EXPECT_EQ(a.mq_curmsgs, 0);
	EXPECT_EQ(a.mq_flags, 0);
	ASSERT_OK(mq_send(q, "low1", 5, 1));
	ASSERT_OK(mq_send(q, "high", 5, 7));
	ASSERT_OK(mq_send(q, "low2", 5, 1));
	ASSERT_OK(mq_send(q, "zero", 5, 0));
	ASSERT_OK(mq_getattr(q, &a));
	EXPECT_EQ(a.mq_curmsgs, 4);
	EXPECT_EQ(mq_receive(q, buf, 8192, &prio), 5);
	EXPECT_STREQ(buf, "high");
	EXPECT_EQ(prio, 7u);
	EXPECT_EQ(mq_receive(q, buf, 8192, &prio), 5);
	EXPECT_STREQ(buf, "low1");
	EXPECT_EQ(mq_receive(q, buf, 8192, &prio), 5);
	EXPECT_STREQ(buf, "low2");
	EXPECT_EQ(mq_receive(q, buf, 8192, NULL), 5);
	EXPECT_STREQ(buf, "zero");
	EXPECT_OK(mq_close(q));
	EXPECT_OK(mq_unlink(name));
}

TEST(open_rules_and_errors)
{
	struct mq_attr bad = { .mq_maxmsg = 0, .mq_msgsize = 16 };
	char name[64];
	mqd_t q;

	qname(name, sizeof(name), 2);
	EXPECT_ERRNO(mq_open(name, O_RDWR), ENOENT);
	EXPECT_ERRNO(mq_open(name, O_RDWR | O_CREAT, 0600, &bad), EINVAL);
	bad.mq_maxmsg = 4;
	bad.mq_msgsize = -1;
	EXPECT_ERRNO(mq_open(name, O_RDWR | O_CREAT, 0600, &bad), EINVAL);
	q = ASSERT_OK(open_new(name, O_RDWR, 4, 16));
	EXPECT_ERRNO(open_new(name, O_RDWR, 4, 16), EEXIST);
	EXPECT_OK(mq_close(q));
	/* without O_EXCL the existing queue opens, its attributes unchanged */
	q = ASSERT_OK(mq_open(name, O_RDONLY | O_CREAT, 0600, NULL));
	EXPECT_OK(mq_close(q));
	EXPECT_ERRNO(mq_open("/a/b", O_RDWR | O_CREAT, 0600, NULL), EACCES);
	EXPECT_OK(mq_unlink(name));
	EXPECT_ERRNO(mq_unlink(name), ENOENT);
}

TEST(size_access_and_priority_errors)
{
	char name[64], buf[64];
	int pfd[2];
	mqd_t q, ro;

	qname(name, sizeof(name), 3);
	q = ASSERT_OK(open_new(name, O_RDWR, 4, 16));
	EXPECT_ERRNO(mq_send(q, buf, 17, 0), EMSGSIZE);
	EXPECT_ERRNO(mq_send(q, "x", 1, 32768), EINVAL);
	EXPECT_ERRNO(mq_receive(q, buf, 15, NULL), EMSGSIZE);
	ro = ASSERT_OK(mq_open(name, O_RDONLY));
	EXPECT_ERRNO(mq_send(ro, "x", 1, 0), EBADF);
	ASSERT_OK(pipe(pfd));
	EXPECT_ERRNO(mq_send(pfd[1], "x", 1, 0), EBADF);
	EXPECT_ERRNO(mq_getattr(pfd[0], &(struct mq_attr){ 0 }), EBADF);
	close(pfd[0]);
	close(pfd[1]);
	EXPECT_ERRNO(mq_send(q, (void *)8, 4, 0), EFAULT);
	EXPECT_OK(mq_send(q, "", 0, 0)); /* an empty message is a message */
	EXPECT_EQ(mq_receive(ro, buf, 16, NULL), 0);
	EXPECT_OK(mq_close(ro));
	EXPECT_OK(mq_close(q));
	EXPECT_OK(mq_unlink(name));
}

TEST(nonblocking_full_and_empty)
{
	struct mq_attr a, na = { .mq_flags = O_NONBLOCK };
	char name[64], buf[16];
	mqd_t q;

	qname(name, sizeof(name), 4);
	q = ASSERT_OK(open_new(name, O_RDWR | O_NONBLOCK, 2, 16));
	ASSERT_OK(mq_getattr(q, &a));
	EXPECT_EQ(a.mq_flags, O_NONBLOCK);
	EXPECT_ERRNO(mq_receive(q, buf, 16, NULL), EAGAIN);
	ASSERT_OK(mq_send(q, "a", 1, 0));
	ASSERT_OK(mq_send(q, "b", 1, 0));
	EXPECT_ERRNO(mq_send(q, "c", 1, 0), EAGAIN);
	na.mq_flags = 0;
	ASSERT_OK(mq_setattr(q, &na, &a));
	EXPECT_EQ(a.mq_flags, O_NONBLOCK);
	EXPECT_EQ(a.mq_curmsgs, 2);
	ASSERT_OK(mq_getattr(q, &a));
	EXPECT_EQ(a.mq_flags, 0);
	na.mq_flags = O_APPEND;
	EXPECT_ERRNO(mq_setattr(q, &na, NULL), EINVAL);
	EXPECT_OK(mq_close(q));
	EXPECT_OK(mq_unlink(name));
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

TEST(timed_operations_time_out)
{
	char name[64], buf[16];
	struct timespec ts, bad;
	double t0, dt;
	mqd_t q;

	qname(name, sizeof(name), 5);
	q = ASSERT_OK(open_new(name, O_RDWR, 1, 16));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 50 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	t0 = now_ms();
	EXPECT_ERRNO(mq_timedreceive(q, buf, 16, NULL, &ts), ETIMEDOUT);
	dt = now_ms() - t0;
	EXPECT_GE(dt, 45);
	EXPECT_LT(dt, 5000);
	ASSERT_OK(mq_send(q, "a", 1, 0));
	/* a deadline in the past: full, so at once */
	EXPECT_ERRNO(mq_timedsend(q, "b", 1, 0, &ts), ETIMEDOUT);
	bad = ts;
	bad.tv_nsec = 1000000000;
	EXPECT_ERRNO(mq_timedsend(q, "b", 1, 0, &bad), EINVAL);
	EXPECT_EQ(mq_timedreceive(q, buf, 16, NULL, &ts), 1);
	EXPECT_OK(mq_close(q));
	EXPECT_OK(mq_unlink(name));
}

TEST(a_blocked_receiver_and_sender_are_woken)
{
	char name[64], back[64], buf[16];
	pid_t pid;
	int st;
	mqd_t q, r;

	qname(name, sizeof(name), 6);
	qname(back, sizeof(back), 12);
	q = ASSERT_OK(open_new(name, O_RDWR, 1, 16));
	r = open_new(back, O_RDWR, 1, 16);
	EXPECT_GE(r, 0);
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		/* waits for the parent's message, then fills the way back twice: the second
		 * send waits for the parent to receive the first */
		if (mq_receive(q, buf, 16, NULL) != 3 || strcmp(buf, "hi"))
			_exit(1);
		if (mq_send(r, "1", 2, 0) || mq_send(r, "2", 2, 0))
			_exit(2);
		_exit(0);
	}
	ASSERT_OK(mq_send(q, "hi", 3, 0));
	EXPECT_EQ(mq_receive(r, buf, 16, NULL), 2);
	EXPECT_STREQ(buf, "1");
	EXPECT_EQ(mq_receive(r, buf, 16, NULL), 2);
	EXPECT_STREQ(buf, "2");
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_OK(mq_close(q));
	EXPECT_OK(mq_close(r));
	EXPECT_OK(mq_unlink(name));
	EXPECT_OK(mq_unlink(back));
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void eintr_child(void *arg)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { 0, 50000 } };
	char buf[16];

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	if (mq_receive(*(mqd_t *)arg, buf, 16, NULL) != -1 || errno != EINTR)
		_exit(1);
}

TEST(a_signal_interrupts_a_blocked_receive)
{
	char name[64];
	mqd_t q;
	int st;

	qname(name, sizeof(name), 7);
	q = ASSERT_OK(open_new(name, O_RDWR, 1, 16));
	st = status_of_child(eintr_child, &q);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
	EXPECT_OK(mq_close(q));
	EXPECT_OK(mq_unlink(name));
}

TEST(poll_reports_readiness)
{
	char name[64], buf[16];
	struct pollfd p;
	pid_t pid;
	int st;
	mqd_t q;

	qname(name, sizeof(name), 8);
	q = ASSERT_OK(open_new(name, O_RDWR, 1, 16));
	p = (struct pollfd){ .fd = q, .events = POLLIN | POLLOUT };
	ASSERT_EQ(poll(&p, 1, 0), 1);
	EXPECT_EQ(p.revents, POLLOUT);
	ASSERT_OK(mq_send(q, "a", 1, 0));
	ASSERT_EQ(poll(&p, 1, 0), 1);
	EXPECT_EQ(p.revents, POLLIN);
	EXPECT_EQ(mq_receive(q, buf, 16, NULL), 1);
	/* a poll that sleeps is woken by a send from another process */
	pid = ASSERT_OK(fork());
	if (pid == 0)
		_exit(mq_send(q, "b", 1, 0) ? 1 : 0);
	p.events = POLLIN;
	ASSERT_EQ(poll(&p, 1, 10000), 1);
	EXPECT_EQ(p.revents, POLLIN);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_OK(mq_close(q));
	EXPECT_OK(mq_unlink(name));
}

TEST(notify_with_a_signal_fires_once)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct timespec zero = { 0, 0 };
	char name[64], buf[16];
	siginfo_t si;
	sigset_t set;
	pid_t pid;
	int st;
	mqd_t q;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	qname(name, sizeof(name), 9);
	q = ASSERT_OK(open_new(name, O_RDWR, 4, 16));
	ev.sigev_value.sival_int = 1234;
	ASSERT_OK(mq_notify(q, &ev));
	/* someone else's registration is in the way */
	pid = ASSERT_OK(fork());
	if (pid == 0)
		_exit(mq_notify(q, &ev) == -1 && errno == EBUSY ? 0 : 1);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ASSERT_OK(mq_send(q, "a", 1, 0));
	ASSERT_EQ(sigtimedwait(&set, &si, &zero), SIGUSR1);
	EXPECT_EQ(si.si_code, SI_MESGQ);
	EXPECT_EQ(si.si_pid, getpid());
	EXPECT_EQ(si.si_value.sival_int, 1234);
	/* the registration is used up: the next message into an empty queue is silent */
	EXPECT_EQ(mq_receive(q, buf, 16, NULL), 1);
	ASSERT_OK(mq_send(q, "b", 1, 0));
	EXPECT_ERRNO(sigtimedwait(&set, &si, &zero), EAGAIN);
	/* and it can be made again, and removed */
	ASSERT_OK(mq_notify(q, &ev));
	ASSERT_OK(mq_notify(q, NULL));
	EXPECT_EQ(mq_receive(q, buf, 16, NULL), 1);
	ASSERT_OK(mq_send(q, "c", 1, 0));
	EXPECT_ERRNO(sigtimedwait(&set, &si, &zero), EAGAIN);
	ev.sigev_notify = 12345;
	EXPECT_ERRNO(mq_notify(q, &ev), EINVAL);
	EXPECT_OK(mq_close(q));
	EXPECT_OK(mq_unlink(name));
}

TEST(unlinked_queue_lives_while_open_and_read_gives_status)
{
	char name[64], line[128];
	mqd_t q;
	ssize_t n;

	qname(name, sizeof(name), 10);
	q = ASSERT_OK(open_new(name, O_RDWR, 4, 16));
	ASSERT_OK(mq_send(q, "hello", 5, 0));
	ASSERT_OK(mq_unlink(name));
	EXPECT_ERRNO(mq_open(name, O_RDWR), ENOENT);
	n = read(q, line, sizeof(line) - 1);
	ASSERT_GT(n, 0);
	line[n] = 0;
	EXPECT_STREQ(line, "QSIZE:5          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n");
	EXPECT_EQ(mq_receive(q, line, 16, NULL), 5);
	EXPECT_OK(mq_close(q));
}

TEST(the_mqueue_filesystem_lists_queues)
{
	char dir[256], path[400], name[64];
	struct dirent *de;
	struct stat st;
	int found = 0;
	DIR *d;
	mqd_t q;

	tmp_path(dir, sizeof(dir), "mq");
	ASSERT_OK(mkdir(dir, 0700));
	if (mount("mqueue", dir, "mqueue", 0, NULL)) {
		rmdir(dir);
		SKIP("mount mqueue: %s", strerror(errno));
	}
	qname(name, sizeof(name), 11);
	q = open_new(name, O_RDWR, 4, 16);
	EXPECT_GE(q, 0);
	snprintf(path, sizeof(path), "%s%s", dir, name);
	EXPECT_OK(stat(path, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_mode & 0777, 0600);
	d = opendir(dir);
	EXPECT_TRUE(d != NULL);
	while (d && (de = readdir(d)))
		found |= !strcmp(de->d_name, name + 1);
	if (d)
		closedir(d);
	EXPECT_TRUE(found);
	/* unlink(2) in the filesystem is mq_unlink */
	EXPECT_OK(unlink(path));
	EXPECT_ERRNO(mq_open(name, O_RDWR), ENOENT);
	if (q >= 0)
		mq_close(q);
	EXPECT_OK(umount(dir));
	EXPECT_OK(rmdir(dir));
}
