/* The goferfs page cache over a plain host file: fill, sharing, read/write coherence,
 * writeback, truncate, revalidation and the bound on clean unmapped pages. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/memfile.h"
#include "common/util.h"
#include "fs/gofer/pagecache.h"
#include "tests/harness/harness.h"

static const struct timespec t0 = { 1, 0 };

/* A host file of npages pages, page i filled with 'a' + i (mod 26). */
static int host_file(int npages)
{
	static bool memfile_ready;
	char path[256], buf[PAGE_SIZE];
	int fd;

	if (!memfile_ready) {
		ASSERT_EQ(memfile_init(1ULL << 30), 0);
		memfile_ready = true;
	}
	snprintf(path, sizeof(path), "%s/f", harness_tmpdir());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_TRUE(fd >= 0);
	for (int i = 0; i < npages; i++) {
		memset(buf, 'a' + i % 26, sizeof(buf));
		ASSERT_EQ(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	}
	return fd;
}

TEST(pages_come_from_the_host_and_are_shared)
{
	int fd = host_file(2);
	struct pcache *pc = pcache_new(&t0, 2 * PAGE_SIZE);
	uint64_t a, b;

	ASSERT_EQ(pcache_get_page(pc, fd, 1, 2 * PAGE_SIZE, false, fd, &a), 0);
	ASSERT_EQ(pcache_get_page(pc, fd, 1, 2 * PAGE_SIZE, false, fd, &b), 0);
	EXPECT_EQ(a, b);
	EXPECT_EQ(((char *)memfile_ptr(a))[0], 'b');
	EXPECT_EQ(memfile_refcount(a), 3); /* the cache and two page tables */
	EXPECT_EQ(pcache_get_page(pc, fd, 2, 2 * PAGE_SIZE, false, fd, &b), -ENXIO);
	EXPECT_EQ(pcache_pages(pc), 1);
	memfile_unref(a, 1);
	memfile_unref(a, 1); /* both lookups' references */
	pcache_free(pc);
	close(fd);
}

TEST(read_takes_cached_pages_and_update_feeds_them)
{
	int fd = host_file(3);
	struct pcache *pc = pcache_new(&t0, 3 * PAGE_SIZE);
	char buf[3 * PAGE_SIZE];
	struct iovec iov = { buf, sizeof(buf) };
	uint64_t off;

	ASSERT_EQ(pcache_get_page(pc, fd, 1, 3 * PAGE_SIZE, true, fd, &off), 0);
	memcpy(memfile_ptr(off), "STORE", 5); /* a store through a mapping */
	ASSERT_EQ(pcache_read(pc, fd, &iov, 1, 0), (ssize_t)sizeof(buf));
	EXPECT_EQ(buf[0], 'a');
	EXPECT_EQ(memcmp(buf + PAGE_SIZE, "STORE", 5), 0);
	EXPECT_EQ(buf[PAGE_SIZE + 5], 'b');
	EXPECT_EQ(buf[2 * PAGE_SIZE], 'c');
	/* a write that went to the host lands in the cached page too */
	iov = (struct iovec){ "written", 7 };
	ASSERT_EQ(pwrite(fd, "written", 7, PAGE_SIZE - 3), 7);
	pcache_update(pc, &iov, 1, PAGE_SIZE - 3, 7);
	EXPECT_EQ(memcmp(memfile_ptr(off), "tten", 4), 0);
	memfile_unref(off, 1);
	ASSERT_EQ(pcache_writeback(pc, 3 * PAGE_SIZE), 0);
	pcache_free(pc);
	close(fd);
}

TEST(writeback_writes_maybe_dirty_pages_up_to_the_size)
{
	int fd = host_file(1);
	int64_t size = 100;
	struct pcache *pc = pcache_new(&t0, size);
	char buf[PAGE_SIZE];
	uint64_t off;

	ASSERT_EQ(ftruncate(fd, size), 0);
	ASSERT_EQ(pcache_get_page(pc, fd, 0, size, true, fd, &off), 0);
	memcpy(memfile_ptr(off), "dirty", 5);
	((char *)memfile_ptr(off))[200] = 'x'; /* past EOF: stays in memory */
	ASSERT_EQ(pcache_writeback(pc, size), 0);
	ASSERT_EQ(pread(fd, buf, sizeof(buf), 0), size);
	EXPECT_EQ(memcmp(buf, "dirty", 5), 0);
	/* still mapped: still maybe dirty, so a later store is written back too */
	memcpy(memfile_ptr(off), "again", 5);
	memfile_unref(off, 1);
	ASSERT_EQ(pcache_writeback(pc, size), 0);
	ASSERT_EQ(pread(fd, buf, 5, 0), 5);
	EXPECT_EQ(memcmp(buf, "again", 5), 0);
	pcache_free(pc);
	close(fd);
}

TEST(truncate_drops_pages_and_zeroes_the_tail)
{
	int fd = host_file(3);
	struct pcache *pc = pcache_new(&t0, 3 * PAGE_SIZE);
	uint64_t o1, o2;

	ASSERT_EQ(pcache_get_page(pc, fd, 1, 3 * PAGE_SIZE, false, fd, &o1), 0);
	ASSERT_EQ(pcache_get_page(pc, fd, 2, 3 * PAGE_SIZE, false, fd, &o2), 0);
	memfile_unref(o2, 1);
	pcache_truncate(pc, PAGE_SIZE + 10);
	EXPECT_EQ(pcache_pages(pc), 1);
	EXPECT_EQ(((char *)memfile_ptr(o1))[9], 'b');
	EXPECT_EQ(((char *)memfile_ptr(o1))[10], 0);
	memfile_unref(o1, 1);
	pcache_free(pc);
	close(fd);
}

TEST(revalidate_drops_clean_unmapped_pages_of_a_changed_file)
{
	int fd = host_file(2);
	struct pcache *pc = pcache_new(&t0, 2 * PAGE_SIZE);
	struct timespec t1 = { 2, 0 };
	uint64_t held, loose;

	ASSERT_EQ(pcache_get_page(pc, fd, 0, 2 * PAGE_SIZE, false, fd, &held), 0);
	ASSERT_EQ(pcache_get_page(pc, fd, 1, 2 * PAGE_SIZE, false, fd, &loose), 0);
	memfile_unref(loose, 1);
	pcache_revalidate(pc, &t0, 2 * PAGE_SIZE); /* unchanged: keeps both */
	EXPECT_EQ(pcache_pages(pc), 2);
	pcache_revalidate(pc, &t1, 2 * PAGE_SIZE);
	EXPECT_EQ(pcache_pages(pc), 1); /* the mapped page stays */
	memfile_unref(held, 1);
	pcache_free(pc);
	close(fd);
}

TEST_TIMEOUT(clean_unmapped_pages_are_bounded, 60)
{
	const uint64_t n = PCACHE_SOFT_LIMIT_PAGES + PCACHE_SOFT_LIMIT_PAGES / 2;
	int fd = host_file(0);
	int64_t size = (int64_t)(n * PAGE_SIZE);
	struct pcache *pc = pcache_new(&t0, size);
	uint64_t held[8], off, base = pcache_total_pages();

	ASSERT_EQ(ftruncate(fd, size), 0); /* sparse: pages fill with zeros */
	for (int i = 0; i < 8; i++)
		ASSERT_EQ(pcache_get_page(pc, fd, (uint64_t)i, size, false, fd, &held[i]), 0);
	for (uint64_t i = 8; i < n; i++) {
		ASSERT_EQ(pcache_get_page(pc, fd, i, size, false, fd, &off), 0);
		memfile_unref(off, 1); /* unmapped again at once */
	}
	EXPECT_TRUE(pcache_total_pages() - base <=
		    PCACHE_SOFT_LIMIT_PAGES + PCACHE_SOFT_LIMIT_PAGES / 8 + 1);
	/* pages a page table holds were never evicted: the same page comes back */
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(pcache_get_page(pc, fd, (uint64_t)i, size, false, fd, &off), 0);
		EXPECT_EQ(off, held[i]);
		memfile_unref(off, 1); /* this lookup's reference */
		memfile_unref(off, 1); /* the first one's */
	}
	pcache_free(pc);
	EXPECT_EQ(pcache_total_pages(), base);
	close(fd);
}
