/*
 * No guest name leads out of the gofer's root: symlinks (absolute, relative, to /etc/shadow,
 * to ../../..) are read, never followed, at the end of a walk or in its middle, and a name
 * swapped for a symlink after the walk is not followed on open. The same checks run against
 * a server thread (component-wise resolution alone) and a real `warden gofer` (chrooted,
 * under its seccomp filter), which must also survive every op and exit 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs/gofer/filter.h"
#include "tests/harness/harness.h"
#include "tests/unit/gofer/gofix.h"

static char root_dir[2048];

static const char *at(const char *name)
{
	static char p[4][4096];
	static int i;

	i = (i + 1) % 4; /* a few calls may share one statement */
	snprintf(p[i], sizeof(p[i]), "%s/%s", root_dir, name);
	return p[i];
}

/* dir/secret outside the root, dir/root the served tree full of links pointing out. */
static void make_tree(void)
{
	const char *dir = harness_tmpdir();

	gofix_write(dir, "secret", "outside");
	snprintf(root_dir, sizeof(root_dir), "%s/root", dir);
	ASSERT_EQ(mkdir(root_dir, 0755), 0);
	ASSERT_EQ(mkdir(at("sub"), 0755), 0);
	gofix_write(root_dir, "f", "inside");
	ASSERT_EQ(symlink("/etc/shadow", at("shadow")), 0);
	ASSERT_EQ(symlink("../../..", at("up")), 0);
	ASSERT_EQ(symlink("../secret", at("sibling")), 0);
	ASSERT_EQ(symlink("/etc", at("sub/mid")), 0);
	ASSERT_EQ(symlink("../../../../../../etc/passwd", at("sub/deep")), 0);
	ASSERT_EQ(symlink(dir, at("abs_parent")), 0);
}

static void no_escape(struct gofer_client *c)
{
	struct gofer_stat st;
	uint32_t root, l, f, d;
	char buf[256];
	int fd;

	ASSERT_EQ(gofer_attach(c, &root, &st), 0);
	/* at the end of a walk: the link itself, which cannot be opened */
	ASSERT_EQ(gofer_walk(c, root, "shadow", &l, &st), 0);
	EXPECT_TRUE(S_ISLNK(st.mode));
	EXPECT_EQ(gofer_open(c, l, O_RDONLY, &fd, NULL), -EACCES);
	ASSERT_EQ(gofer_readlink(c, l, buf, sizeof(buf)), 11);
	EXPECT_MEMEQ(buf, "/etc/shadow", 11);
	/* in the middle of a walk: a symlink is not a directory to the gofer */
	EXPECT_EQ(gofix_walk_path(c, root, "shadow/x", &f), -ENOTDIR);
	EXPECT_EQ(gofix_walk_path(c, root, "up/etc/shadow", &f), -ENOTDIR);
	EXPECT_EQ(gofix_walk_path(c, root, "sub/mid/shadow", &f), -ENOTDIR);
	EXPECT_EQ(gofix_walk_path(c, root, "sub/deep", &f), 0);
	EXPECT_EQ(gofer_open(c, f, O_RDONLY, &fd, NULL), -EACCES);
	gofer_clunk(c, f);
	EXPECT_EQ(gofix_walk_path(c, root, "sibling", &f), 0);
	EXPECT_EQ(gofer_open(c, f, O_RDONLY, &fd, NULL), -EACCES);
	gofer_clunk(c, f);
	EXPECT_EQ(gofix_walk_path(c, root, "abs_parent/secret", &f), -ENOTDIR);
	/* creating over a link creates nothing through it */
	EXPECT_EQ(gofer_create(c, root, "shadow", O_RDWR, 0644, -1, -1, &f, &st, &fd), -EEXIST);
	EXPECT_EQ(gofer_mkdir(c, root, "up", 0755, -1, -1, &f, &st), -EEXIST);
	/* a name swapped for a symlink after the walk: open does not follow it */
	ASSERT_EQ(gofer_walk(c, root, "f", &f, &st), 0);
	ASSERT_EQ(rename(at("f"), at("f.old")), 0);
	ASSERT_EQ(symlink("/etc/shadow", at("f")), 0);
	fd = -1;
	EXPECT_EQ(gofer_open(c, f, O_RDONLY, &fd, NULL), -ELOOP);
	EXPECT_EQ(fd, -1);
	/* a directory swapped for a symlink: the walked node still means the old directory */
	ASSERT_EQ(gofer_walk(c, root, "sub", &d, &st), 0);
	ASSERT_EQ(rename(at("sub"), at("sub.old")), 0);
	ASSERT_EQ(symlink("/etc", at("sub")), 0);
	EXPECT_EQ(gofer_walk(c, d, "shadow", &f, &st), -ENOENT);
	EXPECT_EQ(gofer_walk(c, d, "passwd", &f, &st), -ENOENT);
	/* unlink removes the link, never its target */
	EXPECT_EQ(gofer_unlink(c, root, "sibling", 0), 0);
	EXPECT_EQ(access(at("../secret"), F_OK), 0);
}

TEST(symlinks_never_lead_out_of_a_server_thread_root)
{
	struct gofix fx;

	make_tree();
	gofix_start(&fx, root_dir, 1, false);
	no_escape(fx.c);
	gofix_stop(&fx);
}

TEST(symlinks_never_lead_out_of_a_warden_gofer_root)
{
	struct gofix fx;

	if (geteuid() != 0)
		SKIP("chroot needs root");
	make_tree();
	gofix_start_process(&fx, root_dir, 2, false);
	no_escape(fx.c);
	gofix_stop(&fx);
}

