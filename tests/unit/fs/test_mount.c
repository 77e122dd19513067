/*
 * The mount(2)-level operations of fs/vfs/mount_ops.c over tmpfs: bind mounts, busy and
 * lazy unmounts, moves, a namespace copy that stays independent of its original, and
 * pivot_root; every case checks that the whole tree is freed at teardown.
 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

static int walk(struct fs_view *v, const char *path, struct path *out)
{
	return vfs_walk(v, NULL, path, LOOKUP_FOLLOW, NULL, out);
}

static int umount_at(struct fs_view *v, const char *path, bool detach)
{
	struct path p;
	int err = walk(v, path, &p);

	if (err)
		return err;
	err = vfs_umount(&p, detach ? MNT_DETACH : 0);
	path_put(&p);
	return err;
}

static int bind_at(struct fs_view *v, const char *from, const char *to, bool rec)
{
	struct path f, t;
	int err = walk(v, from, &f);

	if (err)
		return err;
	err = walk(v, to, &t);
	if (!err) {
		err = vfs_mount_bind(&f, &t, rec);
		path_put(&t);
	}
	path_put(&f);
	return err;
}

static bool exists(struct fs_view *v, const char *path)
{
	struct kstat st;

	return vfs_statat(v, NULL, path, 0, NULL, &st) == 0;
}

TEST(bind_and_unmount_free_everything)
{
	struct fsfix fx;
	char buf[16];

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/m"), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/b"), 0);
	ASSERT_EQ(fix_mount_tmpfs(&fx, "/m", 0), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/m/sub"), 0);
	ASSERT_EQ(fix_mount_tmpfs(&fx, "/m/sub", 0), 0);
	ASSERT_EQ(fix_write_file(&fx, "/m/sub/f", "deep"), 0);
	ASSERT_EQ(bind_at(fx.v, "/m", "/b", true), 0);
	EXPECT_EQ(fix_read_file(&fx, "/b/sub/f", buf, sizeof(buf)), 4);
	/* the bind's own submount keeps it busy; the original's too */
	EXPECT_EQ(umount_at(fx.v, "/b", false), -EBUSY);
	EXPECT_EQ(umount_at(fx.v, "/b/sub", false), 0);
	EXPECT_EQ(umount_at(fx.v, "/b", false), 0);
	EXPECT_TRUE(exists(fx.v, "/m/sub/f"));
	EXPECT_EQ(umount_at(fx.v, "/b", false), -EINVAL);
	fix_teardown(&fx);
}

TEST(lazy_unmount_keeps_open_files_working)
{
	struct fsfix fx;
	struct file *f;
	char buf[16] = { 0 };
	int64_t pos = 0;

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/m"), 0);
	ASSERT_EQ(fix_mount_tmpfs(&fx, "/m", 0), 0);
	ASSERT_EQ(fix_write_file(&fx, "/m/f", "kept"), 0);
	ASSERT_EQ(fix_open(&fx, "/m/f", O_RDONLY, &f), 0);
	EXPECT_EQ(umount_at(fx.v, "/m", false), -EBUSY);
	EXPECT_EQ(umount_at(fx.v, "/m", true), 0);
	EXPECT_FALSE(exists(fx.v, "/m/f"));
	EXPECT_EQ(fix_read(f, buf, sizeof(buf) - 1, &pos), 4);
	EXPECT_STREQ(buf, "kept");
	file_put(f);
	fix_teardown(&fx);
}

TEST(move_refuses_its_own_subtree)
{
	struct fsfix fx;
	struct path from, to;

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/a"), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/b"), 0);
	ASSERT_EQ(fix_mount_tmpfs(&fx, "/a", 0), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/a/in"), 0);
	ASSERT_EQ(walk(fx.v, "/a", &from), 0);
	ASSERT_EQ(walk(fx.v, "/a/in", &to), 0);
	EXPECT_EQ(vfs_mount_move(&from, &to), -ELOOP);
	path_put(&to);
	ASSERT_EQ(walk(fx.v, "/b", &to), 0);
	EXPECT_EQ(vfs_mount_move(&from, &to), 0);
	path_put(&to);
	path_put(&from);
	EXPECT_TRUE(exists(fx.v, "/b/in"));
	EXPECT_FALSE(exists(fx.v, "/a/in"));
	fix_teardown(&fx);
}

TEST(namespace_copy_is_independent)
{
	struct fsfix fx;
	struct fs_view *copy;
	struct path top;

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/m"), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/n"), 0);
	ASSERT_EQ(fix_mount_tmpfs(&fx, "/m", 0), 0);
	ASSERT_EQ(fix_write_file(&fx, "/m/f", "x"), 0);
	ASSERT_EQ(fix_chdir(&fx, "/m"), 0);
	copy = fs_view_copy(fx.v);
	ASSERT_TRUE(copy != NULL);
	ASSERT_EQ(vfs_mount_ns_copy(copy), 0);
	/* the copy sees the same mounts; its cwd moved to the copied /m */
	EXPECT_TRUE(exists(copy, "/m/f"));
	EXPECT_TRUE(exists(copy, "f"));
	EXPECT_EQ(umount_at(copy, "/m", false), -EBUSY); /* its own cwd */
	ASSERT_EQ(walk(copy, "/", &top), 0);
	ASSERT_EQ(vfs_chdir(copy, &top, NULL), 0);
	path_put(&top);
	EXPECT_EQ(umount_at(copy, "/m", false), 0);
	EXPECT_FALSE(exists(copy, "/m/f"));
	EXPECT_TRUE(exists(fx.v, "/m/f"));
	/* a mount in the original does not show in the copy */
	ASSERT_EQ(fix_mount_tmpfs(&fx, "/n", 0), 0);
	ASSERT_EQ(fix_write_file(&fx, "/n/g", "y"), 0);
	EXPECT_FALSE(exists(copy, "/n/g"));
	fs_view_put(copy);
	ASSERT_EQ(fix_chdir(&fx, "/"), 0);
	fix_teardown(&fx);
}

static void repoint_one(const struct path *from, const struct path *to, void *arg)
{
	vfs_fs_view_repoint(arg, from, to);
}

TEST(pivot_root_swaps_the_top)
{
	struct fsfix fx;
	struct path root, nr, old;

	fix_setup(&fx);
	ASSERT_EQ(fix_write_file(&fx, "/marker", "old"), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/m"), 0);
	ASSERT_EQ(fix_mount_tmpfs(&fx, "/m", 0), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/m/old"), 0);
	ASSERT_EQ(walk(fx.v, "/", &root), 0);
	ASSERT_EQ(walk(fx.v, "/m", &nr), 0);
	ASSERT_EQ(walk(fx.v, "/m/old", &old), 0);
	EXPECT_EQ(vfs_pivot_root(&root, &root, &old, repoint_one, fx.v), -EBUSY);
	EXPECT_EQ(vfs_pivot_root(&root, &nr, &old, repoint_one, fx.v), 0);
	path_put(&old);
	path_put(&nr);
	path_put(&root);
	EXPECT_TRUE(exists(fx.v, "/old/marker"));
	EXPECT_FALSE(exists(fx.v, "/marker"));
	EXPECT_EQ(umount_at(fx.v, "/old", true), 0);
	EXPECT_FALSE(exists(fx.v, "/old/marker"));
	fix_teardown(&fx);
}
