/* Signal dispositions and masks (bookkeeping; delivery comes with the signals work). */
#include <errno.h>
#include <signal.h>

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
