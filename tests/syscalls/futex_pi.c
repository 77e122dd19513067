// SPDX-License-Identifier: MIT
/*
 * PI futexes: FUTEX_LOCK_PI/LOCK_PI2/TRYLOCK_PI/UNLOCK_PI on the word protocol (owner tid,
 * FUTEX_WAITERS, FUTEX_OWNER_DIED), the errors for self-locking, a dead owner and a
 * non-owner unlock, and, with threads, contention and timeouts.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

#define NO_SUCH_TID 0x3ffffff0u /* above any pid_max */

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static uint32_t tid(void)
{
	return (uint32_t)syscall(SYS_gettid);
}

TEST(trylock_unlock_round_trip)
{
	static uint32_t word;

	word = 0;
	ASSERT_OK(futex(&word, FUTEX_TRYLOCK_PI, 0, NULL));
	EXPECT_EQ(word, tid());
	EXPECT_ERRNO(futex(&word, FUTEX_TRYLOCK_PI, 0, NULL), EDEADLK);
	EXPECT_ERRNO(futex(&word, FUTEX_LOCK_PI, 0, NULL), EDEADLK);
	ASSERT_OK(futex(&word, FUTEX_UNLOCK_PI, 0, NULL));
	EXPECT_EQ(word, 0);
	ASSERT_OK(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, NULL));
	EXPECT_EQ(word, tid());
	ASSERT_OK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL));
	EXPECT_EQ(word, 0);
}

TEST(lock_pi2_and_timeouts_on_a_free_lock)
{
	static uint32_t word;
	struct timespec ts;

	word = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += 5;
	ASSERT_OK(futex(&word, FUTEX_LOCK_PI2, 0, &ts));
	EXPECT_EQ(word, tid());
	ASSERT_OK(futex(&word, FUTEX_UNLOCK_PI, 0, NULL));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	ASSERT_OK(futex(&word, FUTEX_LOCK_PI2 | FUTEX_CLOCK_REALTIME, 0, &ts));
	ASSERT_OK(futex(&word, FUTEX_UNLOCK_PI, 0, NULL));
	ASSERT_OK(futex(&word, FUTEX_LOCK_PI, 0, &ts));
	ASSERT_OK(futex(&word, FUTEX_UNLOCK_PI, 0, NULL));
	EXPECT_EQ(word, 0);
	ts.tv_nsec = 1000000000;
	EXPECT_ERRNO(futex(&word, FUTEX_LOCK_PI, 0, &ts), EINVAL);
}

TEST(unlock_by_non_owner_is_eperm)
{
	static uint32_t word;

	word = 0;
	EXPECT_ERRNO(futex(&word, FUTEX_UNLOCK_PI, 0, NULL), EPERM);
	word = tid() + 1;
	EXPECT_ERRNO(futex(&word, FUTEX_UNLOCK_PI, 0, NULL), EPERM);
	EXPECT_EQ(word, tid() + 1);
}

TEST(dead_owner_is_esrch)
{
	static uint32_t word;

	word = NO_SUCH_TID;
	EXPECT_ERRNO(futex(&word, FUTEX_LOCK_PI, 0, NULL), ESRCH);
	EXPECT_ERRNO(futex(&word, FUTEX_TRYLOCK_PI, 0, NULL), ESRCH);
}

TEST(owner_died_bit_is_kept_for_the_next_owner)
{
	static uint32_t word;

	word = FUTEX_OWNER_DIED;
	ASSERT_OK(futex(&word, FUTEX_LOCK_PI, 0, NULL));
	EXPECT_EQ(word, tid() | FUTEX_OWNER_DIED);
	ASSERT_OK(futex(&word, FUTEX_UNLOCK_PI, 0, NULL));
	EXPECT_EQ(word, 0);
}

TEST(bad_addresses)
{
	static uint32_t words[2];

	EXPECT_ERRNO(futex((uint32_t *)((char *)words + 1), FUTEX_LOCK_PI, 0, NULL), EINVAL);
	EXPECT_ERRNO(futex((uint32_t *)8, FUTEX_LOCK_PI, 0, NULL), EFAULT);
	EXPECT_ERRNO(futex((uint32_t *)8, FUTEX_UNLOCK_PI, 0, NULL), EFAULT);
}

static uint32_t shared_word;
static atomic_int phase;

/* Takes the lock, says so, holds it until told to let go. */
static void *holder(void *arg)
{
	(void)arg;
	if (futex(&shared_word, FUTEX_LOCK_PI, 0, NULL))
		return (void *)1;
	atomic_store(&phase, 1);
	while (atomic_load(&phase) != 2)
		usleep(1000);
	return (void *)futex(&shared_word, FUTEX_UNLOCK_PI, 0, NULL);
}

static pthread_t start_or_skip(void *(*fn)(void *), void *arg)
{
	pthread_t th;
	int err = pthread_create(&th, NULL, fn, arg);

	if (err == ENOSYS || err == EAGAIN)
		SKIP("no threads yet: %s", harness_errname(err));
	ASSERT_EQ(err, 0);
	return th;
}

TEST(contended_lock_times_out_then_gets_handed_over)
{
	struct timespec ts;
	pthread_t th;
	void *ret;

	shared_word = 0;
	atomic_store(&phase, 0);
	th = start_or_skip(holder, NULL);
	while (atomic_load(&phase) != 1)
		usleep(1000);
	EXPECT_ERRNO(futex(&shared_word, FUTEX_TRYLOCK_PI, 0, NULL), EWOULDBLOCK);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 50000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	EXPECT_ERRNO(futex(&shared_word, FUTEX_LOCK_PI, 0, &ts), ETIMEDOUT);
	EXPECT_TRUE(shared_word & FUTEX_WAITERS);
	atomic_store(&phase, 2);
	ASSERT_OK(futex(&shared_word, FUTEX_LOCK_PI, 0, NULL));
	EXPECT_EQ(shared_word & FUTEX_TID_MASK, tid());
	ASSERT_EQ(pthread_join(th, &ret), 0);
	EXPECT_EQ((long)ret, 0);
	ASSERT_OK(futex(&shared_word, FUTEX_UNLOCK_PI, 0, NULL));
	EXPECT_EQ(shared_word, 0);
}

TEST(pi_mutex_through_glibc)
{
	pthread_mutexattr_t ma;
	pthread_mutex_t m;

	ASSERT_EQ(pthread_mutexattr_init(&ma), 0);
	ASSERT_EQ(pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT), 0);
	ASSERT_EQ(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK), 0);
	ASSERT_EQ(pthread_mutex_init(&m, &ma), 0);
	ASSERT_EQ(pthread_mutex_lock(&m), 0);
	EXPECT_EQ(pthread_mutex_lock(&m), EDEADLK);
	EXPECT_EQ(pthread_mutex_trylock(&m), EDEADLK); /* glibc: our own PI lock */
	ASSERT_EQ(pthread_mutex_unlock(&m), 0);
	EXPECT_EQ(pthread_mutex_unlock(&m), EPERM);
	pthread_mutex_destroy(&m);
}
