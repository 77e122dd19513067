// SPDX-License-Identifier: MIT
/*
 * Robust futex lists: a thread that dies holding a robust mutex leaves it to the next
 * locker with EOWNERDEAD (plain and PI mutexes), set/get_robust_list, and a corrupt list
 * (a cycle, a wild pointer) that must not hang or break the exit walk.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>

#include "tests/syscalls/sysutil.h"

static pthread_mutex_t robust_m;

static void robust_init(int protocol)
{
	pthread_mutexattr_t ma;

	ASSERT_EQ(pthread_mutexattr_init(&ma), 0);
	ASSERT_EQ(pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST), 0);
	ASSERT_EQ(pthread_mutexattr_setprotocol(&ma, protocol), 0);
	ASSERT_EQ(pthread_mutex_init(&robust_m, &ma), 0);
	pthread_mutexattr_destroy(&ma);
}

/* Locks the mutex and dies with it held. */
static void *die_holding(void *arg)
{
	(void)arg;
	if (pthread_mutex_lock(&robust_m))
		return (void *)1;
	return NULL;
}

static void check_owner_dead(int protocol)
{
	pthread_t th;
	void *ret;
	int err;

	robust_init(protocol);
	err = pthread_create(&th, NULL, die_holding, NULL);
	if (err == ENOSYS || err == EAGAIN)
		SKIP("no threads yet: %s", harness_errname(err));
	ASSERT_EQ(err, 0);
	ASSERT_EQ(pthread_join(th, &ret), 0);
	ASSERT_EQ((long)ret, 0);
	ASSERT_EQ(pthread_mutex_lock(&robust_m), EOWNERDEAD);
	ASSERT_EQ(pthread_mutex_consistent(&robust_m), 0);
	ASSERT_EQ(pthread_mutex_unlock(&robust_m), 0);
	ASSERT_EQ(pthread_mutex_lock(&robust_m), 0);
	ASSERT_EQ(pthread_mutex_unlock(&robust_m), 0);
	pthread_mutex_destroy(&robust_m);
}

TEST(dead_owner_gives_eownerdead)
{
	check_owner_dead(PTHREAD_PRIO_NONE);
}

TEST(dead_owner_of_pi_mutex_gives_eownerdead)
{
	check_owner_dead(PTHREAD_PRIO_INHERIT);
}

/* Waits on the mutex while its owner dies. */
static void *lock_after(void *arg)
{
	return (void *)(long)pthread_mutex_lock(&robust_m);
}

TEST(waiter_is_woken_when_owner_dies)
{
	pthread_t th, w;
	void *ret;
	int err;

	robust_init(PTHREAD_PRIO_NONE);
	ASSERT_EQ(pthread_mutex_lock(&robust_m), 0);
	err = pthread_create(&w, NULL, lock_after, NULL);
	if (err == ENOSYS || err == EAGAIN)
		SKIP("no threads yet: %s", harness_errname(err));
	ASSERT_EQ(err, 0);
	usleep(20000);
	ASSERT_EQ(pthread_mutex_unlock(&robust_m), 0);
	ASSERT_EQ(pthread_join(w, &ret), 0);
	ASSERT_EQ((long)ret, 0); /* it got the mutex and exited holding it */
	ASSERT_EQ(pthread_create(&th, NULL, lock_after, NULL), 0);
	ASSERT_EQ(pthread_join(th, &ret), 0);
	EXPECT_EQ((long)ret, EOWNERDEAD);
}

TEST(set_and_get_robust_list)
{
	struct robust_list_head head = { { &head.list }, 0, NULL }, *got = NULL;
	struct robust_list_head *saved;
	size_t len = 0, saved_len;

	ASSERT_OK(syscall(SYS_get_robust_list, 0, &saved, &saved_len));
	EXPECT_EQ(saved_len, sizeof(head));
	EXPECT_ERRNO(syscall(SYS_set_robust_list, &head, sizeof(head) + 1), EINVAL);
	ASSERT_OK(syscall(SYS_set_robust_list, &head, sizeof(head)));
	ASSERT_OK(syscall(SYS_get_robust_list, 0, &got, &len));
	EXPECT_EQ((uintptr_t)got, (uintptr_t)&head);
	EXPECT_EQ(len, sizeof(head));
	EXPECT_ERRNO(syscall(SYS_get_robust_list, 0, (void *)8, &len), EFAULT);
	ASSERT_OK(syscall(SYS_set_robust_list, saved, saved_len));
}

/* A process-shared robust mutex in shared memory: its owner process dies holding it. */
static void lock_and_die(void *arg)
{
	pthread_mutex_lock(arg);
}

TEST(shared_mutex_of_a_dead_process_gives_eownerdead)
{
	pthread_mutexattr_t ma;
	pthread_mutex_t *m =
		mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(m != MAP_FAILED);
	ASSERT_EQ(pthread_mutexattr_init(&ma), 0);
	ASSERT_EQ(pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST), 0);
	ASSERT_EQ(pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED), 0);
	ASSERT_EQ(pthread_mutex_init(m, &ma), 0);
	EXPECT_TRUE(WIFEXITED(status_of_child(lock_and_die, m)));
	ASSERT_EQ(pthread_mutex_lock(m), EOWNERDEAD);
	ASSERT_EQ(pthread_mutex_consistent(m), 0);
	ASSERT_EQ(pthread_mutex_unlock(m), 0);
	munmap(m, PAGE);
}

/*
 * Last on purpose: the process exits with a cyclic robust list whose entry is a futex we
 * own and a list_op_pending pointer into nowhere. The exit walk must stop at its limit.
 */
struct entry {
	struct robust_list list;
	uint32_t futex;
};

TEST(zz_corrupt_list_at_exit_does_not_hang)
{
	static struct robust_list_head head;
	static struct entry e;

	e.list.next = &e.list; /* a cycle that never reaches the head */
	e.futex = (uint32_t)syscall(SYS_gettid);
	head.list.next = &e.list;
	head.futex_offset = offsetof(struct entry, futex);
	head.list_op_pending = (struct robust_list *)0x10;
	ASSERT_OK(syscall(SYS_set_robust_list, &head, sizeof(head)));
}
