/* Signal syscalls: dispositions, masks, sending, waiting, sigreturn and the altstack. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "sentry/kernel/sigframe.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/syscalls.h"

#define SA_EXPOSE_TAGBITS_ 0x800
/* The flags rt_sigaction keeps (Linux's UAPI_SA_FLAGS on x86-64); others read back 0. */
#define SA_KNOWN                                                                           \
	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER | \
	 SA_RESETHAND | SA_EXPOSE_TAGBITS_ | LINUX_SA_RESTORER)

static bool sig_valid(int sig)
{
	return sig >= 1 && sig <= LINUX_NSIG;
}

/* rt_sigaction(2): 0 or -EINVAL/-EFAULT. */
long sys_rt_sigaction(struct task *t, const struct sysargs *a)
{
	int sig = sysarg_int(a, 0);
	struct linux_sigaction act, old;
	int err;

	if (sysarg_size(a, 3) != sizeof(linux_sigset_t))
		return -EINVAL;
	if (sysarg_addr(a, 1)) {
		/* Linux reads the new action before it checks the signal number. */
		err = task_copy_in(t, sysarg_addr(a, 1), &act, sizeof(act));
		if (err)
			return err;
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
		act.mask &= ~SIG_UNBLOCKABLE;
		act.flags &= SA_KNOWN;
	}
	if (!sig_valid(sig))
		return -EINVAL;
	sig_set_action(t, sig, sysarg_addr(a, 1) ? &act : NULL, &old);
	old.flags &= SA_KNOWN;
	if (sysarg_addr(a, 2))
		return task_copy_out(t, sysarg_addr(a, 2), &old, sizeof(old));
	return 0;
}

/* rt_sigprocmask(2): 0 or -EINVAL/-EFAULT. */
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
		switch (how) {
		case SIG_BLOCK:
			sig_set_mask(t, old | set);
			break;
		case SIG_UNBLOCK:
			sig_set_mask(t, old & ~set);
			break;
		case SIG_SETMASK:
			sig_set_mask(t, set);
			break;
		default:
			return -EINVAL;
		}
	}
	if (sysarg_addr(a, 2))
		return task_copy_out(t, sysarg_addr(a, 2), &old, sizeof(old));
	return 0;
}

/* rt_sigpending(2): the pending signals the caller blocks. */
long sys_rt_sigpending(struct task *t, const struct sysargs *a)
{
	struct sighand *sh = t->tg->sighand;
	linux_sigset_t set;

	if (sysarg_size(a, 1) > sizeof(linux_sigset_t))
		return -EINVAL;
	pthread_mutex_lock(&sh->lock);
	set = (t->sig.pending.set | t->tg->sig.pending.set) & t->sigmask;
	pthread_mutex_unlock(&sh->lock);
	return task_copy_out(t, sysarg_addr(a, 0), &set, sysarg_size(a, 1));
}

/* sigaltstack(2): 0 or -EFAULT/-EPERM/-EINVAL/-ENOMEM. */
long sys_sigaltstack(struct task *t, const struct sysargs *a)
{
	struct linux_stack ss, old;
	int err;

	if (sysarg_addr(a, 0)) {
		err = task_copy_in(t, sysarg_addr(a, 0), &ss, sizeof(ss));
		if (err)
			return err;
	}
	err = sig_altstack(t, sysarg_addr(a, 0) ? &ss : NULL, &old, t->regs.rsp);
	if (err)
		return err;
	if (sysarg_addr(a, 1))
		return task_copy_out(t, sysarg_addr(a, 1), &old, sizeof(old));
	return 0;
}

/* rt_sigreturn(2): the restored rax; a frame that can't be read kills with SIGSEGV. */
long sys_rt_sigreturn(struct task *t, const struct sysargs *a)
{
	(void)a;
	if (sigframe_restore(t)) {
		sig_force_fault(t, SIGSEGV, SI_KERNEL, 0);
		return 0;
	}
	t->sig.sigreturned = true;
	return (long)t->regs.rax;
}

/* Waits until t has a signal to deliver (or must stop or exit). */
static void wait_for_signal(struct task *t)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

	while (!sig_pending(t)) {
		pthread_mutex_lock(&mu);
		task_block(t, &mu, &cv, NULL);
		pthread_mutex_unlock(&mu);
	}
	pthread_cond_destroy(&cv);
}

/* pause(2): returns -EINTR once a handler has run. */
long sys_pause(struct task *t, const struct sysargs *a)
{
	(void)a;
	wait_for_signal(t);
	return -ERESTARTNOHAND;
}

