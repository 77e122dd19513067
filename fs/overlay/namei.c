/*
 * Names in the merged tree: lookup (upper wins; a whiteout hides the lower; an upper
 * non-directory or an opaque directory hides the lower entirely), creation in the upper
 * layer (replacing a whiteout; a directory made there becomes opaque), removal (the
 * upper entry goes, a lower one gets a whiteout) and rename (the source is copied up,
 * a directory with lower content as a whole subtree, then renamed in the upper layer).
 */
#include <errno.h>
#include <stdio.h> /* RENAME_* */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/overlay/internal.h"

int ovl_lookup_locked(struct inode *dir, const char *name, struct inode **out)
{
	struct ovl_sb *osb = OSB(dir->sb);
	struct ovl_inode *od = OI(dir);
	struct inode *u = NULL, *l = NULL;
	int err;

	if (od->upper) {
		err = ovl_layer_lookup(od->upper, name, &u);
		if (err < 0 && err != -ENOENT)
			return err;
		if (err < 0)
			u = NULL;
		if (u && ovl_is_whiteout(u)) {
			inode_put(u);
			return -ENOENT;
		}
		if (u && (!S_ISDIR(u->mode) || ovl_meta_opaque(osb, u->ino)))
			goto make;
	}
	if (od->lower) {
		err = ovl_layer_lookup(od->lower, name, &l);
		if (err < 0 && err != -ENOENT) {
			inode_put(u);
			return err;
		}
		if (err < 0)
			l = NULL;
		/* an upper directory over a lower non-directory shows only itself */
		if (u && l && !S_ISDIR(l->mode)) {
			inode_put(l);
			l = NULL;
		}
	}
make:
	if (!u && !l)
		return -ENOENT;
	return ovl_inode_make(dir->sb, dir, name, u, l, out);
}

static int ovl_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct ovl_sb *osb = OSB(dir->sb);
	int err;

	pthread_rwlock_rdlock(&osb->ns_lock);
	err = ovl_lookup_locked(dir, name, out);
	pthread_rwlock_unlock(&osb->ns_lock);
	return err;
}

/* Removes a whiteout at name in upper directory udir, if there is one (*removed). */
static int remove_whiteout(struct inode *udir, const char *name, bool *removed)
{
	struct inode *u;
	int err;

	*removed = false;
	err = ovl_layer_lookup(udir, name, &u);
	if (err == -ENOENT)
		return 0;
	if (err < 0)
		return err;
	if (!ovl_is_whiteout(u)) {
		inode_put(u);
		return -EEXIST;
	}
	err = udir->iops->unlink(udir, name, u);
	inode_put(u);
	*removed = err == 0;
	return err;
}

/* Readies name in dir for a new upper entry: dir copied up, a whiteout there gone. */
static int create_prep(struct inode *dir, const char *name, bool *had_whiteout)
{
	int err = ovl_copy_up(dir, true);

	if (err < 0)
		return err;
	return remove_whiteout(OI(dir)->upper, name, had_whiteout);
}

/* Every creation: mode's type picks the upper op; target is for symlinks. */
static int ovl_make(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev,
		    const char *target, const struct vfs_cred *c, struct inode **out)
{
	struct ovl_sb *osb = OSB(dir->sb);
	struct inode *udir, *up;
	bool wo;
	int err;

	/* the overlay's own marker is not the guest's to make */
	if (S_ISCHR(mode) && rdev == 0)
		return -EPERM;
	pthread_rwlock_wrlock(&osb->ns_lock);
	err = create_prep(dir, name, &wo);
	if (err < 0)
		goto out_unlock;
	udir = OI(dir)->upper;
	if (target)
		err = udir->iops->symlink(udir, name, target, c, &up);
	else if (S_ISDIR(mode))
		err = udir->iops->mkdir(udir, name, mode, c, &up);
	else if (S_ISREG(mode))
		err = udir->iops->create(udir, name, mode, c, &up);
	else
		err = udir->iops->mknod(udir, name, mode, rdev, c, &up);
	if (err < 0) {
		if (wo)
			ovl_whiteout(udir, name);
		goto out_unlock;
	}
	/* a new directory where the lower had something must not show the lower's entries */
	if (S_ISDIR(mode) && (wo || ovl_lower_has(dir, name)))
		err = ovl_meta_set_opaque(osb, up->ino);
	if (err == 0)
		err = ovl_inode_make(dir->sb, dir, name, up, NULL, out);
	else
		inode_put(up);
	ovl_sync_attrs(dir);
out_unlock:
	pthread_rwlock_unlock(&osb->ns_lock);
	return err;
}

static int ovl_create(struct inode *dir, const char *name, uint32_t mode, const struct vfs_cred *c,
		      struct inode **out)
{
	return ovl_make(dir, name, S_IFREG | (mode & 07777), 0, NULL, c, out);
}

static int ovl_mkdir(struct inode *dir, const char *name, uint32_t mode, const struct vfs_cred *c,
		     struct inode **out)
{
	return ovl_make(dir, name, S_IFDIR | (mode & 07777), 0, NULL, c, out);
}

