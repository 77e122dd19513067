/* The timer thread, its deadline heap and POSIX timers. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "sentry/kernel/rusage.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/kernel/timer_internal.h"

#define NS 1000000000LL

struct timer_state tm = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cpu = LIST_HEAD_INIT(tm.cpu),
};

int64_t timer_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

/* ---- the deadline heap (under tm.lock) ---- */

static void heap_swap(size_t i, size_t j)
{
	struct ktimer *x = tm.heap[i];

	tm.heap[i] = tm.heap[j];
	tm.heap[j] = x;
	tm.heap[i]->heap_idx = (int)i;
	tm.heap[j]->heap_idx = (int)j;
}

static void heap_up(size_t i)
{
	while (i && tm.heap[(i - 1) / 2]->expires > tm.heap[i]->expires) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < tm.n && tm.heap[l]->expires < tm.heap[m]->expires)
			m = l;
		if (r < tm.n && tm.heap[r]->expires < tm.heap[m]->expires)
			m = r;
		if (m == i)
			return;
		heap_swap(i, m);
		i = m;
	}
}

static int heap_push(struct ktimer *k)
{
	if (tm.n == tm.cap) {
		size_t cap = tm.cap ? tm.cap * 2 : 64;
		struct ktimer **h = realloc(tm.heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		tm.heap = h;
		tm.cap = cap;
	}
	tm.heap[tm.n] = k;
	k->heap_idx = (int)tm.n++;
	heap_up(tm.n - 1);
	return 0;
}

static void heap_remove(struct ktimer *k)
{
	size_t i = (size_t)k->heap_idx;

	k->heap_idx = -1;
	if (--tm.n == i)
		return;
	tm.heap[i] = tm.heap[tm.n];
	tm.heap[i]->heap_idx = (int)i;
	heap_down(i);
	heap_up(i);
}

/* ---- arming (under tm.lock) ---- */

/* The clock a CPU timer runs on, now. */
static int64_t cpu_now(struct ktimer *k)
{
	return (int64_t)rusage_tg_cpu_ns(k->tg, k->cpu_virt);
}

int64_t timer_now(struct ktimer *k)
{
	return k->cpu ? cpu_now(k) : timer_mono_ns();
}

void timer_disarm(struct ktimer *k)
{
	if (k->heap_idx >= 0)
		heap_remove(k);
	if (!list_empty(&k->cpu_node)) {
		list_del(&k->cpu_node);
		list_init(&k->cpu_node);
	}
	k->expires = 0;
}

static int thread_start_locked(void);

int timer_arm(struct ktimer *k, int64_t expires, int64_t interval)
{
	int err;

	timer_disarm(k);
	k->interval = interval;
	if (!expires)
		return 0;
	k->expires = expires;
	/* SIGEV_NONE timers never fire: timer_posix_get works their state out. */
	if (k->kind == KTIMER_POSIX && k->notify == SIGEV_NONE)
		return 0;
	err = thread_start_locked();
	if (err)
		return err;
	if (k->cpu)
		list_add_tail(&k->cpu_node, &tm.cpu);
	else if ((err = heap_push(k)) < 0)
		return err;
	pthread_cond_signal(&tm.cv);
	return 0;
}

void timer_remaining(struct ktimer *k, struct ktimer_spec *out)
{
	int64_t left;

	out->interval = k->interval;
	out->value = 0;
	if (!k->expires)
		return;
	left = k->expires - timer_now(k);
	/* Expired but not yet handled by the timer thread: Linux shows 1 ns left too. */
	out->value = left > 0 ? left : 1;
}

/* ---- firing ---- */

/*
 * Sends info to target from the timer thread. A fatal default action marks the group
 * exiting but only kicks the threads other than the target (it assumes the sender is the
 * target): kick the target too, or a guest spinning in user code would never notice.
 */
void timer_send(struct task *target, const struct linux_siginfo *info, bool group)
{
	sig_send_info(target, info, group);
	if (target->exiting)
		task_interrupt(target);
}

/* A task of k's process to signal, or NULL. Caller holds tm.lock (which keeps it alive:
 * see timer_task_exit). */
static struct task *target_of(struct ktimer *k)
{
	struct thread_group *tg = k->tg;
	struct task *o, *found = NULL;

	pthread_mutex_lock(&tg->lock);
	list_for_each_entry(o, &tg->tasks, tg_node) {
		/* An exiting task has passed (or waits at) timer_task_exit: never target it. */
		if (!o->exiting && (!(k->notify & SIGEV_THREAD_ID) || o->tid == k->tid)) {
			found = o;
			break;
		}
	}
	pthread_mutex_unlock(&tg->lock);
	return found;
}

static void fire_signal(struct ktimer *k)
{
	struct linux_siginfo info;
	struct task *target;

	if (k->kind == KTIMER_POSIX && k->notify == SIGEV_NONE)
		return;
	if (k->kind == KTIMER_POSIX && k->queued) {
		if (k->overrun < INT32_MAX)
			k->overrun++;
		return;
	}
	target = target_of(k);
	if (!target)
		return;
	memset(&info, 0, sizeof(info));
	info.si_signo = k->signo;
	if (k->kind == KTIMER_POSIX) {
		info.si_code = SI_TIMER;
		info.timer.tid = k->id;
		info.timer.overrun = k->overrun;
		info.timer.value = k->value;
		k->queued = true;
	} else {
		info.si_code = SI_KERNEL;
	}
	timer_send(target, &info, !(k->notify & SIGEV_THREAD_ID));
}

/* k expired at now: signal and re-arm (or disarm). Caller holds tm.lock; k is off the
 * heap and the CPU list. */
static void fire(struct ktimer *k, int64_t now)
{
	int64_t missed = 0;

	if (k->kind == KTIMER_RLIMIT_CPU) {
		timer_rlimit_cpu_fire(k, now);
		return;
	}
	if (k->kind != KTIMER_FN)
		fire_signal(k);
	if (!k->interval) {
		k->expires = 0;
		if (k->kind == KTIMER_FN)
			k->fn(k, 1);
		return;
	}
	k->expires += k->interval;
	if (k->expires <= now) {
		/* Missed periods count as overruns, and the timer skips ahead. */
		missed = (now - k->expires) / k->interval + 1;
		k->expires += missed * k->interval;
		if (k->kind == KTIMER_POSIX)
			k->overrun = (int)MIN((int64_t)INT32_MAX, k->overrun + missed);
	}
	if (k->kind == KTIMER_FN)
		k->fn(k, (uint64_t)missed + 1);
	timer_arm(k, k->expires, k->interval);
}

static void *timer_thread(void *arg)
{
	struct ktimer *k, *tmp;
	struct timespec ts;
	int64_t now, next;

	(void)arg;
	pthread_mutex_lock(&tm.lock);
	while (!tm.stop) {
		now = timer_mono_ns();
		while (tm.n && tm.heap[0]->expires <= now) {
			k = tm.heap[0];
			heap_remove(k);
			fire(k, now);
		}
		list_for_each_entry_safe(k, tmp, &tm.cpu, cpu_node) {
			int64_t c = cpu_now(k);

			if (c >= k->expires) {
				list_del(&k->cpu_node);
				list_init(&k->cpu_node);
				fire(k, c);
			}
		}
		next = tm.n ? tm.heap[0]->expires : INT64_MAX;
		if (!list_empty(&tm.cpu) && next > now + TIMER_CPU_TICK_NS)
			next = now + TIMER_CPU_TICK_NS;
		if (next == INT64_MAX) {
			pthread_cond_wait(&tm.cv, &tm.lock);
			continue;
		}
		ts.tv_sec = next / NS;
		ts.tv_nsec = next % NS;
		pthread_cond_timedwait(&tm.cv, &tm.lock, &ts);
	}
	pthread_mutex_unlock(&tm.lock);
	return NULL;
}

/* Starts the timer thread on first use. Caller holds tm.lock. */
static int thread_start_locked(void)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	int err;

	if (tm.started)
		return 0;
	if (tm.stop)
		return -ESHUTDOWN;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&tm.cv, &ca);
	pthread_condattr_destroy(&ca);
	/* Like task threads, the timer thread takes no host signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&tm.thread, NULL, timer_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pthread_cond_destroy(&tm.cv);
		return -err;
	}
	tm.started = true;
	return 0;
}

void timer_shutdown(void)
{
	bool join;

	pthread_mutex_lock(&tm.lock);
	tm.stop = true;
	join = tm.started;
	if (join)
		pthread_cond_signal(&tm.cv);
	pthread_mutex_unlock(&tm.lock);
	if (join)
		pthread_join(tm.thread, NULL);
}

/* ---- per-process timer sets ---- */

