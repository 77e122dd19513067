/* hostfs: a read-only view of a host directory, symlinks resolved inside the view. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "fs/hostfs/hostfs.h"
#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

static void host_write(const char *dir, const char *name, const char *s)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

/* A view whose root is a host directory. */
static void host_view(struct fsfix *fx, const char *host_dir)
{
	struct super_block *sb;
	struct inode *root;
	struct mount *mnt;
	struct path p;

	ASSERT_EQ(hostfs_new(host_dir, &sb, &root), 0);
	ASSERT_EQ(vfs_mount_root(sb, root, &mnt), 0);
	inode_put(root);
	sb_put(sb);
	p.mnt = mnt;
	p.dentry = mnt->root;
	fx->v = fs_view_new(&p, &p);
	mount_put(mnt);
}

static void make_tree(const char *dir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/sub", dir);
	ASSERT_EQ(mkdir(path, 0755), 0);
	host_write(dir, "sub/f", "inside");
	host_write(dir, "top", "top file");
	snprintf(path, sizeof(path), "%s/abs", dir);
	ASSERT_EQ(symlink("/sub/f", path), 0);
	snprintf(path, sizeof(path), "%s/up", dir);
	ASSERT_EQ(symlink("../../../../top", path), 0);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ASSERT_EQ(mkfifo(path, 0644), 0);
}

TEST(reads_files_and_resolves_symlinks_inside_the_view)
{
	const char *dir = harness_tmpdir();
	struct fsfix fx;
	struct kstat st;
	struct stat hst;
	char buf[64], path[512];
	int fds;

	make_tree(dir);
	fds = count_fds();
	host_view(&fx, dir);
	EXPECT_EQ(fix_read_file(&fx, "/top", buf, sizeof(buf)), 8);
	EXPECT_STREQ(buf, "top file");
	/* an absolute host symlink means the view's root, not the host's */
	EXPECT_EQ(fix_read_file(&fx, "/abs", buf, sizeof(buf)), 6);
	EXPECT_STREQ(buf, "inside");
	EXPECT_EQ(fix_read_file(&fx, "/up", buf, sizeof(buf)), 8);
	EXPECT_EQ(fix_read_file(&fx, "/sub/../sub/./f", buf, sizeof(buf)), 6);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/sub/f", 0, NULL, &st), 0);
	snprintf(path, sizeof(path), "%s/sub/f", dir);
	ASSERT_EQ(stat(path, &hst), 0);
	EXPECT_EQ(st.ino, hst.st_ino);
	EXPECT_EQ(st.dev, hst.st_dev);
	EXPECT_EQ(st.size, 6);
	EXPECT_EQ(vfs_readlinkat(fx.v, NULL, "/abs", buf, sizeof(buf), NULL), 6);
	fix_teardown(&fx);
	EXPECT_EQ(count_fds(), fds);
}

TEST(every_change_is_erofs)
{
	const char *dir = harness_tmpdir();
	struct fsfix fx;
	struct file *f;
	struct path p;

	make_tree(dir);
	host_view(&fx, dir);
	EXPECT_EQ(fix_open(&fx, "/new", O_WRONLY | O_CREAT, &f), -EROFS);
	EXPECT_EQ(fix_open(&fx, "/top", O_WRONLY, &f), -EROFS);
	EXPECT_EQ(fix_open(&fx, "/top", O_RDONLY | O_TRUNC, &f), -EROFS);
	EXPECT_EQ(fix_mkdir(&fx, "/newdir"), -EROFS);
	EXPECT_EQ(fix_mkdir(&fx, "/sub"), -EEXIST);
	EXPECT_EQ(fix_symlink(&fx, "x", "/newlink"), -EROFS);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/top", 0, NULL), -EROFS);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/sub", AT_REMOVEDIR, NULL), -EROFS);
	EXPECT_EQ(vfs_renameat(fx.v, NULL, "/top", NULL, "/top2", 0, NULL), -EROFS);
	EXPECT_EQ(vfs_accessat(fx.v, NULL, "/top", W_OK, 0, NULL), -EROFS);
	EXPECT_EQ(vfs_accessat(fx.v, NULL, "/top", R_OK, 0, NULL), 0);
	ASSERT_EQ(vfs_walk(fx.v, NULL, "/top", 0, NULL, &p), 0);
	EXPECT_EQ(vfs_chmod(p.mnt, p.dentry->inode, 0600, NULL), -EROFS);
	EXPECT_EQ(vfs_truncate_checked(p.mnt, p.dentry->inode, 0, NULL), -EROFS);
	path_put(&p);
	/* host FIFOs and devices are not the sandbox's */
	EXPECT_EQ(fix_open(&fx, "/fifo", O_RDONLY | O_NONBLOCK, &f), -EACCES);
	fix_teardown(&fx);
}

TEST(directories_list_from_a_snapshot)
{
	const char *dir = harness_tmpdir();
	struct fsfix fx;
	struct file *f;
	char buf[8192];
	int found = 0, total = 0;
	ssize_t n;

	make_tree(dir);
	host_view(&fx, dir);
	ASSERT_EQ(fix_open(&fx, "/", O_RDONLY | O_DIRECTORY, &f), 0);
	while ((n = vfs_getdents64(f, buf, 64)) > 0) {
		for (ssize_t off = 0; off < n;) {
			const char *name = buf + off + 19;

			if (!strcmp(name, "sub") || !strcmp(name, "top") || !strcmp(name, "abs") ||
			    !strcmp(name, "up") || !strcmp(name, "fifo"))
				found++;
			total++;
			off += *(uint16_t *)(buf + off + 16);
		}
	}
	EXPECT_EQ(n, 0);
	EXPECT_EQ(found, 5);
	EXPECT_EQ(total, 7);
	file_put(f);
	fix_teardown(&fx);
}

TEST(host_procfs_is_hidden)
{
	struct fsfix fx;
	struct statfs sfs;
	struct kstat st;
	struct file *f;
	char buf[4096];

	if (statfs("/proc", &sfs) < 0 || sfs.f_type != 0x9fa0)
		SKIP("no procfs on the host's /proc");
	host_view(&fx, "/");
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/proc/self", 0, NULL, &st), -ENOENT);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/proc", 0, NULL, &st), 0);
	ASSERT_EQ(fix_open(&fx, "/proc", O_RDONLY, &f), 0);
	/* only "." and ".." */
	EXPECT_EQ(vfs_getdents64(f, buf, sizeof(buf)), 48);
	EXPECT_EQ(vfs_getdents64(f, buf, sizeof(buf)), 0);
	file_put(f);
	fix_teardown(&fx);
}
