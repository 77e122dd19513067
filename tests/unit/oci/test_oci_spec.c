/*
 * oci_spec_parse: a full document as podman writes it parses into the expected fields; a
 * minimal one gets the defaults; each kind of damage is one error naming the field.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "runtime/oci_spec.h"
#include "tests/harness/harness.h"

static const char full_doc[] =
	"{\"ociVersion\":\"1.2.0\","
	" \"process\":{\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80},"
	"  \"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,\"additionalGids\":[10,20]},"
	"  \"args\":[\"/bin/sh\",\"-c\",\"echo hi\"],\"env\":[\"PATH=/bin\",\"TERM=xterm\"],"
	"  \"cwd\":\"/root\",\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"],"
	"   \"effective\":[\"CAP_KILL\"],\"permitted\":[\"CAP_KILL\",\"CAP_NOT_A_CAP\"]},"
	"  \"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":512},"
	"   {\"type\":\"RLIMIT_CORE\",\"hard\":18446744073709551615,\"soft\":0}],"
	"  \"noNewPrivileges\":true,\"oomScoreAdj\":-17},"
	" \"root\":{\"path\":\"rootfs\",\"readonly\":true},"
	" \"hostname\":\"box\",\"domainname\":\"example.org\","
	" \"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"  {\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\","
	"   \"options\":[\"rbind\",\"ro\"]}],"
	" \"hooks\":{\"prestart\":[{\"path\":\"/usr/bin/true\",\"args\":[\"true\"],\"timeout\":5}],"
	"  \"poststop\":[{\"path\":\"/bin/echo\"}]},"
	" \"annotations\":{\"org.example/key\":\"value\"},"
	" \"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/run/netns/x\"}],"
	"  \"resources\":{\"memory\":{\"limit\":536870912},\"cpu\":{\"shares\":512,\"quota\":50000,"
	"   \"period\":100000},\"pids\":{\"limit\":64},\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
	"  \"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},\"maskedPaths\":[\"/proc/kcore\"],"
	"  \"readonlyPaths\":[\"/proc/sys\"],\"cgroupsPath\":\"/warden/x\","
	"  \"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"}}}";

static struct oci_spec *parse_ok(const char *doc)
{
	struct oci_spec *s = NULL;
	char err[512] = "";
	int r = oci_spec_parse(doc, strlen(doc), &s, err, sizeof(err));

	if (r != 0)
		harness_diag("unexpected error: %s", err);
	return s;
}

/* The document must fail with -EINVAL and a message containing want. */
static void expect_error(const char *doc, const char *want)
{
	struct oci_spec *s = NULL;
	char err[512] = "";
	int r = oci_spec_parse(doc, strlen(doc), &s, err, sizeof(err));

	EXPECT_EQ(r, -EINVAL);
	EXPECT_TRUE(s == NULL);
	if (!strstr(err, want))
		harness_fail(__FILE__, __LINE__, "error \"%s\" does not mention \"%s\"", err, want);
	if (strchr(err, '\n'))
		harness_fail(__FILE__, __LINE__, "error \"%s\" is not one line", err);
}

