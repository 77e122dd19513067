// SPDX-License-Identifier: MIT
/*
 * umount2(2): only mountpoints, -EBUSY while the mount is in use (open files, a cwd,
 * mounts below it), MNT_DETACH's lazy unmount that leaves open files working,
 * UMOUNT_NOFOLLOW, and the flag checks.
 */
#include "tests/syscalls/mount_util.h"

#define P(buf, rel) tmp_path(buf, sizeof(buf), rel)

#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 8
#endif

TEST(only_mountpoints_unmount)
{
	char d[256], m[256];

	mnt_enter_private_ns();
	ASSERT_OK(mkdir(P(d, "d"), 0755));
	EXPECT_ERRNO(umount2(d, 0), EINVAL);
	EXPECT_ERRNO(umount2(P(d, "missing"), 0), ENOENT);
	mnt_tmpfs("m", NULL, m, sizeof(m));
	ASSERT_OK(mkdir(P(d, "m/sub"), 0755));
	EXPECT_ERRNO(umount2(d, 0), EINVAL);
	EXPECT_OK(umount2(m, 0));
	EXPECT_ERRNO(umount2(m, 0), EINVAL);
}

TEST(open_file_keeps_it_busy_until_a_lazy_unmount)
{
	char m[256], p[300], buf[8] = { 0 };
	int fd;

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	mnt_write_file(P(p, "m/f"), "data", 0644);
	fd = ASSERT_OK(open(p, O_RDONLY));
	EXPECT_ERRNO(umount2(m, 0), EBUSY);
	EXPECT_ERRNO(umount2(m, MNT_FORCE), EBUSY);
	ASSERT_OK(umount2(m, MNT_DETACH));
	EXPECT_ERRNO(access(p, F_OK), ENOENT);
	EXPECT_EQ(read(fd, buf, sizeof(buf) - 1), 4);
	EXPECT_STREQ(buf, "data");
	close(fd);
}

TEST(cwd_inside_keeps_it_busy)
{
	char m[256], p[300];

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	ASSERT_OK(mkdir(P(p, "m/sub"), 0755));
	ASSERT_OK(chdir(p));
	EXPECT_ERRNO(umount2(m, 0), EBUSY);
	ASSERT_OK(chdir("/"));
	EXPECT_OK(umount2(m, 0));
}

TEST(mounts_below_keep_it_busy)
{
	char m[256], p[300];

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	ASSERT_OK(mkdir(P(p, "m/inner"), 0755));
	ASSERT_OK(mount("none", p, "tmpfs", 0, NULL));
	EXPECT_ERRNO(umount2(m, 0), EBUSY);
	ASSERT_OK(umount2(p, 0));
	EXPECT_OK(umount2(m, 0));
}

TEST(nofollow_does_not_follow_a_symlink_to_the_mountpoint)
{
	char m[256], l[256];

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	ASSERT_OK(symlink(m, P(l, "link")));
	EXPECT_ERRNO(umount2(l, UMOUNT_NOFOLLOW), EINVAL);
	EXPECT_OK(umount2(l, 0));
	EXPECT_ERRNO(umount2(m, 0), EINVAL);
}

TEST(expire_takes_two_calls_without_use_between)
{
	char m[256], p[300];

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	EXPECT_ERRNO(umount2(m, MNT_EXPIRE), EAGAIN);
	/* using the mount cancels the mark */
	EXPECT_OK(access(P(p, "m/."), F_OK));
	EXPECT_ERRNO(umount2(m, MNT_EXPIRE), EAGAIN);
	EXPECT_OK(umount2(m, MNT_EXPIRE));
	EXPECT_ERRNO(umount2(m, MNT_EXPIRE), EINVAL);
}

TEST(bad_flags_are_einval)
{
	char m[256];

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	EXPECT_ERRNO(umount2(m, 0x100), EINVAL);
	EXPECT_ERRNO(umount2(m, MNT_EXPIRE | MNT_DETACH), EINVAL);
	EXPECT_ERRNO(umount2(m, MNT_EXPIRE | MNT_FORCE), EINVAL);
	EXPECT_OK(umount2(m, 0));
}
