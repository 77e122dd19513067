/*
 * Private state of the ptrace platform.
 *
 * Lock order: ptrace_as.mutex (held while a task thread borrows the stub's master thread)
 * before ptrace_platform.fmutex (the factory's queue). Neither is held while waiting for
 * a guest.
 */
#ifndef PLATFORM_PTRACE_INTERNAL_H
#define PLATFORM_PTRACE_INTERNAL_H

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/ref.h"
#include "platform/platform.h"

/* The signal plat_interrupt sends a running stub thread; harmless if it slips through. */
#define PTRACE_KICK_SIGNAL SIGCHLD

struct stub_request;

struct ptrace_platform {
	struct platform base;
	int memfd;
	uint64_t stub_base; /* the stub region; guests live below it */
	pid_t sentry_pid;

	int ncpus; /* CPUs we may run on, for pinning task/stub pairs */
	int cpus[CPU_SETSIZE];
	unsigned int next_cpu;

	/* Stub factory: the one long-lived thread that is the parent of all stubs. */
	pthread_t factory;
	pthread_mutex_t fmutex;
	pthread_cond_t fcond; /* work for the factory */
	pthread_cond_t fdone; /* a request completed */
	struct stub_request *requests;
	pid_t *reap; /* killed stubs not yet reaped */
	size_t nreap, capreap;
};

/* One stub process. The sentry holds one reference, each ctx with a thread in it one. */
struct ptrace_as {
	struct plat_as base;
	struct ptrace_platform *plat;
	struct ref ref;
	pid_t pid; /* the stub process = its leader thread, never traced */
	pid_t master; /* the thread borrowed to inject syscalls (stub.h) */
	int master_cpu; /* where the master is pinned (under mutex), -1 unpinned */
	pthread_mutex_t mutex; /* serializes borrowing the master */
};

struct ptrace_ctx {
	struct plat_ctx base;
	struct ptrace_platform *plat;
	struct ptrace_as *as; /* where the stub thread lives; NULL when it has none */
	pid_t tid; /* the stub thread (atomic for plat_interrupt) */
	pid_t pid; /* its process, for tgkill (atomic for plat_interrupt) */
	pid_t tracer; /* the task thread that traces it: the only one that may use it */
	bool dead; /* the stub thread is gone (and reaped) */
	int cpu; /* the CPU this pair is pinned to, -1 before the first thread */
	struct plat_regs tmpl; /* the stub thread's own registers, for cs/ss and injection */

	int running; /* atomic: the stub thread may be running guest code */
	int interrupted; /* atomic: plat_interrupt was called */

	bool fp_pending; /* fp holds state to load into the next thread */
	struct plat_fpregs fp;
	uint8_t *xstate; /* NT_X86_XSTATE buffer; xstate_len > 0: a saved state */
	size_t xstate_len;
};

#endif
