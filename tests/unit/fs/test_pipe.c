/*
 * Pipes and wait queues without a sentry: the pipe's file ops driven directly, and host
 * threads that block the way the sentry does (waiter on the waitq, recheck with vfs_poll,
 * sleep until notified) to check that no wakeup is lost and PIPE_BUF writes stay whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "common/waitq.h"
#include "fs/pipe/pipe.h"
#include "fs/vfs/vfs.h"
#include "tests/harness/harness.h"

/* A host thread's stand-in for the sentry's task wait (sys_wait_file.c). */
struct tw {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool notified;
};

static void tw_wake(struct waiter *w, short events)
{
	struct tw *tw = w->priv;

	(void)events;
	pthread_mutex_lock(&tw->mu);
	tw->notified = true;
	pthread_cond_broadcast(&tw->cv);
	pthread_mutex_unlock(&tw->mu);
}

/* Blocks until f is ready for events, as sys_wait_file does. */
static void wait_ready(struct file *f, short events)
{
	struct tw tw = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false };
	struct waiter w;

	waiter_init(&w, (short)(events | POLLERR | POLLHUP), tw_wake, &tw);
	waitq_add(vfs_waitq(f), &w);
	if (!(vfs_poll(f, events) & (events | POLLERR | POLLHUP))) {
		pthread_mutex_lock(&tw.mu);
		while (!tw.notified)
			pthread_cond_wait(&tw.cv, &tw.mu);
		pthread_mutex_unlock(&tw.mu);
	}
	waitq_remove(vfs_waitq(f), &w);
}

static ssize_t xfer(struct file *f, void *buf, size_t len, bool is_read)
{
	struct iovec iov = { buf, len };
	size_t done = 0;
	ssize_t n;

	for (;;) {
		n = is_read ? vfs_readv(f, &iov, 1, NULL) : vfs_writev(f, &iov, 1, NULL);
		if (n == -EAGAIN) {
			wait_ready(f, is_read ? POLLIN : POLLOUT);
			continue;
		}
		if (n <= 0 || is_read)
			return done ? (ssize_t)done : n;
		done += (size_t)n;
		iov.iov_base = (char *)iov.iov_base + n;
		iov.iov_len -= (size_t)n;
		if (!iov.iov_len)
			return (ssize_t)done;
	}
}

static int live_files(void)
{
	struct vfs_live l;

	vfs_live_counts(&l);
	return (int)l.files;
}

static void counter_fn(struct waiter *w, short events)
{
	(void)events;
	(*(int *)w->priv)++;
}

TEST(waitq_notifies_only_matching_waiters)
{
	struct waitq wq;
	struct waiter a, b;
	int na = 0, nb = 0;

	waitq_init(&wq);
	waiter_init(&a, POLLIN, counter_fn, &na);
	waiter_init(&b, POLLOUT, counter_fn, &nb);
	waitq_add(&wq, &a);
	waitq_add(&wq, &b);
	waitq_notify(&wq, POLLIN);
	waitq_notify(&wq, POLLIN | POLLOUT);
	EXPECT_EQ(na, 2);
	EXPECT_EQ(nb, 1);
	waitq_remove(&wq, &a);
	waitq_remove(&wq, &a); /* twice is harmless */
	waitq_notify(&wq, POLLIN);
	EXPECT_EQ(na, 2);
	waitq_remove(&wq, &b);
	EXPECT_FALSE(waitq_has_waiters(&wq));
	waitq_destroy(&wq);
}

