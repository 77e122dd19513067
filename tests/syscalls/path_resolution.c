// SPDX-License-Identifier: MIT
/*
 * Path resolution against Linux's rules: symlink loops and the 40-link limit, trailing
 * slashes, `..` across a mount, O_NOFOLLOW, AT_EMPTY_PATH / AT_SYMLINK_NOFOLLOW, name
 * length limits, O_PATH and O_DIRECTORY, permission checks with supplementary groups
 * and capabilities, renameat2, linkat, faccessat2, statx and utimensat(fd, NULL).
 */
#include <linux/capability.h>
#include <linux/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <sys/time.h>

#include "tests/syscalls/mount_util.h"

#define P(buf, rel) tmp_path(buf, sizeof(buf), rel)

TEST(symlink_loops_and_the_forty_link_limit)
{
	char a[256], b[256], name[64], target[64], p[300];

	ASSERT_OK(symlink("b", P(a, "a")));
	ASSERT_OK(symlink("a", P(b, "b")));
	EXPECT_ERRNO(open(a, O_RDONLY), ELOOP);
	EXPECT_ERRNO(access(P(p, "a/x"), F_OK), ELOOP);
	/* l0 -> l1 -> ... -> l40 -> file: 40 links resolve, 41 do not */
	mnt_write_file(P(p, "file"), "", 0644);
	ASSERT_OK(symlink("file", P(p, "l41")));
	for (int i = 40; i >= 0; i--) {
		snprintf(name, sizeof(name), "l%d", i);
		snprintf(target, sizeof(target), "l%d", i + 1);
		ASSERT_OK(symlink(target, P(p, name)));
	}
	EXPECT_OK(access(P(p, "l2"), F_OK));
	EXPECT_ERRNO(access(P(p, "l1"), F_OK), ELOOP);
}

TEST(trailing_slashes_want_directories)
{
	char f[256], p[300];

	mnt_write_file(P(f, "file"), "", 0644);
	EXPECT_ERRNO(access(P(p, "file/"), F_OK), ENOTDIR);
	EXPECT_ERRNO(open(P(p, "file/"), O_RDONLY), ENOTDIR);
	EXPECT_ERRNO(open(P(p, "file/."), O_RDONLY), ENOTDIR);
	EXPECT_ERRNO(unlink(P(p, "file/")), ENOTDIR);
	EXPECT_ERRNO(open(P(p, "new/"), O_RDWR | O_CREAT, 0644), EISDIR);
	EXPECT_OK(mkdir(P(p, "newdir/"), 0755));
	EXPECT_OK(access(P(p, "newdir//"), F_OK));
	ASSERT_OK(symlink("newdir", P(p, "dlink")));
	EXPECT_OK(access(P(p, "dlink/"), F_OK));
	ASSERT_OK(symlink("file", P(p, "flink")));
	EXPECT_ERRNO(access(P(p, "flink/"), F_OK), ENOTDIR);
	/* rename of a non-directory: a trailing slash on either name, existing or not */
	EXPECT_ERRNO(rename(f, P(p, "flink/")), ENOTDIR);
	EXPECT_ERRNO(rename(f, P(p, "fresh/")), ENOTDIR);
	EXPECT_ERRNO(rename(P(p, "file/"), P(p, "fresh")), ENOTDIR);
	EXPECT_OK(access(f, F_OK));
	EXPECT_OK(readlink(P(p, "flink"), (char[8]){ 0 }, 8));
}

TEST(dotdot_climbs_out_of_a_mount)
{
	char m[256], p[300];
	struct stat up, dir;

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	ASSERT_OK(stat(harness_tmpdir(), &dir));
	snprintf(p, sizeof(p), "%s/..", m);
	ASSERT_OK(stat(p, &up));
	EXPECT_EQ(up.st_ino, dir.st_ino);
	EXPECT_EQ(up.st_dev, dir.st_dev);
	ASSERT_OK(chdir(m));
	ASSERT_OK(stat("..", &up));
	EXPECT_EQ(up.st_ino, dir.st_ino);
}

