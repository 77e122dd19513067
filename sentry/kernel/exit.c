/* exit: the end of a task, zombies, reparenting, SIGCHLD, reaping, and init's death. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>

#include "common/log.h"
#include "common/waitq.h"
#include "sentry/ipc/ipc.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/rusage.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"

/* How long init's death waits for the other tasks to go before the sandbox ends. */
#define INIT_DRAIN_SECS 5

/* Frees an exited task; its signal queues are already released (they count against its
 * group, which may be gone by now). */
static void task_free(struct task *t)
{
	cred_put(t->cred);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* The new parent of dying tg's children: the nearest live subreaper ancestor, else init. */
static struct thread_group *find_reaper(struct kernel *k, struct thread_group *tg)
{
	for (struct thread_group *a = tg->parent; a; a = a->parent)
		if (a->child_subreaper && !a->exiting && !a->zombie)
			return a;
	return k->init;
}

/* Whether tg's group pgid has a member whose parent is in the same session but another
 * group: POSIX's "not orphaned". gone is leaving and does not count. k->lock held. */
static bool pgrp_has_outside_parent(struct kernel *k, int pgid, struct thread_group *gone,
				    bool *stopped)
{
	*stopped = false;
	for (int i = 1; i < KERNEL_MAX_PID; i++) {
		struct task *o = k->pid_table[i];
		struct thread_group *g, *p;

		if (!o || o->tg->tgid != i || o->tg == gone || o->tg->zombie)
			continue;
		g = o->tg;
		if (g->pgid != pgid)
			continue;
		if (sig_group_is_stopped(g))
			*stopped = true;
		p = g->parent;
		if (p && p != gone && !p->zombie && p->pgid != pgid && p->sid == g->sid)
			return true; /* anchored: whether it is stopped does not matter */
	}
	return false;
}

/* POSIX: a process group that becomes orphaned while one of its members is stopped gets
 * SIGHUP then SIGCONT. */
void pgrp_check_orphaned(struct kernel *k, int pgid, struct thread_group *gone)
{
	bool stopped;

	if (pgid <= 0 || pgrp_has_outside_parent(k, pgid, gone, &stopped) || !stopped)
		return;
	for (int i = 1; i < KERNEL_MAX_PID; i++) {
		struct task *o = k->pid_table[i];

		if (!o || o->tg->tgid != i || o->tg == gone || o->tg->zombie || o->tg->pgid != pgid)
			continue;
		sig_send(o, SIGHUP, true);
		sig_send(o, SIGCONT, true);
	}
}

bool pgrp_is_orphaned(struct kernel *k, int pgid)
{
	bool stopped, orphaned;

	pthread_mutex_lock(&k->lock);
	orphaned = !pgrp_has_outside_parent(k, pgid, NULL, &stopped);
	pthread_mutex_unlock(&k->lock);
	return orphaned;
}

/* Whether moving tg's children away orphans their group: a child's group loses the
 * anchor that tg (in the same session, another group) gave it. k->lock held. */
static void exit_orphan_checks(struct kernel *k, struct thread_group *tg)
{
	struct thread_group *c;

	/* tg's own group may lose tg as its anchor... */
	pgrp_check_orphaned(k, tg->pgid, tg);
	/* ...and so may each child's group that tg anchored. */
	list_for_each_entry(c, &tg->children, sibling)
		if (c->pgid != tg->pgid && c->sid == tg->sid)
			pgrp_check_orphaned(k, c->pgid, tg);
}

/* Each thread's PR_SET_PDEATHSIG, sent to the whole process as Linux does (TGID). */
static void send_pdeathsig(struct thread_group *c)
{
	struct task *o;

	list_for_each_entry(o, &c->tasks, tg_node)
		if (o->pdeathsig)
			sig_send(o, o->pdeathsig, true);
}

/* Thread t (not its group's last) exits: its children get another parent thread, with
 * their PR_SET_PDEATHSIG, as Linux's reparenting to a live thread does. k->lock held. */
static void exit_thread_children(struct task *t)
{
	struct thread_group *tg = t->tg, *c;
	struct task *heir = NULL, *o;

	pthread_mutex_lock(&tg->lock);
	list_for_each_entry(o, &tg->tasks, tg_node) {
		heir = o;
		break;
	}
	pthread_mutex_unlock(&tg->lock);
	list_for_each_entry(c, &tg->children, sibling) {
		if (c->parent_thread != t->tid)
			continue;
		c->parent_thread = heir ? heir->tid : 0;
		if (!c->zombie)
			send_pdeathsig(c);
	}
}

/* Tells tg's parent that tg died; true if the parent does not want a zombie. */
static bool exit_notify_parent(struct thread_group *tg)
{
	struct thread_group *p = tg->parent;
	struct linux_siginfo info;
	int st = tg->exit_status, sig = tg->exit_signal;
	bool autoreap = false;

	if (!p || p->zombie || p->ntasks == 0)
		return true; /* init is gone: nobody will ever wait */
	if (sig == SIGCHLD && sig_parent_nocldwait(p))
		autoreap = true;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.proc.pid = tg->tgid;
	info.proc.uid = tg->leader && tg->leader->cred ? tg->leader->cred->uid : 0;
	if ((st & 0x7f) == 0) {
		info.si_code = CLD_EXITED;
		info.proc.chld.status = (st >> 8) & 0xff;
	} else {
		info.si_code = (st & 0x80) ? CLD_DUMPED : CLD_KILLED;
		info.proc.chld.status = st & 0x7f;
	}
	if (sig > 0 && p->leader) {
		struct rusage_times rt;

		rusage_dead(tg, &rt);
		info.proc.chld.utime = (int64_t)(rt.utime_ns / 10000000); /* USER_HZ ticks */
		info.proc.chld.stime = (int64_t)(rt.stime_ns / 10000000);
		sig_send_info(p->leader, &info, true);
	}
	proc_wake(p);
	return autoreap;
}

void proc_reap_locked(struct thread_group *tg)
{
	struct kernel *k = tg->k;
	struct task *l = tg->leader;

	tg->reaped = true;
	list_del(&tg->sibling);
	list_init(&tg->sibling);
	if (l) {
		if (l->tid > 0 && l->tid < KERNEL_MAX_PID && k->pid_table[l->tid] == l) {
			k->pid_table[l->tid] = NULL;
			k->ntasks--;
		}
		tg->leader = NULL;
		sig_task_release(l);
		task_free(l);
	}
	tg_put(tg);
}

/* init died: SIGKILL every other process (as a pid namespace's init death does) and give
 * them a moment to go, so the sandbox ends with no task thread still running. */
static void exit_init(struct kernel *k)
{
	struct timespec until;

	for (int i = 2; i < KERNEL_MAX_PID; i++) {
		struct task *o = k->pid_table[i];

		if (o && !o->zombie && o->tg != k->init)
			sig_send(o, SIGKILL, true);
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += INIT_DRAIN_SECS;
	while (k->nr_live > 0)
		if (pthread_cond_timedwait(&k->cond, &k->lock, &until))
			break;
	if (k->nr_live > 0)
		log_warn("init exited; %d tasks did not stop in time", k->nr_live);
	k->init_exited = true;
	k->init_status = k->init->exit_status;
	pthread_cond_broadcast(&k->cond);
}

void proc_exit_task(struct task *t)
{
	struct thread_group *tg = t->tg, *c, *n, *reaper;
	struct kernel *k = t->k;
	bool last, leader, autoreap = false;
	void (*hook)(void *arg, int wait_status) = NULL;
	void *hook_arg = NULL;
	int hook_status = 0;

	proc_vfork_release(t);

	pthread_mutex_lock(&k->lock);
	pthread_mutex_lock(&tg->lock);
	list_del(&t->tg_node);
	last = --tg->ntasks == 0;
	if (last && !tg->exiting) {
		tg->exiting = true;
		tg->exit_status = (t->exit_code & 0xff) << 8;
	}
	pthread_mutex_unlock(&tg->lock);
	if (last)
		ipc_exit_group(k, tg); /* SEM_UNDO, before the parent can see the exit */
	leader = t == tg->leader;
	k->nr_live--;

	if (!last) {
		exit_thread_children(t);
	} else {
		/* Every child goes to the reaper; zombies among them are its to reap now. */
		reaper = find_reaper(k, tg);
		exit_orphan_checks(k, tg);
		list_for_each_entry_safe(c, n, &tg->children, sibling) {
			list_del(&c->sibling);
			if (reaper == tg) {
				/* init itself is dying: nobody is left to reap these. */
				list_init(&c->sibling);
				c->parent = NULL;
				if (c->zombie)
					proc_reap_locked(c);
				continue;
			}
			c->parent = reaper;
			c->parent_thread = reaper->leader ? reaper->leader->tid : 0;
			list_add_tail(&c->sibling, &reaper->children);
			if (!c->zombie)
				send_pdeathsig(c);
			else if (exit_notify_parent(c))
				proc_reap_locked(c);
		}
		tg->zombie = true;
		if (tg->pidfd_wq)
			waitq_notify(tg->pidfd_wq, POLLIN);
	}
	/* A thread's tid is free at once; a leader's is the group's pid until the reap. */
	if (!leader) {
		sig_task_release(t);
		if (k->pid_table[t->tid] == t) {
			k->pid_table[t->tid] = NULL;
			k->ntasks--;
		}
	} else {
		t->zombie = true;
	}
	if (last && tg != k->init)
		autoreap = exit_notify_parent(tg);
	if (last && tg->exit_hook) {
		hook = tg->exit_hook;
		hook_arg = tg->exit_hook_arg;
		hook_status = tg->exit_status;
		tg->exit_hook = NULL;
	}
	if (!last && tg->exec_task)
		proc_wake(tg); /* execve waits for the other threads to go */
	if (k->nr_live == 0 || (last && tg == k->init))
		pthread_cond_broadcast(&k->cond);
	if (last && tg == k->init)
		exit_init(k);
	else if (autoreap)
		proc_reap_locked(tg); /* frees t too if it leads */
	pthread_mutex_unlock(&k->lock);
	if (hook)
		hook(hook_arg, hook_status);
	if (!leader)
		task_free(t);
	pthread_exit(NULL);
}
