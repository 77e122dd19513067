// SPDX-License-Identifier: MIT
/*
 * brk: the raw syscall's contract (it returns the new break on success and the old one on
 * failure, never -1), zero-filled growth, shrinking, and refusing to grow into a mapping.
 * Each case puts the break back where it found it; no case calls malloc between brk calls.
 */
#include <signal.h>

#include "tests/syscalls/sysutil.h"

static unsigned long sys_brk(unsigned long addr)
{
	return (unsigned long)syscall(SYS_brk, addr);
}

static void touch_read(void *p)
{
	(void)*(volatile char *)p;
}

TEST(brk_zero_returns_the_current_break)
{
	unsigned long cur = sys_brk(0);

	EXPECT_NE(cur, 0);
	EXPECT_EQ(sys_brk(0), cur);
	EXPECT_EQ((unsigned long)sbrk(0), cur);
}

TEST(brk_grows_with_zeroed_writable_memory)
{
	unsigned long cur = sys_brk(0);
	unsigned long base = (cur + PAGE - 1) & ~(PAGE - 1);
	unsigned long want = base + 5 * PAGE + 123;
	unsigned char *p = (unsigned char *)base;
	size_t i;
	bool zero = true;

	/* Only whole new pages are fresh: the rest of the break's page may be old heap. */
	ASSERT_EQ(sys_brk(want), want);
	EXPECT_EQ(sys_brk(0), want);
	for (i = 0; i < 5 * PAGE + 123; i++)
		zero &= p[i] == 0;
	EXPECT_TRUE(zero);
	memset(p, 0xab, 5 * PAGE + 123);
	EXPECT_EQ(p[5 * PAGE + 122], 0xab);
	EXPECT_EQ(sys_brk(cur), cur);
}

TEST(brk_shrink_releases_memory)
{
	unsigned long cur = sys_brk(0);
	unsigned long top = (cur + 8 * PAGE + PAGE - 1) & ~(PAGE - 1);
	unsigned char *probe = (unsigned char *)(top - PAGE);

	ASSERT_EQ(sys_brk(top), top);
	probe[0] = 1;
	ASSERT_EQ(sys_brk(cur), cur);
	EXPECT_KILLED_BY(status_of_child(touch_read, probe), SIGSEGV);
}

TEST(brk_regrow_after_shrink_is_zeroed_again)
{
	unsigned long cur = sys_brk(0);
	unsigned long base = (cur + PAGE - 1) & ~(PAGE - 1);
	unsigned char *p = (unsigned char *)base;

	ASSERT_EQ(sys_brk(base + 4 * PAGE), base + 4 * PAGE);
	memset(p, 0xcd, 4 * PAGE);
	ASSERT_EQ(sys_brk(base), base);
	ASSERT_EQ(sys_brk(base + 4 * PAGE), base + 4 * PAGE);
	EXPECT_EQ(p[0], 0);
	EXPECT_EQ(p[4 * PAGE - 1], 0);
	EXPECT_EQ(sys_brk(cur), cur);
}

TEST(brk_below_the_start_fails_returning_the_old_break)
{
	unsigned long cur = sys_brk(0);

	EXPECT_EQ(sys_brk(0x1000), cur);
	EXPECT_EQ(sys_brk(0), cur);
}

TEST(brk_into_an_existing_mapping_fails_returning_the_old_break)
{
	unsigned long cur = sys_brk(0);
	unsigned long base = (cur + PAGE - 1) & ~(PAGE - 1);
	void *block = (void *)(base + 16 * PAGE);
	void *m = mmap(block, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (m == MAP_FAILED)
		SKIP("could not place a mapping above the break: %s", harness_errname(errno));
	EXPECT_EQ(sys_brk(base + 32 * PAGE), cur);
	EXPECT_EQ(sys_brk(0), cur);
	/* Growing to a page short of the mapping still works. */
	EXPECT_EQ(sys_brk(base + 15 * PAGE), base + 15 * PAGE);
	EXPECT_EQ(sys_brk(cur), cur);
	munmap(m, PAGE);
}

TEST(brk_huge_request_fails_returning_the_old_break)
{
	unsigned long cur = sys_brk(0);

	EXPECT_EQ(sys_brk(cur + (1UL << 47)), cur); /* past the top of user space */
	EXPECT_EQ(sys_brk(0), cur);
}

TEST(brk_is_inherited_by_a_forked_child)
{
	unsigned long cur = sys_brk(0);
	unsigned long top = cur + 2 * PAGE;
	unsigned char *p = (unsigned char *)cur;

	ASSERT_EQ(sys_brk(top), top);
	p[0] = 0x5a;
	EXPECT_EXITED_OK(status_of_child(touch_read, p));
	EXPECT_EQ(sys_brk(cur), cur);
}
