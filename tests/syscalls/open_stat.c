// SPDX-License-Identifier: MIT
/*
 * open/openat/close, the stat family (stat, fstat, lstat, newfstatat, statx) and the path
 * errors of resolution, all inside a private temp dir; plus read-only looks at /dev/null
 * and /.
 */
#include <linux/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

/* Builds "<tmpdir>/<rel>" into a fixed-size local buffer. */
#define P(buf, rel) tmp_path(buf, sizeof(buf), rel)

static void make_file(const char *path, const char *content)
{
	int fd = ASSERT_OK(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));

	if (content)
		ASSERT_EQ(write(fd, content, strlen(content)), (long)strlen(content));
	close(fd);
}

TEST(o_creat_applies_mode_and_umask)
{
	char p[256];
	struct stat st;
	mode_t old = umask(022);
	int fd = ASSERT_OK(open(P(p, "f"), O_RDWR | O_CREAT, 0666));

	ASSERT_OK(fstat(fd, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0644);
	close(fd);
	umask(077);
	fd = ASSERT_OK(open(P(p, "g"), O_RDWR | O_CREAT, 0666));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_mode & 07777, 0600);
	close(fd);
	umask(old);
}

TEST(o_creat_o_excl_on_existing_is_eexist)
{
	char p[256];

	make_file(P(p, "f"), NULL);
	EXPECT_ERRNO(open(p, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	/* O_EXCL does not follow a symlink, even a dangling one. */
	ASSERT_OK(symlink("nowhere", P(p, "dangling")));
	EXPECT_ERRNO(open(p, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	EXPECT_ERRNO(access(P(p, "nowhere"), F_OK), ENOENT);
}

TEST(o_creat_through_dangling_symlink_creates_the_target)
{
	char p[256], t[256];
	int fd;

	ASSERT_OK(symlink("target", P(p, "link")));
	fd = ASSERT_OK(open(p, O_RDWR | O_CREAT, 0600));
	close(fd);
	EXPECT_OK(access(P(t, "target"), F_OK));
}

TEST(open_missing_without_o_creat_is_enoent)
{
	char p[256];

	EXPECT_ERRNO(open(P(p, "missing"), O_RDONLY), ENOENT);
	EXPECT_ERRNO(open(P(p, "missing/x"), O_RDONLY), ENOENT);
	EXPECT_ERRNO(open(P(p, "missing/x"), O_RDWR | O_CREAT, 0600), ENOENT);
	EXPECT_ERRNO(open("", O_RDONLY), ENOENT);
}

TEST(open_through_a_regular_file_is_enotdir)
{
	char p[256];

	make_file(P(p, "file"), "x");
	EXPECT_ERRNO(open(P(p, "file/x"), O_RDONLY), ENOTDIR);
	EXPECT_ERRNO(open(P(p, "file/"), O_RDONLY), ENOTDIR);
	EXPECT_ERRNO(stat(P(p, "file/."), &(struct stat){ 0 }), ENOTDIR);
}

TEST(o_directory_on_a_regular_file_is_enotdir)
{
	char p[256];
	int fd;

	make_file(P(p, "file"), "x");
	EXPECT_ERRNO(open(p, O_RDONLY | O_DIRECTORY), ENOTDIR);
	fd = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY));
	close(fd);
}

TEST(opening_a_directory_for_writing_is_eisdir)
{
	EXPECT_ERRNO(open(harness_tmpdir(), O_WRONLY), EISDIR);
	EXPECT_ERRNO(open(harness_tmpdir(), O_RDWR), EISDIR);
	EXPECT_ERRNO(open(harness_tmpdir(), O_RDWR | O_CREAT, 0600), EISDIR);
}

TEST(o_nofollow_on_a_symlink_is_eloop)
{
	char p[256], l[256];
	int fd;

	make_file(P(p, "file"), "x");
	ASSERT_OK(symlink(p, P(l, "link")));
	EXPECT_ERRNO(open(l, O_RDONLY | O_NOFOLLOW), ELOOP);
	/* Only the last component is affected. */
	fd = ASSERT_OK(open(p, O_RDONLY | O_NOFOLLOW));
	close(fd);
	fd = ASSERT_OK(open(l, O_PATH | O_NOFOLLOW));
	close(fd);
}

TEST(symlink_loop_is_eloop)
{
	char a[256], b[256];

	ASSERT_OK(symlink("b", P(a, "a")));
	ASSERT_OK(symlink("a", P(b, "b")));
	EXPECT_ERRNO(open(a, O_RDONLY), ELOOP);
	EXPECT_ERRNO(stat(a, &(struct stat){ 0 }), ELOOP);
	ASSERT_OK(symlink("self", P(a, "self")));
	EXPECT_ERRNO(open(a, O_RDONLY), ELOOP);
}

TEST(relative_and_absolute_symlinks_resolve)
{
	char p[256], l[256], buf[8] = { 0 };
	int fd;

	ASSERT_OK(mkdir(P(p, "d"), 0700));
	make_file(P(p, "d/file"), "data");
	ASSERT_OK(symlink("d/file", P(l, "rel")));
	fd = ASSERT_OK(open(l, O_RDONLY));
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 4);
	close(fd);
	ASSERT_OK(symlink(P(p, "d"), P(l, "abs")));
	fd = ASSERT_OK(open(P(l, "abs/file"), O_RDONLY));
	close(fd);
	ASSERT_OK(symlink("../d/file", P(l, "d/up")));
	fd = ASSERT_OK(open(l, O_RDONLY));
	close(fd);
}

TEST(dot_dot_resolves_to_the_parent)
{
	char p[256];
	struct stat a, b;

	ASSERT_OK(mkdir(P(p, "d"), 0700));
	ASSERT_OK(stat(P(p, "d/.."), &a));
	ASSERT_OK(stat(harness_tmpdir(), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(a.st_dev, b.st_dev);
	/* ".." of the root is the root. */
	ASSERT_OK(stat("/..", &a));
	ASSERT_OK(stat("/", &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
}

TEST(o_trunc_empties_the_file)
{
	char p[256];
	struct stat st;
	int fd;

	make_file(P(p, "f"), "some bytes");
	fd = ASSERT_OK(open(p, O_WRONLY | O_TRUNC));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 0);
	close(fd);
}

TEST(name_longer_than_255_is_enametoolong)
{
	char p[600], name[300];

	memset(name, 'n', 256);
	name[256] = '\0';
	EXPECT_ERRNO(open(P(p, name), O_RDWR | O_CREAT, 0600), ENAMETOOLONG);
	name[255] = '\0';
	EXPECT_OK(close(ASSERT_OK(open(P(p, name), O_RDWR | O_CREAT, 0600))));
}

TEST(openat_resolves_relative_to_dirfd)
{
	char p[256];
	int dfd = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY));
	int fd;

	fd = ASSERT_OK(openat(dfd, "f", O_RDWR | O_CREAT | O_EXCL, 0600));
	close(fd);
	EXPECT_OK(access(P(p, "f"), F_OK));
	/* An absolute path ignores dirfd, even an invalid one. */
	fd = ASSERT_OK(openat(-1, p, O_RDONLY));
	close(fd);
	fd = ASSERT_OK(openat(AT_FDCWD, p, O_RDONLY));
	EXPECT_ERRNO(openat(fd, "x", O_RDONLY), ENOTDIR);
	close(fd);
	EXPECT_ERRNO(openat(-1, "f", O_RDONLY), EBADF);
	EXPECT_ERRNO(openat(1000000, "f", O_RDONLY), EBADF);
	close(dfd);
}

TEST(openat_with_an_o_path_dirfd)
{
	int dfd = ASSERT_OK(open(harness_tmpdir(), O_PATH | O_DIRECTORY));
	int fd = ASSERT_OK(openat(dfd, "f", O_RDWR | O_CREAT, 0600));
	char c;

	close(fd);
	EXPECT_ERRNO(read(dfd, &c, 1), EBADF);
	close(dfd);
}

TEST(open_returns_the_lowest_free_fd)
{
	int a = ASSERT_OK(open("/dev/null", O_RDONLY));
	int b = ASSERT_OK(open("/dev/null", O_RDONLY));
	int c;

	EXPECT_GT(b, a);
	close(a);
	c = ASSERT_OK(open("/dev/null", O_RDONLY));
	EXPECT_EQ(c, a);
	close(b);
	close(c);
}

TEST(close_twice_is_ebadf)
{
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY));

	EXPECT_OK(close(fd));
	EXPECT_ERRNO(close(fd), EBADF);
	EXPECT_ERRNO(close(-1), EBADF);
}

