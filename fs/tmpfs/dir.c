/*
 * tmpfs directories: entries in a cookie-ordered list (what getdents walks, so a
 * position stays valid across unlinks) plus a hash table by name (what lookup uses),
 * and the namespace operations on them.
 */
#include <errno.h>
#include <stdio.h> /* RENAME_* */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/tmpfs/internal.h"

static uint32_t name_hash(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return h;
}

static struct tmpfs_dirent *dir_find(struct tmpfs_node *dn, const char *name)
{
	struct tmpfs_dirent *de;
	uint32_t h;

	if (!dn->nbuckets)
		return NULL;
	h = name_hash(name);
	for (de = dn->buckets[h & (dn->nbuckets - 1)]; de; de = de->hnext) {
		if (de->hash == h && !strcmp(de->name, name))
			return de;
	}
	return NULL;
}

/* Doubles the table when it gets crowded; on ENOMEM the old one keeps working. */
static void dir_grow(struct tmpfs_node *dn)
{
	uint64_t nb = dn->nbuckets ? dn->nbuckets * 2 : 16;
	struct tmpfs_dirent **b, *de;

	if (dn->nentries < dn->nbuckets)
		return;
	b = calloc(nb, sizeof(*b));
	if (!b)
		return;
	list_for_each_entry(de, &dn->entries, node) {
		de->hnext = b[de->hash & (nb - 1)];
		b[de->hash & (nb - 1)] = de;
	}
	free(dn->buckets);
	dn->buckets = b;
	dn->nbuckets = nb;
}

static struct tmpfs_dirent *dirent_new(const char *name)
{
	size_t len = strlen(name);
	struct tmpfs_dirent *de = malloc(sizeof(*de) + len + 1);

	if (!de)
		return NULL;
	memcpy(de->name, name, len + 1);
	de->hash = name_hash(name);
	de->inode = NULL;
	de->hnext = NULL;
	return de;
}

/* Makes room for one more entry before anything changes, so inserting can't fail. */
static int dir_reserve(struct inode *dir)
{
	struct tmpfs_node *dn = TNODE(dir);

	dir_grow(dn);
	return dn->nbuckets ? 0 : -ENOMEM;
}

/* Inserts de (its inode reference travels with it) into dir. Under ns_lock (write),
 * after dir_reserve. */
static void dir_insert(struct inode *dir, struct tmpfs_dirent *de)
{
	struct tmpfs_node *dn = TNODE(dir);
	uint64_t b = de->hash & (dn->nbuckets - 1);

	de->cookie = dn->next_cookie++;
	list_add_tail(&de->node, &dn->entries);
	de->hnext = dn->buckets[b];
	dn->buckets[b] = de;
	dn->nentries++;
	pthread_mutex_lock(&dir->lock);
	dir->size += TMPFS_BOGO_DIRENT;
	tmpfs_touch(dir, true);
	pthread_mutex_unlock(&dir->lock);
}

/* Unlinks de from dir (the caller owns it and its inode reference). */
static void dir_remove(struct inode *dir, struct tmpfs_dirent *de)
{
	struct tmpfs_node *dn = TNODE(dir);
	struct tmpfs_dirent **pp = &dn->buckets[de->hash & (dn->nbuckets - 1)];

	while (*pp != de)
		pp = &(*pp)->hnext;
	*pp = de->hnext;
	list_del(&de->node);
	dn->nentries--;
	pthread_mutex_lock(&dir->lock);
	dir->size -= TMPFS_BOGO_DIRENT;
	tmpfs_touch(dir, true);
	pthread_mutex_unlock(&dir->lock);
}

static void nlink_add(struct inode *inode, int delta);

/* A non-directory lost a name: an extra name gives back its nr_inodes slot (the last
 * one is given back when the inode is evicted). */
static void drop_name(struct inode *victim)
{
	if (victim->nlink > 1)
		tmpfs_inode_unreserve(victim->sb);
	nlink_add(victim, -1);
}

static void nlink_add(struct inode *inode, int delta)
{
	pthread_mutex_lock(&inode->lock);
	inode->nlink += delta;
	tmpfs_touch(inode, false);
	pthread_mutex_unlock(&inode->lock);
}

static void touch_dir(struct inode *dir)
{
	pthread_mutex_lock(&dir->lock);
	tmpfs_touch(dir, true);
	pthread_mutex_unlock(&dir->lock);
}

void tmpfs_dir_destroy(struct tmpfs_node *n)
{
	struct tmpfs_dirent *de, *tmp;

	list_for_each_entry_safe(de, tmp, &n->entries, node) {
		inode_put(de->inode);
		free(de);
	}
	free(n->buckets);
	n->buckets = NULL;
}

static int tmpfs_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct tmpfs_sb *tsb = TSB(dir->sb);
	struct tmpfs_dirent *de;
	int err = -ENOENT;

	pthread_rwlock_rdlock(&tsb->ns_lock);
	de = dir_find(TNODE(dir), name);
	if (de) {
		inode_get(de->inode);
		*out = de->inode;
		err = 0;
	}
	pthread_rwlock_unlock(&tsb->ns_lock);
	return err;
}

