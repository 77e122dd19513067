/*
 * Scheduling view: policies, priorities, nice values and CPU affinity as the guest sees
 * them. They are recorded per task and inherited by clone; the host scheduler still
 * decides where and when task threads run (the ptrace platform pins them itself).
 *
 * Locking: t->sched is written under t->lock; readers take it too.
 */
#ifndef SENTRY_KERNEL_SCHED_H
#define SENTRY_KERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct task;

#define SCHED_PRIO_MAX 99 /* SCHED_FIFO/RR priorities are 1..99 */
#define SCHED_NICE_MIN (-20)
#define SCHED_NICE_MAX 19
#define SCHED_RESET_ON_FORK_FLAG 0x40000000

/* The sandbox's CPUs (bit i = host CPU i, at most 64): the sentry's own affinity. */
uint64_t sched_cpus(void);
/* The effective affinity of t (never 0). */
uint64_t sched_affinity(struct task *t);

/* Sets t's policy and rt priority (policy -1 keeps it), for sched_setscheduler and
 * sched_setparam. 0, -EINVAL (bad policy or priority for it), -EPERM (FIFO/RR without
 * CAP_SYS_NICE and no RLIMIT_RTPRIO room; another user's task). */
int sched_set_policy(struct task *caller, struct task *t, int policy, int prio);

/* Sets t's nice value to nice (clamped to -20..19). 0, -EPERM (another user's task),
 * -EACCES (lowering nice without CAP_SYS_NICE). */
int sched_set_nice(struct task *caller, struct task *t, int nice);

/* True if caller may change t's scheduling (same user, or CAP_SYS_NICE). */
bool sched_may_change(struct task *caller, struct task *t);

#endif
