/*
 * The one way a filesystem tells the memory manager that pages of a file went away
 * (truncate, hole punch): the sentry's mm registers its unmapper at boot, because fs/
 * cannot call up into sentry/. Without a hook (unit tests of fs/ alone) nothing is mapped.
 */
#include "fs/vfs/vfs.h"

static void (*unmap_hook)(struct inode *inode, uint64_t first, uint64_t end);

void vfs_set_unmap_hook(void (*fn)(struct inode *inode, uint64_t first, uint64_t end))
{
	__atomic_store_n(&unmap_hook, fn, __ATOMIC_RELEASE);
}

void vfs_unmap_file_range(struct inode *inode, uint64_t first, uint64_t end)
{
	void (*fn)(struct inode *, uint64_t, uint64_t) =
		__atomic_load_n(&unmap_hook, __ATOMIC_ACQUIRE);

	if (fn && first < end)
		fn(inode, first, end);
}