static int tmpfs_mknod(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev,
		       const struct vfs_cred *c, struct inode **out)
{
	struct tmpfs_sb *tsb = TSB(dir->sb);
	struct tmpfs_dirent *de;
	struct inode *inode;
	int err = 0;

	de = dirent_new(name);
	if (!de)
		return -ENOMEM;
	pthread_rwlock_wrlock(&tsb->ns_lock);
	if (dir->nlink == 0) {
		err = -ENOENT; /* the directory was removed */
		goto out_unlock;
	}
	if (dir_find(TNODE(dir), name)) {
		err = -EEXIST;
		goto out_unlock;
	}
	err = dir_reserve(dir);
	if (err < 0)
		goto out_unlock;
	err = tmpfs_inode_new(dir->sb, mode, rdev, c, dir, &inode);
	if (err < 0)
		goto out_unlock;
	inode_get(inode);
	de->inode = inode;
	dir_insert(dir, de);
	de = NULL;
	if (S_ISDIR(mode))
		nlink_add(dir, 1);
	*out = inode;
out_unlock:
	pthread_rwlock_unlock(&tsb->ns_lock);
	free(de);
	return err;
}

/* O_TMPFILE: a regular file in no directory (nlink 0) until linkat names it. */
static int tmpfs_tmpfile(struct inode *dir, uint32_t mode, const struct vfs_cred *c,
			 struct inode **out)
{
	int err = tmpfs_inode_new(dir->sb, S_IFREG | (mode & 07777), 0, c, dir, out);

	if (err < 0)
		return err;
	(*out)->nlink = 0;
	/* linkat may name it; the VFS clears this for O_EXCL (on the inode it hands out,
	 * which is an overlay's own when this is its upper layer) */
	(*out)->linkable = true;
	return 0;
}

static int tmpfs_create(struct inode *dir, const char *name, uint32_t mode,
			const struct vfs_cred *c, struct inode **out)
{
	return tmpfs_mknod(dir, name, S_IFREG | (mode & 07777), 0, c, out);
}

static int tmpfs_mkdir(struct inode *dir, const char *name, uint32_t mode, const struct vfs_cred *c,
		       struct inode **out)
{
	return tmpfs_mknod(dir, name, S_IFDIR | (mode & 07777), 0, c, out);
}

static int tmpfs_symlink(struct inode *dir, const char *name, const char *target,
			 const struct vfs_cred *c, struct inode **out)
{
	char *t = strdup(target);
	struct inode *inode;
	int err;

	if (!t)
		return -ENOMEM;
	err = tmpfs_mknod(dir, name, S_IFLNK | 0777, 0, c, &inode);
	if (err < 0) {
		free(t);
		return err;
	}
	pthread_mutex_lock(&inode->lock);
	TNODE(inode)->target = t;
	inode->size = (int64_t)strlen(t);
	pthread_mutex_unlock(&inode->lock);
	*out = inode;
	return 0;
}

static int tmpfs_link(struct inode *dir, const char *name, struct inode *target)
{
	struct tmpfs_sb *tsb = TSB(dir->sb);
	struct tmpfs_dirent *de = dirent_new(name);
	int err = 0;

	if (!de)
		return -ENOMEM;
	pthread_rwlock_wrlock(&tsb->ns_lock);
	if (dir->nlink == 0 || (target->nlink == 0 && !target->linkable)) {
		err = -ENOENT;
		goto out_unlock;
	}
	if (dir_find(TNODE(dir), name)) {
		err = -EEXIST;
		goto out_unlock;
	}
	err = dir_reserve(dir);
	if (err < 0)
		goto out_unlock;
	/* like Linux's tmpfs, every extra name of a file counts against nr_inodes */
	if (target->nlink > 0) {
		err = tmpfs_inode_reserve(dir->sb);
		if (err < 0)
			goto out_unlock;
	}
	inode_get(target);
	de->inode = target;
	dir_insert(dir, de);
	de = NULL;
	nlink_add(target, 1);
	pthread_mutex_lock(&target->lock);
	target->linkable = false; /* named now: an O_TMPFILE file is linked once */
	pthread_mutex_unlock(&target->lock);
out_unlock:
	pthread_rwlock_unlock(&tsb->ns_lock);
	free(de);
	return err;
}

