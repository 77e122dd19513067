// SPDX-License-Identifier: MIT
/*
 * getdents64 and the legacy getdents: every entry exactly once whatever the buffer size,
 * d_type and d_ino, resuming from d_off, rewinding, and the errors.
 */
#include <dirent.h>
#include <stdlib.h>

#include "tests/syscalls/sysutil.h"

#define NFILES 150

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

struct seen {
	int count[NFILES];
	int dot, dotdot, dir, link, other, total;
	bool bad_type;
	bool bad_ino;
};

static long sys_getdents64(int fd, void *buf, size_t len)
{
	return syscall(SYS_getdents64, fd, buf, len);
}

/* A directory holding f000..f149 (regular), sub/ (directory) and ln (symlink). */
static int make_tree(void)
{
	char p[512];
	int i, fd;

	for (i = 0; i < NFILES; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%03d", i);
		fd = ASSERT_OK(open(tmp_path(p, sizeof(p), name), O_CREAT | O_WRONLY, 0600));
		close(fd);
	}
	ASSERT_OK(mkdir(tmp_path(p, sizeof(p), "sub"), 0700));
	ASSERT_OK(symlink("f000", tmp_path(p, sizeof(p), "ln")));
	return ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY));
}

static void note(struct seen *s, int dfd, const struct linux_dirent64 *d)
{
	struct stat st;

	s->total++;
	if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_ino != d->d_ino &&
	    strcmp(d->d_name, "..") != 0)
		s->bad_ino = true;
	if (!strcmp(d->d_name, ".")) {
		s->dot++;
		s->bad_type |= d->d_type != DT_DIR;
	} else if (!strcmp(d->d_name, "..")) {
		s->dotdot++;
		s->bad_type |= d->d_type != DT_DIR;
	} else if (!strcmp(d->d_name, "sub")) {
		s->dir++;
		s->bad_type |= d->d_type != DT_DIR;
	} else if (!strcmp(d->d_name, "ln")) {
		s->link++;
		s->bad_type |= d->d_type != DT_LNK;
	} else if (d->d_name[0] == 'f' && strlen(d->d_name) == 4) {
		int i = atoi(d->d_name + 1);

		if (i >= 0 && i < NFILES)
			s->count[i]++;
		s->bad_type |= d->d_type != DT_REG;
	} else {
		s->other++;
	}
}

/* Reads the whole directory with buffers of bufsize bytes. */
static void read_all(int dfd, size_t bufsize, struct seen *s)
{
	char *buf = malloc(bufsize);
	long n;

	ASSERT_TRUE(buf != NULL);
	memset(s, 0, sizeof(*s));
	while ((n = sys_getdents64(dfd, buf, bufsize)) > 0) {
		long off = 0;

		while (off < n) {
			struct linux_dirent64 *d = (void *)(buf + off);

			ASSERT_GT(d->d_reclen, 0);
			EXPECT_EQ(d->d_reclen % 8, 0);
			note(s, dfd, d);
			off += d->d_reclen;
		}
		EXPECT_EQ(off, n);
	}
	EXPECT_EQ(n, 0);
	free(buf);
}

static void expect_complete(const struct seen *s)
{
	int i, missing = 0, dup = 0;

	for (i = 0; i < NFILES; i++) {
		missing += s->count[i] == 0;
		dup += s->count[i] > 1;
	}
	EXPECT_EQ(missing, 0);
	EXPECT_EQ(dup, 0);
	EXPECT_EQ(s->dot, 1);
	EXPECT_EQ(s->dotdot, 1);
	EXPECT_EQ(s->dir, 1);
	EXPECT_EQ(s->link, 1);
	EXPECT_EQ(s->other, 0);
	EXPECT_EQ(s->total, NFILES + 4);
	EXPECT_FALSE(s->bad_type);
	EXPECT_FALSE(s->bad_ino);
}

TEST(getdents64_lists_every_entry_once_with_a_big_buffer)
{
	int dfd = make_tree();
	struct seen s;

	read_all(dfd, 65536, &s);
	expect_complete(&s);
	close(dfd);
}

TEST(getdents64_lists_every_entry_once_with_small_buffers)
{
	int dfd = make_tree();
	struct seen s;

	/* 32 bytes holds exactly one entry with a short name. */
	read_all(dfd, 32, &s);
	expect_complete(&s);
	EXPECT_OK(lseek(dfd, 0, SEEK_SET));
	read_all(dfd, 100, &s);
	expect_complete(&s);
	close(dfd);
}

TEST(getdents64_after_rewind_lists_everything_again)
{
	int dfd = make_tree();
	struct seen s;

	read_all(dfd, 4096, &s);
	expect_complete(&s);
	EXPECT_EQ(lseek(dfd, 0, SEEK_SET), 0);
	read_all(dfd, 4096, &s);
	expect_complete(&s);
	close(dfd);
}

