/*
 * hostfs: a read-only view of a host directory tree, served by host syscalls made in
 * this folder only (a later gofer process takes them over). Host paths are never
 * resolved as strings: each component is opened O_PATH|O_NOFOLLOW relative to its
 * parent's fd, so the VFS resolves every symlink inside the sandbox's root.
 */
#ifndef FS_HOSTFS_HOSTFS_H
#define FS_HOSTFS_HOSTFS_H

struct super_block;
struct inode;

/* A read-only (MS_RDONLY) filesystem over host directory host_root: +1 sb and +1
 * root inode. Host pseudo-filesystems under it (proc, sys, cgroup, debugfs...) show
 * as empty directories so the sentry's own /proc/self never leaks to a guest. */
int hostfs_new(const char *host_root, struct super_block **sb, struct inode **root);

#endif
