// SPDX-License-Identifier: MIT
/*
 * System V semaphores: semget's rules, semctl's value commands, semop's all-or-nothing
 * operations (IPC_NOWAIT, blocking, wait-for-zero, GETNCNT/GETZCNT), semtimedop's timeout,
 * EINTR even with SA_RESTART, IPC_RMID waking sleepers with EIDRM, and SEM_UNDO applied
 * when a process exits. Every set is removed before its case ends.
 */
#include <signal.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/time.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static key_t test_key(int n)
{
	return (key_t)(0x53000000 | ((getpid() & 0xfffff) << 4) | n);
}

static int getval(int id, int num)
{
	return semctl(id, num, GETVAL);
}

static void setval(int id, int num, int v)
{
	ASSERT_OK(semctl(id, num, SETVAL, (union semun){ .val = v }));
}

static int sem1(int id, int num, int op, int flg)
{
	struct sembuf b = { .sem_num = (unsigned short)num,
			    .sem_op = (short)op,
			    .sem_flg = (short)flg };

	return semop(id, &b, 1);
}

/* Waits (without a deadline that matters) until cmd's count on sem num reaches n. */
static void wait_count(int id, int num, int cmd, int n)
{
	for (int i = 0; i < 10000 && semctl(id, num, cmd) != n; i++)
		usleep(1000);
	ASSERT_EQ(semctl(id, num, cmd), n);
}

