/*
 * Signals: pending queues with siginfo, target selection for process-directed signals,
 * default actions (terminate, core, stop, continue), delivery at each return to the
 * guest with syscall restart, and interruptible waits. Handler frames are sigframe.c's.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/log.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/sigframe.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/signalfd.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/vdso/vdso.h"

#define SIG_DFL_H ((uint64_t)(uintptr_t)SIG_DFL)
#define SIG_IGN_H ((uint64_t)(uintptr_t)SIG_IGN)
/* Synchronous signals are dequeued first, as Linux does: a fault's signal must not wait. */
#define SIG_SYNC_MASK                                                              \
	(SIG_BIT(SIGSEGV) | SIG_BIT(SIGBUS) | SIG_BIT(SIGILL) | SIG_BIT(SIGTRAP) | \
	 SIG_BIT(SIGFPE) | SIG_BIT(SIGSYS))
#define SIG_STOP_MASK (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))
#define CAP_KILL_BIT (1ULL << 5)

/* Stopped tasks wait here; SIGCONT broadcasts. Never held with siglock or tg->lock. */
static pthread_mutex_t stop_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cv = PTHREAD_COND_INITIALIZER;

enum sig_default sig_default_action(int sig)
{
	switch (sig) {
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return SIG_DEF_CORE;
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
		return SIG_DEF_IGNORE;
	case SIGCONT:
		return SIG_DEF_CONT;
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return SIG_DEF_STOP;
	default:
		return SIG_DEF_TERM;
	}
}

static bool handler_ignores(uint64_t handler, int sig)
{
	enum sig_default d = sig_default_action(sig);

	if (handler == SIG_IGN_H)
		return true;
	return handler == SIG_DFL_H && (d == SIG_DEF_IGNORE || d == SIG_DEF_CONT);
}

/* The wait status of a group killed by sig. The sandbox writes no core files; the core
 * bit follows RLIMIT_CORE, which is when Linux would have written one. */
static int death_status(struct thread_group *tg, int sig)
{
	bool core = sig_default_action(sig) == SIG_DEF_CORE &&
		    tg->rlimits[RLIMIT_CORE].rlim_cur != 0 && tg->dumpable;

	return sig | (core ? 0x80 : 0);
}

/* ---- pending queues (siglock held) ---- */

/* Queues info in p. Standard signals coalesce; RT signals queue up to RLIMIT_SIGPENDING,
 * except that a kill(2) past it still sets the bit, as Linux does. */
static int queue_signal(struct thread_group *tg, struct sigpending *p,
			const struct linux_siginfo *info, bool force)
{
	int sig = info->si_signo;
	struct sigqueue *q = NULL, **pp;

	if (sig < SIG_RTMIN && (p->set & SIG_BIT(sig)))
		return 0;
	if (force || sig < SIG_RTMIN ||
	    (uint64_t)tg->sig.nqueued < tg->rlimits[RLIMIT_SIGPENDING].rlim_cur)
		q = malloc(sizeof(*q));
	if (!q) {
		if (sig >= SIG_RTMIN && info->si_code != SI_USER)
			return -EAGAIN;
		p->set |= SIG_BIT(sig);
		return 0;
	}
	q->info = *info;
	q->next = NULL;
	for (pp = &p->head; *pp; pp = &(*pp)->next)
		;
	*pp = q;
	tg->sig.nqueued++;
	p->set |= SIG_BIT(sig);
	return 0;
}

/* Takes the first instance of sig out of p into *info. */
static void dequeue_from(struct thread_group *tg, struct sigpending *p, int sig,
			 struct linux_siginfo *info)
{
	struct sigqueue **pp, **first = NULL;
	bool more = false;

	for (pp = &p->head; *pp; pp = &(*pp)->next) {
		if ((*pp)->info.si_signo != sig)
			continue;
		if (first) {
			more = true;
			break;
		}
		first = pp;
	}
	if (first) {
		struct sigqueue *q = *first;

		*info = q->info;
		*first = q->next;
		free(q);
		tg->sig.nqueued--;
	} else {
		/* Queued past the limit: the bit alone. */
		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_code = SI_USER;
	}
	if (!more)
		p->set &= ~SIG_BIT(sig);
}

