// SPDX-License-Identifier: MIT
/*
 * Waiting for and being interrupted by signals: sigsuspend, sigtimedwait, sigpending,
 * pause; syscall restart (SA_RESTART vs EINTR for a pipe read, nanosleep's remaining time
 * and restart_syscall across a stop); job control (SIGSTOP/SIGCONT seen by waitpid);
 * signal deaths in the wait status. Cases that need a second process fork one.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/syscalls/signal_sigutil.h"
#include "tests/syscalls/sysutil.h"

static volatile int hits;
static volatile siginfo_t last_info;

static void count_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	last_info = *si;
	hits++;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Forks a child that sends sig to the parent after delay_ms, then exits. */
static pid_t signal_me_later(int sig, int delay_ms)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0 && errno == ENOSYS)
		SKIP("fork: ENOSYS");
	ASSERT_OK(pid);
	if (pid == 0) {
		struct timespec d = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };

		nanosleep(&d, NULL);
		kill(parent, sig);
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED_OK(st);
}

TEST(sigsuspend_runs_the_handler_and_restores_the_mask)
{
	sigset_t none, cur;

	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, count_handler, 0);
	sig_block(SIGUSR1);
	raise(SIGUSR1);
	EXPECT_EQ(hits, 0);
	sigemptyset(&none);
	EXPECT_ERRNO(sigsuspend(&none), EINTR);
	EXPECT_EQ(hits, 1);
	ASSERT_OK(sigprocmask(SIG_SETMASK, NULL, &cur));
	EXPECT_TRUE(sigismember(&cur, SIGUSR1));
	sig_reset();
}

static volatile int mask_had_usr2;

static void mask_handler(int sig, siginfo_t *si, void *uc)
{
	sigset_t cur;

	(void)sig;
	(void)si;
	(void)uc;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	mask_had_usr2 = sigismember(&cur, SIGUSR2);
	hits++;
}

TEST(sigsuspend_handler_runs_with_the_temporary_mask)
{
	sigset_t tmp;

	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, mask_handler, 0);
	sig_block(SIGUSR1);
	raise(SIGUSR1);
	sigemptyset(&tmp);
	sigaddset(&tmp, SIGUSR2);
	EXPECT_ERRNO(sigsuspend(&tmp), EINTR);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(mask_had_usr2, 1);
	sig_reset();
}

TEST(sigsuspend_wakes_for_a_signal_from_another_process)
{
	sigset_t none;
	pid_t pid;

	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, count_handler, 0);
	sig_block(SIGUSR1);
	pid = signal_me_later(SIGUSR1, 50);
	sigemptyset(&none);
	EXPECT_ERRNO(sigsuspend(&none), EINTR);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(last_info.si_pid, pid);
	EXPECT_EQ(last_info.si_code, SI_USER);
	reap(pid);
	sig_reset();
}

TEST(pause_returns_eintr_after_a_handler)
{
	pid_t pid;

	sig_reset();
	hits = 0;
	sig_install(SIGUSR2, count_handler, 0);
	pid = signal_me_later(SIGUSR2, 50);
	EXPECT_ERRNO(pause(), EINTR);
	EXPECT_EQ(hits, 1);
	reap(pid);
	sig_reset();
}

TEST(sigtimedwait_takes_a_pending_signal_with_its_info)
{
	union sigval v = { .sival_int = 77 };
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	sigset_t set, pend;

	sig_reset();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_OK(sigqueue(getpid(), SIGRTMIN, v));
	raise(SIGUSR1);
	ASSERT_OK(sigpending(&pend));
	EXPECT_TRUE(sigismember(&pend, SIGUSR1));
	EXPECT_TRUE(sigismember(&pend, SIGRTMIN));
	memset(&si, 0, sizeof(si));
	EXPECT_EQ(sigtimedwait(&set, &si, &zero), SIGUSR1);
	EXPECT_EQ(si.si_signo, SIGUSR1);
	EXPECT_EQ(si.si_pid, getpid());
	EXPECT_EQ(sigtimedwait(&set, &si, &zero), SIGRTMIN);
	EXPECT_EQ(si.si_code, SI_QUEUE);
	EXPECT_EQ(si.si_value.sival_int, 77);
	EXPECT_EQ(si.si_pid, getpid());
	EXPECT_ERRNO(sigtimedwait(&set, &si, &zero), EAGAIN);
	ASSERT_OK(sigpending(&pend));
	EXPECT_FALSE(sigismember(&pend, SIGUSR1));
	sig_reset();
}

