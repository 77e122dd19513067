/*
 * The goferfs page cache (see pagecache.h): a hash of page number -> memory-file page per
 * file, and one global list of caches that the shrinker walks when the total grows past
 * the soft limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/list.h"
#include "common/memfile.h"
#include "common/util.h"
#include "fs/gofer/pagecache.h"
#include "fs/vfs/iov.h"

struct pc_entry {
	struct pc_entry *next;
	uint64_t idx; /* page number in the file */
	uint64_t off; /* memory-file offset; the cache holds one reference */
	bool maybe_dirty; /* handed to a writable shared mapping since the last writeback */
};

struct pcache {
	pthread_mutex_t lock;
	struct pc_entry **buckets;
	size_t nbuckets; /* a power of two, or 0 before the first page */
	uint64_t npages, ndirty;
	int wb_fd; /* a host fd open for writing, once a page is maybe dirty; else -1 */
	struct timespec mtime; /* the host's, as last seen at open */
	int64_t size;
	struct list_head node; /* in all_caches */
};

static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head all_caches = LIST_HEAD_INIT(all_caches);
static uint64_t total_pages; /* atomic */
static uint64_t shrink_at = PCACHE_SOFT_LIMIT_PAGES; /* under all_lock */

static size_t bucket_of(const struct pcache *pc, uint64_t idx)
{
	return (size_t)((idx * 0x9E3779B97F4A7C15ULL) >> 20) & (pc->nbuckets - 1);
}

static struct pc_entry *find(const struct pcache *pc, uint64_t idx)
{
	if (!pc->nbuckets)
		return NULL;
	for (struct pc_entry *e = pc->buckets[bucket_of(pc, idx)]; e; e = e->next) {
		if (e->idx == idx)
			return e;
	}
	return NULL;
}

/* Doubles the bucket array when the chains would grow past two entries on average. */
static int grow(struct pcache *pc)
{
	size_t n = pc->nbuckets ? pc->nbuckets * 2 : 64;
	struct pc_entry **nb;

	if (pc->npages < 2 * pc->nbuckets)
		return 0;
	nb = calloc(n, sizeof(*nb));
	if (!nb)
		return pc->nbuckets ? 0 : -ENOMEM; /* long chains are slow, not wrong */
	for (size_t i = 0; i < pc->nbuckets; i++) {
		struct pc_entry *e = pc->buckets[i], *next;

		for (; e; e = next) {
			size_t b;

			next = e->next;
			b = (size_t)((e->idx * 0x9E3779B97F4A7C15ULL) >> 20) & (n - 1);
			e->next = nb[b];
			nb[b] = e;
		}
	}
	free(pc->buckets);
	pc->buckets = nb;
	pc->nbuckets = n;
	return 0;
}

/* Unlinks *link (an entry) and drops the cache's page reference. Under pc->lock. */
static void drop(struct pcache *pc, struct pc_entry **link)
{
	struct pc_entry *e = *link;

	*link = e->next;
	if (e->maybe_dirty)
		pc->ndirty--;
	memfile_unref(e->off, 1);
	free(e);
	pc->npages--;
	__atomic_sub_fetch(&total_pages, 1, __ATOMIC_RELAXED);
}

/* Drops the entries gone() picks. Under pc->lock. Returns how many went. */
static uint64_t drop_if(struct pcache *pc, bool (*gone)(const struct pc_entry *e, void *arg),
			void *arg)
{
	uint64_t n = 0;

	for (size_t i = 0; i < pc->nbuckets; i++) {
		struct pc_entry **link = &pc->buckets[i];

		while (*link) {
			if (gone(*link, arg)) {
				drop(pc, link);
				n++;
			} else {
				link = &(*link)->next;
			}
		}
	}
	return n;
}

/* Clean and held by nobody but the cache: nothing is lost by reading it again later. */
static bool evictable(const struct pc_entry *e, void *arg)
{
	(void)arg;
	return !e->maybe_dirty && memfile_refcount(e->off) == 1;
}

/* The shrinker's pick: evictable, while the total is still above the target (*arg). */
static bool evict_to(const struct pc_entry *e, void *arg)
{
	return __atomic_load_n(&total_pages, __ATOMIC_RELAXED) > *(const uint64_t *)arg &&
	       evictable(e, NULL);
}

/*
 * Evicts clean, unmapped pages of the caches it can lock at once until the total is down to
 * three quarters of the limit, so the next shrink is a while away. Mapped pages can't go:
 * when most are mapped the next attempt waits until the total has grown by another eighth
 * of the limit, so a fault doesn't rescan every cache each time.
 */
