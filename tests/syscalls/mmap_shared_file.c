// SPDX-License-Identifier: MIT
/*
 * Shared file mappings stay coherent with read/write: a write() shows in an existing
 * MAP_SHARED mapping, a store through one shows in read() and in every other mapping of
 * the file (another fd, another process), msync and munmap+close leave the data in the
 * file, MAP_PRIVATE mappings copy on write, and a page past a truncated end is SIGBUS.
 *
 * Files live in $MMAP_SHARED_DIR when it is set (CTest points it at a read-write --volume,
 * so the sandbox serves them through the gofer and its page cache), else in the case's
 * tmpdir (tmpfs in the sandbox).
 */
#include <linux/falloc.h>
#include <signal.h>
#include <stdlib.h>

#include "tests/syscalls/sysutil.h"

static char dir[4096];

/* The directory for this case's files: a fresh one under $MMAP_SHARED_DIR (removed by
 * cleanup()) or the harness's tmpdir. */
static const char *test_dir(void)
{
	const char *base = getenv("MMAP_SHARED_DIR");

	if (!base || !*base)
		return harness_tmpdir();
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/mmap_shared.XXXXXX", base);
		ASSERT_TRUE(mkdtemp(dir) != NULL);
	}
	return dir;
}

static void cleanup(void)
{
	if (dir[0])
		harness_rm_rf(dir);
	dir[0] = 0;
}

