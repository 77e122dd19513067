/*
 * The sandbox cgroup: cgroupsPath rules (pure), the `events --stats` document (pure), and,
 * as root on a writable cgroupfs, the whole life of a real cgroup on this host's layout:
 * limits read back from the files, a child moved in, frozen and thawed, listed, counted in
 * the statistics, killed by destroy, and every directory gone afterwards. On a hybrid v1
 * host the v2 code also runs against /sys/fs/cgroup/unified (no controllers there). Paths
 * carry our pid, and each case removes what it made even when a check fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/oci_spec.h"
#include "tests/harness/harness.h"

static void expect_path(const char *in, const char *id, bool systemd, const char *want)
{
	char buf[256];
	int ret = cgroup_path_from_spec(in, id, systemd, buf, sizeof(buf));

	if (ret)
		harness_fail(__FILE__, __LINE__, "\"%s\" (systemd %d): %s", in ? in : "(null)",
			     systemd, harness_errname(-ret));
	else if (strcmp(buf, want))
		harness_fail(__FILE__, __LINE__, "\"%s\" (systemd %d): \"%s\", want \"%s\"",
			     in ? in : "(null)", systemd, buf, want);
}

TEST(cgroupfs_paths_follow_runc)
{
	char buf[256];

	expect_path("", "c1", false, "c1"); /* runc: the id, under the runtime's cgroup */
	expect_path(NULL, "c1", false, "c1");
	expect_path("/k8s.io/abc", "c1", false, "/k8s.io/abc");
	expect_path("//a/./b//c/", "c1", false, "/a/b/c");
	expect_path("a/b", "c1", false, "a/b");
	expect_path("./a", "c1", false, "a");
	EXPECT_EQ(cgroup_path_from_spec("/a/../b", "c1", false, buf, sizeof(buf)), -EINVAL);
	EXPECT_EQ(cgroup_path_from_spec("..", "c1", false, buf, sizeof(buf)), -EINVAL);
	EXPECT_EQ(cgroup_path_from_spec("a/..", "c1", false, buf, sizeof(buf)), -EINVAL);
	EXPECT_EQ(cgroup_path_from_spec("/", "c1", false, buf, sizeof(buf)), -EINVAL);
	EXPECT_EQ(cgroup_path_from_spec("", "..", false, buf, sizeof(buf)), -EINVAL);
	EXPECT_EQ(cgroup_path_from_spec("", "a/b", false, buf, sizeof(buf)), -EINVAL);
	EXPECT_EQ(cgroup_path_from_spec("/abcdef", "c1", false, buf, 7), -ENAMETOOLONG);
	expect_path("/abcde", "c1", false, "/abcde"); /* exactly fits 7 bytes */
	EXPECT_EQ(cgroup_path_from_spec("/abcde", "c1", false, buf, 7), 0);
}

TEST(systemd_paths_become_cgroupfs_paths)
{
	char buf[256];

	expect_path("system.slice:libpod:abc", "c1", true, "/system.slice/libpod-abc.scope");
	expect_path("", "c1", true, "/system.slice/warden-c1.scope");
	expect_path(":docker:abc", "c1", true, "/system.slice/docker-abc.scope");
	expect_path("user-1000.slice:p:n", "c1", true, "/user.slice/user-1000.slice/p-n.scope");
	expect_path("a-b-c.slice:p:n", "c1", true, "/a.slice/a-b.slice/a-b-c.slice/p-n.scope");
	expect_path("-.slice:p:n", "c1", true, "/p-n.scope");
	expect_path("machine.slice:p:x.slice", "c1", true, "/machine.slice/x.slice");
	expect_path("system.slice::n", "c1", true, "/system.slice/n.scope");
	EXPECT_EQ(cgroup_path_from_spec("system.slice:libpod", "c1", true, buf, sizeof(buf)),
		  -EINVAL);
	EXPECT_EQ(cgroup_path_from_spec("a:b:c:d", "c1", true, buf, sizeof(buf)), -EINVAL);
	EXPECT_EQ(cgroup_path_from_spec("user.slice/x.slice:p:n", "c1", true, buf, sizeof(buf)),
		  -EINVAL);
	EXPECT_EQ(cgroup_path_from_spec("system:p:n", "c1", true, buf, sizeof(buf)), -EINVAL);
	EXPECT_EQ(cgroup_path_from_spec("a--b.slice:p:n", "c1", true, buf, sizeof(buf)), -EINVAL);
	EXPECT_EQ(cgroup_path_from_spec("system.slice:p:..", "c1", true, buf, sizeof(buf)),
		  -EINVAL);
	EXPECT_EQ(cgroup_path_from_spec("system.slice:p:a/b", "c1", true, buf, sizeof(buf)),
		  -EINVAL);
}

