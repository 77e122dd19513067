/* The sentry's host seccomp filter: the allowed list is printed and counted, allowed calls
 * work under it, and a forbidden one kills the process with SIGSYS instead of running. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentry/filter/filter.h"
#include "tests/harness/harness.h"

/* Raising this is a security decision: review allowed.h and update the number. */
#define FILTER_MAX_ALLOWED 70 /* 70th: accept4, the runtime control socket */

static void print_one(const char *name, int arg_rules, void *arg)
{
	harness_diag("allowed: %s%s", name, arg_rules ? " (argument rules)" : "");
}

TEST(allowed_list_is_printed_and_bounded)
{
	int n = filter_for_each(print_one, NULL);

	harness_diag("%d host syscalls allowed", n);
	EXPECT_GT(n, 0);
	EXPECT_LE(n, FILTER_MAX_ALLOWED);
}

static int run_filtered(void (*body)(void))
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		if (filter_install())
			_exit(100);
		body();
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return st;
}

static void allowed_body(void)
{
	if (syscall(SYS_getpid) <= 0)
		_exit(101);
}

static void forbidden_socket(void)
{
	syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	_exit(102); /* reaching here means the filter let it run */
}

static void forbidden_execve(void)
{
	char *argv[] = { "/bin/true", NULL };

	syscall(SYS_execve, "/bin/true", argv, NULL);
	_exit(103);
}

static void open_body(void)
{
	/* The sentry opens no host path after start: open and openat fail (EACCES), never
	 * run. */
	if (syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY) != -1 || errno != EACCES)
		_exit(104);
	if (syscall(SYS_open, "/etc/hostname", O_RDONLY) != -1 || errno != EACCES)
		_exit(105);
}

TEST(host_paths_cannot_be_opened_under_the_filter)
{
	int st = run_filtered(open_body);

	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(allowed_syscalls_run_under_the_filter)
{
	int st = run_filtered(allowed_body);

	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(socket_kills_the_sentry_with_sigsys)
{
	int st = run_filtered(forbidden_socket);

	ASSERT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(WTERMSIG(st), SIGSYS);
}

TEST(execve_kills_the_sentry_with_sigsys)
{
	int st = run_filtered(forbidden_execve);

	ASSERT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(WTERMSIG(st), SIGSYS);
}
