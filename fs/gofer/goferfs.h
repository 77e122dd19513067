/*
 * goferfs: a filesystem whose every host object is reached through the gofer process
 * (fs/gofer/client.h), never opened by the sentry itself. Regular files are read and
 * written on host fds the gofer donates; everything else is a protocol call. A drop-in for
 * what the read-only host filesystem was, plus writes when the gofer serves them.
 */
#ifndef FS_GOFER_GOFERFS_H
#define FS_GOFER_GOFERFS_H

#include <stdbool.h>

struct gofer_client;
struct super_block;
struct inode;

/*
 * A filesystem over the gofer behind c (c is taken over, also on failure: the superblock
 * frees it on its last put): +1 sb and +1 root inode. readonly makes it MS_RDONLY (a
 * read-only gofer answers -EROFS anyway).
 */
int goferfs_new(struct gofer_client *c, bool readonly, struct super_block **sb,
		struct inode **root);

#endif