/* Drops every instance of the signals in mask from p. */
static void flush_from(struct thread_group *tg, struct sigpending *p, linux_sigset_t mask)
{
	struct sigqueue **pp = &p->head;

	if (!(p->set & mask))
		return;
	while (*pp) {
		struct sigqueue *q = *pp;

		if (mask & SIG_BIT(q->info.si_signo)) {
			*pp = q->next;
			free(q);
			tg->sig.nqueued--;
		} else {
			pp = &q->next;
		}
	}
	p->set &= ~mask;
}

/* tg->lock and siglock held. */
static void flush_group(struct thread_group *tg, linux_sigset_t mask)
{
	struct task *o;

	flush_from(tg, &tg->sig.pending, mask);
	list_for_each_entry(o, &tg->tasks, tg_node)
		flush_from(tg, &o->sig.pending, mask);
}

static int next_signal(const struct sigpending *p, linux_sigset_t blocked)
{
	linux_sigset_t s = p->set & ~blocked;

	if (!s)
		return 0;
	if (s & SIG_SYNC_MASK)
		s &= SIG_SYNC_MASK;
	return __builtin_ctzll(s) + 1;
}

/* The lowest pending signal not in blocked, thread queue first; 0 if none. */
static int dequeue_signal(struct task *t, linux_sigset_t blocked, struct linux_siginfo *info)
{
	struct sigpending *p = &t->sig.pending;
	int sig = next_signal(p, blocked);

	if (!sig) {
		p = &t->tg->sig.pending;
		sig = next_signal(p, blocked);
	}
	if (sig)
		dequeue_from(t->tg, p, sig, info);
	return sig;
}

static bool pending_locked(struct task *t)
{
	return t->exiting || t->sig.stop_pending ||
	       ((t->sig.pending.set | t->tg->sig.pending.set) & ~t->sigmask);
}

static void set_interrupted(struct task *t, bool v)
{
	pthread_mutex_lock(&t->lock);
	t->interrupted = v || t->exiting;
	pthread_mutex_unlock(&t->lock);
}

/* Makes t->interrupted say whether t has something to deliver (Linux's TIF_SIGPENDING),
 * so that a stale interrupt does not fail the next blocking call. siglock held. */
static bool recalc_locked(struct task *t)
{
	bool p = pending_locked(t);

	set_interrupted(t, p);
	return p;
}

static bool sig_recalc(struct task *t)
{
	struct sighand *sh = t->tg->sighand;
	bool p;

	pthread_mutex_lock(&sh->lock);
	p = recalc_locked(t);
	pthread_mutex_unlock(&sh->lock);
	return p;
}

bool sig_pending(struct task *t)
{
	struct sighand *sh = t->tg->sighand;
	bool p;

	pthread_mutex_lock(&sh->lock);
	p = pending_locked(t);
	pthread_mutex_unlock(&sh->lock);
	return p;
}

/* ---- generation ---- */

static bool wants_signal(struct task *t, int sig)
{
	if (t->sigmask & SIG_BIT(sig))
		return false;
	if (t->exiting)
		return false;
	if (sig == SIGKILL)
		return true;
	return !t->tg->sig.stopped;
}

/* Ends a group stop (SIGCONT, or SIGKILL lets the stopped threads die). tg->lock and
 * siglock held. */
static void end_group_stop(struct thread_group *tg, bool report)
{
	struct task *o;
	bool was_stopped = tg->sig.stopped;

	tg->sig.stop_count = 0;
	list_for_each_entry(o, &tg->tasks, tg_node)
		o->sig.stop_pending = false;
	if (was_stopped && report)
		tg->sig.report = SIG_REPORT_CONTINUED;
	if (was_stopped && report)
		tg->sig.notify_cont = true;
	__atomic_store_n(&tg->sig.stopped, false, __ATOMIC_RELEASE);
	pthread_mutex_lock(&stop_mu);
	pthread_cond_broadcast(&stop_cv);
	pthread_mutex_unlock(&stop_mu);
}

