/* mmap, munmap, mprotect, mremap, brk, madvise, mincore: VMA changes plus the page and
 * platform work they imply. Argument checks follow mm/mmap.c and mm/mremap.c in Linux. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/memfile.h"
#include "fs/tmpfs/memfd.h"
#include "fs/vfs/vfs.h"
#include "sentry/mm/internal.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)

static bool range_ok(struct mm *mm, uaddr_t start, uint64_t len)
{
	return start >= MM_MIN_ADDR && len <= mm->task_size && start <= mm->task_size - len;
}

void mm_vma_gone(const struct vma *v)
{
	struct file *f = v->file;

	/* as Linux's page cache would have them by now, for anyone else reading the file */
	if (f && !vma_private(v) && (v->prot & PROT_WRITE) && f->ops && f->ops->writeback)
		f->ops->writeback(f);
}

int mm_unmap_locked(struct mm *mm, uaddr_t start, uaddr_t end)
{
	size_t i;
	int err = vmas_isolate(&mm->vmas, start, end);

	if (err)
		return err;
	mm_release_pages(mm, start, end);
	i = vmas_lower_bound(&mm->vmas, start);
	while (i < mm->vmas.n && mm->vmas.v[i].start < end) {
		struct vma gone;

		vmas_remove(&mm->vmas, i, &gone);
		mm_vma_gone(&gone);
		if (gone.file)
			file_put(gone.file);
	}
	return 0;
}

/* The file lives on a noexec mount. */
static bool file_noexec(const struct file *f)
{
	return f->path.mnt && (f->path.mnt->flags & MS_NOEXEC);
}

static int check_file_access(struct file *f, int prot, int flags)
{
	int acc = (int)(f->flags & O_ACCMODE);

	if (!f->ops || (!f->ops->read && !f->ops->get_page))
		return -ENODEV;
	if (acc == O_WRONLY)
		return -EACCES;
	if ((prot & PROT_EXEC) && file_noexec(f))
		return -EPERM;
	if ((flags & 0x0f) != MAP_PRIVATE && (prot & PROT_WRITE)) {
		if (acc != O_RDWR || (f->flags & O_APPEND))
			return -EACCES;
		if (!f->ops->get_page)
			return -ENODEV; /* no shared writable mappings without a page cache yet */
	}
	return 0;
}

