/* Reference counts embedded in shared objects (mounts, dentries, inodes, files, mms...). */
#ifndef COMMON_REF_H
#define COMMON_REF_H

#include <stdbool.h>
#include "common/bug.h"

struct ref {
	int count;
};

static inline void ref_init(struct ref *r)
{
	__atomic_store_n(&r->count, 1, __ATOMIC_RELAXED);
}

static inline void ref_get(struct ref *r)
{
	int old = __atomic_fetch_add(&r->count, 1, __ATOMIC_RELAXED);

	BUG_ON(old <= 0);
}

/* Returns true when the last reference was dropped: the caller frees the object. */
static inline bool ref_put(struct ref *r)
{
	int old = __atomic_fetch_sub(&r->count, 1, __ATOMIC_ACQ_REL);

	BUG_ON(old <= 0);
	return old == 1;
}

static inline int ref_read(const struct ref *r)
{
	return __atomic_load_n(&r->count, __ATOMIC_RELAXED);
}

#endif
