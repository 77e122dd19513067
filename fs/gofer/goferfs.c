/*
 * goferfs inodes: one gofer fid per inode (walked from the parent's fid, clunked at
 * eviction), attributes from the gofer's stat replies, and the namespace operations as
 * protocol calls. Permission checks are the VFS's; the gofer only enforces the root.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fs/gofer/goferfs.h"
#include "fs/gofer/goferfs_internal.h"

void goferfs_set_attrs(struct inode *inode, const struct gofer_stat *st)
{
	pthread_mutex_lock(&inode->lock);
	inode->ino = st->ino;
	/* the type of an inode never changes; a gofer that says otherwise is ignored */
	inode->mode = (inode->mode & S_IFMT) | (st->mode & 07777);
	inode->uid = st->uid;
	inode->gid = st->gid;
	inode->nlink = st->nlink;
	inode->rdev = st->rdev;
	inode->size = st->size;
	inode->blocks = st->blocks;
	inode->atime = (struct timespec){ st->atime.sec, st->atime.nsec };
	inode->mtime = (struct timespec){ st->mtime.sec, st->mtime.nsec };
	inode->ctime = (struct timespec){ st->ctime.sec, st->ctime.nsec };
	GI(inode)->hdev = st->dev;
	GI(inode)->blksize = st->blksize;
	pthread_mutex_unlock(&inode->lock);
}

static void goferfs_evict(struct inode *inode)
{
	struct goferfs_inode *gi = GI(inode);

	if (!gi)
		return;
	goferfs_file_evict(inode);
	/* batched: the dcache evicts inodes by the thousand */
	gofer_clunk_deferred(GCLIENT(inode), gi->fid);
	free(gi);
}

static const struct inode_ops goferfs_iops;

/* A new inode for fid (clunked on failure) with attributes st. */
static int goferfs_inode_new(struct super_block *sb, uint32_t fid, const struct gofer_stat *st,
			     struct inode **out)
{
	struct goferfs_sb *gsb = sb->priv;
	struct goferfs_inode *gi = calloc(1, sizeof(*gi));
	uint32_t type = st->mode & S_IFMT;
	struct inode *inode;

	/* only types Linux knows; the VFS switches on them */
	if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK && type != S_IFIFO &&
	    type != S_IFCHR && type != S_IFBLK && type != S_IFSOCK) {
		free(gi);
		gofer_clunk(gsb->client, fid);
		return -EPROTO;
	}
	inode = gi ? inode_new(sb, type) : NULL;
	if (!inode) {
		free(gi);
		gofer_clunk(gsb->client, fid);
		return -ENOMEM;
	}
	gi->fid = fid;
	inode->priv = gi;
	goferfs_set_attrs(inode, st);
	inode->iops = &goferfs_iops;
	if (type == S_IFDIR)
		inode->fops = &goferfs_dir_fops;
	else if (type == S_IFREG)
		inode->fops = &goferfs_file_fops;
	*out = inode;
	return 0;
}

static int goferfs_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct gofer_stat st;
	uint32_t fid;
	int err;

	err = gofer_walk(GCLIENT(dir), GI(dir)->fid, name, &fid, &st);
	if (err < 0)
		return err;
	return goferfs_inode_new(dir->sb, fid, &st, out);
}

/* The owner a new node gets: the creator's fs ids, the group of a set-group-ID dir. */
static void new_owner(struct inode *dir, const struct vfs_cred *c, uint32_t *uid, uint32_t *gid)
{
	*uid = c ? c->fsuid : 0;
	*gid = c ? c->fsgid : 0;
	if (dir->mode & S_ISGID)
		*gid = dir->gid;
}

static int goferfs_mknod(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev,
			 const struct vfs_cred *c, struct inode **out)
{
	struct gofer_stat st;
	uint32_t uid, gid, fid;
	int err;

	new_owner(dir, c, &uid, &gid);
	if (S_ISDIR(mode))
		err = gofer_mkdir(GCLIENT(dir), GI(dir)->fid, name, mode & 07777, uid, gid, &fid,
				  &st);
	else if (S_ISREG(mode) || S_ISFIFO(mode))
		err = gofer_mknod(GCLIENT(dir), GI(dir)->fid, name, mode, uid, gid, &fid, &st);
	else
		return -EPERM; /* device nodes and sockets are the sentry's own business */
	if (err < 0)
		return err;
	return goferfs_inode_new(dir->sb, fid, &st, out);
}

static int goferfs_create(struct inode *dir, const char *name, uint32_t mode,
			  const struct vfs_cred *c, struct inode **out)
{
	return goferfs_mknod(dir, name, S_IFREG | (mode & 07777), 0, c, out);
}

static int goferfs_mkdir(struct inode *dir, const char *name, uint32_t mode,
			 const struct vfs_cred *c, struct inode **out)
{
	return goferfs_mknod(dir, name, S_IFDIR | (mode & 07777), 0, c, out);
}