TEST(full_document_parses)
{
	struct oci_spec *s = parse_ok(full_doc);

	ASSERT_TRUE(s != NULL);
	EXPECT_TRUE(!strcmp(s->oci_version, "1.2.0"));
	EXPECT_TRUE(s->has_process);
	EXPECT_TRUE(s->process.terminal);
	EXPECT_EQ(s->process.console_height, 24);
	EXPECT_EQ(s->process.console_width, 80);
	EXPECT_EQ(s->process.uid, 1000);
	EXPECT_EQ(s->process.gid, 100);
	EXPECT_TRUE(s->process.has_umask);
	EXPECT_EQ(s->process.umask, 022);
	ASSERT_EQ(s->process.n_additional_gids, 2);
	EXPECT_EQ(s->process.additional_gids[1], 20);
	EXPECT_TRUE(!strcmp(s->process.args[2], "echo hi"));
	EXPECT_TRUE(s->process.args[3] == NULL);
	EXPECT_TRUE(!strcmp(s->process.env[1], "TERM=xterm"));
	EXPECT_TRUE(!strcmp(s->process.cwd, "/root"));
	EXPECT_EQ(s->process.cap_bounding, (1ull << 0) | (1ull << 5));
	EXPECT_EQ(s->process.cap_effective, 1ull << 5);
	EXPECT_EQ(s->process.cap_permitted, 1ull << 5); /* the unknown one is only a warning */
	ASSERT_EQ(s->n_warnings, 1);
	EXPECT_TRUE(strstr(s->warnings[0], "process.capabilities.permitted") != NULL);
	EXPECT_TRUE(strstr(s->warnings[0], "CAP_NOT_A_CAP") != NULL);
	ASSERT_EQ(s->process.n_rlimits, 2);
	EXPECT_EQ(s->process.rlimits[0].resource, RLIMIT_NOFILE);
	EXPECT_EQ(s->process.rlimits[0].soft, 512);
	EXPECT_TRUE(s->process.rlimits[1].hard == UINT64_MAX);
	EXPECT_TRUE(s->process.no_new_privileges);
	EXPECT_TRUE(s->process.has_oom_score_adj);
	EXPECT_EQ(s->process.oom_score_adj, -17);
	EXPECT_TRUE(!strcmp(s->root_path, "rootfs"));
	EXPECT_TRUE(s->root_readonly);
	EXPECT_TRUE(!strcmp(s->hostname, "box"));
	EXPECT_TRUE(!strcmp(s->domainname, "example.org"));
	ASSERT_EQ(s->n_mounts, 2);
	EXPECT_TRUE(!strcmp(s->mounts[1].source, "/srv"));
	EXPECT_TRUE(!strcmp(s->mounts[1].options[1], "ro"));
	EXPECT_TRUE(s->mounts[0].options[0] == NULL);
	ASSERT_EQ(s->n_hooks[OCI_HOOK_PRESTART], 1);
	EXPECT_EQ(s->hooks[OCI_HOOK_PRESTART][0].timeout, 5);
	ASSERT_EQ(s->n_hooks[OCI_HOOK_POSTSTOP], 1);
	EXPECT_TRUE(s->hooks[OCI_HOOK_POSTSTOP][0].args[0] == NULL);
	EXPECT_EQ(s->n_hooks[OCI_HOOK_CREATE_RUNTIME], 0);
	EXPECT_TRUE(!strcmp(oci_spec_annotation(s, "org.example/key"), "value"));
	EXPECT_TRUE(oci_spec_annotation(s, "nope") == NULL);
	EXPECT_TRUE(oci_spec_namespace(s, "pid") != NULL);
	EXPECT_TRUE(!strcmp(oci_spec_namespace(s, "network")->path, "/run/netns/x"));
	EXPECT_TRUE(oci_spec_namespace(s, "user") == NULL);
	EXPECT_EQ(s->resources.memory_limit, 536870912);
	EXPECT_EQ(s->resources.cpu_shares, 512);
	EXPECT_EQ(s->resources.cpu_quota, 50000);
	EXPECT_EQ(s->resources.cpu_period, 100000);
	EXPECT_EQ(s->resources.pids_limit, 64);
	ASSERT_EQ(s->n_sysctl, 1);
	EXPECT_TRUE(!strcmp(s->sysctl[0].value, "1"));
	EXPECT_TRUE(!strcmp(s->masked_paths[0], "/proc/kcore"));
	EXPECT_TRUE(!strcmp(s->readonly_paths[0], "/proc/sys"));
	EXPECT_TRUE(!strcmp(s->cgroups_path, "/warden/x"));
	oci_spec_free(s);
}

TEST(minimal_document_gets_defaults)
{
	struct oci_spec *s = parse_ok("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/r\"}}");

	ASSERT_TRUE(s != NULL);
	EXPECT_FALSE(s->has_process);
	EXPECT_EQ(s->n_mounts, 0);
	EXPECT_TRUE(!strcmp(s->hostname, ""));
	EXPECT_EQ(s->resources.memory_limit, -1);
	EXPECT_EQ(s->resources.pids_limit, -1);
	EXPECT_TRUE(s->masked_paths[0] == NULL);
	oci_spec_free(s);
}

