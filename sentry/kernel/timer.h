/*
 * Kernel timers: POSIX timers (timer_create & co.), the interval timers (setitimer,
 * alarm) and the RLIMIT_CPU watchdog, all fired by one sentry thread per sandbox.
 *
 * The timer thread keeps a min-heap of wall-clock deadlines (on CLOCK_MONOTONIC; a
 * CLOCK_REALTIME timer is converted when armed, so later clock steps don't move it) and
 * polls CPU-clock timers every TIMER_CPU_TICK_NS. Expiry sends the timer's signal with
 * sig_send_info; a POSIX timer whose last signal is still queued counts an overrun
 * instead, as on Linux.
 *
 * Timers belong to a process (tg->timers) and die with it (timer_task_exit).
 *
 * Lock order: timer lock (timer.c) -> tg->lock -> signal locks; timer lock -> waitq locks
 * (a KTIMER_FN timer's callback, timerfd.c). Nothing here may be called with tg->lock, a
 * signal lock, a waitq lock or k->lock held.
 */
#ifndef SENTRY_KERNEL_TIMER_H
#define SENTRY_KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/list.h"

struct task;
struct thread_group;

#define TIMER_MAX_PER_PROCESS 1024
#define TIMER_CPU_TICK_NS 10000000LL /* CPU timers are checked every 10 ms */

/* KTIMER_FN: no process, no signal; each expiry calls fn (timerfd). */
enum ktimer_kind { KTIMER_POSIX, KTIMER_ITIMER, KTIMER_RLIMIT_CPU, KTIMER_FN };

struct ktimer {
	struct thread_group *tg;
	enum ktimer_kind kind;
	int id; /* POSIX timer id, or ITIMER_REAL/VIRTUAL/PROF */
	int clock; /* the guest clock id it was created on */
	bool cpu; /* measured on the process's CPU clock */
	bool cpu_virt; /* ... user time only (ITIMER_VIRTUAL, CPUCLOCK_VIRT) */
	int64_t expires; /* absolute: monotonic ns, or CPU ns when cpu; 0 = disarmed */
	int64_t interval;
	int notify; /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID|SIGEV_SIGNAL */
	int signo;
	int tid; /* SIGEV_THREAD_ID target */
	int64_t value; /* sigev_value */
	int overrun; /* expiries while the signal was queued */
	int overrun_last; /* reported by timer_getoverrun */
	bool queued; /* our signal is sent and not yet delivered */
	int heap_idx; /* -1 when not in the deadline heap */
	struct list_head cpu_node; /* on the CPU-timer list when armed and cpu */
	/* KTIMER_FN: called on the timer thread under the timer lock with the number of
	 * periods that elapsed (missed ones included); it must only take leaf locks. */
	void (*fn)(struct ktimer *k, uint64_t expirations);
};

/* Guest timer specs, in ns. */
struct ktimer_spec {
	int64_t value, interval;
};

/* ---- POSIX timers ---- */
/* timer_create: sev_notify/signo/tid/value as decoded from a struct sigevent (the
 * defaults for a NULL one: SIGEV_SIGNAL, SIGALRM, value = id). 0 and *id, or -EINVAL
 * (clock, notify, signal, thread), -EAGAIN (too many), -ENOMEM. */
int timer_posix_create(struct task *t, int clock, bool has_sev, int notify, int signo, int tid,
		       int64_t value, int *id);
/* timer_settime: abs is TIMER_ABSTIME; *old gets the previous setting. -EINVAL. */
int timer_posix_set(struct task *t, int id, bool abs, const struct ktimer_spec *nv,
		    struct ktimer_spec *old);
int timer_posix_get(struct task *t, int id, struct ktimer_spec *cur);
int timer_posix_getoverrun(struct task *t, int id);
int timer_posix_delete(struct task *t, int id);

/* ---- interval timers and RLIMIT_CPU ---- */
/* setitimer/getitimer on which (ITIMER_*): -EINVAL for a bad which. */
int timer_itimer_set(struct task *t, int which, const struct ktimer_spec *nv,
		     struct ktimer_spec *old);
int timer_itimer_get(struct task *t, int which, struct ktimer_spec *cur);
/* Re-arms tg's RLIMIT_CPU watchdog from tg->rlimits after a change (and at fork). */
void timer_rlimit_cpu_update(struct task *t, struct thread_group *tg);

/* ---- lifecycle ---- */
/* Exit path, with t->exiting set and t still on tg->tasks: once every thread of the
 * process is exiting, its timers go. Also a barrier: the timer thread holds no pointer
 * to t afterwards and never picks it again. No locks held. */
void timer_task_exit(struct task *t);
/* execve: POSIX timers are deleted, interval timers kept (Linux). */
void timer_exec(struct task *t);
/* Signals code: a SI_TIMER signal of timer id of t's process was dequeued (fills
 * si_overrun, re-enables queueing). No signal lock held. Returns the overrun count. */
int timer_signal_delivered(struct task *t, int id);
/* Stops the timer thread at sandbox exit. */
void timer_shutdown(void);

#endif
