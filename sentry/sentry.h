/*
 * The sentry's entry point: boots a sandbox kernel (memory file, platform, root
 * filesystem, init process) and runs it until init exits.
 */
#ifndef SENTRY_SENTRY_H
#define SENTRY_SENTRY_H

#include <stdbool.h>

struct sentry_config {
	const char *platform; /* "ptrace" */
	bool strace;
	const char *debug_log; /* NULL = off */
	const char *host_root; /* the root served read-only, "/" for `warden do` */
	/* --overlay=none: the root is host_root itself, its gofer serving writes; else the
	 * root is an in-memory overlay over it and the host never changes */
	bool host_root_rw;
	const int *gofer_fds; /* channels to the gofer serving host_root (it opens files) */
	int gofer_nchan;
	const char *cwd; /* the guest's initial cwd (falls back to /) */
	char *const *argv; /* the init process's command; argv[0] resolved on PATH */
	char *const *envp;
	const char *hostname;
	int max_tasks; /* 0 = KERNEL_MAX_TASKS */
	/* Extra mounts of host directories, each served by its own gofer. */
	const struct sentry_volume {
		const char *host, *guest;
		bool readonly; /* ':ro': mounted MS_RDONLY, its gofer refuses writes too */
		const int *gofer_fds; /* channels to the gofer serving host */
		int gofer_nchan;
	} * volumes;
	int nvolumes;
};

/* Where a failed start came from, for the CLI's message and exit status. */
enum sentry_stage { SENTRY_STAGE_SETUP, SENTRY_STAGE_EXEC };

/*
 * Runs the sandbox. Returns 0 with *wait_status set to init's wait status (as from
 * waitpid), or -errno with *stage saying whether the sandbox could not be set up or the
 * command could not be executed (-ENOENT, -EACCES, -ENOEXEC...).
 */
int sentry_run(const struct sentry_config *cfg, int *wait_status, enum sentry_stage *stage);

#endif
