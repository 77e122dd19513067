/* The VMA set: sorted array operations (find, insert/merge, split, gap search). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fs/vfs/vfs.h"
#include "sentry/mm/vma.h"

void vmas_init(struct vma_set *s)
{
	s->v = NULL;
	s->n = s->cap = 0;
}

void vmas_destroy(struct vma_set *s)
{
	free(s->v);
	vmas_init(s);
}

size_t vmas_lower_bound(const struct vma_set *s, uaddr_t addr)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long vmas_find(const struct vma_set *s, uaddr_t addr)
{
	size_t i = vmas_lower_bound(s, addr);

	if (i < s->n && s->v[i].start <= addr)
		return (long)i;
	return -1;
}

bool vmas_overlaps(const struct vma_set *s, uaddr_t start, uaddr_t end)
{
	size_t i = vmas_lower_bound(s, start);

	return i < s->n && s->v[i].start < end;
}

static int grow(struct vma_set *s)
{
	size_t cap;
	struct vma *n;

	if (s->n < s->cap)
		return 0;
	if (s->n >= VMA_MAX_COUNT)
		return -ENOMEM;
	cap = s->cap ? s->cap * 2 : 32;
	n = realloc(s->v, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->v = n;
	s->cap = cap;
	return 0;
}

/* Two adjacent VMAs can be one if nothing observable distinguishes them. */
static bool mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->flags != b->flags ||
	    a->file != b->file || a->name != b->name)
		return false;
	if (a->file)
		return a->off + (a->end - a->start) == b->off;
	return true;
}

int vmas_insert(struct vma_set *s, const struct vma *v)
{
	size_t i = vmas_lower_bound(s, v->start);
	int err;

	if (i > 0 && mergeable(&s->v[i - 1], v) && !v->file) {
		s->v[i - 1].end = v->end;
		if (i < s->n && mergeable(&s->v[i - 1], &s->v[i])) {
			s->v[i - 1].end = s->v[i].end;
			memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
			s->n--;
		}
		return 0;
	}
	if (i < s->n && mergeable(v, &s->v[i]) && !v->file) {
		s->v[i].start = v->start;
		return 0;
	}
	err = grow(s);
	if (err)
		return err;
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
	s->v[i] = *v;
	s->n++;
	return 0;
}

int vmas_split(struct vma_set *s, size_t idx, uaddr_t addr)
{
	struct vma *a;
	int err = grow(s);

	if (err)
		return err;
	a = &s->v[idx];
	BUG_ON(addr <= a->start || addr >= a->end);
	memmove(&s->v[idx + 1], &s->v[idx], (s->n - idx) * sizeof(*s->v));
	s->n++;
	a = &s->v[idx];
	a->end = addr;
	s->v[idx + 1].start = addr;
	if (a->file) {
		s->v[idx + 1].off = a->off + (addr - a->start);
		file_get(a->file);
	}
	return 0;
}

int vmas_isolate(struct vma_set *s, uaddr_t start, uaddr_t end)
{
	long i = vmas_find(s, start);
	int err;

	if (i >= 0 && s->v[i].start < start) {
		err = vmas_split(s, (size_t)i, start);
		if (err)
			return err;
	}
	i = vmas_find(s, end - 1);
	if (i >= 0 && s->v[i].end > end) {
		err = vmas_split(s, (size_t)i, end);
		if (err)
			return err;
	}
	return 0;
}

void vmas_remove(struct vma_set *s, size_t idx, struct vma *out)
{
	*out = s->v[idx];
	memmove(&s->v[idx], &s->v[idx + 1], (s->n - idx - 1) * sizeof(*s->v));
	s->n--;
}

uaddr_t vmas_find_gap_topdown(const struct vma_set *s, uint64_t len, uaddr_t low, uaddr_t high,
			      uint64_t guard)
{
	size_t i = vmas_lower_bound(s, high);
	const struct vma *above = i < s->n ? &s->v[i] : NULL;
	uaddr_t top = high;

	if (len == 0 || len > high - low)
		return 0;
	if (above && above->start < high)
		top = above->start; /* a VMA straddles high */
	/* Gaps from the top down: [end of the VMA below, start of the VMA above). */
	for (;;) {
		uaddr_t bottom = i > 0 ? MAX(s->v[i - 1].end, low) : low;
		uaddr_t t = top;

		if (above && (above->flags & MAP_GROWSDOWN) && above->start == t)
			t = t > guard ? t - guard : 0;
		if (t >= bottom && t - bottom >= len)
			return t - len;
		if (i == 0)
			return 0;
		i--;
		above = &s->v[i];
		top = above->start;
		if (top <= low)
			return 0;
	}
}

void vmas_try_merge(struct vma_set *s, size_t idx)
{
	if (idx + 1 < s->n && mergeable(&s->v[idx], &s->v[idx + 1])) {
		if (s->v[idx + 1].file)
			file_put(s->v[idx + 1].file);
		s->v[idx].end = s->v[idx + 1].end;
		memmove(&s->v[idx + 1], &s->v[idx + 2], (s->n - idx - 2) * sizeof(*s->v));
		s->n--;
	}
	if (idx > 0 && mergeable(&s->v[idx - 1], &s->v[idx])) {
		if (s->v[idx].file)
			file_put(s->v[idx].file);
		s->v[idx - 1].end = s->v[idx].end;
		memmove(&s->v[idx], &s->v[idx + 1], (s->n - idx - 1) * sizeof(*s->v));
		s->n--;
	}
}
