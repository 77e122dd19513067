/*
 * tmpfs limits on a private instance: mount option parsing, size= (ENOSPC on write and
 * fallocate, all or nothing), nr_inodes= (ENOSPC on create), statfs's accounting, and
 * xattrs at the inode-op level.
 */
#include <errno.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

#include "fs/tmpfs/tmpfs.h"
#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

TEST(option_parsing)
{
	struct tmpfs_opts o;
	struct fsfix fx;

	fix_setup(&fx); /* size=N% needs the memory file */
	fix_teardown(&fx);
	ASSERT_EQ(tmpfs_parse_opts(NULL, &o), 0);
	EXPECT_EQ(o.size, 0u);
	EXPECT_EQ(o.mode, 01777u);
	ASSERT_EQ(tmpfs_parse_opts("size=10m,mode=700,nr_inodes=1k,uid=5,gid=6", &o), 0);
	EXPECT_EQ(o.size, 10u << 20);
	EXPECT_EQ(o.mode, 0700u);
	EXPECT_EQ(o.nr_inodes, 1024u);
	EXPECT_EQ(o.uid, 5u);
	EXPECT_EQ(o.gid, 6u);
	ASSERT_EQ(tmpfs_parse_opts("nr_blocks=3,inode64,huge=never,noswap", &o), 0);
	EXPECT_EQ(o.size, 3u * 4096);
	ASSERT_EQ(tmpfs_parse_opts("size=2G", &o), 0);
	EXPECT_EQ(o.size, 2ull << 30);
	ASSERT_EQ(tmpfs_parse_opts("size=50%", &o), 0);
	EXPECT_GT(o.size, 0u);
	EXPECT_EQ(tmpfs_parse_opts("size=10x", &o), -EINVAL);
	EXPECT_EQ(tmpfs_parse_opts("size=101%", &o), -EINVAL);
	EXPECT_EQ(tmpfs_parse_opts("nr_inodes=5%", &o), -EINVAL);
	EXPECT_EQ(tmpfs_parse_opts("mode=8", &o), -EINVAL);
	EXPECT_EQ(tmpfs_parse_opts("mode=17777", &o), -EINVAL);
	EXPECT_EQ(tmpfs_parse_opts("bogus=1", &o), -EINVAL);
	EXPECT_EQ(tmpfs_parse_opts("size", &o), -EINVAL);
	EXPECT_EQ(tmpfs_parse_opts("uid=-1", &o), -EINVAL);
}

struct inst {
	struct super_block *sb;
	struct inode *root;
};

static void inst_new(struct inst *in, const char *opts)
{
	struct tmpfs_opts o;
	struct fsfix fx;

	fix_setup(&fx); /* only for the memory file; torn down at once */
	fix_teardown(&fx);
	ASSERT_EQ(tmpfs_parse_opts(opts, &o), 0);
	ASSERT_EQ(tmpfs_new_opts(&o, &in->sb, &in->root), 0);
}

static void inst_put(struct inst *in)
{
	inode_put(in->root);
	sb_put(in->sb);
}

static struct file *new_file(struct inst *in, const char *name)
{
	struct inode *inode;
	struct file *f;

	ASSERT_EQ(in->root->iops->create(in->root, name, 0644, NULL, &inode), 0);
	ASSERT_EQ(file_new(NULL, inode, O_RDWR, &f), 0);
	inode_put(inode);
	return f;
}

static ssize_t write_at(struct file *f, size_t len, int64_t off)
{
	static char buf[8 * 4096];
	struct iovec iov = { buf, len };

	return vfs_writev(f, &iov, 1, &off);
}

TEST(root_takes_the_options_owner_and_mode)
{
	struct inst in;

	inst_new(&in, "mode=0750,uid=7,gid=8");
	EXPECT_EQ(in.root->mode, (uint32_t)(S_IFDIR | 0750));
	EXPECT_EQ(in.root->uid, 7u);
	EXPECT_EQ(in.root->gid, 8u);
	inst_put(&in);
}