long mm_mmap(struct mm *mm, uaddr_t addr, uint64_t len, int prot, int flags, struct file *file,
	     uint64_t off)
{
	int type = flags & 0x0f;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	struct vma v;
	int err;

	if (!len || (off & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE) {
		if (flags & MAP_ANONYMOUS)
			return -EINVAL; /* Linux validates only file mappings */
		type = MAP_SHARED;
	}
	if (prot & ~(PROT_ALL | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (len > mm->task_size)
		return -ENOMEM;
	len = PAGE_ALIGN_UP(len);
	/* /dev/zero maps as anonymous memory, shared or private, as on Linux. */
	if (file && S_ISCHR(file->inode->mode) && file->inode->rdev == makedev(1, 5))
		flags |= MAP_ANONYMOUS;
	if (flags & MAP_ANONYMOUS)
		file = NULL, off = 0;
	else if (!file)
		return -EBADF;
	if (file && off + len < off)
		return -EOVERFLOW;
	if (file) {
		err = check_file_access(file, prot, type);
		if (err)
			return err;
	}
	if (fixed && (addr & (PAGE_SIZE - 1)))
		return -EINVAL;

	pthread_mutex_lock(&mm->lock);
	/* under mm->lock, so F_ADD_SEALS's look for writable mappings cannot miss this one */
	if (file && type == MAP_SHARED && (prot & PROT_WRITE) &&
	    (memfd_file_seals(file) & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
		err = -EPERM;
		goto out;
	}
	if (fixed) {
		if (!range_ok(mm, addr, len)) {
			err = addr < MM_MIN_ADDR ? -EPERM : -ENOMEM;
			goto out;
		}
		if (vmas_overlaps(&mm->vmas, addr, addr + len)) {
			if (flags & MAP_FIXED_NOREPLACE) {
				err = -EEXIST;
				goto out;
			}
			err = mm_unmap_locked(mm, addr, addr + len);
			if (err)
				goto out;
		}
	} else {
		addr = PAGE_ALIGN_DOWN(addr);
		if (!addr || !range_ok(mm, addr, len) ||
		    vmas_overlaps(&mm->vmas, addr, addr + len)) {
			addr = vmas_find_gap_topdown(&mm->vmas, len, MM_MIN_ADDR, mm->mmap_base,
						     256 * PAGE_SIZE);
			if (!addr)
				addr = vmas_find_gap_topdown(&mm->vmas, len, MM_MIN_ADDR,
							     mm->task_size, 256 * PAGE_SIZE);
			if (!addr) {
				err = -ENOMEM;
				goto out;
			}
		}
	}
	memset(&v, 0, sizeof(v));
	v.start = addr;
	v.end = addr + len;
	v.prot = prot & PROT_ALL;
	v.flags = type | (flags & (MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_STACK));
	v.file = file;
	v.off = off;
	if (file)
		file_get(file);
	err = vmas_insert(&mm->vmas, &v);
	if (err) {
		if (file)
			file_put(file);
		goto out;
	}
	if (flags & MAP_POPULATE) {
		long i = vmas_find(&mm->vmas, addr);

		/* Best effort, like Linux: a failure here is not the mmap's failure. */
		if (i >= 0)
			mm_populate(mm, &mm->vmas.v[i], addr, MIN(addr + len, mm->vmas.v[i].end));
	}
	err = 0;
out:
	pthread_mutex_unlock(&mm->lock);
	return err ? err : (long)addr;
}

int mm_munmap(struct mm *mm, uaddr_t addr, uint64_t len)
{
	int err;

	if ((addr & (PAGE_SIZE - 1)) || !len || len > mm->task_size)
		return -EINVAL;
	len = PAGE_ALIGN_UP(len);
	if (addr > mm->task_size - len)
		return -EINVAL;
	pthread_mutex_lock(&mm->lock);
	err = mm_unmap_locked(mm, addr, addr + len);
	pthread_mutex_unlock(&mm->lock);
	return err;
}

/* True if [start, end) is covered by VMAs without holes. */
static bool fully_mapped(struct mm *mm, uaddr_t start, uaddr_t end)
{
	size_t i = vmas_lower_bound(&mm->vmas, start);
	uaddr_t a = start;

	for (; i < mm->vmas.n && a < end; i++) {
		if (mm->vmas.v[i].start > a)
			return false;
		a = mm->vmas.v[i].end;
	}
	return a >= end;
}

int mm_mprotect(struct mm *mm, uaddr_t addr, uint64_t len, int prot)
{
	uaddr_t end;
	size_t i;
	int err;

	if ((addr & (PAGE_SIZE - 1)) || (prot & ~(PROT_ALL | PROT_GROWSDOWN | PROT_GROWSUP)))
		return -EINVAL;
	if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP))
		return -EINVAL;
	if (!len)
		return 0;
	if (len > mm->task_size)
		return -ENOMEM;
	end = addr + PAGE_ALIGN_UP(len);
	if (end < addr || end > mm->task_size)
		return -ENOMEM;
	prot &= PROT_ALL;
	pthread_mutex_lock(&mm->lock);
	if (!fully_mapped(mm, addr, end)) {
		err = -ENOMEM;
		goto out;
	}
	for (i = vmas_lower_bound(&mm->vmas, addr); i < mm->vmas.n && mm->vmas.v[i].start < end;
	     i++) {
		const struct vma *v = &mm->vmas.v[i];

		/* a write-sealed memfd's shared mappings never had VM_MAYWRITE */
		if (v->file && !vma_private(v) && (prot & PROT_WRITE) &&
		    ((v->file->flags & O_ACCMODE) != O_RDWR ||
		     (!(v->prot & PROT_WRITE) &&
		      (memfd_file_seals(v->file) & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))))) {
			err = -EACCES;
			goto out;
		}
		/* A special mapping without VM_MAYWRITE (vvar), as Linux refuses it. */
		if ((v->flags & VMA_NOMAYWRITE) && (prot & PROT_WRITE)) {
			err = -EACCES;
			goto out;
		}
		/* Linux never gives a noexec mount's mapping VM_MAYEXEC */
		if (v->file && (prot & PROT_EXEC) && file_noexec(v->file)) {
			err = -EACCES;
			goto out;
		}
	}
	err = vmas_isolate(&mm->vmas, addr, end);
	if (err)
		goto out;
	for (i = vmas_lower_bound(&mm->vmas, addr); i < mm->vmas.n && mm->vmas.v[i].start < end;
	     i++) {
		struct vma *v = &mm->vmas.v[i];

		/* A shared file mapping that becomes writable gets its pages from the file
		 * again, so the file learns they may be stored to (get_page's write). */
		if (v->file && !vma_private(v) && (prot & PROT_WRITE) && !(v->prot & PROT_WRITE))
			mm_release_pages(mm, v->start, v->end);
		v->prot = prot;
	}
	/* Drop the platform's mappings; the next access faults them back with the new
	 * protection. */
	mm_platform_unmap(mm, addr, end);
	{
		long last = vmas_find(&mm->vmas, end - 1);

		if (last >= 0)
			vmas_try_merge(&mm->vmas, (size_t)last);
		vmas_try_merge(&mm->vmas, vmas_lower_bound(&mm->vmas, addr));
	}
out:
	pthread_mutex_unlock(&mm->lock);
	return err;
}

/* Moves the pages of [old, old+len) to [new, new+len); both ranges have VMAs. */
static int move_pages(struct mm *mm, uaddr_t old, uaddr_t new, uint64_t len)
{
	mm_platform_unmap(mm, old, old + len);
	for (uaddr_t a = old; (a = pt_next_used(&mm->pt, a, old + len)) < old + len;
	     a += PAGE_SIZE) {
		pte_t *s = pt_slot(&mm->pt, a, false), *d;

		if (!*s)
			continue;
		d = pt_slot(&mm->pt, new + (a - old), true);
		if (!d)
			return -ENOMEM;
		*d = *s & ~(PTE_MAPPED | PTE_MAPPED_W);
		*s = 0;
	}
	return 0;
}

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

/* mremap(old, 0, new_len): a new mapping of the shared memory at old. Shared anonymous
 * pages live only in page tables, so the source is populated first and the new range
 * takes references on the same pages; file-backed ones share through the file. */
static long dup_shared(struct mm *mm, const struct vma *v, uaddr_t old, uint64_t len, int flags,
		       uaddr_t new_addr)
{
	struct vma nv = *v;
	long i;
	int err;

	if (old + len > v->end || old + len < old)
		return -EINVAL;
	if (flags & MREMAP_FIXED) {
		err = mm_unmap_locked(mm, new_addr, new_addr + len);
		if (err)
			return err;
	} else {
		new_addr = vmas_find_gap_topdown(&mm->vmas, len, MM_MIN_ADDR, mm->mmap_base,
						 256 * PAGE_SIZE);
		if (!new_addr)
			return -ENOMEM;
	}
	i = vmas_find(&mm->vmas, old);
	if (!v->file) {
		err = mm_populate(mm, &mm->vmas.v[i], old, old + len);
		if (err)
			return err;
	}
	nv.start = new_addr;
	nv.end = new_addr + len;
	if (v->file) {
		nv.off = v->off + (old - v->start);
		file_get(v->file);
	}
	err = vmas_insert(&mm->vmas, &nv);
	if (err) {
		if (nv.file)
			file_put(nv.file);
		return err;
	}
	if (v->file)
		return (long)new_addr;
	for (uaddr_t a = 0; a < len; a += PAGE_SIZE) {
		pte_t *s = pt_slot(&mm->pt, old + a, false),
		      *d = pt_slot(&mm->pt, new_addr + a, true);

		if (!d)
			return -ENOMEM;
		memfile_ref(pte_off(*s), 1);
		*d = pte_off(*s) | PTE_PRESENT;
		mm->pt.present++;
	}
	return (long)new_addr;
}

long mm_mremap(struct mm *mm, uaddr_t old, uint64_t old_len, uint64_t new_len, int flags,
	       uaddr_t new_addr)
{
	struct vma v, moved;
	long i;
	int err;

	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) &&
	    (!(flags & MREMAP_MAYMOVE) || PAGE_ALIGN_UP(old_len) != PAGE_ALIGN_UP(new_len)))
		return -EINVAL;
	if (old & (PAGE_SIZE - 1))
		return -EINVAL;
	if (old_len > mm->task_size || new_len > mm->task_size)
		return -EINVAL;
	old_len = PAGE_ALIGN_UP(old_len);
	new_len = PAGE_ALIGN_UP(new_len);
	if (!new_len)
		return -EINVAL;
	if ((flags & MREMAP_FIXED) &&
	    ((new_addr & (PAGE_SIZE - 1)) || !range_ok(mm, new_addr, new_len) ||
	     (new_addr < old + old_len && old < new_addr + new_len)))
		return -EINVAL;

	pthread_mutex_lock(&mm->lock);
	i = vmas_find(&mm->vmas, old);
	if (i < 0 || mm->vmas.v[i].end < old + old_len) {
		err = -EFAULT;
		goto out;
	}
	v = mm->vmas.v[i];
	if (!old_len) {
		/* A second mapping of the same shared memory. */
		if (vma_private(&v)) {
			err = -EINVAL;
			goto out;
		}
		if (!(flags & MREMAP_MAYMOVE)) {
			err = -ENOMEM;
			goto out;
		}
		long ret = dup_shared(mm, &v, old, new_len, flags, new_addr);

		pthread_mutex_unlock(&mm->lock);
		return ret;
	}
	if ((flags & MREMAP_DONTUNMAP) && (!vma_private(&v) || v.file)) {
		err = -EINVAL;
		goto out;
	}
	if (!(flags & MREMAP_FIXED) && !(flags & MREMAP_DONTUNMAP)) {
		if (new_len <= old_len) {
			if (new_len < old_len)
				err = mm_unmap_locked(mm, old + new_len, old + old_len);
			else
				err = 0;
			pthread_mutex_unlock(&mm->lock);
			return err ? err : (long)old;
		}
		/* Grow in place when the range ends the VMA and the space above is free. */
		if (v.end == old + old_len && range_ok(mm, old, new_len) &&
		    !vmas_overlaps(&mm->vmas, v.end, old + new_len)) {
			mm->vmas.v[i].end = old + new_len;
			pthread_mutex_unlock(&mm->lock);
			return (long)old;
		}
		if (!(flags & MREMAP_MAYMOVE)) {
			err = -ENOMEM;
			goto out;
		}
		new_addr = vmas_find_gap_topdown(&mm->vmas, new_len, MM_MIN_ADDR, mm->mmap_base,
						 256 * PAGE_SIZE);
		if (!new_addr) {
			err = -ENOMEM;
			goto out;
		}
	} else if (flags & MREMAP_FIXED) {
		err = mm_unmap_locked(mm, new_addr, new_addr + new_len);
		if (err)
			goto out;
	} else {
		new_addr = vmas_find_gap_topdown(&mm->vmas, new_len, MM_MIN_ADDR, mm->mmap_base,
						 256 * PAGE_SIZE);
		if (!new_addr) {
			err = -ENOMEM;
			goto out;
		}
	}
	/* Move: a new VMA with the old one's attributes, then the pages, then drop the
	 * old range. */
	moved = v;
	moved.start = new_addr;
	moved.end = new_addr + new_len;
	if (v.file) {
		moved.off = v.off + (old - v.start);
		file_get(v.file);
	}
	err = vmas_insert(&mm->vmas, &moved);
	if (err) {
		if (moved.file)
			file_put(moved.file);
		goto out;
	}
	err = move_pages(mm, old, new_addr, MIN(old_len, new_len));
	if (err)
		goto out;
	/* DONTUNMAP leaves the old range mapped but empty: it refaults as zeros. */
	if (!(flags & MREMAP_DONTUNMAP))
		err = mm_unmap_locked(mm, old, old + old_len);
	if (err)
		goto out;
	pthread_mutex_unlock(&mm->lock);
	return (long)new_addr;
