/*
 * config.json -> struct oci_spec. Every access goes through a typed getter that knows the
 * field's JSON path, so a bad document produces one message naming the field; nothing
 * here trusts the document's shape (it comes from whoever wrote the bundle).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/oci_spec.h"

/* config.json files are small; a bigger one is a mistake or an attack on our memory. */
#define OCI_SPEC_MAX_SIZE (4 << 20)

struct pctx {
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int fail(struct pctx *p, const char *path,
						      const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "config.json: %s: %s", path, what);
	/* names and values come from the document: keep the message one printable line */
	for (char *c = p->err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -EINVAL;
}

static const char *type_name(json_type t)
{
	switch (t) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
	case json_type_int:
		return "a number";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "?";
}

/* The member key of obj if it has the JSON type want; NULL if absent (or null). */
static int member(struct pctx *p, json_object *obj, const char *path, const char *key,
		  json_type want, json_object **out)
{
	json_object *v = NULL;
	char full[256];

	*out = NULL;
	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, want)) {
		snprintf(full, sizeof(full), "%s%s%s", path, *path ? "." : "", key);
		return fail(p, full, "expected %s, got %s", type_name(want),
			    type_name(json_object_get_type(v)));
	}
	*out = v;
	return 0;
}

static int required(struct pctx *p, json_object *v, const char *path, const char *key)
{
	char full[256];

	if (v)
		return 0;
	snprintf(full, sizeof(full), "%s%s%s", path, *path ? "." : "", key);
	return fail(p, full, "required field is missing");
}

static int dup_str(const char *s, char **out)
{
	*out = strdup(s ? s : "");
	return *out ? 0 : -ENOMEM;
}

static int get_string(struct pctx *p, json_object *obj, const char *path, const char *key, bool req,
		      char **out)
{
	json_object *v;
	int err = member(p, obj, path, key, json_type_string, &v);

	*out = NULL;
	if (!err && req)
		err = required(p, v, path, key);
	if (!err)
		err = dup_str(v ? json_object_get_string(v) : "", out);
	return err;
}

static int get_bool(struct pctx *p, json_object *obj, const char *path, const char *key, bool *out)
{
	json_object *v;
	int err = member(p, obj, path, key, json_type_boolean, &v);

	if (!err && v)
		*out = json_object_get_boolean(v);
	return err;
}

/* A JSON integer in [min, max], read from its text so uint64 values above INT64_MAX and
 * negative numbers are both exact. *present says whether the field was there. */
static int get_int(struct pctx *p, json_object *obj, const char *path, const char *key,
		   long double min, long double max, long double *out, bool *present)
{
	char full[256];
	json_object *v;
	const char *txt;
	char *end;
	long double x;
	int err = member(p, obj, path, key, json_type_int, &v);

	*present = false;
	if (err || !v)
		return err;
	snprintf(full, sizeof(full), "%s%s%s", path, *path ? "." : "", key);
	txt = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	errno = 0;
	x = strtold(txt, &end);
	if (errno || *end || x < min || x > max)
		return fail(p, full, "%s is out of range", txt);
	*out = x;
	*present = true;
	return 0;
}

static int get_u32(struct pctx *p, json_object *obj, const char *path, const char *key,
		   uint32_t *out)
{
	long double x;
	bool present;
	int err = get_int(p, obj, path, key, 0, UINT32_MAX, &x, &present);

	if (!err && present)
		*out = (uint32_t)x;
	return err;
}

static int get_u64(struct pctx *p, json_object *obj, const char *path, const char *key,
		   uint64_t *out)
{
	long double x;
	bool present;
	int err = get_int(p, obj, path, key, 0, (long double)UINT64_MAX, &x, &present);

	if (!err && present)
		*out = x >= (long double)UINT64_MAX ? UINT64_MAX : (uint64_t)x;
	return err;
}

static int get_i64(struct pctx *p, json_object *obj, const char *path, const char *key,
		   int64_t *out)
{
	long double x;
	bool present;
	int err = get_int(p, obj, path, key, (long double)INT64_MIN, (long double)INT64_MAX, &x,
			  &present);

	if (!err && present)
		*out = (int64_t)x;
	return err;
}

static void free_strv(char **v)
{
	for (char **s = v; s && *s; s++)
		free(*s);
	free(v);
}

