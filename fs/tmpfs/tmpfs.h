/*
 * tmpfs: an in-memory filesystem whose file data lives in memory-file pages, so that
 * MAP_SHARED mappings of its files share pages with read/write.
 */
#ifndef FS_TMPFS_TMPFS_H
#define FS_TMPFS_TMPFS_H

#include <stdint.h>

struct super_block;
struct inode;

/* A new, empty tmpfs: +1 sb and +1 root directory (mode root_mode & 07777, owned by
 * uid/gid 0). size_limit: bytes of file data (0 = only the memory file's size). */
int tmpfs_new(struct super_block **sb, struct inode **root, uint32_t root_mode,
	      uint64_t size_limit);

#endif