TEST(pipe_ops_notify_readers_writers_and_hangups)
{
	struct file *rd, *wr;
	struct waiter in, out;
	int nin = 0, nout = 0, base = live_files();
	char buf[4096] = { 0 };

	ASSERT_EQ(pipe_create(0, 0, 0, &rd, &wr), 0);
	EXPECT_TRUE(pipe_is_pipe(rd));
	waiter_init(&in, POLLIN | POLLHUP, counter_fn, &nin);
	waiter_init(&out, POLLOUT | POLLERR, counter_fn, &nout);
	waitq_add(vfs_waitq(rd), &in);
	waitq_add(vfs_waitq(wr), &out);
	EXPECT_EQ(xfer(wr, buf, 10, false), 10);
	EXPECT_EQ(nin, 1);
	EXPECT_EQ(xfer(rd, buf, 10, true), 10);
	EXPECT_EQ(nout, 0); /* it was not full: nobody can be waiting for room */
	EXPECT_EQ(pipe_set_size(wr, 4096, false), 4096);
	EXPECT_EQ(pipe_get_size(rd), 4096);
	EXPECT_EQ(xfer(wr, buf, 4096, false), 4096);
	EXPECT_EQ(xfer(rd, buf, 1, true), 1);
	EXPECT_EQ(nout, 0); /* the slot is still in use */
	EXPECT_EQ(xfer(rd, buf, 4095, true), 4095);
	EXPECT_EQ(nout, 1);
	waitq_remove(vfs_waitq(wr), &out);
	file_put(wr);
	EXPECT_EQ(nin, 3); /* the 4096-byte write, then the hangup */
	waitq_remove(vfs_waitq(rd), &in);
	file_put(rd);
	EXPECT_EQ(live_files(), base);
}

struct writer_arg {
	struct file *wr;
	char tag;
	int records;
};

static void *record_writer(void *p)
{
	struct writer_arg *a = p;
	char rec[PIPE_ATOMIC_MAX];

	memset(rec, a->tag, sizeof(rec));
	for (int i = 0; i < a->records; i++)
		if (xfer(a->wr, rec, sizeof(rec), false) != (ssize_t)sizeof(rec))
			return (void *)1;
	return NULL;
}

TEST(blocking_threads_move_whole_records_without_lost_wakeups)
{
	struct writer_arg args[3];
	pthread_t th[3];
	struct file *rd, *wr;
	static char rec[PIPE_ATOMIC_MAX];
	size_t got = 0;
	int bad = 0, counts[3] = { 0 };
	ssize_t n;

	ASSERT_EQ(pipe_create(0, 0, 0, &rd, &wr), 0);
	ASSERT_EQ(pipe_set_size(wr, 8192, false), 8192); /* small: lots of blocking */
	for (int i = 0; i < 3; i++) {
		args[i] = (struct writer_arg){ wr, (char)('a' + i), 2000 };
		ASSERT_EQ(pthread_create(&th[i], NULL, record_writer, &args[i]), 0);
	}
	for (int done = 0; done < 3 * 2000;) {
		n = xfer(rd, rec + got, sizeof(rec) - got, true);
		ASSERT_GT(n, 0);
		got += (size_t)n;
		if (got < sizeof(rec))
			continue;
		got = 0;
		done++;
		for (size_t i = 1; i < sizeof(rec); i++)
			if (rec[i] != rec[0]) {
				bad++;
				break;
			}
		if (rec[0] >= 'a' && rec[0] < 'd')
			counts[rec[0] - 'a']++;
	}
	for (int i = 0; i < 3; i++) {
		void *ret;

		pthread_join(th[i], &ret);
		EXPECT_TRUE(ret == NULL);
		EXPECT_EQ(counts[i], 2000);
	}
	EXPECT_EQ(bad, 0);
	file_put(wr);
	EXPECT_EQ(xfer(rd, rec, 1, true), 0); /* EOF */
	file_put(rd);
}

static void *close_later(void *p)
{
	usleep(20000);
	file_put(p);
	return NULL;
}

TEST(a_blocked_writer_wakes_with_epipe_when_the_reader_closes)
{
	static char big[65536 + 4096];
	struct file *rd, *wr;
	pthread_t th;

	ASSERT_EQ(pipe_create(0, 0, 0, &rd, &wr), 0);
	ASSERT_EQ(pthread_create(&th, NULL, close_later, rd), 0);
	/* fills the pipe, blocks for room, then the reader goes: the bytes written */
	EXPECT_EQ(xfer(wr, big, sizeof(big), false), 65536);
	pthread_join(th, NULL);
	EXPECT_EQ(xfer(wr, big, 1, false), -EPIPE);
	file_put(wr);
}
