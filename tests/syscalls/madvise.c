// SPDX-License-Identifier: MIT
/*
 * madvise: MADV_DONTNEED's visible effects (anonymous private memory reads back zero, a
 * private file mapping reverts to the file, shared memory keeps its contents), the advice
 * values that only hint, MADV_DONTFORK, and the errors.
 */
#include <signal.h>

#include "tests/syscalls/sysutil.h"

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

TEST(dontneed_zeroes_anonymous_private_memory)
{
	unsigned char *p = map_anon(4 * PAGE);

	memset(p, 0x99, 4 * PAGE);
	ASSERT_OK(madvise(p + PAGE, 2 * PAGE, MADV_DONTNEED));
	EXPECT_TRUE(all_bytes(p, PAGE, 0x99));
	EXPECT_TRUE(all_bytes(p + PAGE, 2 * PAGE, 0));
	EXPECT_TRUE(all_bytes(p + 3 * PAGE, PAGE, 0x99));
	/* Still mapped and writable. */
	p[PAGE] = 1;
	EXPECT_EQ(p[PAGE], 1);
	munmap(p, 4 * PAGE);
}

TEST(dontneed_reverts_a_private_file_mapping_to_the_file)
{
	char path[256], buf[PAGE];
	int fd;
	unsigned char *p;

	memset(buf, 'F', sizeof(buf));
	fd = tmp_file_with("f", buf, sizeof(buf), path, sizeof(path));
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	memset(p, 'x', PAGE);
	ASSERT_OK(madvise(p, PAGE, MADV_DONTNEED));
	EXPECT_TRUE(all_bytes(p, PAGE, 'F'));
	munmap(p, PAGE);
	close(fd);
}

TEST(dontneed_keeps_shared_memory_contents)
{
	unsigned char *p =
		mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	memset(p, 0x3c, 2 * PAGE);
	ASSERT_OK(madvise(p, 2 * PAGE, MADV_DONTNEED));
	EXPECT_TRUE(all_bytes(p, 2 * PAGE, 0x3c));
	munmap(p, 2 * PAGE);
}

TEST(dontneed_keeps_shared_file_contents)
{
	char path[256], buf[PAGE];
	int fd;
	unsigned char *p;

	memset(buf, 'S', sizeof(buf));
	fd = tmp_file_with("f", buf, sizeof(buf), path, sizeof(path));
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	p[7] = 'w';
	ASSERT_OK(madvise(p, PAGE, MADV_DONTNEED));
	EXPECT_EQ(p[7], 'w');
	EXPECT_EQ(p[8], 'S');
	munmap(p, PAGE);
	close(fd);
}

TEST(hint_advice_values_succeed_and_keep_contents)
{
	static const int advice[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED };
	unsigned char *p = map_anon(2 * PAGE);
	size_t i;

	memset(p, 0x21, 2 * PAGE);
	for (i = 0; i < sizeof(advice) / sizeof(advice[0]); i++)
		EXPECT_OK(madvise(p, 2 * PAGE, advice[i]));
	EXPECT_TRUE(all_bytes(p, 2 * PAGE, 0x21));
	munmap(p, 2 * PAGE);
}

TEST(madv_free_leaves_memory_usable)
{
	unsigned char *p = map_anon(2 * PAGE);

	memset(p, 0x21, 2 * PAGE);
	EXPECT_OK(madvise(p, 2 * PAGE, MADV_FREE));
	/* Contents are now either kept or zero; writing makes them defined again. */
	memset(p, 0x22, 2 * PAGE);
	EXPECT_TRUE(all_bytes(p, 2 * PAGE, 0x22));
	munmap(p, 2 * PAGE);
}

TEST(zero_length_succeeds)
{
	unsigned char *p = map_anon(PAGE);

	EXPECT_OK(madvise(p, 0, MADV_DONTNEED));
	munmap(p, PAGE);
}

TEST(madvise_argument_errors)
{
	unsigned char *p = map_anon(2 * PAGE);

	EXPECT_ERRNO(madvise(p + 1, PAGE, MADV_NORMAL), EINVAL);
	EXPECT_ERRNO(madvise(p, PAGE, 12345), EINVAL);
	ASSERT_OK(munmap(p + PAGE, PAGE));
	EXPECT_ERRNO(madvise(p + PAGE, PAGE, MADV_NORMAL), ENOMEM);
	/* A range that is partly unmapped: the mapped part is advised, ENOMEM reported. */
	EXPECT_ERRNO(madvise(p, 2 * PAGE, MADV_DONTNEED), ENOMEM);
	munmap(p, PAGE);
}

TEST(dontfork_memory_is_absent_in_a_forked_child)
{
	unsigned char *p = map_anon(PAGE);
	unsigned char *q = map_anon(PAGE);

	p[0] = 1;
	q[0] = 1;
	ASSERT_OK(madvise(p, PAGE, MADV_DONTFORK));
	EXPECT_KILLED_BY(status_of_child(touch_read, p), SIGSEGV);
	EXPECT_EXITED_OK(status_of_child(touch_read, q));
	ASSERT_OK(madvise(p, PAGE, MADV_DOFORK));
	EXPECT_EXITED_OK(status_of_child(touch_read, p));
	munmap(p, PAGE);
	munmap(q, PAGE);
}