out:
	pthread_mutex_unlock(&mm->lock);
	return err;
}

uaddr_t mm_brk(struct mm *mm, uaddr_t brk)
{
	uaddr_t old_end, new_end, ret;

	pthread_mutex_lock(&mm->lock);
	ret = mm->brk;
	if (brk < mm->brk_start || brk >= mm->mmap_base)
		goto out;
	old_end = PAGE_ALIGN_UP(mm->brk);
	new_end = PAGE_ALIGN_UP(brk);
	if (new_end > old_end) {
		struct vma v = { .start = old_end,
				 .end = new_end,
				 .prot = PROT_READ | PROT_WRITE,
				 .flags = MAP_PRIVATE | MAP_ANONYMOUS,
				 .name = "[heap]" };

		if (vmas_overlaps(&mm->vmas, old_end, new_end) || vmas_insert(&mm->vmas, &v))
			goto out;
	} else if (new_end < old_end) {
		if (mm_unmap_locked(mm, new_end, old_end))
			goto out;
	}
	mm->brk = ret = brk;
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

int mm_madvise(struct mm *mm, uaddr_t addr, uint64_t len, int advice)
{
	uaddr_t end;
	int err = 0;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_COLD:
	case MADV_PAGEOUT:
		break;
	default:
		return -EINVAL;
	}
	if (len > mm->task_size)
		return -EINVAL;
	end = addr + PAGE_ALIGN_UP(len);
	if (end < addr)
		return -EINVAL;
	if (end == addr)
		return 0;
	pthread_mutex_lock(&mm->lock);
	if (!fully_mapped(mm, addr, end))
		err = -ENOMEM;
	if (!err && (advice == MADV_DONTFORK || advice == MADV_DOFORK)) {
		err = vmas_isolate(&mm->vmas, addr, end);
		for (size_t i = vmas_lower_bound(&mm->vmas, addr);
		     !err && i < mm->vmas.n && mm->vmas.v[i].start < end; i++) {
			if (advice == MADV_DONTFORK)
				mm->vmas.v[i].flags |= VMA_DONTFORK;
			else
				mm->vmas.v[i].flags &= ~VMA_DONTFORK;
		}
	}
	if (advice == MADV_DONTNEED || advice == MADV_FREE) {
		/* Private pages go (refault as zero or as the file's data); shared pages
		 * only leave this mm's page table, the data stays in the object. */
		size_t i = vmas_lower_bound(&mm->vmas, addr);

		for (; i < mm->vmas.n && mm->vmas.v[i].start < end; i++) {
			const struct vma *v = &mm->vmas.v[i];

			if (vma_private(v))
				mm_release_pages(mm, MAX(v->start, addr), MIN(v->end, end));
			else
				mm_platform_unmap(mm, MAX(v->start, addr), MIN(v->end, end));
		}
	}
	pthread_mutex_unlock(&mm->lock);
	return err;
}