TEST(nofollow_and_at_flags)
{
	char f[256], l[256];
	struct stat st;
	int fd;

	mnt_write_file(P(f, "file"), "x", 0644);
	ASSERT_OK(symlink("file", P(l, "link")));
	EXPECT_ERRNO(open(l, O_RDONLY | O_NOFOLLOW), ELOOP);
	fd = ASSERT_OK(open(l, O_PATH | O_NOFOLLOW));
	ASSERT_OK(fstatat(fd, "", &st, AT_EMPTY_PATH));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	EXPECT_ERRNO(fstatat(fd, "", &st, 0), ENOENT);
	close(fd);
	ASSERT_OK(fstatat(AT_FDCWD, l, &st, AT_SYMLINK_NOFOLLOW));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	ASSERT_OK(fstatat(AT_FDCWD, l, &st, 0));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_ERRNO(fstatat(AT_FDCWD, l, &st, 0x10000000), EINVAL);
	/* O_EXCL never follows, even to a missing target */
	EXPECT_ERRNO(open(l, O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
}

TEST(name_length_limits)
{
	char name[300], path[5000];
	size_t n;

	memset(name, 'n', 255);
	name[255] = '\0';
	snprintf(path, sizeof(path), "%s/%s", harness_tmpdir(), name);
	EXPECT_ERRNO(access(path, F_OK), ENOENT);
	strcat(path, "n");
	EXPECT_ERRNO(access(path, F_OK), ENAMETOOLONG);
	EXPECT_ERRNO(open(path, O_RDWR | O_CREAT, 0644), ENAMETOOLONG);
	/* "<tmpdir>///...///x": 4095 bytes (plus the NUL) resolve, 4096 do not */
	n = strlen(harness_tmpdir());
	memcpy(path, harness_tmpdir(), n);
	memset(path + n, '/', 4096 - n);
	path[4095] = 'x';
	path[4096] = '\0';
	EXPECT_ERRNO(access(path, F_OK), ENAMETOOLONG);
	path[4094] = 'x';
	path[4095] = '\0';
	EXPECT_ERRNO(access(path, F_OK), ENOENT);
}

TEST(o_path_and_o_directory)
{
	char f[256], d[256], buf[4];
	int fd;

	mnt_write_file(P(f, "file"), "x", 0000);
	ASSERT_OK(mkdir(P(d, "dir"), 0755));
	EXPECT_ERRNO(open(f, O_RDONLY | O_DIRECTORY), ENOTDIR);
	EXPECT_ERRNO(open(d, O_RDWR | O_CREAT | O_DIRECTORY, 0644), EINVAL);
	EXPECT_ERRNO(open(d, O_WRONLY), EISDIR);
	fd = ASSERT_OK(open(f, O_PATH));
	EXPECT_ERRNO(read(fd, buf, 1), EBADF);
	EXPECT_ERRNO(write(fd, buf, 1), EBADF);
	EXPECT_ERRNO(fchmod(fd, 0644), EBADF);
	close(fd);
	fd = ASSERT_OK(open(d, O_PATH | O_DIRECTORY));
	ASSERT_OK(fchdir(fd));
	EXPECT_OK(access("../file", F_OK));
	close(fd);
}

/* The calling thread's effective capabilities as a bit mask. */
static uint64_t get_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	ASSERT_OK(syscall(SYS_capget, &h, d));
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

/* Caps as a bit mask, set with capset on the calling thread. */
static void set_caps(uint64_t caps)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)caps, (uint32_t)caps, 0 },
		{ (uint32_t)(caps >> 32), (uint32_t)(caps >> 32), 0 },
	};

	ASSERT_OK(syscall(SYS_capset, &h, d));
}

struct perm_case {
	char dir[256], file[300];
};

/* uid/gid 1000 (not the owner), member of group 4242 by supplementary groups only. */
static void perm_as_member(void *arg)
{
	struct perm_case *c = arg;
	gid_t groups[] = { 4242 };

	ASSERT_OK(setgroups(1, groups));
	ASSERT_OK(setresgid(1000, 1000, 1000));
	ASSERT_OK(setresuid(1000, 1000, 1000));
	if (access(c->file, R_OK) != 0)
		_exit(1);
	if (access(c->file, W_OK) == 0 || errno != EACCES)
		_exit(2);
}