static uint64_t jget(json_object *o, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		if (!json_object_object_get_ex(o, key, &o))
			return (uint64_t)-2;
		path = dot + 1;
	}
	if (!json_object_object_get_ex(o, path, &o))
		return (uint64_t)-2; /* absent */
	return json_object_get_uint64(o);
}

TEST(stats_render_like_runc_events)
{
	struct cgroup_stats st = { .cpu_total_ns = 123456789,
				   .cpu_user_ns = 100,
				   .mem_usage = 4096,
				   .mem_limit = 64 << 20,
				   .mem_max_usage = 8192,
				   .swap_limit = UINT64_MAX,
				   .pids_current = 3,
				   .pids_limit = 10 };
	char *s = cgroup_stats_json(&st, "c1");
	json_object *o, *v;

	ASSERT_TRUE(s != NULL);
	harness_diag("%s", s);
	EXPECT_TRUE(strchr(s, '\n') == NULL);
	o = json_tokener_parse(s);
	ASSERT_TRUE(o != NULL);
	EXPECT_TRUE(json_object_object_get_ex(o, "type", &v) &&
		    !strcmp(json_object_get_string(v), "stats"));
	EXPECT_TRUE(json_object_object_get_ex(o, "id", &v) &&
		    !strcmp(json_object_get_string(v), "c1"));
	EXPECT_EQ(jget(o, "data.cpu.usage.total"), 123456789);
	EXPECT_EQ(jget(o, "data.cpu.usage.user"), 100);
	EXPECT_EQ(jget(o, "data.cpu.usage.kernel"), 0); /* no omitempty in runc */
	EXPECT_EQ(jget(o, "data.cpu.throttling.periods"), (uint64_t)-2); /* omitempty */
	EXPECT_EQ(jget(o, "data.memory.usage.usage"), 4096);
	EXPECT_EQ(jget(o, "data.memory.usage.limit"), 64 << 20);
	EXPECT_EQ(jget(o, "data.memory.usage.max"), 8192);
	EXPECT_EQ(jget(o, "data.memory.usage.failcnt"), 0);
	EXPECT_EQ(jget(o, "data.memory.swap.limit"), UINT64_MAX);
	EXPECT_EQ(jget(o, "data.pids.current"), 3);
	EXPECT_EQ(jget(o, "data.pids.limit"), 10);
	json_object_put(o);
	free(s);
}

/* ---- a real cgroup ---- */

