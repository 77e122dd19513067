/*
 * goferfs under the VFS, over a gofer server thread: the VFS contract of a host-backed filesystem (reads,
 * symlinks resolved inside the view, snapshot directories) plus writes, and nothing leaks:
 * no VFS object, no fd, no server thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/gofer/goferfs.h"
#include "fs/vfs/internal.h"
#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"
#include "tests/unit/gofer/gofix.h"

static char hp[4][4096];
static int hpi;

static const char *host(const char *dir, const char *name)
{
	hpi = (hpi + 1) % 4;
	snprintf(hp[hpi], sizeof(hp[hpi]), "%s/%s", dir, name);
	return hp[hpi];
}

/* A view whose root is goferfs over dir, served by a thread. */
static void gofer_view(struct fsfix *fx, struct gofix *gx, const char *dir, bool ro)
{
	struct super_block *sb;
	struct inode *root;
	struct mount *mnt;
	struct path p;

	gofix_start(gx, dir, 2, ro);
	ASSERT_EQ(goferfs_new(gx->c, ro, &sb, &root), 0);
	gx->c = NULL; /* the superblock owns it now */
	ASSERT_EQ(vfs_mount_root(sb, root, &mnt), 0);
	inode_put(root);
	sb_put(sb);
	p.mnt = mnt;
	p.dentry = mnt->root;
	fx->v = fs_view_new(&p, &p);
	mount_put(mnt);
	ASSERT_TRUE(fx->v != NULL);
}

static void make_tree(const char *dir)
{
	ASSERT_EQ(mkdir(host(dir, "sub"), 0755), 0);
	gofix_write(dir, "sub/f", "inside");
	gofix_write(dir, "top", "top file");
	ASSERT_EQ(symlink("/sub/f", host(dir, "abs")), 0);
	ASSERT_EQ(symlink("../../../../top", host(dir, "up")), 0);
	ASSERT_EQ(symlink("/etc/shadow", host(dir, "shadow")), 0);
}

TEST(reads_and_resolves_symlinks_inside_the_view)
{
	const char *dir = harness_tmpdir();
	int fds0 = gofix_count_fds();
	struct fsfix fx;
	struct gofix gx;
	struct kstat st;
	struct stat hst;
	char buf[64];

	make_tree(dir);
	gofer_view(&fx, &gx, dir, false);
	EXPECT_EQ(fix_read_file(&fx, "/top", buf, sizeof(buf)), 8);
	EXPECT_STREQ(buf, "top file");
	EXPECT_EQ(fix_read_file(&fx, "/abs", buf, sizeof(buf)), 6);
	EXPECT_STREQ(buf, "inside");
	EXPECT_EQ(fix_read_file(&fx, "/up", buf, sizeof(buf)), 8);
	EXPECT_EQ(fix_read_file(&fx, "/shadow", buf, sizeof(buf)), -ENOENT);
	EXPECT_EQ(fix_read_file(&fx, "/sub/../sub/./f", buf, sizeof(buf)), 6);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/sub/f", 0, NULL, &st), 0);
	ASSERT_EQ(stat(host(dir, "sub/f"), &hst), 0);
	EXPECT_EQ(st.ino, hst.st_ino);
	EXPECT_EQ(st.dev, hst.st_dev);
	EXPECT_EQ(st.size, 6);
	EXPECT_EQ(vfs_readlinkat(fx.v, NULL, "/abs", buf, sizeof(buf), NULL), 6);
	fix_teardown(&fx);
	gofix_stop(&gx);
	EXPECT_EQ(gofix_count_fds(), fds0);
}

