/* The sentry's radix page table. */
#include <errno.h>
#include <stdlib.h>

#include "sentry/mm/pagetable.h"

#define PT_BITS 9
#define PT_ENTRIES (1u << PT_BITS)
#define PT_LEVELS 4

static inline unsigned pt_index(uaddr_t addr, int level)
{
	/* level 0 is the root: bits 39..47 of the address */
	return (unsigned)((addr >> (PAGE_SHIFT + PT_BITS * (PT_LEVELS - 1 - level))) &
			  (PT_ENTRIES - 1));
}

int pt_init(struct pagetable *pt)
{
	pt->root = calloc(PT_ENTRIES, sizeof(void *));
	pt->present = 0;
	return pt->root ? 0 : -ENOMEM;
}

static void free_level(void **node, int level)
{
	if (level < PT_LEVELS - 2) {
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			if (node[i])
				free_level(node[i], level + 1);
	} else {
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			free(node[i]);
	}
	free(node);
}

void pt_destroy(struct pagetable *pt)
{
	if (pt->root)
		free_level(pt->root, 0);
	pt->root = NULL;
}

pte_t *pt_slot(struct pagetable *pt, uaddr_t addr, bool alloc)
{
	void **node = pt->root;

	for (int level = 0; level < PT_LEVELS - 1; level++) {
		unsigned i = pt_index(addr, level);

		if (!node[i]) {
			if (!alloc)
				return NULL;
			node[i] = calloc(PT_ENTRIES,
					 level == PT_LEVELS - 2 ? sizeof(pte_t) : sizeof(void *));
			if (!node[i])
				return NULL;
		}
		node = node[i];
	}
	return &((pte_t *)node)[pt_index(addr, PT_LEVELS - 1)];
}

uaddr_t pt_next_used(struct pagetable *pt, uaddr_t addr, uaddr_t end)
{
	while (addr < end) {
		void **node = pt->root;
		int level;

		for (level = 0; level < PT_LEVELS - 1; level++) {
			void *next = node[pt_index(addr, level)];

			if (!next)
				break;
			node = next;
		}
		if (level < PT_LEVELS - 1) {
			/* Skip the whole missing subtree at this level. */
			uaddr_t span = 1ULL << (PAGE_SHIFT + PT_BITS * (PT_LEVELS - 1 - level));
			uaddr_t next = (addr & ~(span - 1)) + span;

			if (next <= addr)
				return end;
			addr = next;
			continue;
		}
		if (((pte_t *)node)[pt_index(addr, PT_LEVELS - 1)])
			return addr;
		addr += PAGE_SIZE;
	}
	return end;
}
