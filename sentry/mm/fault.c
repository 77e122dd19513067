/* Demand paging: backing pages on first touch, copy-on-write, and mapping them into the
 * platform address space with fault-around. Callers hold mm->lock. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/memfile.h"
#include "fs/vfs/vfs.h"
#include "sentry/mm/internal.h"

/* A fresh memory-file page with the contents of page addr of v. */
static int fill_page(const struct vma *v, uaddr_t addr, bool write, uint64_t *off)
{
	struct file *f = v->file;
	uint64_t pgoff, pos;
	ssize_t n;
	int err;

	if (!f)
		return memfile_alloc(1, off);
	pgoff = (v->off >> PAGE_SHIFT) + ((addr - v->start) >> PAGE_SHIFT);
	if (f->ops && f->ops->get_page) {
		/* "write" to the file means the page may be stored to through this mapping
		 * from now on (the platform maps it writable), not that this fault is a
		 * store: a page cache must write it back (goferfs). */
		err = f->ops->get_page(f, pgoff, !vma_private(v) && (v->prot & PROT_WRITE), off);
		/* Past EOF (-ENXIO from the file) is SIGBUS, which the fault path calls -EIO. */
		return err == -ENXIO ? -EIO : err;
	}
	pos = pgoff << PAGE_SHIFT;
	/* A page wholly past the end of the file is SIGBUS, as on Linux. */
	if (S_ISREG(f->inode->mode) &&
	    (int64_t)pos >= (int64_t)PAGE_ALIGN_UP((uint64_t)f->inode->size))
		return -EIO;
	err = memfile_alloc(1, off);
	if (err)
		return err;
	n = vfs_kernel_read(f, memfile_ptr(*off), PAGE_SIZE, (int64_t)pos);
	if (n < 0) {
		memfile_unref(*off, 1);
		return (int)n;
	}
	return 0;
}

pte_t *mm_page_get(struct mm *mm, const struct vma *v, uaddr_t addr, bool write, int *err)
{
	pte_t *pte = pt_slot(&mm->pt, addr, true);
	uint64_t off, copy;

	if (!pte) {
		*err = -ENOMEM;
		return NULL;
	}
	if (!(*pte & PTE_PRESENT)) {
		*err = fill_page(v, addr, write, &off);
		if (*err)
			return NULL;
		*pte = off | PTE_PRESENT;
		mm->pt.present++;
	}
	if (write && vma_private(v) && memfile_sharers(pte_off(*pte)) > 1) {
		/* Copy on write: the page is shared with another mm or with a file. */
		*err = memfile_alloc(1, &copy);
		if (*err)
			return NULL;
		memcpy(memfile_ptr(copy), memfile_ptr(pte_off(*pte)), PAGE_SIZE);
		if (*pte & PTE_MAPPED)
			plat_as_unmap(mm->as, addr, PAGE_SIZE);
		memfile_unref(pte_off(*pte), 1);
		*pte = copy | PTE_PRESENT;
	}
	return pte;
}

int mm_populate(struct mm *mm, const struct vma *v, uaddr_t start, uaddr_t end)
{
	uaddr_t a = start;
	int err;

	while (a < end) {
		pte_t *pte = pt_slot(&mm->pt, a, true);
		uaddr_t run_end;
		uint64_t off;

		if (!pte)
			return -ENOMEM;
		if (*pte & PTE_PRESENT) {
			a += PAGE_SIZE;
			continue;
		}
		if (v->file) {
			if (!mm_page_get(mm, v, a, false, &err))
				return err;
			a += PAGE_SIZE;
			continue;
		}
		/* Anonymous: one contiguous allocation for the run of missing pages, so the
		 * platform can map it with a single call. */
		for (run_end = a + PAGE_SIZE; run_end < end; run_end += PAGE_SIZE) {
			pte_t *p = pt_slot(&mm->pt, run_end, true);

			if (!p)
				return -ENOMEM;
			if (*p & PTE_PRESENT)
				break;
		}
		err = memfile_alloc((run_end - a) >> PAGE_SHIFT, &off);
		if (err)
			return err;
		for (; a < run_end; a += PAGE_SIZE, off += PAGE_SIZE) {
			*pt_slot(&mm->pt, a, false) = off | PTE_PRESENT;
			mm->pt.present++;
		}
	}
	return 0;
}

/* The protection the platform may give a present page of v right now. */
static int page_prot(const struct vma *v, pte_t pte)
{
	int prot = v->prot;

	if (vma_private(v) && memfile_sharers(pte_off(pte)) > 1)
		prot &= ~PROT_WRITE; /* shared until written: COW */
	return prot;
}

