// SPDX-License-Identifier: MIT
/*
 * getcwd/chdir/fchdir: the working directory each relative path starts from, and the
 * getcwd syscall's own contract (length including the NUL, ERANGE, ENOENT when removed).
 * Each case puts the working directory back, since cases may run in one process.
 */
#include <limits.h>
#include <stdlib.h>

#include "tests/syscalls/sysutil.h"

static char saved[PATH_MAX];

static void save_cwd(void)
{
	ASSERT_TRUE(getcwd(saved, sizeof(saved)) != NULL);
}

static void restore_cwd(void)
{
	EXPECT_OK(chdir(saved));
}

/* The tmpdir with symlinks resolved, as getcwd reports it. */
static void real_tmpdir(char *buf)
{
	ASSERT_TRUE(realpath(harness_tmpdir(), buf) != NULL);
}

TEST(getcwd_is_absolute)
{
	char buf[PATH_MAX];

	ASSERT_TRUE(getcwd(buf, sizeof(buf)) != NULL);
	EXPECT_EQ(buf[0], '/');
}

TEST(chdir_then_getcwd_reports_the_new_directory)
{
	char want[PATH_MAX], buf[PATH_MAX];

	save_cwd();
	real_tmpdir(want);
	ASSERT_OK(chdir(harness_tmpdir()));
	ASSERT_TRUE(getcwd(buf, sizeof(buf)) != NULL);
	EXPECT_STREQ(buf, want);
	restore_cwd();
}

TEST(getcwd_syscall_returns_length_including_nul)
{
	char want[PATH_MAX], buf[PATH_MAX];

	save_cwd();
	real_tmpdir(want);
	ASSERT_OK(chdir(harness_tmpdir()));
	EXPECT_EQ(syscall(SYS_getcwd, buf, sizeof(buf)), (long)strlen(want) + 1);
	EXPECT_STREQ(buf, want);
	restore_cwd();
}

TEST(getcwd_with_a_short_buffer_is_erange)
{
	char want[PATH_MAX], buf[PATH_MAX];
	size_t len;

	save_cwd();
	real_tmpdir(want);
	len = strlen(want);
	ASSERT_OK(chdir(harness_tmpdir()));
	EXPECT_ERRNO(syscall(SYS_getcwd, buf, len), ERANGE); /* no room for the NUL */
	EXPECT_ERRNO(syscall(SYS_getcwd, buf, 1), ERANGE);
	EXPECT_ERRNO(syscall(SYS_getcwd, buf, 0), ERANGE);
	EXPECT_EQ(syscall(SYS_getcwd, buf, len + 1), (long)len + 1);
	restore_cwd();
}

TEST(relative_paths_resolve_from_the_working_directory)
{
	char p[PATH_MAX];
	int fd;

	save_cwd();
	ASSERT_OK(mkdir(tmp_path(p, sizeof(p), "d"), 0700));
	ASSERT_OK(chdir(p));
	fd = ASSERT_OK(open("rel", O_CREAT | O_RDWR, 0600));
	close(fd);
	restore_cwd();
	EXPECT_OK(access(tmp_path(p, sizeof(p), "d/rel"), F_OK));
}

TEST(chdir_dot_dot_goes_to_the_parent)
{
	char p[PATH_MAX], want[PATH_MAX], buf[PATH_MAX];

	save_cwd();
	real_tmpdir(want);
	ASSERT_OK(mkdir(tmp_path(p, sizeof(p), "d"), 0700));
	ASSERT_OK(chdir(p));
	ASSERT_OK(chdir(".."));
	ASSERT_TRUE(getcwd(buf, sizeof(buf)) != NULL);
	EXPECT_STREQ(buf, want);
	ASSERT_OK(chdir("/"));
	ASSERT_OK(chdir(".."));
	ASSERT_TRUE(getcwd(buf, sizeof(buf)) != NULL);
	EXPECT_STREQ(buf, "/");
	restore_cwd();
}

TEST(chdir_through_a_symlink_reports_the_resolved_path)
{
	char p[PATH_MAX], l[PATH_MAX], want[PATH_MAX], buf[PATH_MAX];

	save_cwd();
	ASSERT_OK(mkdir(tmp_path(p, sizeof(p), "real"), 0700));
	ASSERT_OK(symlink("real", tmp_path(l, sizeof(l), "link")));
	ASSERT_TRUE(realpath(p, want) != NULL);
	ASSERT_OK(chdir(l));
	ASSERT_TRUE(getcwd(buf, sizeof(buf)) != NULL);
	EXPECT_STREQ(buf, want);
	restore_cwd();
}

TEST(chdir_errors)
{
	char p[PATH_MAX];
	int fd;

	fd = ASSERT_OK(open(tmp_path(p, sizeof(p), "file"), O_CREAT | O_RDWR, 0600));
	close(fd);
	EXPECT_ERRNO(chdir(p), ENOTDIR);
	EXPECT_ERRNO(chdir(tmp_path(p, sizeof(p), "missing")), ENOENT);
	EXPECT_ERRNO(chdir(""), ENOENT);
}

TEST(fchdir_to_a_directory_fd)
{
	char want[PATH_MAX], buf[PATH_MAX];
	int dfd;

	save_cwd();
	real_tmpdir(want);
	dfd = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY));
	ASSERT_OK(fchdir(dfd));
	ASSERT_TRUE(getcwd(buf, sizeof(buf)) != NULL);
	EXPECT_STREQ(buf, want);
	close(dfd);
	restore_cwd();
}

TEST(fchdir_to_an_o_path_directory_fd)
{
	char want[PATH_MAX], buf[PATH_MAX];
	int dfd;

	save_cwd();
	real_tmpdir(want);
	dfd = ASSERT_OK(open(harness_tmpdir(), O_PATH | O_DIRECTORY));
	ASSERT_OK(fchdir(dfd));
	ASSERT_TRUE(getcwd(buf, sizeof(buf)) != NULL);
	EXPECT_STREQ(buf, want);
	close(dfd);
	restore_cwd();
}

TEST(fchdir_errors)
{
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY));

	EXPECT_ERRNO(fchdir(fd), ENOTDIR);
	close(fd);
	EXPECT_ERRNO(fchdir(fd), EBADF);
	EXPECT_ERRNO(fchdir(-1), EBADF);
}

TEST(getcwd_of_a_removed_directory_is_enoent)
{
	char p[PATH_MAX], buf[PATH_MAX];

	save_cwd();
	ASSERT_OK(mkdir(tmp_path(p, sizeof(p), "gone"), 0700));
	ASSERT_OK(chdir(p));
	ASSERT_OK(rmdir(p));
	EXPECT_ERRNO(syscall(SYS_getcwd, buf, sizeof(buf)), ENOENT);
	/* Creating in a removed directory fails too. */
	EXPECT_ERRNO(open("x", O_CREAT | O_RDWR, 0600), ENOENT);
	restore_cwd();
}

TEST(openat_at_fdcwd_follows_chdir)
{
	char p[PATH_MAX];
	int fd;

	save_cwd();
	fd = ASSERT_OK(open(tmp_path(p, sizeof(p), "here"), O_CREAT | O_RDWR, 0600));
	close(fd);
	ASSERT_OK(chdir(harness_tmpdir()));
	fd = ASSERT_OK(openat(AT_FDCWD, "here", O_RDONLY));
	close(fd);
	EXPECT_OK(faccessat(AT_FDCWD, "./here", F_OK, 0));
	restore_cwd();
}
