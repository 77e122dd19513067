/*
 * The memory file: one memfd per sandbox that backs all guest memory (anonymous pages,
 * private file copies, tmpfs data). The sentry maps the whole file once and reaches every
 * guest page through that mapping; platforms map ranges of the same file into guests.
 *
 * Pages are allocated in page-granular extents and carry a reference count, so that
 * copy-on-write after fork and tmpfs pages mapped MAP_SHARED are shared, not copied.
 * Offsets are byte offsets into the file, always page aligned.
 *
 * Lock order: memfile.lock is a leaf lock.
 */
#ifndef COMMON_MEMFILE_H
#define COMMON_MEMFILE_H

#include <stddef.h>
#include <stdint.h>

/* Creates the memfd (size bytes of address space, sparse) and maps it. 0 or -errno. */
int memfile_init(uint64_t size);
int memfile_fd(void);
uint64_t memfile_size(void);

/* Allocates npages contiguous zeroed pages, each with refcount 1. 0 or -ENOMEM. */
int memfile_alloc(uint64_t npages, uint64_t *off);
/* Adds / drops one reference on each page of [off, off + npages pages). A page whose
 * count drops to zero is freed and its host memory released. */
void memfile_ref(uint64_t off, uint64_t npages);
void memfile_unref(uint64_t off, uint64_t npages);
uint32_t memfile_refcount(uint64_t off);
/* Pins keep a page alive while the sentry does I/O into it (a reference that is not a
 * sharer): memfile_sharers() = references - pins decides copy-on-write. */
void memfile_pin(uint64_t off);
void memfile_unpin(uint64_t off);
uint32_t memfile_sharers(uint64_t off);

/* The sentry's own pointer to byte off of the file. */
static inline void *memfile_ptr(uint64_t off)
{
	extern uint8_t *memfile_base_;
	return memfile_base_ + off;
}

/* Pages in use (for sysinfo / meminfo and leak checks in tests). */
uint64_t memfile_used_pages(void);

#endif
