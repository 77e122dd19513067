/*
 * The OCI state directory: ROOT/ID/ (ROOT is --root, /run/warden by default) holds
 * state.json (what `warden state` reports and what the other commands need to find the
 * sandbox) and the control socket. Writes are atomic (a temp file renamed over the old),
 * and every command that changes a container holds the directory's lock, so a `kill`
 * racing a `delete` sees one or the other.
 */
#ifndef RUNTIME_OCI_STATE_H
#define RUNTIME_OCI_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define OCI_DEFAULT_ROOT "/run/warden"
#define OCI_ID_MAX 1024

enum oci_status {
	OCI_CREATING,
	OCI_CREATED,
	OCI_RUNNING,
	OCI_PAUSED,
	OCI_STOPPED,
};

struct oci_state {
	char *id;
	pid_t pid; /* the sandbox's init as the host sees it: the sentry process */
	uint64_t pid_start; /* its start time (/proc/PID/stat field 22): pid reuse check */
	enum oci_status status; /* as last recorded; oci_state_refresh makes it current */
	char *bundle; /* absolute */
	char *rootfs; /* absolute */
	char *created; /* RFC 3339 with nanoseconds, UTC */
	char *owner; /* "" */
	char *config; /* the bundle's config.json path at create time */
	char *cgroup; /* the sandbox's cgroup path (cgroup.h), "" for none */
	bool started; /* `start` released its init (a paused container resumes to this) */
	pid_t gofer_pids[17];
	int n_gofers;
	/* annotations copied from config.json, as "key\0value\0" pairs */
	char **annotations; /* NULL-terminated, key and value alternate */
};

/* Whether id is a valid container id (runc's rule: [A-Za-z0-9_+.-]+, not "." or ".."). */
bool oci_id_valid(const char *id);
/* ROOT/ID into buf. -ENAMETOOLONG or -EINVAL (bad id). */
int oci_state_path(const char *root, const char *id, const char *leaf, char *buf, size_t len);

/* Creates ROOT/ID exclusively (-EEXIST if the container exists) and takes its lock;
 * *lock_fd is the lock to release with oci_state_unlock. */
int oci_state_create_dir(const char *root, const char *id, int *lock_fd);
/* Takes the lock of an existing container (-ENOENT if there is none). */
int oci_state_lock(const char *root, const char *id, int *lock_fd);
void oci_state_unlock(int lock_fd);

int oci_state_save(const char *root, const struct oci_state *s);
/* Loads ROOT/ID/state.json: 0, -ENOENT (no such container), -EINVAL (damaged). */
int oci_state_load(const char *root, const char *id, struct oci_state **out);
void oci_state_free(struct oci_state *s);
/* Removes ROOT/ID and everything in it. */
int oci_state_remove(const char *root, const char *id);

/* Whether pid is alive and still the process that started at start. */
bool oci_pid_alive(pid_t pid, uint64_t start);
/* /proc/PID/stat's start time, or 0 if the process is gone. */
uint64_t oci_pid_start_time(pid_t pid);
/* Marks s stopped if its sentry is gone. */
void oci_state_refresh(struct oci_state *s);

const char *oci_status_name(enum oci_status st);
/* The runc-format state document ({ociVersion,id,pid,status,bundle,rootfs,created,owner,
 * annotations}) as a malloc'd JSON string, or NULL. */
char *oci_state_json(const struct oci_state *s, bool pretty);
/* The current UTC time in RFC 3339 with nanoseconds, into buf (at least 40 bytes). */
void oci_now_rfc3339(char *buf, size_t len);

#endif
