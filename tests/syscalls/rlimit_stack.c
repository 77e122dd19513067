// SPDX-License-Identifier: MIT
/*
 * RLIMIT_STACK at exec: it sizes the main thread's stack (deep recursion within a raised
 * limit works, past a small one it is SIGSEGV) and the argv + envp limit (a quarter of it,
 * at least 128 KiB, at most 6 MiB: Linux's bprm_stack_limits), checked by re-executing this
 * program with the limit set.
 */
#include <signal.h>
#include <stdlib.h>

#include "tests/syscalls/sysutil.h"

#define HELPER_ENV "WARDEN_RLIMIT_STACK_HELPER"
#define KIB 1024UL
#define MIB (1024UL * 1024UL)

static const char *self;

/* Uses about depth KiB of stack; the volatile buffer and the use after the call keep the
 * compiler from shrinking the frames or turning the recursion into a loop. */
static __attribute__((noinline)) int recurse(unsigned long depth)
{
	volatile char buf[1024];

	buf[0] = (char)depth;
	buf[sizeof(buf) - 1] = 1;
	if (!depth)
		return buf[0];
	return recurse(depth - 1) + buf[sizeof(buf) - 1];
}

/* The re-executed program: "recurse:<KiB>" uses that much stack, "exit" just exits. glibc
 * passes argc, argv and envp to constructors, which run before the harness's main. */
static __attribute__((constructor)) void helper(int argc, char **argv)
{
	const char *mode = getenv(HELPER_ENV);

	if (argc > 0)
		self = argv[0];
	if (!mode)
		return;
	if (!strncmp(mode, "recurse:", 8))
		_exit(recurse(strtoul(mode + 8, NULL, 10)) == (int)strtoul(mode + 8, NULL, 10) ? 0 :
												 1);
	_exit(0);
}

/* Forks, sets RLIMIT_STACK's soft limit to lim, and execs this program in mode with
 * arg_bytes of extra arguments (64 KiB strings). Returns the child's wait status, or
 * 200 + errno when the exec failed. */
static int exec_with_limit(rlim_t lim, const char *mode, size_t arg_bytes)
{
	pid_t pid;
	int st;

	ASSERT_TRUE(self != NULL);
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		size_t n = arg_bytes / (64 * KIB), i;
		char **argv = calloc(n + 2, sizeof(*argv)), env[64];
		char *envp[] = { env, NULL };
		struct rlimit rl, no_core = { 0, 0 };

		if (!argv || getrlimit(RLIMIT_STACK, &rl) < 0)
			_exit(150);
		setrlimit(RLIMIT_CORE, &no_core);
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < lim)
			_exit(151);
		rl.rlim_cur = lim;
		if (setrlimit(RLIMIT_STACK, &rl) < 0)
			_exit(152);
		argv[0] = (char *)self;
		for (i = 1; i <= n; i++) {
			argv[i] = malloc(64 * KIB);
			if (!argv[i])
				_exit(153);
			memset(argv[i], 'a', 64 * KIB - 1);
			argv[i][64 * KIB - 1] = '\0';
		}
		snprintf(env, sizeof(env), "%s=%s", HELPER_ENV, mode);
		execve(self, argv, envp);
		_exit(200 + errno);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 151)
		SKIP("the hard RLIMIT_STACK is below %lu", (unsigned long)lim);
	if (WIFEXITED(st) && WEXITSTATUS(st) >= 200)
		return WEXITSTATUS(st);
	return st;
}

TEST(argv_over_a_quarter_of_a_small_limit_is_e2big)
{
	/* 1 MiB: the limit is 256 KiB of strings and pointers. */
	EXPECT_EQ(exec_with_limit(1 * MIB, "exit", 192 * KIB), 0);
	EXPECT_EQ(exec_with_limit(1 * MIB, "exit", 256 * KIB), 200 + E2BIG);
	/* 4 MiB: 1 MiB. */
	EXPECT_EQ(exec_with_limit(4 * MIB, "exit", 960 * KIB), 0);
	EXPECT_EQ(exec_with_limit(4 * MIB, "exit", 1 * MIB), 200 + E2BIG);
}

TEST(argv_limit_is_at_least_128k_and_grows_with_the_limit)
{
	/* A quarter of 256 KiB is 64 KiB, but ARG_MAX (128 KiB) is the floor. */
	EXPECT_EQ(exec_with_limit(256 * KIB, "exit", 64 * KIB), 0);
	EXPECT_EQ(exec_with_limit(256 * KIB, "exit", 128 * KIB), 200 + E2BIG);
	/* 32 MiB: 8 MiB would be a quarter but 6 MiB is the cap; 3 MiB is over the default
	 * 2 MiB and fine. */
	EXPECT_EQ(exec_with_limit(32 * MIB, "exit", 3 * MIB), 0);
	EXPECT_EQ(exec_with_limit(32 * MIB, "exit", 6 * MIB), 200 + E2BIG);
}

TEST(deep_recursion_within_a_raised_limit_works)
{
	/* 24 MiB of frames: three times the default stack. */
	EXPECT_EQ(exec_with_limit(64 * MIB, "recurse:24576", 0), 0);
}

TEST(recursion_past_a_small_limit_is_sigsegv)
{
	int st;

	EXPECT_EQ(exec_with_limit(2 * MIB, "recurse:512", 0), 0);
	st = exec_with_limit(2 * MIB, "recurse:8192", 0);
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(WTERMSIG(st), SIGSEGV);
}
