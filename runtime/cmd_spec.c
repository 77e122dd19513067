/*
 * warden spec: writes a starting config.json into the bundle, the document `runc spec`
 * writes (a shell on a read-only rootfs with runc's default mounts, capabilities and
 * masked paths), so bundles made for one runtime work with the other.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime/cmd.h"

static json_object *strv(const char *const *v)
{
	json_object *a = json_object_new_array();

	for (; *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

static json_object *mount_entry(const char *dst, const char *type, const char *src,
				const char *const *opts)
{
	json_object *m = json_object_new_object();

	json_object_object_add(m, "destination", json_object_new_string(dst));
	json_object_object_add(m, "type", json_object_new_string(type));
	json_object_object_add(m, "source", json_object_new_string(src));
	if (opts)
		json_object_object_add(m, "options", strv(opts));
	return m;
}

static json_object *process_obj(bool rootless)
{
	static const char *const args[] = { "sh", NULL };
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
		NULL
	};
	static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
					    NULL };
	json_object *p = json_object_new_object(), *user = json_object_new_object();
	json_object *c = json_object_new_object(), *rl = json_object_new_object();
	json_object *rls = json_object_new_array();

	(void)rootless;
	json_object_object_add(p, "terminal", json_object_new_boolean(1));
	json_object_object_add(user, "uid", json_object_new_int(0));
	json_object_object_add(user, "gid", json_object_new_int(0));
	json_object_object_add(p, "user", user);
	json_object_object_add(p, "args", strv(args));
	json_object_object_add(p, "env", strv(env));
	json_object_object_add(p, "cwd", json_object_new_string("/"));
	json_object_object_add(c, "bounding", strv(caps));
	json_object_object_add(c, "effective", strv(caps));
	json_object_object_add(c, "permitted", strv(caps));
	json_object_object_add(c, "ambient", strv(caps));
	json_object_object_add(p, "capabilities", c);
	json_object_object_add(rl, "type", json_object_new_string("RLIMIT_NOFILE"));
	json_object_object_add(rl, "hard", json_object_new_int(1024));
	json_object_object_add(rl, "soft", json_object_new_int(1024));
	json_object_array_add(rls, rl);
	json_object_object_add(p, "rlimits", rls);
	json_object_object_add(p, "noNewPrivileges", json_object_new_boolean(1));
	return p;
}

static json_object *mounts_arr(bool rootless)
{
	static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k",
					   NULL };
	static const char *const pts[] = { "nosuid",	"noexec", "newinstance", "ptmxmode=0666",
					   "mode=0620", "gid=5",  NULL };
	static const char *const pts_rootless[] = { "nosuid",	     "noexec",	  "newinstance",
						    "ptmxmode=0666", "mode=0620", NULL };
	static const char *const shm[] = { "nosuid",	"noexec",      "nodev",
					   "mode=1777", "size=65536k", NULL };
	static const char *const mq[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const sys_rootless[] = {
		"rbind", "nosuid", "noexec", "nodev", "ro", NULL
	};
	static const char *const cg[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
	json_object *a = json_object_new_array();

	json_object_array_add(a, mount_entry("/proc", "proc", "proc", NULL));
	json_object_array_add(a, mount_entry("/dev", "tmpfs", "tmpfs", dev));
	json_object_array_add(
		a, mount_entry("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts));
	json_object_array_add(a, mount_entry("/dev/shm", "tmpfs", "shm", shm));
	json_object_array_add(a, mount_entry("/dev/mqueue", "mqueue", "mqueue", mq));
	if (rootless) {
		json_object_array_add(a, mount_entry("/sys", "none", "/sys", sys_rootless));
	} else {
		json_object_array_add(a, mount_entry("/sys", "sysfs", "sysfs", sys));
		json_object_array_add(a, mount_entry("/sys/fs/cgroup", "cgroup", "cgroup", cg));
	}
	return a;
}

static json_object *id_mapping(uid_t host)
{
	json_object *a = json_object_new_array(), *m = json_object_new_object();

	json_object_object_add(m, "containerID", json_object_new_int(0));
	json_object_object_add(m, "hostID", json_object_new_int64(host));
	json_object_object_add(m, "size", json_object_new_int(1));
	json_object_array_add(a, m);
	return a;
}

static json_object *linux_obj(bool rootless)
{
	static const char *const masked[] = { "/proc/acpi",
					      "/proc/asound",
					      "/proc/kcore",
					      "/proc/keys",
					      "/proc/latency_stats",
					      "/proc/timer_list",
					      "/proc/timer_stats",
					      "/proc/sched_debug",
					      "/sys/firmware",
					      "/proc/scsi",
					      NULL };
	static const char *const ro[] = { "/proc/bus",		 "/proc/fs",
					  "/proc/irq",		 "/proc/sys",
					  "/proc/sysrq-trigger", NULL };
	/* runc 1.1's defaults */
	static const char *const ns_root[] = { "pid", "network", "ipc", "uts", "mount", NULL };
	static const char *const ns_rootless[] = { "pid", "ipc", "uts", "mount", "user", NULL };
	json_object *l = json_object_new_object(), *ns = json_object_new_array();

	if (!rootless) {
		json_object *res = json_object_new_object(), *devs = json_object_new_array();
		json_object *d = json_object_new_object();

		json_object_object_add(d, "allow", json_object_new_boolean(0));
		json_object_object_add(d, "access", json_object_new_string("rwm"));
		json_object_array_add(devs, d);
		json_object_object_add(res, "devices", devs);
		json_object_object_add(l, "resources", res);
	} else {
		json_object_object_add(l, "uidMappings", id_mapping(getuid()));
		json_object_object_add(l, "gidMappings", id_mapping(getgid()));
	}
	for (const char *const *t = rootless ? ns_rootless : ns_root; *t; t++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "type", json_object_new_string(*t));
		json_object_array_add(ns, e);
	}
	json_object_object_add(l, "namespaces", ns);
	json_object_object_add(l, "maskedPaths", strv(masked));
	json_object_object_add(l, "readonlyPaths", strv(ro));
	return l;
}

