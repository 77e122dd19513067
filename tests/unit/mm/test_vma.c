/* Unit tests for the VMA set (sentry/mm/vma.c) and the radix page table. */
#include <sys/mman.h>

#include "sentry/mm/pagetable.h"
#include "sentry/mm/vma.h"
#include "tests/harness/harness.h"

#define P(n) ((uaddr_t)(n)*PAGE_SIZE)

static void add(struct vma_set *s, uaddr_t start, uaddr_t end, int prot)
{
	struct vma v = {
		.start = start, .end = end, .prot = prot, .flags = MAP_PRIVATE | MAP_ANONYMOUS
	};

	ASSERT_EQ(vmas_insert(s, &v), 0);
}

TEST(find_returns_the_containing_vma)
{
	struct vma_set s;

	vmas_init(&s);
	add(&s, P(10), P(20), PROT_READ);
	add(&s, P(30), P(40), PROT_WRITE);
	EXPECT_EQ(vmas_find(&s, P(10)), 0);
	EXPECT_EQ(vmas_find(&s, P(20) - 1), 0);
	EXPECT_EQ(vmas_find(&s, P(20)), -1);
	EXPECT_EQ(vmas_find(&s, P(35)), 1);
	EXPECT_EQ(vmas_find(&s, P(5)), -1);
	EXPECT_EQ(vmas_find(&s, P(40)), -1);
	EXPECT_TRUE(vmas_overlaps(&s, P(15), P(31)));
	EXPECT_FALSE(vmas_overlaps(&s, P(20), P(30)));
	vmas_destroy(&s);
}

TEST(adjacent_equal_anonymous_vmas_merge)
{
	struct vma_set s;

	vmas_init(&s);
	add(&s, P(10), P(20), PROT_READ);
	add(&s, P(30), P(40), PROT_READ);
	add(&s, P(20), P(30), PROT_READ);
	ASSERT_EQ(s.n, 1);
	EXPECT_EQ(s.v[0].start, P(10));
	EXPECT_EQ(s.v[0].end, P(40));
	add(&s, P(40), P(50), PROT_WRITE); /* different prot: no merge */
	EXPECT_EQ(s.n, 2);
	vmas_destroy(&s);
}

TEST(isolate_splits_at_both_ends)
{
	struct vma_set s;

	vmas_init(&s);
	add(&s, P(10), P(20), PROT_READ);
	ASSERT_EQ(vmas_isolate(&s, P(12), P(15)), 0);
	ASSERT_EQ(s.n, 3);
	EXPECT_EQ(s.v[0].end, P(12));
	EXPECT_EQ(s.v[1].start, P(12));
	EXPECT_EQ(s.v[1].end, P(15));
	EXPECT_EQ(s.v[2].start, P(15));
	EXPECT_EQ(s.v[2].end, P(20));
	/* Isolating at existing boundaries changes nothing. */
	ASSERT_EQ(vmas_isolate(&s, P(12), P(15)), 0);
	EXPECT_EQ(s.n, 3);
	s.v[1].prot = PROT_READ;
	vmas_try_merge(&s, 1);
	EXPECT_EQ(s.n, 1);
	vmas_destroy(&s);
}

TEST(remove_takes_a_vma_out)
{
	struct vma_set s;
	struct vma gone;

	vmas_init(&s);
	add(&s, P(10), P(20), PROT_READ);
	add(&s, P(30), P(40), PROT_READ);
	vmas_remove(&s, 0, &gone);
	EXPECT_EQ(gone.start, P(10));
	ASSERT_EQ(s.n, 1);
	EXPECT_EQ(s.v[0].start, P(30));
	vmas_destroy(&s);
}

TEST(gap_search_is_top_down_and_first_fit)
{
	struct vma_set s;

	vmas_init(&s);
	EXPECT_EQ(vmas_find_gap_topdown(&s, P(4), P(0), P(100), 0), P(96));
	add(&s, P(90), P(100), PROT_READ);
	EXPECT_EQ(vmas_find_gap_topdown(&s, P(4), P(0), P(100), 0), P(86));
	add(&s, P(80), P(88), PROT_WRITE);
	/* [88, 90) is too small for 4 pages: the next gap down is below 80. */
	EXPECT_EQ(vmas_find_gap_topdown(&s, P(4), P(0), P(100), 0), P(76));
	EXPECT_EQ(vmas_find_gap_topdown(&s, P(2), P(0), P(100), 0), P(88));
	/* Nothing fits: 0. */
	EXPECT_EQ(vmas_find_gap_topdown(&s, P(200), P(0), P(100), 0), 0);
	/* A VMA straddling the upper limit. */
	EXPECT_EQ(vmas_find_gap_topdown(&s, P(1), P(0), P(95), 0), P(89));
	vmas_destroy(&s);
}

TEST(gap_search_keeps_a_guard_below_stacks)
{
	struct vma_set s;
	struct vma v = { .start = P(90),
			 .end = P(100),
			 .prot = PROT_READ | PROT_WRITE,
			 .flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN };

	vmas_init(&s);
	ASSERT_EQ(vmas_insert(&s, &v), 0);
	EXPECT_EQ(vmas_find_gap_topdown(&s, P(4), P(0), P(100), P(8)), P(78));
	vmas_destroy(&s);
}

TEST(page_table_slots_and_sparse_walk)
{
	struct pagetable pt;
	pte_t *p;

	ASSERT_EQ(pt_init(&pt), 0);
	EXPECT_TRUE(pt_slot(&pt, 0x7f0000000000ULL, false) == NULL);
	p = pt_slot(&pt, 0x7f0000001000ULL, true);
	ASSERT_TRUE(p != NULL);
	*p = 0x5000 | PTE_PRESENT;
	EXPECT_EQ(*pt_slot(&pt, 0x7f0000001000ULL, false), 0x5000 | PTE_PRESENT);
	EXPECT_EQ(*pt_slot(&pt, 0x7f0000002000ULL, false), 0);
	/* The walk skips whole empty subtrees and finds the one used slot. */
	EXPECT_EQ(pt_next_used(&pt, 0x10000, 0x7fffffff0000ULL), 0x7f0000001000ULL);
	EXPECT_EQ(pt_next_used(&pt, 0x7f0000002000ULL, 0x7fffffff0000ULL), 0x7fffffff0000ULL);
	*pt_slot(&pt, 0x400000, true) = 0x6000 | PTE_PRESENT;
	EXPECT_EQ(pt_next_used(&pt, 0, 0x7fffffff0000ULL), 0x400000);
	pt_destroy(&pt);
}