TEST(size_limit_applies_to_writes_and_fallocate_and_statfs_tracks_it)
{
	struct statfs sf;
	struct inst in;
	struct file *f;

	inst_new(&in, "size=16k");
	ASSERT_EQ(in.sb->ops->statfs(in.sb, &sf), 0);
	EXPECT_EQ(sf.f_blocks, 4u);
	EXPECT_EQ(sf.f_bfree, 4u);
	f = new_file(&in, "f");
	EXPECT_EQ(write_at(f, 4096, 0), 4096);
	ASSERT_EQ(in.sb->ops->statfs(in.sb, &sf), 0);
	EXPECT_EQ(sf.f_bfree, 3u);
	/* four pages asked, three free: nothing is allocated */
	EXPECT_EQ(vfs_fallocate(f, 0, 4096, 4 * 4096), -ENOSPC);
	ASSERT_EQ(in.sb->ops->statfs(in.sb, &sf), 0);
	EXPECT_EQ(sf.f_bfree, 3u);
	EXPECT_EQ(f->inode->size, 4096);
	EXPECT_EQ(vfs_fallocate(f, FALLOC_FL_KEEP_SIZE, 4096, 3 * 4096), 0);
	ASSERT_EQ(in.sb->ops->statfs(in.sb, &sf), 0);
	EXPECT_EQ(sf.f_bfree, 0u);
	/* a hole past the allocation can't be written; truncating up allocates nothing */
	EXPECT_EQ(write_at(f, 1, 5 * 4096), -ENOSPC);
	EXPECT_EQ(vfs_truncate(f->inode, 100 * 4096), 0);
	/* punching gives pages back */
	EXPECT_EQ(vfs_fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 2 * 4096), 0);
	ASSERT_EQ(in.sb->ops->statfs(in.sb, &sf), 0);
	EXPECT_EQ(sf.f_bfree, 2u);
	EXPECT_EQ(write_at(f, 1, 50 * 4096), 1);
	file_put(f);
	inst_put(&in);
}

TEST(nr_inodes_limits_creation)
{
	struct inode *inode, *dir;
	struct statfs sf;
	struct inst in;

	inst_new(&in, "nr_inodes=3");
	ASSERT_EQ(in.sb->ops->statfs(in.sb, &sf), 0);
	EXPECT_EQ(sf.f_files, 3u);
	EXPECT_EQ(sf.f_ffree, 2u); /* the root is one */
	ASSERT_EQ(in.root->iops->create(in.root, "a", 0644, NULL, &inode), 0);
	inode_put(inode);
	ASSERT_EQ(in.root->iops->mkdir(in.root, "d", 0755, NULL, &dir), 0);
	EXPECT_EQ(in.root->iops->create(in.root, "b", 0644, NULL, &inode), -ENOSPC);
	EXPECT_EQ(in.root->iops->symlink(in.root, "l", "a", NULL, &inode), -ENOSPC);
	ASSERT_EQ(in.sb->ops->statfs(in.sb, &sf), 0);
	EXPECT_EQ(sf.f_ffree, 0u);
	/* an evicted inode frees its slot */
	inode = NULL;
	ASSERT_EQ(in.root->iops->lookup(in.root, "a", &inode), 0);
	ASSERT_EQ(in.root->iops->unlink(in.root, "a", inode), 0);
	inode_put(inode);
	ASSERT_EQ(in.root->iops->create(in.root, "b", 0644, NULL, &inode), 0);
	inode_put(inode);
	inode_put(dir);
	inst_put(&in);
}

TEST(xattr_ops_keep_names_sorted_and_honour_flags)
{
	char list[64], val[8];
	struct inst in;

	inst_new(&in, NULL);
	ASSERT_EQ(in.root->iops->setxattr(in.root, "user.b", "2", 1, 0), 0);
	ASSERT_EQ(in.root->iops->setxattr(in.root, "trusted.t", "t", 1, 0), 0);
	ASSERT_EQ(in.root->iops->setxattr(in.root, "user.a", "1", 1, 0), 0);
	EXPECT_EQ(in.root->iops->setxattr(in.root, "user.a", "x", 1, XATTR_CREATE), -EEXIST);
	EXPECT_EQ(in.root->iops->setxattr(in.root, "user.z", "x", 1, XATTR_REPLACE), -ENODATA);
	EXPECT_EQ(in.root->iops->listxattr(in.root, NULL, 0, true), 24);
	ASSERT_EQ(in.root->iops->listxattr(in.root, list, sizeof(list), true), 24);
	EXPECT_MEMEQ(list, "trusted.t\0user.a\0user.b\0", 24);
	/* without CAP_SYS_ADMIN trusted.* is not listed */
	ASSERT_EQ(in.root->iops->listxattr(in.root, list, sizeof(list), false), 14);
	EXPECT_MEMEQ(list, "user.a\0user.b\0", 14);
	EXPECT_EQ(in.root->iops->listxattr(in.root, list, 5, true), -ERANGE);
	EXPECT_EQ(in.root->iops->getxattr(in.root, "user.a", val, sizeof(val)), 1);
	EXPECT_EQ(in.root->iops->removexattr(in.root, "user.a"), 0);
	EXPECT_EQ(in.root->iops->getxattr(in.root, "user.a", val, sizeof(val)), -ENODATA);
	inst_put(&in);
}