TEST(sigtimedwait_times_out)
{
	struct timespec ts = { 0, 30 * 1000000 }, bad = { 0, 1000000000 };
	sigset_t set;
	int64_t t0;

	sig_reset();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sig_block(SIGUSR1);
	t0 = now_ms();
	EXPECT_ERRNO(sigtimedwait(&set, NULL, &ts), EAGAIN);
	EXPECT_GE(now_ms() - t0, 29);
	EXPECT_ERRNO(sigtimedwait(&set, NULL, &bad), EINVAL);
	EXPECT_ERRNO(syscall(SYS_rt_sigtimedwait, &set, NULL, &ts, 4), EINVAL);
	EXPECT_ERRNO(syscall(SYS_rt_sigtimedwait, (void *)8, NULL, &ts, 8), EFAULT);
	sig_reset();
}

TEST(sigtimedwait_wakes_for_a_signal_from_another_process)
{
	struct timespec ts = { 10, 0 };
	siginfo_t si;
	sigset_t set;
	pid_t pid;

	sig_reset();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sig_block(SIGUSR2);
	pid = signal_me_later(SIGUSR2, 50);
	EXPECT_EQ(sigtimedwait(&set, &si, &ts), SIGUSR2);
	EXPECT_EQ(si.si_pid, pid);
	reap(pid);
	sig_reset();
}

TEST(sigtimedwait_is_interrupted_by_a_handled_signal)
{
	struct timespec ts = { 10, 0 };
	sigset_t set;
	pid_t pid;

	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, count_handler, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sig_block(SIGUSR2);
	pid = signal_me_later(SIGUSR1, 50);
	EXPECT_ERRNO(sigtimedwait(&set, NULL, &ts), EINTR);
	EXPECT_EQ(hits, 1);
	reap(pid);
	sig_reset();
}

static int pipe_or_skip(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0) {
		if (errno == ENOSYS)
			SKIP("pipe2: ENOSYS");
		ASSERT_OK(-1);
	}
	return 0;
}

TEST(read_interrupted_by_a_handler_without_sa_restart_fails_eintr)
{
	int fds[2];
	char c;
	pid_t pid;

	sig_reset();
	pipe_or_skip(fds);
	hits = 0;
	sig_install(SIGUSR1, count_handler, 0);
	pid = signal_me_later(SIGUSR1, 50);
	EXPECT_ERRNO(read(fds[0], &c, 1), EINTR);
	EXPECT_EQ(hits, 1);
	reap(pid);
	close(fds[0]);
	close(fds[1]);
	sig_reset();
}

TEST(read_interrupted_by_a_sa_restart_handler_is_restarted)
{
	int fds[2];
	char c = 0;
	pid_t parent = getpid(), pid;

	sig_reset();
	pipe_or_skip(fds);
	hits = 0;
	sig_install(SIGUSR1, count_handler, SA_RESTART);
	fflush(NULL);
	pid = fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		struct timespec d = { 0, 50000000 };

		nanosleep(&d, NULL);
		kill(parent, SIGUSR1);
		nanosleep(&d, NULL);
		if (write(fds[1], "z", 1) != 1)
			_exit(1);
		_exit(0);
	}
	EXPECT_EQ(read(fds[0], &c, 1), 1);
	EXPECT_EQ(c, 'z');
	EXPECT_EQ(hits, 1);
	reap(pid);
	close(fds[0]);
	close(fds[1]);
	sig_reset();
}

