/*
 * /dev: a small tmpfs holding the sentry's own character devices (null, zero, full,
 * random, urandom; tty, console and ptmx nodes), the /proc/self/fd symlinks, the pts
 * directory and /dev/shm (a tmpfs of its own). No host device is ever reachable through it.
 */
#ifndef FS_DEV_DEVFS_H
#define FS_DEV_DEVFS_H

struct super_block;
struct inode;
struct fs_view;

/* A new /dev tree: +1 sb and +1 root inode, to mount on /dev. */
int devfs_new(struct super_block **sb, struct inode **root);
/* Mounts a fresh tmpfs (mode 01777, nosuid, nodev) on the directory where, normally
 * "/dev/shm" once devfs is on /dev: POSIX shared memory and semaphores live there. */
int devfs_mount_shm(struct fs_view *v, const char *where);
/* Mounts devpts (nosuid, noexec) on dev's pts directory (dev is where devfs is). */
int devfs_mount_pts(struct fs_view *v, const char *dev);
/* Registers the memory devices with the VFS (devfs_new does it; idempotent). */
void devfs_register_devices(void);

#endif
