// SPDX-License-Identifier: MIT
/*
 * Extended attributes on a writable filesystem (the test's tmpdir): get/set/list/remove
 * through paths, symlinks and fds, XATTR_CREATE/XATTR_REPLACE, size queries and
 * too-small buffers, name and value limits, namespaces and the file types user.* allows.
 */
#include <sys/xattr.h>

#include "tests/syscalls/sysutil.h"

/* An unmapped address, hidden from the compiler's buffer-size checks. */
static void *bad_ptr(void)
{
	static volatile uintptr_t addr = 8;

	return (void *)addr;
}

/* Whether name is in the NUL-separated list of len bytes. */
static bool in_list(const char *list, ssize_t len, const char *name)
{
	for (const char *p = list; p < list + len; p += strlen(p) + 1) {
		if (!strcmp(p, name))
			return true;
	}
	return false;
}

/* The tmpdir must support user xattrs natively, or the comparison is moot. */
static void need_user_xattrs(const char *path)
{
	if (setxattr(path, "user.probe", "", 0, 0) < 0 && errno == EOPNOTSUPP)
		SKIP("no user xattrs on %s", path);
	ASSERT_OK(removexattr(path, "user.probe"));
}

TEST(set_get_list_remove_round_trip)
{
	char p[256], buf[64], list[256];
	int fd = tmp_file_with("f", "x", 1, p, sizeof(p));
	ssize_t n;

	need_user_xattrs(p);
	EXPECT_OK(setxattr(p, "user.a", "hello", 5, 0));
	EXPECT_OK(setxattr(p, "user.b", "", 0, 0));
	EXPECT_EQ(getxattr(p, "user.a", NULL, 0), 5);
	EXPECT_EQ(getxattr(p, "user.a", buf, sizeof(buf)), 5);
	EXPECT_MEMEQ(buf, "hello", 5);
	EXPECT_EQ(getxattr(p, "user.b", buf, sizeof(buf)), 0);
	EXPECT_EQ(fgetxattr(fd, "user.a", buf, sizeof(buf)), 5);
	n = listxattr(p, list, sizeof(list));
	ASSERT_GE(n, 14);
	EXPECT_TRUE(in_list(list, n, "user.a"));
	EXPECT_TRUE(in_list(list, n, "user.b"));
	EXPECT_EQ(listxattr(p, NULL, 0), n);
	EXPECT_EQ(flistxattr(fd, list, sizeof(list)), n);
	/* a value can be replaced by a longer or shorter one */
	EXPECT_OK(fsetxattr(fd, "user.a", "hi", 2, 0));
	EXPECT_EQ(getxattr(p, "user.a", buf, sizeof(buf)), 2);
	EXPECT_MEMEQ(buf, "hi", 2);
	EXPECT_OK(removexattr(p, "user.a"));
	EXPECT_ERRNO(getxattr(p, "user.a", buf, sizeof(buf)), ENODATA);
	EXPECT_ERRNO(removexattr(p, "user.a"), ENODATA);
	EXPECT_OK(fremovexattr(fd, "user.b"));
	n = listxattr(p, list, sizeof(list));
	EXPECT_FALSE(in_list(list, n, "user.a") || in_list(list, n, "user.b"));
	close(fd);
}

TEST(create_and_replace_flags)
{
	char p[256];
	int fd = tmp_file_with("f", "x", 1, p, sizeof(p));

	need_user_xattrs(p);
	EXPECT_ERRNO(setxattr(p, "user.c", "1", 1, XATTR_REPLACE), ENODATA);
	EXPECT_OK(setxattr(p, "user.c", "1", 1, XATTR_CREATE));
	EXPECT_ERRNO(setxattr(p, "user.c", "2", 1, XATTR_CREATE), EEXIST);
	EXPECT_OK(setxattr(p, "user.c", "3", 1, XATTR_REPLACE));
	EXPECT_ERRNO(setxattr(p, "user.c", "4", 1, 4), EINVAL);
	EXPECT_ERRNO(setxattr(p, "user.c", "4", 1, XATTR_CREATE | 8), EINVAL);
	close(fd);
}

