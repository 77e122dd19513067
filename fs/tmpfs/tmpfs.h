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

/* mount(2)'s tmpfs options. */
struct tmpfs_opts {
	uint64_t size; /* bytes of file data; 0 = no limit of its own */
	uint64_t nr_inodes; /* 0 = no limit */
	uint32_t mode; /* the root directory's permission bits (default 01777) */
	uint32_t uid, gid; /* the root directory's owner (default 0) */
};

/*
 * Parses mount(2)'s data string for tmpfs into o (defaults first: no limits, mode
 * 01777, owner 0:0; data may be NULL): comma-separated size=N[k|m|g|t|%],
 * nr_blocks=N[k|m|g|t], nr_inodes=N[k|m|g|t], mode=OCTAL, uid=N, gid=N; huge=, mpol=,
 * inode32, inode64 and noswap are accepted and ignored. A percentage is of the memory
 * file's size (the sandbox's memory). -EINVAL for an unknown option or a bad number.
 */
int tmpfs_parse_opts(const char *data, struct tmpfs_opts *o);
/* A new, empty tmpfs as tmpfs_new, with o's limits and root ownership. */
int tmpfs_new_opts(const struct tmpfs_opts *o, struct super_block **sb, struct inode **root);

#endif
