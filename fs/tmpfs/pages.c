/*
 * A tmpfs file's page index: a fixed-height radix tree (TP_LEVELS levels of TP_FANOUT
 * slots) from page number to memory-file offset, so sparse files cost only the nodes
 * on the paths to their pages. Interior nodes hold pointers, leaves hold offsets.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "common/util.h"
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
	return node ? ((uint64_t *)node)[slot_of(idx, TP_LEVELS - 1)] & ~TP_UNWRITTEN : 0;
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

/* Frees pages in [first, last) under node (covering pages from base); true if node is
 * empty. */
static bool free_range(struct tmpfs_pages *tp, void *node, int level, uint64_t base, uint64_t first,
		       uint64_t last, void (*release)(uint64_t, void *), void *arg)
{
	uint64_t child_span = span_of(level + 1);
	bool empty = true;

	for (unsigned i = 0; i < TP_FANOUT; i++) {
		uint64_t cbase = base + i * child_span;

		if (level == TP_LEVELS - 1) {
			uint64_t *leaf = node;

			if (leaf[i] && cbase >= first && cbase < last) {
				release(leaf[i] & ~TP_UNWRITTEN, arg);
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
		if (cbase + child_span > first && cbase < last &&
		    free_range(tp, slots[i], level + 1, cbase, first, last, release, arg)) {
			free(slots[i]);
			slots[i] = NULL;
			continue;
		}
		empty = false;
	}
	return empty;
}

void tp_punch(struct tmpfs_pages *tp, uint64_t first, uint64_t last,
	      void (*release)(uint64_t off, void *arg), void *arg)
{
	if (!tp->root || first >= last)
		return;
	if (free_range(tp, tp->root, 0, 0, first, last, release, arg)) {
		free(tp->root);
		tp->root = NULL;
	}
}

void tp_truncate(struct tmpfs_pages *tp, uint64_t first, void (*release)(uint64_t off, void *arg),
		 void *arg)
{
	tp_punch(tp, first, TP_MAX_PAGES, release, arg);
}

static bool matches(uint64_t slot, enum tp_find what)
{
	switch (what) {
	case TP_HOLE:
		return !slot;
	case TP_DATA:
		return slot && !(slot & TP_UNWRITTEN);
	default:
		return !slot || (slot & TP_UNWRITTEN);
	}
}

/* The first page in [idx, limit) under node that matches what, or limit. */
static uint64_t find_in(void *node, int level, uint64_t base, uint64_t idx, uint64_t limit,
			enum tp_find what)
{
	uint64_t span = span_of(level + 1);

	for (unsigned i = 0; i < TP_FANOUT; i++) {
		uint64_t cbase = base + i * span, at;

		if (cbase + span <= idx)
			continue;
		if (cbase >= limit)
			break;
		at = MAX(cbase, idx);
		if (level == TP_LEVELS - 1) {
			if (matches(((uint64_t *)node)[i], what))
				return at;
			continue;
		}
		void *child = ((void **)node)[i];

		if (!child) {
			if (what != TP_DATA)
				return at;
			continue;
		}
		at = find_in(child, level + 1, cbase, idx, limit, what);
		if (at < limit)
			return at;
	}
	return limit;
}

uint64_t tp_find(const struct tmpfs_pages *tp, uint64_t idx, uint64_t limit, enum tp_find what)
{
	limit = MIN(limit, TP_MAX_PAGES);
	if (idx >= limit)
		return limit;
	if (!tp->root)
		return what == TP_DATA ? limit : idx;
	return find_in(tp->root, 0, 0, idx, limit, what);
}
