/* The scheduling view: recorded policies, priorities, nice values and affinities. */
#include <errno.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sentry/kernel/sched.h"
#include "sentry/kernel/task.h"

#define CAP_SYS_NICE 23

static uint64_t cpus_mask;
static pthread_once_t cpus_once = PTHREAD_ONCE_INIT;

/* Task threads get pinned by the platform, so ask for the main thread's (the process's)
 * affinity: that is what the sandbox was given. */
static void cpus_init(void)
{
	cpu_set_t set;

	if (sched_getaffinity(getpid(), sizeof(set), &set) == 0) {
		for (int i = 0; i < 64; i++)
			if (CPU_ISSET(i, &set))
				cpus_mask |= 1ULL << i;
	}
	if (!cpus_mask)
		cpus_mask = 1;
}

uint64_t sched_cpus(void)
{
	pthread_once(&cpus_once, cpus_init);
	return cpus_mask;
}

uint64_t sched_affinity(struct task *t)
{
	uint64_t m;

	pthread_mutex_lock(&t->lock);
	m = t->sched.affinity & sched_cpus();
	pthread_mutex_unlock(&t->lock);
	return m ? m : sched_cpus();
}

static bool has_cap_nice(struct task *t)
{
	return t->cred->cap_effective & (1ULL << CAP_SYS_NICE);
}

bool sched_may_change(struct task *caller, struct task *t)
{
	const struct cred *c = caller->cred, *o = t->cred;

	return has_cap_nice(caller) || c->euid == o->uid || c->euid == o->euid;
}

static bool policy_valid(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_FIFO || policy == SCHED_RR ||
	       policy == SCHED_BATCH || policy == SCHED_IDLE;
}

int sched_set_policy(struct task *caller, struct task *t, int policy, int prio)
{
	bool rt;

	if (policy < 0) {
		pthread_mutex_lock(&t->lock);
		policy = t->sched.policy;
		pthread_mutex_unlock(&t->lock);
	}
	policy &= ~SCHED_RESET_ON_FORK_FLAG;
	if (!policy_valid(policy))
		return -EINVAL;
	rt = policy == SCHED_FIFO || policy == SCHED_RR;
	if (prio < 0 || prio > SCHED_PRIO_MAX || rt != (prio != 0))
		return -EINVAL;
	if (!sched_may_change(caller, t))
		return -EPERM;
	if (rt && !has_cap_nice(caller)) {
		/* Without the capability, RLIMIT_RTPRIO says how high an unprivileged task
		 * may go (Linux's rule, minus the "may lower it" nuance). */
		uint64_t lim = caller->tg->rlimits[RLIMIT_RTPRIO].rlim_cur;

		if ((uint64_t)prio > lim)
			return -EPERM;
	}
	pthread_mutex_lock(&t->lock);
	t->sched.policy = policy;
	t->sched.prio = prio;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

int sched_set_nice(struct task *caller, struct task *t, int nice)
{
	int cur;

	if (nice < SCHED_NICE_MIN)
		nice = SCHED_NICE_MIN;
	if (nice > SCHED_NICE_MAX)
		nice = SCHED_NICE_MAX;
	if (!sched_may_change(caller, t))
		return -EPERM;
	pthread_mutex_lock(&t->lock);
	cur = t->sched.nice;
	/* RLIMIT_NICE allows down to 20 - rlim_cur without the capability. */
	if (nice < cur && !has_cap_nice(caller) &&
	    (uint64_t)(20 - nice) > caller->tg->rlimits[RLIMIT_NICE].rlim_cur) {
		pthread_mutex_unlock(&t->lock);
		return -EACCES;
	}
	t->sched.nice = nice;
	pthread_mutex_unlock(&t->lock);
	return 0;
}
