/*
 * The sentry's per-mm page table: guest page -> memory-file page, plus what the
 * platform currently maps there. A 4-level radix (9 bits a level) like the hardware's,
 * so lookups are four loads and sparse address spaces stay small.
 */
#ifndef SENTRY_MM_PAGETABLE_H
#define SENTRY_MM_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>
#include "common/util.h"

typedef uint64_t pte_t;

#define PTE_PRESENT 0x1ULL /* backed by a memory-file page (one reference held) */
#define PTE_MAPPED 0x2ULL /* the platform maps it */
#define PTE_MAPPED_W 0x4ULL /* ... writable */
#define PTE_OFF_MASK (~0xfffULL)

static inline uint64_t pte_off(pte_t p)
{
	return p & PTE_OFF_MASK;
}

struct pagetable {
	void **root; /* 512 entries */
	uint64_t present; /* count of present ptes (RSS) */
};

int pt_init(struct pagetable *pt);
void pt_destroy(struct pagetable *pt); /* frees nodes only; pages are the caller's */
/* The pte slot for addr; with alloc, missing levels are created (NULL on ENOMEM). */
pte_t *pt_slot(struct pagetable *pt, uaddr_t addr, bool alloc);
/* The first address in [addr, end) whose pte is non-zero, or end. Skips empty subtrees. */
uaddr_t pt_next_used(struct pagetable *pt, uaddr_t addr, uaddr_t end);

#endif
