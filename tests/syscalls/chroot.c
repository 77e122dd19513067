// SPDX-License-Identifier: MIT
/*
 * chroot(2): "/" and absolute symlinks resolve inside the new root, `..` never climbs
 * out of it, and the errors (not a directory, missing, no CAP_SYS_CHROOT).
 */
#include "tests/syscalls/mount_util.h"

#define P(buf, rel) tmp_path(buf, sizeof(buf), rel)

static void need_root(void)
{
	if (geteuid() != 0)
		SKIP("needs root");
}

TEST(root_and_dotdot_stay_inside)
{
	char r[256], p[300];
	struct stat root, dotdot, marker;

	need_root();
	ASSERT_OK(mkdir(P(r, "r"), 0755));
	ASSERT_OK(mkdir(P(p, "r/sub"), 0755));
	mnt_write_file(P(p, "r/marker"), "", 0644);
	ASSERT_OK(symlink("/marker", P(p, "r/sub/abs")));
	ASSERT_OK(chdir(r));
	ASSERT_OK(chroot("."));
	EXPECT_OK(access("/marker", F_OK));
	EXPECT_OK(access("/sub/abs", F_OK));
	EXPECT_OK(access("/../../../marker", F_OK));
	ASSERT_OK(stat("/", &root));
	ASSERT_OK(stat("/..", &dotdot));
	EXPECT_EQ(root.st_ino, dotdot.st_ino);
	ASSERT_OK(chdir("/sub"));
	ASSERT_OK(stat("../../..", &dotdot));
	EXPECT_EQ(root.st_ino, dotdot.st_ino);
	ASSERT_OK(stat("../../marker", &marker));
	EXPECT_ERRNO(access(r, F_OK), ENOENT);
}

TEST(errors)
{
	char f[256], d[256];

	need_root();
	mnt_write_file(P(f, "f"), "", 0644);
	EXPECT_ERRNO(chroot(f), ENOTDIR);
	EXPECT_ERRNO(chroot(P(d, "missing")), ENOENT);
	EXPECT_ERRNO(chroot(""), ENOENT);
}

static void chroot_as_nobody(void *arg)
{
	mnt_become_nobody();
	if (chroot((const char *)arg) == 0 || errno != EPERM)
		_exit(1);
}

TEST(needs_cap_sys_chroot)
{
	char d[256];
	int st;

	need_root();
	ASSERT_OK(chmod(harness_tmpdir(), 0755));
	ASSERT_OK(mkdir(P(d, "d"), 0755));
	st = status_of_child(chroot_as_nobody, d);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