/*
 * Chooses the thread that takes sig and wakes it; returns true if sig kills the group at
 * once (a fatal default action needs no thread's cooperation). tg->lock, siglock held.
 */
static bool complete_signal(struct task *target, int sig, bool group)
{
	struct thread_group *tg = target->tg;
	struct task *t = NULL, *o;

	if (wants_signal(target, sig)) {
		t = target;
	} else if (group) {
		list_for_each_entry(o, &tg->tasks, tg_node) {
			if (wants_signal(o, sig)) {
				t = o;
				break;
			}
		}
	}
	if (!t)
		return false; /* every thread blocks it: it waits in the queue */
	if (tg->sighand->action[sig - 1].handler == SIG_DFL_H &&
	    !(t->sig.real_blocked & SIG_BIT(sig))) {
		enum sig_default d = sig_default_action(sig);

		if (sig == SIGKILL || d == SIG_DEF_TERM || d == SIG_DEF_CORE) {
			if (sig == SIGKILL)
				end_group_stop(tg, false);
			return !tg->exiting;
		}
	}
	task_interrupt(t);
	return false;
}

int sig_send_info(struct task *target, const struct linux_siginfo *info, bool group)
{
	int sig = info->si_signo;
	struct thread_group *tg = target->tg;
	struct sighand *sh = tg->sighand;
	bool fatal = false, queued = false;
	int err = 0;

	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	if (sig == 0)
		return 0;
	pthread_mutex_lock(&tg->lock);
	pthread_mutex_lock(&sh->lock);
	if (tg->exiting)
		goto out; /* a dying group takes no more signals */
	if (SIG_STOP_MASK & SIG_BIT(sig)) {
		flush_group(tg, SIG_BIT(SIGCONT));
	} else if (sig == SIGCONT) {
		flush_group(tg, SIG_STOP_MASK);
		if (tg->sig.stopped || tg->sig.stop_count)
			end_group_stop(tg, true);
	}
	/* An ignored signal is dropped unless blocked: the handler may change before it is
	 * unblocked. */
	if (sig != SIGKILL && handler_ignores(sh->action[sig - 1].handler, sig) &&
	    !(target->sigmask & SIG_BIT(sig)) && !(target->sig.real_blocked & SIG_BIT(sig)))
		goto out;
	err = queue_signal(tg, group ? &tg->sig.pending : &target->sig.pending, info, false);
	if (err)
		goto out;
	queued = true;
	fatal = complete_signal(target, sig, group);
out:
	pthread_mutex_unlock(&sh->lock);
	pthread_mutex_unlock(&tg->lock);
	if (queued)
		signalfd_notify();
	if (fatal)
		task_group_exit(target, death_status(tg, sig));
	return err;
}

int sig_send(struct task *target, int sig, bool group)
{
	struct linux_siginfo info = { .si_signo = sig, .si_code = SI_USER };

	return sig_send_info(target, &info, group);
}

void sig_info_from(struct task *t, int sig, int code, struct linux_siginfo *info)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
	info->proc.pid = t->tg->tgid;
	info->proc.uid = t->cred->uid;
}

int sig_check_kill(struct task *sender, struct task *target, const struct linux_siginfo *info)
{
	const struct cred *s = sender->cred, *c = target->cred;

	/* Signals from the kernel (positive si_code) need no permission. */
	if (info->si_code > 0 && info->si_code != SI_KERNEL)
		return 0;
	if (sender->tg == target->tg)
		return 0;
	if (s->euid == c->suid || s->euid == c->uid || s->uid == c->suid || s->uid == c->uid)
		return 0;
	if (s->cap_effective & CAP_KILL_BIT)
		return 0;
	if (info->si_signo == SIGCONT && sender->tg->sid == target->tg->sid)
		return 0;
	return -EPERM;
}

