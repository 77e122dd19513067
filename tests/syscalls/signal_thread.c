// SPDX-License-Identifier: MIT
/*
 * Signals and threads: a process-directed signal goes to a thread that does not block it,
 * tgkill reaches the named thread, sigwaitinfo in one thread takes a signal every thread
 * blocks, pthread_cancel (glibc's SIGCANCEL) interrupts a blocked thread, and a fatal
 * signal ends every thread.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tests/syscalls/signal_sigutil.h"
#include "tests/syscalls/sysutil.h"

static volatile pid_t handler_tid;
static volatile int hits;

static void tid_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	handler_tid = gettid();
	hits++;
}

static volatile pid_t worker_tid;
static volatile int worker_stop;

static void *spin_worker(void *arg)
{
	sigset_t none;

	(void)arg;
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	worker_tid = gettid();
	while (!worker_stop && !hits)
		usleep(1000);
	return NULL;
}

static pthread_t start_worker(void *(*fn)(void *))
{
	pthread_t th;

	worker_tid = 0;
	worker_stop = 0;
	ASSERT_EQ(pthread_create(&th, NULL, fn, NULL), 0);
	while (!worker_tid)
		usleep(1000);
	return th;
}

TEST(a_process_signal_goes_to_the_thread_that_takes_it)
{
	pthread_t th;

	sig_reset();
	hits = 0;
	handler_tid = 0;
	sig_install(SIGUSR1, tid_handler, 0);
	sig_block(SIGUSR1); /* the main thread; the worker unblocks it */
	th = start_worker(spin_worker);
	ASSERT_OK(kill(getpid(), SIGUSR1));
	ASSERT_EQ(pthread_join(th, NULL), 0);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(handler_tid, worker_tid);
	sig_reset();
}

TEST(tgkill_runs_the_handler_on_the_named_thread)
{
	pthread_t th;

	sig_reset();
	hits = 0;
	handler_tid = 0;
	sig_install(SIGUSR2, tid_handler, 0);
	th = start_worker(spin_worker);
	ASSERT_OK(syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR2));
	ASSERT_EQ(pthread_join(th, NULL), 0);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(handler_tid, worker_tid);
	sig_reset();
}

static volatile int waited_sig;
static volatile pid_t waited_pid;

static void *wait_worker(void *arg)
{
	siginfo_t si;
	sigset_t set;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	worker_tid = gettid();
	waited_sig = sigwaitinfo(&set, &si);
	waited_pid = si.si_pid;
	return NULL;
}

TEST(sigwaitinfo_in_a_thread_takes_a_signal_all_threads_block)
{
	pthread_t th;

	sig_reset();
	waited_sig = 0;
	sig_block(SIGUSR1); /* inherited by the worker */
	th = start_worker(wait_worker);
	usleep(20000);
	ASSERT_OK(kill(getpid(), SIGUSR1));
	ASSERT_EQ(pthread_join(th, NULL), 0);
	EXPECT_EQ(waited_sig, SIGUSR1);
	EXPECT_EQ(waited_pid, getpid());
	sig_reset();
}

static void *pause_worker(void *arg)
{
	(void)arg;
	worker_tid = gettid();
	for (;;)
		pause();
	return NULL;
}

TEST(pthread_cancel_interrupts_a_paused_thread)
{
	pthread_t th;
	void *ret = NULL;

	sig_reset();
	th = start_worker(pause_worker);
	usleep(20000);
	ASSERT_EQ(pthread_cancel(th), 0);
	ASSERT_EQ(pthread_join(th, &ret), 0);
	EXPECT_TRUE(ret == PTHREAD_CANCELED);
}

static void *sleep_forever(void *arg)
{
	(void)arg;
	worker_tid = gettid();
	for (;;)
		sleep(100);
	return NULL;
}

static void kill_from_main(void *arg)
{
	(void)arg;
	start_worker(sleep_forever);
	start_worker(sleep_forever);
	raise(SIGTERM);
	_exit(4);
}

TEST(a_fatal_signal_ends_every_thread)
{
	EXPECT_KILLED_BY(status_of_child(kill_from_main, NULL), SIGTERM);
}

static void *segv_worker(void *arg)
{
	(void)arg;
	worker_tid = gettid();
	*(volatile int *)unmapped_page() = 1;
	return NULL;
}

static void fault_in_thread(void *arg)
{
	(void)arg;
	start_worker(sleep_forever);
	start_worker(segv_worker);
	for (;;)
		pause();
}

TEST(a_fault_in_one_thread_kills_the_process)
{
	EXPECT_KILLED_BY(status_of_child(fault_in_thread, NULL), SIGSEGV);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
