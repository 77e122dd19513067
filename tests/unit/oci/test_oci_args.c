/*
 * The OCI commands' argument rules, as runc's CLI library has them: flags in every
 * spelling before the first positional argument, repeatable flags, the positional count
 * check; the global flags in both forms; signals by number and by name.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/oci_args.h"
#include "runtime/oci_cli.h"
#include "tests/harness/harness.h"

/* The CLI's error printer, here recording the last message. */
static char last_error[512];

void cmd_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

int cmd_usage(const char *name)
{
	(void)name;
	return 2;
}

TEST(flags_in_every_spelling)
{
	const char *bundle = NULL, *pid = NULL, *env[8] = { NULL };
	bool detach = false;
	const struct oci_opt opts[] = {
		OPT_ARG("bundle", 'b', &bundle),
		OPT_ARG("pid-file", 0, &pid),
		OPT_FLAG("detach", 'd', &detach),
		OPT_LIST("env", 'e', env),
		OPT_END,
	};
	char *argv[] = { "run", "-b",  "/b", "--pid-file=/p", "-d",  "--env", "A=1",
			 "-e",	"B=2", "id", "--env",	      "C=3", NULL };
	int i = oci_args_parse("run", 12, argv, opts);

	EXPECT_EQ(i, 9); /* flags stop at the first positional argument */
	EXPECT_TRUE(bundle && !strcmp(bundle, "/b"));
	EXPECT_TRUE(pid && !strcmp(pid, "/p"));
	EXPECT_TRUE(detach);
	EXPECT_TRUE(env[0] && !strcmp(env[0], "A=1"));
	EXPECT_TRUE(env[1] && !strcmp(env[1], "B=2"));
	EXPECT_TRUE(env[2] == NULL);
}

TEST(single_dash_long_names_and_false)
{
	bool force = true;
	const struct oci_opt opts[] = { OPT_FLAG("force", 'f', &force), OPT_END };
	char *argv[] = { "delete", "-force=false", "id", NULL };

	EXPECT_EQ(oci_args_parse("delete", 3, argv, opts), 2);
	EXPECT_FALSE(force);
}

TEST(unknown_flag_and_missing_value_are_errors)
{
	const char *v = NULL;
	const struct oci_opt opts[] = { OPT_ARG("bundle", 'b', &v), OPT_END };
	char *bad[] = { "create", "--bogus", "id", NULL };
	char *missing[] = { "create", "--bundle", NULL };
	char *dashdash[] = { "create", "--", "-id-", NULL };

	EXPECT_EQ(oci_args_parse("create", 3, bad, opts), -1);
	EXPECT_TRUE(strstr(last_error, "--bogus") != NULL);
	EXPECT_EQ(oci_args_parse("create", 2, missing, opts), -1);
	EXPECT_TRUE(strstr(last_error, "needs an argument") != NULL);
	EXPECT_EQ(oci_args_parse("create", 3, dashdash, opts), 2);
}

TEST(positional_counts)
{
	EXPECT_EQ(oci_args_need("state", 1, 1, false), 0);
	EXPECT_EQ(oci_args_need("state", 0, 1, false), -1);
	EXPECT_TRUE(strstr(last_error, "exactly 1") != NULL);
	EXPECT_EQ(oci_args_need("state", 2, 1, false), -1);
	EXPECT_EQ(oci_args_need("kill", 2, 1, true), 0);
	EXPECT_EQ(oci_args_need("kill", 0, 1, true), -1);
	EXPECT_TRUE(strstr(last_error, "a minimum of 1") != NULL);
}

TEST(global_flags_both_forms)
{
	char *argv[] = { "warden",	   "--root", "/r",	"--log=/l",
			 "--log-format",   "json",   "--debug", "--systemd-cgroup",
			 "--overlay=none", "state",  "id",	NULL };

	EXPECT_EQ(oci_globals_parse(11, argv), 8);
	EXPECT_TRUE(!strcmp(oci_globals.root, "/r"));
	EXPECT_TRUE(!strcmp(oci_globals.log, "/l"));
	EXPECT_TRUE(oci_globals.log_json);
	EXPECT_TRUE(oci_globals.debug);
	EXPECT_TRUE(oci_globals.systemd_cgroup);
	EXPECT_TRUE(!strcmp(oci_globals.overlay, "none"));
}

TEST(bad_global_flags)
{
	char *bogus[] = { "warden", "--bogus", "state", NULL };
	char *fmt[] = { "warden", "--log-format", "xml", "state", NULL };

	EXPECT_EQ(oci_globals_parse(3, bogus), -1);
	EXPECT_TRUE(strstr(last_error, "--bogus") != NULL);
	EXPECT_EQ(oci_globals_parse(4, fmt), -1);
	EXPECT_TRUE(strstr(last_error, "xml") != NULL);
}

TEST(signals_by_number_and_name)
{
	EXPECT_EQ(oci_signal_parse("9"), SIGKILL);
	EXPECT_EQ(oci_signal_parse("KILL"), SIGKILL);
	EXPECT_EQ(oci_signal_parse("SIGKILL"), SIGKILL);
	EXPECT_EQ(oci_signal_parse("sigterm"), SIGTERM);
	EXPECT_EQ(oci_signal_parse("term"), SIGTERM);
	EXPECT_EQ(oci_signal_parse("USR1"), SIGUSR1);
	EXPECT_EQ(oci_signal_parse("RTMIN"), SIGRTMIN);
	EXPECT_EQ(oci_signal_parse("RTMIN+2"), SIGRTMIN + 2);
	EXPECT_EQ(oci_signal_parse("RTMAX-1"), SIGRTMAX - 1);
	EXPECT_EQ(oci_signal_parse("RTMAX+1"), -1);
	EXPECT_EQ(oci_signal_parse("FOO"), -1);
	EXPECT_EQ(oci_signal_parse("9x"), -1);
	EXPECT_EQ(oci_signal_parse(""), -1);
	EXPECT_EQ(oci_signal_parse("SIGVERYLONGNAMETHATOVERFLOWSBUFFERS"), -1);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
