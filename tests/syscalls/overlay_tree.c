// SPDX-License-Identifier: MIT
/*
 * Changes to a tree that already exists when the program starts: overwrite, append,
 * truncate, chmod, unlink and re-create, rmdir, rename of files and of directories with
 * content (also RENAME_EXCHANGE), hard links, symlink ownership, readdir inode numbers and
 * shared mappings. Natively the tree is a scratch copy on the host disk; in the sandbox it
 * is the overlay's lower layer, so every change here is a copy-up, a whiteout or an opaque
 * directory, and must look exactly as it does natively. overlay_run.sh makes the tree
 * (OVERLAY_TEST_DIR) and checks that the sandbox left the host's copy alone.
 */
#include <dirent.h>
#include <stdlib.h>
#include <sys/xattr.h>

#include "tests/syscalls/sysutil.h"

/* OVERLAY_TEST_DIR/<rel> into buf. */
static char *T(char *buf, size_t size, const char *rel)
{
	const char *dir = getenv("OVERLAY_TEST_DIR");

	if (!dir)
		SKIP("OVERLAY_TEST_DIR is not set (run through overlay_run.sh)");
	snprintf(buf, size, "%s/%s", dir, rel);
	return buf;
}
#define P(buf, rel) T(buf, sizeof(buf), rel)

/* The whole content of path (NUL-terminated) into buf: its length. */
static ssize_t slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return n;
}

/* The sorted names in dir, space-separated, without "." and "..". */
static void names(const char *dir, char *out, size_t len)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);

	ASSERT_OK(n);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, "..")) {
			if (out[0])
				strncat(out, " ", len - strlen(out) - 1);
			strncat(out, list[i]->d_name, len - strlen(out) - 1);
		}
		free(list[i]);
	}
	free(list);
}

TEST(overwrite_keeps_the_inode_mode_and_owner)
{
	char p[512], buf[64];
	struct stat before, after;
	int fd;

	ASSERT_OK(stat(P(p, "write/file"), &before));
	fd = ASSERT_OK(open(p, O_WRONLY | O_TRUNC));
	ASSERT_EQ(write(fd, "x\n", 2), 2);
	close(fd);
	EXPECT_EQ(slurp(p, buf, sizeof(buf)), 2);
	EXPECT_STREQ(buf, "x\n");
	ASSERT_OK(stat(p, &after));
	EXPECT_EQ(after.st_ino, before.st_ino);
	EXPECT_EQ(after.st_dev, before.st_dev);
	EXPECT_EQ(after.st_mode, before.st_mode);
	EXPECT_EQ(after.st_uid, before.st_uid);
	EXPECT_EQ(after.st_size, 2);
}

