// SPDX-License-Identifier: MIT
/*
 * MS_BIND (with and without MS_REC) of directories and files, MS_MOVE, and the
 * propagation-type requests (MS_PRIVATE/SHARED/SLAVE/UNBINDABLE) that only change how
 * later mounts would spread.
 */
#include "tests/syscalls/mount_util.h"

/* "<tmpdir>/<rel>" */
#define P(buf, rel) tmp_path(buf, sizeof(buf), rel)

TEST(bind_of_a_directory_shows_the_same_files)
{
	char src[256], dst[256], f[300];
	struct stat a, b;

	mnt_enter_private_ns();
	ASSERT_OK(mkdir(P(src, "src"), 0755));
	ASSERT_OK(mkdir(P(dst, "dst"), 0755));
	ASSERT_OK(mount(src, dst, NULL, MS_BIND, NULL));
	snprintf(f, sizeof(f), "%s/made-in-dst", dst);
	mnt_write_file(f, "hello", 0644);
	snprintf(f, sizeof(f), "%s/made-in-dst", src);
	ASSERT_OK(stat(f, &a));
	snprintf(f, sizeof(f), "%s/made-in-dst", dst);
	ASSERT_OK(stat(f, &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(a.st_dev, b.st_dev);
	ASSERT_OK(umount(dst));
	EXPECT_ERRNO(access(f, F_OK), ENOENT);
}

TEST(bind_of_a_file_on_a_file)
{
	char src[256], dst[256], buf[16] = { 0 };
	int fd;

	mnt_enter_private_ns();
	mnt_write_file(P(src, "src"), "source", 0644);
	mnt_write_file(P(dst, "dst"), "target", 0644);
	ASSERT_OK(mount(src, dst, NULL, MS_BIND, NULL));
	fd = ASSERT_OK(open(dst, O_RDONLY));
	EXPECT_EQ(read(fd, buf, sizeof(buf) - 1), 6);
	EXPECT_STREQ(buf, "source");
	close(fd);
	ASSERT_OK(umount(dst));
	fd = ASSERT_OK(open(dst, O_RDONLY));
	EXPECT_EQ(read(fd, buf, sizeof(buf) - 1), 6);
	EXPECT_STREQ(buf, "target");
	close(fd);
}

TEST(bind_kinds_must_match_and_source_must_exist)
{
	char d[256], f[256], missing[256];

	mnt_enter_private_ns();
	ASSERT_OK(mkdir(P(d, "d"), 0755));
	mnt_write_file(P(f, "f"), "", 0644);
	EXPECT_ERRNO(mount(d, f, NULL, MS_BIND, NULL), ENOTDIR);
	EXPECT_ERRNO(mount(f, d, NULL, MS_BIND, NULL), ENOTDIR);
	EXPECT_ERRNO(mount(P(missing, "missing"), d, NULL, MS_BIND, NULL), ENOENT);
	EXPECT_ERRNO(mount("", d, NULL, MS_BIND, NULL), EINVAL);
}

TEST(bind_of_a_subdirectory_climbs_out_through_the_mountpoint)
{
	char src[256], dst[256], p[300];
	struct stat up, tmp;

	mnt_enter_private_ns();
	ASSERT_OK(mkdir(P(src, "a"), 0755));
	ASSERT_OK(mkdir(P(src, "a/sub"), 0755));
	ASSERT_OK(mkdir(P(dst, "b"), 0755));
	ASSERT_OK(mkdir(P(dst, "b/mnt"), 0755));
	ASSERT_OK(mount(P(src, "a/sub"), P(dst, "b/mnt"), NULL, MS_BIND, NULL));
	snprintf(p, sizeof(p), "%s/..", dst);
	ASSERT_OK(stat(p, &up));
	ASSERT_OK(stat(P(p, "b"), &tmp));
	EXPECT_EQ(up.st_ino, tmp.st_ino);
}

TEST(recursive_bind_takes_submounts_along)
{
	char src[256], plain[256], rec[256], p[300];

	mnt_enter_private_ns();
	ASSERT_OK(mkdir(P(src, "src"), 0755));
	ASSERT_OK(mkdir(P(p, "src/sub"), 0755));
	ASSERT_OK(mount("none", p, "tmpfs", 0, NULL));
	mnt_write_file(P(p, "src/sub/in-tmpfs"), "", 0644);
	ASSERT_OK(mkdir(P(plain, "plain"), 0755));
	ASSERT_OK(mkdir(P(rec, "rec"), 0755));
	ASSERT_OK(mount(src, plain, NULL, MS_BIND, NULL));
	ASSERT_OK(mount(src, rec, NULL, MS_BIND | MS_REC, NULL));
	EXPECT_ERRNO(access(P(p, "plain/sub/in-tmpfs"), F_OK), ENOENT);
	EXPECT_OK(access(P(p, "rec/sub/in-tmpfs"), F_OK));
}

TEST(move_takes_a_mount_elsewhere)
{
	char a[256], b[256], p[300];

	mnt_enter_private_ns();
	mnt_tmpfs("a", NULL, a, sizeof(a));
	ASSERT_OK(mkdir(P(b, "b"), 0755));
	mnt_write_file(P(p, "a/f"), "", 0644);
	ASSERT_OK(mount(a, b, NULL, MS_MOVE, NULL));
	EXPECT_ERRNO(access(P(p, "a/f"), F_OK), ENOENT);
	EXPECT_OK(access(P(p, "b/f"), F_OK));
	/* not the root of a mount, or into its own subtree */
	ASSERT_OK(mkdir(P(p, "b/inner"), 0755));
	EXPECT_ERRNO(mount(a, b, NULL, MS_MOVE, NULL), EINVAL);
	EXPECT_ERRNO(mount(b, p, NULL, MS_MOVE, NULL), ELOOP);
	EXPECT_ERRNO(umount(a), EINVAL);
	EXPECT_OK(umount(b));
}

TEST(propagation_types_are_accepted_on_mount_roots_only)
{
	char m[256], d[256];

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	EXPECT_OK(mount("none", m, NULL, MS_SHARED, NULL));
	EXPECT_OK(mount("none", m, NULL, MS_SLAVE, NULL));
	EXPECT_OK(mount("none", m, NULL, MS_PRIVATE | MS_REC, NULL));
	EXPECT_OK(mount("none", m, NULL, MS_UNBINDABLE, NULL));
	/* an unbindable mount cannot be the source of a bind */
	ASSERT_OK(mkdir(P(d, "d"), 0755));
	EXPECT_ERRNO(mount(m, d, NULL, MS_BIND, NULL), EINVAL);
	EXPECT_OK(mount("none", m, NULL, MS_PRIVATE, NULL));
	EXPECT_ERRNO(mount("none", m, NULL, MS_PRIVATE | MS_SHARED, NULL), EINVAL);
	EXPECT_ERRNO(mount("none", d, NULL, MS_PRIVATE, NULL), EINVAL);
}
