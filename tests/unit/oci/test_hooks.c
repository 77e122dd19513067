/*
 * OCI hooks: /bin/sh hooks in the case's temp dir record what they were given (stdin,
 * their own /proc cmdline, environ and fd table) so each case compares it exactly; failure
 * messages name the stage, index and path; a timeout kills the hook and its children; a
 * hook that never reads a state bigger than a pipe still runs; a failure stops the stage.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/oci_hooks.h"
#include "tests/harness/harness.h"

static const char state_doc[] = "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\","
				"\"pid\":42,\"bundle\":\"/b\"}";

/* The contents of dir/name (NUL-terminated, malloc'd) and its length, or NULL. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[512], *buf = malloc(1 << 20);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	n = read(fd, buf, (1 << 20) - 1);
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = (size_t)n;
	return buf;
}

/* A /bin/sh -c hook whose script is fmt with the temp dir substituted for every %1$s. */
static struct oci_hook sh_hook(char *script_buf, size_t len, char **argv, const char *script)
{
	snprintf(script_buf, len, script, harness_tmpdir());
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = script_buf;
	argv[3] = NULL;
	return (struct oci_hook){ .path = "/bin/sh", .args = argv, .env = NULL };
}

static void expect_no_children(void)
{
	EXPECT_ERRNO(waitpid(-1, NULL, WNOHANG), ECHILD);
}

TEST(state_args_and_env_arrive_exactly)
{
	char script[1024], err[1024], *got;
	char *argv[] = { "custom-argv0", "-c", script, "x", "a b", "", NULL };
	char *env[] = { "A=1", "B=two words", "EMPTY=", NULL };
	struct oci_hook h = { .path = "/bin/sh", .args = argv, .env = env };
	const char want_argv[] = "custom-argv0\0-c\0SCRIPT\0x\0a b\0";
	const char want_env[] = "A=1\0B=two words\0EMPTY=\0";
	size_t n;

	snprintf(script, sizeof(script),
		 "cat > %1$s/state; cat /proc/$$/cmdline > %1$s/argv; "
		 "cat /proc/$$/environ > %1$s/env; true",
		 harness_tmpdir());
	ASSERT_EQ(oci_hook_run(&h, "prestart", 0, state_doc, err, sizeof(err)), 0);
	EXPECT_STREQ(err, "");
	got = slurp(harness_tmpdir(), "state", &n);
	ASSERT_TRUE(got != NULL);
	EXPECT_EQ(n, strlen(state_doc));
	EXPECT_STREQ(got, state_doc);
	free(got);
	/* argv: every element verbatim, the script included, then the empty one */
	got = slurp(harness_tmpdir(), "argv", &n);
	ASSERT_TRUE(got != NULL);
	EXPECT_EQ(n, 16 + strlen(script) + 1 + 2 + 4 + 1);
	EXPECT_MEMEQ(got, want_argv, 16);
	EXPECT_STREQ(got + 16, script);
	EXPECT_MEMEQ(got + 16 + strlen(script) + 1, want_argv + 23, 7);
	free(got);
	got = slurp(harness_tmpdir(), "env", &n);
	ASSERT_TRUE(got != NULL);
	EXPECT_EQ(n, sizeof(want_env) - 1);
	EXPECT_MEMEQ(got, want_env, sizeof(want_env) - 1);
	free(got);
	expect_no_children();
}

/* No args: argv is just the path. No env: an empty environment. With no script argument
 * sh runs its stdin, so the state document itself is the script here. */
TEST(empty_args_mean_the_path_and_no_env_is_empty)
{
	char doc[512], err[1024], *got;
	struct oci_hook h = { .path = "/bin/sh" };
	size_t n;

	snprintf(doc, sizeof(doc),
		 "cat /proc/$$/cmdline > %1$s/argv; cat /proc/$$/environ > %1$s/env; true\n",
		 harness_tmpdir());
	ASSERT_EQ(oci_hook_run(&h, "createRuntime", 0, doc, err, sizeof(err)), 0);
	got = slurp(harness_tmpdir(), "argv", &n);
	ASSERT_TRUE(got != NULL);
	EXPECT_EQ(n, sizeof("/bin/sh"));
	EXPECT_STREQ(got, "/bin/sh");
	free(got);
	got = slurp(harness_tmpdir(), "env", &n);
	ASSERT_TRUE(got != NULL);
	EXPECT_EQ(n, 0);
	free(got);
}

