/* Interval timers (setitimer/getitimer/alarm) and the RLIMIT_CPU watchdog. */
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>

#include "sentry/kernel/rusage.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/kernel/timer_internal.h"

#define NS 1000000000LL

static const int itimer_signal[3] = { SIGALRM, SIGVTALRM, SIGPROF };

int timer_itimer_get(struct task *t, int which, struct ktimer_spec *cur)
{
	struct timer_set *ts;

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	pthread_mutex_lock(&tm.lock);
	ts = t->tg->timers;
	if (ts) {
		timer_remaining(&ts->itimer[which], cur);
	} else {
		cur->value = 0;
		cur->interval = 0;
	}
	pthread_mutex_unlock(&tm.lock);
	return 0;
}

int timer_itimer_set(struct task *t, int which, const struct ktimer_spec *nv,
		     struct ktimer_spec *old)
{
	struct timer_set *ts;
	struct ktimer *k;
	int err;

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	if (which != ITIMER_REAL)
		rusage_sample(t);
	pthread_mutex_lock(&tm.lock);
	ts = timer_set_of(t->tg);
	if (!ts) {
		pthread_mutex_unlock(&tm.lock);
		return -ENOMEM;
	}
	k = &ts->itimer[which];
	k->signo = itimer_signal[which];
	k->notify = SIGEV_SIGNAL;
	k->cpu = which != ITIMER_REAL;
	k->cpu_virt = which == ITIMER_VIRTUAL;
	timer_remaining(k, old);
	err = timer_arm(k, nv->value ? timer_now(k) + nv->value : 0, nv->interval);
	pthread_mutex_unlock(&tm.lock);
	return err;
}

/* The next CPU time (ns) the watchdog must look at, or 0 for none. Under tm.lock. */
static int64_t rlimit_cpu_next(struct thread_group *tg, int64_t now)
{
	uint64_t soft, hard;

	pthread_mutex_lock(&tg->lock);
	soft = tg->rlimits[RLIMIT_CPU].rlim_cur;
	hard = tg->rlimits[RLIMIT_CPU].rlim_max;
	pthread_mutex_unlock(&tg->lock);
	if (soft >= (uint64_t)INT64_MAX / NS && hard >= (uint64_t)INT64_MAX / NS)
		return 0;
	/* Linux: SIGXCPU at the soft limit and every second past it, SIGKILL at the hard
	 * one. */
	if ((int64_t)(soft * NS) > now)
		return (int64_t)MIN(soft, hard) * NS;
	if (hard < (uint64_t)INT64_MAX / NS)
		return MIN((now / NS + 1) * NS, (int64_t)hard * NS);
	return (now / NS + 1) * NS;
}

void timer_rlimit_cpu_fire(struct ktimer *k, int64_t now)
{
	struct thread_group *tg = k->tg;
	uint64_t soft, hard;
	struct task *target = NULL, *o;

	pthread_mutex_lock(&tg->lock);
	soft = tg->rlimits[RLIMIT_CPU].rlim_cur;
	hard = tg->rlimits[RLIMIT_CPU].rlim_max;
	list_for_each_entry(o, &tg->tasks, tg_node) {
		if (!o->exiting) {
			target = o;
			break;
		}
	}
	pthread_mutex_unlock(&tg->lock);
	k->expires = 0;
	if (!target)
		return;
	if (hard < (uint64_t)INT64_MAX / NS && now >= (int64_t)hard * NS) {
		struct linux_siginfo kill = { .si_signo = SIGKILL, .si_code = SI_KERNEL };

		timer_send(target, &kill, true);
		return;
	}
	if (soft < (uint64_t)INT64_MAX / NS && now >= (int64_t)soft * NS) {
		struct linux_siginfo info = { .si_signo = SIGXCPU, .si_code = SI_KERNEL };

		timer_send(target, &info, true);
	}
	timer_arm(k, rlimit_cpu_next(tg, now), 0);
}

void timer_rlimit_cpu_update(struct task *t, struct thread_group *tg)
{
	struct timer_set *ts;
	struct ktimer *k;

	if (t->tg == tg)
		rusage_sample(t);
	pthread_mutex_lock(&tm.lock);
	ts = timer_set_of(tg);
	if (ts) {
		k = &ts->rlimit_cpu;
		k->cpu = true;
		timer_arm(k, rlimit_cpu_next(tg, timer_now(k)), 0);
	}
	pthread_mutex_unlock(&tm.lock);
}
