/*
 * The registry of filesystem types mount(2) can name. Types register once at boot
 * (before any guest runs) and never go away, so lookups need no references.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mount.h>

#include "fs/vfs/vfs.h"

#define MAX_FSTYPES 32
/* Flags that describe the superblock rather than the mount. */
#define MS_SB_FLAGS                                                                        \
	(MS_RDONLY | MS_SYNCHRONOUS | MS_MANDLOCK | MS_DIRSYNC | MS_SILENT | MS_POSIXACL | \
	 MS_LAZYTIME | MS_I_VERSION)
#define MS_ATIME_FLAGS (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)

static const struct fs_type *types[MAX_FSTYPES];
static int ntypes;
static pthread_mutex_t types_lock = PTHREAD_MUTEX_INITIALIZER;

int vfs_register_fstype(const struct fs_type *t)
{
	int err = 0;

	pthread_mutex_lock(&types_lock);
	for (int i = 0; i < ntypes; i++) {
		if (strcmp(types[i]->name, t->name) == 0)
			err = -EEXIST;
	}
	if (!err && ntypes == MAX_FSTYPES)
		err = -ENOSPC;
	if (!err)
		types[ntypes++] = t;
	pthread_mutex_unlock(&types_lock);
	return err;
}

const struct fs_type *vfs_fstype_lookup(const char *name)
{
	const struct fs_type *found = NULL;

	pthread_mutex_lock(&types_lock);
	for (int i = 0; i < ntypes && !found; i++) {
		if (strcmp(types[i]->name, name) == 0)
			found = types[i];
	}
	pthread_mutex_unlock(&types_lock);
	return found;
}

void vfs_fstype_iterate(void (*fn)(const struct fs_type *t, void *arg), void *arg)
{
	const struct fs_type *snap[MAX_FSTYPES];
	int n;

	pthread_mutex_lock(&types_lock);
	n = ntypes;
	memcpy(snap, types, sizeof(*types) * (size_t)n);
	pthread_mutex_unlock(&types_lock);
	for (int i = 0; i < n; i++)
		fn(snap[i], arg);
}

int vfs_mount_fstype(const struct path *mp, const char *fstype, const char *source,
		     unsigned long flags, unsigned mflags, const char *data)
{
	const struct fs_type *type;
	struct super_block *sb;
	struct inode *root;
	int ret;

	if (!fstype)
		return -EINVAL;
	type = vfs_fstype_lookup(fstype);
	if (!type)
		return -ENODEV;
	ret = type->mount(source, flags & MS_SB_FLAGS, data, &sb, &root);
	if (ret < 0)
		return ret;
	ret = vfs_mount_new(mp, sb, root, mflags, source);
	inode_put(root);
	sb_put(sb);
	return ret;
}

/* A remount that names no atime flag keeps the mount's own. */
unsigned vfs_mount_flags(const struct path *target, unsigned long flags)
{
	unsigned m = (unsigned)flags & VFS_MNT_FLAGS_MASK;

	if ((flags & MS_REMOUNT) && !(flags & MS_ATIME_FLAGS))
		return m | (target->mnt->flags & MS_ATIME_FLAGS);
	if (!(flags & MS_NOATIME))
		m |= MS_RELATIME;
	if (flags & MS_STRICTATIME)
		m &= ~(unsigned)(MS_RELATIME | MS_NOATIME);
	return m;
}