static void perm_as_stranger(void *arg)
{
	struct perm_case *c = arg;

	mnt_become_nobody();
	if (access(c->file, R_OK) == 0 || errno != EACCES)
		_exit(1);
	if (open(c->file, O_RDONLY) >= 0 || errno != EACCES)
		_exit(2);
}

/* Root without CAP_DAC_OVERRIDE but with CAP_DAC_READ_SEARCH reads, never writes. */
static void perm_read_search_only(void *arg)
{
	struct perm_case *c = arg;
	int fd;

	set_caps(1ULL << CAP_DAC_READ_SEARCH);
	fd = open(c->file, O_RDONLY);
	if (fd < 0)
		_exit(1);
	close(fd);
	if (open(c->file, O_WRONLY) >= 0 || errno != EACCES)
		_exit(2);
	set_caps(0);
	if (open(c->file, O_RDONLY) >= 0 || errno != EACCES)
		_exit(3);
}

/* Without CAP_FOWNER, root may not chmod someone else's file. */
static void perm_no_fowner(void *arg)
{
	struct perm_case *c = arg;

	set_caps(get_caps() & ~(1ULL << CAP_FOWNER));
	if (chmod(c->file, 0640) == 0 || errno != EPERM)
		_exit(1);
}

TEST(permissions_groups_and_capabilities)
{
	struct perm_case c;
	int st;

	if (geteuid() != 0)
		SKIP("needs root");
	ASSERT_OK(chmod(harness_tmpdir(), 0755));
	ASSERT_OK(mkdir(P(c.dir, "dir"), 0755));
	snprintf(c.file, sizeof(c.file), "%s/f", c.dir);
	mnt_write_file(c.file, "x", 0640);
	ASSERT_OK(chown(c.file, 2000, 4242));
	st = status_of_child(perm_as_member, &c);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = status_of_child(perm_as_stranger, &c);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ASSERT_OK(chmod(c.file, 0000));
	/* root reads and writes a mode-0 file: CAP_DAC_OVERRIDE */
	EXPECT_OK(access(c.file, R_OK | W_OK));
	EXPECT_ERRNO(access(c.file, X_OK), EACCES);
	st = status_of_child(perm_read_search_only, &c);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = status_of_child(perm_no_fowner, &c);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* a search-only directory: names resolve, listing does not */
	ASSERT_OK(chmod(c.dir, 0711));
	ASSERT_OK(chmod(c.file, 0644));
	st = status_of_child(perm_as_stranger, &c);
	EXPECT_FALSE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST(renameat2_noreplace_and_exchange)
{
	char a[256], b[256], buf[4] = { 0 };
	int fd;

	mnt_write_file(P(a, "a"), "A", 0644);
	mnt_write_file(P(b, "b"), "B", 0644);
	EXPECT_ERRNO(renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE), EEXIST);
	EXPECT_ERRNO(renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE | RENAME_EXCHANGE),
		     EINVAL);
	EXPECT_ERRNO(renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_WHITEOUT | RENAME_EXCHANGE),
		     EINVAL);
	ASSERT_OK(renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE));
	fd = ASSERT_OK(open(a, O_RDONLY));
	EXPECT_EQ(read(fd, buf, 1), 1);
	EXPECT_STREQ(buf, "B");
	close(fd);
	ASSERT_OK(unlink(b));
	EXPECT_ERRNO(renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE), ENOENT);
	EXPECT_OK(renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE));
	EXPECT_ERRNO(renameat2(AT_FDCWD, a, AT_FDCWD, b, 0x80), EINVAL);
}

