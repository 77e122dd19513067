// SPDX-License-Identifier: MIT
/* Threads: pthreads over clone/clone3, shared memory and pids, the flag rules of clone. */
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/syscalls/sysutil.h"

#define NTHREADS 32
#define ROUNDS 2000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *hammer(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
	}
	return (void *)(intptr_t)syscall(SYS_gettid);
}

TEST(thirty_two_threads_count_under_a_mutex)
{
	pthread_t th[NTHREADS];
	void *tid[NTHREADS];

	counter = 0;
	for (int i = 0; i < NTHREADS; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, hammer, NULL), 0);
	for (int i = 0; i < NTHREADS; i++)
		ASSERT_EQ(pthread_join(th[i], &tid[i]), 0);
	EXPECT_EQ(counter, (long)NTHREADS * ROUNDS);
	for (int i = 0; i < NTHREADS; i++)
		EXPECT_NE((intptr_t)tid[i], getpid());
}

static void *report_pid(void *arg)
{
	*(pid_t *)arg = getpid();
	return NULL;
}

TEST(threads_share_the_pid)
{
	pthread_t th;
	pid_t pid = 0;

	ASSERT_EQ(pthread_create(&th, NULL, report_pid, &pid), 0);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	EXPECT_EQ(pid, getpid());
}

static void *exit_process(void *arg)
{
	usleep(20000);
	exit(5);
}

static void leader_exits_first(void *arg)
{
	pthread_t th;

	if (pthread_create(&th, NULL, exit_process, NULL))
		_exit(90);
	pthread_exit(NULL); /* the leader goes; the process lives on */
}

TEST(the_process_outlives_its_leader_thread)
{
	int st = status_of_child(leader_exits_first, NULL);

	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 5);
}

static void *block_forever(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static void group_exit_from_main(void *arg)
{
	pthread_t th;

	for (int i = 0; i < 4; i++)
		if (pthread_create(&th, NULL, block_forever, NULL))
			_exit(90);
	syscall(SYS_exit_group, 8);
}

TEST(exit_group_ends_every_thread)
{
	int st = status_of_child(group_exit_from_main, NULL);

	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 8);
}

TEST(clone_rejects_what_linux_rejects)
{
	EXPECT_ERRNO(syscall(SYS_clone, CLONE_THREAD | CLONE_VM, 0L, 0L, 0L, 0L), EINVAL);
	EXPECT_ERRNO(syscall(SYS_clone, CLONE_SIGHAND, 0L, 0L, 0L, 0L), EINVAL);
	EXPECT_ERRNO(syscall(SYS_clone, CLONE_NEWNS | CLONE_FS, 0L, 0L, 0L, 0L), EINVAL);
	EXPECT_ERRNO(
		syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0L, 0L, 0L, 0L),
		EINVAL);
}

TEST(clone3_checks_its_struct)
{
	struct clone_args ca;
	char big[128];

	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	EXPECT_ERRNO(syscall(SYS_clone3, &ca, 32), EINVAL);
	memset(big, 0, sizeof(big));
	memcpy(big, &ca, sizeof(ca));
	big[100] = 1;
	EXPECT_ERRNO(syscall(SYS_clone3, big, sizeof(big)), E2BIG);
	ca.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
	EXPECT_ERRNO(syscall(SYS_clone3, &ca, sizeof(ca)), EINVAL);
	ca.flags = 0;
	ca.exit_signal = 0x100;
	EXPECT_ERRNO(syscall(SYS_clone3, &ca, sizeof(ca)), EINVAL);
	ca.exit_signal = SIGCHLD;
	ca.stack_size = 4096; /* a size without a stack */
	EXPECT_ERRNO(syscall(SYS_clone3, &ca, sizeof(ca)), EINVAL);
}

TEST(clone3_forks_with_parent_settid)
{
	struct clone_args ca;
	pid_t ptid = 0;
	long pid;
	int st;

	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_PARENT_SETTID;
	ca.parent_tid = (uintptr_t)&ptid;
	ca.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	ASSERT_OK(pid);
	if (pid == 0)
		_exit(ptid == 0 ? 0 : 1); /* written in the parent's memory only */
	EXPECT_EQ(ptid, pid);
	ASSERT_EQ(waitpid((pid_t)pid, &st, 0), pid);
	EXPECT_EXITED_OK(st);
}

static void parent_clone(void *arg)
{
	long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0L, 0L, 0L, 0L);

	if (pid == 0)
		_exit(12);
	_exit(pid > 0 ? (int)(pid & 0x3f) + 1 : 100);
}

TEST(clone_parent_makes_a_sibling)
{
	int st, st2, n = 0;
	pid_t sib;

	st = status_of_child(parent_clone, NULL);
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_NE(WEXITSTATUS(st), 100);
	/* The grandchild is our child now: the only one left. */
	sib = wait(&st2);
	ASSERT_GT(sib, 0);
	EXPECT_EQ(WEXITSTATUS(st2), 12);
	EXPECT_EQ((sib & 0x3f) + 1, WEXITSTATUS(st));
	while (wait(&st2) > 0)
		n++;
	EXPECT_EQ(n, 0);
}