TEST(writes_reach_the_host)
{
	const char *dir = harness_tmpdir();
	int fds0 = gofix_count_fds();
	struct vfs_cred vc = { .fsuid = 1000, .fsgid = 1000, .cap_dac_override = true };
	struct fsfix fx;
	struct gofix gx;
	struct file *f;
	struct stat hst;
	struct path p;
	char buf[64];
	int64_t pos = 0;

	make_tree(dir);
	gofer_view(&fx, &gx, dir, false);
	ASSERT_EQ(fix_write_file(&fx, "/new", "written"), 0);
	EXPECT_EQ(fix_read_file(&fx, "/new", buf, sizeof(buf)), 7);
	ASSERT_EQ(lstat(host(dir, "new"), &hst), 0);
	EXPECT_EQ(hst.st_size, 7);
	/* O_APPEND writes at the end whatever the position */
	ASSERT_EQ(fix_open(&fx, "/new", O_WRONLY | O_APPEND, &f), 0);
	EXPECT_EQ(fix_write(f, "++", 2, &pos), 2);
	file_put(f);
	EXPECT_EQ(fix_read_file(&fx, "/new", buf, sizeof(buf)), 9);
	EXPECT_STREQ(buf, "written++");
	/* O_TRUNC goes through setattr */
	ASSERT_EQ(fix_write_file(&fx, "/new", "x"), 0);
	ASSERT_EQ(lstat(host(dir, "new"), &hst), 0);
	EXPECT_EQ(hst.st_size, 1);
	/* a new file belongs to the creator's fs ids */
	ASSERT_EQ(vfs_openat(fx.v, NULL, "/owned", O_CREAT | O_WRONLY, 0640, &vc, &f), 0);
	file_put(f);
	ASSERT_EQ(lstat(host(dir, "owned"), &hst), 0);
	EXPECT_EQ(hst.st_uid, 1000u);
	EXPECT_EQ(hst.st_mode & 0777, 0640);
	ASSERT_EQ(fix_mkdir(&fx, "/d"), 0);
	ASSERT_EQ(fix_symlink(&fx, "/new", "/d/ln"), 0);
	EXPECT_EQ(fix_read_file(&fx, "/d/ln", buf, sizeof(buf)), 1);
	ASSERT_EQ(vfs_linkat(fx.v, NULL, "/new", NULL, "/d/hard", 0, NULL), 0);
	ASSERT_EQ(vfs_renameat(fx.v, NULL, "/d/hard", NULL, "/moved", 0, NULL), 0);
	EXPECT_EQ(fix_read_file(&fx, "/moved", buf, sizeof(buf)), 1);
	ASSERT_EQ(access(host(dir, "moved"), F_OK), 0);
	ASSERT_EQ(vfs_walk(fx.v, NULL, "/moved", 0, NULL, &p), 0);
	EXPECT_EQ(vfs_chmod(p.mnt, p.dentry->inode, 0604, NULL), 0);
	EXPECT_EQ(vfs_truncate_checked(p.mnt, p.dentry->inode, 100, NULL), 0);
	path_put(&p);
	ASSERT_EQ(stat(host(dir, "moved"), &hst), 0);
	EXPECT_EQ(hst.st_mode & 0777, 0604);
	EXPECT_EQ(hst.st_size, 100);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/moved", 0, NULL), 0);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/d/ln", 0, NULL), 0);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/d", AT_REMOVEDIR, NULL), 0);
	EXPECT_EQ(access(host(dir, "d"), F_OK), -1);
	fix_teardown(&fx);
	gofix_stop(&gx);
	EXPECT_EQ(gofix_count_fds(), fds0);
}

TEST(getdents_lists_the_directory)
{
	const char *dir = harness_tmpdir();
	struct fsfix fx;
	struct gofix gx;
	struct file *f;
	char buf[512], name[64];
	ssize_t n;
	int total = 0;

	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "file-%d", i);
		gofix_write(dir, name, "");
	}
	gofer_view(&fx, &gx, dir, false);
	ASSERT_EQ(fix_open(&fx, "/", O_RDONLY | O_DIRECTORY, &f), 0);
	while ((n = vfs_getdents64(f, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			unsigned short reclen;

			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			off += reclen;
			total++;
		}
	}
	EXPECT_EQ(n, 0);
	EXPECT_EQ(total, 302); /* with "." and ".." */
	file_put(f);
	fix_teardown(&fx);
	gofix_stop(&gx);
}

/* The exclusive policy: names, absent names and attributes are cached, the host tree
 * being the sandbox's alone; a shrink of the cache makes the host's changes visible. */
TEST(the_cache_keeps_what_it_saw_until_shrunk)
{
	const char *dir = harness_tmpdir();
	struct fsfix fx;
	struct gofix gx;
	struct kstat st;

	make_tree(dir);
	gofer_view(&fx, &gx, dir, true);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/late", 0, NULL, &st), -ENOENT);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/top", 0, NULL, &st), 0);
	EXPECT_EQ(st.size, 8);
	gofix_write(dir, "late", "behind the sandbox's back");
	ASSERT_EQ(truncate(host(dir, "top"), 3), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/late", 0, NULL, &st), -ENOENT);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/top", 0, NULL, &st), 0);
	EXPECT_EQ(st.size, 8);
	dcache_shrink(NULL);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/late", 0, NULL, &st), 0);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/top", 0, NULL, &st), 0);
	EXPECT_EQ(st.size, 3);
	fix_teardown(&fx);
	gofix_stop(&gx);
}

