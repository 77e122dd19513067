/*
 * `create`: a sandbox for a bundle. The CLI forks the sandbox process into a fresh pid
 * namespace (it is that namespace's init, so everything of the sandbox dies with it) and
 * fresh mount, UTS, IPC and network namespaces, inside the container's cgroup. There it
 * starts the gofers (the root and each bind source) and runs the sentry, whose init is
 * loaded but waits for `start` on the control socket. The sandbox process exits with the
 * container's status (128+N when init was killed by signal N), which is what conmon and
 * containerd's shim, reaping it as subreapers, report.
 */
#ifndef RUNTIME_OCI_SANDBOX_H
#define RUNTIME_OCI_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

/* The host cgroup's pids.max for a container whose pids.limit is n (see host_resources). */
#define OCI_HOST_PIDS(n) (2 * (n) + 64)

struct oci_create_opts {
	const char *id;
	const char *bundle; /* "." when not given */
	const char *pid_file; /* NULL = none */
	const char *console_socket; /* NULL = none */
	bool detached; /* create, run --detach: no caller stays to own a terminal */
};

/* Creates the container: 0 with *pid the sandbox process (a child of the caller), or
 * OCI_EXIT_ERROR after printing the error, with nothing left behind. */
int oci_create(const struct oci_create_opts *o, pid_t *pid);

struct oci_state;

/* Tears a container down: SIGKILLs its sandbox (if alive), waits for it to go, destroys
 * its cgroup, removes its state directory, then runs the poststop hooks (a failing one
 * is reported, nothing more). The caller holds the state lock. 0 or OCI_EXIT_ERROR. */
int oci_destroy(struct oci_state *st);

/* The container's exit status from the sandbox process's wait status. */
int oci_exit_status(int wait_status);

#endif
