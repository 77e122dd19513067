/*
 * The sandbox's mount table at boot: the root (an overlay over the gofer's tree, or the
 * tree itself), then the configured mounts in order, masked and read-only paths, and a
 * read-only root last.
 */
#ifndef SENTRY_MOUNTS_H
#define SENTRY_MOUNTS_H

struct sentry_config;
struct fs_view;

/* Builds the tree cfg describes; *out is a view whose root and cwd are its root. */
int mounts_build(const struct sentry_config *cfg, struct fs_view **out);

#endif