/* Every op once, so a syscall missing from the gofer's filter shows as SIGSYS. */
TEST(warden_gofer_survives_every_op_under_its_filter)
{
	struct gofer_setattr sa = { .valid = GOFER_SET_MODE | GOFER_SET_SIZE | GOFER_SET_MTIME,
				    .mode = 0600,
				    .size = 2,
				    .mtime = { 5, 0 } };
	struct gofer_statfs sfs;
	struct gofer_stat st;
	struct gofix fx;
	uint32_t root, f, d, n, l;
	uint64_t next;
	char buf[64];
	int fd;

	if (geteuid() != 0)
		SKIP("chroot needs root");
	make_tree();
	gofix_start_process(&fx, root_dir, 3, false);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	ASSERT_EQ(gofer_walk(fx.c, root, "f", &f, &st), 0);
	ASSERT_EQ(gofer_open(fx.c, f, O_RDONLY, &fd, NULL), 0);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 6);
	close(fd);
	ASSERT_EQ(gofer_create(fx.c, root, "new", O_RDWR, 0644, 1, 1, &n, &st, &fd), 0);
	close(fd);
	ASSERT_EQ(gofer_mkdir(fx.c, root, "dir", 0755, 1, 1, &d, &st), 0);
	ASSERT_EQ(gofer_mknod(fx.c, d, "fifo", S_IFIFO | 0644, 1, 1, &l, &st), 0);
	ASSERT_EQ(gofer_symlink(fx.c, d, "ln", "x", 1, 1, &l, &st), 0);
	ASSERT_EQ(gofer_readlink(fx.c, l, buf, sizeof(buf)), 1);
	ASSERT_EQ(gofer_link(fx.c, d, "hard", n, &st), 0);
	ASSERT_EQ(gofer_rename(fx.c, d, "hard", root, "hard2", RENAME_NOREPLACE), 0);
	EXPECT_GT(gofer_readdir(fx.c, root, 0, NULL, NULL, &next), 0);
	ASSERT_EQ(gofer_setattr(fx.c, n, &sa, &st), 0);
	sa.valid = GOFER_SET_UID | GOFER_SET_ATIME;
	ASSERT_EQ(gofer_setattr(fx.c, l, &sa, &st), 0);
	ASSERT_EQ(gofer_statfs(fx.c, root, &sfs), 0);
	if (gofer_setxattr(fx.c, n, "user.a", "b", 1, 0) == 0) {
		EXPECT_EQ(gofer_getxattr(fx.c, n, "user.a", buf, sizeof(buf)), 1);
		EXPECT_GT(gofer_listxattr(fx.c, n, buf, sizeof(buf)), 0);
		EXPECT_EQ(gofer_removexattr(fx.c, n, "user.a"), 0);
	}
	ASSERT_EQ(gofer_unlink(fx.c, root, "hard2", 0), 0);
	ASSERT_EQ(gofer_unlink(fx.c, d, "fifo", 0), 0);
	ASSERT_EQ(gofer_clunk(fx.c, f), 0);
	gofix_stop(&fx); /* EXPECTs exit status 0 */
}

/* What the dentry cache does to a gofer: tens of thousands of live fids (a fid table big
 * enough that realloc moves it with mremap), clunked in batches, all under the filter. */
TEST(warden_gofer_holds_many_fids_under_its_filter)
{
	enum { NFIDS = 17000 };
	static uint32_t fids[NFIDS];
	struct gofer_stat st;
	struct gofix fx;
	uint32_t root;

	if (geteuid() != 0)
		SKIP("chroot needs root");
	make_tree();
	gofix_start_process(&fx, root_dir, 2, true);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	for (int i = 0; i < NFIDS; i++)
		ASSERT_EQ(gofer_walk(fx.c, root, "f", &fids[i], &st), 0);
	/* all but the first, in batches */
	for (int i = 1; i < NFIDS; i++)
		EXPECT_EQ(gofer_clunk_deferred(fx.c, fids[i]), 0);
	EXPECT_GE(gofer_clunk_flush(fx.c), 0);
	EXPECT_EQ(gofer_stat(fx.c, fids[0], &st), 0);
	EXPECT_EQ(gofer_stat(fx.c, fids[1], &st), -EBADF);
	gofix_stop(&fx); /* EXPECTs exit status 0: no SIGSYS */
}

TEST(warden_gofer_read_only)
{
	struct gofer_stat st;
	struct gofix fx;
	uint32_t root, n;

	if (geteuid() != 0)
		SKIP("chroot needs root");
	make_tree();
	gofix_start_process(&fx, root_dir, 1, true);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	EXPECT_EQ(gofer_mkdir(fx.c, root, "x", 0755, -1, -1, &n, &st), -EROFS);
	gofix_stop(&fx);
}

static void print_name(const char *name, void *arg)
{
	printf("#   %s\n", name);
}

TEST(filter_lists_its_syscalls_and_kills_on_others)
{
	int n = gofer_filter_for_each(print_name, NULL), st;
	pid_t pid;

	printf("# the gofer's seccomp filter allows %d host syscalls\n", n);
	fflush(stdout);
	EXPECT_GT(n, 20);
	EXPECT_LT(n, 60);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (gofer_filter_install())
			_exit(1);
		socket(AF_INET, SOCK_STREAM, 0); /* not on the list */
		_exit(2);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(WIFSIGNALED(st) ? WTERMSIG(st) : 0, SIGSYS);
}
