/*
 * A tmpfs-rooted VFS for unit tests: the fixture mounts a fresh tmpfs as the root of a
 * new fs view, and fix_teardown drops it and checks that no VFS object and no
 * memory-file page outlived it.
 */
#ifndef TESTS_UNIT_FS_FSFIX_H
#define TESTS_UNIT_FS_FSFIX_H

#include <stddef.h>
#include <sys/types.h>

#include "fs/vfs/vfs.h"

struct fsfix {
	struct fs_view *v;
};

/* ASSERTs its way through: a test never sees a half-built fixture. */
void fix_setup(struct fsfix *fx);
/* Puts the view and EXPECTs zero live objects and no memory-file pages in use. */
void fix_teardown(struct fsfix *fx);
/* Mounts a new tmpfs (size_limit bytes, 0 = none) on the directory at path. */
int fix_mount_tmpfs(struct fsfix *fx, const char *path, uint64_t size_limit);

int fix_open(struct fsfix *fx, const char *path, int flags, struct file **out);
int fix_mkdir(struct fsfix *fx, const char *path);
int fix_symlink(struct fsfix *fx, const char *target, const char *path);
/* Creates (or truncates) path with content s. */
int fix_write_file(struct fsfix *fx, const char *path, const char *s);
/* Reads path into buf (NUL-terminated, at most len - 1 bytes): length or -errno. */
ssize_t fix_read_file(struct fsfix *fx, const char *path, char *buf, size_t len);
ssize_t fix_write(struct file *f, const void *buf, size_t len, int64_t *pos);
ssize_t fix_read(struct file *f, void *buf, size_t len, int64_t *pos);
/* The cwd as getcwd would say it, into buf: length incl. NUL or -errno. */
ssize_t fix_getcwd(struct fsfix *fx, char *buf, size_t len);
int fix_chdir(struct fsfix *fx, const char *path);

#endif
