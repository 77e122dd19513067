/*
 * Special mappings: memory-file pages the sentry owns and shows to every address space,
 * such as the vDSO and its vvar page. Like Linux's _install_special_mapping, the VMAs
 * are named ("[vdso]", "[vvar]"), have no file, and their pages are present from the
 * start (each mapping holds a reference), so fork shares them and exec drops them.
 */
#include <errno.h>
#include <sys/mman.h>

#include "common/memfile.h"
#include "sentry/mm/internal.h"

int mm_map_special(struct mm *mm, const struct mm_special *segs, size_t n, uaddr_t *out)
{
	uint64_t len = 0;
	uaddr_t addr, a, end;
	int err = 0;

	for (size_t i = 0; i < n; i++)
		len += segs[i].npages * PAGE_SIZE;
	if (!len)
		return -EINVAL;
	pthread_mutex_lock(&mm->lock);
	/* Top-down in the mmap area, as Linux's get_unmapped_area() places the vDSO. */
	addr = vmas_find_gap_topdown(&mm->vmas, len, MM_MIN_ADDR, mm->mmap_base, 0);
	if (!addr) {
		err = -ENOMEM;
		goto out;
	}
	a = end = addr;
	for (size_t i = 0; i < n; i++) {
		const struct mm_special *s = &segs[i];
		struct vma v = {
			.start = a,
			.end = a + s->npages * PAGE_SIZE,
			.prot = s->prot,
			.flags = (s->shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS |
				 (s->no_write ? VMA_NOMAYWRITE : 0),
			.name = s->name,
		};

		err = vmas_insert(&mm->vmas, &v);
		if (err)
			goto out_unmap;
		end = v.end;
		for (uint64_t p = 0; p < s->npages; p++) {
			pte_t *pte = pt_slot(&mm->pt, a + p * PAGE_SIZE, true);

			if (!pte) {
				err = -ENOMEM;
				goto out_unmap;
			}
			memfile_ref(s->memfile_off + p * PAGE_SIZE, 1);
			*pte = (s->memfile_off + p * PAGE_SIZE) | PTE_PRESENT;
			mm->pt.present++;
		}
		a = v.end;
	}
	*out = addr;
	pthread_mutex_unlock(&mm->lock);
	return 0;
out_unmap:
	if (end > addr)
		mm_unmap_locked(mm, addr, end);
out:
	pthread_mutex_unlock(&mm->lock);
	return err;
}