void sig_force_fault(struct task *t, int sig, int code, uint64_t addr)
{
	struct sighand *sh = t->tg->sighand;
	struct linux_sigaction *act = &sh->action[sig - 1];
	struct linux_siginfo info = { .si_signo = sig, .si_code = code };

	info.fault.addr = addr;
	pthread_mutex_lock(&t->tg->lock);
	pthread_mutex_lock(&sh->lock);
	if ((t->sigmask & SIG_BIT(sig)) || act->handler == SIG_IGN_H) {
		act->handler = SIG_DFL_H;
		t->sigmask &= ~SIG_BIT(sig);
	}
	queue_signal(t->tg, &t->sig.pending, &info, true);
	pthread_mutex_unlock(&sh->lock);
	pthread_mutex_unlock(&t->tg->lock);
}

void sig_handle_fault(struct task *t, const struct plat_fault *f)
{
	int sig = f->signo, code = f->code;
	int err;

	t->sig.err = 0;
	t->sig.cr2 = 0;
	switch (sig) {
	case SIGSEGV:
		if (code != SEGV_MAPERR && code != SEGV_ACCERR) {
			t->sig.trapno = 13; /* #GP: si_code SI_KERNEL, no address */
			break;
		}
		err = mm_handle_fault(t->mm, f->addr, code == SEGV_ACCERR);
		if (!err)
			return;
		t->sig.trapno = 14; /* #PF, user mode; present if a protection fault */
		t->sig.err = 4 | (err == -EACCES ? 1 : 0);
		t->sig.cr2 = f->addr;
		if (err == -EIO) {
			sig = SIGBUS;
			code = BUS_ADRERR;
		} else {
			code = err == -EACCES ? SEGV_ACCERR : SEGV_MAPERR;
		}
		break;
	case SIGBUS:
		t->sig.trapno = 14;
		t->sig.cr2 = f->addr;
		break;
	case SIGFPE:
		t->sig.trapno = (code == FPE_INTDIV || code == FPE_INTOVF) ? 0 : 19;
		break;
	case SIGILL:
		t->sig.trapno = 6;
		break;
	case SIGTRAP:
		t->sig.trapno = code == SI_KERNEL ? 3 : 1;
		break;
	default:
		break;
	}
	log_debug("task %d: signal %d code %d addr %#lx rip %#lx", t->tid, sig, code,
		  (unsigned long)f->addr, (unsigned long)t->regs.rip);
	sig_force_fault(t, sig, code, f->addr);
}

/* ---- dispositions and masks ---- */

void sig_set_action(struct task *t, int sig, const struct linux_sigaction *act,
		    struct linux_sigaction *old)
{
	struct thread_group *tg = t->tg;
	struct sighand *sh = tg->sighand;

	pthread_mutex_lock(&tg->lock);
	pthread_mutex_lock(&sh->lock);
	*old = sh->action[sig - 1];
	if (act) {
		sh->action[sig - 1] = *act;
		/* POSIX: ignoring a pending signal discards it, blocked or not. */
		if (handler_ignores(act->handler, sig))
			flush_group(tg, SIG_BIT(sig));
	}
	pthread_mutex_unlock(&sh->lock);
	pthread_mutex_unlock(&tg->lock);
}

int sig_dequeue_set(struct task *t, linux_sigset_t set, struct linux_siginfo *info)
{
	struct sighand *sh = t->tg->sighand;
	int sig;

	pthread_mutex_lock(&sh->lock);
	sig = dequeue_signal(t, ~set, info);
	recalc_locked(t);
	pthread_mutex_unlock(&sh->lock);
	return sig;
}

