/* The task thread: runs the guest on the platform and serves its traps. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/log.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/rusage.h"
#include "sentry/kernel/timer.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

#define TASK_THREAD_STACK (1u << 20)

static __thread struct task *cur_task;

struct task *task_current(void)
{
	return cur_task;
}

int task_start(struct task *t)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, TASK_THREAD_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Task threads take host signals only through the platform, never as handlers. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&t->thread, &attr, task_run, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return -err;
}

int task_block(struct task *t, pthread_mutex_t *mu, pthread_cond_t *cv,
	       const struct timespec *abstime)
{
	bool pending;
	int err;

	pthread_mutex_lock(&t->lock);
	pending = t->interrupted || t->exiting;
	if (!pending) {
		t->block_mu = mu;
		t->block_cv = cv;
	}
	pthread_mutex_unlock(&t->lock);
	if (pending)
		return -EINTR;
	/* task_interrupt sets the flag before taking mu, and we hold mu until the wait
	 * releases it, so its broadcast cannot fall between our check and the wait. */
	err = abstime ? pthread_cond_timedwait(cv, mu, abstime) : pthread_cond_wait(cv, mu);
	pthread_mutex_lock(&t->lock);
	t->block_mu = NULL;
	t->block_cv = NULL;
	pending = t->interrupted || t->exiting;
	pthread_mutex_unlock(&t->lock);
	if (pending)
		return -EINTR;
	return err == ETIMEDOUT ? -ETIMEDOUT : 0;
}

void task_interrupt(struct task *t)
{
	pthread_mutex_t *mu;
	pthread_cond_t *cv;

	pthread_mutex_lock(&t->lock);
	t->interrupted = true;
	mu = t->block_mu;
	cv = t->block_cv;
	pthread_mutex_unlock(&t->lock);
	/* Block locks are long-lived (static or owned by objects that outlive waiters). */
	if (mu) {
		pthread_mutex_lock(mu);
		pthread_cond_broadcast(cv);
		pthread_mutex_unlock(mu);
	}
	if (t->ctx)
		plat_interrupt(t->ctx);
}

/* Kills the whole thread group with signal sig (default action of a fatal signal). */
static void task_kill_fatal(struct task *t, int sig)
{
	bool core = sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
		    sig == SIGTRAP || sig == SIGABRT || sig == SIGQUIT || sig == SIGSYS;

	task_group_exit(t, sig | (core ? 0x80 : 0));
}

void task_group_exit(struct task *t, int wait_status)
{
	struct thread_group *tg = t->tg;
	struct task *o;

	pthread_mutex_lock(&tg->lock);
	if (!tg->exiting) {
		tg->exiting = true;
		tg->exit_status = wait_status;
	}
	list_for_each_entry(o, &tg->tasks, tg_node) {
		o->exiting = true;
		/* Only the caller notices by itself: t may be another process's task (kill,
		 * PDEATHSIG, a timer), blocked or spinning. */
		if (o != task_current())
			task_interrupt(o);
	}
	pthread_mutex_unlock(&tg->lock);
}

void task_exit(struct task *t)
{
	struct mm *mm;
	struct fdtable *fdt;
	struct fs_view *fs;

	if (t->ctx)
		plat_ctx_release(t->ctx);
	t->ctx = NULL;
	futex_exit_robust(t); /* before the CLEARTID wake, as Linux orders it */
	rusage_task_exit(t); /* while the address space's clock can still be read */
	timer_task_exit(t); /* t->exiting is set: timers stop targeting t from here */
	/* CLONE_CHILD_CLEARTID: zero the tid word and wake a joiner, as Linux does. */
	if (t->clear_child_tid && t->mm) {
		uint32_t zero = 0;

		if (!task_copy_out(t, t->clear_child_tid, &zero, sizeof(zero)))
			futex_wake(t, t->clear_child_tid, 1, FUTEX_BITSET_MATCH_ANY, false);
	}
	/* Others (procfs) take references on these under t->lock: detach them under it. */
	pthread_mutex_lock(&t->lock);
	mm = t->mm;
	fdt = t->fdt;
	fs = t->fs;
	t->mm = NULL;
	t->fdt = NULL;
	t->fs = NULL;
	pthread_mutex_unlock(&t->lock);
	if (mm)
		mm_put(mm);
	if (fdt)
		fdt_put(fdt);
	if (fs)
		fs_view_put(fs);
	/* The process tree: zombies, SIGCHLD, reaping, the end of the host thread. */
	proc_exit_task(t);
}

/* A guest fault the mm can't resolve becomes the signal Linux would send. */
static void task_handle_fault(struct task *t, const struct plat_fault *f)
{
	sig_handle_fault(t, f);
}

static void task_handle_syscall(struct task *t)
{
	struct sysargs a = { { t->regs.rdi, t->regs.rsi, t->regs.rdx, t->regs.r10, t->regs.r8,
			       t->regs.r9 } };
	long ret;

	/* t->interrupted stays: sig_deliver keeps it "a signal is pending" (TIF_SIGPENDING). */
	ret = syscall_dispatch(t, t->regs.orig_rax, &a);
	/* Restart codes stay in rax until sig_deliver resolves them (restart or EINTR). */
	sig_syscall_return(t, ret);
}

void *task_run(void *arg)
{
	struct task *t = arg;
	struct plat_fault fault;
	int ev;

	cur_task = t;
	ev = plat_new_ctx(t->k->platform, &t->ctx);
	if (ev < 0) {
		log_warn("task %d: cannot create a platform context: %s", t->tid, strerror(-ev));
		task_kill_fatal(t, SIGKILL);
		task_exit(t);
	}
	if (t->fp_init) {
		/* A clone starts with its parent's FPU/SSE state (rounding modes and all). */
		t->ctx->ops->set_fpregs(t->ctx, t->fp_init);
		free(t->fp_init);
		t->fp_init = NULL;
	}
	if (t->xstate_init) {
		/* Over the FXSAVE part just loaded: the same bytes, plus AVX and up. */
		t->ctx->ops->set_xstate(t->ctx, t->xstate_init, plat_xstate_size(NULL));
		free(t->xstate_init);
		t->xstate_init = NULL;
	}
	for (;;) {
		sig_deliver(t); /* may end the group: check exiting after it */
		if (t->exiting)
			task_exit(t);
		ev = plat_switch_to(t->ctx, mm_plat_as(t->mm), &t->regs, &fault);
		switch (ev) {
		case PLAT_SYSCALL:
			t->syscalls++;
			task_handle_syscall(t);
			break;
		case PLAT_FAULT:
			task_handle_fault(t, &fault);
			break;
		case PLAT_INTERRUPTED:
			break;
		default:
			log_warn("task %d: platform failure: %s", t->tid, strerror(-ev));
			task_kill_fatal(t, SIGKILL);
			break;
		}
	}
	return NULL;
}

int task_unshare_files(struct task *t)
{
	struct fdtable *n, *o;

	if (ref_read(&t->fdt->ref) == 1)
		return 0;
	n = fdt_copy(t->fdt);
	if (!n)
		return -ENOMEM;
	pthread_mutex_lock(&t->lock); /* procfs reads t->fdt under it */
	o = t->fdt;
	t->fdt = n;
	pthread_mutex_unlock(&t->lock);
	fdt_put(o);
	return 0;
}
