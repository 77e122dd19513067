/* Scheduling syscalls: policies and priorities, nice values, CPU affinity. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#include "sentry/kernel/sched.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/syscalls.h"

#define CPUMASK_BYTES 8 /* the sandbox shows at most 64 CPUs: one long of mask */
#define RR_TIMESLICE_NS 100000000 /* Linux's sched_rr_timeslice_ms default */
#define CFS_SLICE_NS 4000000 /* roughly what CFS reports for a lone task */

/* The task pid names (0 = t), or NULL. Caller holds t->k->lock, which keeps it alive. */
static struct task *sched_find(struct task *t, int pid)
{
	return pid ? kernel_find_task(t->k, pid) : t;
}

static long set_policy(struct task *t, int pid, int policy, uaddr_t param)
{
	struct task *o;
	int prio;
	long ret;

	if (!param || pid < 0)
		return -EINVAL;
	if (task_copy_in(t, param, &prio, sizeof(prio)))
		return -EFAULT;
	pthread_mutex_lock(&t->k->lock);
	o = sched_find(t, pid);
	ret = o ? sched_set_policy(t, o, policy, prio) : -ESRCH;
	pthread_mutex_unlock(&t->k->lock);
	return ret;
}

/* sched_setscheduler(2): 0 or -EINVAL/-EFAULT/-ESRCH/-EPERM. */
long sys_sched_setscheduler(struct task *t, const struct sysargs *a)
{
	int policy = sysarg_int(a, 1);

	if (policy < 0)
		return -EINVAL;
	return set_policy(t, sysarg_int(a, 0), policy, sysarg_addr(a, 2));
}

/* sched_setparam(2): the priority alone, keeping the policy. */
long sys_sched_setparam(struct task *t, const struct sysargs *a)
{
	return set_policy(t, sysarg_int(a, 0), -1, sysarg_addr(a, 1));
}

/* sched_getscheduler(2): the policy, or -EINVAL/-ESRCH. */
/* A copy of pid's scheduling fields (0: the caller's). 0 or -ESRCH. */
static int sched_snapshot(struct task *t, int pid, struct task_sched *out)
{
	struct task *o;

	pthread_mutex_lock(&t->k->lock);
	o = sched_find(t, pid);
	if (o) {
		pthread_mutex_lock(&o->lock);
		*out = o->sched;
		pthread_mutex_unlock(&o->lock);
	}
	pthread_mutex_unlock(&t->k->lock);
	return o ? 0 : -ESRCH;
}

long sys_sched_getscheduler(struct task *t, const struct sysargs *a)
{
	int pid = sysarg_int(a, 0);
	struct task_sched ts;
	int err;

	if (pid < 0)
		return -EINVAL;
	err = sched_snapshot(t, pid, &ts);
	return err ? err : ts.policy;
}

/* sched_getparam(2): copies out the rt priority. */
long sys_sched_getparam(struct task *t, const struct sysargs *a)
{
	int pid = sysarg_int(a, 0);
	uaddr_t param = sysarg_addr(a, 1);
	struct task_sched ts;
	int err;

	if (!param || pid < 0)
		return -EINVAL;
	err = sched_snapshot(t, pid, &ts);
	if (err)
		return err;
	return task_copy_out(t, param, &ts.prio, sizeof(ts.prio));
}