void sig_set_mask(struct task *t, linux_sigset_t mask)
{
	struct thread_group *tg = t->tg;
	struct sighand *sh = tg->sighand;
	linux_sigset_t newly;
	struct task *o;

	mask &= ~SIG_UNBLOCKABLE;
	pthread_mutex_lock(&tg->lock);
	pthread_mutex_lock(&sh->lock);
	newly = mask & ~t->sigmask;
	t->sigmask = mask;
	/* Process-directed signals this thread now blocks go to a thread that takes them. */
	if (newly & tg->sig.pending.set) {
		for (int sig = 1; sig <= LINUX_NSIG; sig++) {
			if (!(newly & tg->sig.pending.set & SIG_BIT(sig)))
				continue;
			list_for_each_entry(o, &tg->tasks, tg_node) {
				if (o != t && wants_signal(o, sig)) {
					task_interrupt(o);
					break;
				}
			}
		}
	}
	recalc_locked(t);
	pthread_mutex_unlock(&sh->lock);
	pthread_mutex_unlock(&tg->lock);
}

void sig_set_temp_mask(struct task *t, linux_sigset_t mask)
{
	if (!t->sig.restore_mask) {
		t->sig.saved_mask = t->sigmask;
		t->sig.restore_mask = true;
	}
	sig_set_mask(t, mask);
}

void sig_restore_temp_mask(struct task *t, long ret)
{
	if (!t->sig.restore_mask)
		return;
	if (ret == -EINTR || ret == -ERESTARTSYS || ret == -ERESTARTNOHAND ||
	    ret == -ERESTARTNOINTR || ret == -ERESTART_RESTARTBLOCK)
		return;
	t->sig.restore_mask = false;
	sig_set_mask(t, t->sig.saved_mask);
}

/* ---- delivery ---- */

static bool is_restart(long ret)
{
	return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
	       ret == -ERESTART_RESTARTBLOCK;
}

void sig_syscall_return(struct task *t, long ret)
{
	if (t->sig.sigreturned) {
		t->sig.sigreturned = false; /* rax is the interrupted code's, restored */
		t->sig.in_syscall = false;
		return;
	}
	t->regs.rax = (uint64_t)ret;
	t->sig.in_syscall = is_restart(ret);
}

/* Resolves a restart code in rax: act is the handler about to run, or NULL. */
static void syscall_restart(struct task *t, const struct linux_sigaction *act)
{
	long ret = (long)t->regs.rax;

	if (!t->sig.in_syscall)
		return;
	t->sig.in_syscall = false;
	switch (ret) {
	case -ERESTART_RESTARTBLOCK:
	case -ERESTARTNOHAND:
		if (act) {
			t->regs.rax = (uint64_t)-EINTR;
			return;
		}
		break;
	case -ERESTARTSYS:
		if (act && !(act->flags & SA_RESTART)) {
			t->regs.rax = (uint64_t)-EINTR;
			return;
		}
		break;
	case -ERESTARTNOINTR:
		break;
	default:
		return;
	}
	t->regs.rax = ret == -ERESTART_RESTARTBLOCK ? __NR_restart_syscall : t->regs.orig_rax;
	t->regs.rip -= 2; /* syscall and int 0x80 are both two bytes */
}

/* Sends SIGCHLD for a stop or continue to tg's parent and wakes its waiters. Called with
 * no lock held. */
static void notify_parent_jobctl(struct task *t, int why, int status)
{
	struct thread_group *tg = t->tg, *parent;
	struct kernel *k = t->k;
	struct task *pt = NULL;

	pthread_mutex_lock(&k->lock);
	parent = tg->parent;
	if (parent) {
		pthread_mutex_lock(&parent->lock);
		if (parent->leader && !parent->leader->exiting)
			pt = parent->leader;
		else if (!list_empty(&parent->tasks))
			pt = list_first_entry(&parent->tasks, struct task, tg_node);
		pthread_mutex_unlock(&parent->lock);
		proc_wake(parent); /* its wait rechecks the report */
	}
	if (pt && !sig_parent_nocldstop(parent)) {
		struct linux_siginfo info;

		sig_info_from(t, SIGCHLD, why, &info);
		info.proc.chld.status = status;
		sig_send_info(pt, &info, true);
	}
	pthread_mutex_unlock(&k->lock);
}

