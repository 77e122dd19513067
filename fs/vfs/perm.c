/*
 * Permission checks with Linux's rules: owner / group (incl. supplementary) / other
 * mode bits, then CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH; read-only mounts; the
 * sticky bit on removal.
 */
#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fs/vfs/internal.h"

bool cred_in_group(const struct vfs_cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (uint32_t i = 0; i < c->ngroups; i++) {
		if (c->groups[i] == gid)
			return true;
	}
	return false;
}

bool cred_owns(const struct vfs_cred *c, const struct inode *inode)
{
	return !c || c->fsuid == inode->uid || c->cap_fowner;
}

bool vfs_mnt_readonly(const struct mount *mnt, const struct inode *inode)
{
	if (mnt && (mnt->flags & MS_RDONLY))
		return true;
	return inode && (inode->sb->flags & MS_RDONLY);
}

static bool ro_applies(uint32_t mode)
{
	return S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode);
}

int vfs_permission(struct inode *inode, int mask, const struct vfs_cred *c)
{
	uint32_t mode = inode->mode, bits;

	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if ((mask & MAY_WRITE) && (inode->sb->flags & MS_RDONLY) && ro_applies(mode))
		return -EROFS;
	if (!c)
		return 0;
	if (c->fsuid == inode->uid)
		bits = mode >> 6;
	else if (cred_in_group(c, inode->gid))
		bits = mode >> 3;
	else
		bits = mode;
	if ((mask & ~bits & 7) == 0)
		return 0;
	if (S_ISDIR(mode)) {
		if (c->cap_dac_override)
			return 0;
		if (!(mask & MAY_WRITE) && c->cap_dac_read_search)
			return 0;
		return -EACCES;
	}
	/* Even CAP_DAC_OVERRIDE only executes files that someone may execute. */
	if (c->cap_dac_override && (!(mask & MAY_EXEC) || (mode & 0111)))
		return 0;
	if (mask == MAY_READ && c->cap_dac_read_search)
		return 0;
	return -EACCES;
}

int may_lookup(struct inode *dir, const struct vfs_cred *c)
{
	return vfs_permission(dir, MAY_EXEC, c);
}

int may_create(const struct path *dir, const struct vfs_cred *c)
{
	if (vfs_mnt_readonly(dir->mnt, dir->dentry->inode))
		return -EROFS;
	return vfs_permission(dir->dentry->inode, MAY_WRITE | MAY_EXEC, c);
}

int may_delete(const struct path *dir, struct inode *victim, const struct vfs_cred *c)
{
	struct inode *di = dir->dentry->inode;
	int err;

	if (vfs_mnt_readonly(dir->mnt, di))
		return -EROFS;
	err = vfs_permission(di, MAY_WRITE | MAY_EXEC, c);
	if (err < 0)
		return err;
	if (c && (di->mode & S_ISVTX) && c->fsuid != victim->uid && c->fsuid != di->uid &&
	    !c->cap_fowner)
		return -EPERM;
	return 0;
}
