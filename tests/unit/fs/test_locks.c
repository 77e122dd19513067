/* POSIX record locks: conflicts between owners, splitting, release on close, deadlock
 * detection and interruptible waits. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "sentry/kernel/fdtable.h"
#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

static struct vfs_flock range(short type, int64_t start, int64_t end)
{
	struct vfs_flock fl = { .type = type, .start = start, .end = end, .pid = 7 };

	return fl;
}

TEST(owners_conflict_on_overlaps_and_share_read_locks)
{
	struct fsfix fx;
	struct file *f;
	struct vfs_flock fl;
	int a, b; /* two owners: only their addresses matter */

	fix_setup(&fx);
	ASSERT_EQ(fix_open(&fx, "/f", O_RDWR | O_CREAT, &f), 0);
	fl = range(F_WRLCK, 0, 9);
	ASSERT_EQ(vfs_posix_setlk(f->inode, &a, &fl, NULL), 0);
	fl = range(F_RDLCK, 5, 5);
	EXPECT_EQ(vfs_posix_setlk(f->inode, &b, &fl, NULL), -EAGAIN);
	fl = range(F_RDLCK, 10, INT64_MAX);
	EXPECT_EQ(vfs_posix_setlk(f->inode, &b, &fl, NULL), 0);
	fl = range(F_WRLCK, 0, INT64_MAX);
	ASSERT_EQ(vfs_posix_getlk(f->inode, &b, &fl), 0);
	EXPECT_EQ(fl.type, F_WRLCK);
	EXPECT_EQ(fl.start, 0);
	EXPECT_EQ(fl.end, 9);
	EXPECT_EQ(fl.pid, 7);
	/* the owner's own locks never conflict */
	fl = range(F_WRLCK, 0, 9);
	ASSERT_EQ(vfs_posix_getlk(f->inode, &a, &fl), 0);
	EXPECT_EQ(fl.type, F_UNLCK);
	/* unlocking the middle splits a's lock: 0-3 and 7-9 stay */
	fl = range(F_UNLCK, 4, 6);
	ASSERT_EQ(vfs_posix_setlk(f->inode, &a, &fl, NULL), 0);
	fl = range(F_WRLCK, 4, 6);
	EXPECT_EQ(vfs_posix_setlk(f->inode, &b, &fl, NULL), 0);
	fl = range(F_RDLCK, 7, 7);
	EXPECT_EQ(vfs_posix_setlk(f->inode, &b, &fl, NULL), -EAGAIN);
	fl = range(F_RDLCK, 3, 3);
	EXPECT_EQ(vfs_posix_setlk(f->inode, &b, &fl, NULL), -EAGAIN);
	vfs_posix_release(f->inode, &a);
	vfs_posix_release(f->inode, &b);
	fl = range(42, 0, 1);
	EXPECT_EQ(vfs_posix_setlk(f->inode, &a, &fl, NULL), -EINVAL);
	file_put(f);
	fix_teardown(&fx);
}

struct waiter {
	struct inode *inode;
	void *owner;
	int done;
};

static void *wait_for_lock(void *arg)
{
	struct waiter *w = arg;
	struct vfs_flock fl = range(F_WRLCK, 0, INT64_MAX);

	if (vfs_posix_setlk(w->inode, w->owner, &fl, &vfs_lock_sleep_forever) == 0)
		__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

TEST(closing_any_descriptor_releases_the_tables_locks_and_wakes_waiters)
{
	struct fsfix fx;
	struct fdtable *t1, *t2;
	struct file *f;
	struct vfs_flock fl;
	struct waiter w;
	pthread_t th;
	int fd1, fd2;

	fix_setup(&fx);
	t1 = fdt_new();
	t2 = fdt_new();
	ASSERT_EQ(fix_open(&fx, "/f", O_RDWR | O_CREAT, &f), 0);
	fd1 = fdt_install(t1, f, 0, false, 64);
	fd2 = fdt_install(t1, f, 0, false, 64);
	ASSERT_EQ(fdt_install(t2, f, 0, false, 64), 0);
	fl = range(F_WRLCK, 0, INT64_MAX);
	ASSERT_EQ(vfs_posix_setlk(f->inode, t1, &fl, NULL), 0);
	w = (struct waiter){ f->inode, t2, 0 };
	ASSERT_EQ(pthread_create(&th, NULL, wait_for_lock, &w), 0);
	usleep(50 * 1000);
	EXPECT_EQ(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE), 0);
	/* closing either of t1's descriptors drops t1's lock */
	ASSERT_EQ(fdt_close(t1, fd2), 0);
	pthread_join(th, NULL);
	EXPECT_EQ(w.done, 1);
	fl = range(F_RDLCK, 0, 0);
	EXPECT_EQ(vfs_posix_setlk(f->inode, t1, &fl, NULL), -EAGAIN);
	fdt_put(t2); /* the table's end releases its locks too */
	EXPECT_EQ(vfs_posix_setlk(f->inode, t1, &fl, NULL), 0);
	(void)fd1;
	fdt_put(t1);
	file_put(f);
	fix_teardown(&fx);
}

