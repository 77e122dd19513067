/*
 * Futexes: wait queues keyed by a guest word. Private futexes (and shared ones on
 * private memory) are keyed by (mm, address); shared futexes on shared memory by the
 * memory-file location of the word, so processes mapping the same memory meet.
 *
 * Lock order: futex bucket lock -> mm->lock (reading the futex word).
 */
#ifndef SENTRY_KERNEL_FUTEX_H
#define SENTRY_KERNEL_FUTEX_H

#include <stdbool.h>
#include <stdint.h>
#include "common/util.h"

#ifndef FUTEX_BITSET_MATCH_ANY
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#endif

struct task;

/* Wakes up to n waiters on uaddr whose bitset intersects bitset. Count or -errno. */
long futex_wake(struct task *t, uaddr_t uaddr, int n, uint32_t bitset, bool private_);

#endif
