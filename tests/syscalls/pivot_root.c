// SPDX-License-Identifier: MIT
/*
 * pivot_root(2) in a private mount namespace: the new root's mount becomes "/", the old
 * root hangs on put_old and can be detached; and Linux's errors for each rule.
 */
#include "tests/syscalls/mount_util.h"

#define P(buf, rel) tmp_path(buf, sizeof(buf), rel)

static int pivot_root_(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

TEST(pivot_moves_the_old_root_under_the_new_one)
{
	char m[256], p[300], old_marker[400];
	struct stat st;

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	ASSERT_OK(mkdir(P(p, "m/old"), 0755));
	mnt_write_file(P(p, "m/new-marker"), "", 0644);
	mnt_write_file(P(p, "old-marker"), "", 0644);
	snprintf(old_marker, sizeof(old_marker), "/old%s/old-marker", harness_tmpdir());
	ASSERT_OK(chdir(m));
	ASSERT_OK(pivot_root_(".", "old"));
	/* the caller's root and cwd moved to the new root */
	EXPECT_OK(access("/new-marker", F_OK));
	EXPECT_OK(access("new-marker", F_OK));
	EXPECT_OK(access(old_marker, F_OK));
	ASSERT_OK(stat("/..", &st));
	ASSERT_OK(umount2("/old", MNT_DETACH));
	EXPECT_ERRNO(access(old_marker, F_OK), ENOENT);
	EXPECT_OK(access("/old", F_OK));
}

TEST(rules_and_errors)
{
	char base[256], m[300], d[300], p[300];

	mnt_enter_private_ns();
	/* all on mounts of our own, whatever the host's /tmp is */
	mnt_tmpfs("base", NULL, base, sizeof(base));
	snprintf(m, sizeof(m), "%s/m", base);
	ASSERT_OK(mkdir(m, 0755));
	ASSERT_OK(mount("none", m, "tmpfs", 0, NULL));
	ASSERT_OK(mkdir(P(p, "base/m/old"), 0755));
	snprintf(d, sizeof(d), "%s/plain", base);
	ASSERT_OK(mkdir(d, 0755));
	ASSERT_OK(mkdir(P(p, "base/plain/old"), 0755));
	/* new_root must be a mountpoint */
	EXPECT_ERRNO(pivot_root_(d, P(p, "base/plain/old")), EINVAL);
	/* put_old must be at or under new_root */
	EXPECT_ERRNO(pivot_root_(m, d), EINVAL);
	/* the current root is no new root */
	EXPECT_ERRNO(pivot_root_("/", P(p, "base/m/old")), EBUSY);
	mnt_write_file(P(p, "base/m/file"), "", 0644);
	EXPECT_ERRNO(pivot_root_(m, p), ENOTDIR);
	EXPECT_ERRNO(pivot_root_(P(p, "missing"), m), ENOENT);
}

static void pivot_as_nobody(void *arg)
{
	(void)arg;
	mnt_become_nobody();
	if (pivot_root_("/", "/") == 0 || errno != EPERM)
		_exit(1);
}

TEST(needs_cap_sys_admin)
{
	int st;

	mnt_enter_private_ns();
	st = status_of_child(pivot_as_nobody, NULL);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