TEST(evicted_dentries_give_their_fids_back)
{
	const char *dir = harness_tmpdir();
	int fds0 = gofix_count_fds(), fds1;
	struct fsfix fx;
	struct gofix gx;
	char name[64];

	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		gofix_write(dir, name, "");
	}
	gofer_view(&fx, &gx, dir, true);
	fds1 = gofix_count_fds();
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "/f%d", i);
		ASSERT_EQ(vfs_statat(fx.v, NULL, name, 0, NULL, &(struct kstat){ 0 }), 0);
	}
	/* cached, unused: each still holds its fid (an O_PATH fd in the server thread) */
	EXPECT_GE(gofix_count_fds(), fds1 + 300);
	dcache_shrink(NULL);
	/* gone but for the deferred clunks still waiting for a full batch */
	EXPECT_LT(gofix_count_fds(), fds1 + GOFER_CLUNK_BATCH);
	fix_teardown(&fx);
	gofix_stop(&gx);
	EXPECT_EQ(gofix_count_fds(), fds0);
}

TEST(read_only_goferfs_is_erofs)
{
	const char *dir = harness_tmpdir();
	struct fsfix fx;
	struct gofix gx;
	struct file *f;

	make_tree(dir);
	gofer_view(&fx, &gx, dir, true);
	EXPECT_EQ(fix_open(&fx, "/new", O_WRONLY | O_CREAT, &f), -EROFS);
	EXPECT_EQ(fix_open(&fx, "/top", O_WRONLY, &f), -EROFS);
	EXPECT_EQ(fix_mkdir(&fx, "/newdir"), -EROFS);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/top", 0, NULL), -EROFS);
	fix_teardown(&fx);
	gofix_stop(&gx);
}

/* The sentry's side never opens a host path: on a thread with open, openat and the *at
 * calls that take paths refused (the gofer thread and this test's main thread keep them),
 * everything still works. */
static void *restricted(void *arg)
{
	static const char *const denied[] = { "open",	   "openat",   "openat2",
					      "mkdirat",   "unlinkat", "renameat2",
					      "symlinkat", "linkat",   "mknodat" };
	struct fsfix *fx = arg;
	scmp_filter_ctx ctx;
	char buf[64];

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	ASSERT_TRUE(ctx != NULL);
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		ASSERT_EQ(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
					   seccomp_syscall_resolve_name(denied[i]), 0),
			  0);
	/* this thread only: no TSYNC */
	ASSERT_EQ(seccomp_load(ctx), 0);
	seccomp_release(ctx);
	EXPECT_EQ(openat(AT_FDCWD, "/", O_RDONLY), -1);
	EXPECT_EQ(fix_read_file(fx, "/abs", buf, sizeof(buf)), 6);
	EXPECT_EQ(fix_write_file(fx, "/sub/new", "through the gofer"), 0);
	EXPECT_EQ(fix_mkdir(fx, "/sub/dir"), 0);
	EXPECT_EQ(vfs_renameat(fx->v, NULL, "/sub/new", NULL, "/sub/dir/new", 0, NULL), 0);
	EXPECT_EQ(fix_read_file(fx, "/sub/dir/new", buf, sizeof(buf)), 17);
	EXPECT_EQ(vfs_unlinkat(fx->v, NULL, "/sub/dir/new", 0, NULL), 0);
	EXPECT_EQ(vfs_unlinkat(fx->v, NULL, "/sub/dir", AT_REMOVEDIR, NULL), 0);
	return NULL;
}

TEST(the_sentry_side_needs_no_path_calls)
{
	const char *dir = harness_tmpdir();
	struct fsfix fx;
	struct gofix gx;
	pthread_t t;

	make_tree(dir);
	gofer_view(&fx, &gx, dir, false);
	ASSERT_EQ(pthread_create(&t, NULL, restricted, &fx), 0);
	pthread_join(t, NULL);
	fix_teardown(&fx);
	gofix_stop(&gx);
}