TEST(o_cloexec_sets_fd_cloexec)
{
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY | O_CLOEXEC));
	int fd2 = ASSERT_OK(open("/dev/null", O_RDONLY));

	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(fcntl(fd2, F_GETFD), 0);
	close(fd);
	close(fd2);
}

TEST(fstat_of_a_new_file_has_sane_fields)
{
	char p[256];
	struct stat st;
	int fd = ASSERT_OK(open(P(p, "f"), O_RDWR | O_CREAT, 0600));

	ASSERT_EQ(write(fd, "12345", 5), 5);
	ASSERT_OK(fstat(fd, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_size, 5);
	EXPECT_EQ(st.st_nlink, 1);
	EXPECT_EQ(st.st_uid, geteuid());
	EXPECT_EQ(st.st_gid, getegid());
	EXPECT_NE(st.st_ino, 0);
	EXPECT_GT(st.st_blksize, 0);
	EXPECT_EQ(st.st_rdev, 0);
	EXPECT_GT(st.st_mtim.tv_sec, 1577836800); /* after 2020-01-01 */
	EXPECT_LT(st.st_mtim.tv_nsec, 1000000000);
	close(fd);
}

TEST(stat_fstat_and_newfstatat_agree)
{
	char p[256];
	struct stat a, b, c, d;
	int fd = ASSERT_OK(open(P(p, "f"), O_RDWR | O_CREAT, 0600));
	int dfd = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY));

	ASSERT_OK(stat(p, &a));
	ASSERT_OK(fstat(fd, &b));
	ASSERT_OK(fstatat(dfd, "f", &c, 0));
	ASSERT_OK(fstatat(fd, "", &d, AT_EMPTY_PATH));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(a.st_dev, b.st_dev);
	EXPECT_EQ(a.st_ino, c.st_ino);
	EXPECT_EQ(a.st_ino, d.st_ino);
	EXPECT_EQ(a.st_mode, c.st_mode);
	EXPECT_ERRNO(fstatat(fd, "", &d, 0), ENOENT);
	EXPECT_ERRNO(fstatat(dfd, "f", &d, 0x10000000), EINVAL);
	close(fd);
	close(dfd);
}