/* An array of strings as a NULL-terminated vector (empty when absent). */
static int get_strv(struct pctx *p, json_object *obj, const char *path, const char *key,
		    char ***out)
{
	json_object *arr;
	size_t n;
	char **v;
	int err = member(p, obj, path, key, json_type_array, &arr);

	*out = NULL;
	if (err)
		return err;
	n = arr ? json_object_array_length(arr) : 0;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		if (!e || !json_object_is_type(e, json_type_string)) {
			char full[256];

			snprintf(full, sizeof(full), "%s%s%s[%zu]", path, *path ? "." : "", key, i);
			free_strv(v);
			return fail(p, full, "expected a string");
		}
		v[i] = strdup(json_object_get_string(e));
		if (!v[i]) {
			free_strv(v);
			return -ENOMEM;
		}
	}
	*out = v;
	return 0;
}

/* An object of string values as key/value pairs. */
static int get_kv(struct pctx *p, json_object *obj, const char *path, const char *key,
		  struct oci_kv **out, size_t *n)
{
	json_object *o;
	size_t cap;
	int err = member(p, obj, path, key, json_type_object, &o);

	*out = NULL;
	*n = 0;
	if (err || !o)
		return err;
	cap = (size_t)json_object_object_length(o);
	*out = calloc(cap ? cap : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	json_object_object_foreach(o, k, v)
	{
		if (!v || !json_object_is_type(v, json_type_string)) {
			char full[256];

			snprintf(full, sizeof(full), "%s%s%s.%s", path, *path ? "." : "", key, k);
			return fail(p, full, "expected a string");
		}
		(*out)[*n].key = strdup(k);
		(*out)[*n].value = strdup(json_object_get_string(v));
		(*n)++;
		if (!(*out)[*n - 1].key || !(*out)[*n - 1].value)
			return -ENOMEM;
	}
	return 0;
}

/* ---- process ---- */

static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

const char *oci_cap_name(unsigned cap)
{
	return cap < sizeof(cap_names) / sizeof(cap_names[0]) ? cap_names[cap] : NULL;
}

/* Keeps a warning for the caller (printable, one line); at most 16 are kept. */
__attribute__((format(printf, 2, 3))) static int warn(struct oci_spec *s, const char *fmt, ...)
{
	char line[256], **nv;
	va_list ap;

	if (s->n_warnings >= 16)
		return 0;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	nv = realloc(s->warnings, (s->n_warnings + 2) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	s->warnings = nv;
	nv[s->n_warnings] = strdup(line);
	if (!nv[s->n_warnings])
		return -ENOMEM;
	nv[++s->n_warnings] = NULL;
	return 0;
}

static int get_caps(struct pctx *p, struct oci_spec *s, json_object *caps, const char *key,
		    uint64_t *out)
{
	char **names;
	int err = get_strv(p, caps, "process.capabilities", key, &names);

	*out = 0;
	if (err)
		return err;
	for (char **n = names; *n; n++) {
		size_t i;

		for (i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
			if (!strcmp(*n, cap_names[i]))
				break;
		/* the spec: a capability the kernel doesn't know is a warning, not an error */
		if (i == sizeof(cap_names) / sizeof(cap_names[0]))
			err = warn(s, "process.capabilities.%s: unknown capability %s", key, *n);
		else
			*out |= 1ull << i;
		if (err)
			break;
	}
	free_strv(names);
	return err;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

static int parse_rlimits(struct pctx *p, json_object *proc, struct oci_process *out)
{
	json_object *arr;
	size_t n;
	int err = member(p, proc, "process", "rlimits", json_type_array, &arr);

	if (err || !arr)
		return err;
	n = json_object_array_length(arr);
	out->rlimits = calloc(n ? n : 1, sizeof(*out->rlimits));
	if (!out->rlimits)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct oci_rlimit *rl = &out->rlimits[i];
		char path[64], *type = NULL;
		size_t k;

		snprintf(path, sizeof(path), "process.rlimits[%zu]", i);
		if (!e || !json_object_is_type(e, json_type_object))
			return fail(p, path, "expected an object");
		err = get_string(p, e, path, "type", true, &type);
		if (!err)
			err = get_u64(p, e, path, "soft", &rl->soft);
		if (!err)
			err = get_u64(p, e, path, "hard", &rl->hard);
		for (k = 0; !err && k < sizeof(rlimit_names) / sizeof(rlimit_names[0]); k++)
			if (!strcmp(type, rlimit_names[k].name))
				break;
		if (!err && k == sizeof(rlimit_names) / sizeof(rlimit_names[0]))
			err = fail(p, path, "unknown rlimit type \"%s\"", type);
		free(type);
		if (err)
			return err;
		rl->resource = rlimit_names[k].resource;
		if (rl->soft > rl->hard)
			return fail(p, path, "soft limit is above the hard limit");
		for (size_t j = 0; j < i; j++)
			if (out->rlimits[j].resource == rl->resource)
				return fail(p, path, "duplicate rlimit type %s",
					    rlimit_names[k].name);
		out->n_rlimits++;
	}
	return 0;
}

static int parse_user(struct pctx *p, json_object *proc, struct oci_process *out)
{
	json_object *user, *gids, *v;
	int err = member(p, proc, "process", "user", json_type_object, &user);

	if (err || !user)
		return err;
	err = get_u32(p, user, "process.user", "uid", &out->uid);
	if (!err)
		err = get_u32(p, user, "process.user", "gid", &out->gid);
	if (!err)
		err = member(p, user, "process.user", "umask", json_type_int, &v);
	if (!err && v) {
		out->has_umask = true;
		err = get_u32(p, user, "process.user", "umask", &out->umask);
		if (!err && out->umask > 0777)
			err = fail(p, "process.user.umask", "must be at most 0777");
	}
	if (!err)
		err = member(p, user, "process.user", "additionalGids", json_type_array, &gids);
	if (err || !gids)
		return err;
	out->n_additional_gids = json_object_array_length(gids);
	out->additional_gids = calloc(out->n_additional_gids + 1, sizeof(uint32_t));
	if (!out->additional_gids)
		return -ENOMEM;
	for (size_t i = 0; i < out->n_additional_gids; i++) {
		json_object *e = json_object_array_get_idx(gids, i);
		char path[64];
		int64_t g;

		snprintf(path, sizeof(path), "process.user.additionalGids[%zu]", i);
		if (!e || !json_object_is_type(e, json_type_int))
			return fail(p, path, "expected a number");
		g = json_object_get_int64(e);
		if (g < 0 || g > UINT32_MAX)
			return fail(p, path, "%" PRId64 " is out of range", g);
		out->additional_gids[i] = (uint32_t)g;
	}
	return 0;
}

static int parse_process(struct pctx *p, json_object *root, struct oci_spec *s)
{
	struct oci_process *out = &s->process;
	json_object *proc, *caps, *cs;
	int err = member(p, root, "", "process", json_type_object, &proc);

	if (err || !proc)
		return err;
	s->has_process = true;
	err = get_bool(p, proc, "process", "terminal", &out->terminal);
	if (!err)
		err = member(p, proc, "process", "consoleSize", json_type_object, &cs);
	if (!err && cs) {
		uint32_t h = 0, w = 0;

		err = get_u32(p, cs, "process.consoleSize", "height", &h);
		if (!err)
			err = get_u32(p, cs, "process.consoleSize", "width", &w);
		out->console_height = h;
		out->console_width = w;
	}
	if (!err)
		err = parse_user(p, proc, out);
	if (!err)
		err = get_strv(p, proc, "process", "args", &out->args);
	if (!err && !out->args[0])
		err = fail(p, "process.args", "must name a program");
	if (!err)
		err = get_strv(p, proc, "process", "env", &out->env);
	if (!err)
		err = get_string(p, proc, "process", "cwd", true, &out->cwd);
	if (!err && out->cwd[0] != '/')
		err = fail(p, "process.cwd", "must be an absolute path, got \"%s\"", out->cwd);
	if (!err)
		err = parse_rlimits(p, proc, out);
	if (!err)
		err = member(p, proc, "process", "capabilities", json_type_object, &caps);
	if (!err && caps) {
		err = get_caps(p, s, caps, "bounding", &out->cap_bounding);
		if (!err)
			err = get_caps(p, s, caps, "effective", &out->cap_effective);
		if (!err)
			err = get_caps(p, s, caps, "inheritable", &out->cap_inheritable);
		if (!err)
			err = get_caps(p, s, caps, "permitted", &out->cap_permitted);
		if (!err)
			err = get_caps(p, s, caps, "ambient", &out->cap_ambient);
	}
	if (!err)
		err = get_bool(p, proc, "process", "noNewPrivileges", &out->no_new_privileges);
	if (!err) {
		int64_t adj = 0;
		json_object *v;

		err = member(p, proc, "process", "oomScoreAdj", json_type_int, &v);
		if (!err && v) {
			err = get_i64(p, proc, "process", "oomScoreAdj", &adj);
			if (!err && (adj < -1000 || adj > 1000))
				err = fail(p, "process.oomScoreAdj", "must be in [-1000, 1000]");
			out->has_oom_score_adj = true;
			out->oom_score_adj = (int)adj;
		}
	}
	return err;
}

/* ---- mounts, hooks ---- */

static int parse_mounts(struct pctx *p, json_object *root, struct oci_spec *s)
{
	json_object *arr;
	size_t n;
	int err = member(p, root, "", "mounts", json_type_array, &arr);

	if (err || !arr)
		return err;
	n = json_object_array_length(arr);
	s->mounts = calloc(n ? n : 1, sizeof(*s->mounts));
	if (!s->mounts)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct oci_mount *m = &s->mounts[i];
		char path[64];

		snprintf(path, sizeof(path), "mounts[%zu]", i);
		if (!e || !json_object_is_type(e, json_type_object))
			return fail(p, path, "expected an object");
		s->n_mounts++;
		err = get_string(p, e, path, "destination", true, &m->destination);
		if (!err)
			err = get_string(p, e, path, "type", false, &m->type);
		if (!err)
			err = get_string(p, e, path, "source", false, &m->source);
		if (!err)
			err = get_strv(p, e, path, "options", &m->options);
		if (err)
			return err;
		if (m->destination[0] != '/')
			return fail(p, path, "destination \"%s\" is not an absolute path",
				    m->destination);
	}
	return 0;
}

static const char *const hook_stage_names[OCI_HOOK_NSTAGES] = {
	[OCI_HOOK_PRESTART] = "prestart",
	[OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
	[OCI_HOOK_CREATE_CONTAINER] = "createContainer",
	[OCI_HOOK_START_CONTAINER] = "startContainer",
	[OCI_HOOK_POSTSTART] = "poststart",
	[OCI_HOOK_POSTSTOP] = "poststop",
};

const char *oci_hook_stage_name(enum oci_hook_stage st)
{
	return st < OCI_HOOK_NSTAGES ? hook_stage_names[st] : "?";
}

static int parse_hooks(struct pctx *p, json_object *root, struct oci_spec *s)
{
	json_object *hooks;
	int err = member(p, root, "", "hooks", json_type_object, &hooks);

	if (err || !hooks)
		return err;
	for (int st = 0; st < OCI_HOOK_NSTAGES; st++) {
		json_object *arr;
		size_t n;

		err = member(p, hooks, "hooks", hook_stage_names[st], json_type_array, &arr);
		if (err)
			return err;
		if (!arr)
			continue;
		n = json_object_array_length(arr);
		s->hooks[st] = calloc(n ? n : 1, sizeof(struct oci_hook));
		if (!s->hooks[st])
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(arr, i), *t;
			struct oci_hook *h = &s->hooks[st][i];
			char path[64];

			snprintf(path, sizeof(path), "hooks.%s[%zu]", hook_stage_names[st], i);
			if (!e || !json_object_is_type(e, json_type_object))
				return fail(p, path, "expected an object");
			s->n_hooks[st]++;
			err = get_string(p, e, path, "path", true, &h->path);
			if (!err && h->path[0] != '/')
				err = fail(p, path, "path \"%s\" is not absolute", h->path);
			if (!err)
				err = get_strv(p, e, path, "args", &h->args);
			if (!err)
				err = get_strv(p, e, path, "env", &h->env);
			if (!err)
				err = member(p, e, path, "timeout", json_type_int, &t);
			if (!err && t) {
				int64_t to = json_object_get_int64(t);

				if (to <= 0 || to > 86400)
					err = fail(p, path,
						   "timeout must be in [1, 86400] seconds");
				h->timeout = (int)to;
			}
			if (err)
				return err;
		}
	}
	return 0;
}

/* ---- linux ---- */

static const char *const ns_types[] = { "pid", "network", "mount",  "ipc",
					"uts", "user",	  "cgroup", "time" };

static int parse_namespaces(struct pctx *p, json_object *lx, struct oci_spec *s)
{
	json_object *arr;
	size_t n;
	int err = member(p, lx, "linux", "namespaces", json_type_array, &arr);

	if (err || !arr)
		return err;
	n = json_object_array_length(arr);
	s->namespaces = calloc(n ? n : 1, sizeof(*s->namespaces));
	if (!s->namespaces)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct oci_namespace *ns = &s->namespaces[i];
		char path[64];
		size_t k;

		snprintf(path, sizeof(path), "linux.namespaces[%zu]", i);
		if (!e || !json_object_is_type(e, json_type_object))
			return fail(p, path, "expected an object");
		s->n_namespaces++;
		err = get_string(p, e, path, "type", true, &ns->type);
		if (!err)
			err = get_string(p, e, path, "path", false, &ns->path);
		if (err)
			return err;
		for (k = 0; k < sizeof(ns_types) / sizeof(ns_types[0]); k++)
			if (!strcmp(ns->type, ns_types[k]))
				break;
		if (k == sizeof(ns_types) / sizeof(ns_types[0]))
			return fail(p, path, "unknown namespace type \"%s\"", ns->type);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->namespaces[j].type, ns->type))
				return fail(p, path, "duplicate namespace type \"%s\"", ns->type);
	}
	return 0;
}

