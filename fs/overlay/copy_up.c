/*
 * Copy-up: giving an overlay inode an upper copy of its lower inode before anything
 * changes it. Parents go first (a copy needs an upper directory to live in); the copy
 * keeps the type, data (holes stay holes), mode, owner and times, symlinks stay
 * symlinks, and the lower's inode number is recorded as the copy's origin. All under
 * ns_lock held for writing.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/overlay/internal.h"

#define COPY_CHUNK (128 * 1024)

int ovl_layer_lookup(struct inode *dir, const char *name, struct inode **out)
{
	if (!dir->iops || !dir->iops->lookup)
		return -ENOENT;
	return dir->iops->lookup(dir, name, out);
}

bool ovl_is_whiteout(struct inode *real)
{
	return S_ISCHR(real->mode) && real->rdev == 0;
}

int ovl_whiteout(struct inode *udir, const char *name)
{
	struct inode *wo;
	int err = udir->iops->mknod(udir, name, S_IFCHR, 0, NULL, &wo);

	if (err == 0)
		inode_put(wo);
	return err;
}

bool ovl_lower_has(struct inode *dir, const char *name)
{
	struct inode *lower = OI(dir)->lower, *l;
	int err;

	if (!lower)
		return false;
	err = ovl_layer_lookup(lower, name, &l);
	if (err == 0)
		inode_put(l);
	/* when in doubt, hide it: a needless whiteout is invisible */
	return err != -ENOENT;
}

/* Fresh attributes of a real inode (goferfs asks the host; tmpfs fields are the truth). */
static int real_stat(struct inode *real, struct kstat *st)
{
	vfs_fill_kstat(real, st);
	if (real->iops && real->iops->getattr)
		return real->iops->getattr(real, st);
	return 0;
}

static bool all_zero(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i])
			return false;
	return true;
}

/* Copies size bytes of lower into the empty upper; blocks of zeros become holes. */
static int copy_data(struct inode *lower, struct inode *upper, int64_t size)
{
	struct iattr ia = { .valid = ATTR_SIZE };
	struct file *in = NULL, *out = NULL;
	char *buf = malloc(COPY_CHUNK);
	int64_t pos = 0;
	int err;

	if (!buf)
		return -ENOMEM;
	err = file_new(NULL, lower, O_RDONLY, &in);
	if (err < 0)
		goto out_free;
	err = file_new(NULL, upper, O_WRONLY, &out);
	if (err < 0)
		goto out_free;
	while (pos < size) {
		struct iovec iov = { .iov_base = buf,
				     .iov_len = (size_t)MIN(COPY_CHUNK, size - pos) };
		int64_t rpos = pos, wpos = pos;
		ssize_t n = vfs_readv(in, &iov, 1, &rpos), done = 0;

		if (n < 0) {
			err = (int)n;
			goto out_free;
		}
		if (n == 0)
			break; /* it shrank under us: copy what is there */
		if (!all_zero(buf, (size_t)n)) {
			while (done < n) {
				struct iovec w = { .iov_base = buf + done,
						   .iov_len = (size_t)(n - done) };
				ssize_t m = vfs_writev(out, &w, 1, &wpos);

				if (m <= 0) {
					err = m < 0 ? (int)m : -EIO;
					goto out_free;
				}
				done += m;
			}
		}
		pos += n;
	}
	ia.size = pos;
	err = upper->iops->setattr ? upper->iops->setattr(upper, &ia) : 0;
out_free:
	file_put(out);
	file_put(in);
	free(buf);
	return err;
}

/* Creates the upper twin of a lower inode with attributes st in udir. +1 in *out. */
static int create_copy(struct inode *udir, const char *name, struct inode *lower,
		       const struct kstat *st, bool data, struct inode **out)
{
	const struct inode_ops *ops = udir->iops;
	uint32_t perm = st->mode & 07777;
	char *target;
	ssize_t n;
	int err;

	switch (st->mode & S_IFMT) {
	case S_IFDIR:
		return ops->mkdir(udir, name, S_IFDIR | perm, NULL, out);
	case S_IFREG:
		err = ops->create(udir, name, S_IFREG | perm, NULL, out);
		if (err < 0 || !data)
			return err;
		err = copy_data(lower, *out, st->size);
		if (err < 0) {
			ops->unlink(udir, name, *out);
			inode_put(*out);
		}
		return err;
	case S_IFLNK:
		if (!lower->iops || !lower->iops->readlink)
			return -EIO;
		target = malloc(PATH_MAX + 1);
		if (!target)
			return -ENOMEM;
		n = lower->iops->readlink(lower, target, PATH_MAX);
		if (n < 0) {
			free(target);
			return (int)n;
		}
		target[n] = '\0';
		err = ops->symlink(udir, name, target, NULL, out);
		free(target);
		return err;
	default:
		return ops->mknod(udir, name, st->mode & (S_IFMT | 07777), st->rdev, NULL, out);
	}
}

