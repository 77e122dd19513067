/*
 * memfd_create(2) files and file sealing: an unnamed tmpfs file on the sentry's internal
 * memfd tmpfs (shm_mnt in Linux), whose seals (fcntl F_ADD_SEALS / F_GET_SEALS) tmpfs
 * enforces on write, truncate and fallocate, and the mm on shared writable mappings.
 * Every tmpfs regular file has seals (F_SEAL_SEAL only, unless a memfd allows sealing),
 * as every shmem file has on Linux.
 */
#ifndef FS_TMPFS_MEMFD_H
#define FS_TMPFS_MEMFD_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/vfs/vfs.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#define MEMFD_ALL_SEALS                                                                   \
	(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | \
	 F_SEAL_EXEC)
#define MEMFD_NAME_MAX 249 /* NAME_MAX - strlen("memfd:") */

/*
 * A new memfd named "memfd:name" (name at most MEMFD_NAME_MAX bytes), opened O_RDWR
 * (plus O_LARGEFILE), owned by c, mode 0777 & ~0111 when noexec. sealable: seals may be
 * added (MFD_ALLOW_SEALING); noexec: MFD_NOEXEC_SEAL (F_SEAL_EXEC set). +1 file in *out.
 * 0, -EINVAL (name too long), -ENOMEM, -ENOSPC.
 */
int memfd_new(const char *name, bool sealable, bool noexec, const struct vfs_cred *c,
	      struct file **out);

/* The seals of f (a tmpfs regular file), or -EINVAL for any other file (F_GET_SEALS). */
long memfd_get_seals(struct file *f);

/*
 * F_ADD_SEALS: adds seals to f. mapped_writable(inode) answers whether a writable shared
 * mapping of the inode exists (the mm's, which fs/ cannot call): asked after F_SEAL_WRITE
 * is already in force, so no new one can appear meanwhile. 0, -EINVAL (not a tmpfs file,
 * unknown seals), -EPERM (not open for writing, F_SEAL_SEAL set), -EBUSY (F_SEAL_WRITE
 * with a writable shared mapping).
 */
long memfd_add_seals(struct file *f, unsigned seals, bool (*mapped_writable)(struct inode *));

/* The seals of f if it is a tmpfs file, else 0 (the mm's check of a shared mapping). */
unsigned memfd_file_seals(struct file *f);

#endif
