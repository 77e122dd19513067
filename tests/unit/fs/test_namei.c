/* Path resolution over a tmpfs tree: symlinks, `..`, mounts, trailing slashes, limits. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

static int stat_ino(struct fsfix *fx, const char *path, unsigned lookup, uint64_t *ino)
{
	struct kstat st;
	int err = vfs_statat(fx->v, NULL, path, lookup, NULL, &st);

	if (err == 0)
		*ino = st.ino;
	return err;
}

TEST(relative_and_absolute_symlinks_resolve_from_their_dir_and_root)
{
	struct fsfix fx;
	char buf[64];

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/a"), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/a/b"), 0);
	ASSERT_EQ(fix_write_file(&fx, "/a/b/f", "data"), 0);
	ASSERT_EQ(fix_symlink(&fx, "b/f", "/a/rel"), 0);
	ASSERT_EQ(fix_symlink(&fx, "/a/b", "/abs"), 0);
	ASSERT_EQ(fix_symlink(&fx, "../rel", "/a/b/up"), 0);
	EXPECT_EQ(fix_read_file(&fx, "/a/rel", buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "data");
	EXPECT_EQ(fix_read_file(&fx, "/abs/f", buf, sizeof(buf)), 4);
	EXPECT_EQ(fix_read_file(&fx, "/abs/up", buf, sizeof(buf)), 4);
	EXPECT_EQ(fix_read_file(&fx, "abs//./f", buf, sizeof(buf)), 4);
	fix_teardown(&fx);
}

TEST(trailing_symlink_is_followed_only_when_asked)
{
	struct fsfix fx;
	struct kstat st;

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/d"), 0);
	ASSERT_EQ(fix_symlink(&fx, "d", "/l"), 0);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/l", 0, NULL, &st), 0);
	EXPECT_TRUE(S_ISLNK(st.mode));
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/l", LOOKUP_FOLLOW, NULL, &st), 0);
	EXPECT_TRUE(S_ISDIR(st.mode));
	/* a trailing slash follows it whatever the flags say */
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/l/", 0, NULL, &st), 0);
	EXPECT_TRUE(S_ISDIR(st.mode));
	fix_teardown(&fx);
}

TEST(symlink_loops_give_eloop)
{
	struct fsfix fx;
	struct file *f;
	struct kstat st;
	char name[16];

	fix_setup(&fx);
	ASSERT_EQ(fix_symlink(&fx, "/loop2", "/loop1"), 0);
	ASSERT_EQ(fix_symlink(&fx, "loop1", "/loop2"), 0);
	ASSERT_EQ(fix_symlink(&fx, "self/x", "/self"), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/loop1", LOOKUP_FOLLOW, NULL, &st), -ELOOP);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/self", LOOKUP_FOLLOW, NULL, &st), -ELOOP);
	EXPECT_EQ(fix_open(&fx, "/loop1", O_RDONLY, &f), -ELOOP);
	EXPECT_EQ(fix_open(&fx, "/loop1", O_RDONLY | O_CREAT, &f), -ELOOP);
	/* a chain of 40 links resolves, 41 do not */
	ASSERT_EQ(fix_mkdir(&fx, "/c"), 0);
	ASSERT_EQ(fix_write_file(&fx, "/c/end", "x"), 0);
	ASSERT_EQ(fix_symlink(&fx, "end", "/c/l0"), 0);
	for (int i = 1; i <= 40; i++) {
		char target[16];

		snprintf(target, sizeof(target), "l%d", i - 1);
		snprintf(name, sizeof(name), "/c/l%d", i);
		ASSERT_EQ(fix_symlink(&fx, target, name), 0);
	}
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/c/l39", LOOKUP_FOLLOW, NULL, &st), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/c/l40", LOOKUP_FOLLOW, NULL, &st), -ELOOP);
	fix_teardown(&fx);
}

