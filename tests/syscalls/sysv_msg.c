// SPDX-License-Identifier: MIT
/*
 * System V message queues: msgget's rules, msgsnd/msgrcv by type (0, > 0, < 0,
 * MSG_EXCEPT), MSG_NOERROR and E2BIG, IPC_NOWAIT (EAGAIN on a full queue, ENOMSG on an
 * empty one), blocking both ways, EINTR, IPC_RMID waking sleepers with EIDRM, and msgctl's
 * IPC_STAT/IPC_SET/IPC_INFO. Every queue is removed before its case ends.
 */
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/time.h>

#include "tests/syscalls/sysutil.h"

struct tmsg {
	long type;
	char text[64];
};

static key_t test_key(int n)
{
	return (key_t)(0x4d000000 | ((getpid() & 0xfffff) << 4) | n);
}

static void send(int id, long type, const char *text)
{
	struct tmsg m = { .type = type };

	strcpy(m.text, text);
	ASSERT_OK(msgsnd(id, &m, strlen(text) + 1, 0));
}

/* Receives with type/flags and returns the message's first letter, or -errno. */
static int recv_first(int id, long type, int flags)
{
	struct tmsg m;

	if (msgrcv(id, &m, sizeof(m.text), type, flags | IPC_NOWAIT) < 0)
		return -errno;
	return m.text[0];
}

