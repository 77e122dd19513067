/*
 * memfd files and seals (see memfd.h): the internal memfd tmpfs, F_ADD_SEALS /
 * F_GET_SEALS, and the seal checks tmpfs's write and setattr make.
 *
 * Lock order: seal_lock (one F_ADD_SEALS at a time) -> the mm's locks (mapped_writable)
 * -> inode->lock. The mm checks seals under its own lock (mm->lock -> inode->lock), which
 * is why F_ADD_SEALS asks about mappings without inode->lock held.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/tmpfs/internal.h"
#include "fs/tmpfs/memfd.h"
#include "fs/tmpfs/tmpfs.h"

static pthread_mutex_t seal_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t memfd_once = PTHREAD_ONCE_INIT;
static struct super_block *memfd_sb;
static struct mount *memfd_mnt;

/* The internal tmpfs every memfd lives on, held for the sentry's lifetime: its mount gives
 * memfds the "/memfd:NAME (deleted)" path /proc shows. */
static void memfd_fs_init(void)
{
	struct inode *root;

	if (tmpfs_new(&memfd_sb, &root, 01777, 0) < 0)
		return;
	if (vfs_mount_root(memfd_sb, root, &memfd_mnt) < 0) {
		sb_put(memfd_sb);
		memfd_sb = NULL;
	}
	inode_put(root);
}

int memfd_new(const char *name, bool sealable, bool noexec, const struct vfs_cred *c,
	      struct file **out)
{
	char dname[sizeof("memfd:") + MEMFD_NAME_MAX];
	struct inode *inode;
	struct path path;
	int err;

	if (strlen(name) > MEMFD_NAME_MAX)
		return -EINVAL;
	pthread_once(&memfd_once, memfd_fs_init);
	if (!memfd_sb)
		return -ENOMEM;
	err = tmpfs_inode_new(memfd_sb, S_IFREG | (noexec ? 0666 : 0777), 0, c, NULL, &inode);
	if (err < 0)
		return err;
	inode->nlink = 0; /* unnamed: "(deleted)", as Linux's shmem_file_setup */
	if (sealable)
		TNODE(inode)->seals = noexec ? F_SEAL_EXEC : 0;
	snprintf(dname, sizeof(dname), "memfd:%s", name);
	err = vfs_anon_path(memfd_mnt, dname, inode, &path);
	if (err < 0)
		goto out_put_inode;
	err = file_new(&path, inode, O_RDWR | O_LARGEFILE, out);
	path_put(&path);
out_put_inode:
	inode_put(inode);
	return err;
}

static bool is_tmpfs_file(const struct file *f)
{
	return f->inode && S_ISREG(f->inode->mode) && f->inode->fops == &tmpfs_file_fops;
}

long memfd_get_seals(struct file *f)
{
	long seals;

	if (!is_tmpfs_file(f))
		return -EINVAL;
	pthread_mutex_lock(&f->inode->lock);
	seals = TNODE(f->inode)->seals;
	pthread_mutex_unlock(&f->inode->lock);
	return seals;
}

unsigned memfd_file_seals(struct file *f)
{
	long seals = memfd_get_seals(f);

	return seals < 0 ? 0 : (unsigned)seals;
}

long memfd_add_seals(struct file *f, unsigned seals, bool (*mapped_writable)(struct inode *))
{
	struct inode *inode = f->inode;
	struct tmpfs_node *n;
	bool deny_write;
	long err = 0;

	if (!is_tmpfs_file(f))
		return -EINVAL;
	if (!file_writable(f))
		return -EPERM;
	if (seals & ~(unsigned)MEMFD_ALL_SEALS)
		return -EINVAL;
	n = TNODE(inode);
	pthread_mutex_lock(&seal_lock);
	pthread_mutex_lock(&inode->lock);
	if (n->seals & F_SEAL_SEAL) {
		err = -EPERM;
		goto out_unlock_inode;
	}
	/* an executable file sealed against exec is sealed against writes too (W^X) */
	if ((seals & F_SEAL_EXEC) && (inode->mode & 0111))
		seals |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
	deny_write = (seals & F_SEAL_WRITE) && !(n->seals & F_SEAL_WRITE);
	if (deny_write) {
		/* In force first, so no new writable mapping can appear while we look. */
		n->seals |= F_SEAL_WRITE;
		pthread_mutex_unlock(&inode->lock);
		if (mapped_writable && mapped_writable(inode))
			err = -EBUSY;
		pthread_mutex_lock(&inode->lock);
		if (err) {
			n->seals &= ~(unsigned)F_SEAL_WRITE;
			goto out_unlock_inode;
		}
	}
	n->seals |= seals;
out_unlock_inode:
	pthread_mutex_unlock(&inode->lock);
	pthread_mutex_unlock(&seal_lock);
	return err;
}

ssize_t tmpfs_seal_write(struct inode *inode, int64_t off, size_t len)
{
	unsigned seals = TNODE(inode)->seals;

	if (!len || !(seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_GROW)))
		return (ssize_t)len;
	if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	/* F_SEAL_GROW: Linux's write_begin refuses the first page-sized chunk that would
	 * grow the file, so the write stops short at the page boundary below EOF */
	if (off + (int64_t)len > inode->size) {
		int64_t stop = inode->size & ~(int64_t)4095;

		if (stop <= off)
			return -EPERM;
		len = (size_t)(stop - off);
	}
	return (ssize_t)len;
}

int tmpfs_seal_setattr(struct inode *inode, const struct iattr *ia)
{
	unsigned seals = TNODE(inode)->seals;

	if ((ia->valid & ATTR_SIZE) && ((ia->size < inode->size && (seals & F_SEAL_SHRINK)) ||
					(ia->size > inode->size && (seals & F_SEAL_GROW))))
		return -EPERM;
	if ((ia->valid & ATTR_MODE) && (seals & F_SEAL_EXEC) && ((inode->mode ^ ia->mode) & 0111))
		return -EPERM;
	return 0;
}