static bool read_file(const char *dir, const char *file, char *buf, size_t len)
{
	char path[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	if (strchr(buf, '\n') == buf + n - 1) /* one-line files compare without it */
		buf[n - 1] = '\0';
	return true;
}

static void expect_file(const char *dir, const char *file, const char *want)
{
	char buf[256];

	if (!dir || !read_file(dir, file, buf, sizeof(buf)))
		harness_fail(__FILE__, __LINE__, "cannot read %s/%s", dir ? dir : "(none)", file);
	else if (strcmp(buf, want))
		harness_fail(__FILE__, __LINE__, "%s/%s: \"%s\", want \"%s\"", dir, file, buf,
			     want);
}

static bool dir_exists(const char *d)
{
	struct stat st;

	return stat(d, &st) == 0;
}

/* A child that, once told to, runs and touches memory inside the cgroup, answers, and then
 * sleeps on a pipe until killed. */
struct sleeper {
	pid_t pid;
	int go, ack;
};

static int sleeper_start(struct sleeper *s)
{
	int go[2], ack[2];

	if (pipe2(go, O_CLOEXEC) || pipe2(ack, O_CLOEXEC))
		return -1;
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		char c;
		char *mem;

		close(go[1]);
		close(ack[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		mem = malloc(1 << 20);
		if (mem)
			memset(mem, 1, 1 << 20);
		for (volatile int i = 0; i < 1000000; i++)
			;
		if (write(ack[1], "k", 1) != 1)
			_exit(1);
		read(go[0], &c, 1); /* until killed */
		_exit(0);
	}
	close(go[0]);
	close(ack[1]);
	s->go = go[1];
	s->ack = ack[0];
	return 0;
}

static void sleeper_stop(struct sleeper *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	close(s->go);
	close(s->ack);
}

/* Saved directories of a cgroup, to check and clean after destroy. */
struct saved {
	char *dir[8];
	int n;
};

static void save_dirs(struct cgroup *cg, struct saved *sv)
{
	static const char *const ctls[] = { "memory", "cpu", "cpuacct", "pids", "freezer" };

	sv->n = 0;
	for (size_t i = 0; i < sizeof(ctls) / sizeof(ctls[0]); i++) {
		const char *d = cgroup_dir(cg, ctls[i]);
		bool dup = false;

		for (int j = 0; d && j < sv->n; j++)
			dup |= !strcmp(sv->dir[j], d);
		if (d && !dup)
			sv->dir[sv->n++] = strdup(d);
	}
}

/* Removes the test's parent directory ("/warden-test-PID") in every hierarchy. */
static void remove_parents(struct saved *sv)
{
	for (int i = 0; i < sv->n; i++) {
		char *p = strdup(sv->dir[i]);

		rmdir(sv->dir[i]); /* after a failed destroy */
		EXPECT_EQ(rmdir(dirname(p)), 0);
		free(p);
		free(sv->dir[i]);
	}
	sv->n = 0;
}

/* Hosts where no runtime could create a cgroup: read-only or foreign cgroupfs, or a
 * container whose cgroup namespace root holds processes (no controllers for children). */
static bool skip_errno(int ret, const char *err)
{
	return ret == -EACCES || ret == -EPERM || ret == -EROFS ||
	       (ret == -EBUSY && strstr(err, "cgroup.subtree_control"));
}

/* The case body for whichever layout is in force; v2 says which one that is. */
static void cgroup_life(bool v2, const struct oci_resources *r)
{
	struct sleeper sl = { 0 };
	struct cgroup *cg = NULL, *cg2 = NULL;
	struct cgroup_stats st;
	struct saved sv = { 0 };
	char path[128], err[512], c;
	pid_t *pids = NULL;
	size_t n = 0;
	bool found = false;
	int ret, status;

	snprintf(path, sizeof(path), "/warden-test-%d/sb", (int)getpid());
	ret = cgroup_create(path, r, &cg, err, sizeof(err));
	if (skip_errno(ret, err)) {
		printf("# SKIPPING live cgroup checks: %s\n", err);
		SKIP("cgroupfs not writable: %s", err);
	}
	if (ret)
		harness_fail(__FILE__, __LINE__, "cgroup_create: %s (%s)", err,
			     harness_errname(-ret));
	if (ret)
		return;
	save_dirs(cg, &sv);
	EXPECT_EQ(cgroup_is_v2(cg), v2);
	EXPECT_GE(sv.n, 1);
	if (r && !v2) {
		expect_file(cgroup_dir(cg, "memory"), "memory.limit_in_bytes", "67108864");
		expect_file(cgroup_dir(cg, "cpu"), "cpu.shares", "512");
		expect_file(cgroup_dir(cg, "cpu"), "cpu.cfs_quota_us", "50000");
		expect_file(cgroup_dir(cg, "cpu"), "cpu.cfs_period_us", "100000");
		expect_file(cgroup_dir(cg, "pids"), "pids.max", "10");
	} else if (r) {
		expect_file(cgroup_dir(cg, "memory"), "memory.max", "67108864");
		expect_file(cgroup_dir(cg, "cpu"), "cpu.weight", "20");
		expect_file(cgroup_dir(cg, "cpu"), "cpu.max", "50000 100000");
		expect_file(cgroup_dir(cg, "pids"), "pids.max", "10");
	}
	/* a second create of the same live cgroup is refused once it has members */
	if (sleeper_start(&sl)) {
		harness_fail(__FILE__, __LINE__, "cannot start the child");
		goto out;
	}
	EXPECT_EQ(cgroup_add_pid(cg, sl.pid), 0);
	if (write(sl.go, "g", 1) != 1 || read(sl.ack, &c, 1) != 1)
		harness_fail(__FILE__, __LINE__, "the child did not answer");
	EXPECT_EQ(cgroup_create(path, NULL, &cg2, err, sizeof(err)), -EBUSY);
	EXPECT_TRUE(strstr(err, "cgroup is not empty") != NULL);

	/* a later invocation finds it again by its path */
	if (cgroup_open(path, &cg2)) {
		harness_fail(__FILE__, __LINE__, "cgroup_open failed");
		goto out;
	}
	EXPECT_EQ(cgroup_pids(cg2, &pids, &n), 0);
	for (size_t i = 0; i < n; i++)
		found |= pids[i] == sl.pid;
	EXPECT_TRUE(found);
	EXPECT_EQ(n, 1);
	free(pids);

	EXPECT_EQ(cgroup_freeze(cg2, true), 0);
	if (v2)
		EXPECT_TRUE(
			read_file(cgroup_dir(cg, "freezer"), "cgroup.events", err, sizeof(err)) &&
			strstr(err, "frozen 1"));
	else
		expect_file(cgroup_dir(cg, "freezer"), "freezer.state", "FROZEN");
	EXPECT_EQ(cgroup_freeze(cg2, false), 0);
	if (v2)
		EXPECT_TRUE(
			read_file(cgroup_dir(cg, "freezer"), "cgroup.events", err, sizeof(err)) &&
			strstr(err, "frozen 0"));
	else
		expect_file(cgroup_dir(cg, "freezer"), "freezer.state", "THAWED");

	EXPECT_EQ(cgroup_stats(cg2, &st), 0);
	harness_diag("cpu %llu ns, memory %llu / %llu, pids %llu / %llu",
		     (unsigned long long)st.cpu_total_ns, (unsigned long long)st.mem_usage,
		     (unsigned long long)st.mem_limit, (unsigned long long)st.pids_current,
		     (unsigned long long)st.pids_limit);
	if (r) {
		EXPECT_GT(st.cpu_total_ns, 0);
		EXPECT_GT(st.mem_usage, 0);
		EXPECT_EQ(st.mem_limit, 64 << 20);
		EXPECT_EQ(st.pids_current, 1);
		EXPECT_EQ(st.pids_limit, 10);
	}

	/* destroy kills the child and removes the leaf everywhere */
	EXPECT_EQ(cgroup_destroy(cg2), 0);
	EXPECT_EQ(waitpid(sl.pid, &status, 0), sl.pid);
	sl.pid = 0;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	for (int i = 0; i < sv.n; i++)
		if (dir_exists(sv.dir[i]))
			harness_fail(__FILE__, __LINE__, "%s still exists", sv.dir[i]);
	EXPECT_EQ(cgroup_open(path, &cg2 /* unused on failure */), -ENOENT);
out:
	if (sl.pid > 0)
		cgroup_destroy(cg);
	sleeper_stop(&sl);
	cgroup_free(cg);
	if (cg2 && cg2 != cg)
		cgroup_free(cg2);
	remove_parents(&sv);
}

static bool host_is_v2(void)
{
	struct statfs sf;

	return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == 0x63677270;
}

static void need_root(void)
{
	if (geteuid() != 0) {
		printf("# SKIPPING live cgroup checks: not root\n");
		SKIP("needs root");
	}
}

TEST(a_cgroup_on_this_host_limits_freezes_counts_and_goes_away)
{
	struct oci_resources r = { .memory_limit = 64 << 20,
				   .memory_swap = -1,
				   .cpu_shares = 512,
				   .cpu_quota = 50000,
				   .cpu_period = 100000,
				   .pids_limit = 10 };

	need_root();
	cgroup_life(host_is_v2(), &r);
}

TEST(a_refused_limit_names_its_file_and_leaves_nothing)
{
	struct oci_resources r = { .memory_limit = -1,
				   .memory_swap = -1,
				   .cpu_quota = -1,
				   .cpu_period = 1, /* below the kernel's 1 ms minimum */
				   .pids_limit = -1 };
	struct cgroup *cg = NULL;
	char path[256], top[128], err[512];
	int ret;

	need_root();
	snprintf(top, sizeof(top), "/warden-test-%d-bad", (int)getpid());
	snprintf(path, sizeof(path), "%s/x/y", top);
	ret = cgroup_create(path, &r, &cg, err, sizeof(err));
	if (skip_errno(ret, err) && !strstr(err, "cpu.")) {
		printf("# SKIPPING live cgroup checks: %s\n", err);
		SKIP("cgroupfs not writable: %s", err);
	}
	harness_diag("%s", err);
	EXPECT_EQ(ret, -EINVAL);
	EXPECT_STREQ(err, host_is_v2() ? "cpu.max: Invalid argument" :
					 "cpu.cfs_period_us: Invalid argument");
	EXPECT_TRUE(cg == NULL);
	/* nothing left: not the leaf, not the parents it made */
	EXPECT_EQ(cgroup_open(top, &cg), -ENOENT);
	if (cg) {
		cgroup_destroy(cg);
		cgroup_free(cg);
	}
}

TEST(cgroup_v2_code_on_a_hybrid_hosts_unified_tree)
{
	struct oci_resources mem = {
		.memory_limit = 64 << 20, .memory_swap = -1, .cpu_quota = -1, .pids_limit = -1
	};
	struct statfs sf;
	struct cgroup *cg = NULL;
	char path[128], err[512];

	need_root();
	if (host_is_v2())
		SKIP("the host is cgroup v2: the host case covers it");
	if (statfs("/sys/fs/cgroup/unified", &sf) || sf.f_type != 0x63677270)
		SKIP("no /sys/fs/cgroup/unified cgroup2 mount");
	cgroup_force_v2_mount("/sys/fs/cgroup/unified");
	cgroup_life(true, NULL);
	/* Controllers live in v1 here, so a memory limit cannot be enabled: the error names
	 * the file that refused, and the directories it made are gone again. */
	snprintf(path, sizeof(path), "/warden-test-%d-v2/sb", (int)getpid());
	EXPECT_NE(cgroup_create(path, &mem, &cg, err, sizeof(err)), 0);
	harness_diag("%s", err);
	EXPECT_TRUE(strstr(err, "cgroup.subtree_control (+memory)") != NULL);
	snprintf(path, sizeof(path), "/warden-test-%d-v2", (int)getpid());
	EXPECT_EQ(cgroup_open(path, &cg), -ENOENT);
	cgroup_force_v2_mount(NULL);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