static void shrink(void)
{
	uint64_t target = PCACHE_SOFT_LIMIT_PAGES / 4 * 3;
	struct pcache *pc;

	pthread_mutex_lock(&all_lock);
	if (__atomic_load_n(&total_pages, __ATOMIC_RELAXED) <= shrink_at)
		goto out_unlock;
	list_for_each_entry(pc, &all_caches, node) {
		if (pthread_mutex_trylock(&pc->lock))
			continue;
		drop_if(pc, evict_to, &target);
		pthread_mutex_unlock(&pc->lock);
		if (__atomic_load_n(&total_pages, __ATOMIC_RELAXED) <= target)
			break;
	}
	shrink_at = MAX(PCACHE_SOFT_LIMIT_PAGES, __atomic_load_n(&total_pages, __ATOMIC_RELAXED) +
							 PCACHE_SOFT_LIMIT_PAGES / 8);
out_unlock:
	pthread_mutex_unlock(&all_lock);
}

struct pcache *pcache_new(const struct timespec *mtime, int64_t size)
{
	struct pcache *pc = calloc(1, sizeof(*pc));

	if (!pc)
		return NULL;
	pthread_mutex_init(&pc->lock, NULL);
	pc->wb_fd = -1;
	pc->mtime = *mtime;
	pc->size = size;
	pthread_mutex_lock(&all_lock);
	list_add_tail(&pc->node, &all_caches);
	pthread_mutex_unlock(&all_lock);
	return pc;
}

static bool any(const struct pc_entry *e, void *arg)
{
	(void)e;
	(void)arg;
	return true;
}

void pcache_free(struct pcache *pc)
{
	if (!pc)
		return;
	pthread_mutex_lock(&all_lock);
	list_del(&pc->node);
	pthread_mutex_unlock(&all_lock);
	drop_if(pc, any, NULL);
	free(pc->buckets);
	if (pc->wb_fd >= 0)
		close(pc->wb_fd);
	pthread_mutex_destroy(&pc->lock);
	free(pc);
}

/* Reads len bytes at pos from fd into the zeroed memory at p; short at EOF. */
static int fill(int fd, uint64_t pos, void *p, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)p + done, len - done, (off_t)(pos + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return 0;
}

/* Adds page idx at memory-file offset off (taking over its reference). Under pc->lock. */
static struct pc_entry *insert(struct pcache *pc, uint64_t idx, uint64_t off)
{
	struct pc_entry *e;

	if (grow(pc))
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->idx = idx;
	e->off = off;
	e->next = pc->buckets[bucket_of(pc, idx)];
	pc->buckets[bucket_of(pc, idx)] = e;
	pc->npages++;
	__atomic_add_fetch(&total_pages, 1, __ATOMIC_RELAXED);
	return e;
}

/*
 * A miss at idx: reads it and the pages after it that the cache lacks too (up to
 * PCACHE_READAHEAD_PAGES, not past EOF) with one pread into contiguous pages, since
 * fault-around asks for them next. Under pc->lock. The entry for idx or NULL (*err set).
 */
static struct pc_entry *read_in(struct pcache *pc, int fd, uint64_t idx, uint64_t eof_pages,
				int *err)
{
	struct pc_entry *first = NULL;
	uint64_t n = 1, base;

	while (n < PCACHE_READAHEAD_PAGES && idx + n < eof_pages && !find(pc, idx + n))
		n++;
	*err = memfile_alloc(n, &base);
	if (*err && n > 1) {
		n = 1;
		*err = memfile_alloc(1, &base);
	}
	if (*err)
		return NULL;
	*err = fill(fd, idx << PAGE_SHIFT, memfile_ptr(base), n << PAGE_SHIFT);
	for (uint64_t i = 0; i < n; i++) {
		struct pc_entry *e = NULL;

		/* read-ahead pages that don't make it in are just not cached */
		if (!*err && (i == 0 || first))
			e = insert(pc, idx + i, base + (i << PAGE_SHIFT));
		if (!e)
			memfile_unref(base + (i << PAGE_SHIFT), 1);
		if (i == 0)
			first = e;
	}
	if (!first && !*err)
		*err = -ENOMEM;
	return first;
}

