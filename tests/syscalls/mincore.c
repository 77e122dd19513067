// SPDX-License-Identifier: MIT
/*
 * mincore: touched pages of anonymous and file mappings are reported resident, only bit 0
 * is used, and the argument errors. Whether an untouched page is resident is the kernel's
 * business and is not checked.
 */
#include "tests/syscalls/sysutil.h"

TEST(touched_anonymous_pages_are_resident)
{
	unsigned char *p = map_anon(4 * PAGE);
	unsigned char vec[4];
	int i;

	memset(p, 1, 4 * PAGE);
	memset(vec, 0xff, sizeof(vec));
	ASSERT_OK(mincore(p, 4 * PAGE, vec));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(vec[i] & 1, 1);
		EXPECT_EQ(vec[i] & ~1, 0);
	}
	munmap(p, 4 * PAGE);
}

TEST(touched_file_pages_are_resident)
{
	char path[256], buf[2 * PAGE];
	unsigned char vec[2] = { 0, 0 };
	int fd;
	volatile unsigned char *p;

	memset(buf, 'f', sizeof(buf));
	fd = tmp_file_with("f", buf, sizeof(buf), path, sizeof(path));
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(p[0], 'f');
	EXPECT_EQ(p[PAGE], 'f');
	ASSERT_OK(mincore((void *)p, 2 * PAGE, vec));
	EXPECT_EQ(vec[0] & 1, 1);
	EXPECT_EQ(vec[1] & 1, 1);
	munmap((void *)p, 2 * PAGE);
	close(fd);
}

TEST(length_is_rounded_up_to_whole_pages)
{
	unsigned char *p = map_anon(2 * PAGE);
	unsigned char vec[3] = { 0, 0, 0x7e };

	memset(p, 1, 2 * PAGE);
	ASSERT_OK(mincore(p, PAGE + 1, vec));
	EXPECT_EQ(vec[0] & 1, 1);
	EXPECT_EQ(vec[1] & 1, 1);
	EXPECT_EQ(vec[2], 0x7e); /* not written past the page count */
	munmap(p, 2 * PAGE);
}

TEST(zero_length_succeeds)
{
	unsigned char *p = map_anon(PAGE);
	unsigned char vec[1] = { 0x7e };

	EXPECT_OK(mincore(p, 0, vec));
	EXPECT_EQ(vec[0], 0x7e);
	munmap(p, PAGE);
}

TEST(unaligned_address_is_einval)
{
	unsigned char *p = map_anon(PAGE);
	unsigned char vec[2];

	EXPECT_ERRNO(mincore(p + 1, PAGE, vec), EINVAL);
	munmap(p, PAGE);
}

TEST(unmapped_range_is_enomem)
{
	unsigned char *p = map_anon(3 * PAGE);
	unsigned char vec[3];

	ASSERT_OK(munmap(p + PAGE, PAGE));
	EXPECT_ERRNO(mincore(p + PAGE, PAGE, vec), ENOMEM);
	/* A hole in the middle of the range. */
	EXPECT_ERRNO(mincore(p, 3 * PAGE, vec), ENOMEM);
	munmap(p, 3 * PAGE);
}

TEST(bad_vector_pointer_is_efault)
{
	unsigned char *p = map_anon(PAGE);

	p[0] = 1;
	EXPECT_ERRNO(mincore(p, PAGE, (unsigned char *)unmapped_page()), EFAULT);
	munmap(p, PAGE);
}
