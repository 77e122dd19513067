/* The tmpfs-rooted test fixture (see fsfix.h). */
#include <errno.h>
#include <string.h>

#include "common/memfile.h"
#include "fs/tmpfs/tmpfs.h"
#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

void fix_setup(struct fsfix *fx)
{
	static bool memfile_ready;
	struct super_block *sb;
	struct inode *root;
	struct mount *mnt;
	struct path p;

	if (!memfile_ready) {
		ASSERT_EQ(memfile_init(1ULL << 30), 0);
		memfile_ready = true;
	}
	ASSERT_EQ(tmpfs_new(&sb, &root, 0755, 0), 0);
	ASSERT_EQ(vfs_mount_root(sb, root, &mnt), 0);
	inode_put(root);
	sb_put(sb);
	p.mnt = mnt;
	p.dentry = mnt->root;
	fx->v = fs_view_new(&p, &p);
	mount_put(mnt);
	ASSERT_TRUE(fx->v != NULL);
}

void fix_teardown(struct fsfix *fx)
{
	struct vfs_live live;

	fs_view_put(fx->v);
	fx->v = NULL;
	vfs_live_counts(&live);
	EXPECT_EQ(live.files, 0);
	EXPECT_EQ(live.mounts, 0);
	EXPECT_EQ(live.dentries, 0);
	EXPECT_EQ(live.inodes, 0);
	EXPECT_EQ(live.sbs, 0);
	EXPECT_EQ(memfile_used_pages(), 0);
}

int fix_mount_tmpfs(struct fsfix *fx, const char *path, uint64_t size_limit)
{
	struct super_block *sb;
	struct inode *root;
	struct path p;
	int err;

	err = vfs_walk(fx->v, NULL, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, NULL, &p);
	if (err < 0)
		return err;
	err = tmpfs_new(&sb, &root, 0755, size_limit);
	if (err == 0) {
		err = vfs_mount_at(&p, sb, root, 0);
		inode_put(root);
		sb_put(sb);
	}
	path_put(&p);
	return err;
}

int fix_open(struct fsfix *fx, const char *path, int flags, struct file **out)
{
	return vfs_openat(fx->v, NULL, path, flags, 0644, NULL, out);
}

int fix_mkdir(struct fsfix *fx, const char *path)
{
	return vfs_mkdirat(fx->v, NULL, path, 0755, NULL);
}

int fix_symlink(struct fsfix *fx, const char *target, const char *path)
{
	return vfs_symlinkat(fx->v, target, NULL, path, NULL);
}

ssize_t fix_write(struct file *f, const void *buf, size_t len, int64_t *pos)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

	return vfs_writev(f, &iov, 1, pos);
}

ssize_t fix_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	return vfs_readv(f, &iov, 1, pos);
}

int fix_write_file(struct fsfix *fx, const char *path, const char *s)
{
	struct file *f;
	ssize_t n;
	int err;

	err = fix_open(fx, path, O_WRONLY | O_CREAT | O_TRUNC, &f);
	if (err < 0)
		return err;
	n = fix_write(f, s, strlen(s), NULL);
	file_put(f);
	return n < 0 ? (int)n : 0;
}

ssize_t fix_read_file(struct fsfix *fx, const char *path, char *buf, size_t len)
{
	struct file *f;
	ssize_t n;
	int err;

	err = fix_open(fx, path, O_RDONLY, &f);
	if (err < 0)
		return err;
	n = vfs_kernel_read(f, buf, len - 1, 0);
	file_put(f);
	buf[n < 0 ? 0 : n] = '\0';
	return n;
}

ssize_t fix_getcwd(struct fsfix *fx, char *buf, size_t len)
{
	return vfs_path_string(&fx->v->root, &fx->v->cwd, buf, len);
}

int fix_chdir(struct fsfix *fx, const char *path)
{
	struct path p;
	int err = vfs_walk(fx->v, NULL, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, NULL, &p);

	if (err < 0)
		return err;
	err = vfs_chdir(fx->v, &p, NULL);
	path_put(&p);
	return err;
}