TEST(linkat_empty_path_and_symlink_follow)
{
	char f[256], l[256], p[300];
	struct stat st, fst;
	int fd;

	mnt_write_file(P(f, "file"), "x", 0644);
	ASSERT_OK(symlink("file", P(l, "link")));
	ASSERT_OK(stat(f, &fst));
	ASSERT_OK(linkat(AT_FDCWD, l, AT_FDCWD, P(p, "hard-to-link"), 0));
	ASSERT_OK(lstat(p, &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	ASSERT_OK(linkat(AT_FDCWD, l, AT_FDCWD, P(p, "hard-to-file"), AT_SYMLINK_FOLLOW));
	ASSERT_OK(lstat(p, &st));
	EXPECT_EQ(st.st_ino, fst.st_ino);
	fd = ASSERT_OK(open(f, O_RDONLY));
	EXPECT_ERRNO(linkat(fd, "", AT_FDCWD, P(p, "by-fd"), 0), ENOENT);
	if (geteuid() == 0) {
		ASSERT_OK(linkat(fd, "", AT_FDCWD, P(p, "by-fd"), AT_EMPTY_PATH));
		ASSERT_OK(stat(p, &st));
		EXPECT_EQ(st.st_ino, fst.st_ino);
		EXPECT_EQ(st.st_nlink, 3);
	}
	close(fd);
	EXPECT_ERRNO(linkat(AT_FDCWD, f, AT_FDCWD, P(p, "x"), 0x8000), EINVAL);
}

static void access_real_vs_effective(void *arg)
{
	const char *file = arg;

	/* real uid nobody, effective root */
	ASSERT_OK(setresuid(NOBODY, 0, 0));
	if (syscall(SYS_faccessat2, AT_FDCWD, file, R_OK, 0) == 0 || errno != EACCES)
		_exit(1);
	if (syscall(SYS_faccessat2, AT_FDCWD, file, R_OK, AT_EACCESS) != 0)
		_exit(2);
}

TEST(faccessat2_eaccess_uses_the_effective_ids)
{
	char f[256];
	int st;

	if (geteuid() != 0)
		SKIP("needs root");
	ASSERT_OK(chmod(harness_tmpdir(), 0755));
	mnt_write_file(P(f, "file"), "", 0600);
	st = status_of_child(access_real_vs_effective, f);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_ERRNO(syscall(SYS_faccessat2, AT_FDCWD, f, R_OK, 0x1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_faccessat2, AT_FDCWD, f, 8, 0), EINVAL);
}

TEST(statx_fields_and_mask)
{
	char f[256];
	struct statx sx;
	struct stat st;

	mnt_write_file(P(f, "file"), "hello", 0640);
	ASSERT_OK(stat(f, &st));
	ASSERT_OK(statx(AT_FDCWD, f, 0, STATX_BASIC_STATS, &sx));
	EXPECT_EQ(sx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
	EXPECT_EQ(sx.stx_size, 5);
	EXPECT_EQ(sx.stx_mode & 07777, 0640);
	EXPECT_EQ(sx.stx_ino, st.st_ino);
	EXPECT_EQ(sx.stx_nlink, 1);
	EXPECT_EQ(makedev(sx.stx_dev_major, sx.stx_dev_minor), st.st_dev);
	EXPECT_ERRNO(statx(AT_FDCWD, f, 0, STATX__RESERVED, &sx), EINVAL);
	EXPECT_ERRNO(statx(AT_FDCWD, f, 0x40000000, STATX_BASIC_STATS, &sx), EINVAL);
	EXPECT_ERRNO(statx(AT_FDCWD, f, AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS,
			   &sx),
		     EINVAL);
}

TEST(utimensat_with_a_null_path_uses_the_fd)
{
	struct timespec ts[2] = { { 1000000000, 5 }, { 1100000000, 7 } };
	char f[256];
	struct stat st;
	int fd;

	mnt_write_file(P(f, "file"), "", 0644);
	fd = ASSERT_OK(open(f, O_RDWR));
	ASSERT_OK(syscall(SYS_utimensat, fd, NULL, ts, 0));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
	EXPECT_EQ(st.st_mtim.tv_sec, 1100000000);
	EXPECT_EQ(st.st_mtim.tv_nsec, 7);
	EXPECT_ERRNO(syscall(SYS_utimensat, AT_FDCWD, NULL, ts, 0), EFAULT);
	EXPECT_ERRNO(syscall(SYS_utimensat, fd, NULL, ts, AT_SYMLINK_NOFOLLOW), EINVAL);
	close(fd);
}
