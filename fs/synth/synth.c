/*
 * Synthetic filesystems: the superblock, inodes and their numbers, directory lookup and
 * listing through the synth_ops callbacks, and static child tables.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fs/synth/internal.h"

static void synth_evict_inode(struct inode *inode)
{
	free(inode->priv);
	inode->priv = NULL;
}

/* sb->priv: what the superblock knows beyond the VFS's fields. */
struct synth_sb {
	long magic; /* statfs's f_type */
};

static void synth_put_super(struct super_block *sb)
{
	free(sb->priv);
}

static int synth_statfs(struct super_block *sb, struct statfs *out)
{
	const struct synth_sb *ss = sb->priv;

	memset(out, 0, sizeof(*out));
	out->f_type = ss->magic;
	out->f_bsize = 4096;
	out->f_namelen = 255;
	out->f_frsize = 4096;
	return 0;
}

static const struct super_ops synth_super_ops = {
	.put_super = synth_put_super,
	.statfs = synth_statfs,
	.evict_inode = synth_evict_inode,
};

/* FNV-1a over the parent's number and the name; never 0 or 1 (the root's). */
uint64_t synth_ino(const struct inode *dir, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (dir ? dir->ino : 0);

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	h &= 0xffffffffULL; /* fits a 32-bit ino_t for old stat(2) users */
	return h < 2 ? h + 2 : h;
}

struct inode *synth_inode_new(struct inode *dir, const char *name, uint32_t mode,
			      const struct synth_ops *ops, const int64_t *id, const void *data)
{
	struct synth_inode *si = calloc(1, sizeof(*si));
	struct inode *inode;

	if (!si)
		return NULL;
	inode = inode_new(dir->sb, mode);
	if (!inode) {
		free(si);
		return NULL;
	}
	si->ops = ops;
	si->data = data;
	if (id)
		memcpy(si->id, id, sizeof(si->id));
	else if (dir->priv)
		memcpy(si->id, synth_i(dir)->id, sizeof(si->id));
	inode->priv = si;
	inode->ino = synth_ino(dir, name);
	inode->nlink = S_ISDIR(mode) ? 2 : 1;
	inode->uid = dir->uid;
	inode->gid = dir->gid;
	inode->iops = ops && ops->get_link_path ? &synth_magic_iops : &synth_iops;
	inode->fops = S_ISDIR(mode) ? &synth_dir_fops : S_ISREG(mode) ? &synth_file_fops : NULL;
	inode->atime = inode->mtime = inode->ctime = inode->btime = dir->mtime;
	return inode;
}

int synth_sb_new(const char *fstype, long magic, const struct synth_ops *root_ops,
		 const void *root_data, struct super_block **sbp, struct inode **rootp)
{
	struct synth_inode *si = calloc(1, sizeof(*si));
	struct synth_sb *ss = calloc(1, sizeof(*ss));
	struct super_block *sb;
	struct inode *root;

	if (!si || !ss) {
		free(si);
		free(ss);
		return -ENOMEM;
	}
	ss->magic = magic;
	sb = sb_new(&synth_super_ops, fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC);
	if (!sb) {
		free(si);
		free(ss);
		return -ENOMEM;
	}
	sb->priv = ss;
	root = inode_new(sb, S_IFDIR | 0555);
	if (!root) {
		free(si);
		sb_put(sb);
		return -ENOMEM;
	}
	si->ops = root_ops;
	si->data = root_data;
	root->priv = si;
	root->ino = 1;
	root->nlink = 2;
	root->iops = &synth_iops;
	root->fops = &synth_dir_fops;
	clock_gettime(CLOCK_REALTIME, &root->mtime);
	root->atime = root->ctime = root->btime = root->mtime;
	*sbp = sb;
	*rootp = root;
	return 0;
}

/* ---- directories ---- */