/* A sleeper that says when its request sleeps, so a test can wait for that without
 * guessing a delay; cancel makes it return -EINTR at its next wake-up. */
struct tell_sleeper {
	struct vfs_lock_sleeper s;
	int asleep, cancel;
};

static int tell_block(void *arg, pthread_mutex_t *mu, pthread_cond_t *cv)
{
	struct tell_sleeper *ts = arg;

	__atomic_add_fetch(&ts->asleep, 1, __ATOMIC_RELEASE);
	pthread_cond_wait(cv, mu);
	return __atomic_load_n(&ts->cancel, __ATOMIC_ACQUIRE) ? -EINTR : 0;
}

struct chain_waiter {
	struct inode *inode;
	const void *owner;
	int64_t byte;
	struct tell_sleeper ts;
	int result;
};

static void *chain_wait(void *arg)
{
	struct chain_waiter *w = arg;
	struct vfs_flock fl = range(F_WRLCK, w->byte, w->byte);

	w->result = vfs_posix_setlk(w->inode, w->owner, &fl, &w->ts.s);
	return NULL;
}

static void wait_asleep(struct tell_sleeper *ts)
{
	while (!__atomic_load_n(&ts->asleep, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void start_waiter(struct chain_waiter *w, struct inode *inode, const void *owner,
			 int64_t byte, pthread_t *th)
{
	*w = (struct chain_waiter){ .inode = inode, .owner = owner, .byte = byte };
	w->ts.s = (struct vfs_lock_sleeper){ tell_block, &w->ts };
	ASSERT_EQ(pthread_create(th, NULL, chain_wait, w), 0);
	wait_asleep(&w->ts);
}

TEST(a_three_owner_cycle_is_a_deadlock_and_a_sleeper_can_interrupt)
{
	struct chain_waiter wa, wb;
	struct fsfix fx;
	struct file *f;
	struct vfs_flock fl;
	int owners[3];
	pthread_t ta, tb;

	fix_setup(&fx);
	ASSERT_EQ(fix_open(&fx, "/f", O_RDWR | O_CREAT, &f), 0);
	for (int i = 0; i < 3; i++) {
		fl = range(F_WRLCK, i, i);
		ASSERT_EQ(vfs_posix_setlk(f->inode, &owners[i], &fl, NULL), 0);
	}
	/* 0 waits for 1's byte, 1 for 2's: 2 asking for 0's byte closes the cycle */
	start_waiter(&wa, f->inode, &owners[0], 1, &ta);
	start_waiter(&wb, f->inode, &owners[1], 2, &tb);
	fl = range(F_WRLCK, 0, 0);
	EXPECT_EQ(vfs_posix_setlk(f->inode, &owners[2], &fl, &vfs_lock_sleep_forever), -EDEADLK);
	/* an OFD request is never a deadlock: it would just wait */
	fl.ofd = true;
	EXPECT_EQ(vfs_posix_setlk(f->inode, &owners[2], &fl, NULL), -EAGAIN);
	/* 1's wait ends with -EINTR when its sleeper says so at the next wake-up (2's
	 * unlock wakes every waiter on the file) */
	__atomic_store_n(&wb.ts.cancel, 1, __ATOMIC_RELEASE);
	vfs_posix_release(f->inode, &owners[2]);
	pthread_join(tb, NULL);
	EXPECT_EQ(wb.result, -EINTR);
	/* 1 gives up its byte: 0 gets it */
	vfs_posix_release(f->inode, &owners[1]);
	pthread_join(ta, NULL);
	EXPECT_EQ(wa.result, 0);
	vfs_posix_release(f->inode, &owners[0]);
	file_put(f);
	fix_teardown(&fx);
}
