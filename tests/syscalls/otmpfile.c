// SPDX-License-Identifier: MIT
/*
 * O_TMPFILE: an unnamed regular file in a directory's filesystem, linkable later with
 * linkat(fd, "", ..., AT_EMPTY_PATH) unless O_EXCL was given; the flag checks.
 */
#include <dirent.h>

#include "tests/syscalls/sysutil.h"

static int open_tmpfile(int extra, mode_t mode)
{
	int fd = open(harness_tmpdir(), O_TMPFILE | extra, mode);

	if (fd < 0 && errno == EOPNOTSUPP)
		SKIP("no O_TMPFILE on %s", harness_tmpdir());
	return fd;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ASSERT_TRUE(d != NULL);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

TEST(an_unnamed_file_reads_and_writes)
{
	mode_t old = umask(022);
	int fd = ASSERT_OK(open_tmpfile(O_RDWR, 0666));
	struct stat st;
	char buf[8];

	umask(old);
	ASSERT_OK(fstat(fd, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0644u);
	EXPECT_EQ(st.st_nlink, 0u);
	EXPECT_EQ(st.st_uid, geteuid());
	EXPECT_EQ(count_entries(harness_tmpdir()), 0);
	ASSERT_EQ(write(fd, "tmpdata", 7), 7);
	ASSERT_EQ(pread(fd, buf, 7, 0), 7);
	EXPECT_MEMEQ(buf, "tmpdata", 7);
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	close(fd);
}

TEST(linkat_with_at_empty_path_names_it_once)
{
	int fd = ASSERT_OK(open_tmpfile(O_WRONLY, 0600));
	struct stat st, named;
	char p[256], q[256];

	ASSERT_EQ(write(fd, "abc", 3), 3);
	tmp_path(p, sizeof(p), "named");
	ASSERT_OK(linkat(fd, "", AT_FDCWD, p, AT_EMPTY_PATH));
	ASSERT_OK(fstat(fd, &st));
	ASSERT_OK(stat(p, &named));
	EXPECT_EQ(st.st_nlink, 1u);
	EXPECT_EQ(named.st_ino, st.st_ino);
	EXPECT_EQ(named.st_size, 3);
	/* a named file links like any other */
	tmp_path(q, sizeof(q), "second");
	EXPECT_OK(linkat(fd, "", AT_FDCWD, q, AT_EMPTY_PATH));
	EXPECT_OK(unlink(q));
	/* once its names are gone again it is an ordinary deleted file */
	ASSERT_OK(unlink(p));
	EXPECT_ERRNO(linkat(fd, "", AT_FDCWD, p, AT_EMPTY_PATH), ENOENT);
	close(fd);
}

TEST(o_excl_forbids_linking)
{
	int fd = ASSERT_OK(open_tmpfile(O_RDWR | O_EXCL, 0600));
	char p[256];

	tmp_path(p, sizeof(p), "never");
	EXPECT_ERRNO(linkat(fd, "", AT_FDCWD, p, AT_EMPTY_PATH), ENOENT);
	close(fd);
}

TEST(a_deleted_ordinary_file_cannot_be_linked_back)
{
	char p[256];
	int fd = tmp_file_with("gone", "x", 1, p, sizeof(p));

	ASSERT_OK(unlink(p));
	EXPECT_ERRNO(linkat(fd, "", AT_FDCWD, p, AT_EMPTY_PATH), ENOENT);
	close(fd);
}

TEST(flag_and_path_errors)
{
	char p[256];
	int fd = tmp_file_with("file", "x", 1, p, sizeof(p));

	/* write access is required */
	EXPECT_ERRNO(open(harness_tmpdir(), O_TMPFILE | O_RDONLY, 0600), EINVAL);
	EXPECT_ERRNO(open(harness_tmpdir(), O_TMPFILE | O_RDWR | O_CREAT, 0600), EINVAL);
	EXPECT_ERRNO(open(p, O_TMPFILE | O_RDWR, 0600), ENOTDIR);
	tmp_path(p, sizeof(p), "missing");
	EXPECT_ERRNO(open(p, O_TMPFILE | O_RDWR, 0600), ENOENT);
	close(fd);
}
