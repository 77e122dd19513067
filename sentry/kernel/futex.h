/*
 * Futexes: wait queues keyed by a guest word. Private futexes (and shared ones on
 * private memory) are keyed by (mm, address); shared futexes on shared memory by the
 * memory-file location of the word, so processes mapping the same memory meet.
 *
 * Lock order: futex bucket lock -> kernel->lock (PI owner lookup) -> mm->lock (reading the
 * futex word).
 */
#ifndef SENTRY_KERNEL_FUTEX_H
#define SENTRY_KERNEL_FUTEX_H

#include <stdbool.h>
#include <stdint.h>
#include "common/util.h"
#include "sentry/kernel/robust.h" /* futex_exit_robust for the exit path */

#ifndef FUTEX_BITSET_MATCH_ANY
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#endif

struct task;

/* Wakes up to n waiters on uaddr whose bitset intersects bitset. Count or -errno. */
long futex_wake(struct task *t, uaddr_t uaddr, int n, uint32_t bitset, bool private_);

/*
 * The owner t of the futex at uaddr is dying (robust list processing): if the word holds
 * t's tid, sets FUTEX_OWNER_DIED and wakes one waiter (a PI futex goes straight to its
 * first waiter, OWNER_DIED kept). pending: uaddr came from list_op_pending, so a 0 word
 * still wakes a waiter. 0 or -errno.
 */
int futex_owner_died(struct task *t, uaddr_t uaddr, bool pi, bool pending);

#endif