/* rt_sigsuspend(2): waits with a temporary mask; -EINTR after a handler ran. */
long sys_rt_sigsuspend(struct task *t, const struct sysargs *a)
{
	linux_sigset_t mask;
	int err;

	if (sysarg_size(a, 1) != sizeof(linux_sigset_t))
		return -EINVAL;
	err = task_copy_in(t, sysarg_addr(a, 0), &mask, sizeof(mask));
	if (err)
		return err;
	sig_set_temp_mask(t, mask);
	wait_for_signal(t);
	return -ERESTARTNOHAND;
}

/* rt_sigtimedwait(2): the signal taken from the set, -EAGAIN on timeout, -EINTR. */
long sys_rt_sigtimedwait(struct task *t, const struct sysargs *a)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	struct sighand *sh = t->tg->sighand;
	linux_sigset_t these, blocked;
	struct linux_timespec lts;
	struct linux_siginfo info;
	struct timespec abs;
	bool has_timeout = sysarg_addr(a, 2) != 0, zero = false;
	int sig, err = 0;

	if (sysarg_size(a, 3) != sizeof(linux_sigset_t))
		return -EINVAL;
	err = task_copy_in(t, sysarg_addr(a, 0), &these, sizeof(these));
	if (err)
		return err;
	if (has_timeout) {
		err = task_copy_in(t, sysarg_addr(a, 2), &lts, sizeof(lts));
		if (err)
			return err;
		if (lts.tv_sec < 0 || lts.tv_nsec < 0 || lts.tv_nsec >= 1000000000)
			return -EINVAL;
		zero = !lts.tv_sec && !lts.tv_nsec;
		clock_gettime(CLOCK_MONOTONIC, &abs);
		if (lts.tv_sec > INT32_MAX)
			lts.tv_sec = INT32_MAX;
		abs.tv_sec += lts.tv_sec;
		abs.tv_nsec += lts.tv_nsec;
		if (abs.tv_nsec >= 1000000000) {
			abs.tv_sec++;
			abs.tv_nsec -= 1000000000;
		}
	}
	these &= ~SIG_UNBLOCKABLE;
	memset(&info, 0, sizeof(info));

	sig = sig_dequeue_set(t, these, &info);
	if (!sig && !zero) {
		pthread_condattr_t ca;
		pthread_cond_t cv;

		/* Wait with the set unblocked so that senders pick and wake this thread. */
		pthread_mutex_lock(&sh->lock);
		blocked = t->sigmask;
		t->sig.real_blocked = blocked;
		pthread_mutex_unlock(&sh->lock);
		sig_set_mask(t, blocked & ~these);
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&cv, &ca);
		pthread_condattr_destroy(&ca);
		do {
			pthread_mutex_lock(&mu);
			err = task_block(t, &mu, &cv, has_timeout ? &abs : NULL);
			pthread_mutex_unlock(&mu);
		} while (err == 0);
		pthread_cond_destroy(&cv);
		sig_set_mask(t, blocked);
		pthread_mutex_lock(&sh->lock);
		t->sig.real_blocked = 0;
		pthread_mutex_unlock(&sh->lock);
		sig = sig_dequeue_set(t, these, &info);
	}
	if (!sig)
		return err == -EINTR ? -EINTR : -EAGAIN;
	if (sysarg_addr(a, 1)) {
		err = task_copy_out(t, sysarg_addr(a, 1), &info, sizeof(info));
		if (err)
			return err;
	}
	return sig;
}

/* kill(2): pid > 0 one process, 0 the caller's group, -1 every process but init and the
 * caller's, < -1 the group -pid. */
long sys_kill(struct task *t, const struct sysargs *a)
{
	int pid = sysarg_int(a, 0), sig = sysarg_int(a, 1);
	struct kernel *k = t->k;
	struct linux_siginfo info;
	int err = -ESRCH, ret = pid == -1 ? 0 : -ESRCH;
	bool any_ok = false;
	int count = 0;

	if (pid == INT32_MIN)
		return -ESRCH;
	sig_info_from(t, sig, SI_USER, &info);
	pthread_mutex_lock(&k->lock);
	if (pid > 0) {
		struct task *o = kernel_find_task(k, pid);

		if (o && o->tg->tgid == pid) {
			err = sig_valid(sig) || !sig ? sig_check_kill(t, o, &info) : -EINVAL;
			if (!err)
				err = sig_send_info(o, &info, true);
		}
		pthread_mutex_unlock(&k->lock);
		return err;
	}
	for (int i = 1; i < KERNEL_MAX_PID; i++) {
		struct task *o = k->pid_table[i];

		if (!o || o->tg->tgid != i || o->tg->exiting)
			continue; /* one entry per process: its leader's pid */
		if (pid == 0 && o->tg->pgid != t->tg->pgid)
			continue;
		if (pid == -1 && (i == 1 || o->tg == t->tg))
			continue;
		if (pid < -1 && o->tg->pgid != -pid)
			continue;
		count++;
		err = sig_valid(sig) || !sig ? sig_check_kill(t, o, &info) : -EINVAL;
		if (!err)
			err = sig_send_info(o, &info, true);
		if (!err)
			any_ok = true;
		/* kill(-1) reports the last error but EPERM, a group the last error. */
		if (pid != -1 || err != -EPERM)
			ret = err;
	}
	pthread_mutex_unlock(&k->lock);
	if (!count)
		return -ESRCH;
	if (pid == -1)
		return ret;
	return any_ok ? 0 : ret;
}