TEST(nanosleep_interrupted_reports_the_time_left)
{
	struct timespec req = { 5, 0 }, rem = { 0, 0 };
	pid_t pid;
	int64_t t0 = now_ms();

	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, count_handler, SA_RESTART); /* nanosleep never restarts */
	pid = signal_me_later(SIGUSR1, 50);
	EXPECT_ERRNO(nanosleep(&req, &rem), EINTR);
	EXPECT_LT(now_ms() - t0, 4000);
	EXPECT_EQ(hits, 1);
	EXPECT_GE(rem.tv_sec, 3);
	EXPECT_LE(rem.tv_sec, 4);
	reap(pid);
	sig_reset();
}

TEST(nanosleep_resumes_after_a_stop_and_continue)
{
	struct timespec req = { 0, 400 * 1000000 };
	pid_t parent = getpid(), pid;
	int64_t t0;

	sig_reset();
	fflush(NULL);
	pid = fork();
	if (pid < 0 && errno == ENOSYS)
		SKIP("fork: ENOSYS");
	ASSERT_OK(pid);
	if (pid == 0) {
		struct timespec d = { 0, 50000000 };

		nanosleep(&d, NULL);
		kill(parent, SIGSTOP);
		nanosleep(&d, NULL);
		kill(parent, SIGCONT);
		_exit(0);
	}
	t0 = now_ms();
	/* No handler runs: the sleep goes on through restart_syscall to the same end. */
	EXPECT_EQ(nanosleep(&req, NULL), 0);
	EXPECT_GE(now_ms() - t0, 399);
	reap(pid);
}

static void stop_and_wait(void *arg)
{
	(void)arg;
	for (;;)
		pause();
}

TEST(waitpid_sees_stop_continue_and_the_killing_signal)
{
	int st;
	pid_t pid;

	sig_reset();
	fflush(NULL);
	pid = fork();
	if (pid < 0 && errno == ENOSYS)
		SKIP("fork: ENOSYS");
	ASSERT_OK(pid);
	if (pid == 0) {
		stop_and_wait(NULL);
		_exit(0);
	}
	ASSERT_OK(kill(pid, SIGSTOP));
	ASSERT_EQ(waitpid(pid, &st, WUNTRACED), pid);
	EXPECT_TRUE(WIFSTOPPED(st));
	EXPECT_EQ(WSTOPSIG(st), SIGSTOP);
	ASSERT_OK(kill(pid, SIGCONT));
	ASSERT_EQ(waitpid(pid, &st, WCONTINUED), pid);
	EXPECT_TRUE(WIFCONTINUED(st));
	ASSERT_OK(kill(pid, SIGTERM));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_KILLED_BY(st, SIGTERM);
}

static pid_t fork_pauser(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0 && errno == ENOSYS)
		SKIP("fork: ENOSYS");
	ASSERT_OK(pid);
	if (pid == 0) {
		stop_and_wait(NULL);
		_exit(0);
	}
	return pid;
}