long sys_sched_get_priority_max(struct task *t, const struct sysargs *a)
{
	switch (sysarg_int(a, 0)) {
	case SCHED_FIFO:
	case SCHED_RR:
		return SCHED_PRIO_MAX;
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
	case 6: /* SCHED_DEADLINE */
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_sched_get_priority_min(struct task *t, const struct sysargs *a)
{
	long max = sys_sched_get_priority_max(t, a);

	return max > 0 ? 1 : max;
}

/* sched_rr_get_interval(2): RR's timeslice, 0 for FIFO, a CFS-like slice otherwise. */
long sys_sched_rr_get_interval(struct task *t, const struct sysargs *a)
{
	int pid = sysarg_int(a, 0), policy, err;
	struct linux_timespec ts = { 0, 0 };
	struct task_sched snap;

	if (pid < 0)
		return -EINVAL;
	err = sched_snapshot(t, pid, &snap);
	if (err)
		return err;
	policy = snap.policy;
	if (policy == SCHED_RR)
		ts.tv_nsec = RR_TIMESLICE_NS;
	else if (policy != SCHED_FIFO)
		ts.tv_nsec = CFS_SLICE_NS;
	return task_copy_out(t, sysarg_addr(a, 1), &ts, sizeof(ts));
}

/* sched_setaffinity(2): stores the mask, limited to the sandbox's CPUs. */
long sys_sched_setaffinity(struct task *t, const struct sysargs *a)
{
	int pid = sysarg_int(a, 0);
	uint64_t len = sysarg_size(a, 1), mask = 0;
	struct task *o;
	long ret = 0;

	/* Linux reads min(len, its mask size) bytes and treats the rest as zero. */
	if (len && task_copy_in(t, sysarg_addr(a, 2), &mask, MIN(len, (uint64_t)CPUMASK_BYTES)))
		return -EFAULT;
	if (len < CPUMASK_BYTES)
		mask &= len ? (1ULL << (len * 8)) - 1 : 0;
	pthread_mutex_lock(&t->k->lock);
	o = sched_find(t, pid);
	if (!o)
		ret = -ESRCH;
	else if (!sched_may_change(t, o))
		ret = -EPERM;
	else if (!(mask & sched_cpus()))
		ret = -EINVAL;
	if (!ret) {
		pthread_mutex_lock(&o->lock);
		o->sched.affinity = mask & sched_cpus();
		pthread_mutex_unlock(&o->lock);
	}
	pthread_mutex_unlock(&t->k->lock);
	return ret;
}

/* sched_getaffinity(2): the mask's size in bytes (one long), or -errno. */
long sys_sched_getaffinity(struct task *t, const struct sysargs *a)
{
	int pid = sysarg_int(a, 0);
	uint64_t len = sysarg_size(a, 1), mask = 0;
	int hibit = 63 - __builtin_clzll(sched_cpus());
	struct task *o;

	/* EINVAL when the buffer can't hold the highest CPU or isn't whole longs. */
	if (len * 8 <= (uint64_t)hibit || (len & 7))
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	o = sched_find(t, pid);
	if (o)
		mask = sched_affinity(o);
	pthread_mutex_unlock(&t->k->lock);
	if (!o)
		return -ESRCH;
	return task_copy_out(t, sysarg_addr(a, 2), &mask, CPUMASK_BYTES) ?: CPUMASK_BYTES;
}

/* Calls fn for every task getpriority/setpriority's (which, who) selects, under k->lock;
 * stops at the first error. The count of tasks seen or -errno (ESRCH: none). */
static long prio_each(struct task *t, int which, int who,
		      long (*fn)(struct task *t, struct task *o, void *arg), void *arg)
{
	struct kernel *k = t->k;
	long n = 0, ret = 0;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	if (which == PRIO_PROCESS) {
		struct task *o = sched_find(t, who);

		if (o) {
			ret = fn(t, o, arg);
			n = 1;
		}
	} else {
		int pgid = who ? who : t->tg->pgid;
		uint32_t uid = who ? (uint32_t)who : t->cred->uid;

		for (int pid = 1; pid < KERNEL_MAX_PID && ret >= 0; pid++) {
			struct task *o = k->pid_table[pid];

			if (!o || o->tid != pid)
				continue;
			if (which == PRIO_PGRP ? o->tg->pgid != pgid : o->cred->uid != uid)
				continue;
			ret = fn(t, o, arg);
			n++;
		}
	}
	pthread_mutex_unlock(&k->lock);
	if (ret < 0)
		return ret;
	return n ? n : -ESRCH;
}

static long prio_get_one(struct task *t, struct task *o, void *arg)
{
	int *best = arg;

	pthread_mutex_lock(&o->lock);
	if (20 - o->sched.nice > *best)
		*best = 20 - o->sched.nice;
	pthread_mutex_unlock(&o->lock);
	return 0;
}

static long prio_set_one(struct task *t, struct task *o, void *arg)
{
	return sched_set_nice(t, o, *(int *)arg);
}

/* getpriority(2): 20 - the lowest nice value among the selected tasks (so never < 0). */
long sys_getpriority(struct task *t, const struct sysargs *a)
{
	int best = 0;
	long ret = prio_each(t, sysarg_int(a, 0), sysarg_int(a, 1), prio_get_one, &best);

	return ret < 0 ? ret : best;
}

/* setpriority(2): sets the nice value of every selected task. */
long sys_setpriority(struct task *t, const struct sysargs *a)
{
	int nice = sysarg_int(a, 2);
	long ret = prio_each(t, sysarg_int(a, 0), sysarg_int(a, 1), prio_set_one, &nice);

	return ret < 0 ? ret : 0;
}