static int parse_resources(struct pctx *p, json_object *lx, struct oci_spec *s)
{
	struct oci_resources *r = &s->resources;
	json_object *res, *mem, *cpu, *pids;
	int err;

	r->memory_limit = r->memory_swap = r->cpu_quota = r->pids_limit = -1;
	err = member(p, lx, "linux", "resources", json_type_object, &res);
	if (err || !res)
		return err;
	err = member(p, res, "linux.resources", "memory", json_type_object, &mem);
	if (!err && mem)
		err = get_i64(p, mem, "linux.resources.memory", "limit", &r->memory_limit);
	if (!err && mem)
		err = get_i64(p, mem, "linux.resources.memory", "swap", &r->memory_swap);
	if (!err)
		err = member(p, res, "linux.resources", "cpu", json_type_object, &cpu);
	if (!err && cpu)
		err = get_u64(p, cpu, "linux.resources.cpu", "shares", &r->cpu_shares);
	if (!err && cpu)
		err = get_i64(p, cpu, "linux.resources.cpu", "quota", &r->cpu_quota);
	if (!err && cpu)
		err = get_u64(p, cpu, "linux.resources.cpu", "period", &r->cpu_period);
	if (!err)
		err = member(p, res, "linux.resources", "pids", json_type_object, &pids);
	if (!err && pids)
		err = get_i64(p, pids, "linux.resources.pids", "limit", &r->pids_limit);
	if (!err && r->memory_limit == 0)
		err = fail(p, "linux.resources.memory.limit", "must be positive or -1");
	return err;
}

