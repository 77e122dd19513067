/* Address-space lifetime: creation, fork (copy-on-write), release, layout. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "common/memfile.h"
#include "fs/vfs/vfs.h"
#include "sentry/mm/internal.h"

/* The mmap area starts this far below the top, leaving room for the stack. */
#define MM_STACK_GAP (256UL << 20)

int mm_new(struct platform *p, struct mm **out)
{
	struct mm *mm = calloc(1, sizeof(*mm));
	int err;

	if (!mm)
		return -ENOMEM;
	err = pt_init(&mm->pt);
	if (err)
		goto out_free;
	err = plat_new_as(p, &mm->as);
	if (err)
		goto out_pt;
	ref_init(&mm->ref);
	pthread_mutex_init(&mm->lock, NULL);
	vmas_init(&mm->vmas);
	mm->plat = p;
	mm->task_size = p->ops->max_user_address(p);
	mm->mmap_base = mm->task_size - MM_STACK_GAP;
	mm_registry_add(mm);
	*out = mm;
	return 0;
out_pt:
	pt_destroy(&mm->pt);
out_free:
	free(mm);
	return err;
}

void mm_get(struct mm *mm)
{
	ref_get(&mm->ref);
}

void mm_put(struct mm *mm)
{
	if (!ref_put(&mm->ref))
		return;
	mm_registry_del(mm);
	for (size_t i = 0; i < mm->vmas.n; i++) {
		struct vma *v = &mm->vmas.v[i];
		uaddr_t a = v->start;

		while ((a = pt_next_used(&mm->pt, a, v->end)) < v->end) {
			pte_t *pte = pt_slot(&mm->pt, a, false);

			if (*pte & PTE_PRESENT)
				memfile_unref(pte_off(*pte), 1);
			a += PAGE_SIZE;
		}
		mm_vma_gone(v);
		if (v->file)
			file_put(v->file);
	}
	if (mm->exe.exe)
		file_put(mm->exe.exe);
	/* The platform's mappings vanish with the address space itself. */
	plat_as_release(mm->as);
	vmas_destroy(&mm->vmas);
	pt_destroy(&mm->pt);
	pthread_mutex_destroy(&mm->lock);
	free(mm);
}

struct plat_as *mm_plat_as(struct mm *mm)
{
	return mm->as;
}

uaddr_t mm_task_size(struct mm *mm)
{
	return mm->task_size;
}

uaddr_t mm_mmap_base(struct mm *mm)
{
	return mm->mmap_base;
}

void mm_set_mmap_base(struct mm *mm, uaddr_t base)
{
	mm->mmap_base = base;
}

void mm_set_brk_start(struct mm *mm, uaddr_t start)
{
	pthread_mutex_lock(&mm->lock);
	mm->brk_start = mm->brk = start;
	pthread_mutex_unlock(&mm->lock);
}

int mm_fork(struct mm *src, struct mm **out)
{
	struct mm *mm;
	int err = mm_new(src->plat, &mm);

	if (err)
		return err;
	pthread_mutex_lock(&src->lock);
	mm->mmap_base = src->mmap_base;
	mm->brk_start = src->brk_start;
	mm->brk = src->brk;
	mm->exe = src->exe;
	if (mm->exe.exe)
		file_get(mm->exe.exe);
	for (size_t i = 0; i < src->vmas.n; i++) {
		struct vma v = src->vmas.v[i];
		uaddr_t a;

		if (v.flags & VMA_DONTFORK)
			continue;
		/* Shared anonymous memory must be backed before the copy, or pages faulted
		 * later in one process would not appear in the other. */
		if (!vma_private(&v) && !v.file) {
			err = mm_populate(src, &src->vmas.v[i], v.start, v.end);
			if (err)
				goto out_unlock;
		}
		a = pt_next_used(&src->pt, v.start, v.end);
		if (vma_private(&v) && a < v.end)
			v.flags |= VMA_FORKED;
		if (v.file)
			file_get(v.file);
		err = vmas_insert(&mm->vmas, &v);
		if (err) {
			if (v.file)
				file_put(v.file);
			goto out_unlock;
		}
		for (a = v.start; (a = pt_next_used(&src->pt, a, v.end)) < v.end; a += PAGE_SIZE) {
			pte_t *s = pt_slot(&src->pt, a, false), *d;

			if (!(*s & PTE_PRESENT))
				continue;
			d = pt_slot(&mm->pt, a, true);
			if (!d) {
				err = -ENOMEM;
				goto out_unlock;
			}
			memfile_ref(pte_off(*s), 1);
			*d = pte_off(*s) | PTE_PRESENT;
			mm->pt.present++;
		}
		/* The parent may write its private pages in place; take its writable
		 * mappings away so its next write faults and copies. */
		if (vma_private(&v) && (v.prot & PROT_WRITE))
			mm_platform_unmap(src, v.start, v.end);
	}
	pthread_mutex_unlock(&src->lock);
	*out = mm;
	return 0;
out_unlock:
	pthread_mutex_unlock(&src->lock);
	mm_put(mm);
	return err;
}

int mm_for_each_vma(struct mm *mm,
		    int (*fn)(void *arg, uaddr_t start, uaddr_t end, int prot, int flags,
			      struct file *file, uint64_t off),
		    void *arg)
{
	int err = 0;

	pthread_mutex_lock(&mm->lock);
	for (size_t i = 0; i < mm->vmas.n && !err; i++) {
		struct vma *v = &mm->vmas.v[i];

		err = fn(arg, v->start, v->end, v->prot, v->flags, v->file, v->off);
	}
	pthread_mutex_unlock(&mm->lock);
	return err;
}

uint64_t mm_vm_size(struct mm *mm)
{
	uint64_t total = 0;

	pthread_mutex_lock(&mm->lock);
	for (size_t i = 0; i < mm->vmas.n; i++)
		total += mm->vmas.v[i].end - mm->vmas.v[i].start;
	pthread_mutex_unlock(&mm->lock);
	return total;
}

uint64_t mm_rss_pages(struct mm *mm)
{
	return __atomic_load_n(&mm->pt.present, __ATOMIC_RELAXED);
}