TEST(buffers_too_small_give_erange)
{
	char p[256], buf[4], list[4];
	int fd = tmp_file_with("f", "x", 1, p, sizeof(p));

	need_user_xattrs(p);
	ASSERT_OK(setxattr(p, "user.long", "0123456789", 10, 0));
	EXPECT_ERRNO(getxattr(p, "user.long", buf, sizeof(buf)), ERANGE);
	EXPECT_ERRNO(listxattr(p, list, sizeof(list)), ERANGE);
	close(fd);
}

TEST(name_and_value_limits)
{
	char p[256], name[300], buf[8];
	static char big[65537];
	int fd = tmp_file_with("f", "x", 1, p, sizeof(p));

	need_user_xattrs(p);
	EXPECT_ERRNO(setxattr(p, "", "v", 1, 0), ERANGE);
	EXPECT_ERRNO(getxattr(p, "", buf, sizeof(buf)), ERANGE);
	memset(name, 'n', sizeof(name));
	memcpy(name, "user.", 5);
	name[256] = '\0';
	EXPECT_ERRNO(setxattr(p, name, "v", 1, 0), ERANGE);
	EXPECT_ERRNO(getxattr(p, name, buf, sizeof(buf)), ERANGE);
	EXPECT_ERRNO(removexattr(p, name), ERANGE);
	EXPECT_ERRNO(setxattr(p, "user.big", big, sizeof(big), 0), E2BIG);
	/* no namespace, or a bare one, is not supported */
	EXPECT_ERRNO(setxattr(p, "nonamespace", "v", 1, 0), EOPNOTSUPP);
	EXPECT_ERRNO(getxattr(p, "foo.bar", buf, sizeof(buf)), EOPNOTSUPP);
	/* a bare known prefix names no attribute */
	EXPECT_ERRNO(setxattr(p, "user.", "v", 1, 0), EINVAL);
	EXPECT_ERRNO(getxattr(p, "user.", buf, sizeof(buf)), EINVAL);
	close(fd);
}

TEST(bad_pointers_and_descriptors)
{
	char p[256], buf[8];
	int fd = tmp_file_with("f", "x", 1, p, sizeof(p));
	int opath = ASSERT_OK(open(p, O_PATH));

	need_user_xattrs(p);
	ASSERT_OK(setxattr(p, "user.v", "abc", 3, 0));
	EXPECT_ERRNO(getxattr(p, bad_ptr(), buf, sizeof(buf)), EFAULT);
	EXPECT_ERRNO(getxattr(p, "user.v", bad_ptr(), sizeof(buf)), EFAULT);
	EXPECT_ERRNO(setxattr(p, "user.v", bad_ptr(), 3, 0), EFAULT);
	EXPECT_ERRNO(listxattr(p, bad_ptr(), 64), EFAULT);
	EXPECT_ERRNO(getxattr(bad_ptr(), "user.v", buf, sizeof(buf)), EFAULT);
	EXPECT_ERRNO(fgetxattr(-1, "user.v", buf, sizeof(buf)), EBADF);
	EXPECT_ERRNO(fgetxattr(opath, "user.v", buf, sizeof(buf)), EBADF);
	EXPECT_ERRNO(fsetxattr(opath, "user.v", "x", 1, 0), EBADF);
	EXPECT_ERRNO(getxattr("/nonexistent/x", "user.v", buf, sizeof(buf)), ENOENT);
	close(opath);
	close(fd);
}

TEST(user_xattrs_live_on_files_and_dirs_not_symlinks)
{
	char p[256], d[256], l[256], buf[8];
	int fd = tmp_file_with("f", "x", 1, p, sizeof(p));

	need_user_xattrs(p);
	tmp_path(d, sizeof(d), "dir");
	ASSERT_OK(mkdir(d, 0755));
	EXPECT_OK(setxattr(d, "user.d", "1", 1, 0));
	EXPECT_EQ(getxattr(d, "user.d", buf, sizeof(buf)), 1);
	tmp_path(l, sizeof(l), "link");
	ASSERT_OK(symlink(p, l));
	/* through the link: the target; on the link itself: not allowed */
	EXPECT_OK(setxattr(l, "user.t", "2", 1, 0));
	EXPECT_EQ(getxattr(p, "user.t", buf, sizeof(buf)), 1);
	EXPECT_ERRNO(lsetxattr(l, "user.t", "2", 1, 0), EPERM);
	EXPECT_ERRNO(lgetxattr(l, "user.t", buf, sizeof(buf)), ENODATA);
	EXPECT_EQ(lgetxattr(p, "user.t", buf, sizeof(buf)), 1);
	EXPECT_ERRNO(lremovexattr(l, "user.t"), EPERM);
	EXPECT_OK(lremovexattr(p, "user.t"));
	close(fd);
}