static int tmpfs_remove(struct inode *dir, const char *name, struct inode *victim, bool rmdir)
{
	struct tmpfs_sb *tsb = TSB(dir->sb);
	struct tmpfs_dirent *de;
	int err = 0;

	pthread_rwlock_wrlock(&tsb->ns_lock);
	de = dir_find(TNODE(dir), name);
	if (!de || de->inode != victim) {
		err = -ENOENT;
		goto out_unlock;
	}
	if (rmdir) {
		if (!S_ISDIR(victim->mode)) {
			err = -ENOTDIR;
			goto out_unlock;
		}
		if (TNODE(victim)->nentries) {
			err = -ENOTEMPTY;
			goto out_unlock;
		}
	} else if (S_ISDIR(victim->mode)) {
		err = -EISDIR;
		goto out_unlock;
	}
	dir_remove(dir, de);
	if (rmdir) {
		nlink_add(victim, -(int)victim->nlink);
		nlink_add(dir, -1);
	} else {
		drop_name(victim);
	}
out_unlock:
	pthread_rwlock_unlock(&tsb->ns_lock);
	if (err == 0) {
		inode_put(de->inode);
		free(de);
	}
	return err;
}

static int tmpfs_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	return tmpfs_remove(dir, name, victim, false);
}

static int tmpfs_rmdir(struct inode *dir, const char *name, struct inode *victim)
{
	return tmpfs_remove(dir, name, victim, true);
}

/* RENAME_EXCHANGE: the two entries swap inodes; directories moving between parents
 * move a link count with them. */
static void rename_exchange(struct inode *odir, struct tmpfs_dirent *o, struct inode *ndir,
			    struct tmpfs_dirent *n)
{
	struct inode *t = o->inode;

	o->inode = n->inode;
	n->inode = t;
	if (odir != ndir && S_ISDIR(o->inode->mode) != S_ISDIR(n->inode->mode)) {
		int d = S_ISDIR(o->inode->mode) ? 1 : -1;

		nlink_add(odir, d);
		nlink_add(ndir, -d);
	}
	nlink_add(o->inode, 0);
	nlink_add(n->inode, 0);
	touch_dir(odir);
	touch_dir(ndir);
}

static int tmpfs_rename(struct inode *odir, const char *oname, struct inode *ndir,
			const char *nname, unsigned flags)
{
	struct tmpfs_sb *tsb = TSB(odir->sb);
	struct tmpfs_dirent *o, *n, *moved = dirent_new(nname);
	struct inode *victim = NULL;
	bool isdir;
	int err = 0;

	if (!moved)
		return -ENOMEM;
	pthread_rwlock_wrlock(&tsb->ns_lock);
	o = dir_find(TNODE(odir), oname);
	n = dir_find(TNODE(ndir), nname);
	if (!o || ndir->nlink == 0) {
		err = -ENOENT;
		goto out_unlock;
	}
	isdir = S_ISDIR(o->inode->mode);
	err = dir_reserve(ndir);
	if (err < 0)
		goto out_unlock;
	if (flags & RENAME_EXCHANGE) {
		if (!n)
			err = -ENOENT;
		else
			rename_exchange(odir, o, ndir, n);
		goto out_unlock;
	}
	if (n) {
		if (flags & RENAME_NOREPLACE) {
			err = -EEXIST;
			goto out_unlock;
		}
		if (n->inode == o->inode)
			goto out_unlock;
		if (isdir && !S_ISDIR(n->inode->mode)) {
			err = -ENOTDIR;
			goto out_unlock;
		}
		if (!isdir && S_ISDIR(n->inode->mode)) {
			err = -EISDIR;
			goto out_unlock;
		}
		if (isdir && TNODE(n->inode)->nentries) {
			err = -ENOTEMPTY;
			goto out_unlock;
		}
		victim = n->inode;
		dir_remove(ndir, n);
		free(n);
		if (isdir) {
			nlink_add(victim, -(int)victim->nlink);
			nlink_add(ndir, -1);
		} else {
			drop_name(victim);
		}
	}
	dir_remove(odir, o);
	moved->inode = o->inode;
	free(o);
	dir_insert(ndir, moved);
	if (isdir && odir != ndir) {
		nlink_add(odir, -1);
		nlink_add(ndir, 1);
	}
	nlink_add(moved->inode, 0);
	moved = NULL;
out_unlock:
	pthread_rwlock_unlock(&tsb->ns_lock);
	free(moved);
	inode_put(victim);
	return err;
}

static int tmpfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct tmpfs_sb *tsb = TSB(f->inode->sb);
	struct tmpfs_dirent *de;

	pthread_rwlock_rdlock(&tsb->ns_lock);
	list_for_each_entry(de, &TNODE(f->inode)->entries, node) {
		if (de->cookie < ctx->pos)
			continue;
		ctx->pos = de->cookie;
		if (!ctx->actor(ctx, de->name, strlen(de->name), de->inode->ino,
				vfs_dtype(de->inode->mode)))
			break;
		ctx->pos = de->cookie + 1;
	}
	pthread_rwlock_unlock(&tsb->ns_lock);
	return 0;
}

const struct inode_ops tmpfs_dir_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.mknod = tmpfs_mknod,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.setattr = tmpfs_setattr,
	.tmpfile = tmpfs_tmpfile,
	TMPFS_XATTR_IOPS,
};

const struct file_ops tmpfs_dir_fops = {
	.iterate = tmpfs_iterate,
	.fsync = tmpfs_fsync,
};
