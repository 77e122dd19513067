// SPDX-License-Identifier: MIT
/*
 * inotify: instance flags, add/rm_watch validation, the events of create, open, read,
 * write, close, attribute changes, unlink, rmdir and rename (with move cookies), on a
 * directory watch (with names, padded) and on a file watch (the *_SELF events and
 * IN_IGNORED), watch descriptors shared per inode, IN_MASK_ADD/IN_MASK_CREATE,
 * IN_ONESHOT, IN_EXCL_UNLINK, coalescing, IN_Q_OVERFLOW, short buffers, FIONREAD, poll
 * and a blocking read woken by another process.
 */
#include <poll.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

#include "tests/syscalls/sysutil.h"

#ifndef IN_MASK_CREATE
#define IN_MASK_CREATE 0x10000000
#endif

struct ev {
	int wd;
	uint32_t mask, cookie, len;
	char name[64];
};

/* Reads every queued event of the (non-blocking) instance in into evs; their number. */
static int drain(int in, struct ev *evs, int max)
{
	static char buf[65536] __attribute__((aligned(8)));
	int n = 0;
	ssize_t got;

	while ((got = read(in, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + got;) {
			struct inotify_event *e = (struct inotify_event *)p;

			if (n < max) {
				evs[n].wd = e->wd;
				evs[n].mask = e->mask;
				evs[n].cookie = e->cookie;
				evs[n].len = e->len;
				snprintf(evs[n].name, sizeof(evs[n].name), "%s",
					 e->len ? e->name : "");
			}
			n++;
			p += sizeof(*e) + e->len;
		}
	}
	EXPECT_EQ(got, -1);
	EXPECT_EQ(errno, EAGAIN);
	return n;
}

static void expect_ev(const struct ev *e, int wd, uint32_t mask, const char *name)
{
	EXPECT_EQ(e->wd, wd);
	EXPECT_EQ(e->mask, mask);
	EXPECT_STREQ(e->name, name);
	if (name[0]) {
		EXPECT_EQ(e->len % sizeof(struct inotify_event), 0);
		EXPECT_GT(e->len, strlen(name));
	} else {
		EXPECT_EQ(e->len, 0);
	}
}

static int new_instance(void)
{
	return ASSERT_OK(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
}

static const char *path_in(char *buf, size_t len, const char *name)
{
	return tmp_path(buf, len, name);
}

TEST(init1_flags_apply_the_fd_is_named_and_unknown_flags_are_einval)
{
	int in = ASSERT_OK(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)), plain;
	char b[64], link[64];
	ssize_t n;

	EXPECT_EQ(fcntl(in, F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(fcntl(in, F_GETFL) & (O_NONBLOCK | O_ACCMODE), O_NONBLOCK | O_RDONLY);
	EXPECT_ERRNO(read(in, b, sizeof(b)), EAGAIN);
	EXPECT_ERRNO(inotify_init1(0x4), EINVAL);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", in);
	n = readlink(link, b, sizeof(b) - 1);
	ASSERT_GT(n, 0);
	b[n] = '\0';
	EXPECT_STREQ(b, "anon_inode:inotify");
	plain = ASSERT_OK(inotify_init());
	EXPECT_EQ(fcntl(plain, F_GETFD), 0);
	EXPECT_EQ(fcntl(plain, F_GETFL) & O_NONBLOCK, 0);
	close(plain);
	close(in);
}

TEST(add_watch_validates_its_arguments)
{
	int in = new_instance(), p[2];
	char file[256];

	close(ASSERT_OK(open(path_in(file, sizeof(file), "f"), O_CREAT | O_WRONLY, 0600)));
	EXPECT_ERRNO(inotify_add_watch(-1, file, IN_MODIFY), EBADF);
	ASSERT_OK(pipe(p));
	EXPECT_ERRNO(inotify_add_watch(p[0], file, IN_MODIFY), EINVAL);
	EXPECT_ERRNO(inotify_rm_watch(p[0], 1), EINVAL);
	close(p[0]);
	close(p[1]);
	EXPECT_ERRNO(inotify_add_watch(in, file, 0), EINVAL);
	EXPECT_ERRNO(inotify_add_watch(in, file, IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
	EXPECT_ERRNO(inotify_add_watch(in, "/nonexistent/x", IN_MODIFY), ENOENT);
	EXPECT_ERRNO(inotify_add_watch(in, file, IN_MODIFY | IN_ONLYDIR), ENOTDIR);
	EXPECT_ERRNO(inotify_add_watch(in, (const char *)8, IN_MODIFY), EFAULT);
	EXPECT_ERRNO(inotify_rm_watch(in, 12345), EINVAL);
	close(in);
}

TEST(a_directory_watch_sees_its_entries_created_used_and_deleted)
{
	int in = new_instance(), wd, fd;
	struct ev e[16];
	char file[256], b[4];

	wd = ASSERT_OK(inotify_add_watch(in, harness_tmpdir(), IN_ALL_EVENTS));
	fd = ASSERT_OK(open(path_in(file, sizeof(file), "file.txt"), O_CREAT | O_RDWR, 0600));
	ASSERT_EQ(write(fd, "abc", 3), 3);
	ASSERT_EQ(pread(fd, b, 3, 0), 3);
	close(fd);
	fd = ASSERT_OK(open(file, O_RDONLY));
	close(fd);
	ASSERT_OK(unlink(file));
	ASSERT_EQ(drain(in, e, 16), 8);
	expect_ev(&e[0], wd, IN_CREATE, "file.txt");
	expect_ev(&e[1], wd, IN_OPEN, "file.txt");
	expect_ev(&e[2], wd, IN_MODIFY, "file.txt");
	expect_ev(&e[3], wd, IN_ACCESS, "file.txt");
	expect_ev(&e[4], wd, IN_CLOSE_WRITE, "file.txt");
	expect_ev(&e[5], wd, IN_OPEN, "file.txt");
	expect_ev(&e[6], wd, IN_CLOSE_NOWRITE, "file.txt");
	expect_ev(&e[7], wd, IN_DELETE, "file.txt");
	close(in);
}

TEST(subdirectories_come_and_go_with_in_isdir)
{
	int in = new_instance(), wd;
	struct ev e[4];
	char dir[256];

	wd = ASSERT_OK(inotify_add_watch(in, harness_tmpdir(), IN_CREATE | IN_DELETE));
	ASSERT_OK(mkdir(path_in(dir, sizeof(dir), "sub"), 0700));
	ASSERT_OK(rmdir(dir));
	ASSERT_EQ(drain(in, e, 4), 2);
	expect_ev(&e[0], wd, IN_CREATE | IN_ISDIR, "sub");
	expect_ev(&e[1], wd, IN_DELETE | IN_ISDIR, "sub");
	close(in);
}

TEST(a_rename_pairs_moved_from_and_moved_to_by_cookie)
{
	int in = new_instance(), wd1, wd2;
	char a[256], b[256], d2[256];
	struct ev e[4];

	ASSERT_OK(mkdir(path_in(d2, sizeof(d2), "other"), 0700));
	close(ASSERT_OK(open(path_in(a, sizeof(a), "a"), O_CREAT | O_WRONLY, 0600)));
	wd1 = ASSERT_OK(inotify_add_watch(in, harness_tmpdir(), IN_MOVE));
	wd2 = ASSERT_OK(inotify_add_watch(in, d2, IN_MOVE));
	ASSERT_NE(wd1, wd2);
	ASSERT_OK(rename(a, path_in(b, sizeof(b), "other/b")));
	ASSERT_EQ(drain(in, e, 4), 2);
	expect_ev(&e[0], wd1, IN_MOVED_FROM, "a");
	expect_ev(&e[1], wd2, IN_MOVED_TO, "b");
	EXPECT_NE(e[0].cookie, 0);
	EXPECT_EQ(e[0].cookie, e[1].cookie);
	ASSERT_OK(rename(b, a));
	ASSERT_EQ(drain(in, e, 4), 2);
	EXPECT_EQ(e[0].cookie, e[1].cookie);
	EXPECT_NE(e[0].cookie, 0);
	close(in);
}

TEST(a_file_watch_sees_attrib_move_self_delete_self_and_ignored)
{
	int in = new_instance(), wd;
	char a[256], b[256];
	struct ev e[8];

	close(ASSERT_OK(open(path_in(a, sizeof(a), "a"), O_CREAT | O_WRONLY, 0600)));
	wd = ASSERT_OK(inotify_add_watch(in, a, IN_ALL_EVENTS));
	ASSERT_OK(chmod(a, 0644));
	ASSERT_OK(truncate(a, 10));
	ASSERT_OK(rename(a, path_in(b, sizeof(b), "b")));
	ASSERT_OK(unlink(b));
	ASSERT_EQ(drain(in, e, 8), 6);
	expect_ev(&e[0], wd, IN_ATTRIB, "");
	expect_ev(&e[1], wd, IN_MODIFY, "");
	expect_ev(&e[2], wd, IN_MOVE_SELF, "");
	expect_ev(&e[3], wd, IN_ATTRIB, "");
	expect_ev(&e[4], wd, IN_DELETE_SELF, "");
	expect_ev(&e[5], wd, IN_IGNORED, "");
	EXPECT_ERRNO(inotify_rm_watch(in, wd), EINVAL);
	close(in);
}

TEST(a_watched_directory_hears_its_own_open_move_and_removal)
{
	int in = new_instance(), wd;
	char d[256], d2[256];
	struct ev e[8];

	ASSERT_OK(mkdir(path_in(d, sizeof(d), "gone"), 0700));
	wd = ASSERT_OK(inotify_add_watch(in, d, IN_ALL_EVENTS));
	close(ASSERT_OK(open(d, O_RDONLY | O_DIRECTORY)));
	ASSERT_OK(rename(d, path_in(d2, sizeof(d2), "gone2")));
	ASSERT_OK(rmdir(d2));
	ASSERT_EQ(drain(in, e, 8), 5);
	expect_ev(&e[0], wd, IN_OPEN | IN_ISDIR, "");
	expect_ev(&e[1], wd, IN_CLOSE_NOWRITE | IN_ISDIR, "");
	expect_ev(&e[2], wd, IN_MOVE_SELF, "");
	expect_ev(&e[3], wd, IN_DELETE_SELF, "");
	expect_ev(&e[4], wd, IN_IGNORED, "");
	close(in);
}

TEST(listing_a_directory_is_an_access)
{
	int in = new_instance(), wd, dfd;
	char buf[4096] __attribute__((aligned(8)));
	struct ev e[8];

	wd = ASSERT_OK(inotify_add_watch(in, harness_tmpdir(), IN_OPEN | IN_ACCESS | IN_CLOSE));
	dfd = ASSERT_OK(open(harness_tmpdir(), O_RDONLY | O_DIRECTORY));
	ASSERT_GT(syscall(SYS_getdents64, dfd, buf, sizeof(buf)), 0);
	ASSERT_EQ(syscall(SYS_getdents64, dfd, buf, sizeof(buf)), 0);
	close(dfd);
	ASSERT_EQ(drain(in, e, 8), 3);
	expect_ev(&e[0], wd, IN_OPEN | IN_ISDIR, "");
	expect_ev(&e[1], wd, IN_ACCESS | IN_ISDIR, "");
	expect_ev(&e[2], wd, IN_CLOSE_NOWRITE | IN_ISDIR, "");
	close(in);
}

TEST(rm_watch_queues_in_ignored_and_stops_events)
{
	int in = new_instance(), wd, fd;
	char a[256];
	struct ev e[4];

	fd = ASSERT_OK(open(path_in(a, sizeof(a), "a"), O_CREAT | O_WRONLY, 0600));
	wd = ASSERT_OK(inotify_add_watch(in, a, IN_MODIFY));
	ASSERT_OK(inotify_rm_watch(in, wd));
	ASSERT_EQ(write(fd, "x", 1), 1);
	ASSERT_EQ(drain(in, e, 4), 1);
	expect_ev(&e[0], wd, IN_IGNORED, "");
	EXPECT_ERRNO(inotify_rm_watch(in, wd), EINVAL);
	close(fd);
	close(in);
}

TEST(one_inode_has_one_watch_descriptor_per_instance)
{
	int in = new_instance(), wd, fd;
	char a[256], l[256];
	struct ev e[4];

	fd = ASSERT_OK(open(path_in(a, sizeof(a), "a"), O_CREAT | O_RDWR, 0600));
	ASSERT_OK(link(a, path_in(l, sizeof(l), "l")));
	wd = ASSERT_OK(inotify_add_watch(in, a, IN_MODIFY));
	EXPECT_EQ(inotify_add_watch(in, l, IN_ATTRIB), wd); /* replaces the mask */
	EXPECT_ERRNO(inotify_add_watch(in, a, IN_ATTRIB | IN_MASK_CREATE), EEXIST);
	ASSERT_EQ(write(fd, "x", 1), 1);
	ASSERT_EQ(drain(in, e, 4), 0);
	EXPECT_EQ(inotify_add_watch(in, a, IN_MODIFY | IN_MASK_ADD), wd);
	ASSERT_EQ(write(fd, "x", 1), 1);
	ASSERT_OK(fchmod(fd, 0640));
	ASSERT_EQ(drain(in, e, 4), 2);
	expect_ev(&e[0], wd, IN_MODIFY, "");
	expect_ev(&e[1], wd, IN_ATTRIB, "");
	close(fd);
	close(in);
}

TEST(in_oneshot_reports_once_then_ignored)
{
	int in = new_instance(), wd, fd;
	char a[256];
	struct ev e[4];

	fd = ASSERT_OK(open(path_in(a, sizeof(a), "a"), O_CREAT | O_WRONLY, 0600));
	wd = ASSERT_OK(inotify_add_watch(in, a, IN_MODIFY | IN_ONESHOT));
	ASSERT_EQ(write(fd, "x", 1), 1);
	ASSERT_EQ(write(fd, "y", 1), 1);
	ASSERT_EQ(drain(in, e, 4), 2);
	expect_ev(&e[0], wd, IN_MODIFY, "");
	expect_ev(&e[1], wd, IN_IGNORED, "");
	close(fd);
	close(in);
}

TEST(in_excl_unlink_hides_the_events_of_unlinked_children)
{
	int excl = new_instance(), all = new_instance(), fd;
	char a[256];
	struct ev e[4];

	fd = ASSERT_OK(open(path_in(a, sizeof(a), "a"), O_CREAT | O_WRONLY, 0600));
	ASSERT_OK(inotify_add_watch(excl, harness_tmpdir(), IN_MODIFY | IN_EXCL_UNLINK));
	ASSERT_OK(inotify_add_watch(all, harness_tmpdir(), IN_MODIFY));
	ASSERT_OK(unlink(a));
	ASSERT_EQ(write(fd, "x", 1), 1);
	EXPECT_EQ(drain(excl, e, 4), 0);
	ASSERT_EQ(drain(all, e, 4), 1);
	EXPECT_EQ(e[0].mask, IN_MODIFY);
	EXPECT_STREQ(e[0].name, "a");
	close(fd);
	close(excl);
	close(all);
}

TEST(identical_events_in_a_row_coalesce)
{
	int in = new_instance(), wd, fd;
	char a[256];
	struct ev e[4];

	fd = ASSERT_OK(open(path_in(a, sizeof(a), "a"), O_CREAT | O_WRONLY, 0600));
	wd = ASSERT_OK(inotify_add_watch(in, a, IN_MODIFY | IN_ATTRIB));
	for (int i = 0; i < 5; i++)
		ASSERT_EQ(write(fd, "x", 1), 1);
	ASSERT_OK(fchmod(fd, 0640));
	ASSERT_EQ(write(fd, "x", 1), 1);
	ASSERT_EQ(drain(in, e, 4), 3);
	expect_ev(&e[0], wd, IN_MODIFY, "");
	expect_ev(&e[1], wd, IN_ATTRIB, "");
	expect_ev(&e[2], wd, IN_MODIFY, "");
	close(fd);
	close(in);
}

TEST(reads_need_room_for_a_whole_event_and_fionread_counts_bytes)
{
	int in = new_instance(), wd, avail = -1;
	char buf[sizeof(struct inotify_event) + 32] __attribute__((aligned(8)));
	struct inotify_event *ev = (struct inotify_event *)buf;
	char name[256];

	wd = ASSERT_OK(inotify_add_watch(in, harness_tmpdir(), IN_CREATE));
	close(ASSERT_OK(open(path_in(name, sizeof(name), "n"), O_CREAT | O_WRONLY, 0600)));
	ASSERT_OK(ioctl(in, FIONREAD, &avail));
	EXPECT_EQ(avail, (int)(sizeof(struct inotify_event) + 16));
	EXPECT_ERRNO(read(in, buf, sizeof(struct inotify_event)), EINVAL);
	ASSERT_EQ(read(in, buf, sizeof(buf)), (long)(sizeof(struct inotify_event) + 16));
	EXPECT_EQ(ev->wd, wd);
	EXPECT_EQ(ev->len, 16);
	EXPECT_STREQ(ev->name, "n");
	for (unsigned i = 2; i < ev->len; i++)
		EXPECT_EQ(ev->name[i], '\0');
	ASSERT_OK(ioctl(in, FIONREAD, &avail));
	EXPECT_EQ(avail, 0);
	close(in);
}

TEST(a_full_queue_ends_with_one_overflow_event)
{
	int in = new_instance(), fd, max = 16384, n;
	char a[256];
	struct ev *e = calloc(20000, sizeof(*e));
	FILE *f = fopen("/proc/sys/fs/inotify/max_queued_events", "r");

	if (f) {
		if (fscanf(f, "%d", &max) != 1)
			max = 16384;
		fclose(f);
	}
	if (max > 16384)
		SKIP("max_queued_events is %d", max);
	ASSERT_TRUE(e != NULL);
	fd = ASSERT_OK(open(path_in(a, sizeof(a), "a"), O_CREAT | O_WRONLY, 0600));
	ASSERT_OK(inotify_add_watch(in, a, IN_MODIFY | IN_ATTRIB));
	/* alternating events, so none coalesce */
	for (int i = 0; i < max / 2 + 10; i++) {
		ASSERT_EQ(write(fd, "x", 1), 1);
		ASSERT_OK(fchmod(fd, (i & 1) ? 0600 : 0640));
	}
	n = drain(in, e, 20000);
	ASSERT_EQ(n, max + 1);
	EXPECT_EQ(e[max].wd, -1);
	EXPECT_EQ(e[max].mask, IN_Q_OVERFLOW);
	EXPECT_EQ(e[max - 1].mask, IN_ATTRIB);
	free(e);
	close(fd);
	close(in);
}

TEST(poll_reports_pollin_once_an_event_is_queued)
{
	int in = new_instance();
	struct pollfd p = { .fd = in, .events = POLLIN };
	char d[256];

	ASSERT_OK(inotify_add_watch(in, harness_tmpdir(), IN_CREATE));
	ASSERT_EQ(poll(&p, 1, 0), 0);
	ASSERT_OK(mkdir(path_in(d, sizeof(d), "d"), 0700));
	ASSERT_EQ(poll(&p, 1, 0), 1);
	EXPECT_EQ(p.revents, POLLIN);
	close(in);
}

TEST(a_blocking_read_wakes_when_another_process_makes_an_event)
{
	int in = ASSERT_OK(inotify_init()), wd, st;
	char buf[256] __attribute__((aligned(8)));
	struct inotify_event *ev = (struct inotify_event *)buf;
	char d[256];
	pid_t pid;

	wd = ASSERT_OK(inotify_add_watch(in, harness_tmpdir(), IN_CREATE));
	path_in(d, sizeof(d), "made-by-child");
	fflush(NULL);
	pid = fork();
	if (pid < 0 && errno == ENOSYS)
		SKIP("fork: ENOSYS");
	ASSERT_OK(pid);
	if (pid == 0) {
		/* the parent is (most likely) already blocked in read; either way it wakes */
		usleep(20000);
		_exit(mkdir(d, 0700) == 0 ? 0 : 1);
	}
	ASSERT_GT(read(in, buf, sizeof(buf)), 0);
	EXPECT_EQ(ev->wd, wd);
	EXPECT_EQ(ev->mask, IN_CREATE | IN_ISDIR);
	EXPECT_STREQ(ev->name, "made-by-child");
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	close(in);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
