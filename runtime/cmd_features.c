/*
 * warden features: the OCI features document (runtime-spec features.md), so a client can
 * ask what this runtime honours instead of finding out by failing. Lists come from the
 * same tables the config parser uses, so the document cannot drift from the code.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "runtime/cmd.h"
#include "runtime/oci_spec.h"

static void add_name(const char *name, void *arg)
{
	json_object_array_add(arg, json_object_new_string(name));
}

static json_object *enabled(bool on)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "enabled", json_object_new_boolean(on));
	return o;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(json_object_get_string(*(json_object *const *)a),
		      json_object_get_string(*(json_object *const *)b));
}

int cmd_features(int argc, char **argv)
{
	static const char *const ns[] = { "cgroup", "ipc", "mount", "network", "pid", "uts" };
	json_object *doc = json_object_new_object(), *hooks = json_object_new_array();
	json_object *opts = json_object_new_array(), *lx = json_object_new_object();
	json_object *nsa = json_object_new_array(), *caps = json_object_new_array();
	json_object *cg = json_object_new_object(), *ann = json_object_new_object();
	const char *name;

	(void)argv;
	if (argc > 1) {
		cmd_error("features: takes no arguments");
		json_object_put(doc);
		json_object_put(hooks);
		json_object_put(opts);
		json_object_put(lx);
		json_object_put(nsa);
		json_object_put(caps);
		json_object_put(cg);
		json_object_put(ann);
		return cmd_usage("features");
	}
	json_object_object_add(doc, "ociVersionMin", json_object_new_string("1.0.0"));
	json_object_object_add(doc, "ociVersionMax", json_object_new_string("1.3.0"));
	for (int st = 0; st < OCI_HOOK_NSTAGES; st++)
		json_object_array_add(hooks, json_object_new_string(oci_hook_stage_name(st)));
	json_object_object_add(doc, "hooks", hooks);
	oci_mount_option_names(add_name, opts);
	json_object_array_sort(opts, cmp_names); /* runc lists them sorted */
	json_object_object_add(doc, "mountOptions", opts);
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		json_object_array_add(nsa, json_object_new_string(ns[i]));
	json_object_object_add(lx, "namespaces", nsa);
	for (unsigned c = 0; (name = oci_cap_name(c)); c++)
		json_object_array_add(caps, json_object_new_string(name));
	json_object_object_add(lx, "capabilities", caps);
	json_object_object_add(cg, "v1", json_object_new_boolean(1));
	json_object_object_add(cg, "v2", json_object_new_boolean(1));
	json_object_object_add(cg, "systemd", json_object_new_boolean(0));
	json_object_object_add(cg, "systemdUser", json_object_new_boolean(0));
	json_object_object_add(cg, "rdma", json_object_new_boolean(0));
	json_object_object_add(lx, "cgroup", cg);
	/* the guest's syscalls never reach the host: a guest seccomp profile is the
	 * sentry's business, not the host kernel's */
	json_object_object_add(lx, "seccomp", enabled(false));
	json_object_object_add(lx, "apparmor", enabled(false));
	json_object_object_add(lx, "selinux", enabled(false));
	json_object_object_add(lx, "intelRdt", enabled(false));
	json_object_object_add(doc, "linux", lx);
	json_object_object_add(ann, "dev.warden.version", json_object_new_string(WARDEN_VERSION));
	json_object_object_add(ann, "dev.warden.platforms", json_object_new_string("ptrace"));
	json_object_object_add(doc, "annotations", ann);
	puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	return 0;
}
