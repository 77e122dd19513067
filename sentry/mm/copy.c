/* Copies between guest memory and the sentry, through the sentry's own mapping of the
 * memory file. Every guest range is checked against the VMAs: a bad pointer is -EFAULT. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/memfile.h"
#include "sentry/mm/internal.h"

enum access { ACC_READ, ACC_WRITE, ACC_FORCE_WRITE };

/* The host address of guest byte addr, valid for the rest of its page; NULL = fault. */
static uint8_t *guest_page(struct mm *mm, uaddr_t addr, enum access acc, const struct vma **vp)
{
	const struct vma *v = *vp;
	pte_t *pte;
	int err;

	if (!v || addr < v->start || addr >= v->end) {
		long i = vmas_find(&mm->vmas, addr);

		if (i < 0)
			return NULL;
		v = *vp = &mm->vmas.v[i];
	}
	if (acc == ACC_WRITE && !(v->prot & PROT_WRITE))
		return NULL;
	/* The vvar page is every process's: not even a ptrace poke may write it. */
	if (acc == ACC_FORCE_WRITE && (v->flags & VMA_NOMAYWRITE))
		return NULL;
	if (acc == ACC_READ && !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return NULL;
	pte = mm_page_get(mm, v, addr & PAGE_MASK, acc != ACC_READ, &err);
	if (!pte)
		return NULL;
	return (uint8_t *)memfile_ptr(pte_off(*pte)) + (addr & (PAGE_SIZE - 1));
}

static int copy(struct mm *mm, uaddr_t addr, void *buf, size_t n, enum access acc)
{
	const struct vma *v = NULL;
	uint8_t *p = buf;

	if (addr + n < addr || addr + n > mm->task_size)
		return -EFAULT;
	pthread_mutex_lock(&mm->lock);
	while (n) {
		size_t chunk = MIN(n, PAGE_SIZE - (addr & (PAGE_SIZE - 1)));
		uint8_t *g = guest_page(mm, addr, acc, &v);

		if (!g) {
			pthread_mutex_unlock(&mm->lock);
			return -EFAULT;
		}
		if (acc == ACC_READ)
			memcpy(p, g, chunk);
		else
			memcpy(g, p, chunk);
		p += chunk;
		addr += chunk;
		n -= chunk;
	}
	pthread_mutex_unlock(&mm->lock);
	return 0;
}

int mm_copy_in(struct mm *mm, uaddr_t src, void *dst, size_t n)
{
	return copy(mm, src, dst, n, ACC_READ);
}

int mm_copy_out(struct mm *mm, uaddr_t dst, const void *src, size_t n)
{
	return copy(mm, dst, (void *)src, n, ACC_WRITE);
}

int mm_copy_out_force(struct mm *mm, uaddr_t dst, const void *src, size_t n)
{
	return copy(mm, dst, (void *)src, n, ACC_FORCE_WRITE);
}

long mm_strncpy_in(struct mm *mm, uaddr_t src, char *dst, size_t max)
{
	const struct vma *v = NULL;
	size_t done = 0;

	pthread_mutex_lock(&mm->lock);
	while (done < max) {
		size_t chunk = MIN(max - done, PAGE_SIZE - (src & (PAGE_SIZE - 1)));
		uint8_t *g = src < mm->task_size ? guest_page(mm, src, ACC_READ, &v) : NULL;
		uint8_t *nul;

		if (!g) {
			pthread_mutex_unlock(&mm->lock);
			return -EFAULT;
		}
		nul = memchr(g, 0, chunk);
		if (nul) {
			memcpy(dst + done, g, (size_t)(nul - g) + 1);
			pthread_mutex_unlock(&mm->lock);
			return (long)(done + (size_t)(nul - g));
		}
		memcpy(dst + done, g, chunk);
		done += chunk;
		src += chunk;
	}
	pthread_mutex_unlock(&mm->lock);
	return -ENAMETOOLONG;
}

int mm_pin_iov(struct mm *mm, uaddr_t addr, size_t *len, bool write, struct iovec *iov, int max_iov,
	       int *niov, struct mm_pin *pin)
{
	const struct vma *v = NULL;
	size_t want = *len, done = 0, npages;
	int n = 0;

	pin->pages = pin->inline_pages;
	pin->npages = 0;
	if (addr >= mm->task_size) {
		*niov = 0;
		return want ? -EFAULT : 0;
	}
	if (want > mm->task_size - addr)
		want = mm->task_size - addr;
	npages = ((addr + want + PAGE_SIZE - 1) >> PAGE_SHIFT) - (addr >> PAGE_SHIFT);
	if (npages > ARRAY_SIZE(pin->inline_pages)) {
		pin->pages = malloc(npages * sizeof(uint64_t));
		if (!pin->pages)
			return -ENOMEM;
	}
	pthread_mutex_lock(&mm->lock);
	while (done < want) {
		size_t chunk = MIN(want - done, PAGE_SIZE - (addr & (PAGE_SIZE - 1)));
		uint8_t *g = guest_page(mm, addr, write ? ACC_WRITE : ACC_READ, &v);

		if (!g)
			break;
		if (n > 0 && (uint8_t *)iov[n - 1].iov_base + iov[n - 1].iov_len == g) {
			iov[n - 1].iov_len += chunk;
		} else {
			if (n == max_iov)
				break;
			iov[n].iov_base = g;
			iov[n].iov_len = chunk;
			n++;
		}
		pin->pages[pin->npages] = (uint64_t)(g - (uint8_t *)memfile_ptr(0)) & PAGE_MASK;
		memfile_pin(pin->pages[pin->npages++]);
		done += chunk;
		addr += chunk;
	}
	pthread_mutex_unlock(&mm->lock);
	*niov = n;
	*len = done;
	if (!done && want) {
		mm_unpin_iov(pin);
		return -EFAULT;
	}
	return 0;
}

void mm_unpin_iov(struct mm_pin *pin)
{
	for (size_t i = 0; i < pin->npages; i++)
		memfile_unpin(pin->pages[i]);
	if (pin->pages != pin->inline_pages)
		free(pin->pages);
	pin->pages = pin->inline_pages;
	pin->npages = 0;
}

int mm_futex_shared_key(struct mm *mm, uaddr_t addr, uint64_t *off)
{
	const struct vma *v;
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
	if (vma_private(v))
		goto out;
	pte = mm_page_get(mm, v, addr & PAGE_MASK, false, &err);
	if (!pte)
		goto out;
	*off = pte_off(*pte) + (addr & (PAGE_SIZE - 1));
	err = 1;
out:
	pthread_mutex_unlock(&mm->lock);
	return err;
}
