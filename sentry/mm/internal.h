/* mm internals shared by mm.c, fault.c, copy.c and mmap.c. */
#ifndef SENTRY_MM_INTERNAL_H
#define SENTRY_MM_INTERNAL_H

#include <pthread.h>
#include "common/list.h"
#include "common/ref.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/pagetable.h"
#include "sentry/mm/vma.h"

/* Guest mappings below this are refused, like vm.mmap_min_addr. */
#define MM_MIN_ADDR 0x10000UL
/* Pages mapped around a faulting page, so a sequential walk doesn't trap per page. */
#define MM_FAULT_AROUND_PAGES 32

struct mm {
	struct ref ref;
	pthread_mutex_t lock;
	struct vma_set vmas;
	struct pagetable pt;
	struct platform *plat;
	struct plat_as *as;
	uaddr_t task_size, mmap_base;
	uaddr_t brk_start, brk;
	struct list_head registry; /* in rmap.c's list of live address spaces */
	struct mm_exe_info exe; /* under lock; procinfo.c */
};

/* Makes page addr (in VMA v) present; with write, private and shared pages get their own
 * copy (COW). Returns the pte or NULL with *err set (-ENOMEM, -EIO past EOF). */
pte_t *mm_page_get(struct mm *mm, const struct vma *v, uaddr_t addr, bool write, int *err);
/* Populates [start, end) inside v (fault-around), allocating anonymous runs contiguously. */
int mm_populate(struct mm *mm, const struct vma *v, uaddr_t start, uaddr_t end);
/* Drops the pages of [start, end) and unmaps what the platform had mapped there. */
void mm_release_pages(struct mm *mm, uaddr_t start, uaddr_t end);
/* Unmaps from the platform whatever it maps in [start, end); pages stay. */
void mm_platform_unmap(struct mm *mm, uaddr_t start, uaddr_t end);
/* munmap under the lock. */
int mm_unmap_locked(struct mm *mm, uaddr_t start, uaddr_t end);
/* VMA v is going (its pages already released): a writable shared file mapping has its
 * stores written back to the file (file_ops.writeback). The caller still puts v->file. */
void mm_vma_gone(const struct vma *v);
/* The list of live address spaces that mm_zap_file_range walks (rmap.c). */
void mm_registry_add(struct mm *mm);
void mm_registry_del(struct mm *mm);

static inline bool vma_private(const struct vma *v)
{
	return (v->flags & 0x0f) == 0x02; /* MAP_PRIVATE */
}

#endif
