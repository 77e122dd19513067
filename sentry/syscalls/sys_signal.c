/* Signal dispositions and masks (bookkeeping; delivery comes with the signals work). */
#include <errno.h>
#include <signal.h>

#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/syscalls.h"

#define SIG_BIT(s) (1ULL << ((s)-1))
#define UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
#define LINUX_MINSIGSTKSZ 2048
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

long sys_rt_sigaction(struct task *t, const struct sysargs *a)
{
	int sig = sysarg_int(a, 0);
	struct linux_sigaction act, old;
	struct sighand *sh = t->tg->sighand;
	int err;

	if (sysarg_size(a, 3) != sizeof(linux_sigset_t))
		return -EINVAL;
	if (sig < 1 || sig > LINUX_NSIG)
		return -EINVAL;
	if (sysarg_addr(a, 1)) {
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
		err = task_copy_in(t, sysarg_addr(a, 1), &act, sizeof(act));
		if (err)
			return err;
		act.mask &= ~UNBLOCKABLE;
	}
	pthread_mutex_lock(&sh->lock);
	old = sh->action[sig - 1];
	if (sysarg_addr(a, 1))
		sh->action[sig - 1] = act;
	pthread_mutex_unlock(&sh->lock);
	if (sysarg_addr(a, 2))
		return task_copy_out(t, sysarg_addr(a, 2), &old, sizeof(old));
	return 0;
}

long sys_rt_sigprocmask(struct task *t, const struct sysargs *a)
{
	int how = sysarg_int(a, 0);
	linux_sigset_t set, old = t->sigmask;
	int err;

	if (sysarg_size(a, 3) != sizeof(linux_sigset_t))
		return -EINVAL;
	if (sysarg_addr(a, 1)) {
		err = task_copy_in(t, sysarg_addr(a, 1), &set, sizeof(set));
		if (err)
			return err;
		set &= ~UNBLOCKABLE;
		switch (how) {
		case SIG_BLOCK:
			t->sigmask |= set;
			break;
		case SIG_UNBLOCK:
			t->sigmask &= ~set;
			break;
		case SIG_SETMASK:
			t->sigmask = set;
			break;
		default:
			return -EINVAL;
		}
	}
	if (sysarg_addr(a, 2)) {
		err = task_copy_out(t, sysarg_addr(a, 2), &old, sizeof(old));
		if (err) {
			t->sigmask = old;
			return err;
		}
	}
	return 0;
}

struct linux_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

long sys_sigaltstack(struct task *t, const struct sysargs *a)
{
	struct linux_stack ss, old;
	int err;

	old.ss_sp = t->altstack.sp;
	old.ss_size = t->altstack.size;
	old.ss_flags = t->altstack.size ? t->altstack.flags : SS_DISABLE;
	old.pad = 0;
	if (sysarg_addr(a, 0)) {
		int mode;

		err = task_copy_in(t, sysarg_addr(a, 0), &ss, sizeof(ss));
		if (err)
			return err;
		mode = ss.ss_flags & ~SS_AUTODISARM;
		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			t->altstack.sp = 0;
			t->altstack.size = 0;
			t->altstack.flags = SS_DISABLE;
		} else {
			if (ss.ss_size < LINUX_MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack.sp = ss.ss_sp;
			t->altstack.size = ss.ss_size;
			t->altstack.flags = ss.ss_flags & SS_AUTODISARM;
		}
	}
	if (sysarg_addr(a, 1))
		return task_copy_out(t, sysarg_addr(a, 1), &old, sizeof(old));
	return 0;
}

/* kill(2): pid > 0 one process, 0 the caller's group, -1 every process but init, < -1 the
 * group -pid. */
long sys_kill(struct task *t, const struct sysargs *a)
{
	int pid = sysarg_int(a, 0), sig = sysarg_int(a, 1);
	struct kernel *k = t->k;
	int err = -ESRCH, found = 0;

	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	pthread_mutex_lock(&k->lock);
	if (pid > 0) {
		struct task *o = kernel_find_task(k, pid);

		if (o && o->tg->tgid == pid)
			err = sig_send(o->tg->leader ? o->tg->leader : o, sig, true);
		pthread_mutex_unlock(&k->lock);
		return err;
	}
	for (int i = 1; i < KERNEL_MAX_PID; i++) {
		struct task *o = k->pid_table[i];

		if (!o || o->tg->tgid != i)
			continue; /* one entry per process: its leader's pid */
		if (pid == 0 && o->tg->pgid != t->tg->pgid)
			continue;
		if (pid == -1 && (i == 1 || o->tg == t->tg) && o->tg != t->tg)
			continue;
		if (pid < -1 && o->tg->pgid != -pid)
			continue;
		found++;
		err = sig_send(o, sig, true);
	}
	pthread_mutex_unlock(&k->lock);
	return found ? 0 : err;
}

static long send_to_thread(struct task *t, int tgid, int tid, int sig)
{
	struct task *o;
	long err = -ESRCH;

	if (tid <= 0 || (tgid != -1 && tgid <= 0))
		return -EINVAL;
	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	o = kernel_find_task(t->k, tid);
	if (o && (tgid == -1 || o->tg->tgid == tgid))
		err = sig_send(o, sig, false);
	pthread_mutex_unlock(&t->k->lock);
	return err;
}

long sys_tgkill(struct task *t, const struct sysargs *a)
{
	return send_to_thread(t, sysarg_int(a, 0), sysarg_int(a, 1), sysarg_int(a, 2));
}

long sys_tkill(struct task *t, const struct sysargs *a)
{
	return send_to_thread(t, -1, sysarg_int(a, 0), sysarg_int(a, 1));
}