static int ovl_mknod(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev,
		     const struct vfs_cred *c, struct inode **out)
{
	return ovl_make(dir, name, mode, rdev, NULL, c, out);
}

static int ovl_symlink(struct inode *dir, const char *name, const char *target,
		       const struct vfs_cred *c, struct inode **out)
{
	return ovl_make(dir, name, S_IFLNK | 0777, 0, target, c, out);
}

/* A hard link to a lower file links its upper copy. */
static int ovl_link(struct inode *dir, const char *name, struct inode *target)
{
	struct ovl_sb *osb = OSB(dir->sb);
	struct inode *udir;
	bool wo = false;
	int err;

	if (target->sb != dir->sb)
		return -EXDEV;
	pthread_rwlock_wrlock(&osb->ns_lock);
	err = ovl_copy_up(target, true);
	if (err == 0)
		err = create_prep(dir, name, &wo);
	if (err < 0)
		goto out_unlock;
	udir = OI(dir)->upper;
	err = udir->iops->link(udir, name, OI(target)->upper);
	if (err < 0 && wo)
		ovl_whiteout(udir, name);
	ovl_sync_attrs(target);
	ovl_sync_attrs(dir);
out_unlock:
	pthread_rwlock_unlock(&osb->ns_lock);
	return err;
}

/* O_TMPFILE: an unnamed upper file; it never needs a copy-up, so it needs no name. */
static int ovl_tmpfile(struct inode *dir, uint32_t mode, const struct vfs_cred *c,
		       struct inode **out)
{
	struct ovl_sb *osb = OSB(dir->sb);
	struct inode *udir, *up;
	int err;

	pthread_rwlock_wrlock(&osb->ns_lock);
	err = ovl_copy_up(dir, true);
	if (err < 0)
		goto out_unlock;
	udir = OI(dir)->upper;
	if (!udir->iops->tmpfile) {
		err = -EOPNOTSUPP;
		goto out_unlock;
	}
	err = udir->iops->tmpfile(udir, mode, c, &up);
	if (err == 0)
		err = ovl_inode_make(dir->sb, dir, "", up, NULL, out);
out_unlock:
	pthread_rwlock_unlock(&osb->ns_lock);
	return err;
}

/* The victim of a removal or replacement lost its name (dir, name). */
static void forget_name(struct inode *dir, const char *name, struct inode *victim)
{
	struct ovl_sb *osb = OSB(dir->sb);
	struct ovl_inode *ov = OI(victim);

	if (!ov->upper || ov->upper->nlink == 0) {
		ov->unlinked = true;
		if (ov->upper)
			ovl_meta_drop(osb, ov->upper->ino);
	}
	if (ov->parent == dir && !strcmp(ov->name, name))
		ovl_reg_remove(osb, ov);
	ovl_sync_attrs(victim);
}

/* Whether removing victim (name in dir) must leave a whiteout: the lower has the name.
 * A victim still showing a lower inode came from there, which spares a lookup. */
static bool needs_whiteout(struct inode *dir, const char *name, struct inode *victim)
{
	if (!OI(dir)->lower)
		return false;
	return OI(victim)->lower || ovl_lower_has(dir, name);
}

/* Whether an overlay directory has entries in the merged view (whiteouts don't count). */
static int merged_empty(struct inode *dir)
{
	struct ovl_dirlist l = { 0 };
	int err = ovl_dir_list(dir, &l);

	if (err == 0 && l.n)
		err = -ENOTEMPTY;
	ovl_dirlist_free(&l);
	return err;
}

/* unlink and rmdir: the upper copy goes, and a whiteout hides any lower one. */
static int ovl_remove(struct inode *dir, const char *name, struct inode *victim, bool is_dir)
{
	struct ovl_sb *osb = OSB(dir->sb);
	struct inode *udir, *vup;
	bool need_wo;
	int err;

	pthread_rwlock_wrlock(&osb->ns_lock);
	err = is_dir ? merged_empty(victim) : 0;
	if (err == 0)
		err = ovl_copy_up(dir, true);
	if (err < 0)
		goto out_unlock;
	udir = OI(dir)->upper;
	vup = OI(victim)->upper;
	need_wo = needs_whiteout(dir, name, victim);
	if (vup) {
		if (is_dir) {
			/* only whiteouts are left: they go with it */
			err = ovl_purge_whiteouts(vup);
			if (err == 0)
				err = udir->iops->rmdir(udir, name, vup);
		} else {
			err = udir->iops->unlink(udir, name, vup);
		}
		if (err < 0)
			goto out_unlock;
	}
	if (need_wo)
		err = ovl_whiteout(udir, name);
	forget_name(dir, name, victim);
	ovl_sync_attrs(dir);
out_unlock:
	pthread_rwlock_unlock(&osb->ns_lock);
	return err;
}

static int ovl_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	return ovl_remove(dir, name, victim, false);
}

static int ovl_rmdir(struct inode *dir, const char *name, struct inode *victim)
{
	return ovl_remove(dir, name, victim, true);
}