/* Sends info to thread tid (of tgid unless -1). k->lock not held. */
static long send_to_thread(struct task *t, int tgid, int tid, struct linux_siginfo *info)
{
	struct task *o;
	long err = -ESRCH;

	pthread_mutex_lock(&t->k->lock);
	o = kernel_find_task(t->k, tid);
	if (o && (tgid == -1 || o->tg->tgid == tgid)) {
		err = sig_valid(info->si_signo) || !info->si_signo ? sig_check_kill(t, o, info) :
								     -EINVAL;
		if (!err)
			err = sig_send_info(o, info, false);
	}
	pthread_mutex_unlock(&t->k->lock);
	return err;
}

long sys_tgkill(struct task *t, const struct sysargs *a)
{
	int tgid = sysarg_int(a, 0), tid = sysarg_int(a, 1);
	struct linux_siginfo info;

	if (tid <= 0 || tgid <= 0)
		return -EINVAL;
	sig_info_from(t, sysarg_int(a, 2), SI_TKILL, &info);
	return send_to_thread(t, tgid, tid, &info);
}

long sys_tkill(struct task *t, const struct sysargs *a)
{
	int tid = sysarg_int(a, 0);
	struct linux_siginfo info;

	if (tid <= 0)
		return -EINVAL;
	sig_info_from(t, sysarg_int(a, 1), SI_TKILL, &info);
	return send_to_thread(t, -1, tid, &info);
}

/* The siginfo of rt_(tg)sigqueueinfo: a process may not forge kernel or kill() codes
 * unless it signals itself. */
static int queueinfo_in(struct task *t, uaddr_t uinfo, int sig, int self_id, int target_id,
			struct linux_siginfo *info)
{
	int err = task_copy_in(t, uinfo, info, sizeof(*info));

	if (err)
		return err;
	info->si_signo = sig;
	if ((info->si_code >= 0 || info->si_code == SI_TKILL) && self_id != target_id)
		return -EPERM;
	return 0;
}

/* rt_sigqueueinfo(2): sig with the caller's siginfo to process tgid. */
long sys_rt_sigqueueinfo(struct task *t, const struct sysargs *a)
{
	int pid = sysarg_int(a, 0), sig = sysarg_int(a, 1);
	struct linux_siginfo info;
	struct task *o;
	long err;

	err = queueinfo_in(t, sysarg_addr(a, 2), sig, t->tg->tgid, pid, &info);
	if (err)
		return err;
	pthread_mutex_lock(&t->k->lock);
	o = pid > 0 ? kernel_find_task(t->k, pid) : NULL;
	err = -ESRCH;
	if (o && o->tg->tgid == pid) {
		err = sig_valid(sig) || !sig ? sig_check_kill(t, o, &info) : -EINVAL;
		if (!err)
			err = sig_send_info(o, &info, true);
	}
	pthread_mutex_unlock(&t->k->lock);
	return err;
}

/* rt_tgsigqueueinfo(2): the same to one thread. */
long sys_rt_tgsigqueueinfo(struct task *t, const struct sysargs *a)
{
	int tgid = sysarg_int(a, 0), tid = sysarg_int(a, 1), sig = sysarg_int(a, 2);
	struct linux_siginfo info;
	long err;

	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	err = queueinfo_in(t, sysarg_addr(a, 3), sig, t->tid, tid, &info);
	if (err)
		return err;
	return send_to_thread(t, tgid, tid, &info);
}

/* restart_syscall(2): resumes the call a signal interrupted (nanosleep & co). */
long sys_restart_syscall(struct task *t, const struct sysargs *a)
{
	long (*fn)(struct task *) = t->sig.restart.fn;

	(void)a;
	t->sig.restart.fn = NULL;
	return fn ? fn(t) : -EINTR;
}
