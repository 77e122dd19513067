/* The gofer's operations through the client, against a server thread over a temp dir. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/util.h"
#include "tests/harness/harness.h"
#include "tests/unit/gofer/gofix.h"

static char path_buf[4096];

static const char *at(const char *dir, const char *name)
{
	snprintf(path_buf, sizeof(path_buf), "%s/%s", dir, name);
	return path_buf;
}

TEST(attach_walk_stat_and_clunk)
{
	const char *dir = harness_tmpdir();
	int fds0 = gofix_count_fds();
	struct gofer_stat st, st2;
	struct stat hst;
	struct gofix fx;
	uint32_t root, f;

	ASSERT_EQ(mkdir(at(dir, "sub"), 0750), 0);
	gofix_write(dir, "sub/file", "hello");
	gofix_start(&fx, dir, 2, false);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	EXPECT_TRUE(S_ISDIR(st.mode));
	ASSERT_EQ(gofix_walk_path(fx.c, root, "sub/file", &f), 0);
	ASSERT_EQ(gofer_stat(fx.c, f, &st2), 0);
	ASSERT_EQ(stat(at(dir, "sub/file"), &hst), 0);
	EXPECT_EQ(st2.ino, hst.st_ino);
	EXPECT_EQ(st2.size, 5);
	EXPECT_TRUE(S_ISREG(st2.mode));
	EXPECT_EQ(gofer_walk(fx.c, root, "missing", &f, &st), -ENOENT);
	EXPECT_EQ(gofer_walk(fx.c, f, "x", &f, &st), -ENOTDIR);
	EXPECT_EQ(gofer_clunk(fx.c, f), 0);
	EXPECT_EQ(gofer_clunk(fx.c, f), -EBADF);
	EXPECT_EQ(gofer_stat(fx.c, f, &st), -EBADF);
	EXPECT_EQ(gofer_stat(fx.c, 123456, &st), -EBADF);
	gofix_stop(&fx);
	EXPECT_EQ(gofix_count_fds(), fds0);
}

TEST(names_must_be_single_components)
{
	const char *dir = harness_tmpdir();
	struct gofer_stat st;
	struct gofix fx;
	uint32_t root, f;
	char longname[300];

	ASSERT_EQ(mkdir(at(dir, "sub"), 0755), 0);
	gofix_start(&fx, dir, 1, false);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	EXPECT_EQ(gofer_walk(fx.c, root, "sub/..", &f, &st), -EINVAL);
	EXPECT_EQ(gofer_walk(fx.c, root, "..", &f, &st), -EINVAL);
	EXPECT_EQ(gofer_walk(fx.c, root, ".", &f, &st), -EINVAL);
	EXPECT_EQ(gofer_walk(fx.c, root, "", &f, &st), -EINVAL);
	EXPECT_EQ(gofer_mkdir(fx.c, root, "a/b", 0755, -1, -1, &f, &st), -EINVAL);
	memset(longname, 'x', 256);
	longname[256] = 0;
	EXPECT_EQ(gofer_walk(fx.c, root, longname, &f, &st), -EINVAL);
	EXPECT_EQ(gofer_rename(fx.c, root, "sub", root, "../escaped", 0), -EINVAL);
	EXPECT_EQ(access(at(dir, "../escaped"), F_OK), -1);
	gofix_stop(&fx);
}

TEST(open_donates_an_fd_that_reads_and_writes_the_file)
{
	const char *dir = harness_tmpdir();
	int fds0 = gofix_count_fds(), fd;
	struct gofer_stat st;
	struct gofix fx;
	uint32_t root, f, d;
	char buf[32] = { 0 };

	gofix_write(dir, "f", "donated");
	ASSERT_EQ(mkdir(at(dir, "d"), 0755), 0);
	gofix_start(&fx, dir, 1, false);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	ASSERT_EQ(gofer_walk(fx.c, root, "f", &f, &st), 0);
	ASSERT_EQ(gofer_open(fx.c, f, O_RDONLY, &fd, &st), 0);
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 7);
	EXPECT_STREQ(buf, "donated");
	EXPECT_EQ(write(fd, "x", 1), -1); /* read-only as asked */
	close(fd);
	ASSERT_EQ(gofer_open(fx.c, f, O_RDWR | O_TRUNC, &fd, NULL), 0);
	EXPECT_EQ(pwrite(fd, "new", 3, 0), 3);
	close(fd);
	memset(buf, 0, sizeof(buf));
	fd = open(at(dir, "f"), O_RDONLY);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 3);
	EXPECT_STREQ(buf, "new");
	close(fd);
	EXPECT_EQ(gofer_open(fx.c, f, O_ACCMODE, &fd, NULL), -EINVAL);
	EXPECT_EQ(gofer_open(fx.c, f, O_RDONLY | O_CREAT, &fd, NULL), -EINVAL);
	ASSERT_EQ(gofer_walk(fx.c, root, "d", &d, &st), 0);
	EXPECT_EQ(gofer_open(fx.c, d, O_WRONLY, &fd, NULL), -EISDIR);
	ASSERT_EQ(gofer_open(fx.c, d, O_RDONLY, &fd, NULL), 0);
	close(fd);
	/* the name now means another file: the node's open must not reach it */
	ASSERT_EQ(unlink(at(dir, "f")), 0);
	gofix_write(dir, "f", "impostor");
	EXPECT_EQ(gofer_open(fx.c, f, O_RDONLY, &fd, NULL), -ESTALE);
	gofix_stop(&fx);
	EXPECT_EQ(gofix_count_fds(), fds0);
}