/* The overlay inode for (dir, name): the live one if the cache holds it. +1. */
static int find_child(struct inode *dir, const char *name, struct inode **out)
{
	*out = ovl_reg_find(OSB(dir->sb), dir, name);
	return *out ? 0 : ovl_lookup_locked(dir, name, out);
}

/* Everything a renamed object needs in the upper layer first. */
static int rename_copy_up(struct inode *inode)
{
	if (S_ISDIR(inode->mode) && OI(inode)->lower)
		return ovl_copy_up_tree(inode);
	return ovl_copy_up(inode, true);
}

static int rename_exchange(struct inode *odir, const char *oname, struct inode *ndir,
			   const char *nname, struct inode *s, struct inode *t)
{
	struct ovl_sb *osb = OSB(odir->sb);
	struct inode *ou = OI(odir)->upper, *nu = OI(ndir)->upper;
	int err;

	err = rename_copy_up(s);
	if (err == 0)
		err = rename_copy_up(t);
	if (err == 0 && S_ISDIR(s->mode) && ovl_lower_has(ndir, nname))
		err = ovl_meta_set_opaque(osb, OI(s)->upper->ino);
	if (err == 0 && S_ISDIR(t->mode) && ovl_lower_has(odir, oname))
		err = ovl_meta_set_opaque(osb, OI(t)->upper->ino);
	if (err == 0)
		err = ou->iops->rename(ou, oname, nu, nname, RENAME_EXCHANGE);
	if (err < 0)
		return err;
	ovl_reg_move(osb, OI(s), ndir, nname);
	ovl_reg_move(osb, OI(t), odir, oname);
	ovl_sync_attrs(s);
	ovl_sync_attrs(t);
	return 0;
}

static int rename_plain(struct inode *odir, const char *oname, struct inode *ndir,
			const char *nname, struct inode *s, struct inode *t, unsigned flags)
{
	struct ovl_sb *osb = OSB(odir->sb);
	struct inode *ou = OI(odir)->upper, *nu = OI(ndir)->upper;
	bool old_wo, wo_removed = false;
	int err;

	err = rename_copy_up(s);
	if (err < 0)
		return err;
	if (t && S_ISDIR(t->mode)) {
		err = merged_empty(t);
		if (err == 0 && OI(t)->upper)
			err = ovl_purge_whiteouts(OI(t)->upper);
	} else if (!t) {
		err = remove_whiteout(nu, nname, &wo_removed);
	}
	if (err < 0)
		return err;
	/* a directory moving over a lower name hides what the lower has there */
	if (S_ISDIR(s->mode) && (wo_removed || ovl_lower_has(ndir, nname)))
		err = ovl_meta_set_opaque(osb, OI(s)->upper->ino);
	old_wo = ovl_lower_has(odir, oname);
	if (err == 0)
		err = ou->iops->rename(ou, oname, nu, nname, flags & RENAME_NOREPLACE);
	if (err < 0) {
		if (wo_removed)
			ovl_whiteout(nu, nname);
		return err;
	}
	if (old_wo)
		err = ovl_whiteout(ou, oname);
	if (t)
		forget_name(ndir, nname, t);
	ovl_reg_move(osb, OI(s), ndir, nname);
	ovl_sync_attrs(s);
	return err;
}

static int ovl_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
		      unsigned flags)
{
	struct ovl_sb *osb = OSB(odir->sb);
	struct inode *s = NULL, *t = NULL;
	int err;

	if (odir->sb != ndir->sb)
		return -EXDEV;
	pthread_rwlock_wrlock(&osb->ns_lock);
	err = find_child(odir, oname, &s);
	if (err < 0)
		goto out_unlock;
	err = find_child(ndir, nname, &t);
	if (err == -ENOENT) {
		t = NULL;
		err = 0;
	}
	if (err == 0)
		err = ovl_copy_up(odir, true);
	if (err == 0)
		err = ovl_copy_up(ndir, true);
	if (err < 0)
		goto out_unlock;
	if (flags & RENAME_EXCHANGE)
		err = t ? rename_exchange(odir, oname, ndir, nname, s, t) : -ENOENT;
	else
		err = rename_plain(odir, oname, ndir, nname, s, t, flags);
	ovl_sync_attrs(odir);
	if (ndir != odir)
		ovl_sync_attrs(ndir);
out_unlock:
	pthread_rwlock_unlock(&osb->ns_lock);
	inode_put(s);
	inode_put(t);
	return err;
}

const struct inode_ops ovl_iops = {
	.lookup = ovl_lookup,
	.create = ovl_create,
	.mkdir = ovl_mkdir,
	.mknod = ovl_mknod,
	.symlink = ovl_symlink,
	.link = ovl_link,
	.unlink = ovl_unlink,
	.rmdir = ovl_rmdir,
	.rename = ovl_rename,
	.readlink = ovl_readlink,
	.getattr = ovl_getattr,
	.setattr = ovl_setattr,
	.open = ovl_open,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.removexattr = ovl_removexattr,
	.tmpfile = ovl_tmpfile,
};
