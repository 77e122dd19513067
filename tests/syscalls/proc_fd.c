// SPDX-License-Identifier: MIT
/*
 * /proc/self/fd and fdinfo: the links' text (paths, "pipe:[ino]", /dev/null, deleted
 * files), reopening through a link (a new open file with its own offset and mode), the
 * listing, O_NOFOLLOW, walking through a directory fd's link, and fdinfo's fields.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>

#include "tests/syscalls/sysutil.h"

static void fd_link(int fd, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = ASSERT_OK(readlink(path, buf, len - 1));
	buf[n] = '\0';
}

TEST(file_link_is_its_path)
{
	char path[256], real[PATH_MAX], link[PATH_MAX];
	int fd = tmp_file_with("f", "hello", 5, path, sizeof(path));

	ASSERT_TRUE(realpath(path, real) != NULL);
	fd_link(fd, link, sizeof(link));
	EXPECT_STREQ(link, real);
	close(fd);
}

TEST(pipe_and_dev_null_links)
{
	char link[128], want[64];
	struct stat st;
	int p[2], null;

	ASSERT_OK(pipe(p));
	ASSERT_OK(fstat(p[0], &st));
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)st.st_ino);
	fd_link(p[0], link, sizeof(link));
	EXPECT_STREQ(link, want);
	fd_link(p[1], link, sizeof(link));
	EXPECT_STREQ(link, want);
	null = ASSERT_OK(open("/dev/null", O_RDONLY));
	fd_link(null, link, sizeof(link));
	EXPECT_STREQ(link, "/dev/null");
	close(null);
	close(p[0]);
	close(p[1]);
}

/* A pipe reopened through its link is the same pipe (`cat /dev/stdin`, bash's <(cmd)):
 * either end, in either mode, without waiting for a partner the way a FIFO open would. */
TEST(reopening_a_pipe_joins_the_same_pipe)
{
	char proc[64], buf[8] = { 0 };
	int p[2], r2, w2;

	ASSERT_OK(pipe(p));
	ASSERT_EQ(write(p[1], "abc", 3), 3);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p[0]);
	r2 = ASSERT_OK(open(proc, O_RDONLY));
	EXPECT_EQ(read(r2, buf, sizeof(buf)), 3);
	EXPECT_STREQ(buf, "abc");
	/* the read end's link opened for writing feeds the same pipe */
	w2 = ASSERT_OK(open(proc, O_WRONLY));
	ASSERT_EQ(write(w2, "de", 2), 2);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 2);
	close(p[1]);
	close(w2);
	/* every writer gone: a reopen for reading does not wait, it reads EOF */
	close(r2);
	r2 = ASSERT_OK(open(proc, O_RDONLY));
	EXPECT_EQ(read(r2, buf, sizeof(buf)), 0);
	close(r2);
	close(p[0]);
}