TEST(dotdot_stops_at_the_root)
{
	struct fsfix fx;
	uint64_t root_ino = 0, ino = 0;

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/a"), 0);
	ASSERT_EQ(stat_ino(&fx, "/", 0, &root_ino), 0);
	EXPECT_EQ(stat_ino(&fx, "/..", 0, &ino), 0);
	EXPECT_EQ(ino, root_ino);
	EXPECT_EQ(stat_ino(&fx, "/a/../../../..", 0, &ino), 0);
	EXPECT_EQ(ino, root_ino);
	ASSERT_EQ(fix_chdir(&fx, "/a"), 0);
	EXPECT_EQ(stat_ino(&fx, "../..", 0, &ino), 0);
	EXPECT_EQ(ino, root_ino);
	fix_teardown(&fx);
}

TEST(mounts_are_crossed_down_and_dotdot_climbs_out)
{
	struct fsfix fx;
	uint64_t ino_top = 0, ino_mnt = 0, ino = 0;
	struct kstat st_root, st_mnt;
	char buf[64];

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/m"), 0);
	ASSERT_EQ(fix_write_file(&fx, "/m/hidden", "under"), 0);
	ASSERT_EQ(stat_ino(&fx, "/m", 0, &ino_top), 0);
	ASSERT_EQ(fix_mount_tmpfs(&fx, "/m", 0), 0);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/", 0, NULL, &st_root), 0);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/m", 0, NULL, &st_mnt), 0);
	EXPECT_NE(st_root.dev, st_mnt.dev);
	EXPECT_NE(st_root.mnt_id, st_mnt.mnt_id);
	EXPECT_EQ(fix_read_file(&fx, "/m/hidden", buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(fix_mkdir(&fx, "/m/sub"), 0);
	ASSERT_EQ(fix_write_file(&fx, "/m/sub/f", "over"), 0);
	ASSERT_EQ(stat_ino(&fx, "/m/sub/..", 0, &ino_mnt), 0);
	EXPECT_EQ(ino_mnt, st_mnt.ino);
	/* `..` from the mounted root leaves the mount */
	ASSERT_EQ(stat_ino(&fx, "/m/..", 0, &ino), 0);
	EXPECT_EQ(ino, st_root.ino);
	ASSERT_EQ(fix_chdir(&fx, "/m/sub"), 0);
	EXPECT_EQ(fix_getcwd(&fx, buf, sizeof(buf)), (ssize_t)sizeof("/m/sub"));
	EXPECT_STREQ(buf, "/m/sub");
	EXPECT_EQ(fix_read_file(&fx, "../../m/sub/f", buf, sizeof(buf)), 4);
	(void)ino_top;
	/* a rename across the mount boundary is EXDEV */
	EXPECT_EQ(vfs_renameat(fx.v, NULL, "/m/sub/f", NULL, "/f", 0, NULL), -EXDEV);
	fix_teardown(&fx);
}

TEST(trailing_slash_requires_a_directory)
{
	struct fsfix fx;
	struct file *f;
	struct kstat st;

	fix_setup(&fx);
	ASSERT_EQ(fix_write_file(&fx, "/f", "x"), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/d"), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/f/", 0, NULL, &st), -ENOTDIR);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/d/", 0, NULL, &st), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/f/.", 0, NULL, &st), -ENOTDIR);
	EXPECT_EQ(fix_open(&fx, "/f/", O_RDONLY, &f), -ENOTDIR);
	EXPECT_EQ(fix_open(&fx, "/new/", O_RDWR | O_CREAT, &f), -EISDIR);
	EXPECT_EQ(vfs_mkdirat(fx.v, NULL, "/d2/", 0755, NULL), 0);
	EXPECT_EQ(vfs_symlinkat(fx.v, "x", NULL, "/s/", NULL), -ENOENT);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/f/", 0, NULL), -ENOTDIR);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/d2/", AT_REMOVEDIR, NULL), 0);
	fix_teardown(&fx);
}

