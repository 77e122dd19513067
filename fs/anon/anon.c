/* Anonymous inodes: one superblock per kind, made on first use (see anon.h). */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fs/anon/anon.h"
#include "fs/vfs/vfs.h"

#define ANON_MAX_KINDS 16

static const struct super_ops anonfs_sops = { 0 };

/* The kinds seen so far, with their superblocks: they live as long as the sentry. */
static struct {
	const char *kind;
	struct super_block *sb;
} anon_kinds[ANON_MAX_KINDS];
static pthread_mutex_t anon_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t anon_next_ino = 1;

static struct super_block *anon_sb(const char *kind)
{
	struct super_block *sb = NULL;
	int i;

	pthread_mutex_lock(&anon_lock);
	for (i = 0; i < ANON_MAX_KINDS && anon_kinds[i].kind; i++) {
		if (!strcmp(anon_kinds[i].kind, kind)) {
			sb = anon_kinds[i].sb;
			break;
		}
	}
	/* A fixed handful of kinds exist: running out of slots is a sentry bug. */
	if (!sb && i < ANON_MAX_KINDS) {
		sb = sb_new(&anonfs_sops, kind, 0);
		if (sb) {
			anon_kinds[i].kind = kind;
			anon_kinds[i].sb = sb;
		}
	}
	pthread_mutex_unlock(&anon_lock);
	return sb;
}

int anon_file_new(const char *kind, const struct file_ops *fops, void *priv, unsigned flags,
		  uint32_t uid, uint32_t gid, struct file **out)
{
	struct super_block *sb = anon_sb(kind);
	struct inode *inode;
	struct timespec now;
	int err;

	if (!sb)
		return -ENOMEM;
	/* Linux's anonymous inode has no file type bits, only rw for its owner. */
	inode = inode_new(sb, S_IRUSR | S_IWUSR);
	if (!inode)
		return -ENOMEM;
	inode->ino = __atomic_fetch_add(&anon_next_ino, 1, __ATOMIC_RELAXED);
	inode->nlink = 1;
	inode->uid = uid;
	inode->gid = gid;
	inode->fops = fops;
	clock_gettime(CLOCK_REALTIME, &now);
	inode->atime = inode->mtime = inode->ctime = inode->btime = now;
	err = file_new(NULL, inode, flags, out);
	inode_put(inode);
	if (err < 0)
		return err;
	(*out)->priv = priv;
	return 0;
}

int64_t anon_llseek_noop(struct file *f, int64_t off, int whence)
{
	(void)off;
	(void)whence;
	return f->pos;
}
