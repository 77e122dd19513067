// SPDX-License-Identifier: MIT
/*
 * mmap/munmap/mprotect: anonymous and file mappings, private and shared, MAP_FIXED and
 * MAP_FIXED_NOREPLACE, the argument errors, and the faults an access gets (observed as a
 * forked child's death, so these cases SKIP while fork is missing).
 */
#include <signal.h>

#include "tests/syscalls/sysutil.h"

static const char pattern[] = "warden mmap test pattern";

static bool all_bytes(const unsigned char *p, size_t len, unsigned char v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void touch_read(void *p)
{
	(void)*(volatile char *)p;
}

static void touch_write(void *p)
{
	*(volatile char *)p = 1;
}

/* A file of npages pages, page i filled with byte 'a' + i. */
static int page_file(int npages)
{
	char path[256];
	unsigned char buf[PAGE];
	int fd = tmp_file_with("pages", NULL, 0, path, sizeof(path));
	int i;

	for (i = 0; i < npages; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		ASSERT_EQ(write(fd, buf, sizeof(buf)), (long)sizeof(buf));
	}
	return fd;
}

TEST(anonymous_private_mapping_is_zeroed_and_writable)
{
	unsigned char *p =
		mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ((uintptr_t)p % PAGE, 0);
	EXPECT_TRUE(all_bytes(p, 4 * PAGE, 0));
	memset(p, 0x5a, 4 * PAGE);
	EXPECT_TRUE(all_bytes(p, 4 * PAGE, 0x5a));
	EXPECT_OK(munmap(p, 4 * PAGE));
}

TEST(length_is_rounded_up_to_a_page)
{
	unsigned char *p =
		mmap(NULL, 10, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	p[PAGE - 1] = 7; /* the rest of the page is mapped too */
	EXPECT_EQ(p[PAGE - 1], 7);
	EXPECT_OK(munmap(p, 10));
}

TEST(large_anonymous_mapping_touched_sparsely)
{
	size_t len = 256UL << 20, off;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	for (off = 0; off < len; off += 16UL << 20)
		p[off] = (unsigned char)(off >> 20);
	for (off = 0; off < len; off += 16UL << 20)
		EXPECT_EQ(p[off], (unsigned char)(off >> 20));
	EXPECT_OK(munmap(p, len));
}

TEST(mmap_argument_errors)
{
	EXPECT_ERRNO(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	EXPECT_ERRNO(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	EXPECT_ERRNO(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0),
		     EINVAL);
	EXPECT_ERRNO(mmap((void *)(0x10000000 + 1), PAGE, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		     EINVAL);
	EXPECT_ERRNO(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
	EXPECT_ERRNO(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 1000000, 0), EBADF);
	EXPECT_ERRNO(mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		     ENOMEM);
	EXPECT_ERRNO(mmap(NULL, (size_t)-1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
}

TEST(file_mapping_with_unaligned_offset_is_einval)
{
	int fd = page_file(2);

	EXPECT_ERRNO(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL);
	close(fd);
}

TEST(private_file_mapping_shows_the_file_and_keeps_writes_private)
{
	int fd = page_file(3);
	unsigned char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	unsigned char c;

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_TRUE(all_bytes(p, PAGE, 'a'));
	EXPECT_TRUE(all_bytes(p + PAGE, PAGE, 'b'));
	EXPECT_TRUE(all_bytes(p + 2 * PAGE, PAGE, 'c'));
	p[PAGE] = 'X';
	EXPECT_EQ(pread(fd, &c, 1, PAGE), 1);
	EXPECT_EQ(c, 'b');
	EXPECT_OK(munmap(p, 3 * PAGE));
	close(fd);
}

TEST(file_mapping_at_a_page_offset)
{
	int fd = page_file(3);
	unsigned char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_TRUE(all_bytes(p, PAGE, 'c'));
	EXPECT_OK(munmap(p, PAGE));
	close(fd);
}

TEST(shared_file_mapping_is_coherent_with_read_and_write)
{
	int fd = page_file(2);
	unsigned char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	unsigned char c = 0;

	ASSERT_TRUE(p != MAP_FAILED);
	p[10] = 'M';
	EXPECT_EQ(pread(fd, &c, 1, 10), 1);
	EXPECT_EQ(c, 'M');
	EXPECT_EQ(pwrite(fd, "W", 1, PAGE + 5), 1);
	EXPECT_EQ(p[PAGE + 5], 'W');
	EXPECT_OK(msync(p, 2 * PAGE, MS_SYNC));
	EXPECT_OK(munmap(p, 2 * PAGE));
	close(fd);
}

TEST(two_shared_mappings_of_a_file_see_each_other)
{
	int fd = page_file(1);
	unsigned char *a = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	unsigned char *b = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);

	ASSERT_TRUE(a != MAP_FAILED && b != MAP_FAILED);
	EXPECT_NE((uintptr_t)a, (uintptr_t)b);
	a[100] = 'Q';
	EXPECT_EQ(b[100], 'Q');
	munmap(a, PAGE);
	munmap(b, PAGE);
	close(fd);
}

TEST(shared_writable_mapping_of_a_read_only_fd_is_eacces)
{
	char path[256];
	int fd = tmp_file_with("f", pattern, sizeof(pattern), path, sizeof(path));
	int ro = ASSERT_OK(open(path, O_RDONLY));
	void *p;

	EXPECT_ERRNO(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
	/* A private writable mapping of the same fd is fine. */
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	EXPECT_TRUE(p != MAP_FAILED);
	munmap(p, PAGE);
	close(ro);
	close(fd);
}

TEST(mapping_a_write_only_fd_is_eacces)
{
	char path[256];
	int fd = tmp_file_with("f", pattern, sizeof(pattern), path, sizeof(path));
	int wo = ASSERT_OK(open(path, O_WRONLY));

	EXPECT_ERRNO(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
	close(wo);
	close(fd);
}

TEST(mapping_a_directory_is_enodev)
{
	int dfd = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY));

	EXPECT_ERRNO(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dfd, 0), ENODEV);
	close(dfd);
}

TEST(tail_of_the_last_file_page_reads_as_zero)
{
	char path[256];
	int fd = tmp_file_with("f", pattern, sizeof(pattern), path, sizeof(path));
	unsigned char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_MEMEQ(p, pattern, sizeof(pattern));
	EXPECT_TRUE(all_bytes(p + sizeof(pattern), PAGE - sizeof(pattern), 0));
	munmap(p, PAGE);
	close(fd);
}

TEST(access_beyond_the_end_of_the_file_is_sigbus)
{
	char path[256];
	int fd = tmp_file_with("f", pattern, sizeof(pattern), path, sizeof(path));
	unsigned char *p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EXITED_OK(status_of_child(touch_read, p));
	EXPECT_KILLED_BY(status_of_child(touch_read, p + PAGE), SIGBUS);
	munmap(p, 2 * PAGE);
	close(fd);
}

TEST(dev_zero_private_mapping_is_zeroed)
{
	int fd = ASSERT_OK(open("/dev/zero", O_RDWR));
	unsigned char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_TRUE(all_bytes(p, 2 * PAGE, 0));
	p[0] = 1;
	munmap(p, 2 * PAGE);
	close(fd);
}

TEST(map_fixed_replaces_an_existing_mapping)
{
	unsigned char *p = map_anon(3 * PAGE);
	unsigned char *q;

	memset(p, 0x11, 3 * PAGE);
	q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	ASSERT_EQ((uintptr_t)q, (uintptr_t)(p + PAGE));
	EXPECT_TRUE(all_bytes(p, PAGE, 0x11));
	EXPECT_TRUE(all_bytes(p + PAGE, PAGE, 0));
	EXPECT_TRUE(all_bytes(p + 2 * PAGE, PAGE, 0x11));
	munmap(p, 3 * PAGE);
}

TEST(map_fixed_noreplace_over_a_mapping_is_eexist)
{
	unsigned char *p = map_anon(2 * PAGE);
	unsigned char *q;

	p[0] = 42;
	EXPECT_ERRNO(
		mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
		EEXIST);
	/* Partial overlap counts too. */
	EXPECT_ERRNO(mmap(p + PAGE, 2 * PAGE, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
		     EEXIST);
	EXPECT_EQ(p[0], 42);
	ASSERT_OK(munmap(p + PAGE, PAGE));
	q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	EXPECT_EQ((uintptr_t)q, (uintptr_t)(p + PAGE));
	munmap(p, 2 * PAGE);
}

TEST(hint_address_is_used_when_free)
{
	unsigned char *p = map_anon(PAGE);
	unsigned char *q;

	ASSERT_OK(munmap(p, PAGE));
	q = mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(q != MAP_FAILED);
	EXPECT_EQ((uintptr_t)q, (uintptr_t)p);
	munmap(q, PAGE);
}

TEST(munmap_argument_errors_and_unmapped_range)
{
	unsigned char *p = map_anon(PAGE);

	EXPECT_ERRNO(munmap(p + 1, PAGE), EINVAL);
	EXPECT_ERRNO(munmap(p, 0), EINVAL);
	EXPECT_OK(munmap(p, PAGE));
	EXPECT_OK(munmap(p, PAGE)); /* nothing there any more: still fine */
}

TEST(access_after_munmap_is_sigsegv)
{
	unsigned char *p = map_anon(PAGE);

	p[0] = 1;
	ASSERT_OK(munmap(p, PAGE));
	EXPECT_KILLED_BY(status_of_child(touch_read, p), SIGSEGV);
}

TEST(munmap_of_the_middle_splits_the_mapping)
{
	unsigned char *p = map_anon(3 * PAGE);

	memset(p, 0x33, 3 * PAGE);
	ASSERT_OK(munmap(p + PAGE, PAGE));
	EXPECT_EQ(p[0], 0x33);
	EXPECT_EQ(p[2 * PAGE], 0x33);
	EXPECT_KILLED_BY(status_of_child(touch_read, p + PAGE), SIGSEGV);
	munmap(p, 3 * PAGE);
}

TEST(write_to_a_read_only_mapping_is_sigsegv)
{
	unsigned char *p = map_anon(PAGE);

	p[0] = 9;
	ASSERT_OK(mprotect(p, PAGE, PROT_READ));
	EXPECT_EQ(p[0], 9);
	EXPECT_EXITED_OK(status_of_child(touch_read, p));
	EXPECT_KILLED_BY(status_of_child(touch_write, p), SIGSEGV);
	munmap(p, PAGE);
}

TEST(read_of_a_prot_none_mapping_is_sigsegv)
{
	unsigned char *p = map_anon(PAGE);

	ASSERT_OK(mprotect(p, PAGE, PROT_NONE));
	EXPECT_KILLED_BY(status_of_child(touch_read, p), SIGSEGV);
	munmap(p, PAGE);
}

TEST(mprotect_back_to_read_write_keeps_contents)
{
	unsigned char *p = map_anon(2 * PAGE);

	memset(p, 0x77, 2 * PAGE);
	ASSERT_OK(mprotect(p, 2 * PAGE, PROT_NONE));
	ASSERT_OK(mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE));
	EXPECT_TRUE(all_bytes(p, 2 * PAGE, 0x77));
	p[PAGE] = 1;
	munmap(p, 2 * PAGE);
}

TEST(mprotect_of_part_of_a_mapping)
{
	unsigned char *p = map_anon(3 * PAGE);

	ASSERT_OK(mprotect(p + PAGE, PAGE, PROT_READ));
	p[0] = 1;
	p[2 * PAGE] = 1;
	EXPECT_KILLED_BY(status_of_child(touch_write, p + PAGE), SIGSEGV);
	munmap(p, 3 * PAGE);
}

TEST(mprotect_argument_errors)
{
	unsigned char *p = map_anon(PAGE);

	EXPECT_ERRNO(mprotect(p + 1, PAGE, PROT_READ), EINVAL);
	EXPECT_ERRNO(mprotect(p, PAGE, 0x100), EINVAL);
	ASSERT_OK(munmap(p, PAGE));
	EXPECT_ERRNO(mprotect(p, PAGE, PROT_READ), ENOMEM);
}

TEST(mprotect_write_on_a_read_only_shared_file_mapping_is_eacces)
{
	char path[256];
	int fd = tmp_file_with("f", pattern, sizeof(pattern), path, sizeof(path));
	int ro = ASSERT_OK(open(path, O_RDONLY));
	void *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_ERRNO(mprotect(p, PAGE, PROT_READ | PROT_WRITE), EACCES);
	munmap(p, PAGE);
	close(ro);
	close(fd);
}

static void write_pattern(void *p)
{
	memcpy(p, pattern, sizeof(pattern));
}

TEST(shared_anonymous_mapping_is_shared_with_a_forked_child)
{
	unsigned char *p =
		mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EXITED_OK(status_of_child(write_pattern, p));
	EXPECT_MEMEQ(p, pattern, sizeof(pattern));
	munmap(p, PAGE);
}

TEST(private_mapping_is_copied_on_write_after_fork)
{
	unsigned char *p = map_anon(PAGE);

	memset(p, 0x42, PAGE);
	EXPECT_EXITED_OK(status_of_child(write_pattern, p));
	EXPECT_TRUE(all_bytes(p, PAGE, 0x42));
	munmap(p, PAGE);
}

TEST(map_populate_and_map_noreserve_are_accepted)
{
	unsigned char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_NORESERVE, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_TRUE(all_bytes(p, 4 * PAGE, 0));
	munmap(p, 4 * PAGE);
}