static int wait_sigchld(siginfo_t *si)
{
	struct timespec ts = { 10, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	memset(si, 0, sizeof(*si));
	return sigtimedwait(&set, si, &ts);
}

TEST(sigchld_reports_stop_continue_and_kill)
{
	siginfo_t si;
	pid_t pid;
	int st;

	sig_reset();
	sig_block(SIGCHLD);
	pid = fork_pauser();
	ASSERT_OK(kill(pid, SIGSTOP));
	ASSERT_EQ(wait_sigchld(&si), SIGCHLD);
	EXPECT_EQ(si.si_code, CLD_STOPPED);
	EXPECT_EQ(si.si_status, SIGSTOP);
	EXPECT_EQ(si.si_pid, pid);
	ASSERT_OK(kill(pid, SIGCONT));
	ASSERT_EQ(wait_sigchld(&si), SIGCHLD);
	EXPECT_EQ(si.si_code, CLD_CONTINUED);
	EXPECT_EQ(si.si_status, SIGCONT);
	ASSERT_OK(kill(pid, SIGKILL));
	ASSERT_EQ(wait_sigchld(&si), SIGCHLD);
	EXPECT_EQ(si.si_code, CLD_KILLED);
	EXPECT_EQ(si.si_status, SIGKILL);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_KILLED_BY(st, SIGKILL);
	sig_reset();
}

static void ignore_chld(int sig)
{
	(void)sig;
}

TEST(sa_nocldstop_means_no_sigchld_for_stops)
{
	struct sigaction sa;
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	sigset_t set;
	pid_t pid;
	int st;

	sig_reset();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ignore_chld;
	sa.sa_flags = SA_NOCLDSTOP;
	ASSERT_OK(sigaction(SIGCHLD, &sa, NULL));
	sig_block(SIGCHLD);
	pid = fork_pauser();
	ASSERT_OK(kill(pid, SIGSTOP));
	ASSERT_EQ(waitpid(pid, &st, WUNTRACED), pid);
	EXPECT_TRUE(WIFSTOPPED(st));
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	EXPECT_ERRNO(sigtimedwait(&set, &si, &zero), EAGAIN);
	ASSERT_OK(kill(pid, SIGKILL));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(sigtimedwait(&set, &si, &zero), SIGCHLD);
	EXPECT_EQ(si.si_code, CLD_KILLED);
	sig_reset();
}

static void kill_as_nobody(void *arg)
{
	pid_t target = (pid_t)(intptr_t)arg;

	if (setresuid(65534, 65534, 65534))
		_exit(errno == ENOSYS || errno == EPERM ? 77 : 10);
	if (kill(target, SIGUSR1) != -1 || errno != EPERM)
		_exit(11);
	if (kill(target, 0) != -1 || errno != EPERM)
		_exit(12);
	if (kill(getpid(), 0))
		_exit(13);
	_exit(0);
}

TEST(kill_needs_the_same_uid_or_cap_kill)
{
	int st;

	if (getuid() != 0)
		SKIP("needs root to change uid");
	sig_reset();
	st = status_of_child(kill_as_nobody, (void *)(intptr_t)getpid());
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		SKIP("setresuid unavailable");
	EXPECT_EXITED_OK(st);
}

static void raise_arg(void *arg)
{
	raise((int)(intptr_t)arg);
	_exit(3);
}

TEST(signal_deaths_show_in_the_wait_status)
{
	int st;

	st = status_of_child(raise_arg, (void *)(intptr_t)SIGTERM);
	EXPECT_KILLED_BY(st, SIGTERM);
	EXPECT_FALSE(WCOREDUMP(st));
	st = status_of_child(raise_arg, (void *)(intptr_t)SIGABRT);
	EXPECT_KILLED_BY(st, SIGABRT);
	EXPECT_FALSE(WCOREDUMP(st)); /* RLIMIT_CORE is 0: no core, no core bit */
	st = status_of_child(raise_arg, (void *)(intptr_t)SIGRTMIN);
	EXPECT_KILLED_BY(st, SIGRTMIN);
	st = status_of_child(raise_arg, (void *)(intptr_t)SIGUSR1);
	EXPECT_KILLED_BY(st, SIGUSR1);
}

static void unblock_later(void *arg)
{
	(void)arg;
	sig_block(SIGTERM);
	raise(SIGTERM);
	sig_unblock(SIGTERM); /* dies here */
	_exit(5);
}

TEST(a_blocked_fatal_signal_kills_when_unblocked)
{
	EXPECT_KILLED_BY(status_of_child(unblock_later, NULL), SIGTERM);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