TEST(lstat_sees_the_link_and_stat_the_target)
{
	char p[256], l[256];
	struct stat st, lst, at;

	make_file(P(p, "file"), "0123456789");
	ASSERT_OK(symlink("file", P(l, "link")));
	ASSERT_OK(stat(l, &st));
	ASSERT_OK(lstat(l, &lst));
	ASSERT_OK(fstatat(AT_FDCWD, l, &at, AT_SYMLINK_NOFOLLOW));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_size, 10);
	EXPECT_TRUE(S_ISLNK(lst.st_mode));
	EXPECT_EQ(lst.st_size, 4); /* strlen("file") */
	EXPECT_NE(lst.st_ino, st.st_ino);
	EXPECT_EQ(at.st_ino, lst.st_ino);
}

TEST(statx_matches_fstat)
{
	char p[256];
	struct stat st;
	struct statx sx;
	int fd = ASSERT_OK(open(P(p, "f"), O_RDWR | O_CREAT, 0640));

	ASSERT_EQ(write(fd, "abc", 3), 3);
	ASSERT_OK(fstat(fd, &st));
	memset(&sx, 0xff, sizeof(sx));
	ASSERT_OK(statx(AT_FDCWD, p, 0, STATX_BASIC_STATS, &sx));
	EXPECT_EQ(sx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
	EXPECT_EQ(sx.stx_mode, st.st_mode);
	EXPECT_EQ(sx.stx_size, 3);
	EXPECT_EQ(sx.stx_ino, st.st_ino);
	EXPECT_EQ(sx.stx_nlink, 1);
	EXPECT_EQ(sx.stx_uid, st.st_uid);
	EXPECT_EQ(sx.stx_gid, st.st_gid);
	EXPECT_EQ(sx.stx_blocks, st.st_blocks);
	EXPECT_EQ(sx.stx_blksize, st.st_blksize);
	EXPECT_EQ(makedev(sx.stx_dev_major, sx.stx_dev_minor), st.st_dev);
	EXPECT_EQ(sx.stx_mtime.tv_sec, st.st_mtim.tv_sec);
	EXPECT_EQ(sx.stx_mtime.tv_nsec, st.st_mtim.tv_nsec);
	memset(&sx, 0, sizeof(sx));
	ASSERT_OK(statx(fd, "", AT_EMPTY_PATH, STATX_INO, &sx));
	EXPECT_EQ(sx.stx_ino, st.st_ino);
	EXPECT_ERRNO(statx(AT_FDCWD, p, 0, STATX__RESERVED, &sx), EINVAL);
	EXPECT_ERRNO(statx(AT_FDCWD, p, 0x7f000000, STATX_BASIC_STATS, &sx), EINVAL);
	close(fd);
}

TEST(statx_nofollow_on_a_symlink)
{
	char l[256];
	struct statx sx;

	ASSERT_OK(symlink("target-name", P(l, "link")));
	ASSERT_OK(statx(AT_FDCWD, l, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
	EXPECT_TRUE(S_ISLNK(sx.stx_mode));
	EXPECT_EQ(sx.stx_size, 11);
	EXPECT_ERRNO(statx(AT_FDCWD, l, 0, STATX_BASIC_STATS, &sx), ENOENT);
}

TEST(stat_of_a_directory)
{
	char p[256];
	struct stat st;
	mode_t old = umask(027);

	ASSERT_OK(mkdir(P(p, "d"), 0777));
	umask(old);
	ASSERT_OK(stat(p, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0750);
	EXPECT_GE(st.st_nlink, 2);
	ASSERT_OK(stat("/", &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST(stat_of_dev_null_is_the_char_device_1_3)
{
	struct stat st;

	ASSERT_OK(stat("/dev/null", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(major(st.st_rdev), 1);
	EXPECT_EQ(minor(st.st_rdev), 3);
	ASSERT_OK(stat("/dev/zero", &st));
	EXPECT_EQ(minor(st.st_rdev), 5);
}

TEST(utimensat_sets_explicit_times)
{
	char p[256];
	struct stat st;
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 987654321 } };

	make_file(P(p, "f"), "x");
	ASSERT_OK(utimensat(AT_FDCWD, p, ts, 0));
	ASSERT_OK(stat(p, &st));
	EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
	EXPECT_EQ(st.st_atim.tv_nsec, 123456789);
	EXPECT_EQ(st.st_mtim.tv_sec, 1200000000);
	EXPECT_EQ(st.st_mtim.tv_nsec, 987654321);
}

TEST(mkdir_rmdir_unlink_errors)
{
	char p[256], f[256];

	ASSERT_OK(mkdir(P(p, "d"), 0700));
	EXPECT_ERRNO(mkdir(p, 0700), EEXIST);
	make_file(P(f, "d/f"), NULL);
	EXPECT_ERRNO(rmdir(p), ENOTEMPTY);
	EXPECT_ERRNO(unlink(p), EISDIR);
	EXPECT_ERRNO(rmdir(f), ENOTDIR);
	EXPECT_OK(unlink(f));
	EXPECT_ERRNO(unlink(f), ENOENT);
	EXPECT_OK(rmdir(p));
	EXPECT_ERRNO(rmdir(p), ENOENT);
	EXPECT_ERRNO(rmdir(P(p, ".")), EINVAL);
}

TEST(rename_replaces_and_checks_types)
{
	char a[256], b[256], d[256], e[256];
	struct stat st;

	make_file(P(a, "a"), "aaa");
	make_file(P(b, "b"), "b");
	ASSERT_OK(rename(a, b));
	EXPECT_ERRNO(access(a, F_OK), ENOENT);
	ASSERT_OK(stat(b, &st));
	EXPECT_EQ(st.st_size, 3);
	ASSERT_OK(mkdir(P(d, "d"), 0700));
	ASSERT_OK(mkdir(P(e, "e"), 0700));
	make_file(P(a, "e/x"), NULL);
	EXPECT_ERRNO(rename(b, d), EISDIR);
	EXPECT_ERRNO(rename(d, b), ENOTDIR);
	EXPECT_ERRNO(rename(d, e), ENOTEMPTY);
	EXPECT_ERRNO(rename(d, P(a, "d/sub")), EINVAL);
	EXPECT_OK(rename(e, d)); /* onto an empty directory */
	EXPECT_OK(access(P(a, "d/x"), F_OK));
}

TEST(link_counts_and_unlink_keeps_open_file_readable)
{
	char a[256], b[256], buf[4];
	struct stat st;
	int fd;

	make_file(P(a, "a"), "abc");
	ASSERT_OK(link(a, P(b, "b")));
	ASSERT_OK(stat(a, &st));
	EXPECT_EQ(st.st_nlink, 2);
	fd = ASSERT_OK(open(b, O_RDONLY));
	ASSERT_OK(unlink(a));
	ASSERT_OK(unlink(b));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_nlink, 0);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 3);
	close(fd);
	EXPECT_ERRNO(link(harness_tmpdir(), P(b, "dirlink")), EPERM);
}

TEST(readlink_returns_the_target_without_nul)
{
	char l[256], buf[64];

	ASSERT_OK(symlink("some/target", P(l, "link")));
	memset(buf, 'X', sizeof(buf));
	EXPECT_EQ(readlink(l, buf, sizeof(buf)), 11);
	EXPECT_MEMEQ(buf, "some/targetX", 12);
	EXPECT_EQ(readlink(l, buf, 4), 4);
	EXPECT_MEMEQ(buf, "some", 4);
	EXPECT_ERRNO(readlink(harness_tmpdir(), buf, sizeof(buf)), EINVAL);
	EXPECT_ERRNO(readlink(l, buf, 0), EINVAL);
}

TEST(access_and_faccessat)
{
	char p[256];

	make_file(P(p, "f"), NULL);
	EXPECT_OK(access(p, F_OK));
	EXPECT_OK(access(p, R_OK | W_OK));
	EXPECT_OK(faccessat(AT_FDCWD, p, R_OK, 0));
	EXPECT_ERRNO(access(P(p, "missing"), F_OK), ENOENT);
	EXPECT_ERRNO(access(p, 0x40), EINVAL);
	EXPECT_OK(access("/", X_OK));
}

TEST(fchmod_and_chmod_change_the_mode)
{
	char p[256];
	struct stat st;
	int fd = ASSERT_OK(open(P(p, "f"), O_RDWR | O_CREAT, 0600));

	ASSERT_OK(fchmod(fd, 0751));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_mode & 07777, 0751);
	ASSERT_OK(chmod(p, 0604));
	ASSERT_OK(stat(p, &st));
	EXPECT_EQ(st.st_mode & 07777, 0604);
	close(fd);
}

TEST(host_root_files_are_readable)
{
	char buf[16];
	int fd = ASSERT_OK(open("/etc/passwd", O_RDONLY));

	EXPECT_GT(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	EXPECT_OK(access("/bin/sh", X_OK));
}