TEST(create_mkdir_mknod_symlink_link)
{
	const char *dir = harness_tmpdir();
	struct gofer_stat st;
	struct stat hst;
	struct gofix fx;
	uint32_t root, f, d, n, l;
	char buf[64];
	int fd;

	gofix_start(&fx, dir, 1, false);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	ASSERT_EQ(gofer_create(fx.c, root, "c", O_RDWR, 0640, 1234, 5678, &f, &st, &fd), 0);
	EXPECT_EQ(write(fd, "abc", 3), 3);
	close(fd);
	ASSERT_EQ(lstat(at(dir, "c"), &hst), 0);
	EXPECT_EQ(hst.st_mode & 07777, 0640);
	EXPECT_EQ(hst.st_uid, 1234u);
	EXPECT_EQ(hst.st_gid, 5678u);
	EXPECT_EQ(hst.st_size, 3);
	EXPECT_EQ(gofer_create(fx.c, root, "c", O_RDWR, 0640, -1, -1, &f, &st, &fd), -EEXIST);
	ASSERT_EQ(gofer_mkdir(fx.c, root, "d", 0711, -1, -1, &d, &st), 0);
	EXPECT_TRUE(S_ISDIR(st.mode));
	EXPECT_EQ(st.mode & 07777, 0711);
	EXPECT_EQ(gofer_mkdir(fx.c, root, "d", 0711, -1, -1, &d, &st), -EEXIST);
	ASSERT_EQ(gofer_mknod(fx.c, d, "fifo", S_IFIFO | 0600, -1, -1, &n, &st), 0);
	EXPECT_TRUE(S_ISFIFO(st.mode));
	EXPECT_EQ(gofer_mknod(fx.c, d, "chr", S_IFCHR | 0600, -1, -1, &n, &st), -EPERM);
	EXPECT_EQ(gofer_open(fx.c, n, O_RDONLY, &fd, NULL), -EACCES);
	ASSERT_EQ(gofer_symlink(fx.c, d, "ln", "/etc/shadow", 42, 43, &l, &st), 0);
	EXPECT_TRUE(S_ISLNK(st.mode));
	EXPECT_EQ(st.uid, 42u);
	ASSERT_EQ(gofer_readlink(fx.c, l, buf, sizeof(buf)), 11);
	EXPECT_MEMEQ(buf, "/etc/shadow", 11);
	EXPECT_EQ(gofer_readlink(fx.c, f, buf, sizeof(buf)), -EINVAL);
	ASSERT_EQ(gofer_link(fx.c, d, "hard", f, &st), 0);
	EXPECT_EQ(st.nlink, 2u);
	EXPECT_EQ(gofer_link(fx.c, root, "dirlink", d, &st), -EPERM);
	EXPECT_EQ(gofer_link(fx.c, root, "x", 99999, &st), -EBADF);
	/* no set-ID file reaches the host, whoever the guest says it is */
	ASSERT_EQ(gofer_create(fx.c, root, "suid", O_RDWR, 06755, 0, 0, &f, &st, &fd), 0);
	close(fd);
	EXPECT_EQ(st.mode & 07777, 0755);
	ASSERT_EQ(gofer_setattr(fx.c, f,
				&(struct gofer_setattr){ .valid = GOFER_SET_MODE, .mode = 04711 },
				&st),
		  0);
	EXPECT_EQ(st.mode & 07777, 0711);
	gofix_stop(&fx);
}