static int parse_linux(struct pctx *p, json_object *root, struct oci_spec *s)
{
	json_object *lx;
	int err = member(p, root, "", "linux", json_type_object, &lx);

	s->resources.memory_limit = s->resources.memory_swap = -1;
	s->resources.cpu_quota = s->resources.pids_limit = -1;
	if (!err && !lx) {
		s->masked_paths = calloc(1, sizeof(char *));
		s->readonly_paths = calloc(1, sizeof(char *));
		s->cgroups_path = strdup("");
		return s->masked_paths && s->readonly_paths && s->cgroups_path ? 0 : -ENOMEM;
	}
	if (!err)
		err = parse_namespaces(p, lx, s);
	if (!err)
		err = parse_resources(p, lx, s);
	if (!err)
		err = get_kv(p, lx, "linux", "sysctl", &s->sysctl, &s->n_sysctl);
	if (!err)
		err = get_strv(p, lx, "linux", "maskedPaths", &s->masked_paths);
	if (!err)
		err = get_strv(p, lx, "linux", "readonlyPaths", &s->readonly_paths);
	if (!err)
		err = get_string(p, lx, "linux", "cgroupsPath", false, &s->cgroups_path);
	return err;
}

/* ---- the document ---- */

static int parse_root(struct pctx *p, json_object *doc, struct oci_spec *s)
{
	json_object *root;
	int err = get_string(p, doc, "", "ociVersion", true, &s->oci_version);

	if (!err && strncmp(s->oci_version, "1.", 2))
		err = fail(p, "ociVersion", "unsupported version \"%s\" (want 1.x)",
			   s->oci_version);
	if (!err)
		err = member(p, doc, "", "root", json_type_object, &root);
	if (!err)
		err = required(p, root, "", "root");
	if (!err)
		err = get_string(p, root, "root", "path", true, &s->root_path);
	if (!err && !s->root_path[0])
		err = fail(p, "root.path", "must not be empty");
	if (!err)
		err = get_bool(p, root, "root", "readonly", &s->root_readonly);
	if (!err)
		err = get_string(p, doc, "", "hostname", false, &s->hostname);
	if (!err && strlen(s->hostname) > 64)
		err = fail(p, "hostname", "longer than 64 bytes");
	if (!err)
		err = get_string(p, doc, "", "domainname", false, &s->domainname);
	if (!err && strlen(s->domainname) > 64)
		err = fail(p, "domainname", "longer than 64 bytes");
	return err;
}

