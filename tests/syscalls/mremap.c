// SPDX-License-Identifier: MIT
/*
 * mremap: growing and shrinking in place, moving (MREMAP_MAYMOVE, MREMAP_FIXED,
 * MREMAP_DONTUNMAP), contents preserved across each, and the errors.
 */
#include <signal.h>

#include "tests/syscalls/sysutil.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static void fill(unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i % 251);
}

static bool filled(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i % 251))
			return false;
	return true;
}

static bool zero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static void touch_read(void *p)
{
	(void)*(volatile char *)p;
}

/* Reserves 2*len of address space and maps only the first len, so it can grow in place. */
static unsigned char *map_with_room(size_t len)
{
	unsigned char *p = mmap(NULL, 2 * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_OK(munmap(p + len, len));
	ASSERT_OK(mprotect(p, len, PROT_READ | PROT_WRITE));
	return p;
}

TEST(grow_in_place_keeps_contents_and_zero_fills)
{
	unsigned char *p = map_with_room(2 * PAGE);
	unsigned char *q;

	fill(p, 2 * PAGE);
	q = mremap(p, 2 * PAGE, 4 * PAGE, 0);
	ASSERT_EQ((uintptr_t)q, (uintptr_t)p);
	EXPECT_TRUE(filled(q, 2 * PAGE));
	EXPECT_TRUE(zero(q + 2 * PAGE, 2 * PAGE));
	q[4 * PAGE - 1] = 1;
	munmap(q, 4 * PAGE);
}

TEST(grow_without_maymove_when_blocked_is_enomem)
{
	unsigned char *p = map_anon(3 * PAGE);

	/* The page after the first is mapped: no room to grow in place. */
	EXPECT_ERRNO(mremap(p, PAGE, 2 * PAGE, 0), ENOMEM);
	munmap(p, 3 * PAGE);
}

TEST(grow_with_maymove_moves_and_keeps_contents)
{
	unsigned char *p = map_anon(3 * PAGE);
	unsigned char *q;

	fill(p, PAGE);
	q = mremap(p, PAGE, 8 * PAGE, MREMAP_MAYMOVE);
	ASSERT_TRUE(q != MAP_FAILED);
	EXPECT_TRUE(filled(q, PAGE));
	EXPECT_TRUE(zero(q + PAGE, 7 * PAGE));
	q[8 * PAGE - 1] = 1;
	munmap(q, 8 * PAGE);
	munmap(p + PAGE, 2 * PAGE);
}

TEST(move_unmaps_the_old_range)
{
	unsigned char *p = map_anon(2 * PAGE);
	unsigned char *q;

	p[0] = 1;
	/* p+PAGE blocks in-place growth, so the first page must move. */
	q = mremap(p, PAGE, 4 * PAGE, MREMAP_MAYMOVE);
	ASSERT_TRUE(q != MAP_FAILED);
	ASSERT_NE((uintptr_t)q, (uintptr_t)p);
	EXPECT_EQ(q[0], 1);
	EXPECT_KILLED_BY(status_of_child(touch_read, p), SIGSEGV);
	munmap(q, 4 * PAGE);
	munmap(p + PAGE, PAGE);
}

TEST(shrink_keeps_the_address_and_unmaps_the_tail)
{
	unsigned char *p = map_anon(4 * PAGE);
	unsigned char *q;

	fill(p, 4 * PAGE);
	q = mremap(p, 4 * PAGE, PAGE, 0);
	ASSERT_EQ((uintptr_t)q, (uintptr_t)p);
	EXPECT_TRUE(filled(q, PAGE));
	EXPECT_KILLED_BY(status_of_child(touch_read, p + 2 * PAGE), SIGSEGV);
	munmap(q, PAGE);
}

TEST(mremap_fixed_moves_to_the_given_address)
{
	unsigned char *p = map_anon(2 * PAGE);
	unsigned char *dst = map_anon(2 * PAGE);
	unsigned char *q;

	fill(p, 2 * PAGE);
	memset(dst, 0xee, 2 * PAGE);
	q = mremap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	ASSERT_EQ((uintptr_t)q, (uintptr_t)dst);
	EXPECT_TRUE(filled(dst, 2 * PAGE));
	EXPECT_KILLED_BY(status_of_child(touch_read, p), SIGSEGV);
	munmap(dst, 2 * PAGE);
}

TEST(mremap_fixed_without_maymove_is_einval)
{
	unsigned char *p = map_anon(PAGE);
	unsigned char *dst = map_anon(PAGE);

	EXPECT_ERRNO(mremap(p, PAGE, PAGE, MREMAP_FIXED, dst), EINVAL);
	/* Overlapping source and destination. */
	EXPECT_ERRNO(mremap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p), EINVAL);
	munmap(p, PAGE);
	munmap(dst, PAGE);
}

TEST(mremap_argument_errors)
{
	unsigned char *p = map_anon(2 * PAGE);

	EXPECT_ERRNO(mremap(p + 1, PAGE, PAGE, 0), EINVAL);
	EXPECT_ERRNO(mremap(p, PAGE, 0, 0), EINVAL);
	EXPECT_ERRNO(mremap(p, PAGE, PAGE, 0x100), EINVAL);
	munmap(p, 2 * PAGE);
}

TEST(mremap_of_an_unmapped_range_is_efault)
{
	void *p = unmapped_page();

	EXPECT_ERRNO(mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT);
}

TEST(mremap_grows_a_private_file_mapping)
{
	char path[256];
	unsigned char buf[2 * PAGE];
	int fd;
	unsigned char *p, *q;

	fill(buf, sizeof(buf));
	fd = tmp_file_with("f", buf, sizeof(buf), path, sizeof(path));
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	q = mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE);
	ASSERT_TRUE(q != MAP_FAILED);
	/* The new page maps the file's next page, not zeros. */
	EXPECT_TRUE(filled(q, 2 * PAGE));
	munmap(q, 2 * PAGE);
	close(fd);
}

TEST(mremap_old_size_zero_duplicates_a_shared_mapping)
{
	unsigned char *p =
		mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned char *q;

	ASSERT_TRUE(p != MAP_FAILED);
	q = mremap(p, 0, PAGE, MREMAP_MAYMOVE);
	ASSERT_TRUE(q != MAP_FAILED);
	ASSERT_NE((uintptr_t)q, (uintptr_t)p);
	p[5] = 55;
	EXPECT_EQ(q[5], 55);
	munmap(p, PAGE);
	munmap(q, PAGE);
}

TEST(mremap_dontunmap_leaves_an_empty_source)
{
	unsigned char *p = map_anon(2 * PAGE);
	unsigned char *q;

	fill(p, 2 * PAGE);
	q = mremap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	ASSERT_TRUE(q != MAP_FAILED);
	ASSERT_NE((uintptr_t)q, (uintptr_t)p);
	EXPECT_TRUE(filled(q, 2 * PAGE));
	/* The old range stays mapped, now empty. */
	EXPECT_TRUE(zero(p, 2 * PAGE));
	EXPECT_ERRNO(mremap(q, PAGE, 2 * PAGE, MREMAP_DONTUNMAP, NULL), EINVAL);
	munmap(p, 2 * PAGE);
	munmap(q, 2 * PAGE);
}