TEST(a_file_in_the_middle_is_enotdir)
{
	struct fsfix fx;
	struct kstat st;
	struct file *f;

	fix_setup(&fx);
	ASSERT_EQ(fix_write_file(&fx, "/f", "x"), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/f/x", 0, NULL, &st), -ENOTDIR);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/f/x/y", 0, NULL, &st), -ENOTDIR);
	EXPECT_EQ(vfs_mkdirat(fx.v, NULL, "/f/x", 0755, NULL), -ENOTDIR);
	/* a non-directory start for a relative walk */
	ASSERT_EQ(fix_open(&fx, "/f", O_RDONLY, &f), 0);
	EXPECT_EQ(vfs_statat(fx.v, &f->path, "x", 0, NULL, &st), -ENOTDIR);
	EXPECT_EQ(vfs_statat(fx.v, &f->path, "", LOOKUP_EMPTY, NULL, &st), 0);
	EXPECT_TRUE(S_ISREG(st.mode));
	file_put(f);
	fix_teardown(&fx);
}

TEST(open_flags_nofollow_excl_directory_trunc)
{
	struct fsfix fx;
	struct file *f;
	char buf[16];

	fix_setup(&fx);
	ASSERT_EQ(fix_write_file(&fx, "/f", "hello"), 0);
	ASSERT_EQ(fix_symlink(&fx, "f", "/l"), 0);
	ASSERT_EQ(fix_symlink(&fx, "nowhere", "/dangling"), 0);
	EXPECT_EQ(fix_open(&fx, "/l", O_RDONLY | O_NOFOLLOW, &f), -ELOOP);
	ASSERT_EQ(fix_open(&fx, "/l", O_PATH | O_NOFOLLOW, &f), 0);
	EXPECT_TRUE(S_ISLNK(f->inode->mode));
	EXPECT_EQ(fix_read(f, buf, sizeof(buf), NULL), -EBADF);
	file_put(f);
	EXPECT_EQ(fix_open(&fx, "/f", O_RDWR | O_CREAT | O_EXCL, &f), -EEXIST);
	EXPECT_EQ(fix_open(&fx, "/l", O_RDWR | O_CREAT | O_EXCL, &f), -EEXIST);
	EXPECT_EQ(fix_open(&fx, "/f", O_RDONLY | O_DIRECTORY, &f), -ENOTDIR);
	EXPECT_EQ(fix_open(&fx, "/", O_RDWR, &f), -EISDIR);
	EXPECT_EQ(fix_open(&fx, "/", O_RDONLY | O_CREAT, &f), -EISDIR);
	EXPECT_EQ(fix_open(&fx, "/x", O_RDONLY | O_CREAT | O_DIRECTORY, &f), -EINVAL);
	/* O_CREAT through a dangling symlink creates its target */
	ASSERT_EQ(fix_open(&fx, "/dangling", O_WRONLY | O_CREAT, &f), 0);
	file_put(f);
	EXPECT_EQ(fix_read_file(&fx, "/nowhere", buf, sizeof(buf)), 0);
	ASSERT_EQ(fix_open(&fx, "/l", O_WRONLY | O_TRUNC, &f), 0);
	file_put(f);
	EXPECT_EQ(fix_read_file(&fx, "/f", buf, sizeof(buf)), 0);
	/* O_CLOEXEC is the fd table's business */
	ASSERT_EQ(fix_open(&fx, "/f", O_RDONLY | O_CLOEXEC, &f), 0);
	EXPECT_EQ(f->flags & O_CLOEXEC, 0);
	EXPECT_EQ(f->flags & O_ACCMODE, O_RDONLY);
	file_put(f);
	fix_teardown(&fx);
}

