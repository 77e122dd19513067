/*
 * procfs's view of the kernel: snapshots of one task (taken under the kernel's locks in
 * their documented order, with references on the mm, fd table and fs view that outlive
 * the locks), and the sandbox-wide pid lists and counters.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/rusage.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/procfs/procfs_internal.h"

struct kernel *procfs_kernel;

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
}

uint64_t procfs_uptime_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ts_ns(&now) - ts_ns(&procfs_kernel->boot_time);
}

int procfs_current_tgid(void)
{
	struct task *t = task_current();

	return t ? t->tg->tgid : 0;
}

int procfs_current_tid(void)
{
	struct task *t = task_current();

	return t ? t->tid : 0;
}

/* The task (tgid, tid) names, or NULL. k->lock held. */
static struct task *find_locked(struct kernel *k, int64_t tgid, int64_t tid)
{
	struct task *t;

	if (tgid <= 0 || tgid >= KERNEL_MAX_PID || tid < 0 || tid >= KERNEL_MAX_PID)
		return NULL;
	t = kernel_find_task(k, (int)(tid ? tid : tgid));
	if (!t || t->tg->tgid != tgid || t->tg->reaped)
		return NULL;
	if (!tid && t != t->tg->leader)
		return NULL;
	return t;
}

/* The task whose mm, files and fs stand for its process: the leader, or once the
 * leader has exited, another live thread. k->lock held. */
static struct task *resources_task(struct task *t, bool whole)
{
	struct thread_group *tg = t->tg;
	struct task *o, *found = t;

	if (!whole || !t->zombie)
		return t;
	pthread_mutex_lock(&tg->lock);
	list_for_each_entry(o, &tg->tasks, tg_node) {
		found = o;
		break;
	}
	pthread_mutex_unlock(&tg->lock);
	return found;
}

static char task_state(struct task *t, bool whole)
{
	char s = 'R';

	if (t->tg->zombie || (t->zombie && !whole))
		return 'Z';
	if (__atomic_load_n(&t->tg->sig.stopped, __ATOMIC_ACQUIRE))
		return 'T';
	pthread_mutex_lock(&t->lock);
	if (t->block_cv)
		s = 'S';
	pthread_mutex_unlock(&t->lock);
	return s;
}

static void snap_signals(struct task *t, struct procfs_task *out)
{
	struct thread_group *tg = t->tg;
	struct sighand *sh = tg->sighand;

	pthread_mutex_lock(&sh->lock);
	out->sig_pending = t->sig.pending.set;
	out->sig_shpending = tg->sig.pending.set;
	out->sig_blocked = t->sigmask;
	out->sig_queued = tg->sig.nqueued;
	for (int i = 0; i < LINUX_NSIG; i++) {
		uint64_t h = sh->action[i].handler;

		if (h == (uint64_t)(uintptr_t)SIG_IGN)
			out->sig_ignored |= 1ULL << i;
		else if (h != (uint64_t)(uintptr_t)SIG_DFL)
			out->sig_caught |= 1ULL << i;
	}
	pthread_mutex_unlock(&sh->lock);
}

static void snap_tg(struct task *t, struct procfs_task *out)
{
	struct thread_group *tg = t->tg;

	pthread_mutex_lock(&tg->lock);
	memcpy(out->rlimits, tg->rlimits, sizeof(out->rlimits));
	out->nthreads = tg->ntasks > 0 ? tg->ntasks : 1;
	out->utime_ns = tg->utime_base_ns + tg->utime_seen_ns;
	out->stime_ns = tg->dead_stime_ns;
	out->cutime_ns = tg->cutime_ns;
	out->cstime_ns = tg->cstime_ns;
	pthread_mutex_unlock(&tg->lock);
}

