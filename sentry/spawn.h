/*
 * Processes the sandbox starts from outside the guest: its init, and the processes the
 * runtime execs into a running container (`warden exec`), which have no parent in the
 * guest (as runsc's) and report their exit to the runtime instead.
 */
#ifndef SENTRY_SPAWN_H
#define SENTRY_SPAWN_H

#include "sentry/kernel/task.h"
#include "sentry/sentry.h"

/*
 * A new process running p's command, loaded but not started (task_start(*out) runs it):
 * pid 1 and k->init when the sandbox has no init yet, else a parentless process in its
 * own session. Its filesystem view starts at root's root; stdio[i] (a host fd, or -1 for
 * closed) becomes its fd i. -errno with *stage saying whether setting up or executing
 * the command failed (-ENOENT, -EACCES, -ENOEXEC...).
 */
int spawn_process(struct kernel *k, const struct sentry_process *p, struct fs_view *root,
		  const int stdio[3], struct task **out, enum sentry_stage *stage);

#endif