/* Opens name in the test dir with flags, creating it with npages pages of 'a' + page. */
static int page_file(const char *name, int npages, char *path, size_t len)
{
	unsigned char buf[PAGE];
	int fd;

	snprintf(path, len, "%s/%s", test_dir(), name);
	fd = ASSERT_OK(open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
	for (int i = 0; i < npages; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		ASSERT_EQ(write(fd, buf, sizeof(buf)), (long)sizeof(buf));
	}
	return fd;
}

static char *map_shared(int fd, size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	return p;
}

TEST(write_shows_in_an_existing_shared_mapping)
{
	char path[4200];
	int fd = page_file("w", 2, path, sizeof(path));
	char *p = map_shared(fd, 2 * PAGE);

	EXPECT_EQ(p[0], 'a');
	EXPECT_EQ(p[PAGE], 'b');
	ASSERT_EQ(pwrite(fd, "hello", 5, 100), 5);
	EXPECT_MEMEQ(p + 100, "hello", 5);
	/* across the page boundary, through a write(2) at the file position */
	ASSERT_OK(lseek(fd, PAGE - 2, SEEK_SET));
	ASSERT_EQ(write(fd, "WXYZ", 4), 4);
	EXPECT_MEMEQ(p + PAGE - 2, "WXYZ", 4);
	EXPECT_OK(munmap(p, 2 * PAGE));
	close(fd);
	cleanup();
}

TEST(store_through_a_shared_mapping_shows_in_read)
{
	char path[4200], buf[8] = { 0 };
	int fd = page_file("s", 2, path, sizeof(path)), fd2;
	char *p = map_shared(fd, 2 * PAGE);

	memcpy(p + PAGE + 7, "stored", 6);
	ASSERT_EQ(pread(fd, buf, 6, PAGE + 7), 6);
	EXPECT_MEMEQ(buf, "stored", 6);
	/* another open file of the same inode reads it too */
	fd2 = ASSERT_OK(open(path, O_RDONLY | O_CLOEXEC));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(pread(fd2, buf, 6, PAGE + 7), 6);
	EXPECT_MEMEQ(buf, "stored", 6);
	/* a read over cached and uncached ranges at once */
	{
		char big[3 * PAGE];

		ASSERT_EQ(pread(fd2, big, sizeof(big), 0), (long)(2 * PAGE));
		EXPECT_EQ(big[0], 'a');
		EXPECT_MEMEQ(big + PAGE + 7, "stored", 6);
		EXPECT_EQ(big[2 * PAGE - 1], 'b');
	}
	close(fd2);
	EXPECT_OK(munmap(p, 2 * PAGE));
	close(fd);
	cleanup();
}

TEST(two_mappings_of_one_file_are_coherent)
{
	char path[4200];
	int fd = page_file("two", 1, path, sizeof(path));
	int fd2 = ASSERT_OK(open(path, O_RDWR | O_CLOEXEC));
	char *p = map_shared(fd, PAGE), *q = map_shared(fd2, PAGE);

	ASSERT_TRUE(p != q);
	p[10] = 'X';
	EXPECT_EQ(q[10], 'X');
	q[11] = 'Y';
	EXPECT_EQ(p[11], 'Y');
	EXPECT_OK(munmap(p, PAGE));
	EXPECT_OK(munmap(q, PAGE));
	close(fd);
	close(fd2);
	cleanup();
}

TEST(a_forked_child_stores_to_the_parents_shared_mapping)
{
	char path[4200], buf[5];
	int fd = page_file("fork", 1, path, sizeof(path)), st;
	char *p = map_shared(fd, PAGE);
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0 && errno == ENOSYS)
		SKIP("fork: ENOSYS");
	ASSERT_OK(pid);
	if (pid == 0) {
		memcpy(p + 200, "child", 5);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_MEMEQ(p + 200, "child", 5);
	ASSERT_EQ(pread(fd, buf, 5, 200), 5);
	EXPECT_MEMEQ(buf, "child", 5);
	EXPECT_OK(munmap(p, PAGE));
	close(fd);
	cleanup();
}

TEST(msync_and_munmap_close_leave_the_data_in_the_file)
{
	char path[4200], buf[PAGE];
	int fd = page_file("sync", 2, path, sizeof(path));
	char *p = map_shared(fd, 2 * PAGE);

	memcpy(p, "synced", 6);
	EXPECT_OK(msync(p, 2 * PAGE, MS_SYNC));
	memcpy(p + PAGE, "unmapped", 8);
	EXPECT_OK(msync(p, PAGE, MS_ASYNC));
	EXPECT_OK(munmap(p, 2 * PAGE));
	EXPECT_OK(close(fd));
	fd = ASSERT_OK(open(path, O_RDONLY | O_CLOEXEC));
	ASSERT_EQ(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	EXPECT_MEMEQ(buf, "synced", 6);
	EXPECT_EQ(buf[6], 'a');
	ASSERT_EQ(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	EXPECT_MEMEQ(buf, "unmapped", 8);
	EXPECT_EQ(buf[PAGE - 1], 'b');
	/* stores never change the size */
	{
		struct stat st;

		EXPECT_OK(fstat(fd, &st));
		EXPECT_EQ(st.st_size, (long)(2 * PAGE));
	}
	close(fd);
	cleanup();
}

TEST(a_store_to_the_last_page_past_eof_does_not_grow_the_file)
{
	char path[4200], buf[16];
	int fd, n;
	char *p;

	snprintf(path, sizeof(path), "%s/tail", test_dir());
	fd = ASSERT_OK(open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
	ASSERT_EQ(write(fd, "0123456789", 10), 10);
	p = map_shared(fd, PAGE);
	EXPECT_EQ(p[10], 0);
	p[3] = 'x';
	p[20] = 'z'; /* inside the page, past EOF: never written back */
	EXPECT_OK(munmap(p, PAGE));
	EXPECT_OK(close(fd));
	fd = ASSERT_OK(open(path, O_RDONLY | O_CLOEXEC));
	n = (int)read(fd, buf, sizeof(buf));
	EXPECT_EQ(n, 10);
	EXPECT_MEMEQ(buf, "012x456789", 10);
	close(fd);
	cleanup();
}

TEST(private_mappings_copy_on_write)
{
	char path[4200], buf[4];
	int fd = page_file("priv", 1, path, sizeof(path));
	char *shared = map_shared(fd, PAGE);
	char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	ASSERT_TRUE(priv != MAP_FAILED);
	EXPECT_EQ(priv[0], 'a');
	priv[0] = 'P';
	EXPECT_EQ(shared[0], 'a');
	ASSERT_EQ(pread(fd, buf, 1, 0), 1);
	EXPECT_EQ(buf[0], 'a');
	/* after its copy, the private page no longer follows the file */
	shared[0] = 'S';
	EXPECT_EQ(priv[0], 'P');
	ASSERT_EQ(pwrite(fd, "W", 1, 0), 1);
	EXPECT_EQ(priv[0], 'P');
	EXPECT_EQ(shared[0], 'W');
	EXPECT_OK(munmap(priv, PAGE));
	EXPECT_OK(munmap(shared, PAGE));
	close(fd);
	cleanup();
}

static void touch(void *p)
{
	(void)*(volatile char *)p;
}

TEST(a_page_past_a_truncated_end_is_sigbus)
{
	char path[4200];
	int fd = page_file("trunc", 3, path, sizeof(path));
	char *p = map_shared(fd, 3 * PAGE);

	/* nothing touched yet: every page comes from the file after the truncate */
	ASSERT_OK(ftruncate(fd, PAGE + 100));
	EXPECT_EQ(p[0], 'a');
	EXPECT_EQ(p[PAGE + 99], 'b');
	EXPECT_EQ(p[PAGE + 100], 0); /* the rest of the page holding EOF reads as zeros */
	EXPECT_KILLED_BY(status_of_child(touch, p + 2 * PAGE), SIGBUS);
	/* growing it again brings the page back, zero-filled */
	ASSERT_OK(ftruncate(fd, 3 * PAGE));
	EXPECT_EQ(p[2 * PAGE], 0);
	EXPECT_OK(munmap(p, 3 * PAGE));
	close(fd);
	cleanup();
}

TEST(pages_mapped_before_a_truncate_are_sigbus_after_it)
{
	char path[4200];
	int fd;
	char *p, *priv;

	fd = page_file("trunc_mapped", 3, path, sizeof(path));
	p = map_shared(fd, 3 * PAGE);
	priv = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(priv != MAP_FAILED);
	EXPECT_EQ(p[2 * PAGE], 'c');
	EXPECT_EQ(priv[2 * PAGE], 'c');
	priv[2 * PAGE] = 'P'; /* a private copy: it goes too */
	p[PAGE + 200] = 'x';
	ASSERT_OK(ftruncate(fd, PAGE + 100));
	EXPECT_KILLED_BY(status_of_child(touch, p + 2 * PAGE), SIGBUS);
	EXPECT_KILLED_BY(status_of_child(touch, priv + 2 * PAGE), SIGBUS);
	/* the page holding the new end stays, zeroed past it in every mapping */
	EXPECT_EQ(p[PAGE + 99], 'b');
	EXPECT_EQ(p[PAGE + 200], 0);
	EXPECT_EQ(priv[PAGE + 200], 0);
	EXPECT_OK(munmap(priv, 3 * PAGE));
	EXPECT_OK(munmap(p, 3 * PAGE));
	close(fd);
	cleanup();
}

TEST(shared_writable_mapping_needs_a_read_write_fd)
{
	char path[4200];
	int fd = page_file("ro", 1, path, sizeof(path)), rfd;
	char *p;

	rfd = ASSERT_OK(open(path, O_RDONLY | O_CLOEXEC));
	EXPECT_TRUE(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0) == MAP_FAILED &&
		    errno == EACCES);
	/* read-only shared, then mprotect to writable: refused too */
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, rfd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_ERRNO(mprotect(p, PAGE, PROT_READ | PROT_WRITE), EACCES);
	EXPECT_OK(munmap(p, PAGE));
	/* on a read-write fd, a read-only mapping made writable later writes back */
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(p[0], 'a');
	ASSERT_OK(mprotect(p, PAGE, PROT_READ | PROT_WRITE));
	p[0] = 'M';
	EXPECT_OK(munmap(p, PAGE));
	{
		char c = 0;

		ASSERT_EQ(pread(rfd, &c, 1, 0), 1);
		EXPECT_EQ(c, 'M');
	}
	close(rfd);
	close(fd);
	cleanup();
}

TEST(a_punched_hole_reads_as_zeros_in_a_mapping)
{
	char path[4200], buf[4];
	int fd;
	char *p;

	fd = page_file("punch", 3, path, sizeof(path));
	p = map_shared(fd, 3 * PAGE);

	EXPECT_EQ(p[PAGE], 'b');
	p[PAGE + 1] = 'S'; /* a store the punch discards */
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PAGE, PAGE)) {
		int err = errno;

		munmap(p, 3 * PAGE);
		close(fd);
		cleanup();
		if (err == EOPNOTSUPP)
			SKIP("this filesystem cannot punch holes");
		ASSERT_OK(-1);
	}
	/* the hole as the file sees it, before a fault through the writable mapping
	 * brings a page back (Warden then counts it as data; see README) */
	EXPECT_EQ(lseek(fd, PAGE, SEEK_HOLE), (off_t)PAGE);
	EXPECT_EQ(lseek(fd, PAGE, SEEK_DATA), (off_t)(2 * PAGE));
	EXPECT_EQ(p[PAGE], 0);
	EXPECT_EQ(p[PAGE + 1], 0);
	EXPECT_EQ(p[0], 'a');
	EXPECT_EQ(p[2 * PAGE], 'c');
	ASSERT_EQ(pread(fd, buf, 2, PAGE), 2);
	EXPECT_EQ(buf[0], 0);
	EXPECT_EQ(buf[1], 0);
	EXPECT_OK(munmap(p, 3 * PAGE));
	close(fd);
	cleanup();
}

TEST(a_large_shared_mapping_round_trips)
{
	enum { NPAGES = 512 };
	char path[4200];
	int fd = page_file("large", 0, path, sizeof(path));
	unsigned char *p, buf[PAGE];
	bool ok = true;

	ASSERT_OK(ftruncate(fd, NPAGES * PAGE));
	p = (unsigned char *)map_shared(fd, NPAGES * PAGE);
	for (int i = 0; i < NPAGES; i++)
		memset(p + (size_t)i * PAGE, i & 0xff, PAGE);
	EXPECT_OK(msync(p, NPAGES * PAGE, MS_SYNC));
	EXPECT_OK(munmap(p, NPAGES * PAGE));
	for (int i = 0; i < NPAGES && ok; i++) {
		ASSERT_EQ(pread(fd, buf, PAGE, (off_t)i * PAGE), (long)PAGE);
		for (size_t j = 0; j < PAGE; j++)
			ok = ok && buf[j] == (i & 0xff);
	}
	EXPECT_TRUE(ok);
	close(fd);
	cleanup();
}
