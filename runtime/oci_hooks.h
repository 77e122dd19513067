/*
 * OCI lifecycle hooks (config.json "hooks"): programs the runtime runs on the host at
 * fixed points of a container's life, each given the container's state document on stdin.
 */
#ifndef RUNTIME_OCI_HOOKS_H
#define RUNTIME_OCI_HOOKS_H

#include <stddef.h>

#include "runtime/oci_spec.h"

/*
 * Runs the hooks of stage st in order, as runc does: each is executed by path (execve, no
 * PATH search) with argv = its args (or just its path when args is empty), environment =
 * exactly its env, stdin = a pipe carrying state_json (the whole document, then EOF; a hook
 * may leave it unread), stdout and stderr captured (runc puts them in its error message),
 * no other file descriptor, default signal dispositions, and its own process group so a
 * timeout kills what it started as well.
 *
 * 0 when every hook exits 0. Otherwise the first failure, with one printable line in err
 * ("error running prestart hook #1 (/usr/bin/x): exit status 3, stdout: ..., stderr: ..."):
 *   -ETIMEDOUT  ran past its timeout (seconds; 0 = none) and was SIGKILLed,
 *   -EIO        exited non-zero or was killed by a signal,
 *   -errno      execve failed (-ENOENT, -EACCES...) or the runtime ran out of resources.
 * A failure stops the stage, except poststop, where the spec wants the remaining hooks run
 * anyway (the caller only warns about it).
 *
 * Every child is reaped before return. The caller must not reap children it did not start
 * (a SIGCHLD handler calling waitpid(-1)). SIGPIPE from a hook that closes its stdin early
 * is blocked in the calling thread for the duration and never delivered.
 */
int oci_hooks_run(const struct oci_spec *s, enum oci_hook_stage st, const char *state_json,
		  char *err, size_t errlen);

/* One hook; index and the stage name appear in the message. Same returns as above. */
int oci_hook_run(const struct oci_hook *h, const char *stage, size_t index, const char *state_json,
		 char *err, size_t errlen);

#endif