TEST(reopen_gives_a_new_open_file)
{
	char path[256], proc[64], buf[16] = { 0 };
	struct stat a, b;
	int fd = tmp_file_with("f", NULL, 0, path, sizeof(path));
	int wfd = ASSERT_OK(open(path, O_WRONLY));
	int rfd;

	close(fd);
	ASSERT_EQ(write(wfd, "hello", 5), 5);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", wfd);
	rfd = ASSERT_OK(open(proc, O_RDONLY));
	/* Its own offset (0, not the writer's 5) and its own mode (readable). */
	EXPECT_EQ(read(rfd, buf, sizeof(buf)), 5);
	EXPECT_STREQ(buf, "hello");
	EXPECT_EQ(fcntl(rfd, F_GETFL) & O_ACCMODE, O_RDONLY);
	ASSERT_OK(fstat(wfd, &a));
	ASSERT_OK(fstat(rfd, &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(a.st_dev, b.st_dev);
	EXPECT_ERRNO(open(proc, O_RDONLY | O_NOFOLLOW), ELOOP);
	close(rfd);
	close(wfd);
}

TEST(deleted_file_link)
{
	char path[256], real[PATH_MAX], link[PATH_MAX], want[PATH_MAX + 16], proc[64];
	char buf[8] = { 0 };
	int fd = tmp_file_with("gone", "data", 4, path, sizeof(path));
	int again;

	ASSERT_TRUE(realpath(path, real) != NULL);
	ASSERT_OK(unlink(path));
	fd_link(fd, link, sizeof(link));
	snprintf(want, sizeof(want), "%s (deleted)", real);
	EXPECT_STREQ(link, want);
	/* The link still reaches the file: it is the file, not its old name. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	again = ASSERT_OK(open(proc, O_RDONLY));
	EXPECT_EQ(read(again, buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "data");
	close(again);
	close(fd);
}

TEST(stat_follows_lstat_does_not)
{
	char path[256], proc[64];
	struct stat a, b;
	int fd = tmp_file_with("f", "x", 1, path, sizeof(path));

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ASSERT_OK(lstat(proc, &a));
	EXPECT_TRUE(S_ISLNK(a.st_mode));
	ASSERT_OK(stat(proc, &a));
	ASSERT_OK(fstat(fd, &b));
	EXPECT_TRUE(S_ISREG(a.st_mode));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(a.st_size, 1);
	close(fd);
}

TEST(directory_fd_link_walks_on)
{
	char path[256], proc[128];
	struct stat a, b;
	int fd = tmp_file_with("inner", "x", 1, path, sizeof(path));
	int dfd = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY));

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d/inner", dfd);
	ASSERT_OK(stat(proc, &a));
	ASSERT_OK(fstat(fd, &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	close(dfd);
	close(fd);
}

TEST(listing_follows_the_table)
{
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY));
	int hi = ASSERT_OK(dup2(fd, 200));
	char proc[64];
	bool seen_fd = false, seen_hi = false;
	struct dirent *e;
	DIR *d;

	d = opendir("/proc/self/fd");
	ASSERT_TRUE(d != NULL);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		EXPECT_EQ(e->d_type, DT_LNK);
		seen_fd |= atoi(e->d_name) == fd;
		seen_hi |= atoi(e->d_name) == hi;
	}
	closedir(d);
	EXPECT_TRUE(seen_fd);
	EXPECT_TRUE(seen_hi);
	close(hi);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", hi);
	EXPECT_ERRNO(open(proc, O_RDONLY), ENOENT);
	close(fd);
}

TEST(fdinfo_fields)
{
	char path[256], proc[64], buf[512];
	unsigned long long pos = 99;
	unsigned flags = 0;
	int fd = tmp_file_with("f", "hello", 5, path, sizeof(path));
	int wfd = ASSERT_OK(open(path, O_WRONLY | O_APPEND | O_CLOEXEC));
	int ifd;
	ssize_t n;
	char *p;

	ASSERT_EQ(lseek(fd, 3, SEEK_SET), 3);
	snprintf(proc, sizeof(proc), "/proc/self/fdinfo/%d", fd);
	ifd = ASSERT_OK(open(proc, O_RDONLY));
	n = ASSERT_OK(read(ifd, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	close(ifd);
	EXPECT_EQ(sscanf(buf, "pos:\t%llu\nflags:\t%o", &pos, &flags), 2);
	EXPECT_EQ(pos, 3);
	EXPECT_EQ(flags & O_ACCMODE, O_RDWR);
	p = strstr(buf, "mnt_id:");
	EXPECT_TRUE(p != NULL);
	snprintf(proc, sizeof(proc), "/proc/self/fdinfo/%d", wfd);
	ifd = ASSERT_OK(open(proc, O_RDONLY));
	n = ASSERT_OK(read(ifd, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	close(ifd);
	EXPECT_EQ(sscanf(buf, "pos:\t%llu\nflags:\t%o", &pos, &flags), 2);
	EXPECT_EQ(flags & O_ACCMODE, O_WRONLY);
	EXPECT_TRUE(flags & O_APPEND);
	EXPECT_TRUE(flags & O_CLOEXEC);
	close(wfd);
	close(fd);
}