TEST(getdents64_resumes_from_d_off)
{
	int dfd = make_tree();
	char buf[4096];
	struct seen before, after;
	long n, off = 0;
	long long resume = -1;
	int k = 0;

	/* Read everything, remember the d_off of the 20th entry, count entries up to it. */
	memset(&before, 0, sizeof(before));
	n = sys_getdents64(dfd, buf, sizeof(buf));
	ASSERT_GT(n, 0);
	while (off < n && k < 20) {
		struct linux_dirent64 *d = (void *)(buf + off);

		note(&before, dfd, d);
		resume = d->d_off;
		off += d->d_reclen;
		k++;
	}
	ASSERT_EQ(k, 20);
	/* Seeking to that d_off yields exactly the entries after it. */
	EXPECT_EQ(lseek(dfd, resume, SEEK_SET), resume);
	read_all(dfd, 4096, &after);
	EXPECT_EQ(before.total + after.total, NFILES + 4);
	for (k = 0; k < NFILES; k++)
		EXPECT_EQ(before.count[k] + after.count[k], 1);
	EXPECT_EQ(before.dot + after.dot, 1);
	EXPECT_EQ(before.dotdot + after.dotdot, 1);
	close(dfd);
}

TEST(getdents64_of_an_empty_directory_has_dot_and_dotdot)
{
	int dfd = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY));
	struct seen s;

	read_all(dfd, 4096, &s);
	EXPECT_EQ(s.dot, 1);
	EXPECT_EQ(s.dotdot, 1);
	EXPECT_EQ(s.total, 2);
	close(dfd);
}

TEST(getdents64_sees_removed_and_created_entries_after_rewind)
{
	char p[512];
	int dfd = make_tree();
	struct seen s;

	ASSERT_OK(unlink(tmp_path(p, sizeof(p), "f007")));
	read_all(dfd, 4096, &s);
	EXPECT_EQ(s.count[7], 0);
	EXPECT_EQ(s.total, NFILES + 3);
	close(ASSERT_OK(open(p, O_CREAT | O_WRONLY, 0600)));
	EXPECT_EQ(lseek(dfd, 0, SEEK_SET), 0);
	read_all(dfd, 4096, &s);
	expect_complete(&s);
	close(dfd);
}

TEST(getdents64_buffer_too_small_for_one_entry_is_einval)
{
	int dfd = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY));
	char buf[64];

	EXPECT_ERRNO(sys_getdents64(dfd, buf, 8), EINVAL);
	EXPECT_ERRNO(sys_getdents64(dfd, buf, 0), EINVAL);
	close(dfd);
}

TEST(getdents64_on_a_file_is_enotdir_and_on_a_bad_fd_ebadf)
{
	char buf[4096];
	int fd = ASSERT_OK(open("/dev/null", O_RDONLY));
	char p[512];
	int rfd;

	EXPECT_ERRNO(sys_getdents64(fd, buf, sizeof(buf)), ENOTDIR);
	close(fd);
	EXPECT_ERRNO(sys_getdents64(-1, buf, sizeof(buf)), EBADF);
	rfd = ASSERT_OK(open(tmp_path(p, sizeof(p), "reg"), O_CREAT | O_RDWR, 0600));
	EXPECT_ERRNO(sys_getdents64(rfd, buf, sizeof(buf)), ENOTDIR);
	close(rfd);
}

TEST(getdents64_on_an_o_path_fd_is_ebadf)
{
	char buf[4096];
	int dfd = ASSERT_OK(open(harness_tmpdir(), O_PATH | O_DIRECTORY));

	EXPECT_ERRNO(sys_getdents64(dfd, buf, sizeof(buf)), EBADF);
	close(dfd);
}

TEST(getdents64_at_end_keeps_returning_zero)
{
	int dfd = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY));
	char buf[4096];

	EXPECT_GT(sys_getdents64(dfd, buf, sizeof(buf)), 0);
	EXPECT_EQ(sys_getdents64(dfd, buf, sizeof(buf)), 0);
	EXPECT_EQ(sys_getdents64(dfd, buf, sizeof(buf)), 0);
	close(dfd);
}

/* The legacy x86-64 getdents: d_type is the last byte of each record. */
struct linux_dirent {
	unsigned long d_ino;
	unsigned long d_off;
	unsigned short d_reclen;
	char d_name[];
};

TEST(legacy_getdents_lists_entries_with_trailing_d_type)
{
	int dfd = make_tree();
	char buf[8192];
	int files = 0, total = 0;
	bool bad_type = false;
	long n;

	while ((n = syscall(SYS_getdents, dfd, buf, sizeof(buf))) > 0) {
		long off = 0;

		while (off < n) {
			struct linux_dirent *d = (void *)(buf + off);
			char type = buf[off + d->d_reclen - 1];

			if (d->d_name[0] == 'f') {
				files++;
				bad_type |= type != DT_REG;
			}
			if (!strcmp(d->d_name, "sub"))
				bad_type |= type != DT_DIR;
			total++;
			off += d->d_reclen;
		}
	}
	EXPECT_EQ(n, 0);
	EXPECT_EQ(files, NFILES);
	EXPECT_EQ(total, NFILES + 4);
	EXPECT_FALSE(bad_type);
	close(dfd);
}

TEST(readdir_through_libc_sees_the_same_entries)
{
	int dfd = make_tree();
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int n = 0;

	ASSERT_TRUE(d != NULL);
	while ((e = readdir(d)) != NULL)
		n++;
	EXPECT_EQ(n, NFILES + 4);
	closedir(d);
}