TEST(unlink_rmdir_and_rename_flags)
{
	const char *dir = harness_tmpdir();
	struct gofer_stat st;
	struct gofix fx;
	uint32_t root, a, d;
	char buf[16] = { 0 };
	int fd;

	gofix_write(dir, "a", "A");
	gofix_write(dir, "b", "B");
	ASSERT_EQ(mkdir(at(dir, "d"), 0755), 0);
	gofix_write(dir, "d/in", "");
	gofix_start(&fx, dir, 1, false);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	ASSERT_EQ(gofer_walk(fx.c, root, "a", &a, &st), 0);
	ASSERT_EQ(gofer_walk(fx.c, root, "d", &d, &st), 0);
	EXPECT_EQ(gofer_rename(fx.c, root, "a", root, "b", RENAME_NOREPLACE), -EEXIST);
	ASSERT_EQ(gofer_rename(fx.c, root, "a", root, "b", RENAME_EXCHANGE), 0);
	/* fid a followed its file to the name "b" */
	ASSERT_EQ(gofer_open(fx.c, a, O_RDONLY, &fd, NULL), 0);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 1);
	EXPECT_STREQ(buf, "A");
	close(fd);
	ASSERT_EQ(gofer_rename(fx.c, root, "b", d, "moved", 0), 0);
	ASSERT_EQ(gofer_open(fx.c, a, O_RDONLY, &fd, NULL), 0);
	close(fd);
	EXPECT_EQ(gofer_rename(fx.c, root, "a", root, "c", 0x80), -EINVAL);
	EXPECT_EQ(gofer_unlink(fx.c, root, "d", AT_REMOVEDIR), -ENOTEMPTY);
	EXPECT_EQ(gofer_unlink(fx.c, root, "d", 0), -EISDIR);
	EXPECT_EQ(gofer_unlink(fx.c, d, "in", 0), 0);
	EXPECT_EQ(gofer_unlink(fx.c, d, "moved", 0), 0);
	EXPECT_EQ(gofer_unlink(fx.c, root, "d", AT_REMOVEDIR), 0);
	EXPECT_EQ(gofer_unlink(fx.c, root, "nope", 0), -ENOENT);
	EXPECT_EQ(gofer_unlink(fx.c, root, "a", 0x1), -EINVAL);
	gofix_stop(&fx);
}