int pcache_get_page(struct pcache *pc, int fd, uint64_t pgoff, int64_t size, bool may_write,
		    int wfd, uint64_t *off)
{
	uint64_t eof_pages = size < 0 ? 0 : PAGE_ALIGN_UP((uint64_t)size) >> PAGE_SHIFT;
	struct pc_entry *e;
	int err = 0;

	if (pgoff >= eof_pages)
		return -ENXIO;
	if (__atomic_load_n(&total_pages, __ATOMIC_RELAXED) > PCACHE_SOFT_LIMIT_PAGES)
		shrink();
	pthread_mutex_lock(&pc->lock);
	e = find(pc, pgoff);
	if (!e) {
		e = read_in(pc, fd, pgoff, eof_pages, &err);
		if (!e)
			goto out_unlock;
	}
	if (may_write && pc->wb_fd < 0) {
		pc->wb_fd = fcntl(wfd, F_DUPFD_CLOEXEC, 0);
		if (pc->wb_fd < 0) {
			err = -errno;
			goto out_unlock;
		}
	}
	if (may_write && !e->maybe_dirty) {
		e->maybe_dirty = true;
		pc->ndirty++;
	}
	memfile_ref(e->off, 1);
	*off = e->off;
out_unlock:
	pthread_mutex_unlock(&pc->lock);
	return err;
}

/* The next len bytes of it as at most max iovecs (fewer if they don't fit: *got says how
 * many bytes the slice covers); it is not advanced. */
static int iter_slice(const struct iov_iter *it, size_t len, struct iovec *out, int max,
		      size_t *got)
{
	size_t off = it->off, have = 0;
	int n = 0;

	for (int i = 0; i < it->n && have < len && n < max; i++) {
		size_t avail = it->iov[i].iov_len - off, take = MIN(avail, len - have);

		if (take) {
			out[n].iov_base = (char *)it->iov[i].iov_base + off;
			out[n].iov_len = take;
			n++;
			have += take;
		}
		off = 0;
	}
	*got = have;
	return n;
}

static void iter_advance(struct iov_iter *it, size_t len)
{
	while (len && it->n) {
		size_t avail = it->iov[0].iov_len - it->off;

		if (len < avail) {
			it->off += len;
			return;
		}
		len -= avail;
		it->iov++;
		it->n--;
		it->off = 0;
	}
}

ssize_t pcache_read(struct pcache *pc, int fd, const struct iovec *iov, int iovcnt, int64_t pos)
{
	size_t want = iov_length(iov, iovcnt), done = 0;
	struct iov_iter it;
	int64_t end = -1;
	ssize_t ret = 0;

	iov_iter_init(&it, iov, iovcnt);
	pthread_mutex_lock(&pc->lock);
	while (done < want) {
		uint64_t at = (uint64_t)pos + done, idx = at >> PAGE_SHIFT;
		size_t pgoff = at & (PAGE_SIZE - 1), chunk = MIN(PAGE_SIZE - pgoff, want - done);
		struct pc_entry *e = find(pc, idx);

		if (e) {
			/* the host's size bounds a cached page too: the tail past EOF is not data */
			if (end < 0) {
				struct stat st;

				if (fstat(fd, &st) < 0) {
					ret = -errno;
					break;
				}
				end = st.st_size;
			}
			if ((int64_t)at >= end)
				break;
			chunk = MIN(chunk, (size_t)(end - (int64_t)at));
			chunk = iov_iter_copy_to(&it, (char *)memfile_ptr(e->off) + pgoff, chunk);
			done += chunk;
			continue;
		}
		/* a run of pages the cache doesn't hold: one preadv from the host */
		while (done + chunk < want && !find(pc, (pos + done + chunk) >> PAGE_SHIFT))
			chunk = MIN(chunk + PAGE_SIZE, want - done);
		{
			struct iovec sl[64];
			size_t len;
			int n = iter_slice(&it, chunk, sl, 64, &len);
			ssize_t got;

			do {
				got = preadv(fd, sl, n, (off_t)at);
			} while (got < 0 && errno == EINTR);
			if (got < 0) {
				ret = -errno;
				break;
			}
			iter_advance(&it, (size_t)got);
			done += (size_t)got;
			if ((size_t)got < len)
				break; /* EOF */
		}
	}
	pthread_mutex_unlock(&pc->lock);
	if (ret < 0 && !done)
		return ret;
	return (ssize_t)done;
}

