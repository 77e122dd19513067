/* The memory file allocator: a bump pointer plus a sorted list of free extents. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/bug.h"
#include "common/memfile.h"
#include "common/util.h"

struct extent {
	uint64_t start; /* page number */
	uint64_t len; /* pages */
};

uint8_t *memfile_base_;
static int mf_fd = -1;
static uint64_t mf_pages; /* capacity */
static uint64_t mf_bump; /* first never-allocated page */
static uint64_t mf_used;
static uint32_t *mf_refs; /* per-page reference counts, lazily backed anonymous memory */
static uint32_t *mf_pins; /* per-page pin counts (a subset of the references) */
static struct extent *mf_free;
static size_t mf_nfree, mf_capfree;
static pthread_mutex_t mf_lock = PTHREAD_MUTEX_INITIALIZER;

int memfile_init(uint64_t size)
{
	size = PAGE_ALIGN_UP(size);
	mf_fd = memfd_create("warden-memory", MFD_CLOEXEC);
	if (mf_fd < 0)
		return -errno;
	if (ftruncate(mf_fd, (off_t)size) < 0)
		goto out_errno;
	memfile_base_ =
		mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, mf_fd, 0);
	if (memfile_base_ == MAP_FAILED)
		goto out_errno;
	mf_pages = size >> PAGE_SHIFT;
	mf_refs = mmap(NULL, mf_pages * sizeof(uint32_t), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mf_refs == MAP_FAILED) {
		munmap(memfile_base_, size);
		goto out_errno;
	}
	mf_pins = mmap(NULL, mf_pages * sizeof(uint32_t), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mf_pins == MAP_FAILED) {
		munmap(mf_refs, mf_pages * sizeof(uint32_t));
		munmap(memfile_base_, size);
		goto out_errno;
	}
	/* Page 0 is never handed out, so offset 0 can mean "no page" in page tables. */
	mf_bump = 1;
	return 0;
out_errno : {
	int err = errno;

	close(mf_fd);
	mf_fd = -1;
	return -err;
}
}

int memfile_fd(void)
{
	return mf_fd;
}

uint64_t memfile_size(void)
{
	return mf_pages << PAGE_SHIFT;
}

uint64_t memfile_used_pages(void)
{
	return __atomic_load_n(&mf_used, __ATOMIC_RELAXED);
}

static int free_insert(uint64_t start, uint64_t len)
{
	size_t lo = 0, hi = mf_nfree;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (mf_free[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Coalesce with the neighbours where they touch. */
	if (lo > 0 && mf_free[lo - 1].start + mf_free[lo - 1].len == start) {
		mf_free[lo - 1].len += len;
		if (lo < mf_nfree && start + len == mf_free[lo].start) {
			mf_free[lo - 1].len += mf_free[lo].len;
			memmove(&mf_free[lo], &mf_free[lo + 1],
				(mf_nfree - lo - 1) * sizeof(*mf_free));
			mf_nfree--;
		}
		return 0;
	}
	if (lo < mf_nfree && start + len == mf_free[lo].start) {
		mf_free[lo].start = start;
		mf_free[lo].len += len;
		return 0;
	}
	if (mf_nfree == mf_capfree) {
		size_t cap = mf_capfree ? mf_capfree * 2 : 256;
		struct extent *n = realloc(mf_free, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		mf_free = n;
		mf_capfree = cap;
	}
	memmove(&mf_free[lo + 1], &mf_free[lo], (mf_nfree - lo) * sizeof(*mf_free));
	mf_free[lo].start = start;
	mf_free[lo].len = len;
	mf_nfree++;
	return 0;
}

int memfile_alloc(uint64_t npages, uint64_t *off)
{
	uint64_t start = 0;
	size_t i;

	if (npages == 0)
		return -EINVAL;
	pthread_mutex_lock(&mf_lock);
	for (i = 0; i < mf_nfree; i++) {
		if (mf_free[i].len >= npages) {
			start = mf_free[i].start;
			mf_free[i].start += npages;
			mf_free[i].len -= npages;
			if (!mf_free[i].len) {
				memmove(&mf_free[i], &mf_free[i + 1],
					(mf_nfree - i - 1) * sizeof(*mf_free));
				mf_nfree--;
			}
			break;
		}
	}
	if (!start) {
		if (mf_bump + npages > mf_pages) {
			pthread_mutex_unlock(&mf_lock);
			return -ENOMEM;
		}
		start = mf_bump;
		mf_bump += npages;
	}
	for (uint64_t p = start; p < start + npages; p++)
		mf_refs[p] = 1;
	mf_used += npages;
	pthread_mutex_unlock(&mf_lock);
	*off = start << PAGE_SHIFT;
	return 0;
}

void memfile_ref(uint64_t off, uint64_t npages)
{
	uint64_t p = off >> PAGE_SHIFT;

	BUG_ON(p == 0 || p + npages > mf_pages);
	for (uint64_t i = 0; i < npages; i++) {
		uint32_t old = __atomic_fetch_add(&mf_refs[p + i], 1, __ATOMIC_RELAXED);

		BUG_ON(old == 0);
	}
}

uint32_t memfile_refcount(uint64_t off)
{
	return __atomic_load_n(&mf_refs[off >> PAGE_SHIFT], __ATOMIC_RELAXED);
}

void memfile_pin(uint64_t off)
{
	__atomic_fetch_add(&mf_pins[off >> PAGE_SHIFT], 1, __ATOMIC_RELAXED);
	memfile_ref(off, 1);
}

void memfile_unpin(uint64_t off)
{
	uint32_t old = __atomic_fetch_sub(&mf_pins[off >> PAGE_SHIFT], 1, __ATOMIC_RELAXED);

	BUG_ON(old == 0);
	memfile_unref(off, 1);
}

uint32_t memfile_sharers(uint64_t off)
{
	uint64_t p = off >> PAGE_SHIFT;

	return __atomic_load_n(&mf_refs[p], __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&mf_pins[p], __ATOMIC_ACQUIRE);
}

/* Releases a run of freed pages: host memory back to the host, pages back to the list. */
static void release_run(uint64_t start, uint64_t len)
{
	/* Freed pages must read as zero when reused; punching the hole does both. */
	fallocate(mf_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(start << PAGE_SHIFT),
		  (off_t)(len << PAGE_SHIFT));
	pthread_mutex_lock(&mf_lock);
	if (free_insert(start, len) < 0)
		PANIC("memfile: out of memory for the free list");
	mf_used -= len;
	pthread_mutex_unlock(&mf_lock);
}

void memfile_unref(uint64_t off, uint64_t npages)
{
	uint64_t p = off >> PAGE_SHIFT, run = 0, run_start = 0;

	BUG_ON(p == 0 || p + npages > mf_pages);
	for (uint64_t i = 0; i < npages; i++) {
		uint32_t old = __atomic_fetch_sub(&mf_refs[p + i], 1, __ATOMIC_ACQ_REL);

		BUG_ON(old == 0);
		if (old == 1) {
			if (run && run_start + run == p + i) {
				run++;
				continue;
			}
			if (run)
				release_run(run_start, run);
			run_start = p + i;
			run = 1;
		}
	}
	if (run)
		release_run(run_start, run);
}