TEST(setattr_mode_owner_size_times)
{
	const char *dir = harness_tmpdir();
	struct gofer_setattr sa = { 0 };
	struct gofer_stat st;
	struct stat hst;
	struct gofix fx;
	uint32_t root, f, l;

	gofix_write(dir, "f", "0123456789");
	ASSERT_EQ(symlink("f", at(dir, "l")), 0);
	gofix_start(&fx, dir, 1, false);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	ASSERT_EQ(gofer_walk(fx.c, root, "f", &f, &st), 0);
	sa.valid = GOFER_SET_MODE | GOFER_SET_UID | GOFER_SET_GID | GOFER_SET_SIZE |
		   GOFER_SET_ATIME | GOFER_SET_MTIME;
	sa.mode = 0600;
	sa.uid = 77;
	sa.gid = 88;
	sa.size = 4;
	sa.atime = (struct gofer_time){ 1000, 5 };
	sa.mtime = (struct gofer_time){ 2000, 6 };
	ASSERT_EQ(gofer_setattr(fx.c, f, &sa, &st), 0);
	EXPECT_EQ(st.size, 4);
	ASSERT_EQ(stat(at(dir, "f"), &hst), 0);
	EXPECT_EQ(hst.st_mode & 07777, 0600);
	EXPECT_EQ(hst.st_uid, 77u);
	EXPECT_EQ(hst.st_gid, 88u);
	EXPECT_EQ(hst.st_size, 4);
	EXPECT_EQ(hst.st_atim.tv_sec, 1000);
	EXPECT_EQ(hst.st_mtim.tv_sec, 2000);
	sa.valid = 1u << 20;
	EXPECT_EQ(gofer_setattr(fx.c, f, &sa, &st), -EINVAL);
	sa.valid = GOFER_SET_MTIME;
	sa.mtime.nsec = 2000000000;
	EXPECT_EQ(gofer_setattr(fx.c, f, &sa, &st), -EINVAL);
	/* a symlink: owner and times on the link itself, never on its target */
	ASSERT_EQ(gofer_walk(fx.c, root, "l", &l, &st), 0);
	sa.valid = GOFER_SET_UID | GOFER_SET_MTIME;
	sa.uid = 99;
	sa.mtime = (struct gofer_time){ 3000, 0 };
	ASSERT_EQ(gofer_setattr(fx.c, l, &sa, &st), 0);
	ASSERT_EQ(lstat(at(dir, "l"), &hst), 0);
	EXPECT_EQ(hst.st_uid, 99u);
	EXPECT_EQ(hst.st_mtim.tv_sec, 3000);
	ASSERT_EQ(stat(at(dir, "f"), &hst), 0);
	EXPECT_EQ(hst.st_uid, 77u);
	sa.valid = GOFER_SET_MODE;
	EXPECT_EQ(gofer_setattr(fx.c, l, &sa, &st), -EOPNOTSUPP);
	sa.valid = GOFER_SET_SIZE;
	EXPECT_EQ(gofer_setattr(fx.c, root, &sa, &st), -EISDIR);
	gofix_stop(&fx);
}

TEST(statfs_and_xattrs)
{
	const char *dir = harness_tmpdir();
	struct gofer_statfs sfs;
	struct gofer_stat st;
	struct gofix fx;
	uint32_t root, f;
	char buf[256];
	ssize_t n;

	gofix_write(dir, "f", "x");
	gofix_start(&fx, dir, 1, false);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	ASSERT_EQ(gofer_statfs(fx.c, root, &sfs), 0);
	EXPECT_GT(sfs.bsize, 0u);
	ASSERT_EQ(gofer_walk(fx.c, root, "f", &f, &st), 0);
	n = gofer_setxattr(fx.c, f, "user.test", "value", 5, 0);
	if (n == -EOPNOTSUPP)
		SKIP("no user xattrs on %s", dir);
	ASSERT_EQ(n, 0);
	EXPECT_EQ(gofer_setxattr(fx.c, f, "user.test", "v", 1, XATTR_CREATE), -EEXIST);
	EXPECT_EQ(gofer_getxattr(fx.c, f, "user.test", NULL, 0), 5);
	ASSERT_EQ(gofer_getxattr(fx.c, f, "user.test", buf, sizeof(buf)), 5);
	EXPECT_MEMEQ(buf, "value", 5);
	EXPECT_EQ(gofer_getxattr(fx.c, f, "user.test", buf, 2), -ERANGE);
	n = gofer_listxattr(fx.c, f, buf, sizeof(buf));
	ASSERT_GE(n, 10);
	EXPECT_STREQ(buf, "user.test");
	EXPECT_EQ(gofer_getxattr(fx.c, f, "security.selinux", buf, sizeof(buf)), -EOPNOTSUPP);
	EXPECT_EQ(gofer_setxattr(fx.c, f, "system.posix_acl_access", "x", 1, 0), -EOPNOTSUPP);
	EXPECT_EQ(gofer_removexattr(fx.c, f, "user.test"), 0);
	EXPECT_EQ(gofer_getxattr(fx.c, f, "user.test", buf, sizeof(buf)), -ENODATA);
	gofix_stop(&fx);
}

