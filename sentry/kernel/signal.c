/* Signal generation: dispositions, default actions, pending sets. */
#include <errno.h>
#include <signal.h>

#include "common/log.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"

#define SIG_BIT(s) (1ULL << ((s)-1))

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

int sig_send(struct task *target, int sig, bool group)
{
	struct linux_siginfo info = { .si_signo = sig, .si_code = SI_USER };

	return sig_send_info(target, &info, group);
}

int sig_send_info(struct task *target, const struct linux_siginfo *info, bool group)
{
	int sig = info->si_signo;
	struct sighand *sh = target->tg->sighand;
	uint64_t handler;

	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	if (sig == 0)
		return 0;
	pthread_mutex_lock(&sh->lock);
	handler = sh->action[sig - 1].handler;
	pthread_mutex_unlock(&sh->lock);
	if (sig != SIGKILL && sig != SIGSTOP) {
		if (handler == (uint64_t)(uintptr_t)SIG_IGN)
			return 0;
		if (handler != (uint64_t)(uintptr_t)SIG_DFL || (target->sigmask & SIG_BIT(sig))) {
			/* Caught or blocked: pending until delivery exists. */
			__atomic_or_fetch(group ? &target->tg->pending : &target->pending,
					  SIG_BIT(sig), __ATOMIC_RELAXED);
			log_debug("signal %d to %d left pending (no handler delivery yet)", sig,
				  target->tid);
			return 0;
		}
	}
	switch (sig_default_action(sig)) {
	case SIG_DEF_TERM:
		task_group_exit(target, sig);
		break;
	case SIG_DEF_CORE:
		task_group_exit(target, sig | 0x80);
		break;
	default:
		/* Ignored; stop/continue come with job control. */
		break;
	}
	return 0;
}
