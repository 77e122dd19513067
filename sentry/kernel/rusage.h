/*
 * CPU time and resource usage accounting.
 *
 * Guest instructions run on the platform's threads (ptrace: the stub process of the
 * address space), so a process's user time is its address space's CPU clock
 * (plat_as_cpu_time); its system time is what the sentry's task threads spent serving it.
 * A thread's clock is approximated by its process's (the host won't let the sentry read
 * another process's thread clocks). Counters live in struct thread_group under tg->lock.
 */
#ifndef SENTRY_KERNEL_RUSAGE_H
#define SENTRY_KERNEL_RUSAGE_H

#include <stdbool.h>
#include <stdint.h>

struct task;
struct thread_group;
struct mm;

struct rusage_times {
	uint64_t utime_ns, stime_ns;
	uint64_t maxrss_kb;
};

/* The times of t's whole process (live and exited threads). */
void rusage_tg(struct task *t, struct rusage_times *out);
/* t's own (thread) times. */
void rusage_thread(struct task *t, struct rusage_times *out);
/* The process's CPU time (user + system) as far as it can be read from any thread (the
 * timer thread's CPU timers); its address-space clock is known once a task sampled it. */
uint64_t rusage_tg_cpu_ns(struct thread_group *tg, bool user_only);
/* Learns and samples the clock of t's address space (before arming CPU timers). */
void rusage_sample(struct task *t);
/* Reaped children (and what they reaped) of t's process. */
void rusage_children(struct task *t, struct rusage_times *out);

/*
 * A guest CPU clock (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, or an encoded
 * pid/tid clock as from clock_getcpuclockid) read from t. 0 and *ns, or -EINVAL (bad id,
 * a thread of another process, a pid that is not a process).
 */
int rusage_cpu_clock(struct task *t, int clockid, uint64_t *ns);
/* True if id is a CPU clock id (negative encodings included). */
static inline int rusage_is_cpu_clock(int id)
{
	return id < 0 || id == 2 || id == 3; /* PROCESS_CPUTIME_ID, THREAD_CPUTIME_ID */
}

/* Exit path: folds exiting t's sentry time and its address space's clock into its
 * process. Call while t->mm is still held, without locks. */
void rusage_task_exit(struct task *t);
/* execve: t's process leaves address space old behind; call before dropping it. */
void rusage_exec(struct task *t, struct mm *old);
/* A dead (zombie) process's own times, for wait4/waitid's rusage and SIGCHLD's
 * si_utime/si_stime. Takes only child->lock. */
void rusage_dead(struct thread_group *child, struct rusage_times *out);
/* Reaping (wait): adds dead child's times and its children's to parent. Takes only the
 * two tg locks, one at a time (fine under k->lock). */
void rusage_reap_child(struct thread_group *parent, struct thread_group *child);

#endif