TEST(trusted_xattrs_need_cap_sys_admin)
{
	char p[256], buf[8], list[256];
	int fd = tmp_file_with("f", "x", 1, p, sizeof(p));
	ssize_t n;

	need_user_xattrs(p);
	if (geteuid() != 0)
		SKIP("not root");
	EXPECT_OK(setxattr(p, "trusted.t", "secret", 6, 0));
	EXPECT_EQ(getxattr(p, "trusted.t", buf, sizeof(buf)), 6);
	n = listxattr(p, list, sizeof(list));
	EXPECT_TRUE(in_list(list, n, "trusted.t"));
	close(fd);
}

struct perm_paths {
	char file[256], ro_file[256], sticky[256];
};

/* As an unprivileged user: write permission governs user.*, the sticky directory's
 * owner alone writes its user.*, and trusted.* is invisible. */
static void unprivileged_checks(void *arg)
{
	struct perm_paths *pp = arg;
	char buf[8], list[256];
	ssize_t n;

	if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
		_exit(3);
	if (getxattr(pp->ro_file, "user.r", buf, sizeof(buf)) != 1)
		_exit(4);
	if (setxattr(pp->ro_file, "user.r", "x", 1, 0) == 0 || errno != EACCES)
		_exit(5);
	if (removexattr(pp->ro_file, "user.r") == 0 || errno != EACCES)
		_exit(6);
	if (setxattr(pp->file, "user.w", "x", 1, 0) < 0)
		_exit(7);
	if (setxattr(pp->sticky, "user.s", "x", 1, 0) == 0 || errno != EPERM)
		_exit(8);
	if (getxattr(pp->file, "trusted.t", buf, sizeof(buf)) == 0 || errno != ENODATA)
		_exit(9);
	if (setxattr(pp->file, "trusted.t", "x", 1, 0) == 0 || errno != EPERM)
		_exit(10);
	n = listxattr(pp->file, list, sizeof(list));
	if (n < 0 || in_list(list, n, "trusted.t") || !in_list(list, n, "user.w"))
		_exit(11);
}

TEST(permissions_for_unprivileged_callers)
{
	struct perm_paths pp;
	int fd, ro;

	if (geteuid() != 0)
		SKIP("not root");
	fd = tmp_file_with("w", "x", 1, pp.file, sizeof(pp.file));
	need_user_xattrs(pp.file);
	ro = tmp_file_with("r", "x", 1, pp.ro_file, sizeof(pp.ro_file));
	tmp_path(pp.sticky, sizeof(pp.sticky), "sticky");
	ASSERT_OK(mkdir(pp.sticky, 0777));
	ASSERT_OK(chmod(pp.sticky, 01777));
	ASSERT_OK(chmod(harness_tmpdir(), 0755));
	ASSERT_OK(chmod(pp.file, 0666));
	ASSERT_OK(chmod(pp.ro_file, 0644));
	ASSERT_OK(setxattr(pp.ro_file, "user.r", "r", 1, 0));
	ASSERT_OK(setxattr(pp.file, "trusted.t", "t", 1, 0));
	EXPECT_EQ(status_of_child(unprivileged_checks, &pp), 0);
	close(ro);
	close(fd);
}

TEST(files_of_the_root_filesystem_have_no_user_xattrs)
{
	char buf[8];

	EXPECT_ERRNO(getxattr("/etc/hostname", "user.warden-none", buf, sizeof(buf)), ENODATA);
	EXPECT_GE(listxattr("/etc/hostname", NULL, 0), 0);
}
