/* wait: a parent collects its children's exits, stops and continues (wait4, waitid). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "sentry/kernel/process.h"
#include "sentry/kernel/rusage.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/wait.h"

pthread_mutex_t proc_wait_lock = PTHREAD_MUTEX_INITIALIZER;

void proc_wake_locked(struct thread_group *tg)
{
	tg->child_gen++;
	pthread_cond_broadcast(&tg->child_cv);
}

void proc_wake(struct thread_group *tg)
{
	pthread_mutex_lock(&proc_wait_lock);
	proc_wake_locked(tg);
	pthread_mutex_unlock(&proc_wait_lock);
}

int proc_wait_gen(struct task *t, struct thread_group *tg, uint64_t gen, bool killable)
{
	int err = 0;

	pthread_mutex_lock(&proc_wait_lock);
	while (tg->child_gen == gen) {
		err = task_block(t, &proc_wait_lock, &tg->child_cv, NULL);
		if (err != -EINTR)
			continue;
		if (!killable || t->exiting)
			break;
		/* A signal only matters once this wait is over: delivery follows the call. */
		pthread_mutex_lock(&t->lock);
		t->interrupted = false;
		pthread_mutex_unlock(&t->lock);
		err = 0;
	}
	pthread_mutex_unlock(&proc_wait_lock);
	return err == -EINTR ? -EINTR : 0;
}

/* Linux's eligible_child(): the id, then __WCLONE/__WALL against the exit signal. */
static bool wait_eligible(struct task *t, const struct wait_req *w, struct thread_group *c)
{
	switch (w->idtype) {
	case P_PID:
		if (c->tgid != w->id)
			return false;
		break;
	case P_PGID:
		if (c->pgid != w->id)
			return false;
		break;
	case P_PIDFD:
		if (c != w->pidfd_tg)
			return false;
		break;
	default:
		break;
	}
	if ((w->options & __WNOTHREAD) && c->parent_thread != t->tid)
		return false;
	if (!(w->options & __WALL) && ((c->exit_signal != SIGCHLD) ^ !!(w->options & __WCLONE)))
		return false;
	return true;
}

static void wait_fill(struct wait_result *r, struct thread_group *c, int code, int status,
		      int wstatus)
{
	r->pid = c->tgid;
	r->uid = c->leader && c->leader->cred ? c->leader->cred->uid : 0;
	r->code = code;
	r->status = status;
	r->wstatus = wstatus;
}

/* One pass over t's children. 1 reported, 0 children but none ready, -ECHILD none.
 * k->lock held. */
static int wait_scan(struct task *t, const struct wait_req *w, struct wait_result *r)
{
	struct thread_group *c, *n;
	bool any = false;

	list_for_each_entry_safe(c, n, &t->tg->children, sibling) {
		int st, sig;

		if (!wait_eligible(t, w, c))
			continue;
		any = true;
		if (c->zombie && (w->options & WEXITED)) {
			struct rusage_times rt;

			st = c->exit_status;
			if ((st & 0x7f) == 0)
				wait_fill(r, c, CLD_EXITED, (st >> 8) & 0xff, st);
			else
				wait_fill(r, c, (st & 0x80) ? CLD_DUMPED : CLD_KILLED, st & 0x7f,
					  st);
			rusage_dead(c, &rt);
			r->utime_ns = rt.utime_ns;
			r->stime_ns = rt.stime_ns;
			r->maxrss_kb = rt.maxrss_kb;
			if (!(w->options & WNOWAIT)) {
				rusage_reap_child(t->tg, c);
				proc_reap_locked(c);
			}
			return 1;
		}
		if (c->zombie)
			continue;
		if (w->options & WSTOPPED) {
			sig = sig_wait_stopped(c, !(w->options & WNOWAIT));
			if (sig) {
				wait_fill(r, c, CLD_STOPPED, sig, (sig << 8) | 0x7f);
				return 1;
			}
		}
		if ((w->options & WCONTINUED) && sig_wait_continued(c, !(w->options & WNOWAIT))) {
			wait_fill(r, c, CLD_CONTINUED, SIGCONT, 0xffff);
			return 1;
		}
	}
	return any ? 0 : -ECHILD;
}

long proc_wait(struct task *t, const struct wait_req *w, struct wait_result *r)
{
	struct kernel *k = t->k;
	uint64_t gen;
	int ret;

	memset(r, 0, sizeof(*r));
	for (;;) {
		pthread_mutex_lock(&proc_wait_lock);
		gen = t->tg->child_gen;
		pthread_mutex_unlock(&proc_wait_lock);
		pthread_mutex_lock(&k->lock);
		ret = wait_scan(t, w, r);
		pthread_mutex_unlock(&k->lock);
		if (ret)
			return ret;
		if (w->options & WNOHANG)
			return 0;
		if (proc_wait_gen(t, t->tg, gen, false))
			return -ERESTARTSYS;
	}
}
