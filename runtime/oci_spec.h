/*
 * The OCI runtime spec (config.json, runtime-spec up to 1.3.0), parsed with json-c into
 * plain C structs that own their strings. Fields Warden does not act on but that clients
 * always send (linux.seccomp, linux.resources.devices, apparmor...) are accepted and
 * ignored, as runc ignores what a platform lacks; a field of the wrong JSON type, a
 * missing required field or a value Warden cannot honour is an error naming the field
 * by its JSON path ("process.args[2]").
 */
#ifndef RUNTIME_OCI_SPEC_H
#define RUNTIME_OCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct oci_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

struct oci_process {
	bool terminal;
	unsigned console_height, console_width;
	uint32_t uid, gid;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	bool has_umask;
	uint32_t umask;
	char **args; /* NULL-terminated, at least one */
	char **env; /* NULL-terminated */
	char *cwd; /* absolute */
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	/* Capability sets as bit masks of CAP_* numbers. */
	uint64_t cap_bounding, cap_effective, cap_inheritable, cap_permitted, cap_ambient;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
};

struct oci_mount {
	char *destination; /* absolute */
	char *type; /* "" when absent (a bind mount names itself by options) */
	char *source; /* "" when absent */
	char **options; /* NULL-terminated */
};

struct oci_hook {
	char *path;
	char **args; /* NULL-terminated; may be empty */
	char **env; /* NULL-terminated; may be empty */
	int timeout; /* seconds, 0 = none */
};

enum oci_hook_stage {
	OCI_HOOK_PRESTART,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_NSTAGES,
};

struct oci_kv {
	char *key, *value;
};

struct oci_namespace {
	char *type; /* "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" */
	char *path; /* "" = a new one */
};

struct oci_resources {
	int64_t memory_limit; /* bytes, -1 = unlimited / absent */
	int64_t memory_swap; /* bytes, -1 = absent */
	uint64_t cpu_shares; /* 0 = absent */
	int64_t cpu_quota; /* us, -1 = absent */
	uint64_t cpu_period; /* us, 0 = absent */
	int64_t pids_limit; /* -1 = unlimited / absent */
};

struct oci_spec {
	char *oci_version;
	struct oci_process process;
	bool has_process; /* required by `create`; optional for `spec` round trips */
	char *root_path; /* as written: relative to the bundle or absolute */
	bool root_readonly;
	char *hostname, *domainname; /* "" when absent */
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_hook *hooks[OCI_HOOK_NSTAGES];
	size_t n_hooks[OCI_HOOK_NSTAGES];
	struct oci_kv *annotations;
	size_t n_annotations;
	struct oci_namespace *namespaces;
	size_t n_namespaces;
	struct oci_resources resources;
	struct oci_kv *sysctl;
	size_t n_sysctl;
	char **masked_paths; /* NULL-terminated */
	char **readonly_paths; /* NULL-terminated */
	char *cgroups_path; /* "" when absent */
	/* What the spec says a runtime must warn about but not refuse (an unknown
	 * capability...), one printable line each, for the CLI to print. */
	char **warnings; /* NULL-terminated, may be NULL */
	size_t n_warnings;
};

/*
 * Parses a config.json document (text of len bytes). 0 and a new spec, or -EINVAL with a
 * one-line message in err naming the offending field, or -ENOMEM.
 */
int oci_spec_parse(const char *text, size_t len, struct oci_spec **out, char *err, size_t errlen);
/* Reads and parses path (the bundle's config.json). -errno of the read as well. */
int oci_spec_load(const char *path, struct oci_spec **out, char *err, size_t errlen);
void oci_spec_free(struct oci_spec *s);

/* The namespace entry of that type, or NULL. */
const struct oci_namespace *oci_spec_namespace(const struct oci_spec *s, const char *type);
/* The annotation's value, or NULL. */
const char *oci_spec_annotation(const struct oci_spec *s, const char *key);
/* CAP_* number -> "CAP_CHOWN"...; NULL past the last one Warden knows. */
const char *oci_cap_name(unsigned cap);

/* A mount's options split as mount(2) wants them: MS_* flags to set, and the rest joined
 * with commas as the filesystem's data ("mode=755,size=65536k"). Unknown flag-like words
 * go to data too, where the filesystem rejects what it doesn't know. */
struct oci_mount_opts {
	unsigned long flags; /* MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC, MS_PRIVATE... */
	char *data; /* owned, "" when none */
};
int oci_mount_options(const struct oci_mount *m, struct oci_mount_opts *out);
/* Calls fn with each option word oci_mount_options turns into a flag (for `features`). */
void oci_mount_option_names(void (*fn)(const char *name, void *arg), void *arg);

/* The hook stage name as config.json spells it ("createRuntime"...). */
const char *oci_hook_stage_name(enum oci_hook_stage st);

#endif