TEST(the_hook_gets_only_fds_0_1_2_and_default_signals)
{
	char script[512], err[1024], *argv[4], *got;
	/* ls lists /proc/self/fd through one more fd of its own, the lowest free: 3 */
	struct oci_hook fds =
		sh_hook(script, sizeof(script), argv, "exec /bin/ls /proc/self/fd > %1$s/fds");
	char script2[512], *argv2[4];
	struct oci_hook sig = sh_hook(script2, sizeof(script2), argv2,
				      "exec grep -E '^Sig(Blk|Ign)' /proc/self/status > %1$s/sig");
	int leak = open("/dev/null", O_RDONLY); /* not close-on-exec: must not reach the hook */

	ASSERT_GE(leak, 3);
	signal(SIGUSR1, SIG_IGN); /* SIG_IGN survives execve unless the runtime resets it */
	ASSERT_EQ(oci_hook_run(&fds, "poststart", 0, state_doc, err, sizeof(err)), 0);
	ASSERT_EQ(oci_hook_run(&sig, "poststart", 1, state_doc, err, sizeof(err)), 0);
	close(leak);
	got = slurp(harness_tmpdir(), "fds", NULL);
	ASSERT_TRUE(got != NULL);
	EXPECT_STREQ(got, "0\n1\n2\n3\n");
	free(got);
	got = slurp(harness_tmpdir(), "sig", NULL);
	ASSERT_TRUE(got != NULL);
	EXPECT_STREQ(got, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
	free(got);
}

TEST(a_nonzero_exit_fails_naming_the_hook_with_its_output)
{
	char script[512], err[1024], *argv[4];
	struct oci_hook h = sh_hook(script, sizeof(script), argv,
				    "echo to stdout; echo 'to\nstderr' >&2; exit 3");

	EXPECT_EQ(oci_hook_run(&h, "createContainer", 2, state_doc, err, sizeof(err)), -EIO);
	harness_diag("%s", err);
	EXPECT_STREQ(err, "error running createContainer hook #2 (/bin/sh): exit status 3, "
			  "stdout: to stdout, stderr: to stderr");
	expect_no_children();
}

TEST(a_hook_killed_by_a_signal_fails)
{
	char script[512], err[1024], *argv[4];
	struct oci_hook h = sh_hook(script, sizeof(script), argv, "kill -TERM $$");

	EXPECT_EQ(oci_hook_run(&h, "prestart", 0, state_doc, err, sizeof(err)), -EIO);
	EXPECT_TRUE(strstr(err, "(/bin/sh): signal: Terminated") != NULL);
}

TEST(a_missing_program_is_an_exec_error)
{
	char path[512], err[1024];
	struct oci_hook h = { .path = path };

	snprintf(path, sizeof(path), "%s/no-such-hook", harness_tmpdir());
	EXPECT_EQ(oci_hook_run(&h, "prestart", 0, state_doc, err, sizeof(err)), -ENOENT);
	EXPECT_TRUE(strstr(err, "no-such-hook): exec: No such file or directory") != NULL);
	expect_no_children();
}

/* The process is gone or a zombie (its reaper has yet to run): it no longer runs. */
static bool dead(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return !p || p[2] == 'Z' || p[2] == 'X';
}

TEST(a_timeout_kills_the_hook_and_what_it_started)
{
	char script[512], err[1024], *argv[4], *got;
	struct oci_hook h =
		sh_hook(script, sizeof(script), argv, "sleep 30 & echo $! > %1$s/pid; wait");
	pid_t sleeper;

	h.timeout = 1;
	EXPECT_EQ(oci_hook_run(&h, "prestart", 0, state_doc, err, sizeof(err)), -ETIMEDOUT);
	EXPECT_STREQ(err, "error running prestart hook #0 (/bin/sh): timed out after 1 s");
	expect_no_children();
	got = slurp(harness_tmpdir(), "pid", NULL);
	ASSERT_TRUE(got != NULL);
	sleeper = atoi(got);
	free(got);
	ASSERT_GT(sleeper, 0);
	/* SIGKILL is asynchronous: wait (bounded by the case timeout) for it to land. */
	while (!dead(sleeper)) {
		struct timespec ts = { 0, 1000000 };

		nanosleep(&ts, NULL);
	}
}

TEST(a_hook_that_never_reads_a_big_state_still_succeeds)
{
	char script[512], err[1024], *argv[4];
	size_t big = 200 * 1024;
	char *doc = malloc(big + 1);
	sigset_t pending;
	struct oci_hook h = sh_hook(script, sizeof(script), argv, "exit 0");
	struct oci_hook partial = sh_hook(script, sizeof(script), argv, "head -c 10 > /dev/null");

	ASSERT_TRUE(doc != NULL);
	memset(doc, 'x', big);
	doc[big] = '\0';
	/* Were SIGPIPE delivered, it would kill this case. */
	EXPECT_EQ(oci_hook_run(&h, "prestart", 0, doc, err, sizeof(err)), 0);
	EXPECT_EQ(oci_hook_run(&partial, "prestart", 1, doc, err, sizeof(err)), 0);
	sigpending(&pending);
	EXPECT_FALSE(sigismember(&pending, SIGPIPE));
	free(doc);
}

static struct oci_spec *order_spec(char scripts[3][512], char *argv[3][4])
{
	static struct oci_spec s;
	static struct oci_hook hooks[3];
	static const char *const fmt[3] = {
		"printf 0 >> %1$s/order",
		"printf 1 >> %1$s/order; exit 1",
		"printf 2 >> %1$s/order",
	};

	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 3; i++)
		hooks[i] = sh_hook(scripts[i], 512, argv[i], fmt[i]);
	s.hooks[OCI_HOOK_PRESTART] = hooks;
	s.n_hooks[OCI_HOOK_PRESTART] = 3;
	s.hooks[OCI_HOOK_POSTSTOP] = hooks;
	s.n_hooks[OCI_HOOK_POSTSTOP] = 3;
	return &s;
}

