/*
 * The cgroup placed around a sandbox's host processes (sentry, gofers, stubs): resource
 * limits from linux.resources, `warden pause/resume` (the freezer), `warden ps` (its
 * pids), `warden events --stats` and the final kill on `delete`.
 *
 * Both layouts are supported, detected at run time as runc does (statfs of /sys/fs/cgroup):
 * cgroup v2 (one unified tree; controllers enabled in the ancestors' cgroup.subtree_control)
 * and cgroup v1 / hybrid (one directory per controller hierarchy Warden uses: memory, cpu,
 * cpuacct, pids, freezer; a hierarchy that is not mounted is skipped unless a limit needs it).
 * Warden always drives cgroupfs itself, also with --systemd-cgroup: that flag only changes
 * how cgroupsPath is spelled (see cgroup_path_from_spec).
 *
 * A cgroup path is the string cgroup_path_from_spec returns: "/a/b" is taken from the root
 * of each hierarchy; "a/b" (relative) from the caller's own cgroup in that hierarchy (on v2
 * its parent, as runc: the caller's own cgroup holds processes, so its children could not
 * get controllers). The CLI saves that string in its state and reopens the cgroup with it.
 *
 * Errors are -errno; the functions that touch several files also take an err buffer and
 * write one printable line naming the file ("memory.limit_in_bytes: Invalid argument").
 */
#ifndef RUNTIME_CGROUP_H
#define RUNTIME_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct oci_resources;
struct cgroup;

/*
 * The cgroup path for config.json's linux.cgroupsPath and container id, into buf.
 * Without systemd (runc's cgroupfs driver): "" -> "<id>" (relative, runc's default),
 * otherwise the path cleaned of "//" and "./". With systemd the form is
 * "slice:prefix:name" -> "/<expanded slice>/<prefix>-<name>.scope" ("a-b.slice" expands to
 * "/a.slice/a-b.slice", "" to system.slice, "-.slice" to the root; a name ending in ".slice"
 * is used as is) and "" means ":warden:<id>". -EINVAL for a ".." component, a malformed
 * systemd triple or a bad id; -ENAMETOOLONG if buf is too small.
 */
int cgroup_path_from_spec(const char *cgroups_path, const char *id, bool systemd, char *buf,
			  size_t len);

/*
 * Creates the cgroup at path (mkdir -p in every hierarchy used) and applies r (may be NULL).
 * On failure nothing it created is left behind and err names the file that refused. An
 * existing empty leaf is reused, as runc does (a manager may create it in advance); one with
 * processes in it is -EBUSY (two sandboxes must not share one).
 */
int cgroup_create(const char *path, const struct oci_resources *r, struct cgroup **out, char *err,
		  size_t errlen);
/* For tests: use mnt as the cgroup v2 unified hierarchy (a hybrid host's
 * /sys/fs/cgroup/unified) instead of detecting the layout; NULL detects again. */
void cgroup_force_v2_mount(const char *mnt);

/* Opens an existing cgroup (a later CLI invocation). -ENOENT if it is in no hierarchy. */
int cgroup_open(const char *path, struct cgroup **out);
void cgroup_free(struct cgroup *cg);

/* Whether the cgroup lives in the v2 unified hierarchy. */
bool cgroup_is_v2(const struct cgroup *cg);
/* The directory of the cgroup in the hierarchy of controller ("memory", "freezer"...; on v2
 * any name gives the one directory), or NULL when that hierarchy is not used. */
const char *cgroup_dir(const struct cgroup *cg, const char *controller);

/* Moves pid (and its threads) into the cgroup in every hierarchy. */
int cgroup_add_pid(struct cgroup *cg, pid_t pid);

/* Freezes or thaws every process in the cgroup and waits until the kernel reports the new
 * state. -ENOTSUP without a freezer, -ETIMEDOUT if it never settles (10 s). */
int cgroup_freeze(struct cgroup *cg, bool frozen);

/* The pids in the cgroup (cgroup.procs), as a malloc'd array the caller frees. */
int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n);

/* What `runc events --stats` reports, in its units (bytes, ns). */
struct cgroup_stats {
	uint64_t cpu_total_ns, cpu_user_ns, cpu_kernel_ns;
	uint64_t cpu_periods, cpu_throttled_periods, cpu_throttled_ns;
	uint64_t mem_usage, mem_limit, mem_max_usage, mem_failcnt, mem_cache;
	uint64_t swap_usage, swap_limit; /* v1: memory+swap, as runc reports */
	uint64_t pids_current, pids_limit; /* limit 0 = unlimited, as runc reports */
};

/* Reads the statistics; files a kernel lacks leave their fields 0 (an unlimited memory
 * limit is UINT64_MAX on v2 and the kernel's page-rounded maximum on v1, as runc). */
int cgroup_stats(struct cgroup *cg, struct cgroup_stats *st);
/* runc's `events --stats` document: {"type":"stats","id":id,"data":{"cpu":...,"memory":...,
 * "pids":...,"blkio":{},"hugetlb":{}}} on one line, malloc'd, or NULL. */
char *cgroup_stats_json(const struct cgroup_stats *st, const char *id);

/*
 * Kills whatever still runs in the cgroup (thawing it first), waits until it is empty
 * (bounded: -EBUSY after 10 s) and removes the leaf directory in every hierarchy. Like runc
 * it removes only the leaf: a parent such as /k8s.io or /libpod_parent is shared with other
 * containers, and removing it when it looks empty would race with their creation. -ENOENT
 * parts (already removed) are not errors, so destroy can be retried. cg is still freed with
 * cgroup_free.
 */
int cgroup_destroy(struct cgroup *cg);

#endif
