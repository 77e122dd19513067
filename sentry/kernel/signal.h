/*
 * Signal generation. Default actions (terminate, core, ignore) are applied here; a
 * signal with a guest handler, or a blocked one, stays pending in the target until
 * delivery (frames, sigreturn) exists.
 */
#ifndef SENTRY_KERNEL_SIGNAL_H
#define SENTRY_KERNEL_SIGNAL_H

#include <stdbool.h>

struct task;

enum sig_default { SIG_DEF_TERM, SIG_DEF_CORE, SIG_DEF_IGNORE, SIG_DEF_STOP, SIG_DEF_CONT };

enum sig_default sig_default_action(int sig);
/* Sends sig to target (the whole thread group when group is true), with a siginfo of
 * SI_USER from no one in particular. 0 or -errno. */
int sig_send(struct task *target, int sig, bool group);
/* Sends info->si_signo with that siginfo (kill/tgkill fill si_pid/si_uid, the kernel
 * fills SIGCHLD and fault details). 0 or -errno. */
struct linux_siginfo;
int sig_send_info(struct task *target, const struct linux_siginfo *info, bool group);

#endif