/* t takes part in a group stop (starting one for sig if none is in progress), then sleeps
 * until SIGCONT or SIGKILL. Called with tg->lock and siglock held; returns with both
 * released. */
static void do_signal_stop(struct task *t, int sig)
{
	struct thread_group *tg = t->tg;
	struct sighand *sh = tg->sighand;
	bool last = false;
	struct task *o;

	if (!t->sig.stop_pending) {
		/* Start one: every live thread must stop, this one included. */
		tg->sig.stop_sig = sig;
		tg->sig.stop_count = 0;
		list_for_each_entry(o, &tg->tasks, tg_node) {
			if (o->exiting)
				continue;
			o->sig.stop_pending = true;
			tg->sig.stop_count++;
			if (o != t)
				task_interrupt(o);
		}
	}
	t->sig.stop_pending = false;
	if (tg->sig.stop_count > 0 && --tg->sig.stop_count == 0) {
		__atomic_store_n(&tg->sig.stopped, true, __ATOMIC_RELEASE);
		tg->sig.report = SIG_REPORT_STOPPED;
		last = true;
	}
	sig = tg->sig.stop_sig;
	pthread_mutex_unlock(&sh->lock);
	pthread_mutex_unlock(&tg->lock);
	if (last)
		notify_parent_jobctl(t, CLD_STOPPED, sig);

	pthread_mutex_lock(&stop_mu);
	while (__atomic_load_n(&tg->sig.stopped, __ATOMIC_ACQUIRE) && !t->exiting) {
		pthread_cond_t *cv = &stop_cv;

		/* Other signals wait for SIGCONT: only SIGCONT and SIGKILL wake us. */
		set_interrupted(t, false);
		task_block(t, &stop_mu, cv, NULL);
	}
	pthread_mutex_unlock(&stop_mu);
}

