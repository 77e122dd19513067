/*
 * The registry of live address spaces, so that a file that shrinks can take the pages past
 * its new end out of every mapping of it (Linux's unmap_mapping_range after a truncate)
 * without a per-page reverse map: truncating a mapped file is rare, a walk over the address
 * spaces' VMAs when it happens is cheap next to keeping a reverse map on every fault.
 *
 * Lock order: registry_lock -> mm->lock. Nothing takes the registry lock under an mm lock.
 */
#include <pthread.h>
#include <sys/mman.h>

#include "common/list.h"
#include "fs/vfs/vfs.h"
#include "sentry/mm/internal.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head registry = LIST_HEAD_INIT(registry);

void mm_registry_add(struct mm *mm)
{
	pthread_mutex_lock(&registry_lock);
	list_add_tail(&mm->registry, &registry);
	pthread_mutex_unlock(&registry_lock);
}

void mm_registry_del(struct mm *mm)
{
	pthread_mutex_lock(&registry_lock);
	list_del(&mm->registry);
	pthread_mutex_unlock(&registry_lock);
}

/* Drops the pages of file pages [first, end) from the VMAs of mm that map inode. */
static void zap_mm(struct mm *mm, const struct inode *inode, uint64_t first, uint64_t end)
{
	pthread_mutex_lock(&mm->lock);
	for (size_t i = 0; i < mm->vmas.n; i++) {
		const struct vma *v = &mm->vmas.v[i];
		uint64_t vfirst = v->off >> PAGE_SHIFT;
		uint64_t vend = vfirst + ((v->end - v->start) >> PAGE_SHIFT);
		uint64_t lo = MAX(first, vfirst), hi = MIN(end, vend);

		if (!v->file || v->file->inode != inode || lo >= hi)
			continue;
		/* private copies go too: past EOF there is nothing to have copied (Linux
		 * zaps COWed pages on truncate as well) */
		mm_release_pages(mm, v->start + ((lo - vfirst) << PAGE_SHIFT),
				 v->start + ((hi - vfirst) << PAGE_SHIFT));
	}
	pthread_mutex_unlock(&mm->lock);
}

bool mm_file_mapped_writable(struct inode *inode)
{
	bool found = false;
	struct mm *mm;

	pthread_mutex_lock(&registry_lock);
	list_for_each_entry(mm, &registry, registry) {
		pthread_mutex_lock(&mm->lock);
		for (size_t i = 0; i < mm->vmas.n && !found; i++) {
			const struct vma *v = &mm->vmas.v[i];

			found = v->file && v->file->inode == inode && !vma_private(v) &&
				(v->prot & PROT_WRITE);
		}
		pthread_mutex_unlock(&mm->lock);
		if (found)
			break;
	}
	pthread_mutex_unlock(&registry_lock);
	return found;
}

void mm_zap_file_range(struct inode *inode, uint64_t first_pgoff, uint64_t end_pgoff)
{
	struct mm *mm;

	if (first_pgoff >= end_pgoff)
		return;
	pthread_mutex_lock(&registry_lock);
	list_for_each_entry(mm, &registry, registry)
		zap_mm(mm, inode, first_pgoff, end_pgoff);
	pthread_mutex_unlock(&registry_lock);
}
