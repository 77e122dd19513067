/*
 * A tmpfs file's page index: a fixed-height radix tree (TP_LEVELS levels of TP_FANOUT
 * slots) from page number to memory-file offset, so sparse files cost only the nodes
 * on the paths to their pages. Interior nodes hold pointers, leaves hold offsets.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "fs/tmpfs/internal.h"

static unsigned slot_of(uint64_t idx, int level)
{
	return (idx >> (TP_SHIFT * (TP_LEVELS - 1 - level))) & (TP_FANOUT - 1);
}

uint64_t tp_get(const struct tmpfs_pages *tp, uint64_t idx)
{
	void **node = tp->root;

	if (idx >= TP_MAX_PAGES)
		return 0;
	for (int level = 0; level < TP_LEVELS - 1; level++) {
		if (!node)
			return 0;
		node = node[slot_of(idx, level)];
	}
	return node ? ((uint64_t *)node)[slot_of(idx, TP_LEVELS - 1)] : 0;
}

uint64_t *tp_slot(struct tmpfs_pages *tp, uint64_t idx)
{
	void ***link = &tp->root;

	if (idx >= TP_MAX_PAGES)
		return NULL;
	for (int level = 0; level < TP_LEVELS; level++) {
		if (!*link) {
			/* interior nodes and leaves are both TP_FANOUT 8-byte slots */
			*link = calloc(TP_FANOUT, sizeof(void *));
			if (!*link)
				return NULL;
		}
		if (level == TP_LEVELS - 1)
			break;
		link = (void ***)&(*link)[slot_of(idx, level)];
	}
	return &((uint64_t *)*link)[slot_of(idx, TP_LEVELS - 1)];
}

static uint64_t span_of(int level)
{
	return 1ULL << (TP_SHIFT * (TP_LEVELS - level));
}

/* Frees pages >= first under node (covering pages from base); true if node is empty. */
static bool free_from(struct tmpfs_pages *tp, void *node, int level, uint64_t base, uint64_t first,
		      void (*release)(uint64_t, void *), void *arg)
{
	uint64_t child_span = span_of(level + 1);
	bool empty = true;

	for (unsigned i = 0; i < TP_FANOUT; i++) {
		uint64_t cbase = base + i * child_span;

		if (level == TP_LEVELS - 1) {
			uint64_t *leaf = node;

			if (leaf[i] && cbase >= first) {
				release(leaf[i], arg);
				leaf[i] = 0;
				tp->npages--;
			}
			if (leaf[i])
				empty = false;
			continue;
		}
		void **slots = node;

		if (!slots[i])
			continue;
		if (cbase + child_span > first &&
		    free_from(tp, slots[i], level + 1, cbase, first, release, arg)) {
			free(slots[i]);
			slots[i] = NULL;
			continue;
		}
		empty = false;
	}
	return empty;
}

void tp_truncate(struct tmpfs_pages *tp, uint64_t first, void (*release)(uint64_t off, void *arg),
		 void *arg)
{
	if (!tp->root)
		return;
	if (free_from(tp, tp->root, 0, 0, first, release, arg)) {
		free(tp->root);
		tp->root = NULL;
	}
}
