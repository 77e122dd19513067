/*
 * The page cache of a goferfs regular file: memory-file pages holding the file's data,
 * filled from a donated host fd on first use and shared by every mapping of the inode, so
 * that MAP_SHARED mappings, MAP_PRIVATE mappings (until they copy on write) and read/write
 * all see one copy of each page.
 *
 * Pages enter the cache only through mmap faults (pcache_get_page); read/write of a file
 * with no cached pages goes straight to the host fd. write() is written through to the host
 * and copied into the cached pages it covers; read() takes cached pages from the cache.
 * A page handed to a writable shared mapping may be changed at any time by a guest store:
 * it is "maybe dirty" and pcache_writeback pwrite()s it to the host (msync, fsync, munmap,
 * close).
 *
 * Memory is bounded: past PCACHE_SOFT_LIMIT_PAGES cached pages across all files, clean pages
 * that no mapping holds are dropped (mapped pages cannot be: an mm holds a reference).
 *
 * Lock order: inode->lock -> pcache.lock -> memfile lock. The shrinker takes the global
 * list lock and only try-locks caches, so it never waits inside that order.
 */
#ifndef FS_GOFER_PAGECACHE_H
#define FS_GOFER_PAGECACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#define PCACHE_SOFT_LIMIT_PAGES (64ULL << 10) /* 256 MiB of clean, unmapped pages */
#define PCACHE_READAHEAD_PAGES 32 /* a miss reads this many pages (MM_FAULT_AROUND_PAGES) */

struct pcache;

/* A new, empty cache for a file whose host mtime and size are as given. NULL on ENOMEM. */
struct pcache *pcache_new(const struct timespec *mtime, int64_t size);
/* Drops every page (mappings keep their own references) and closes the writeback fd.
 * Dirty data must have been written back (pcache_writeback) before. */
void pcache_free(struct pcache *pc);

/*
 * Page pgoff of the file, filled from fd on a miss: 0 and its memory-file offset with a
 * +1 page reference for the caller's page table. size is the file size: a page wholly past
 * it is -ENXIO (SIGBUS). may_write: the page goes into a writable shared mapping, so it is
 * maybe dirty from now on and wfd (a host fd open for writing) is kept for writeback.
 * -ENOMEM, -EIO or the host's error.
 */
int pcache_get_page(struct pcache *pc, int fd, uint64_t pgoff, int64_t size, bool may_write,
		    int wfd, uint64_t *off);
/* pread for the file: cached pages from the cache, the rest from fd. Bytes or -errno. */
ssize_t pcache_read(struct pcache *pc, int fd, const struct iovec *iov, int iovcnt, int64_t pos);
/* After n bytes of iov were written to the host at pos: copies them into the cached pages
 * they cover, so mappings see the write. */
void pcache_update(struct pcache *pc, const struct iovec *iov, int iovcnt, int64_t pos, size_t n);
/* Writes the maybe-dirty pages (up to size, the file's size) to the host. A page no
 * mapping holds any more is clean afterwards. 0 or the first host error. */
int pcache_writeback(struct pcache *pc, int64_t size);
/* The file is now size bytes: pages past it leave the cache and the tail of the last page
 * reads as zeros. */
void pcache_truncate(struct pcache *pc, int64_t size);
/* The host's data in [start, end) changed under the cache (fallocate punched, zeroed or
 * shifted it; end -1 = to EOF): the cached pages there are read again from fd, in place,
 * so mappings see the new contents. 0 or the host's error. */
int pcache_reload(struct pcache *pc, int fd, int64_t start, int64_t end);
/* At open: if the host's mtime or size differ from what the cache saw, the file changed
 * behind the sandbox's back and its clean unmapped pages are dropped. */
void pcache_revalidate(struct pcache *pc, const struct timespec *mtime, int64_t size);
/* Pages in the cache (for tests and statistics). */
uint64_t pcache_pages(struct pcache *pc);
uint64_t pcache_total_pages(void);

#endif
