/*
 * The job-control callbacks of fs/devpts (struct pty_jobctl), over the sentry's thread
 * groups: the calling task's ids, process-group lookups and signals under k->lock, the
 * caller's signal dispositions under its sighand lock.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>

#include "fs/devpts/pty.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/tty_jobctl.h"

#define CAP_SYS_ADMIN_BIT (1ULL << 21)

static struct kernel *jc_kernel;

/* A live process (not a zombie) whose leader sits at pid i. k->lock held. */
static struct thread_group *proc_at(struct kernel *k, int i)
{
	struct task *o = k->pid_table[i];

	if (!o || o->tg->tgid != i || o->tg->zombie || o->tg->reaped)
		return NULL;
	return o->tg;
}

static void jc_caller(struct pty_caller *out)
{
	struct task *t = task_current();
	struct kernel *k;

	if (!t)
		return;
	k = t->k;
	pthread_mutex_lock(&k->lock);
	out->tgid = t->tg->tgid;
	out->pgid = t->tg->pgid;
	out->sid = t->tg->sid;
	out->fsuid = t->cred->fsuid;
	out->fsgid = t->cred->fsgid;
	out->cap_sys_admin = t->cred->cap_effective & CAP_SYS_ADMIN_BIT;
	pthread_mutex_unlock(&k->lock);
}

static int jc_pgrp_check(int pgid, int sid)
{
	struct kernel *k = jc_kernel;
	int ret = -ESRCH;

	pthread_mutex_lock(&k->lock);
	for (int i = 1; i < KERNEL_MAX_PID && ret; i++) {
		struct thread_group *g = proc_at(k, i);

		if (g && g->pgid == pgid)
			ret = g->sid == sid ? 0 : -EPERM;
	}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

static void jc_kill_pgrp(int pgid, int sig)
{
	struct kernel *k = jc_kernel;

	pthread_mutex_lock(&k->lock);
	for (int i = 1; i < KERNEL_MAX_PID; i++) {
		struct thread_group *g = proc_at(k, i);

		if (g && g->pgid == pgid)
			sig_send(k->pid_table[i], sig, true);
	}
	pthread_mutex_unlock(&k->lock);
}

static bool jc_sig_ignored(int sig)
{
	struct task *t = task_current();
	struct sighand *sh;
	bool ret;

	if (!t)
		return true;
	sh = t->tg->sighand;
	pthread_mutex_lock(&sh->lock);
	ret = (t->sigmask & SIG_BIT(sig)) ||
	      sh->action[sig - 1].handler == (uint64_t)(uintptr_t)SIG_IGN;
	pthread_mutex_unlock(&sh->lock);
	return ret;
}

static bool jc_pgrp_orphaned(int pgid)
{
	return pgrp_is_orphaned(jc_kernel, pgid);
}

static bool jc_session_alive(int sid)
{
	struct kernel *k = jc_kernel;
	struct thread_group *g;
	bool alive;

	if (sid <= 0 || sid >= KERNEL_MAX_PID)
		return false;
	pthread_mutex_lock(&k->lock);
	g = proc_at(k, sid);
	alive = g && g->sid == sid && !g->exiting;
	pthread_mutex_unlock(&k->lock);
	return alive;
}

static const struct pty_jobctl jc_ops = {
	.caller = jc_caller,
	.pgrp_check = jc_pgrp_check,
	.kill_pgrp = jc_kill_pgrp,
	.sig_ignored = jc_sig_ignored,
	.pgrp_orphaned = jc_pgrp_orphaned,
	.session_alive = jc_session_alive,
};

void tty_jobctl_register(struct kernel *k)
{
	jc_kernel = k;
	pty_set_jobctl(&jc_ops);
}