void sig_deliver(struct task *t)
{
	struct thread_group *tg = t->tg;
	struct sighand *sh = tg->sighand;

	/* The common case: nothing pending, no restart, no stale interrupt. */
	if (!t->sig.in_syscall && !t->sig.restore_mask && !t->interrupted && !t->sig.stop_pending &&
	    !tg->sig.notify_cont &&
	    !((__atomic_load_n(&t->sig.pending.set, __ATOMIC_RELAXED) |
	       __atomic_load_n(&tg->sig.pending.set, __ATOMIC_RELAXED)) &
	      ~t->sigmask))
		return;
	for (;;) {
		struct linux_siginfo info;
		struct linux_sigaction act;
		linux_sigset_t oldmask;
		int sig;

		if (t->exiting)
			return;
		/* Resumed by SIGCONT: the first thread back tells the parent, as Linux does. */
		if (__atomic_load_n(&tg->sig.notify_cont, __ATOMIC_ACQUIRE) &&
		    __atomic_exchange_n(&tg->sig.notify_cont, false, __ATOMIC_ACQ_REL))
			notify_parent_jobctl(t, CLD_CONTINUED, SIGCONT);
		pthread_mutex_lock(&tg->lock);
		pthread_mutex_lock(&sh->lock);
		if (t->sig.stop_pending) {
			do_signal_stop(t, tg->sig.stop_sig);
			continue;
		}
		sig = dequeue_signal(t, t->sigmask, &info);
		if (!sig) {
			pthread_mutex_unlock(&sh->lock);
			pthread_mutex_unlock(&tg->lock);
			break;
		}
		act = sh->action[sig - 1];
		if (act.handler == SIG_IGN_H) {
			pthread_mutex_unlock(&sh->lock);
			pthread_mutex_unlock(&tg->lock);
			continue;
		}
		if (act.handler == SIG_DFL_H) {
			switch (sig_default_action(sig)) {
			case SIG_DEF_IGNORE:
			case SIG_DEF_CONT:
				pthread_mutex_unlock(&sh->lock);
				pthread_mutex_unlock(&tg->lock);
				continue;
			case SIG_DEF_STOP:
				/* POSIX: nothing would ever continue an orphaned group, so
				 * SIGTSTP/SIGTTIN/SIGTTOU are discarded there (Linux's
				 * is_current_pgrp_orphaned); SIGSTOP always stops. The check
				 * takes k->lock, which comes before tg->lock. */
				if (sig != SIGSTOP) {
					pthread_mutex_unlock(&sh->lock);
					pthread_mutex_unlock(&tg->lock);
					if (pgrp_is_orphaned(t->k, tg->pgid))
						continue;
					pthread_mutex_lock(&tg->lock);
					pthread_mutex_lock(&sh->lock);
				}
				do_signal_stop(t, sig);
				continue;
			default:
				pthread_mutex_unlock(&sh->lock);
				pthread_mutex_unlock(&tg->lock);
				task_group_exit(t, death_status(tg, sig));
				return;
			}
		}
		if (act.flags & SA_RESETHAND)
			sh->action[sig - 1].handler = SIG_DFL_H;
		oldmask = t->sig.restore_mask ? t->sig.saved_mask : t->sigmask;
		pthread_mutex_unlock(&sh->lock);
		pthread_mutex_unlock(&tg->lock);

		syscall_restart(t, &act);
		if (sigframe_setup(t, sig, &info, &act, oldmask) < 0) {
			/* No room for the frame: SIGSEGV, by default if it was SIGSEGV's. */
			if (sig == SIGSEGV) {
				pthread_mutex_lock(&sh->lock);
				sh->action[SIGSEGV - 1].handler = SIG_DFL_H;
				pthread_mutex_unlock(&sh->lock);
			}
			sig_force_fault(t, SIGSEGV, SI_KERNEL, 0);
			continue;
		}
		t->sig.restore_mask = false;
		sig_set_mask(t,
			     t->sigmask | act.mask | (act.flags & SA_NODEFER ? 0 : SIG_BIT(sig)));
	}
	syscall_restart(t, NULL);
	if (t->sig.restore_mask) {
		t->sig.restore_mask = false;
		sig_set_mask(t, t->sig.saved_mask);
	}
	sig_recalc(t);
}

/* ---- interruptible sleeps ---- */

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static struct timespec ns_ts(int64_t ns)
{
	struct timespec ts = { ns / 1000000000LL, ns % 1000000000LL };

	return ts;
}

static int clock_now(int clockid, struct timespec *now)
{
	if (clockid == CLOCK_THREAD_CPUTIME_ID || clockid == CLOCK_PROCESS_CPUTIME_ID)
		clockid = CLOCK_MONOTONIC;
	/* The guest's clocks (the vDSO's): a sleep never ends before its deadline as the
	 * guest reads it. */
	return vclock_gettime(clockid, now);
}

static long sleep_until(struct task *t, int clockid, const struct timespec *deadline, uaddr_t rmtp,
			bool relative);

static long nanosleep_restart(struct task *t)
{
	struct sig_restart_block r = t->sig.restart;

	return sleep_until(t, r.clockid, &r.deadline, r.rmtp, true);
}

