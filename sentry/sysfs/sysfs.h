/*
 * sysfs: a minimal /sys for the sandbox: the CPU topology files programs size thread
 * pools from (devices/system/cpu/{online,possible,present}) and an empty fs/cgroup.
 */
#ifndef SENTRY_SYSFS_SYSFS_H
#define SENTRY_SYSFS_SYSFS_H

struct super_block;
struct inode;

/* Registers the "sysfs" fs type for mount(2). Call once at boot. */
int sysfs_init(void);
/* A new sysfs instance: superblock and root (+1 each). */
int sysfs_new(struct super_block **sb, struct inode **root);

#endif