/* Uses (or makes) the upper twin of inode, whose parent already has an upper. */
static int copy_one(struct inode *inode, bool data)
{
	struct ovl_inode *oi = OI(inode);
	struct ovl_sb *osb = OSB(inode->sb);
	struct inode *udir = OI(oi->parent)->upper, *lower = oi->lower, *up;
	struct iattr ia = { .valid = ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_ATIME | ATTR_MTIME };
	const struct ovl_meta *m;
	struct kstat st;
	int err;

	err = ovl_layer_lookup(udir, oi->name, &up);
	if (err == 0) {
		/* already there (a subtree copy made it): adopt it, unless the name now
		 * stands for something else */
		if (ovl_is_whiteout(up) || (up->mode & S_IFMT) != (inode->mode & S_IFMT)) {
			inode_put(up);
			return -ENOENT;
		}
		goto adopt;
	}
	if (err != -ENOENT)
		return err;
	err = real_stat(lower, &st);
	if (err < 0)
		return err;
	err = create_copy(udir, oi->name, lower, &st, data, &up);
	if (err < 0)
		return err;
	ia.mode = st.mode & 07777;
	ia.uid = st.uid;
	ia.gid = st.gid;
	ia.atime = st.atime;
	ia.mtime = st.mtime;
	err = ovl_copy_xattrs(lower, up);
	if (err == 0 && up->iops && up->iops->setattr)
		err = up->iops->setattr(up, &ia);
	if (err == 0)
		err = ovl_meta_set_origin(osb, up->ino,
					  oi->has_origin ? oi->origin_ino : lower->ino);
	if (err < 0) {
		if (S_ISDIR(up->mode))
			udir->iops->rmdir(udir, oi->name, up);
		else
			udir->iops->unlink(udir, oi->name, up);
		inode_put(up);
		return err;
	}
adopt:
	m = ovl_meta_find(osb, up->ino);
	if (!oi->has_origin && oi->lower) {
		oi->has_origin = true;
		oi->origin_ino = m && m->has_origin ? m->origin_ino : oi->lower->ino;
	}
	oi->upper = up;
	if (!S_ISDIR(up->mode) || (m && m->opaque)) {
		inode_put(oi->lower);
		oi->lower = NULL;
	}
	ovl_sync_attrs(inode);
	return 0;
}

int ovl_copy_up(struct inode *inode, bool data)
{
	struct ovl_inode *oi = OI(inode);
	int err;

	if (oi->upper)
		return 0;
	if (oi->unlinked)
		return -ENOENT;
	if (!oi->parent)
		return -EIO; /* the root always has an upper */
	err = ovl_copy_up(oi->parent, true);
	if (err < 0)
		return err;
	return copy_one(inode, data);
}

int ovl_copy_up_tree(struct inode *dir)
{
	struct ovl_sb *osb = OSB(dir->sb);
	struct ovl_inode *oi = OI(dir);
	struct ovl_dirlist l = { 0 };
	int err;

	err = ovl_copy_up(dir, true);
	if (err < 0 || !oi->lower)
		return err;
	err = ovl_dir_list(dir, &l);
	for (size_t i = 0; err == 0 && i < l.n; i++) {
		struct inode *child = ovl_reg_find(osb, dir, l.e[i].name);

		if (!child)
			err = ovl_lookup_locked(dir, l.e[i].name, &child);
		if (err < 0)
			break;
		if (S_ISDIR(child->mode))
			err = ovl_copy_up_tree(child);
		else
			err = ovl_copy_up(child, true);
		inode_put(child);
	}
	ovl_dirlist_free(&l);
	if (err == 0)
		err = ovl_meta_set_opaque(osb, oi->upper->ino);
	if (err < 0)
		return err;
	inode_put(oi->lower);
	oi->lower = NULL;
	ovl_sync_attrs(dir);
	return 0;
}
