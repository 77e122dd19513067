/*
 * The VMA set: an address-sorted array of non-overlapping guest mappings. Small and
 * cache-friendly; lookups are binary searches. Pure bookkeeping, no platform calls, so
 * it is unit-tested on its own. Callers hold mm->lock.
 */
#ifndef SENTRY_MM_VMA_H
#define SENTRY_MM_VMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/util.h"

struct file;

#define VMA_MAX_COUNT 65530 /* vm.max_map_count */

/* A flags bit of our own, beyond every MAP_* flag: madvise(MADV_DONTFORK). */
#define VMA_DONTFORK 0x40000000
/* Another: a special mapping that may never become writable (the vvar page, which
 * every process shares): mprotect refuses PROT_WRITE and ptrace pokes fail. */
#define VMA_NOMAYWRITE 0x20000000
/* And: a private VMA a fork copied with pages in it. Linux's copy carries its parent's
 * anon_vma as well as its own, and never merges with a VMA made later (vma_merge's
 * singular anon_vma_chain rule): the flag keeps such neighbours apart here too. */
#define VMA_FORKED 0x10000000

struct vma {
	uaddr_t start, end; /* [start, end), page aligned */
	int prot; /* PROT_* */
	int flags; /* MAP_SHARED / MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN ... */
	struct file *file; /* +1, NULL for anonymous memory */
	uint64_t off; /* file offset of start */
	const char *name; /* "[heap]", "[stack]" or NULL; static strings */
};

struct vma_set {
	struct vma *v;
	size_t n, cap;
};

void vmas_init(struct vma_set *s);
/* Frees the array; the caller has already dropped the VMAs' file references. */
void vmas_destroy(struct vma_set *s);
/* Index of the VMA containing addr, or -1. */
long vmas_find(const struct vma_set *s, uaddr_t addr);
/* Index of the first VMA with end > addr (== s->n if none). */
size_t vmas_lower_bound(const struct vma_set *s, uaddr_t addr);
/* True if any VMA overlaps [start, end). */
bool vmas_overlaps(const struct vma_set *s, uaddr_t start, uaddr_t end);
/* Inserts v (takes over its file reference), merging with equal anonymous neighbours.
 * The range must be free. 0, -ENOMEM (allocation or VMA_MAX_COUNT). */
int vmas_insert(struct vma_set *s, const struct vma *v);
/* Splits VMA idx at addr (start < addr < end) so that a VMA boundary sits at addr. The
 * second half gets its own file reference. 0 or -ENOMEM. */
int vmas_split(struct vma_set *s, size_t idx, uaddr_t addr);
/* Ensures VMA boundaries at start and end (splitting as needed). 0 or -ENOMEM. */
int vmas_isolate(struct vma_set *s, uaddr_t start, uaddr_t end);
/* Removes VMA idx from the array; returns it (with its file reference) in *out. */
void vmas_remove(struct vma_set *s, size_t idx, struct vma *out);
/* Highest gap of len bytes inside [low, high), searching down from high. 0 if none.
 * Keeps a guard gap of guard bytes below VMAs that grow down. */
uaddr_t vmas_find_gap_topdown(const struct vma_set *s, uint64_t len, uaddr_t low, uaddr_t high,
			      uint64_t guard);
/* Merges VMA idx with its neighbours where they are compatible (after mprotect). */
void vmas_try_merge(struct vma_set *s, size_t idx);

#endif