int mm_mincore(struct mm *mm, uaddr_t addr, uint64_t len, uint8_t *vec)
{
	uaddr_t end;
	int err = 0;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (len > mm->task_size)
		return -ENOMEM;
	end = addr + PAGE_ALIGN_UP(len);
	if (end < addr || end > mm->task_size)
		return -ENOMEM;
	pthread_mutex_lock(&mm->lock);
	if (!fully_mapped(mm, addr, end)) {
		err = -ENOMEM;
		goto out;
	}
	for (uaddr_t a = addr; a < end; a += PAGE_SIZE) {
		pte_t *pte = pt_slot(&mm->pt, a, false);
		const struct vma *v = &mm->vmas.v[vmas_find(&mm->vmas, a)];

		/* File pages count as resident: their data sits in the host's page cache or
		 * in tmpfs, as Linux reports it for the page cache. */
		vec[(a - addr) >> PAGE_SHIFT] = (pte && (*pte & PTE_PRESENT)) || v->file ? 1 : 0;
	}
out:
	pthread_mutex_unlock(&mm->lock);
	return err;
}

int mm_msync(struct mm *mm, uaddr_t addr, uint64_t len, int flags)
{
	uaddr_t end;
	int err = 0;

	if ((addr & (PAGE_SIZE - 1)) || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (len > mm->task_size)
		return -ENOMEM;
	end = addr + PAGE_ALIGN_UP(len);
	if (end < addr)
		return -ENOMEM;
	/* Shared mappings are the file's own pages (tmpfs, a page cache) or read-only
	 * copies. MS_SYNC writes a page cache's stores back and syncs the file, as Linux's
	 * vfs_fsync_range; MS_ASYNC has nothing to start (read() already sees the pages). */
	pthread_mutex_lock(&mm->lock);
	if (end > addr && !fully_mapped(mm, addr, end))
		err = -ENOMEM;
	if (!err && (flags & MS_SYNC)) {
		for (size_t i = vmas_lower_bound(&mm->vmas, addr);
		     i < mm->vmas.n && mm->vmas.v[i].start < end; i++) {
			struct vma *v = &mm->vmas.v[i];

			if (!v->file || vma_private(v) || !v->file->ops || !v->file->ops->fsync ||
			    !v->file->ops->get_page)
				continue;
			err = v->file->ops->fsync(v->file, true);
			if (err)
				break;
		}
	}
	pthread_mutex_unlock(&mm->lock);
	return err;
}
