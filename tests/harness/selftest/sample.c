// SPDX-License-Identifier: MIT
/*
 * Cases with known outcomes for the harness's own test (selftest.sh): one of each of pass,
 * EXPECT failure, ASSERT failure, skip, crash, hang, and a case that exits on its own.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/harness/harness.h"

TEST(passes)
{
	EXPECT_EQ(1 + 1, 2);
	EXPECT_STREQ("a", "a");
	EXPECT_ERRNO(close(-1), EBADF);
	EXPECT_MEMEQ("abc", "abc", 3);
}

TEST(expect_failure_goes_on)
{
	EXPECT_EQ(1, 2);
	EXPECT_STREQ("left", "right");
	EXPECT_ERRNO(close(-1), ENOENT);
	EXPECT_MEMEQ("abcd", "abXd", 4);
	harness_diag("still running after four failures");
}

TEST(assert_failure_stops_the_case)
{
	ASSERT_TRUE(0);
	harness_diag("must not be printed");
}

TEST(skips)
{
	SKIP("not here: %d", 42);
}

TEST(crashes_leaving_a_tmpdir)
{
	char path[256];

	harness_diag("tmpdir %s", harness_tmpdir());
	strcpy(path, harness_tmpdir());
	strcat(path, "/file");
	mkdir(path, 0700);
	raise(SIGSEGV);
}

TEST_TIMEOUT(hangs, 1)
{
	for (;;)
		pause();
}

TEST(exits_without_reporting)
{
	exit(0);
}

TEST(skips_too)
{
	SKIP("also not here");
}