/* Maps the present pages of [start, end) in runs of contiguous file offsets. */
static int map_range(struct mm *mm, const struct vma *v, uaddr_t start, uaddr_t end)
{
	uaddr_t run = 0;
	uint64_t run_off = 0, next_off = 0;
	int run_prot = -1, err;

	for (uaddr_t a = start; a <= end; a += PAGE_SIZE) {
		pte_t *pte = a < end ? pt_slot(&mm->pt, a, false) : NULL;
		bool ok = pte && (*pte & PTE_PRESENT);
		int prot = ok ? page_prot(v, *pte) : -1;

		if (run && (!ok || pte_off(*pte) != next_off || prot != run_prot)) {
			err = plat_as_map(mm->as, run, a - run, run_prot, run_off);
			if (err)
				return err;
			for (uaddr_t b = run; b < a; b += PAGE_SIZE) {
				pte_t *p = pt_slot(&mm->pt, b, false);

				*p |= PTE_MAPPED;
				if (run_prot & PROT_WRITE)
					*p |= PTE_MAPPED_W;
				else
					*p &= ~PTE_MAPPED_W;
			}
			run = 0;
		}
		if (ok && !run) {
			run = a;
			run_off = pte_off(*pte);
			run_prot = prot;
		}
		if (ok)
			next_off = pte_off(*pte) + PAGE_SIZE;
	}
	return 0;
}

int mm_handle_fault(struct mm *mm, uaddr_t addr, int write)
{
	uaddr_t page = addr & PAGE_MASK, ws, we;
	const uint64_t win = MM_FAULT_AROUND_PAGES * PAGE_SIZE;
	struct vma *v;
	pte_t *pte;
	long i;
	int err = 0;

	pthread_mutex_lock(&mm->lock);
	i = vmas_find(&mm->vmas, addr);
	if (i < 0) {
		err = -EFAULT;
		goto out;
	}
	v = &mm->vmas.v[i];
	if (!(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC))) {
		err = -EACCES;
		goto out;
	}
	pte = pt_slot(&mm->pt, page, false);
	if (pte && (*pte & PTE_MAPPED) && write) {
		/* A protection fault on a page we mapped: either a write to a page kept
		 * read-only for COW, or a real violation. */
		if ((*pte & PTE_MAPPED_W) || !(v->prot & PROT_WRITE)) {
			err = -EACCES;
			goto out;
		}
		if (!mm_page_get(mm, v, page, true, &err))
			goto out;
		err = map_range(mm, v, page, page + PAGE_SIZE);
		goto out;
	}
	ws = MAX(page & ~(win - 1), v->start);
	we = MIN((page & ~(win - 1)) + win, v->end);
	/* The faulting page must exist; the rest of the window is best effort (a file's
	 * end, for instance, stops it). */
	if (!mm_page_get(mm, v, page, false, &err))
		goto out;
	if (v->file) {
		uaddr_t a;

		for (a = page + PAGE_SIZE; a < we; a += PAGE_SIZE) {
			int e;

			if (!mm_page_get(mm, v, a, false, &e))
				break;
		}
		we = a;
	} else {
		err = mm_populate(mm, v, ws, we);
		if (err)
			goto out;
	}
	err = map_range(mm, v, ws, we);
out:
	pthread_mutex_unlock(&mm->lock);
	if (err && err != -EFAULT && err != -EACCES)
		log_debug("mm: fault at %#lx failed: %d", (unsigned long)addr, err);
	return err;
}

void mm_release_pages(struct mm *mm, uaddr_t start, uaddr_t end)
{
	uaddr_t lo = end, hi = start;

	for (uaddr_t a = start; (a = pt_next_used(&mm->pt, a, end)) < end; a += PAGE_SIZE) {
		pte_t *pte = pt_slot(&mm->pt, a, false);

		if (*pte & PTE_MAPPED) {
			lo = MIN(lo, a);
			hi = MAX(hi, a + PAGE_SIZE);
		}
		if (*pte & PTE_PRESENT) {
			memfile_unref(pte_off(*pte), 1);
			mm->pt.present--;
		}
		*pte = 0;
	}
	if (lo < hi)
		plat_as_unmap(mm->as, lo, hi - lo);
}

void mm_platform_unmap(struct mm *mm, uaddr_t start, uaddr_t end)
{
	uaddr_t lo = end, hi = start;

	for (uaddr_t a = start; (a = pt_next_used(&mm->pt, a, end)) < end; a += PAGE_SIZE) {
		pte_t *pte = pt_slot(&mm->pt, a, false);

		if (*pte & PTE_MAPPED) {
			lo = MIN(lo, a);
			hi = MAX(hi, a + PAGE_SIZE);
			*pte &= ~(PTE_MAPPED | PTE_MAPPED_W);
		}
	}
	if (lo < hi)
		plat_as_unmap(mm->as, lo, hi - lo);
}
