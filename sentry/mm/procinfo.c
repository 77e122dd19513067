/*
 * What procfs reads from an address space: the executable and argument areas recorded
 * at exec, the break, and VMA snapshots with per-VMA resident pages.
 */
#include <errno.h>
#include <stdlib.h>

#include "fs/vfs/vfs.h"
#include "sentry/mm/internal.h"

void mm_set_exe_info(struct mm *mm, const struct mm_exe_info *info)
{
	struct file *old;

	if (info->exe)
		file_get(info->exe);
	pthread_mutex_lock(&mm->lock);
	old = mm->exe.exe;
	mm->exe = *info;
	pthread_mutex_unlock(&mm->lock);
	if (old)
		file_put(old);
}

void mm_get_exe_info(struct mm *mm, struct mm_exe_info *out)
{
	pthread_mutex_lock(&mm->lock);
	*out = mm->exe;
	if (out->exe)
		file_get(out->exe);
	pthread_mutex_unlock(&mm->lock);
}

uaddr_t mm_brk_start(struct mm *mm)
{
	uaddr_t v;

	pthread_mutex_lock(&mm->lock);
	v = mm->brk_start;
	pthread_mutex_unlock(&mm->lock);
	return v;
}

uaddr_t mm_brk_end(struct mm *mm)
{
	uaddr_t v;

	pthread_mutex_lock(&mm->lock);
	v = mm->brk;
	pthread_mutex_unlock(&mm->lock);
	return v;
}

/* Present pages in [start, end). mm->lock held. */
static uint64_t vma_rss(struct mm *mm, uaddr_t start, uaddr_t end)
{
	uint64_t n = 0;
	uaddr_t a = start;

	while ((a = pt_next_used(&mm->pt, a, end)) < end) {
		pte_t *pte = pt_slot(&mm->pt, a, false);

		if (pte && (*pte & PTE_PRESENT))
			n++;
		a += PAGE_SIZE;
	}
	return n;
}

int mm_vma_snapshot(struct mm *mm, struct mm_vma_info **out, size_t *n)
{
	struct mm_vma_info *v;
	size_t cnt;

	pthread_mutex_lock(&mm->lock);
	cnt = mm->vmas.n;
	v = calloc(cnt ? cnt : 1, sizeof(*v));
	if (!v) {
		pthread_mutex_unlock(&mm->lock);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cnt; i++) {
		const struct vma *s = &mm->vmas.v[i];

		v[i].start = s->start;
		v[i].end = s->end;
		v[i].prot = s->prot;
		v[i].flags = s->flags;
		v[i].file = s->file;
		if (v[i].file)
			file_get(v[i].file);
		v[i].off = s->off;
		v[i].name = s->name;
		/* Linux names the VMA holding the initial stack pointer "[stack]". */
		if (!v[i].name && mm->exe.start_stack >= s->start && mm->exe.start_stack < s->end)
			v[i].name = "[stack]";
		v[i].rss_pages = vma_rss(mm, s->start, s->end);
	}
	pthread_mutex_unlock(&mm->lock);
	*out = v;
	*n = cnt;
	return 0;
}

void mm_vma_snapshot_free(struct mm_vma_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].file)
			file_put(v[i].file);
	free(v);
}