int procfs_task_get(int64_t tgid, int64_t tid, unsigned want, struct procfs_task *out)
{
	struct kernel *k = procfs_kernel;
	struct task *t, *r;
	bool whole = tid == 0;

	memset(out, 0, sizeof(*out));
	if (!k)
		return -ESRCH;
	pthread_mutex_lock(&k->lock);
	t = find_locked(k, tgid, tid);
	if (!t) {
		pthread_mutex_unlock(&k->lock);
		return -ESRCH;
	}
	out->tid = t->tid;
	out->tgid = t->tg->tgid;
	out->ppid = t->tg->parent ? t->tg->parent->tgid : 0;
	out->pgid = t->tg->pgid;
	out->sid = t->tg->sid;
	out->group_dead = t->tg->zombie;
	out->dumpable = t->tg->dumpable;
	out->exit_signal = t->tg->exit_signal;
	out->start_ns = ts_ns(&t->start_time) - ts_ns(&k->boot_time);
	if (ts_ns(&t->start_time) < ts_ns(&k->boot_time))
		out->start_ns = 0;
	out->cred = t->cred;
	cred_get(out->cred);
	snap_tg(t, out);
	snap_signals(t, out);
	out->state = task_state(t, whole);
	r = resources_task(t, whole);
	pthread_mutex_lock(&t->lock);
	memcpy(out->comm, t->comm, sizeof(out->comm));
	out->comm[sizeof(out->comm) - 1] = '\0';
	out->nice = t->sched.nice;
	out->policy = t->sched.policy;
	out->rt_prio = t->sched.prio;
	out->affinity = t->sched.affinity;
	out->no_new_privs = t->no_new_privs;
	pthread_mutex_unlock(&t->lock);
	pthread_mutex_lock(&r->lock);
	if ((want & PROCFS_WANT_MM) && r->mm) {
		out->mm = r->mm;
		mm_get(out->mm);
	}
	if ((want & PROCFS_WANT_FDT) && r->fdt) {
		out->fdt = r->fdt;
		fdt_get_ref(out->fdt);
	}
	if (r->fs) {
		out->umask = __atomic_load_n(&r->fs->umask, __ATOMIC_RELAXED);
		if (want & PROCFS_WANT_FS) {
			out->fs = r->fs;
			ref_get(&out->fs->ref);
		}
	}
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&k->lock);
	if (t == task_current()) {
		/* The reader's own clocks can be read now (others' are as last sampled). */
		struct rusage_times rt;

		if (whole)
			rusage_tg(t, &rt);
		else
			rusage_thread(t, &rt);
		out->utime_ns = rt.utime_ns;
		out->stime_ns = rt.stime_ns;
	}
	return 0;
}

void procfs_task_put(struct procfs_task *pt)
{
	if (pt->cred)
		cred_put(pt->cred);
	if (pt->mm)
		mm_put(pt->mm);
	if (pt->fdt)
		fdt_put(pt->fdt);
	if (pt->fs)
		fs_view_put(pt->fs);
	memset(pt, 0, sizeof(*pt));
}

int procfs_inode_task(struct inode *inode, unsigned want, struct procfs_task *out)
{
	struct synth_inode *si = synth_i(inode);

	return procfs_task_get(si->id[0], si->id[1], want, out);
}

#define CAP_SYS_PTRACE 19

int procfs_may_access(const struct procfs_task *pt)
{
	struct task *t = task_current();
	const struct cred *c, *o = pt->cred;
	bool same;

	if (!t || t->tg->tgid == pt->tgid)
		return 0;
	c = t->cred; /* the caller's own: only it replaces it */
	if (cred_capable(c, CAP_SYS_PTRACE))
		return 0;
	same = c->uid == o->uid && c->uid == o->euid && c->uid == o->suid && c->gid == o->gid &&
	       c->gid == o->egid && c->gid == o->sgid;
	return same && pt->dumpable ? 0 : -EACCES;
}

void procfs_set_owner(struct inode *inode, const struct procfs_task *pt)
{
	inode->uid = pt->cred->euid;
	inode->gid = pt->cred->egid;
}

