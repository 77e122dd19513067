/*
 * The sentry's entry point: boots a sandbox kernel (memory file, platform, root
 * filesystem, init process) and runs it until init exits.
 */
#ifndef SENTRY_SENTRY_H
#define SENTRY_SENTRY_H

#include <stdbool.h>
#include <stdint.h>

/* A process the sandbox runs: its init (the command), or one the runtime execs into it. */
struct sentry_process {
	char *const *argv; /* argv[0] resolved on the guest's PATH */
	char *const *envp;
	const char *cwd;
	/* When cwd does not resolve: false, "/" instead (`warden do`); true, init makes it
	 * and an exec'd process fails (runc's rules). */
	bool cwd_strict;
	/* Unless has_user: the host's uid and gid (`warden do`). */
	bool has_user;
	uint32_t uid, gid;
	const uint32_t *groups;
	uint32_t ngroups;
	/* Unless has_caps: root's full set for uid 0, none otherwise. Bit masks of CAP_*. */
	bool has_caps;
	uint64_t cap_effective, cap_permitted, cap_inheritable, cap_bounding;
	bool no_new_privs;
	const struct sentry_rlimit {
		int resource; /* RLIMIT_* */
		uint64_t soft, hard;
	} * rlimits; /* over the host's own limits */
	int nrlimits;
	bool has_umask;
	uint32_t umask;
	bool has_oom_score_adj;
	int oom_score_adj;
};

/*
 * A mount the sandbox starts with, in order (a later one may sit on an earlier one). The
 * mountpoint is made (a directory, or an empty file for a file bind) where missing.
 */
struct sentry_mount {
	const char *dest; /* absolute guest path */
	/* "bind" (a tree a gofer serves), "devfs" (Warden's /dev, with /dev/shm), or a
	 * type mount(2) knows: "tmpfs", "proc", "sysfs" */
	const char *type;
	unsigned long flags; /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC... */
	const char *data; /* the filesystem's options ("size=64k,mode=755"), or NULL */
	/* bind: channels to the gofer serving the source (mounts naming the same channels
	 * share one filesystem); file: the source's name in that gofer's root directory
	 * when the source is a file, NULL when it is the gofer's root itself */
	const int *gofer_fds;
	int gofer_nchan;
	const char *file;
};

struct sentry_config {
	const char *platform; /* "ptrace" */
	bool strace;
	/* `warden do -t`: when fd 0 is a terminal, init gets a pty of the sandbox as its
	 * stdio and controlling terminal, relayed to the host terminal (tty_relay.h) */
	bool tty;
	const char *debug_log; /* NULL = off */
	/* --overlay=none: the root is the gofer's tree itself, served read-write; else an
	 * in-memory overlay over it and the host never changes */
	bool host_root_rw;
	bool root_readonly; /* the guest's / is mounted read-only (OCI root.readonly) */
	const int *gofer_fds; /* channels to the gofer serving the root (it opens files) */
	int gofer_nchan;
	struct sentry_process init;
	const char *hostname;
	const char *domainname; /* NULL = "(none)" */
	int max_tasks; /* 0 = KERNEL_MAX_TASKS */
	const struct sentry_mount *mounts;
	int nmounts;
	/* OCI linux.maskedPaths (hidden: /dev/null on files, an empty read-only tmpfs on
	 * directories) and readonlyPaths (bound read-only on themselves); missing ones are
	 * skipped. NULL-terminated or NULL. */
	char *const *masked_paths;
	char *const *readonly_paths;
	/* The runtime's control channel: a listening socket the sentry serves (start,
	 * kill, exec, ps; sentry/control.h), or -1 for none. */
	int control_fd;
	/* With a control channel: init is loaded but waits for "start". */
	bool start_gate;
	/* Called once the sandbox is set up and init loaded, just before it waits for
	 * "start" (or starts init): the runtime's "created". */
	void (*on_ready)(void *arg);
	void *ready_arg;
};

/* Where a failed start came from, for the CLI's message and exit status. */
enum sentry_stage { SENTRY_STAGE_SETUP, SENTRY_STAGE_CWD, SENTRY_STAGE_EXEC };

/*
 * Runs the sandbox. Returns 0 with *wait_status set to init's wait status (as from
 * waitpid), or -errno with *stage saying whether the sandbox could not be set up or the
 * command could not be executed (-ENOENT, -EACCES, -ENOEXEC...).
 */
int sentry_run(const struct sentry_config *cfg, int *wait_status, enum sentry_stage *stage);

#endif