void pcache_update(struct pcache *pc, const struct iovec *iov, int iovcnt, int64_t pos, size_t n)
{
	struct iov_iter it;
	size_t done = 0;

	iov_iter_init(&it, iov, iovcnt);
	pthread_mutex_lock(&pc->lock);
	if (!pc->npages)
		goto out_unlock;
	while (done < n) {
		uint64_t at = (uint64_t)pos + done;
		size_t pgoff = at & (PAGE_SIZE - 1), chunk = MIN(PAGE_SIZE - pgoff, n - done);
		struct pc_entry *e = find(pc, at >> PAGE_SHIFT);

		if (e)
			chunk = iov_iter_copy_from(&it, (char *)memfile_ptr(e->off) + pgoff, chunk);
		else
			iter_advance(&it, chunk);
		if (!chunk)
			break;
		done += chunk;
	}
out_unlock:
	pthread_mutex_unlock(&pc->lock);
}

static int write_page(int fd, const struct pc_entry *e, int64_t size)
{
	int64_t start = (int64_t)(e->idx << PAGE_SHIFT);
	size_t len, done = 0;

	if (start >= size)
		return 0; /* stores past EOF never reach the file, as on Linux */
	len = (size_t)MIN((int64_t)PAGE_SIZE, size - start);
	while (done < len) {
		ssize_t n = pwrite(fd, (char *)memfile_ptr(e->off) + done, len - done,
				   (off_t)(start + (int64_t)done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

int pcache_writeback(struct pcache *pc, int64_t size)
{
	int err = 0;

	pthread_mutex_lock(&pc->lock);
	for (size_t i = 0; i < pc->nbuckets && pc->ndirty; i++) {
		for (struct pc_entry *e = pc->buckets[i]; e; e = e->next) {
			int werr;

			if (!e->maybe_dirty)
				continue;
			werr = write_page(pc->wb_fd, e, size);
			if (werr) {
				err = err ? err : werr;
				continue;
			}
			/* still mapped writable somewhere: it may change again */
			if (memfile_refcount(e->off) == 1) {
				e->maybe_dirty = false;
				pc->ndirty--;
			}
		}
	}
	pthread_mutex_unlock(&pc->lock);
	return err;
}

static bool past(const struct pc_entry *e, void *arg)
{
	return e->idx >= *(const uint64_t *)arg;
}

void pcache_truncate(struct pcache *pc, int64_t size)
{
	uint64_t first = PAGE_ALIGN_UP((uint64_t)size) >> PAGE_SHIFT;
	struct pc_entry *e;

	pthread_mutex_lock(&pc->lock);
	drop_if(pc, past, &first);
	e = (size & (PAGE_SIZE - 1)) ? find(pc, (uint64_t)size >> PAGE_SHIFT) : NULL;
	if (e)
		memset((char *)memfile_ptr(e->off) + (size & (PAGE_SIZE - 1)), 0,
		       PAGE_SIZE - (size & (PAGE_SIZE - 1)));
	pthread_mutex_unlock(&pc->lock);
}

int pcache_reload(struct pcache *pc, int fd, int64_t start, int64_t end)
{
	uint64_t first = (uint64_t)start >> PAGE_SHIFT;
	uint64_t last = end < 0 ? UINT64_MAX : PAGE_ALIGN_UP((uint64_t)end) >> PAGE_SHIFT;
	int err = 0;

	pthread_mutex_lock(&pc->lock);
	for (size_t i = 0; i < pc->nbuckets && !err; i++) {
		for (struct pc_entry *e = pc->buckets[i]; e && !err; e = e->next) {
			if (e->idx < first || e->idx >= last)
				continue;
			memset(memfile_ptr(e->off), 0, PAGE_SIZE);
			err = fill(fd, e->idx << PAGE_SHIFT, memfile_ptr(e->off), PAGE_SIZE);
		}
	}
	pthread_mutex_unlock(&pc->lock);
	return err;
}

void pcache_revalidate(struct pcache *pc, const struct timespec *mtime, int64_t size)
{
	pthread_mutex_lock(&pc->lock);
	if (pc->size != size || pc->mtime.tv_sec != mtime->tv_sec ||
	    pc->mtime.tv_nsec != mtime->tv_nsec) {
		drop_if(pc, evictable, NULL);
		pc->mtime = *mtime;
		pc->size = size;
	}
	pthread_mutex_unlock(&pc->lock);
}

uint64_t pcache_pages(struct pcache *pc)
{
	uint64_t n;

	pthread_mutex_lock(&pc->lock);
	n = pc->npages;
	pthread_mutex_unlock(&pc->lock);
	return n;
}

uint64_t pcache_total_pages(void)
{
	return __atomic_load_n(&total_pages, __ATOMIC_RELAXED);
}