TEST(name_limits_and_empty_paths)
{
	struct fsfix fx;
	char longname[300], longpath[PATH_MAX + 10];
	struct kstat st;

	fix_setup(&fx);
	memset(longname, 'a', 257); /* "/" + 256 */
	longname[0] = '/';
	longname[257] = '\0';
	EXPECT_EQ(vfs_statat(fx.v, NULL, longname, 0, NULL, &st), -ENAMETOOLONG);
	longname[256] = '\0'; /* "/" + 255 */
	EXPECT_EQ(vfs_statat(fx.v, NULL, longname, 0, NULL, &st), -ENOENT);
	memset(longpath, '/', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	EXPECT_EQ(vfs_statat(fx.v, NULL, longpath, 0, NULL, &st), -ENAMETOOLONG);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "", 0, NULL, &st), -ENOENT);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "", LOOKUP_EMPTY, NULL, &st), 0);
	EXPECT_TRUE(S_ISDIR(st.mode));
	fix_teardown(&fx);
}

TEST(search_permission_is_checked_on_each_directory)
{
	struct vfs_cred user = { .fsuid = 1000, .fsgid = 1000 };
	struct vfs_cred reader = { .fsuid = 1000, .fsgid = 1000, .cap_dac_read_search = true };
	struct fsfix fx;
	struct kstat st;
	struct file *f;

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/locked"), 0);
	ASSERT_EQ(fix_write_file(&fx, "/locked/f", "x"), 0);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/locked", 0, NULL, &st), 0);
	{
		struct path p;

		ASSERT_EQ(vfs_walk(fx.v, NULL, "/locked", 0, NULL, &p), 0);
		EXPECT_EQ(vfs_chmod(p.mnt, p.dentry->inode, 0700, NULL), 0);
		EXPECT_EQ(vfs_chmod(p.mnt, p.dentry->inode, 0755, &user), -EPERM);
		path_put(&p);
	}
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/locked/f", 0, &user, &st), -EACCES);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/locked/f", 0, &reader, &st), 0);
	EXPECT_EQ(vfs_openat(fx.v, NULL, "/locked/g", O_CREAT | O_WRONLY, 0644, &user, &f),
		  -EACCES);
	EXPECT_EQ(vfs_accessat(fx.v, NULL, "/locked", X_OK, 0, &user), -EACCES);
	EXPECT_EQ(vfs_accessat(fx.v, NULL, "/locked", X_OK, 0, NULL), 0);
	/* a user may not write a root-owned 0644 file, nor create in a 0755 root dir */
	EXPECT_EQ(vfs_openat(fx.v, NULL, "/locked/f", O_WRONLY, 0, &reader, &f), -EACCES);
	EXPECT_EQ(vfs_mkdirat(fx.v, NULL, "/mine", 0755, &user), -EACCES);
	fix_teardown(&fx);
}

TEST(path_strings_name_deleted_and_unreachable_dirs)
{
	struct fsfix fx;
	char buf[128];
	struct path p;

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/a"), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/a/b"), 0);
	EXPECT_EQ(fix_getcwd(&fx, buf, sizeof(buf)), 2);
	EXPECT_STREQ(buf, "/");
	ASSERT_EQ(fix_chdir(&fx, "/a/b"), 0);
	EXPECT_EQ(fix_getcwd(&fx, buf, 5), 5);
	EXPECT_STREQ(buf, "/a/b");
	EXPECT_EQ(fix_getcwd(&fx, buf, 4), -ERANGE);
	ASSERT_EQ(vfs_unlinkat(fx.v, NULL, "/a/b", AT_REMOVEDIR, NULL), 0);
	EXPECT_GT(fix_getcwd(&fx, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "/a/b (deleted)");
	EXPECT_TRUE(fx.v->cwd.dentry->flags & DENTRY_UNHASHED);
	EXPECT_EQ(vfs_mkdirat(fx.v, NULL, "x", 0755, NULL), -ENOENT);
	/* a path outside the root it is shown from */
	ASSERT_EQ(vfs_walk(fx.v, NULL, "/a", 0, NULL, &p), 0);
	EXPECT_GT(vfs_path_string(&p, &fx.v->root, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "(unreachable)/");
	path_put(&p);
	fix_teardown(&fx);
}