void timer_init(struct ktimer *k, struct thread_group *tg, enum ktimer_kind kind, int id)
{
	memset(k, 0, sizeof(*k));
	k->tg = tg;
	k->kind = kind;
	k->id = id;
	k->heap_idx = -1;
	list_init(&k->cpu_node);
}

struct timer_set *timer_set_of(struct thread_group *tg)
{
	struct timer_set *ts = tg->timers;

	if (ts)
		return ts;
	ts = calloc(1, sizeof(*ts));
	if (!ts)
		return NULL;
	for (int i = 0; i < 3; i++)
		timer_init(&ts->itimer[i], tg, KTIMER_ITIMER, i);
	timer_init(&ts->rlimit_cpu, tg, KTIMER_RLIMIT_CPU, 0);
	pthread_mutex_lock(&tg->lock);
	tg->timers = ts;
	pthread_mutex_unlock(&tg->lock);
	return ts;
}

static void set_free(struct timer_set *ts)
{
	for (int i = 0; i < TIMER_MAX_PER_PROCESS; i++) {
		if (ts->posix[i]) {
			timer_disarm(ts->posix[i]);
			free(ts->posix[i]);
		}
	}
	for (int i = 0; i < 3; i++)
		timer_disarm(&ts->itimer[i]);
	timer_disarm(&ts->rlimit_cpu);
	free(ts);
}