static int goferfs_symlink(struct inode *dir, const char *name, const char *target,
			   const struct vfs_cred *c, struct inode **out)
{
	struct gofer_stat st;
	uint32_t uid, gid, fid;
	int err;

	new_owner(dir, c, &uid, &gid);
	err = gofer_symlink(GCLIENT(dir), GI(dir)->fid, name, target, uid, gid, &fid, &st);
	if (err < 0)
		return err;
	return goferfs_inode_new(dir->sb, fid, &st, out);
}

static int goferfs_link(struct inode *dir, const char *name, struct inode *target)
{
	struct gofer_stat st;
	int err;

	if (target->sb != dir->sb)
		return -EXDEV;
	err = gofer_link(GCLIENT(dir), GI(dir)->fid, name, GI(target)->fid, &st);
	if (err < 0)
		return err;
	goferfs_set_attrs(target, &st);
	return 0;
}

/* Refreshes an inode's attributes after the host changed them (link counts, ctime). */
static void refresh(struct inode *inode)
{
	struct gofer_stat st;

	if (gofer_stat(GCLIENT(inode), GI(inode)->fid, &st) == 0)
		goferfs_set_attrs(inode, &st);
}

static int goferfs_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	int err = gofer_unlink(GCLIENT(dir), GI(dir)->fid, name, 0);

	if (!err) {
		refresh(victim);
		refresh(dir);
	}
	return err;
}

static int goferfs_rmdir(struct inode *dir, const char *name, struct inode *victim)
{
	int err = gofer_unlink(GCLIENT(dir), GI(dir)->fid, name, AT_REMOVEDIR);

	if (!err) {
		pthread_mutex_lock(&victim->lock);
		victim->nlink = 0;
		pthread_mutex_unlock(&victim->lock);
		refresh(dir);
	}
	return err;
}

static int goferfs_rename(struct inode *odir, const char *oname, struct inode *ndir,
			  const char *nname, unsigned flags)
{
	int err;

	if (odir->sb != ndir->sb)
		return -EXDEV;
	err = gofer_rename(GCLIENT(odir), GI(odir)->fid, oname, GI(ndir)->fid, nname, flags);
	if (!err) {
		refresh(odir);
		if (ndir != odir)
			refresh(ndir);
	}
	return err;
}

static ssize_t goferfs_readlink(struct inode *inode, char *buf, size_t len)
{
	return gofer_readlink(GCLIENT(inode), GI(inode)->fid, buf, len);
}

static int goferfs_getattr(struct inode *inode, struct kstat *st)
{
	struct gofer_stat gs;
	int err;

	/* the sandbox is the host tree's only writer (sb->dcache): the attributes of the
	 * last reply (walk, open, setattr), updated by our own writes, stand */
	if (inode->sb->dcache & DCACHE_NEGATIVE) {
		pthread_mutex_lock(&inode->lock);
		st->dev = GI(inode)->hdev;
		st->blksize = GI(inode)->blksize;
		pthread_mutex_unlock(&inode->lock);
		return 0;
	}
	err = gofer_stat(GCLIENT(inode), GI(inode)->fid, &gs);
	if (err < 0)
		return err;
	goferfs_set_attrs(inode, &gs);
	vfs_fill_kstat(inode, st);
	st->dev = gs.dev;
	st->blksize = gs.blksize;
	return 0;
}

static int goferfs_setattr(struct inode *inode, const struct iattr *ia)
{
	struct gofer_setattr sa = { 0 };
	struct gofer_stat st;
	int err;

	if (ia->valid & ATTR_MODE) {
		sa.valid |= GOFER_SET_MODE;
		sa.mode = ia->mode & 07777;
	}
	if (ia->valid & ATTR_UID) {
		sa.valid |= GOFER_SET_UID;
		sa.uid = ia->uid;
	}
	if (ia->valid & ATTR_GID) {
		sa.valid |= GOFER_SET_GID;
		sa.gid = ia->gid;
	}
	if (ia->valid & ATTR_SIZE) {
		if (ia->size < 0)
			return -EINVAL;
		sa.valid |= GOFER_SET_SIZE;
		sa.size = (uint64_t)ia->size;
	}
	if (ia->valid & ATTR_ATIME) {
		sa.valid |= GOFER_SET_ATIME;
		sa.atime = (struct gofer_time){ ia->atime.tv_sec, ia->atime.tv_nsec };
	}
	if (ia->valid & ATTR_MTIME) {
		sa.valid |= GOFER_SET_MTIME;
		sa.mtime = (struct gofer_time){ ia->mtime.tv_sec, ia->mtime.tv_nsec };
	}
	/* ctime alone: the host sets it with any other change, and can't be told to */
	if (!sa.valid)
		return 0;
	err = gofer_setattr(GCLIENT(inode), GI(inode)->fid, &sa, &st);
	if (err < 0)
		return err;
	goferfs_set_attrs(inode, &st);
	if (sa.valid & GOFER_SET_SIZE)
		goferfs_file_resized(inode, ia->size);
	return 0;
}

