// SPDX-License-Identifier: MIT
/*
 * openat2(2): the size-versioned struct open_how, its stricter flag checks, and the
 * RESOLVE_* restrictions (BENEATH, IN_ROOT, NO_SYMLINKS, NO_MAGICLINKS, NO_XDEV, CACHED).
 */
#include <linux/openat2.h>

#include "tests/syscalls/mount_util.h"

#define P(buf, rel) tmp_path(buf, sizeof(buf), rel)

static int openat2_(int dirfd, const char *path, const void *how, size_t size)
{
	return (int)syscall(SYS_openat2, dirfd, path, how, size);
}

static int open_how_(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };

	return openat2_(dirfd, path, &how, sizeof(how));
}

/* A tree under the tmpdir: d/{file, sub/, up -> .., abs -> /, rel -> sub/f2} and
 * sub/f2. Returns an O_PATH fd of d. */
static int make_tree(void)
{
	char p[256];

	ASSERT_OK(mkdir(P(p, "d"), 0755));
	ASSERT_OK(mkdir(P(p, "d/sub"), 0755));
	mnt_write_file(P(p, "d/file"), "f", 0644);
	mnt_write_file(P(p, "d/sub/f2"), "g", 0644);
	ASSERT_OK(symlink("..", P(p, "d/up")));
	ASSERT_OK(symlink("/", P(p, "d/abs")));
	ASSERT_OK(symlink("sub/f2", P(p, "d/rel")));
	mnt_write_file(P(p, "outside"), "o", 0644);
	return ASSERT_OK(open(P(p, "d"), O_PATH | O_DIRECTORY));
}

TEST(struct_size_versioning)
{
	struct {
		struct open_how how;
		uint64_t extra;
	} big = { .how = { .flags = O_RDONLY } };
	char p[256];
	int fd;

	mnt_write_file(P(p, "f"), "", 0644);
	EXPECT_ERRNO(openat2_(AT_FDCWD, p, &big, 8), EINVAL);
	EXPECT_ERRNO(openat2_(AT_FDCWD, p, &big, 4097), E2BIG);
	fd = ASSERT_OK(openat2_(AT_FDCWD, p, &big, sizeof(big)));
	close(fd);
	big.extra = 1;
	EXPECT_ERRNO(openat2_(AT_FDCWD, p, &big, sizeof(big)), E2BIG);
	EXPECT_ERRNO(openat2_(AT_FDCWD, p, NULL, sizeof(struct open_how)), EFAULT);
}

TEST(flag_checks_are_strict)
{
	char p[256];

	mnt_write_file(P(p, "f"), "", 0644);
	EXPECT_ERRNO(open_how_(AT_FDCWD, p, 1ULL << 40, 0, 0), EINVAL);
	EXPECT_ERRNO(open_how_(AT_FDCWD, p, O_RDONLY, 0, 0x1000), EINVAL);
	EXPECT_ERRNO(open_how_(AT_FDCWD, p, O_RDONLY, 0644, 0), EINVAL);
	EXPECT_ERRNO(open_how_(AT_FDCWD, p, O_RDWR | O_CREAT, 010000, 0), EINVAL);
	EXPECT_ERRNO(open_how_(AT_FDCWD, p, O_PATH | O_RDWR, 0, 0), EINVAL);
	EXPECT_ERRNO(open_how_(AT_FDCWD, harness_tmpdir(), O_CREAT | O_DIRECTORY, 0, 0), EINVAL);
	EXPECT_ERRNO(open_how_(AT_FDCWD, p, O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT),
		     EINVAL);
	EXPECT_ERRNO(open_how_(AT_FDCWD, harness_tmpdir(), O_TMPFILE | O_RDONLY, 0, 0), EINVAL);
	EXPECT_ERRNO(open_how_(AT_FDCWD, "", O_RDONLY, 0, 0), ENOENT);
}