void timer_task_exit(struct task *t)
{
	struct thread_group *tg = t->tg;
	struct timer_set *ts = NULL;
	struct task *o;
	bool all_exiting = true;

	pthread_mutex_lock(&tm.lock);
	pthread_mutex_lock(&tg->lock);
	/* When every thread is on its way out, the process's timers go now. */
	list_for_each_entry(o, &tg->tasks, tg_node)
		all_exiting = all_exiting && o->exiting;
	if (all_exiting) {
		ts = tg->timers;
		tg->timers = NULL;
	}
	pthread_mutex_unlock(&tg->lock);
	if (ts)
		set_free(ts);
	pthread_mutex_unlock(&tm.lock);
}

void timer_exec(struct task *t)
{
	struct timer_set *ts;

	pthread_mutex_lock(&tm.lock);
	ts = t->tg->timers;
	for (int i = 0; ts && i < TIMER_MAX_PER_PROCESS; i++) {
		if (ts->posix[i]) {
			timer_disarm(ts->posix[i]);
			free(ts->posix[i]);
			ts->posix[i] = NULL;
		}
	}
	pthread_mutex_unlock(&tm.lock);
}

/* ---- POSIX timers ---- */

/* The guest clock's kind for a timer: 0 wall (monotonic deadlines), 1 CPU; -EINVAL. */
static int timer_clock_kind(struct task *t, int clock, bool *virt)
{
	uint64_t ns;

	*virt = false;
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		return 1;
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP; /* readable clocks without timers, as on Linux */
	default:
		if (clock >= 0 || rusage_cpu_clock(t, clock, &ns))
			return -EINVAL;
		*virt = (clock & 3) == 1; /* CPUCLOCK_VIRT */
		return 1;
	}
}

static struct ktimer *posix_find(struct task *t, int id)
{
	struct timer_set *ts = t->tg->timers;

	if (!ts || id < 0 || id >= TIMER_MAX_PER_PROCESS)
		return NULL;
	return ts->posix[id];
}

int timer_posix_create(struct task *t, int clock, bool has_sev, int notify, int signo, int tid,
		       int64_t value, int *id)
{
	struct timer_set *ts;
	struct ktimer *k;
	bool virt;
	int kind = timer_clock_kind(t, clock, &virt), slot = -1;

	if (kind < 0)
		return kind;
	if (!has_sev) {
		notify = SIGEV_SIGNAL;
		signo = SIGALRM;
	}
	switch (notify) {
	case SIGEV_SIGNAL | SIGEV_THREAD_ID:
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:
		if (signo <= 0 || signo > LINUX_NSIG)
			return -EINVAL;
		break;
	case SIGEV_NONE:
		break;
	default:
		return -EINVAL;
	}
	if (notify & SIGEV_THREAD_ID) {
		struct task *o;
		bool ok;

		pthread_mutex_lock(&t->k->lock);
		o = kernel_find_task(t->k, tid);
		ok = o && o->tg == t->tg;
		pthread_mutex_unlock(&t->k->lock);
		if (!ok)
			return -EINVAL;
	}
	if (kind == 1)
		rusage_sample(t);
	k = malloc(sizeof(*k));
	if (!k)
		return -ENOMEM;
	pthread_mutex_lock(&tm.lock);
	ts = timer_set_of(t->tg);
	if (!ts) {
		pthread_mutex_unlock(&tm.lock);
		free(k);
		return -ENOMEM;
	}
	/* Ids count up and wrap, like Linux's per-process allocator. */
	for (int n = 0; n < TIMER_MAX_PER_PROCESS; n++) {
		int i = (ts->next_id + n) % TIMER_MAX_PER_PROCESS;

		if (!ts->posix[i]) {
			slot = i;
			break;
		}
	}
	if (slot < 0) {
		pthread_mutex_unlock(&tm.lock);
		free(k);
		return -EAGAIN;
	}
	ts->next_id = slot + 1;
	timer_init(k, t->tg, KTIMER_POSIX, slot);
	k->clock = clock;
	k->cpu = kind == 1;
	k->cpu_virt = virt;
	k->notify = notify == SIGEV_THREAD ? SIGEV_SIGNAL : notify;
	k->signo = signo;
	k->tid = tid;
	k->value = has_sev ? value : slot;
	ts->posix[slot] = k;
	pthread_mutex_unlock(&tm.lock);
	*id = slot;
	return 0;
}

