// SPDX-License-Identifier: MIT
/*
 * mount(2) of a new tmpfs: a separate filesystem on the mountpoint, its options (size=,
 * mode=, uid=, gid=), read-only mounts, stacking, and the errors of a bad mount.
 */
#include <sys/statfs.h>

#include "tests/syscalls/mount_util.h"

#define TMPFS_MAGIC_ 0x01021994

TEST(tmpfs_is_a_new_filesystem_on_the_mountpoint)
{
	char m[256], f[300];
	struct stat parent, root;
	struct statfs sfs;

	mnt_enter_private_ns();
	tmp_path(m, sizeof(m), "m");
	ASSERT_OK(mkdir(m, 0755));
	snprintf(f, sizeof(f), "%s/under", m);
	mnt_write_file(f, "x", 0644);
	ASSERT_OK(mount("mysrc", m, "tmpfs", 0, NULL));
	ASSERT_OK(stat(harness_tmpdir(), &parent));
	ASSERT_OK(stat(m, &root));
	EXPECT_NE(root.st_dev, parent.st_dev);
	EXPECT_EQ(root.st_mode & 07777, 01777);
	ASSERT_OK(statfs(m, &sfs));
	EXPECT_EQ((long)sfs.f_type, (long)TMPFS_MAGIC_);
	/* the file under the mount is hidden, a new one lives only in the tmpfs */
	EXPECT_ERRNO(access(f, F_OK), ENOENT);
	snprintf(f, sizeof(f), "%s/new", m);
	mnt_write_file(f, "y", 0644);
	ASSERT_OK(umount(m));
	EXPECT_ERRNO(access(f, F_OK), ENOENT);
	snprintf(f, sizeof(f), "%s/under", m);
	EXPECT_OK(access(f, F_OK));
}

TEST(tmpfs_mode_uid_gid_options_shape_the_root)
{
	char m[256];
	struct stat st;

	mnt_enter_private_ns();
	mnt_tmpfs("m", "mode=0750,uid=1234,gid=5678", m, sizeof(m));
	ASSERT_OK(stat(m, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0750);
	EXPECT_EQ(st.st_uid, 1234);
	EXPECT_EQ(st.st_gid, 5678);
}

TEST(tmpfs_size_option_limits_the_data)
{
	static char buf[64 * 1024];
	char m[256], f[300];
	long total = 0;
	ssize_t n;
	int fd;

	mnt_enter_private_ns();
	mnt_tmpfs("m", "size=256k", m, sizeof(m));
	snprintf(f, sizeof(f), "%s/big", m);
	fd = ASSERT_OK(open(f, O_WRONLY | O_CREAT, 0644));
	memset(buf, 'a', sizeof(buf));
	while ((n = write(fd, buf, sizeof(buf))) > 0 && total < (1 << 20))
		total += n;
	EXPECT_EQ(n, -1);
	EXPECT_EQ(errno, ENOSPC);
	EXPECT_EQ(total, 256 * 1024);
	close(fd);
}

TEST(bad_options_and_types_are_refused)
{
	char m[256], f[300];

	mnt_enter_private_ns();
	tmp_path(m, sizeof(m), "m");
	ASSERT_OK(mkdir(m, 0755));
	EXPECT_ERRNO(mount("none", m, "tmpfs", 0, "nosuchoption=1"), EINVAL);
	EXPECT_ERRNO(mount("none", m, "tmpfs", 0, "size=12q"), EINVAL);
	EXPECT_ERRNO(mount("none", m, "tmpfs", 0, "mode=99"), EINVAL);
	EXPECT_ERRNO(mount("none", m, "no-such-fs-type", 0, NULL), ENODEV);
	EXPECT_ERRNO(mount("none", m, NULL, 0, NULL), EINVAL);
	snprintf(f, sizeof(f), "%s/missing", m);
	EXPECT_ERRNO(mount("none", f, "tmpfs", 0, NULL), ENOENT);
	snprintf(f, sizeof(f), "%s/file", m);
	mnt_write_file(f, "", 0644);
	EXPECT_ERRNO(mount("none", f, "tmpfs", 0, NULL), ENOTDIR);
	EXPECT_ERRNO(mount("none", m, "tmpfs", MS_NOUSER, NULL), EINVAL);
}

TEST(read_only_tmpfs_refuses_writes)
{
	char m[256], f[300];

	mnt_enter_private_ns();
	tmp_path(m, sizeof(m), "m");
	ASSERT_OK(mkdir(m, 0755));
	ASSERT_OK(mount("none", m, "tmpfs", MS_RDONLY, NULL));
	snprintf(f, sizeof(f), "%s/f", m);
	EXPECT_ERRNO(open(f, O_WRONLY | O_CREAT, 0644), EROFS);
	EXPECT_ERRNO(mkdir(f, 0755), EROFS);
}

TEST(stacked_mounts_unmount_top_first)
{
	char m[256], f[300];

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	snprintf(f, sizeof(f), "%s/lower", m);
	mnt_write_file(f, "", 0644);
	ASSERT_OK(mount("none", m, "tmpfs", 0, NULL));
	EXPECT_ERRNO(access(f, F_OK), ENOENT);
	ASSERT_OK(umount(m));
	EXPECT_OK(access(f, F_OK));
}

static void mount_as_nobody(void *arg)
{
	const char *m = arg;

	mnt_become_nobody();
	if (mount("none", m, "tmpfs", 0, NULL) == 0 || errno != EPERM)
		_exit(1);
	if (umount(m) == 0 || errno != EPERM)
		_exit(2);
}

TEST(mount_needs_cap_sys_admin)
{
	char m[256];
	int st;

	mnt_enter_private_ns();
	ASSERT_OK(chmod(harness_tmpdir(), 0755)); /* nobody must reach m to be refused */
	tmp_path(m, sizeof(m), "m");
	ASSERT_OK(mkdir(m, 0777));
	st = status_of_child(mount_as_nobody, m);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
}

/* clone(CLONE_NEWNS): the child's mounts live in its own copy of the tree. */
TEST(clone_newns_child_mounts_privately)
{
	char d[256], f[300];
	pid_t pid;
	int st;

	mnt_enter_private_ns();
	tmp_path(d, sizeof(d), "ns");
	ASSERT_OK(mkdir(d, 0755));
	snprintf(f, sizeof(f), "%s/inside", d);
	EXPECT_ERRNO(syscall(SYS_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, 0, 0, 0, 0), EINVAL);
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd;

		if (mount("tmpfs", d, "tmpfs", 0, NULL) < 0)
			_exit(1);
		fd = open(f, O_CREAT | O_WRONLY, 0644);
		_exit(fd < 0 ? 2 : access(f, F_OK) < 0 ? 3 : 0);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* the parent's tree never had the tmpfs: the directory is still empty here */
	EXPECT_ERRNO(access(f, F_OK), ENOENT);
	EXPECT_OK(rmdir(d));
}
