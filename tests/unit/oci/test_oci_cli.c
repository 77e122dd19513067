/*
 * warden spec and warden features, run as the commands users run: the spec a bundle gets
 * is runc's default and parses back with Warden's own parser; a second spec never
 * overwrites the first; features is one JSON object listing what the parser accepts.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/oci_spec.h"
#include "tests/harness/harness.h"

/* Runs warden with args, stdout into out (NUL-terminated); the exit status. */
static int run_warden(char *const args[], char *out, size_t len)
{
	int pfd[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execv(WARDEN_BIN, args);
		_exit(127);
	}
	close(pfd[1]);
	while (got + 1 < len && (n = read(pfd[0], out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = 0;
	close(pfd[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST(spec_writes_runcs_default_and_never_overwrites)
{
	char dir[] = "/tmp/warden-spec-XXXXXX", path[128], out[256], err[256];
	struct oci_spec *s = NULL;

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	ASSERT_EQ(
		run_warden((char *[]){ "warden", "spec", "--bundle", dir, NULL }, out, sizeof(out)),
		0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	ASSERT_EQ(oci_spec_load(path, &s, err, sizeof(err)), 0);
	EXPECT_TRUE(s->has_process);
	EXPECT_TRUE(s->process.terminal);
	EXPECT_TRUE(!strcmp(s->process.args[0], "sh"));
	EXPECT_TRUE(!strcmp(s->root_path, "rootfs"));
	EXPECT_TRUE(s->root_readonly);
	EXPECT_EQ(s->n_mounts, 7);
	EXPECT_TRUE(oci_spec_namespace(s, "pid") != NULL);
	EXPECT_TRUE(oci_spec_namespace(s, "user") == NULL);
	EXPECT_EQ(s->n_warnings, 0);
	oci_spec_free(s);
	/* like runc: an existing config.json is an error, and it stays as it was */
	EXPECT_EQ(
		run_warden((char *[]){ "warden", "spec", "--bundle", dir, NULL }, out, sizeof(out)),
		1);
	EXPECT_EQ(unlink(path), 0);
	EXPECT_EQ(run_warden((char *[]){ "warden", "spec", "--rootless", "-b", dir, NULL }, out,
			     sizeof(out)),
		  0);
	ASSERT_EQ(oci_spec_load(path, &s, err, sizeof(err)), 0);
	EXPECT_TRUE(oci_spec_namespace(s, "user") != NULL);
	EXPECT_TRUE(oci_spec_namespace(s, "network") == NULL);
	oci_spec_free(s);
	EXPECT_EQ(unlink(path), 0);
	EXPECT_EQ(rmdir(dir), 0);
}

TEST(features_is_one_json_object)
{
	static char out[65536];
	json_object *o, *v, *lx;

	ASSERT_EQ(run_warden((char *[]){ "warden", "features", NULL }, out, sizeof(out)), 0);
	o = json_tokener_parse(out);
	ASSERT_TRUE(o != NULL);
	EXPECT_TRUE(json_object_object_get_ex(o, "ociVersionMax", &v) &&
		    !strcmp(json_object_get_string(v), "1.3.0"));
	EXPECT_TRUE(json_object_object_get_ex(o, "hooks", &v) &&
		    json_object_array_length(v) == OCI_HOOK_NSTAGES);
	EXPECT_TRUE(json_object_object_get_ex(o, "mountOptions", &v) &&
		    json_object_array_length(v) > 20);
	ASSERT_TRUE(json_object_object_get_ex(o, "linux", &lx));
	EXPECT_TRUE(json_object_object_get_ex(lx, "capabilities", &v) &&
		    !strcmp(json_object_get_string(json_object_array_get_idx(v, 0)), "CAP_CHOWN"));
	json_object_put(o);
	EXPECT_EQ(run_warden((char *[]){ "warden", "features", "extra", NULL }, out, sizeof(out)),
		  2);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