TEST(append_and_truncate_keep_the_old_data_they_should)
{
	char p[512], buf[64];
	int fd;

	fd = ASSERT_OK(open(P(p, "append/file"), O_WRONLY | O_APPEND));
	ASSERT_EQ(write(fd, "def", 3), 3);
	close(fd);
	EXPECT_EQ(slurp(p, buf, sizeof(buf)), 6);
	EXPECT_STREQ(buf, "abcdef");
	ASSERT_OK(truncate(P(p, "trunc/file"), 4));
	EXPECT_EQ(slurp(p, buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "0123");
	ASSERT_OK(truncate(p, 6));
	EXPECT_EQ(slurp(p, buf, sizeof(buf)), 6);
	EXPECT_MEMEQ(buf, "0123\0\0", 6);
}

TEST(chmod_and_utimes_keep_the_content)
{
	char p[512], buf[64];
	struct timespec ts[2] = { { 1000000000, 0 }, { 1234567890, 5 } };
	struct stat st;

	ASSERT_OK(chmod(P(p, "chmod/file"), 0604));
	ASSERT_OK(utimensat(AT_FDCWD, p, ts, 0));
	ASSERT_OK(stat(p, &st));
	EXPECT_EQ(st.st_mode & 07777, 0604);
	EXPECT_EQ(st.st_mtim.tv_sec, 1234567890);
	EXPECT_EQ(st.st_mtim.tv_nsec, 5);
	EXPECT_EQ(slurp(p, buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "keep");
}

TEST(unlink_hides_the_name_and_a_new_file_takes_it)
{
	char p[512], d[512], buf[256];

	ASSERT_OK(unlink(P(p, "unlink/b")));
	EXPECT_ERRNO(access(p, F_OK), ENOENT);
	EXPECT_ERRNO(unlink(p), ENOENT);
	names(P(d, "unlink"), buf, sizeof(buf));
	EXPECT_STREQ(buf, "a c");
	close(ASSERT_OK(open(p, O_WRONLY | O_CREAT | O_EXCL, 0600)));
	EXPECT_EQ(slurp(p, buf, sizeof(buf)), 0);
	names(d, buf, sizeof(buf));
	EXPECT_STREQ(buf, "a b c");
}

TEST(rmdir_needs_the_merged_dir_empty_and_mkdir_after_it_is_empty)
{
	char p[512], f[512], buf[256];

	EXPECT_ERRNO(rmdir(P(p, "rmdir/d")), ENOTEMPTY);
	ASSERT_OK(unlink(P(f, "rmdir/d/x")));
	EXPECT_ERRNO(rmdir(p), ENOTEMPTY);
	ASSERT_OK(unlink(P(f, "rmdir/d/y")));
	names(p, buf, sizeof(buf));
	EXPECT_STREQ(buf, "");
	ASSERT_OK(rmdir(p));
	EXPECT_ERRNO(access(p, F_OK), ENOENT);
	ASSERT_OK(mkdir(p, 0755));
	names(p, buf, sizeof(buf));
	EXPECT_STREQ(buf, "");
	EXPECT_ERRNO(access(P(f, "rmdir/d/x"), F_OK), ENOENT);
	ASSERT_OK(rmdir(P(p, "rmdir/empty")));
}

TEST(rename_moves_files_and_directories_with_their_content)
{
	char a[512], b[512], buf[256];
	struct stat before, after;

	ASSERT_OK(stat(P(a, "rename/file"), &before));
	ASSERT_OK(rename(a, P(b, "rename/file2")));
	EXPECT_ERRNO(access(a, F_OK), ENOENT);
	ASSERT_OK(stat(b, &after));
	EXPECT_EQ(after.st_ino, before.st_ino);
	EXPECT_EQ(slurp(b, buf, sizeof(buf)), 1);

	ASSERT_OK(rename(P(a, "rename/dir"), P(b, "rename/dir2")));
	EXPECT_ERRNO(access(a, F_OK), ENOENT);
	names(b, buf, sizeof(buf));
	EXPECT_STREQ(buf, "f sub");
	EXPECT_EQ(slurp(P(b, "rename/dir2/sub/g"), buf, sizeof(buf)), 1);
	EXPECT_STREQ(buf, "G");
	/* over an empty directory, and not over a full one */
	ASSERT_OK(rename(P(a, "rename/dir2"), P(b, "rename/empty")));
	names(b, buf, sizeof(buf));
	EXPECT_STREQ(buf, "f sub");
	EXPECT_ERRNO(rename(P(a, "rename/x"), P(b, "rename/empty")), ENOTEMPTY);
	names(P(a, "rename"), buf, sizeof(buf));
	EXPECT_STREQ(buf, "empty file2 x y");
}

TEST(renameat2_exchange_swaps_two_directories)
{
	char a[512], b[512], buf[64];

	ASSERT_OK(syscall(SYS_renameat2, AT_FDCWD, P(a, "rename/x"), AT_FDCWD, P(b, "rename/y"),
			  2 /* RENAME_EXCHANGE */));
	EXPECT_EQ(slurp(P(a, "rename/x/2"), buf, sizeof(buf)), 1);
	EXPECT_EQ(slurp(P(a, "rename/y/1"), buf, sizeof(buf)), 1);
	EXPECT_ERRNO(access(P(a, "rename/x/1"), F_OK), ENOENT);
}

TEST(hard_link_to_an_existing_file_shares_its_data)
{
	char a[512], b[512], buf[64];
	struct stat st;
	int fd;

	ASSERT_OK(link(P(a, "link/file"), P(b, "link/file2")));
	ASSERT_OK(stat(a, &st));
	EXPECT_EQ(st.st_nlink, 2);
	fd = ASSERT_OK(open(b, O_WRONLY | O_APPEND));
	ASSERT_EQ(write(fd, "2", 1), 1);
	close(fd);
	EXPECT_EQ(slurp(a, buf, sizeof(buf)), 2);
	EXPECT_STREQ(buf, "L2");
	ASSERT_OK(unlink(a));
	ASSERT_OK(stat(b, &st));
	EXPECT_EQ(st.st_nlink, 1);
}

TEST(lchown_of_a_symlink_keeps_it_a_symlink)
{
	char p[512], buf[64];
	struct stat st;

	if (geteuid() != 0)
		SKIP("lchown to another owner needs root");
	ASSERT_OK(lchown(P(p, "symlink/link"), 4321, 4322));
	ASSERT_OK(lstat(p, &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	EXPECT_EQ(st.st_uid, 4321);
	EXPECT_EQ(readlink(p, buf, sizeof(buf)), 6);
	EXPECT_EQ(slurp(p, buf, sizeof(buf)), 1);
	EXPECT_STREQ(buf, "T");
}

TEST(readdir_inode_numbers_match_stat_after_changes)
{
	char d[512], p[1024];
	struct dirent *e;
	DIR *dir;
	int n = 0;

	close(ASSERT_OK(open(P(p, "readdir/new"), O_WRONLY | O_CREAT, 0600)));
	ASSERT_OK(chmod(P(p, "readdir/2"), 0600));
	ASSERT_OK(unlink(P(p, "readdir/3")));
	dir = opendir(P(d, "readdir"));
	ASSERT_TRUE(dir != NULL);
	while ((e = readdir(dir))) {
		struct stat st;

		if (!strcmp(e->d_name, "..")) /* the parent: its number is its own business */
			continue;
		snprintf(p, sizeof(p), "%s/%s", d, e->d_name);
		ASSERT_OK(lstat(p, &st));
		EXPECT_EQ(e->d_ino, st.st_ino);
		n++;
	}
	closedir(dir);
	EXPECT_EQ(n, 6); /* ".", 1, 2, 4, 5, new */
}

TEST(shared_mapping_writes_reach_read)
{
	char p[512], buf[16];
	char *m;
	int fd;

	fd = ASSERT_OK(open(P(p, "mmap/file"), O_RDWR));
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	EXPECT_EQ(m[4096], 'a');
	memcpy(m + 4096, "shared", 6);
	ASSERT_EQ(pread(fd, buf, 6, 4096), 6);
	EXPECT_MEMEQ(buf, "shared", 6);
	ASSERT_EQ(pwrite(fd, "PW", 2, 0), 2);
	EXPECT_MEMEQ(m, "PWaa", 4);
	munmap(m, 8192);
	close(fd);
}

TEST(rm_rf_of_a_tree_then_the_same_names_again)
{
	char p[512], buf[64];

	ASSERT_OK(unlink(P(p, "opaque/d/sub/x")));
	ASSERT_OK(rmdir(P(p, "opaque/d/sub")));
	ASSERT_OK(unlink(P(p, "opaque/d/y")));
	ASSERT_OK(rmdir(P(p, "opaque/d")));
	ASSERT_OK(mkdir(p, 0700));
	ASSERT_OK(mkdir(P(p, "opaque/d/sub"), 0700));
	names(p, buf, sizeof(buf));
	EXPECT_STREQ(buf, "");
	names(P(p, "opaque/d"), buf, sizeof(buf));
	EXPECT_STREQ(buf, "sub");
}

TEST(xattrs_survive_a_copy_up_and_can_change)
{
	char p[512], buf[256];
	ssize_t n;

	n = getxattr(P(p, "xattr/file"), "user.origin", buf, sizeof(buf));
	if (n < 0 && (errno == ENOTSUP || errno == ENODATA))
		SKIP("the tree has no user.origin xattr (no python3, or no user xattrs here)");
	ASSERT_EQ(n, 5);
	ASSERT_OK(chmod(p, 0600));
	EXPECT_EQ(getxattr(p, "user.origin", buf, sizeof(buf)), 5);
	EXPECT_MEMEQ(buf, "lower", 5);
	ASSERT_OK(setxattr(p, "user.new", "v", 1, XATTR_CREATE));
	EXPECT_ERRNO(setxattr(p, "user.new", "v", 1, XATTR_CREATE), EEXIST);
	n = ASSERT_OK(listxattr(p, buf, sizeof(buf)));
	EXPECT_TRUE(memmem(buf, (size_t)n, "user.origin", 12) != NULL);
	EXPECT_TRUE(memmem(buf, (size_t)n, "user.new", 9) != NULL);
	ASSERT_OK(removexattr(p, "user.origin"));
	EXPECT_ERRNO(getxattr(p, "user.origin", buf, sizeof(buf)), ENODATA);
	/* an xattr change on a file never written still copies it up whole */
	ASSERT_OK(setxattr(P(p, "xattr/other"), "user.x", "1", 1, 0));
	EXPECT_EQ(slurp(p, buf, sizeof(buf)), 5);
	EXPECT_STREQ(buf, "other");
}