/* Extended attributes go to the host file through the gofer, which serves user.* and
 * trusted.* only (security.* and system.* belong to the host): -EOPNOTSUPP for those. */
static ssize_t goferfs_getxattr(struct inode *inode, const char *name, void *buf, size_t size)
{
	return gofer_getxattr(GCLIENT(inode), GI(inode)->fid, name, buf,
			      MIN(size, (size_t)GOFER_XATTR_MAX));
}

static ssize_t goferfs_listxattr(struct inode *inode, char *buf, size_t size, bool trusted)
{
	(void)trusted; /* the host lists trusted.* by the gofer's own capabilities */
	return gofer_listxattr(GCLIENT(inode), GI(inode)->fid, buf,
			       MIN(size, (size_t)GOFER_XATTR_MAX));
}

static int goferfs_setxattr(struct inode *inode, const char *name, const void *value, size_t size,
			    int flags)
{
	return gofer_setxattr(GCLIENT(inode), GI(inode)->fid, name, value, size, flags);
}

static int goferfs_removexattr(struct inode *inode, const char *name)
{
	return gofer_removexattr(GCLIENT(inode), GI(inode)->fid, name);
}

static const struct inode_ops goferfs_iops = {
	.lookup = goferfs_lookup,
	.create = goferfs_create,
	.mkdir = goferfs_mkdir,
	.mknod = goferfs_mknod,
	.symlink = goferfs_symlink,
	.link = goferfs_link,
	.unlink = goferfs_unlink,
	.rmdir = goferfs_rmdir,
	.rename = goferfs_rename,
	.readlink = goferfs_readlink,
	.getattr = goferfs_getattr,
	.setattr = goferfs_setattr,
	.open = goferfs_file_open,
	.getxattr = goferfs_getxattr,
	.setxattr = goferfs_setxattr,
	.listxattr = goferfs_listxattr,
	.removexattr = goferfs_removexattr,
};

static int goferfs_statfs(struct super_block *sb, struct statfs *out)
{
	struct goferfs_sb *gsb = sb->priv;
	struct gofer_statfs gs;
	int err = gofer_statfs(gsb->client, gsb->root_fid, &gs);

	if (err < 0)
		return err;
	out->f_type = (typeof(out->f_type))gs.type;
	out->f_bsize = (typeof(out->f_bsize))gs.bsize;
	out->f_blocks = gs.blocks;
	out->f_bfree = gs.bfree;
	out->f_bavail = gs.bavail;
	out->f_files = gs.files;
	out->f_ffree = gs.ffree;
	out->f_namelen = (typeof(out->f_namelen))gs.namelen;
	out->f_frsize = (typeof(out->f_frsize))gs.frsize;
	return 0;
}

static void goferfs_put_super(struct super_block *sb)
{
	struct goferfs_sb *gsb = sb->priv;

	gofer_clunk(gsb->client, gsb->root_fid);
	gofer_client_free(gsb->client);
	free(gsb);
}

static const struct super_ops goferfs_sops = {
	.put_super = goferfs_put_super,
	.statfs = goferfs_statfs,
	.evict_inode = goferfs_evict,
};

int goferfs_new(struct gofer_client *c, bool readonly, struct super_block **sbp,
		struct inode **rootp)
{
	struct goferfs_sb *gsb = calloc(1, sizeof(*gsb));
	struct super_block *sb;
	struct gofer_stat st;
	uint32_t fid;
	int err;

	if (!gsb) {
		gofer_client_free(c);
		return -ENOMEM;
	}
	gsb->client = c;
	err = gofer_attach(c, &gsb->root_fid, &st);
	if (err < 0)
		goto out_free;
	sb = sb_new(&goferfs_sops, "goferfs", readonly ? MS_RDONLY : 0);
	if (!sb) {
		gofer_clunk(c, gsb->root_fid);
		err = -ENOMEM;
		goto out_free;
	}
	sb->priv = gsb;
	/* gVisor's "exclusive" policy: names, absent names and attributes are cached with
	 * no revalidation, the host tree being the sandbox's alone while it runs */
	sb->dcache = DCACHE_KEEP | DCACHE_NEGATIVE;
	/* the root inode holds its own fid: the superblock's serves statfs */
	err = gofer_attach(c, &fid, &st);
	if (err < 0)
		goto out_put_sb;
	if (!S_ISDIR(st.mode)) {
		gofer_clunk(c, fid);
		err = -ENOTDIR;
		goto out_put_sb;
	}
	err = goferfs_inode_new(sb, fid, &st, rootp);
	if (err < 0)
		goto out_put_sb;
	*sbp = sb;
	return 0;
out_put_sb:
	/* put_super clunks the root fid and frees the client */
	sb_put(sb);
	return err;
out_free:
	free(gsb);
	gofer_client_free(c);
	return err;
}
