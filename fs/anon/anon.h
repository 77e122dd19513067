/*
 * Anonymous inodes (Linux's anon_inodefs): the files of eventfd, timerfd, signalfd and
 * the like, which no path names. A file has an inode of its own (so fstat works) and no
 * path; its superblock's fstype is its kind, which /proc/[pid]/fd shows as
 * "anon_inode:[kind]", and which cannot be reopened through that link (-ENXIO).
 */
#ifndef FS_ANON_ANON_H
#define FS_ANON_ANON_H

#include <stdint.h>

struct file;
struct file_ops;

/*
 * A new file of kind ("eventfd", a string literal: kinds are told apart by it), owned by
 * uid/gid, with flags (O_RDWR, O_NONBLOCK...), fops and priv. The file's release op owns
 * priv from then on. 0 and *out (+1), or -ENOMEM (priv not released).
 */
int anon_file_new(const char *kind, const struct file_ops *fops, void *priv, unsigned flags,
		  uint32_t uid, uint32_t gid, struct file **out);

/* llseek for files without a position (Linux's noop_llseek): the position, unchanged. */
int64_t anon_llseek_noop(struct file *f, int64_t off, int whence);

#endif