int oci_spec_parse(const char *text, size_t len, struct oci_spec **out, char *err, size_t errlen)
{
	struct pctx p = { err, errlen };
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	struct oci_spec *s;
	json_object *doc;
	int ret;

	*out = NULL;
	if (len > OCI_SPEC_MAX_SIZE)
		return fail(&p, "(document)", "larger than %d bytes", OCI_SPEC_MAX_SIZE);
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	doc = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!doc || jerr != json_tokener_success) {
		ret = fail(&p, "(document)", "not valid JSON: %s",
			   jerr == json_tokener_continue ? "unexpected end" :
							   json_tokener_error_desc(jerr));
		json_object_put(doc);
		json_tokener_free(tok);
		return ret;
	}
	/* trailing bytes after the document would hide a truncated or spliced file */
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
		if (text[i] != ' ' && text[i] != '\n' && text[i] != '\t' && text[i] != '\r') {
			json_object_put(doc);
			json_tokener_free(tok);
			return fail(&p, "(document)", "trailing data after the JSON object");
		}
	json_tokener_free(tok);
	if (!json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		return fail(&p, "(document)", "expected a JSON object");
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		json_object_put(doc);
		return -ENOMEM;
	}
	ret = parse_root(&p, doc, s);
	if (!ret)
		ret = parse_process(&p, doc, s);
	if (!ret)
		ret = parse_mounts(&p, doc, s);
	if (!ret)
		ret = parse_hooks(&p, doc, s);
	if (!ret)
		ret = get_kv(&p, doc, "", "annotations", &s->annotations, &s->n_annotations);
	if (!ret)
		ret = parse_linux(&p, doc, s);
	json_object_put(doc);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "config.json: out of memory");
	if (ret < 0) {
		oci_spec_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

int oci_spec_load(const char *path, struct oci_spec **out, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > OCI_SPEC_MAX_SIZE) {
		snprintf(err, errlen, "%s: not a regular file of at most %d bytes", path,
			 OCI_SPEC_MAX_SIZE);
		close(fd);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = 0;
	ret = oci_spec_parse(buf, got, out, err, errlen);
	free(buf);
	return ret;
}

void oci_spec_free(struct oci_spec *s)
{
	if (!s)
		return;
	free(s->oci_version);
	free(s->process.additional_gids);
	free_strv(s->process.args);
	free_strv(s->process.env);
	free(s->process.cwd);
	free(s->process.rlimits);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		free_strv(s->mounts[i].options);
	}
	free(s->mounts);
	for (int st = 0; st < OCI_HOOK_NSTAGES; st++) {
		for (size_t i = 0; i < s->n_hooks[st]; i++) {
			free(s->hooks[st][i].path);
			free_strv(s->hooks[st][i].args);
			free_strv(s->hooks[st][i].env);
		}
		free(s->hooks[st]);
	}
	for (size_t i = 0; i < s->n_annotations; i++) {
		free(s->annotations[i].key);
		free(s->annotations[i].value);
	}
	free(s->annotations);
	for (size_t i = 0; i < s->n_namespaces; i++) {
		free(s->namespaces[i].type);
		free(s->namespaces[i].path);
	}
	free(s->namespaces);
	for (size_t i = 0; i < s->n_sysctl; i++) {
		free(s->sysctl[i].key);
		free(s->sysctl[i].value);
	}
	free(s->sysctl);
	free_strv(s->masked_paths);
	free_strv(s->readonly_paths);
	free(s->cgroups_path);
	free_strv(s->warnings);
	free(s);
}