bool synth_emit(struct synth_dir_ctx *c, int64_t cookie, const char *name, uint64_t ino,
		unsigned dtype)
{
	if (c->stop)
		return false;
	if (cookie < c->ctx->pos)
		return true;
	c->ctx->pos = cookie;
	if (!c->ctx->actor(c->ctx, name, strlen(name), ino, dtype)) {
		c->stop = true;
		return false;
	}
	c->ctx->pos = cookie + 1;
	return true;
}

static int synth_lookup(struct inode *dir, const char *name, struct inode **out)
{
	const struct synth_ops *ops = synth_i(dir)->ops;

	if (!ops || !ops->lookup)
		return -ENOENT;
	return ops->lookup(dir, name, out);
}

static int synth_iterate(struct file *f, struct dir_context *ctx)
{
	const struct synth_ops *ops = synth_i(f->inode)->ops;
	struct synth_dir_ctx c = { .ctx = ctx };

	if (!ops || !ops->readdir)
		return 0;
	return ops->readdir(f->inode, &c);
}

const struct file_ops synth_dir_fops = {
	.iterate = synth_iterate,
};

int synth_table_lookup(struct inode *dir, const struct synth_table *t, const char *name,
		       struct inode **out)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct synth_entry *e = &t->e[i];

		if (strcmp(e->name, name) != 0)
			continue;
		*out = synth_inode_new(dir, e->name, e->mode, e->ops, NULL, e->data);
		return *out ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

int synth_table_readdir(struct inode *dir, const struct synth_table *t, int64_t first_cookie,
			struct synth_dir_ctx *c)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct synth_entry *e = &t->e[i];

		if (!synth_emit(c, first_cookie + (int64_t)i, e->name, synth_ino(dir, e->name),
				vfs_dtype(e->mode)))
			break;
	}
	return 0;
}

static int table_dir_lookup(struct inode *dir, const char *name, struct inode **out)
{
	return synth_table_lookup(dir, synth_i(dir)->data, name, out);
}

static int table_dir_readdir(struct inode *dir, struct synth_dir_ctx *c)
{
	return synth_table_readdir(dir, synth_i(dir)->data, 2, c);
}

const struct synth_ops synth_table_dir_ops = {
	.lookup = table_dir_lookup,
	.readdir = table_dir_readdir,
};

/* ---- inode ops shared by every synth inode ---- */

static ssize_t synth_readlink(struct inode *inode, char *buf, size_t len)
{
	const struct synth_ops *ops = synth_i(inode)->ops;
	struct synth_buf b;
	ssize_t n;
	int err;

	if (!ops || !ops->readlink)
		return -EINVAL;
	synth_buf_init(&b);
	err = ops->readlink(inode, &b);
	if (!err)
		err = b.err;
	if (err) {
		synth_buf_free(&b);
		return err;
	}
	n = (ssize_t)(b.len < len ? b.len : len);
	memcpy(buf, b.data, (size_t)n);
	synth_buf_free(&b);
	return n;
}

static int synth_get_link_path(struct inode *inode, struct path *out)
{
	return synth_i(inode)->ops->get_link_path(inode, out);
}

/* Only truncation (which open(O_TRUNC) of a writable file asks for) is accepted, and
 * ignored, as Linux's proc files do; ownership and modes are fixed. */
static int synth_setattr(struct inode *inode, const struct iattr *ia)
{
	if (ia->valid & (ATTR_MODE | ATTR_UID | ATTR_GID))
		return -EPERM;
	if ((ia->valid & ATTR_SIZE) &&
	    !(S_ISREG(inode->mode) && synth_i(inode)->ops && synth_i(inode)->ops->store))
		return -EPERM;
	return 0;
}

const struct inode_ops synth_iops = {
	.lookup = synth_lookup,
	.readlink = synth_readlink,
	.setattr = synth_setattr,
	.open = synth_open,
};

/* Magic links: the walk jumps to what get_link_path gives instead of reading a name. */
const struct inode_ops synth_magic_iops = {
	.readlink = synth_readlink,
	.get_link_path = synth_get_link_path,
	.setattr = synth_setattr,
};
