/*
 * /dev: a small tmpfs holding the sentry's own character devices (null, zero, full,
 * random, urandom), the /proc/self/fd symlinks and a /dev/shm directory. No host
 * device is ever reachable through it.
 */
#ifndef FS_DEV_DEVFS_H
#define FS_DEV_DEVFS_H

struct super_block;
struct inode;

/* A new /dev tree: +1 sb and +1 root inode, to mount on /dev. */
int devfs_new(struct super_block **sb, struct inode **root);
/* Registers the memory devices with the VFS (devfs_new does it; idempotent). */
void devfs_register_devices(void);

#endif
