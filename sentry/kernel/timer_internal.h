/* Timer internals shared by timer.c (thread, heap, POSIX timers) and itimer.c. */
#ifndef SENTRY_KERNEL_TIMER_INTERNAL_H
#define SENTRY_KERNEL_TIMER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "sentry/kernel/timer.h"

/* A process's timers, under tm.lock. */
struct timer_set {
	struct ktimer *posix[TIMER_MAX_PER_PROCESS];
	int next_id;
	struct ktimer itimer[3]; /* ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF */
	struct ktimer rlimit_cpu;
};

/* The sandbox's timer thread and everything it looks at. */
struct timer_state {
	pthread_mutex_t lock;
	pthread_cond_t cv; /* CLOCK_MONOTONIC; created with the thread */
	pthread_t thread;
	bool started, stop;
	struct ktimer **heap; /* min-heap on expires */
	size_t n, cap;
	struct list_head cpu; /* armed CPU-clock timers */
};

extern struct timer_state tm;

int64_t timer_mono_ns(void);
/* k's clock now (monotonic or the process CPU clock). */
int64_t timer_now(struct ktimer *k);
/* Under tm.lock: */
void timer_init(struct ktimer *k, struct thread_group *tg, enum ktimer_kind kind, int id);
struct timer_set *timer_set_of(struct thread_group *tg); /* creates it; NULL: -ENOMEM */
int timer_arm(struct ktimer *k, int64_t expires, int64_t interval); /* expires 0: off */
void timer_disarm(struct ktimer *k);
void timer_remaining(struct ktimer *k, struct ktimer_spec *out);
struct linux_siginfo;
/* Sends a timer's signal to target (caller holds tm.lock, which keeps target alive). */
void timer_send(struct task *target, const struct linux_siginfo *info, bool group);
/* The RLIMIT_CPU watchdog expired (itimer.c). */
void timer_rlimit_cpu_fire(struct ktimer *k, int64_t now);

#endif
