/*
 * What the terminals in fs/devpts need from the sentry's process tree: the caller's
 * process group and session, signalling a process group, the SIGTTIN/SIGTTOU checks.
 */
#ifndef SENTRY_TTY_JOBCTL_H
#define SENTRY_TTY_JOBCTL_H

struct kernel;

/* Hands fs/devpts the job-control callbacks for the sandbox kernel k (once, at boot). */
void tty_jobctl_register(struct kernel *k);

#endif
