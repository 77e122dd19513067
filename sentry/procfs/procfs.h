/*
 * procfs: the sandbox's /proc. Shows the sandbox's own processes only, numbered by its
 * pid space, and a Linux-like system view (meminfo, cpuinfo, stat, sys/...) built on
 * the synthetic-filesystem layer (fs/synth).
 */
#ifndef SENTRY_PROCFS_PROCFS_H
#define SENTRY_PROCFS_PROCFS_H

struct kernel;
struct super_block;
struct inode;

/* Registers the "proc" fs type for mount(2) and binds procfs to k. Call once at boot. */
int procfs_init(struct kernel *k);
/* A new procfs instance: superblock and root (+1 each). */
int procfs_new(struct super_block **sb, struct inode **root);

#endif