TEST(beneath_refuses_to_leave_the_dirfd)
{
	int d = make_tree(), fd;

	fd = ASSERT_OK(open_how_(d, "file", O_RDONLY, 0, RESOLVE_BENEATH));
	close(fd);
	fd = ASSERT_OK(open_how_(d, "sub/../rel", O_RDONLY, 0, RESOLVE_BENEATH));
	close(fd);
	EXPECT_ERRNO(open_how_(d, "../outside", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	EXPECT_ERRNO(open_how_(d, "sub/../../outside", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	EXPECT_ERRNO(open_how_(d, "/etc", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	EXPECT_ERRNO(open_how_(d, "up/outside", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	EXPECT_ERRNO(open_how_(d, "abs", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	close(d);
}

TEST(in_root_clamps_to_the_dirfd)
{
	struct stat a, b;
	int d = make_tree(), fd;

	fd = ASSERT_OK(open_how_(d, "/file", O_RDONLY, 0, RESOLVE_IN_ROOT));
	ASSERT_OK(fstat(fd, &a));
	close(fd);
	ASSERT_OK(fstatat(d, "file", &b, 0));
	EXPECT_EQ(a.st_ino, b.st_ino);
	fd = ASSERT_OK(open_how_(d, "../../../file", O_RDONLY, 0, RESOLVE_IN_ROOT));
	close(fd);
	fd = ASSERT_OK(open_how_(d, "up/up/file", O_RDONLY, 0, RESOLVE_IN_ROOT));
	close(fd);
	fd = ASSERT_OK(open_how_(d, "abs/sub/f2", O_RDONLY, 0, RESOLVE_IN_ROOT));
	close(fd);
	EXPECT_ERRNO(open_how_(d, "../outside", O_RDONLY, 0, RESOLVE_IN_ROOT), ENOENT);
	close(d);
}

TEST(no_symlinks_refuses_to_follow)
{
	int d = make_tree(), fd;

	EXPECT_ERRNO(open_how_(d, "rel", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	EXPECT_ERRNO(open_how_(d, "up/d/file", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	/* the link itself, with O_PATH|O_NOFOLLOW */
	fd = ASSERT_OK(open_how_(d, "rel", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS));
	close(fd);
	fd = ASSERT_OK(open_how_(d, "sub/f2", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
	close(fd);
	close(d);
}

TEST(no_magiclinks_refuses_proc_fd_links)
{
	char p[256], link[64];
	int fd, fd2;

	if (access("/proc/self/fd", F_OK) < 0)
		SKIP("no /proc/self/fd");
	fd = ASSERT_OK(open(P(p, "f"), O_RDWR | O_CREAT, 0644));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	EXPECT_ERRNO(open_how_(AT_FDCWD, link, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS), ELOOP);
	fd2 = ASSERT_OK(open_how_(AT_FDCWD, link, O_RDONLY, 0, 0));
	close(fd2);
	close(fd);
}

TEST(no_xdev_refuses_to_cross_mounts)
{
	char m[256], p[300];
	int d, fd;

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	ASSERT_OK(mkdir(P(p, "m/inner"), 0755));
	d = ASSERT_OK(open(harness_tmpdir(), O_PATH | O_DIRECTORY));
	EXPECT_ERRNO(open_how_(d, "m/inner", O_PATH, 0, RESOLVE_NO_XDEV), EXDEV);
	EXPECT_ERRNO(open_how_(d, "m", O_PATH, 0, RESOLVE_NO_XDEV), EXDEV);
	close(d);
	d = ASSERT_OK(open(m, O_PATH | O_DIRECTORY));
	fd = ASSERT_OK(open_how_(d, "inner", O_PATH, 0, RESOLVE_NO_XDEV));
	close(fd);
	EXPECT_ERRNO(open_how_(d, "..", O_PATH, 0, RESOLVE_NO_XDEV), EXDEV);
	close(d);
}

TEST(cached_refuses_what_needs_io)
{
	char p[256];
	int fd;

	mnt_write_file(P(p, "f"), "", 0644);
	EXPECT_ERRNO(open_how_(AT_FDCWD, p, O_RDWR | O_CREAT, 0644, RESOLVE_CACHED), EAGAIN);
	EXPECT_ERRNO(open_how_(AT_FDCWD, p, O_RDWR | O_TRUNC, 0, RESOLVE_CACHED), EAGAIN);
	/* a walk of what was just used may be served from the cache, or -EAGAIN */
	fd = open_how_(AT_FDCWD, p, O_RDONLY, 0, RESOLVE_CACHED);
	if (fd < 0)
		EXPECT_EQ(errno, EAGAIN);
	else
		close(fd);
}
