/*
 * What the OCI commands share: the global flags podman and containerd pass before the
 * command (runc's names), error reporting into --log as runc does, and the container id
 * and signal arguments.
 */
#ifndef RUNTIME_OCI_CLI_H
#define RUNTIME_OCI_CLI_H

#include <stdbool.h>

struct oci_globals {
	const char *root; /* --root: the state directory (OCI_DEFAULT_ROOT) */
	const char *log; /* --log FILE: errors (and --debug lines) go there too */
	bool log_json; /* --log-format json */
	bool debug;
	bool systemd_cgroup; /* accepted: cgroupfs is used with systemd's path form */
	/* Warden's own */
	const char *platform;
	const char *network; /* "sandbox" (default: Warden's own stack) or "none" */
	bool strace;
	const char *debug_log;
	const char *overlay; /* "memory" (default) or "none" */
};

extern struct oci_globals oci_globals;

/* Parses the global flags at argv[1..]; returns how many arguments they took, or -1
 * after printing a usage error. Both "--root DIR" and "--root=DIR" forms. */
int oci_globals_parse(int argc, char **argv);

/* Writes a line to --log in its format (a no-op without --log). level: "error"... */
void oci_log(const char *level, const char *msg);

/* The line cmd_error writes on stderr: "warden: MSG", or a JSON object with
 * --log-format json (runc's logrus format, which the containerd shim parses). */
void oci_log_stderr(const char *level, const char *msg);
/* --debug: one debug line naming the command, to --log or stderr. */
void oci_debug_command(int argc, char **argv);

/* Parses a signal as runc does: "9", "KILL", "SIGKILL", any case. -1 if unknown. */
int oci_signal_parse(const char *s);

struct oci_state;
/* Loads container id's state (current: a gone sandbox is "stopped"), taking its lock
 * when lock_fd is given; prints "container does not exist" and returns NULL if none. */
struct oci_state *oci_container_load(const char *id, int *lock_fd);

/* Writes pid (no newline, as runc) to path through a temp file renamed over it. */
int oci_write_pid_file(const char *path, int pid);

/* Status for an error the OCI commands report: runc's 1. */
#define OCI_EXIT_ERROR 1

#endif
