/*
 * eventfd: a 64-bit counter as a file. write(2) adds to it (blocking while the sum would
 * reach 0xffffffffffffffff), read(2) takes it all, or 1 in semaphore mode (blocking while
 * it is 0). Both move exactly 8 bytes. Readable while the counter is nonzero, writable
 * while it is below 0xfffffffffffffffe.
 */
#ifndef FS_EVENTFD_EVENTFD_H
#define FS_EVENTFD_EVENTFD_H

#include <stdbool.h>
#include <stdint.h>

struct file;

#define EVENTFD_MAX 0xfffffffffffffffeULL /* the largest value the counter can hold */

/* A new eventfd file holding initval; flags are O_NONBLOCK (and O_RDWR is implied);
 * semaphore is EFD_SEMAPHORE. 0 and *out (+1), or -ENOMEM. */
int eventfd_create(uint64_t initval, bool semaphore, unsigned flags, uint32_t uid, uint32_t gid,
		   struct file **out);
bool eventfd_is_eventfd(const struct file *f);

#endif
