// SPDX-License-Identifier: MIT
/*
 * mount(2) of the other registered filesystem types: a second procfs and a sysfs, each
 * a view of the same kernel state, mounted and unmounted like any filesystem.
 */
#include <sys/statfs.h>

#include "tests/syscalls/mount_util.h"

#define PROC_SUPER_MAGIC_ 0x9fa0
#define SYSFS_MAGIC_ 0x62656572

TEST(a_second_procfs_shows_the_caller)
{
	char m[256], p[300], link[64] = { 0 }, want[32];
	struct statfs sfs;

	mnt_enter_private_ns();
	tmp_path(m, sizeof(m), "proc");
	ASSERT_OK(mkdir(m, 0755));
	ASSERT_OK(mount("proc", m, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	ASSERT_OK(statfs(m, &sfs));
	EXPECT_EQ((long)sfs.f_type, (long)PROC_SUPER_MAGIC_);
	snprintf(p, sizeof(p), "%s/self", m);
	ASSERT_GT(readlink(p, link, sizeof(link) - 1), 0);
	snprintf(want, sizeof(want), "%d", (int)getpid());
	EXPECT_STREQ(link, want);
	ASSERT_OK(umount(m));
	EXPECT_ERRNO(access(p, F_OK), ENOENT);
}

TEST(sysfs_mounts_too)
{
	char m[256], p[300];
	struct statfs sfs;

	mnt_enter_private_ns();
	tmp_path(m, sizeof(m), "sys");
	ASSERT_OK(mkdir(m, 0755));
	ASSERT_OK(mount("sysfs", m, "sysfs", MS_RDONLY, NULL));
	ASSERT_OK(statfs(m, &sfs));
	EXPECT_EQ((long)sfs.f_type, (long)SYSFS_MAGIC_);
	snprintf(p, sizeof(p), "%s/devices/system/cpu/online", m);
	EXPECT_OK(access(p, R_OK));
	ASSERT_OK(umount(m));
}