TEST(new_sets_are_zero_and_values_can_be_set)
{
	int id = ASSERT_OK(semget(IPC_PRIVATE, 3, 0600));
	unsigned short all[3] = { 1, 2, 3 }, got[3] = { 9, 9, 9 };
	struct semid_ds ds;

	ASSERT_OK(semctl(id, 0, GETALL, (union semun){ .array = got }));
	EXPECT_EQ(got[0] + got[1] + got[2], 0);
	setval(id, 1, 5);
	EXPECT_EQ(getval(id, 1), 5);
	EXPECT_EQ(semctl(id, 1, GETPID), getpid());
	EXPECT_ERRNO(semctl(id, 3, GETVAL), EINVAL);
	EXPECT_ERRNO(semctl(id, 0, SETVAL, (union semun){ .val = 32768 }), ERANGE);
	EXPECT_ERRNO(semctl(id, 0, SETVAL, (union semun){ .val = -1 }), ERANGE);
	ASSERT_OK(semctl(id, 0, SETALL, (union semun){ .array = all }));
	ASSERT_OK(semctl(id, 0, GETALL, (union semun){ .array = got }));
	EXPECT_EQ(got[0], 1);
	EXPECT_EQ(got[1], 2);
	EXPECT_EQ(got[2], 3);
	ASSERT_OK(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
	EXPECT_EQ(ds.sem_nsems, 3u);
	EXPECT_EQ(ds.sem_perm.mode & 0777, 0600);
	EXPECT_EQ(ds.sem_otime, 0);
	EXPECT_NE(ds.sem_ctime, 0);
	ds.sem_perm.mode = 0640;
	ASSERT_OK(semctl(id, 0, IPC_SET, (union semun){ .buf = &ds }));
	ASSERT_OK(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
	EXPECT_EQ(ds.sem_perm.mode & 0777, 0640);
	EXPECT_ERRNO(semctl(id, 0, GETALL, (union semun){ .array = (void *)8 }), EFAULT);
	EXPECT_OK(semctl(id, 0, IPC_RMID));
	EXPECT_ERRNO(semctl(id, 0, GETVAL), EINVAL);
}

TEST(semget_key_rules)
{
	key_t key = test_key(1);
	int id;

	EXPECT_ERRNO(semget(key, 1, 0600), ENOENT);
	EXPECT_ERRNO(semget(key, 0, IPC_CREAT | 0600), EINVAL);
	EXPECT_ERRNO(semget(IPC_PRIVATE, -1, 0600), EINVAL);
	id = ASSERT_OK(semget(key, 2, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_ERRNO(semget(key, 2, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	EXPECT_EQ(semget(key, 0, 0), id);
	EXPECT_EQ(semget(key, 2, IPC_CREAT), id);
	EXPECT_ERRNO(semget(key, 3, 0), EINVAL);
	EXPECT_OK(semctl(id, 0, IPC_RMID));
	EXPECT_ERRNO(semget(key, 1, 0), ENOENT);
}

TEST(semop_is_all_or_nothing)
{
	int id = ASSERT_OK(semget(IPC_PRIVATE, 2, 0600));
	struct sembuf two[2] = { { 0, 1, 0 }, { 1, -1, IPC_NOWAIT } };
	struct sembuf big[501];
	struct semid_ds ds;

	EXPECT_ERRNO(semop(id, two, 2), EAGAIN);
	EXPECT_EQ(getval(id, 0), 0); /* the first op was not applied */
	setval(id, 1, 1);
	ASSERT_OK(semop(id, two, 2));
	EXPECT_EQ(getval(id, 0), 1);
	EXPECT_EQ(getval(id, 1), 0);
	ASSERT_OK(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
	EXPECT_NE(ds.sem_otime, 0);
	EXPECT_ERRNO(sem1(id, 0, 0, IPC_NOWAIT), EAGAIN); /* wait-for-zero on 1 */
	EXPECT_ERRNO(sem1(id, 2, 1, 0), EFBIG);
	EXPECT_ERRNO(semop(id, two, 0), EINVAL);
	memset(big, 0, sizeof(big));
	EXPECT_ERRNO(semop(id, big, 501), E2BIG);
	setval(id, 0, 32767);
	EXPECT_ERRNO(sem1(id, 0, 1, 0), ERANGE);
	EXPECT_ERRNO(semop(id, (void *)8, 1), EFAULT);
	EXPECT_ERRNO(sem1(-1, 0, 1, 0), EINVAL);
	EXPECT_OK(semctl(id, 0, IPC_RMID));
}

TEST(a_blocked_decrement_waits_for_an_increment)
{
	int id = ASSERT_OK(semget(IPC_PRIVATE, 1, 0600));
	pid_t pid;
	int st;

	pid = ASSERT_OK(fork());
	if (pid == 0)
		_exit(sem1(id, 0, -2, 0) == 0 ? 0 : 1);
	wait_count(id, 0, GETNCNT, 1);
	EXPECT_EQ(semctl(id, 0, GETZCNT), 0);
	ASSERT_OK(sem1(id, 0, 1, 0));
	/* one is not enough: the child still sleeps */
	EXPECT_EQ(waitpid(pid, &st, WNOHANG), 0);
	ASSERT_OK(sem1(id, 0, 1, 0));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(getval(id, 0), 0);
	EXPECT_EQ(semctl(id, 0, GETPID), pid);
	EXPECT_OK(semctl(id, 0, IPC_RMID));
}

TEST(wait_for_zero)
{
	int id = ASSERT_OK(semget(IPC_PRIVATE, 1, 0600));
	pid_t pid;
	int st;

	setval(id, 0, 2);
	pid = ASSERT_OK(fork());
	if (pid == 0)
		_exit(sem1(id, 0, 0, 0) == 0 ? 0 : 1);
	wait_count(id, 0, GETZCNT, 1);
	ASSERT_OK(sem1(id, 0, -2, 0));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_OK(semctl(id, 0, IPC_RMID));
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

TEST(semtimedop_times_out_with_eagain)
{
	int id = ASSERT_OK(semget(IPC_PRIVATE, 1, 0600));
	struct sembuf b = { 0, -1, 0 };
	struct timespec ts = { 0, 50 * 1000 * 1000 }, bad = { 0, 1000000000 };
	double t0, dt;

	t0 = now_ms();
	EXPECT_ERRNO(semtimedop(id, &b, 1, &ts), EAGAIN);
	dt = now_ms() - t0;
	EXPECT_GE(dt, 45);
	EXPECT_LT(dt, 5000);
	EXPECT_ERRNO(semtimedop(id, &b, 1, &bad), EINVAL);
	setval(id, 0, 1);
	EXPECT_OK(semtimedop(id, &b, 1, &ts));
	EXPECT_OK(semctl(id, 0, IPC_RMID));
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void eintr_child(void *arg)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { .it_value = { 0, 50000 } };
	int id = *(int *)arg;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	/* System V IPC calls are never restarted, SA_RESTART or not */
	if (sem1(id, 0, -1, 0) != -1 || errno != EINTR)
		_exit(1);
}

TEST(a_signal_interrupts_semop_even_with_sa_restart)
{
	int id = ASSERT_OK(semget(IPC_PRIVATE, 1, 0600));
	int st = status_of_child(eintr_child, &id);

	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
	EXPECT_OK(semctl(id, 0, IPC_RMID));
}

TEST(rmid_wakes_sleepers_with_eidrm)
{
	int id = ASSERT_OK(semget(IPC_PRIVATE, 1, 0600));
	pid_t pid;
	int st;

	pid = ASSERT_OK(fork());
	if (pid == 0)
		_exit(sem1(id, 0, -1, 0) == -1 && errno == EIDRM ? 0 : 1);
	wait_count(id, 0, GETNCNT, 1);
	ASSERT_OK(semctl(id, 0, IPC_RMID));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
}

static void undo_child(void *arg)
{
	int id = *(int *)arg;

	if (sem1(id, 0, 3, SEM_UNDO) || sem1(id, 1, -2, SEM_UNDO) || sem1(id, 1, 1, 0))
		_exit(1);
	if (getval(id, 0) != 3 || getval(id, 1) != 4)
		_exit(2);
}

TEST(sem_undo_is_applied_at_exit)
{
	int id = ASSERT_OK(semget(IPC_PRIVATE, 2, 0600));
	int st;

	setval(id, 1, 5);
	st = status_of_child(undo_child, &id);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
	/* visible as soon as the parent has reaped it */
	EXPECT_EQ(getval(id, 0), 0);
	EXPECT_EQ(getval(id, 1), 6);
	EXPECT_OK(semctl(id, 0, IPC_RMID));
}

TEST(setval_clears_undo_adjustments)
{
	int id = ASSERT_OK(semget(IPC_PRIVATE, 1, 0600));
	int to_parent[2], to_child[2];
	pid_t pid;
	int st;
	char c;

	ASSERT_OK(pipe(to_parent));
	ASSERT_OK(pipe(to_child));
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		if (sem1(id, 0, 2, SEM_UNDO) || write(to_parent[1], "x", 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(read(to_parent[0], &c, 1), 1);
	EXPECT_EQ(getval(id, 0), 2);
	setval(id, 0, 10);
	ASSERT_EQ(write(to_child[1], "y", 1), 1);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(getval(id, 0), 10);
	close(to_parent[0]);
	close(to_parent[1]);
	close(to_child[0]);
	close(to_child[1]);
	EXPECT_OK(semctl(id, 0, IPC_RMID));
}

static void noperm_child(void *arg)
{
	int id = *(int *)arg;

	if (setuid(65534))
		_exit(3);
	if (semctl(id, 0, GETVAL) != 0) /* 0644: group and others may read */
		_exit(4);
	if (sem1(id, 0, 1, 0) != -1 || errno != EACCES)
		_exit(5);
	if (semctl(id, 0, IPC_RMID) != -1 || errno != EPERM)
		_exit(6);
}

TEST(permissions_follow_mode_bits_and_creds)
{
	int id, st;

	if (geteuid() != 0)
		SKIP("needs root to switch to another uid");
	id = ASSERT_OK(semget(IPC_PRIVATE, 1, 0644));
	st = status_of_child(noperm_child, &id);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
	EXPECT_OK(semctl(id, 0, IPC_RMID));
}

TEST(info_and_stat_by_index)
{
	int id = ASSERT_OK(semget(IPC_PRIVATE, 4, 0600));
	struct seminfo si;
	struct semid_ds ds;
	int maxidx, found = 0;

	maxidx = ASSERT_OK(semctl(0, 0, IPC_INFO, (union semun){ .buf = (void *)&si }));
	EXPECT_GE(si.semmsl, 4);
	EXPECT_GE(si.semopm, 1);
	EXPECT_EQ(si.semvmx, 32767);
	for (int idx = 0; idx <= maxidx; idx++)
		if (semctl(idx, 0, SEM_STAT, (union semun){ .buf = &ds }) == id) {
			found = 1;
			EXPECT_EQ(ds.sem_nsems, 4u);
		}
	EXPECT_TRUE(found);
	EXPECT_OK(semctl(id, 0, IPC_RMID));
}

TEST(proc_sysvipc_lists_sets)
{
	int id = ASSERT_OK(semget(IPC_PRIVATE, 7, 0600));
	char line[512];
	int found = 0;
	FILE *f;

	f = fopen("/proc/sysvipc/sem", "r");
	ASSERT_TRUE(f != NULL);
	ASSERT_TRUE(fgets(line, sizeof(line), f) != NULL);
	EXPECT_TRUE(strstr(line, "semid") != NULL);
	while (fgets(line, sizeof(line), f)) {
		int key, sid, perms, nsems;

		if (sscanf(line, "%d %d %o %d", &key, &sid, &perms, &nsems) == 4 && sid == id) {
			found = 1;
			EXPECT_EQ(nsems, 7);
		}
	}
	fclose(f);
	EXPECT_TRUE(found);
	EXPECT_OK(semctl(id, 0, IPC_RMID));
}
