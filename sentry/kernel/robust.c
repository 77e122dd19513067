/* Robust futex lists: the exit-time walk over the guest's struct robust_list_head. */
#include <stdint.h>

#include "sentry/kernel/futex.h"
#include "sentry/kernel/robust.h"
#include "sentry/kernel/task.h"

/* The guest's struct robust_list_head (x86-64). */
struct robust_head {
	uint64_t next; /* struct robust_list *; bit 0 marks a PI futex */
	int64_t futex_offset; /* from a list entry to its futex word */
	uint64_t op_pending; /* the entry being locked or unlocked, or 0 */
};

static void entry_died(struct task *t, uint64_t entry, int64_t off, bool pi, bool pending)
{
	uaddr_t uaddr = (uaddr_t)(entry + (uint64_t)off);

	if (uaddr & 3)
		return;
	futex_owner_died(t, uaddr, pi, pending);
}

void futex_exit_robust(struct task *t)
{
	uaddr_t head_addr = t->robust_list;
	struct robust_head h;
	uint64_t entry, next, pending;
	bool pi, next_pi, pending_pi;

	if (!head_addr || !t->mm)
		return;
	t->robust_list = 0;
	if (task_copy_in(t, head_addr, &h, sizeof(h)))
		return;
	entry = h.next & ~1ULL;
	pi = h.next & 1;
	pending = h.op_pending & ~1ULL;
	pending_pi = h.op_pending & 1;
	/* A circular or endless list stops at the limit, as on Linux. */
	for (int n = 0; entry != head_addr && n < ROBUST_LIST_LIMIT; n++) {
		/* Fetch the next link first: waking a waiter may let it free this entry. */
		if (task_copy_in(t, entry, &next, sizeof(next)))
			return;
		next_pi = next & 1;
		if (entry != pending)
			entry_died(t, entry, h.futex_offset, pi, false);
		entry = next & ~1ULL;
		pi = next_pi;
	}
	if (pending)
		entry_died(t, pending, h.futex_offset, pending_pi, true);
}