static long sleep_until(struct task *t, int clockid, const struct timespec *deadline, uaddr_t rmtp,
			bool relative)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_condattr_t ca;
	pthread_cond_t cv;
	struct timespec now, mono;
	int64_t left;
	int err = 0;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&mu);
	for (;;) {
		if (clock_now(clockid, &now))
			break;
		left = ts_ns(deadline) - ts_ns(&now);
		if (left <= 0) {
			err = 0;
			break;
		}
		/* task_block's deadline is on CLOCK_MONOTONIC; recheck the guest's clock. */
		clock_gettime(CLOCK_MONOTONIC, &mono);
		mono = ns_ts(ts_ns(&mono) + left);
		err = task_block(t, &mu, &cv, &mono);
		if (err == -EINTR)
			break;
	}
	pthread_mutex_unlock(&mu);
	pthread_cond_destroy(&cv);
	if (err != -EINTR)
		return 0;
	if (!relative)
		return -ERESTARTNOHAND;
	if (rmtp) {
		struct linux_timespec rem = { 0, 0 };

		if (left > 0) {
			rem.tv_sec = left / 1000000000LL;
			rem.tv_nsec = left % 1000000000LL;
		}
		if (task_copy_out(t, rmtp, &rem, sizeof(rem)))
			return -EFAULT;
	}
	t->sig.restart.fn = nanosleep_restart;
	t->sig.restart.clockid = clockid;
	t->sig.restart.deadline = *deadline;
	t->sig.restart.rmtp = rmtp;
	return -ERESTART_RESTARTBLOCK;
}

long sig_nanosleep(struct task *t, int clockid, bool abs, const struct timespec *req, uaddr_t rmtp)
{
	struct timespec deadline = *req, now;

	if (!abs) {
		if (clock_now(clockid, &now))
			return -EINVAL;
		deadline = ns_ts(ts_ns(&now) + (req->tv_sec > INT64_MAX / 2000000000LL ?
							INT64_MAX / 2 :
							ts_ns(req)));
	}
	return sleep_until(t, clockid, &deadline, rmtp, !abs);
}

/* ---- for processes ---- */

static void free_queue(struct sigpending *p)
{
	while (p->head) {
		struct sigqueue *q = p->head;

		p->head = q->next;
		free(q);
	}
	p->set = 0;
}

void sig_task_release(struct task *t)
{
	struct sighand *sh = t->tg->sighand;
	struct sigqueue *q;
	int n = 0;

	pthread_mutex_lock(&sh->lock);
	for (q = t->sig.pending.head; q; q = q->next)
		n++;
	free_queue(&t->sig.pending);
	t->tg->sig.nqueued -= n;
	pthread_mutex_unlock(&sh->lock);
}

void sig_group_release(struct thread_group *tg)
{
	free_queue(&tg->sig.pending);
	tg->sig.nqueued = 0;
}

int sig_wait_stopped(struct thread_group *tg, bool consume)
{
	struct sighand *sh = tg->sighand;
	int sig = 0;

	pthread_mutex_lock(&sh->lock);
	if (tg->sig.report == SIG_REPORT_STOPPED && tg->sig.stopped) {
		sig = tg->sig.stop_sig;
		if (consume)
			tg->sig.report = SIG_REPORT_NONE;
	}
	pthread_mutex_unlock(&sh->lock);
	return sig;
}

bool sig_wait_continued(struct thread_group *tg, bool consume)
{
	struct sighand *sh = tg->sighand;
	bool r;

	pthread_mutex_lock(&sh->lock);
	r = tg->sig.report == SIG_REPORT_CONTINUED;
	if (r && consume)
		tg->sig.report = SIG_REPORT_NONE;
	pthread_mutex_unlock(&sh->lock);
	return r;
}

bool sig_group_is_stopped(struct thread_group *tg)
{
	return __atomic_load_n(&tg->sig.stopped, __ATOMIC_ACQUIRE);
}

bool sig_parent_nocldwait(struct thread_group *parent)
{
	struct sighand *sh = parent->sighand;
	bool r;

	pthread_mutex_lock(&sh->lock);
	r = sh->action[SIGCHLD - 1].handler == SIG_IGN_H ||
	    (sh->action[SIGCHLD - 1].flags & SA_NOCLDWAIT);
	pthread_mutex_unlock(&sh->lock);
	return r;
}

bool sig_parent_nocldstop(struct thread_group *parent)
{
	struct sighand *sh = parent->sighand;
	bool r;

	pthread_mutex_lock(&sh->lock);
	r = sh->action[SIGCHLD - 1].flags & SA_NOCLDSTOP;
	pthread_mutex_unlock(&sh->lock);
	return r;
}