TEST(send_and_receive_in_order_with_stats)
{
	int id = ASSERT_OK(msgget(IPC_PRIVATE, 0600));
	struct msqid_ds ds;
	struct tmsg m;

	send(id, 1, "hello");
	send(id, 2, "world!");
	ASSERT_OK(msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ(ds.msg_qnum, 2u);
	EXPECT_EQ(ds.__msg_cbytes, 13u);
	EXPECT_EQ(ds.msg_lspid, getpid());
	EXPECT_GE(ds.msg_qbytes, 13u);
	EXPECT_NE(ds.msg_stime, 0);
	EXPECT_EQ(ds.msg_rtime, 0);
	memset(&m, 0, sizeof(m));
	EXPECT_EQ(msgrcv(id, &m, sizeof(m.text), 0, 0), 6);
	EXPECT_EQ(m.type, 1);
	EXPECT_STREQ(m.text, "hello");
	EXPECT_EQ(msgrcv(id, &m, sizeof(m.text), 0, 0), 7);
	EXPECT_EQ(m.type, 2);
	EXPECT_STREQ(m.text, "world!");
	ASSERT_OK(msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ(ds.msg_qnum, 0u);
	EXPECT_EQ(ds.msg_lrpid, getpid());
	EXPECT_EQ(recv_first(id, 0, 0), -ENOMSG);
	EXPECT_OK(msgctl(id, IPC_RMID, NULL));
	EXPECT_ERRNO(msgctl(id, IPC_STAT, &ds), EINVAL);
}

TEST(receive_by_type)
{
	int id = ASSERT_OK(msgget(IPC_PRIVATE, 0600));

	send(id, 3, "a");
	send(id, 1, "b");
	send(id, 2, "c");
	send(id, 1, "d");
	send(id, 5, "e");
	EXPECT_EQ(recv_first(id, 2, 0), 'c');
	EXPECT_EQ(recv_first(id, 4, 0), -ENOMSG);
	EXPECT_EQ(recv_first(id, 3, MSG_EXCEPT), 'b');
	/* < 0: the lowest type <= |type|, the first sent of that type */
	EXPECT_EQ(recv_first(id, -4, 0), 'd');
	EXPECT_EQ(recv_first(id, -4, 0), 'a');
	EXPECT_EQ(recv_first(id, -4, 0), -ENOMSG);
	EXPECT_EQ(recv_first(id, 0, 0), 'e');
	EXPECT_OK(msgctl(id, IPC_RMID, NULL));
}

TEST(size_rules)
{
	int id = ASSERT_OK(msgget(IPC_PRIVATE, 0600));
	struct tmsg m = { .type = 1 };
	char small[16];
	struct msqid_ds ds;

	send(id, 1, "a long message");
	EXPECT_ERRNO(msgrcv(id, &m, 4, 0, IPC_NOWAIT), E2BIG);
	ASSERT_OK(msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ(ds.msg_qnum, 1u); /* still there */
	memset(&m, 0, sizeof(m));
	EXPECT_EQ(msgrcv(id, &m, 4, 0, MSG_NOERROR), 4);
	EXPECT_EQ(memcmp(m.text, "a lo", 4), 0);
	EXPECT_EQ(m.text[4], 0);
	ASSERT_OK(msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ(ds.msg_qnum, 0u); /* truncated and gone */
	m.type = 0;
	EXPECT_ERRNO(msgsnd(id, &m, 1, 0), EINVAL);
	m.type = 1;
	EXPECT_ERRNO(msgsnd(id, &m, 8193, 0), EINVAL);
	EXPECT_ERRNO(msgsnd(id, (void *)8, 1, 0), EFAULT);
	EXPECT_ERRNO(msgsnd(-1, &m, 1, 0), EINVAL);
	EXPECT_OK(msgsnd(id, &m, 0, 0)); /* an empty message is fine */
	EXPECT_EQ(msgrcv(id, small, 0, 0, 0), 0);
	EXPECT_OK(msgctl(id, IPC_RMID, NULL));
}

TEST(a_full_queue_refuses_with_ipc_nowait_and_ipc_set_resizes)
{
	int id = ASSERT_OK(msgget(IPC_PRIVATE, 0600));
	static char buf[sizeof(long) + 8192];
	struct msqid_ds ds;
	long n;

	*(long *)buf = 1;
	ASSERT_OK(msgctl(id, IPC_STAT, &ds));
	ds.msg_qbytes = 8192;
	ASSERT_OK(msgctl(id, IPC_SET, &ds));
	ASSERT_OK(msgsnd(id, buf, 8000, IPC_NOWAIT));
	EXPECT_ERRNO(msgsnd(id, buf, 200, IPC_NOWAIT), EAGAIN);
	ds.msg_qbytes = 16384;
	ASSERT_OK(msgctl(id, IPC_SET, &ds));
	EXPECT_OK(msgsnd(id, buf, 200, IPC_NOWAIT));
	n = msgrcv(id, buf, 8192, 0, 0);
	EXPECT_EQ(n, 8000);
	EXPECT_OK(msgctl(id, IPC_RMID, NULL));
}

TEST(msgget_key_rules)
{
	key_t key = test_key(1);
	int id;

	EXPECT_ERRNO(msgget(key, 0600), ENOENT);
	id = ASSERT_OK(msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_ERRNO(msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	EXPECT_EQ(msgget(key, 0), id);
	EXPECT_OK(msgctl(id, IPC_RMID, NULL));
	EXPECT_ERRNO(msgget(key, 0), ENOENT);
}

TEST(a_blocked_receiver_gets_the_next_matching_message)
{
	int id = ASSERT_OK(msgget(IPC_PRIVATE, 0600));
	pid_t pid;
	int st;

	pid = ASSERT_OK(fork());
	if (pid == 0) {
		struct tmsg m;

		if (msgrcv(id, &m, sizeof(m.text), 7, 0) != 2 || m.type != 7 || m.text[0] != 'z')
			_exit(1);
		_exit(0);
	}
	send(id, 6, "y");
	send(id, 7, "z");
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(recv_first(id, 0, 0), 'y');
	EXPECT_OK(msgctl(id, IPC_RMID, NULL));
}

TEST(a_blocked_sender_waits_for_room)
{
	int id = ASSERT_OK(msgget(IPC_PRIVATE, 0600));
	static char buf[sizeof(long) + 8192];
	struct msqid_ds ds;
	pid_t pid;
	int st;

	*(long *)buf = 1;
	ASSERT_OK(msgctl(id, IPC_STAT, &ds));
	ds.msg_qbytes = 100;
	ASSERT_OK(msgctl(id, IPC_SET, &ds));
	ASSERT_OK(msgsnd(id, buf, 100, 0));
	pid = ASSERT_OK(fork());
	if (pid == 0)
		_exit(msgsnd(id, buf, 50, 0) == 0 ? 0 : 1);
	EXPECT_EQ(msgrcv(id, buf, 8192, 0, 0), 100);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(msgrcv(id, buf, 8192, 0, IPC_NOWAIT), 50);
	EXPECT_OK(msgctl(id, IPC_RMID, NULL));
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void eintr_child(void *arg)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { .it_value = { 0, 50000 } };
	struct tmsg m;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	if (msgrcv(*(int *)arg, &m, sizeof(m.text), 0, 0) != -1 || errno != EINTR)
		_exit(1);
}

TEST(a_signal_interrupts_msgrcv_even_with_sa_restart)
{
	int id = ASSERT_OK(msgget(IPC_PRIVATE, 0600));
	int st = status_of_child(eintr_child, &id);

	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
	EXPECT_OK(msgctl(id, IPC_RMID, NULL));
}

/* A child that sleeps in msgrcv; 0 if the removal woke it with EIDRM, 1 with EINVAL (it
 * was removed before the child got to sleep), 2 otherwise. */
static int rmid_round(int usec)
{
	int id = ASSERT_OK(msgget(IPC_PRIVATE, 0600));
	pid_t pid;
	int st;

	pid = ASSERT_OK(fork());
	if (pid == 0) {
		struct tmsg m;

		if (msgrcv(id, &m, sizeof(m.text), 0, 0) == -1)
			_exit(errno == EIDRM ? 0 : errno == EINVAL ? 1 : 2);
		_exit(2);
	}
	usleep(usec);
	ASSERT_OK(msgctl(id, IPC_RMID, NULL));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT_TRUE(WIFEXITED(st));
	return WEXITSTATUS(st);
}

TEST(rmid_wakes_a_sleeping_receiver_with_eidrm)
{
	/* Nothing tells that the child sleeps yet: longer waits until one round shows it. */
	static const int waits[] = { 10000, 100000, 1000000, 5000000 };
	int r = 1;

	for (size_t i = 0; r == 1 && i < sizeof(waits) / sizeof(waits[0]); i++)
		r = rmid_round(waits[i]);
	EXPECT_EQ(r, 0);
}

static void noperm_child(void *arg)
{
	int id = *(int *)arg;
	struct tmsg m = { .type = 1 };

	if (setuid(65534))
		_exit(3);
	if (msgsnd(id, &m, 1, IPC_NOWAIT) != -1 || errno != EACCES)
		_exit(4);
	if (msgctl(id, IPC_RMID, NULL) != -1 || errno != EPERM)
		_exit(5);
}

TEST(permissions_follow_mode_bits_and_creds)
{
	int id, st;

	if (geteuid() != 0)
		SKIP("needs root to switch to another uid");
	id = ASSERT_OK(msgget(IPC_PRIVATE, 0644));
	st = status_of_child(noperm_child, &id);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
	EXPECT_OK(msgctl(id, IPC_RMID, NULL));
}

TEST(info)
{
	struct msginfo mi;

	ASSERT_OK(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi));
	EXPECT_EQ(mi.msgmax, 8192);
	EXPECT_GE(mi.msgmnb, 8192);
	EXPECT_GE(mi.msgmni, 1);
}

TEST(proc_sysvipc_lists_queues)
{
	int id = ASSERT_OK(msgget(IPC_PRIVATE, 0600));
	char line[512];
	int found = 0;
	FILE *f;

	send(id, 3, "abc");
	f = fopen("/proc/sysvipc/msg", "r");
	ASSERT_TRUE(f != NULL);
	ASSERT_TRUE(fgets(line, sizeof(line), f) != NULL);
	EXPECT_TRUE(strstr(line, "msqid") != NULL);
	while (fgets(line, sizeof(line), f)) {
		int key, qid, perms;
		unsigned long cbytes, qnum;

		if (sscanf(line, "%d %d %o %lu %lu", &key, &qid, &perms, &cbytes, &qnum) == 5 &&
		    qid == id) {
			found = 1;
			EXPECT_EQ(cbytes, 4u);
			EXPECT_EQ(qnum, 1u);
		}
	}
	fclose(f);
	EXPECT_TRUE(found);
	EXPECT_OK(msgctl(id, IPC_RMID, NULL));
}
