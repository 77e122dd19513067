/* CPU time accounting: address-space clocks for user time, task threads for system time. */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "sentry/kernel/rusage.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

#define CPUCLOCK_PERTHREAD 4
#define CPUCLOCK_WHICH(id) ((id)&3)
#define CPUCLOCK_PROF 0
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
}

/* CPU time of a live task thread of the sentry. */
static uint64_t thread_ns(pthread_t th)
{
	struct timespec ts;
	clockid_t c;

	if (pthread_getcpuclockid(th, &c) || clock_gettime(c, &ts))
		return 0;
	return ts_ns(&ts);
}

/* Brings tg->utime_seen_ns up to its address space's clock. Caller holds tg->lock. */
static void sample_clock(struct thread_group *tg)
{
	struct timespec ts;

	if (tg->acct_clock && clock_gettime(tg->acct_clock, &ts) == 0 &&
	    ts_ns(&ts) > tg->utime_seen_ns)
		tg->utime_seen_ns = ts_ns(&ts);
}

/* Learns mm's clock (mm is the caller's, so alive) and samples it and the RSS. Caller
 * holds tg->lock. */
static void sample_as(struct thread_group *tg, struct mm *mm)
{
	uint64_t kb;
	int clk;

	if (!mm)
		return;
	if (plat_as_cpu_clock(mm_plat_as(mm), &clk) == 0)
		tg->acct_clock = clk;
	sample_clock(tg);
	kb = mm_rss_pages(mm) * (PAGE_SIZE / 1024);
	if (kb > tg->maxrss_kb)
		tg->maxrss_kb = kb;
}

uint64_t rusage_tg_cpu_ns(struct thread_group *tg, bool user_only)
{
	uint64_t ns;

	pthread_mutex_lock(&tg->lock);
	sample_clock(tg);
	ns = tg->utime_base_ns + tg->utime_seen_ns + (user_only ? 0 : tg->dead_stime_ns);
	pthread_mutex_unlock(&tg->lock);
	return ns;
}

void rusage_tg(struct task *t, struct rusage_times *out)
{
	struct thread_group *tg = t->tg;
	uint64_t stime;

	/* Other live threads' sentry time is left out: their pthread_t may not be set yet
	 * (a task is listed before task_start) and a wrong one would crash the sentry. It
	 * joins the total when they exit. */
	pthread_mutex_lock(&tg->lock);
	stime = tg->dead_stime_ns + thread_ns(pthread_self());
	sample_as(tg, t->mm);
	out->utime_ns = tg->utime_base_ns + tg->utime_seen_ns;
	out->stime_ns = stime;
	out->maxrss_kb = tg->maxrss_kb;
	pthread_mutex_unlock(&tg->lock);
}

void rusage_thread(struct task *t, struct rusage_times *out)
{
	rusage_tg(t, out);
	/* User time: the process's (see rusage.h); system time: this thread's own. */
	out->stime_ns = thread_ns(pthread_self());
}

void rusage_children(struct task *t, struct rusage_times *out)
{
	struct thread_group *tg = t->tg;

	pthread_mutex_lock(&tg->lock);
	out->utime_ns = tg->cutime_ns;
	out->stime_ns = tg->cstime_ns;
	out->maxrss_kb = tg->cmaxrss_kb;
	pthread_mutex_unlock(&tg->lock);
}

int rusage_cpu_clock(struct task *t, int id, uint64_t *ns)
{
	struct rusage_times r;
	struct task *o = t;
	int which = CPUCLOCK_SCHED;
	bool thread = id == 3;

	if (id < 0) {
		int pid = ~(id >> 3);

		which = CPUCLOCK_WHICH(id);
		thread = id & CPUCLOCK_PERTHREAD;
		if (which == 3)
			return -EINVAL;
		if (pid) {
			pthread_mutex_lock(&t->k->lock);
			o = kernel_find_task(t->k, pid);
			/* A thread clock names a thread of our own process, a process clock a
			 * process (its tgid), as Linux requires. */
			if (o && (thread ? o->tg != t->tg : o->tg->tgid != pid))
				o = NULL;
			pthread_mutex_unlock(&t->k->lock);
			if (!o)
				return -EINVAL;
			if (o->tg != t->tg) {
				/* Another process: read it under its lock, as a snapshot. */
				pthread_mutex_lock(&o->tg->lock);
				r.utime_ns = o->tg->utime_base_ns + o->tg->utime_seen_ns;
				r.stime_ns = o->tg->dead_stime_ns;
				pthread_mutex_unlock(&o->tg->lock);
				goto out;
			}
		}
	} else if (id != 2 && id != 3) {
		return -EINVAL;
	}
	if (thread && o == t)
		rusage_thread(t, &r);
	else
		rusage_tg(t, &r);
out:
	*ns = which == CPUCLOCK_VIRT ? r.utime_ns : r.utime_ns + r.stime_ns;
	return 0;
}

void rusage_task_exit(struct task *t)
{
	struct thread_group *tg = t->tg;
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	pthread_mutex_lock(&tg->lock);
	tg->dead_stime_ns += ts_ns(&ts);
	/* Each exiting thread samples the clock: the last sample, taken while the address
	 * space still lives, covers the whole process. */
	sample_as(tg, t->mm);
	pthread_mutex_unlock(&tg->lock);
}

void rusage_exec(struct task *t, struct mm *old)
{
	struct thread_group *tg = t->tg;

	pthread_mutex_lock(&tg->lock);
	sample_as(tg, old);
	tg->utime_base_ns += tg->utime_seen_ns;
	tg->utime_seen_ns = 0;
	tg->acct_clock = 0;
	if (t->mm != old)
		sample_as(tg, t->mm);
	pthread_mutex_unlock(&tg->lock);
}

void rusage_dead(struct thread_group *child, struct rusage_times *out)
{
	pthread_mutex_lock(&child->lock);
	out->utime_ns = child->utime_base_ns + child->utime_seen_ns;
	out->stime_ns = child->dead_stime_ns;
	out->maxrss_kb = child->maxrss_kb;
	pthread_mutex_unlock(&child->lock);
}

void rusage_reap_child(struct thread_group *parent, struct thread_group *child)
{
	uint64_t u, s, c_u, c_s, rss, c_rss;

	pthread_mutex_lock(&child->lock);
	u = child->utime_base_ns + child->utime_seen_ns;
	s = child->dead_stime_ns;
	c_u = child->cutime_ns;
	c_s = child->cstime_ns;
	rss = child->maxrss_kb;
	c_rss = child->cmaxrss_kb;
	pthread_mutex_unlock(&child->lock);
	pthread_mutex_lock(&parent->lock);
	parent->cutime_ns += u + c_u;
	parent->cstime_ns += s + c_s;
	if (rss > parent->cmaxrss_kb)
		parent->cmaxrss_kb = rss;
	if (c_rss > parent->cmaxrss_kb)
		parent->cmaxrss_kb = c_rss;
	pthread_mutex_unlock(&parent->lock);
}

void rusage_sample(struct task *t)
{
	pthread_mutex_lock(&t->tg->lock);
	sample_as(t->tg, t->mm);
	pthread_mutex_unlock(&t->tg->lock);
}