struct collect {
	int n;
	char seen[1000];
};

static bool collect_fn(void *arg, const char *name, size_t len, uint64_t ino, unsigned type)
{
	struct collect *c = arg;
	int i;

	if (sscanf(name, "entry-%d", &i) == 1 && i >= 0 && i < 1000)
		c->seen[i]++;
	c->n++;
	return true;
}

TEST(readdir_continues_over_1000_entries)
{
	const char *dir = harness_tmpdir();
	struct collect col = { 0 };
	uint64_t cookie = 0, next;
	struct gofer_stat st;
	struct gofix fx;
	uint32_t root, f;
	int calls = 0, got;
	char name[200];

	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name),
			 "entry-%d-with-a-long-name-to-fill-pages-sooner-%0100d", i, i);
		gofix_write(dir, name, "");
	}
	gofix_start(&fx, dir, 1, false);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	while ((got = gofer_readdir(fx.c, root, cookie, collect_fn, &col, &next)) > 0) {
		cookie = next;
		calls++;
	}
	EXPECT_EQ(got, 0);
	EXPECT_EQ(col.n, 1000);
	EXPECT_GT(calls, 1); /* it did take more than one reply */
	for (int i = 0; i < 1000; i++)
		EXPECT_EQ(col.seen[i], 1);
	ASSERT_EQ(gofer_walk(fx.c, root, name, &f, &st), 0);
	EXPECT_EQ(gofer_readdir(fx.c, f, 0, collect_fn, &col, &next), -ENOTDIR);
	gofix_stop(&fx);
}

TEST(deferred_clunks_go_in_batches)
{
	const char *dir = harness_tmpdir();
	int fds0 = gofix_count_fds(), fds1;
	uint32_t root, fids[GOFER_CLUNK_BATCH + 10];
	struct gofer_stat st;
	struct gofix fx;

	gofix_write(dir, "f", "x");
	gofix_start(&fx, dir, 2, false);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	fds1 = gofix_count_fds();
	for (size_t i = 0; i < ARRAY_SIZE(fids); i++)
		ASSERT_EQ(gofer_walk(fx.c, root, "f", &fids[i], &st), 0);
	/* one O_PATH fd per fid, in this process's server thread */
	EXPECT_EQ(gofix_count_fds(), fds1 + (int)ARRAY_SIZE(fids));
	for (size_t i = 0; i < GOFER_CLUNK_BATCH - 1; i++)
		EXPECT_EQ(gofer_clunk_deferred(fx.c, fids[i]), 0);
	/* nothing sent yet: every fid still works */
	EXPECT_EQ(gofer_stat(fx.c, fids[0], &st), 0);
	EXPECT_EQ(gofix_count_fds(), fds1 + (int)ARRAY_SIZE(fids));
	/* the batch's last fid sends it */
	EXPECT_EQ(gofer_clunk_deferred(fx.c, fids[GOFER_CLUNK_BATCH - 1]), 0);
	EXPECT_EQ(gofer_stat(fx.c, fids[0], &st), -EBADF);
	EXPECT_EQ(gofer_stat(fx.c, fids[GOFER_CLUNK_BATCH - 1], &st), -EBADF);
	EXPECT_EQ(gofix_count_fds(), fds1 + 10);
	/* a flush sends what waits, and says how many */
	for (size_t i = GOFER_CLUNK_BATCH; i < ARRAY_SIZE(fids); i++)
		EXPECT_EQ(gofer_clunk_deferred(fx.c, fids[i]), 0);
	EXPECT_EQ(gofer_clunk_flush(fx.c), 10);
	EXPECT_EQ(gofer_clunk_flush(fx.c), 0);
	EXPECT_EQ(gofer_stat(fx.c, fids[GOFER_CLUNK_BATCH], &st), -EBADF);
	EXPECT_EQ(gofix_count_fds(), fds1);
	/* a batch with a stale fid forgets the others all the same */
	ASSERT_EQ(gofer_walk(fx.c, root, "f", &fids[0], &st), 0);
	for (size_t i = 0; i < GOFER_CLUNK_BATCH - 2; i++)
		EXPECT_EQ(gofer_clunk_deferred(fx.c, 1000000), 0);
	EXPECT_EQ(gofer_clunk_deferred(fx.c, fids[0]), 0);
	EXPECT_EQ(gofer_clunk_deferred(fx.c, 1000001), -EBADF);
	EXPECT_EQ(gofer_stat(fx.c, fids[0], &st), -EBADF);
	EXPECT_EQ(gofix_count_fds(), fds1);
	gofix_stop(&fx);
	EXPECT_EQ(gofix_count_fds(), fds0);
}