TEST(broken_fields_are_named)
{
	expect_error("", "not valid JSON");
	expect_error("{\"ociVersion\":\"1.0.0\"", "not valid JSON");
	expect_error("[1,2]", "expected a JSON object");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}} x", "trailing data");
	expect_error("{\"root\":{\"path\":\"r\"}}", "ociVersion: required");
	expect_error("{\"ociVersion\":\"2.0.0\",\"root\":{\"path\":\"r\"}}", "ociVersion");
	expect_error("{\"ociVersion\":\"1.0.0\"}", "root: required");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":7}}",
		     "root.path: expected a string, got a number");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":"
		     "{\"cwd\":\"/\"}}",
		     "process.args: must name a program");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":"
		     "{\"args\":[\"a\",3],\"cwd\":\"/\"}}",
		     "process.args[1]: expected a string");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":"
		     "{\"args\":[\"a\"],\"cwd\":\"rel\"}}",
		     "process.cwd: must be an absolute path");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":"
		     "{\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":-1}}}",
		     "process.user.uid: -1 is out of range");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":"
		     "{\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":4294967296}}}",
		     "process.user.uid");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":"
		     "{\"args\":[\"a\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\","
		     "\"soft\":1,\"hard\":1}]}}",
		     "process.rlimits[0]: unknown rlimit type");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":"
		     "{\"args\":[\"a\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
		     "\"soft\":2,\"hard\":1}]}}",
		     "soft limit is above the hard limit");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"mounts\":"
		     "[{\"destination\":\"/a\"},{\"type\":\"tmpfs\"}]}",
		     "mounts[1].destination: required");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"hooks\":"
		     "{\"prestart\":[{\"path\":\"rel\"}]}}",
		     "hooks.prestart[0]: path \"rel\" is not absolute");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"hooks\":"
		     "{\"poststart\":[{\"path\":\"/x\",\"timeout\":0}]}}",
		     "hooks.poststart[0]: timeout");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":"
		     "{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}}",
		     "linux.namespaces[1]: duplicate namespace type");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":"
		     "{\"namespaces\":[{\"type\":\"bogus\"}]}}",
		     "unknown namespace type \"bogus\"");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":"
		     "{\"resources\":{\"pids\":{\"limit\":\"many\"}}}}",
		     "linux.resources.pids.limit: expected a number");
	expect_error("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"annotations\":"
		     "{\"k\":1}}",
		     "annotations.k: expected a string");
}

TEST(mount_options_split_into_flags_and_data)
{
	char *opts[] = { "nosuid",	"ro",	  "mode=755", "rw",	  "rbind",
			 "size=65536k", "noexec", "exec",     "rprivate", NULL };
	struct oci_mount m = {
		.destination = "/d", .type = "tmpfs", .source = "", .options = opts
	};
	struct oci_mount_opts o;

	ASSERT_EQ(oci_mount_options(&m, &o), 0);
	EXPECT_EQ(o.flags, MS_NOSUID | MS_BIND | MS_REC | MS_PRIVATE);
	EXPECT_TRUE(!strcmp(o.data, "mode=755,size=65536k"));
	free(o.data);
	m.type = "bind";
	m.options = NULL;
	ASSERT_EQ(oci_mount_options(&m, &o), 0);
	EXPECT_EQ(o.flags, MS_BIND);
	EXPECT_TRUE(!strcmp(o.data, ""));
	free(o.data);
	EXPECT_TRUE(!strcmp(oci_cap_name(21), "CAP_SYS_ADMIN"));
	EXPECT_TRUE(oci_cap_name(64) == NULL);
}

/* Every prefix of a valid document is rejected cleanly (ASan checks no read past it). */
TEST(every_truncation_is_an_error)
{
	size_t len = strlen(full_doc);

	for (size_t n = 0; n < len; n++) {
		struct oci_spec *s = NULL;
		char err[512];
		char *copy = malloc(n ? n : 1);

		ASSERT_TRUE(copy != NULL);
		memcpy(copy, full_doc, n);
		EXPECT_EQ(oci_spec_parse(copy, n, &s, err, sizeof(err)), -EINVAL);
		EXPECT_TRUE(s == NULL);
		free(copy);
	}
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
