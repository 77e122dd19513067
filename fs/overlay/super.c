/*
 * The overlay superblock and its inodes: making an overlay inode over its real inodes,
 * mirroring their attributes (with the overlay's own st_dev and a st_ino that survives
 * copy-up), eviction, statfs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fs/overlay/internal.h"
#include "fs/overlay/overlay.h"

/* The number stat reports: the lower's (also after copy-up), else the upper's, marked. */
static uint64_t ovl_ino(struct ovl_inode *oi)
{
	if (oi->has_origin)
		return oi->origin_ino;
	if (oi->lower)
		return oi->lower->ino;
	return oi->upper->ino | OVL_UPPER_INO_BIT;
}

void ovl_sync_from(struct inode *inode, struct inode *real)
{
	struct ovl_inode *oi = OI(inode);
	struct kstat st;

	vfs_fill_kstat(real, &st);
	pthread_mutex_lock(&inode->lock);
	inode->mode = (inode->mode & S_IFMT) | (st.mode & 07777);
	inode->uid = st.uid;
	inode->gid = st.gid;
	inode->rdev = st.rdev;
	inode->size = st.size;
	inode->blocks = st.blocks;
	inode->atime = st.atime;
	inode->mtime = st.mtime;
	inode->ctime = st.ctime;
	inode->btime = st.btime;
	if (oi->unlinked)
		inode->nlink = 0;
	else if (S_ISDIR(inode->mode) && oi->upper && oi->lower)
		inode->nlink = 1; /* a merged directory's link count is unknown, as on Linux */
	else
		inode->nlink = st.nlink;
	inode->ino = ovl_ino(oi);
	pthread_mutex_unlock(&inode->lock);
}

void ovl_sync_attrs(struct inode *inode)
{
	ovl_sync_from(inode, ovl_real(inode));
}

int ovl_inode_make(struct super_block *sb, struct inode *parent, const char *name,
		   struct inode *upper, struct inode *lower, struct inode **out)
{
	struct inode *real = upper ? upper : lower;
	struct ovl_inode *oi = calloc(1, sizeof(*oi));
	const struct ovl_meta *m;
	struct inode *inode;

	if (!oi || !(oi->name = strdup(name)) || !(inode = inode_new(sb, real->mode & S_IFMT))) {
		if (oi)
			free(oi->name);
		free(oi);
		inode_put(upper);
		inode_put(lower);
		return -ENOMEM;
	}
	oi->vfs = inode;
	oi->upper = upper;
	/* a copied-up non-directory shadows its lower completely */
	if (upper && lower && !S_ISDIR(upper->mode)) {
		inode_put(lower);
		lower = NULL;
	}
	oi->lower = lower;
	if (parent)
		inode_get(parent);
	oi->parent = parent;
	if (upper && (m = ovl_meta_find(OSB(sb), upper->ino)) && m->has_origin) {
		oi->has_origin = true;
		oi->origin_ino = m->origin_ino;
	} else if (upper && lower) {
		oi->has_origin = true;
		oi->origin_ino = lower->ino;
	}
	inode->priv = oi;
	inode->iops = &ovl_iops;
	if (S_ISDIR(inode->mode))
		inode->fops = &ovl_dir_fops;
	else if (S_ISREG(inode->mode))
		inode->fops = &ovl_file_fops;
	ovl_sync_attrs(inode);
	ovl_reg_add(OSB(sb), oi);
	*out = inode;
	return 0;
}

static void ovl_evict(struct inode *inode)
{
	struct ovl_inode *oi = OI(inode);

	if (!oi)
		return;
	ovl_reg_remove(OSB(inode->sb), oi);
	inode_put(oi->upper);
	inode_put(oi->lower);
	inode_put(oi->parent);
	free(oi->name);
	free(oi);
	inode->priv = NULL;
}

/* The upper layer's numbers: that is where new data goes (Linux reports the same). */
static int ovl_statfs(struct super_block *sb, struct statfs *out)
{
	struct super_block *usb = OSB(sb)->upper_root->sb;
	int err = 0;

	if (usb->ops && usb->ops->statfs)
		err = usb->ops->statfs(usb, out);
	if (err < 0)
		return err;
	out->f_type = OVL_SUPER_MAGIC;
	out->f_fsid.__val[0] = (int)sb->dev;
	out->f_fsid.__val[1] = 0;
	return 0;
}

static void ovl_put_super(struct super_block *sb)
{
	struct ovl_sb *osb = OSB(sb);

	inode_put(osb->upper_root);
	inode_put(osb->lower_root);
	ovl_tables_free(osb);
	pthread_rwlock_destroy(&osb->ns_lock);
	pthread_mutex_destroy(&osb->reg_lock);
	free(osb);
}

static const struct super_ops ovl_sops = {
	.put_super = ovl_put_super,
	.statfs = ovl_statfs,
	.evict_inode = ovl_evict,
};

int ovl_new(struct inode *upper_root, struct inode *lower_root, struct super_block **sbp,
	    struct inode **rootp)
{
	struct iattr ia = { .valid = ATTR_MODE | ATTR_UID | ATTR_GID };
	struct ovl_sb *osb;
	struct super_block *sb;
	int err;

	if (!S_ISDIR(upper_root->mode) || !S_ISDIR(lower_root->mode))
		return -ENOTDIR;
	if (!upper_root->iops || !upper_root->iops->mkdir || !upper_root->iops->mknod)
		return -EINVAL; /* the upper layer must be able to hold copies and whiteouts */
	osb = calloc(1, sizeof(*osb));
	if (!osb)
		return -ENOMEM;
	pthread_rwlock_init(&osb->ns_lock, NULL);
	pthread_mutex_init(&osb->reg_lock, NULL);
	inode_get(upper_root);
	inode_get(lower_root);
	osb->upper_root = upper_root;
	osb->lower_root = lower_root;
	sb = sb_new(&ovl_sops, "overlay", 0);
	if (!sb) {
		ovl_put_super(&(struct super_block){ .priv = osb });
		return -ENOMEM;
	}
	sb->priv = osb;
	/* the overlay changes only through the VFS; whatever the lower may cache, so may we */
	sb->dcache = lower_root->sb->dcache;
	/* "/" looks like the host's "/" */
	ia.mode = lower_root->mode & 07777;
	ia.uid = lower_root->uid;
	ia.gid = lower_root->gid;
	if (upper_root->iops->setattr) {
		err = upper_root->iops->setattr(upper_root, &ia);
		if (err < 0)
			goto out_put_sb;
	}
	inode_get(upper_root);
	inode_get(lower_root);
	err = ovl_inode_make(sb, NULL, "/", upper_root, lower_root, rootp);
	if (err < 0)
		goto out_put_sb;
	*sbp = sb;
	return 0;
out_put_sb:
	sb_put(sb);
	return err;
}