const struct oci_namespace *oci_spec_namespace(const struct oci_spec *s, const char *type)
{
	for (size_t i = 0; i < s->n_namespaces; i++)
		if (!strcmp(s->namespaces[i].type, type))
			return &s->namespaces[i];
	return NULL;
}

const char *oci_spec_annotation(const struct oci_spec *s, const char *key)
{
	for (size_t i = 0; i < s->n_annotations; i++)
		if (!strcmp(s->annotations[i].key, key))
			return s->annotations[i].value;
	return NULL;
}

/* ---- mount options ---- */

static const struct {
	const char *name;
	bool clear; /* the word turns the flag off ("rw", "suid") */
	unsigned long flag;
} mount_opt_table[] = {
	{ "ro", false, MS_RDONLY },
	{ "rw", true, MS_RDONLY },
	{ "nosuid", false, MS_NOSUID },
	{ "suid", true, MS_NOSUID },
	{ "nodev", false, MS_NODEV },
	{ "dev", true, MS_NODEV },
	{ "noexec", false, MS_NOEXEC },
	{ "exec", true, MS_NOEXEC },
	{ "sync", false, MS_SYNCHRONOUS },
	{ "async", true, MS_SYNCHRONOUS },
	{ "dirsync", false, MS_DIRSYNC },
	{ "remount", false, MS_REMOUNT },
	{ "mand", false, MS_MANDLOCK },
	{ "nomand", true, MS_MANDLOCK },
	{ "noatime", false, MS_NOATIME },
	{ "atime", true, MS_NOATIME },
	{ "nodiratime", false, MS_NODIRATIME },
	{ "diratime", true, MS_NODIRATIME },
	{ "relatime", false, MS_RELATIME },
	{ "norelatime", true, MS_RELATIME },
	{ "strictatime", false, MS_STRICTATIME },
	{ "nostrictatime", true, MS_STRICTATIME },
	{ "bind", false, MS_BIND },
	{ "rbind", false, MS_BIND | MS_REC },
	{ "private", false, MS_PRIVATE },
	{ "rprivate", false, MS_PRIVATE | MS_REC },
	{ "shared", false, MS_SHARED },
	{ "rshared", false, MS_SHARED | MS_REC },
	{ "slave", false, MS_SLAVE },
	{ "rslave", false, MS_SLAVE | MS_REC },
	{ "unbindable", false, MS_UNBINDABLE },
	{ "runbindable", false, MS_UNBINDABLE | MS_REC },
};