/* For a SIGEV_NONE timer, which the thread never fires: move it past now. */
static void none_catch_up(struct ktimer *k)
{
	int64_t now;

	if (k->notify != SIGEV_NONE || !k->expires)
		return;
	now = timer_now(k);
	if (k->expires > now)
		return;
	if (!k->interval) {
		k->expires = 0;
		return;
	}
	int64_t missed = (now - k->expires) / k->interval + 1;

	k->expires += missed * k->interval;
	k->overrun = (int)MIN((int64_t)INT32_MAX, k->overrun + missed - 1);
}

int timer_posix_set(struct task *t, int id, bool abs, const struct ktimer_spec *nv,
		    struct ktimer_spec *old)
{
	struct ktimer *k;
	int64_t expires = 0;
	int err;

	pthread_mutex_lock(&tm.lock);
	k = posix_find(t, id);
	if (!k) {
		pthread_mutex_unlock(&tm.lock);
		return -EINVAL;
	}
	none_catch_up(k);
	timer_remaining(k, old);
	if (nv->value) {
		if (!abs) {
			expires = timer_now(k) + nv->value;
		} else if (k->clock == CLOCK_REALTIME || k->clock == CLOCK_TAI ||
			   k->clock == CLOCK_REALTIME_ALARM) {
			struct timespec rt;

			/* An absolute wall time becomes a monotonic deadline now. */
			clock_gettime(k->clock == CLOCK_TAI ? CLOCK_TAI : CLOCK_REALTIME, &rt);
			expires = timer_mono_ns() + (nv->value - (rt.tv_sec * NS + rt.tv_nsec));
		} else {
			expires = nv->value;
		}
		if (expires <= 0)
			expires = 1;
	}
	/* A new setting starts a fresh overrun count and may queue a signal again. */
	k->overrun = 0;
	k->queued = false;
	err = timer_arm(k, expires, nv->interval);
	pthread_mutex_unlock(&tm.lock);
	return err;
}

int timer_posix_get(struct task *t, int id, struct ktimer_spec *cur)
{
	struct ktimer *k;

	pthread_mutex_lock(&tm.lock);
	k = posix_find(t, id);
	if (k) {
		none_catch_up(k);
		timer_remaining(k, cur);
	}
	pthread_mutex_unlock(&tm.lock);
	return k ? 0 : -EINVAL;
}

int timer_posix_getoverrun(struct task *t, int id)
{
	struct ktimer *k;
	int ret = -EINVAL;

	pthread_mutex_lock(&tm.lock);
	k = posix_find(t, id);
	if (k)
		ret = k->overrun_last;
	pthread_mutex_unlock(&tm.lock);
	return ret;
}

int timer_posix_delete(struct task *t, int id)
{
	struct ktimer *k;

	pthread_mutex_lock(&tm.lock);
	k = posix_find(t, id);
	if (k) {
		timer_disarm(k);
		t->tg->timers->posix[id] = NULL;
	}
	pthread_mutex_unlock(&tm.lock);
	free(k);
	return k ? 0 : -EINVAL;
}

int timer_signal_delivered(struct task *t, int id)
{
	struct ktimer *k;
	int overrun = 0;

	pthread_mutex_lock(&tm.lock);
	k = posix_find(t, id);
	if (k) {
		k->overrun_last = k->overrun;
		overrun = k->overrun;
		k->overrun = 0;
		k->queued = false;
	}
	pthread_mutex_unlock(&tm.lock);
	return overrun;
}