TEST(hooks_run_in_order_and_the_first_failure_stops_the_stage)
{
	char scripts[3][512], *argv[3][4], err[1024], *got, path[512];
	struct oci_spec *s = order_spec(scripts, argv);

	EXPECT_EQ(oci_hooks_run(s, OCI_HOOK_PRESTART, state_doc, err, sizeof(err)), -EIO);
	EXPECT_TRUE(!strncmp(err, "error running prestart hook #1 (/bin/sh): exit status 1",
			     strlen("error running prestart hook #1 (/bin/sh): exit status 1")));
	got = slurp(harness_tmpdir(), "order", NULL);
	ASSERT_TRUE(got != NULL);
	EXPECT_STREQ(got, "01");
	free(got);
	/* a stage without hooks succeeds and runs nothing */
	EXPECT_EQ(oci_hooks_run(s, OCI_HOOK_POSTSTART, state_doc, err, sizeof(err)), 0);
	EXPECT_EQ(oci_hooks_run(s, OCI_HOOK_NSTAGES, state_doc, err, sizeof(err)), -EINVAL);
	expect_no_children();
	snprintf(path, sizeof(path), "%s/order", harness_tmpdir());
	ASSERT_EQ(unlink(path), 0);
}

TEST(poststop_runs_every_hook_and_reports_the_first_failure)
{
	char scripts[3][512], *argv[3][4], err[1024], *got;
	struct oci_spec *s = order_spec(scripts, argv);

	EXPECT_EQ(oci_hooks_run(s, OCI_HOOK_POSTSTOP, state_doc, err, sizeof(err)), -EIO);
	EXPECT_TRUE(strstr(err, "poststop hook #1") != NULL);
	got = slurp(harness_tmpdir(), "order", NULL);
	ASSERT_TRUE(got != NULL);
	EXPECT_STREQ(got, "012");
	free(got);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