/* The default spec as a json-c object (+1). */
static json_object *default_spec(bool rootless)
{
	json_object *s = json_object_new_object(), *root = json_object_new_object();

	json_object_object_add(s, "ociVersion", json_object_new_string("1.2.0"));
	json_object_object_add(s, "process", process_obj(rootless));
	json_object_object_add(root, "path", json_object_new_string("rootfs"));
	json_object_object_add(root, "readonly", json_object_new_boolean(1));
	json_object_object_add(s, "root", root);
	json_object_object_add(s, "hostname", json_object_new_string("warden"));
	json_object_object_add(s, "mounts", mounts_arr(rootless));
	json_object_object_add(s, "linux", linux_obj(rootless));
	return s;
}

int cmd_spec(int argc, char **argv)
{
	const char *bundle = ".";
	bool rootless = false;
	char path[4096];
	json_object *spec;
	const char *text;
	size_t len;
	bool ok;
	int fd;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rootless")) {
			rootless = true;
		} else if ((!strcmp(argv[i], "--bundle") || !strcmp(argv[i], "-b")) &&
			   i + 1 < argc) {
			bundle = argv[++i];
		} else if (!strncmp(argv[i], "--bundle=", 9)) {
			bundle = argv[i] + 9;
		} else {
			cmd_error("spec: unknown argument '%s'", argv[i]);
			return cmd_usage("spec");
		}
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/config.json", bundle) >= sizeof(path)) {
		cmd_error("spec: bundle path too long");
		return 1;
	}
	spec = default_spec(rootless);
	text = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_NOSLASHESCAPE);
	/* O_EXCL: like runc, never overwrite a bundle's existing config */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (errno == EEXIST)
			cmd_error("File config.json exists. Remove it first (%s)", path);
		else
			cmd_error("spec: %s: %s", path, strerror(errno));
		json_object_put(spec);
		return 1;
	}
	len = strlen(text);
	ok = write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
	if (close(fd) < 0)
		ok = false;
	if (!ok) {
		cmd_error("spec: writing %s: %s", path, strerror(errno));
		unlink(path);
		json_object_put(spec);
		return 1;
	}
	json_object_put(spec);
	return 0;
}