int oci_mount_options(const struct oci_mount *m, struct oci_mount_opts *out)
{
	size_t cap = 1, used = 0;

	out->flags = 0;
	for (char **o = m->options; o && *o; o++)
		cap += strlen(*o) + 1;
	out->data = malloc(cap);
	if (!out->data)
		return -ENOMEM;
	out->data[0] = 0;
	for (char **o = m->options; o && *o; o++) {
		size_t i, n = strlen(*o);

		for (i = 0; i < sizeof(mount_opt_table) / sizeof(mount_opt_table[0]); i++)
			if (!strcmp(*o, mount_opt_table[i].name))
				break;
		if (i < sizeof(mount_opt_table) / sizeof(mount_opt_table[0])) {
			if (mount_opt_table[i].clear)
				out->flags &= ~mount_opt_table[i].flag;
			else
				out->flags |= mount_opt_table[i].flag;
			continue;
		}
		if (used)
			out->data[used++] = ',';
		memcpy(out->data + used, *o, n);
		used += n;
		out->data[used] = 0;
	}
	/* a mount whose type is "bind" is a bind mount whatever its options say */
	if (m->type && !strcmp(m->type, "bind"))
		out->flags |= MS_BIND;
	return 0;
}

void oci_mount_option_names(void (*fn)(const char *name, void *arg), void *arg)
{
	for (size_t i = 0; i < sizeof(mount_opt_table) / sizeof(mount_opt_table[0]); i++)
		fn(mount_opt_table[i].name, arg);
}