void procfs_kstats(struct procfs_kstats *out)
{
	struct kernel *k = procfs_kernel;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&k->lock);
	for (int i = 1; i < KERNEL_MAX_PID; i++) {
		struct task *t = k->pid_table[i];

		if (!t || t->tg->reaped)
			continue;
		if (t->tg->tgid == i) {
			out->nprocs++;
			pthread_mutex_lock(&t->tg->lock);
			out->utime_ns += t->tg->utime_base_ns + t->tg->utime_seen_ns;
			out->stime_ns += t->tg->dead_stime_ns;
			pthread_mutex_unlock(&t->tg->lock);
		}
		if (!t->zombie)
			out->nthreads++;
	}
	out->last_pid = k->last_pid;
	pthread_mutex_unlock(&k->lock);
	out->nrunning = 1; /* the reader itself; the host schedules the rest */
}

int procfs_list_tgids(int **out, int *n)
{
	struct kernel *k = procfs_kernel;
	int cap = 64, cnt = 0;
	int *v = malloc(sizeof(*v) * (size_t)cap);

	if (!v)
		return -ENOMEM;
	pthread_mutex_lock(&k->lock);
	for (int i = 1; i < KERNEL_MAX_PID; i++) {
		struct task *t = k->pid_table[i];

		if (!t || t->tg->tgid != i || t->tg->reaped)
			continue;
		if (cnt == cap) {
			int *nv = realloc(v, sizeof(*v) * (size_t)cap * 2);

			if (!nv) {
				pthread_mutex_unlock(&k->lock);
				free(v);
				return -ENOMEM;
			}
			v = nv;
			cap *= 2;
		}
		v[cnt++] = i;
	}
	pthread_mutex_unlock(&k->lock);
	*out = v;
	*n = cnt;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int procfs_list_tids(int64_t tgid, int **out, int *n)
{
	struct kernel *k = procfs_kernel;
	struct thread_group *tg;
	struct task *t, *o;
	int *v, cnt = 0;

	pthread_mutex_lock(&k->lock);
	t = find_locked(k, tgid, 0);
	if (!t) {
		pthread_mutex_unlock(&k->lock);
		return -ESRCH;
	}
	tg = t->tg;
	pthread_mutex_lock(&tg->lock);
	v = malloc(sizeof(*v) * (size_t)(tg->ntasks + 1));
	if (v) {
		if (t->zombie)
			v[cnt++] = t->tid; /* an exited leader still shows, as Linux's does */
		list_for_each_entry(o, &tg->tasks, tg_node)
			v[cnt++] = o->tid;
	}
	pthread_mutex_unlock(&tg->lock);
	pthread_mutex_unlock(&k->lock);
	if (!v)
		return -ENOMEM;
	qsort(v, (size_t)cnt, sizeof(*v), cmp_int);
	*out = v;
	*n = cnt;
	return 0;
}

int procfs_task_set_comm(int64_t tgid, int64_t tid, const char *name)
{
	struct kernel *k = procfs_kernel;
	struct task *t;

	pthread_mutex_lock(&k->lock);
	t = find_locked(k, tgid, tid);
	if (t) {
		pthread_mutex_lock(&t->lock);
		memset(t->comm, 0, sizeof(t->comm));
		strncpy(t->comm, name, sizeof(t->comm) - 1);
		pthread_mutex_unlock(&t->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return t ? 0 : -ESRCH;
}

int procfs_task_oom_adj(int64_t tgid, int *get, const int *set)
{
	struct kernel *k = procfs_kernel;
	struct task *t;

	pthread_mutex_lock(&k->lock);
	t = find_locked(k, tgid, 0);
	if (t) {
		pthread_mutex_lock(&t->tg->lock);
		if (set)
			t->tg->oom_score_adj = *set;
		if (get)
			*get = t->tg->oom_score_adj;
		pthread_mutex_unlock(&t->tg->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return t ? 0 : -ESRCH;
}