TEST(a_directory_read_to_its_end_holds_no_fd)
{
	const char *dir = harness_tmpdir();
	struct collect col = { 0 };
	uint64_t cookie = 0, next;
	struct gofer_stat st;
	struct gofix fx;
	uint32_t root;
	int fds1, got, calls = 0;

	gofix_write(dir, "a", "");
	gofix_write(dir, "b", "");
	gofix_start(&fx, dir, 1, false);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	fds1 = gofix_count_fds();
	/* one reply holds it all, and says it was the end */
	ASSERT_EQ(gofer_readdir(fx.c, root, 0, collect_fn, &col, &next), 2);
	EXPECT_EQ(next, GOFER_COOKIE_END);
	EXPECT_EQ(gofix_count_fds(), fds1);
	/* the call that would find the end is answered by the client: for a fid the gofer
	 * doesn't know, a round trip would say -EBADF */
	EXPECT_EQ(gofer_readdir(fx.c, 999999, next, collect_fn, &col, &next), 0);
	EXPECT_EQ(col.n, 2);
	/* a listing in many replies: only the last says it is the end */
	for (int i = 0; i < 600; i++) {
		char name[160];

		snprintf(name, sizeof(name), "many-%0140d", i);
		gofix_write(dir, name, "");
	}
	col.n = 0;
	while ((got = gofer_readdir(fx.c, root, cookie, collect_fn, &col, &next)) > 0) {
		calls++;
		cookie = next;
	}
	EXPECT_EQ(got, 0);
	EXPECT_EQ(col.n, 602);
	EXPECT_GT(calls, 1);
	EXPECT_EQ(cookie, GOFER_COOKIE_END);
	EXPECT_EQ(gofix_count_fds(), fds1);
	gofix_stop(&fx);
}

TEST(the_client_refuses_host_xattr_namespaces_itself)
{
	const char *dir = harness_tmpdir();
	struct gofer_stat st;
	struct gofix fx;
	uint32_t root;
	char v[8];

	gofix_start(&fx, dir, 1, false);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	/* the fid is bogus: an answer other than -EBADF never reached the gofer */
	EXPECT_EQ(gofer_getxattr(fx.c, 999999, "security.selinux", v, sizeof(v)), -EOPNOTSUPP);
	EXPECT_EQ(gofer_getxattr(fx.c, 999999, "system.posix_acl_access", NULL, 0), -EOPNOTSUPP);
	EXPECT_EQ(gofer_setxattr(fx.c, 999999, "security.x", "v", 1, 0), -EOPNOTSUPP);
	EXPECT_EQ(gofer_removexattr(fx.c, 999999, "user."), -EOPNOTSUPP);
	EXPECT_EQ(gofer_getxattr(fx.c, 999999, "user.x", v, sizeof(v)), -EBADF);
	gofix_stop(&fx);
}

