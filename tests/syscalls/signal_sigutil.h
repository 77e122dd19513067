/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the signal tests: a clean signal state at the start of each case (cases may
 * run one after another in one process when there is no fork), and handler installation.
 */
#ifndef WARDEN_TESTS_SYSCALLS_SIGNAL_SIGUTIL_H
#define WARDEN_TESTS_SYSCALLS_SIGNAL_SIGUTIL_H

#include <signal.h>
#include <string.h>

#include "tests/harness/harness.h"

/* Every disposition back to SIG_DFL, nothing blocked, no altstack. */
static inline void sig_reset(void)
{
	struct sigaction sa;
	stack_t ss = { .ss_flags = SS_DISABLE };
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++) {
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	}
	sigaltstack(&ss, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static inline void sig_install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	ASSERT_OK(sigaction(sig, &sa, NULL));
}

static inline void sig_block(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &s, NULL));
}

static inline void sig_unblock(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	ASSERT_OK(sigprocmask(SIG_UNBLOCK, &s, NULL));
}

#endif