TEST(read_only_mode_refuses_every_mutation)
{
	const char *dir = harness_tmpdir();
	struct gofer_setattr sa = { .valid = GOFER_SET_MODE, .mode = 0777 };
	struct gofer_stat st;
	struct gofix fx;
	uint32_t root, f, n;
	int fd;

	gofix_write(dir, "f", "ro");
	gofix_start(&fx, dir, 1, true);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	ASSERT_EQ(gofer_walk(fx.c, root, "f", &f, &st), 0);
	ASSERT_EQ(gofer_open(fx.c, f, O_RDONLY, &fd, NULL), 0);
	close(fd);
	EXPECT_EQ(gofer_open(fx.c, f, O_WRONLY, &fd, NULL), -EROFS);
	EXPECT_EQ(gofer_open(fx.c, f, O_RDONLY | O_TRUNC, &fd, NULL), -EROFS);
	EXPECT_EQ(gofer_create(fx.c, root, "n", O_RDWR, 0644, -1, -1, &n, &st, &fd), -EROFS);
	EXPECT_EQ(gofer_mkdir(fx.c, root, "n", 0755, -1, -1, &n, &st), -EROFS);
	EXPECT_EQ(gofer_mknod(fx.c, root, "n", S_IFREG | 0644, -1, -1, &n, &st), -EROFS);
	EXPECT_EQ(gofer_symlink(fx.c, root, "n", "f", -1, -1, &n, &st), -EROFS);
	EXPECT_EQ(gofer_link(fx.c, root, "n", f, &st), -EROFS);
	EXPECT_EQ(gofer_unlink(fx.c, root, "f", 0), -EROFS);
	EXPECT_EQ(gofer_rename(fx.c, root, "f", root, "n", 0), -EROFS);
	EXPECT_EQ(gofer_setattr(fx.c, f, &sa, &st), -EROFS);
	EXPECT_EQ(gofer_setxattr(fx.c, f, "user.x", "1", 1, 0), -EROFS);
	EXPECT_EQ(gofer_removexattr(fx.c, f, "user.x"), -EROFS);
	EXPECT_EQ(access(at(dir, "n"), F_OK), -1);
	gofix_stop(&fx);
}

struct par {
	struct gofer_client *c;
	uint32_t root;
	int errors;
};

static void *par_main(void *arg)
{
	struct par *p = arg;
	struct gofer_stat st;

	for (int i = 0; i < 500; i++) {
		uint32_t f;

		if (gofer_walk(p->c, p->root, "f", &f, &st) || st.size != 1 || gofer_clunk(p->c, f))
			p->errors++;
	}
	return NULL;
}

TEST(channels_serve_threads_in_parallel)
{
	const char *dir = harness_tmpdir();
	struct par p[4];
	pthread_t t[4];
	struct gofer_stat st;
	struct gofix fx;
	uint32_t root;

	gofix_write(dir, "f", "x");
	gofix_start(&fx, dir, 3, false);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	for (int i = 0; i < 4; i++) {
		p[i] = (struct par){ fx.c, root, 0 };
		ASSERT_EQ(pthread_create(&t[i], NULL, par_main, &p[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(p[i].errors, 0);
	}
	gofix_stop(&fx);
}

static bool count_fn(void *arg, const char *name, size_t len, uint64_t ino, unsigned type)
{
	++*(int *)arg;
	return true;
}

TEST(host_pseudo_filesystems_show_empty)
{
	struct gofer_stat st;
	struct gofix fx;
	uint32_t root, proc, f;
	uint64_t next;
	int n = 0;

	if (access("/proc/self", F_OK))
		SKIP("no /proc on this host");
	gofix_start(&fx, "/", 1, true);
	ASSERT_EQ(gofer_attach(fx.c, &root, &st), 0);
	ASSERT_EQ(gofer_walk(fx.c, root, "proc", &proc, &st), 0);
	EXPECT_TRUE(S_ISDIR(st.mode));
	/* the gofer's own /proc/self (its fds, its memory) is not the guest's to see */
	EXPECT_EQ(gofer_walk(fx.c, proc, "self", &f, &st), -ENOENT);
	EXPECT_EQ(gofer_readdir(fx.c, proc, 0, count_fn, &n, &next), 0);
	EXPECT_EQ(n, 0);
	gofix_stop(&fx);
}
