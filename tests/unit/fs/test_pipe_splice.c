/*
 * The splice family of fs/pipe and fs/vfs/splice.c without a sentry: actors filling and
 * draining slots, spliced slots never merged into, whole slots moving between pipes and
 * partial ones copied, tee leaving the input alone, a tmpfs file through a pipe and back,
 * and two threads splicing A->B and B->A at once (the double lock cannot deadlock).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>

#include "common/memfile.h"
#include "fs/pipe/pipe.h"
#include "fs/vfs/splice.h"
#include "fs/vfs/vfs.h"
#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

static ssize_t rd_bytes(struct file *f, void *buf, size_t len)
{
	struct iovec iov = { buf, len };

	return vfs_readv(f, &iov, 1, NULL);
}

static ssize_t wr_bytes(struct file *f, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };

	return vfs_writev(f, &iov, 1, NULL);
}

/* An actor over a flat buffer: fills from it or drains into it, at most cap bytes. */
struct flat {
	char *buf;
	size_t off, cap;
	bool fail;
};

static ssize_t flat_move(void *arg, const struct iovec *iov, int cnt, bool fill)
{
	struct flat *fl = arg;
	size_t done = 0;

	if (fl->fail)
		return -EIO;
	for (int i = 0; i < cnt && fl->off < fl->cap; i++) {
		size_t n = MIN(iov[i].iov_len, fl->cap - fl->off);

		if (fill)
			memcpy(iov[i].iov_base, fl->buf + fl->off, n);
		else
			memcpy(fl->buf + fl->off, iov[i].iov_base, n);
		fl->off += n;
		done += n;
	}
	return (ssize_t)done;
}

static ssize_t flat_fill(void *arg, const struct iovec *iov, int cnt)
{
	return flat_move(arg, iov, cnt, true);
}

static ssize_t flat_drain(void *arg, const struct iovec *iov, int cnt)
{
	return flat_move(arg, iov, cnt, false);
}

TEST(splice_in_fills_what_the_actor_gives_and_stops_at_capacity)
{
	static char src[100000];
	struct flat fl = { src, 0, sizeof(src), false };
	struct file *rd, *wr;
	char buf[16];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (char)(i * 7);
	ASSERT_EQ(pipe_create(0, 0, 0, &rd, &wr), 0);
	EXPECT_EQ(pipe_splice_in(wr, sizeof(src), flat_fill, &fl), 65536);
	EXPECT_EQ(pipe_splice_in(wr, 10, flat_fill, &fl), -EAGAIN);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	EXPECT_EQ(memcmp(buf, src, sizeof(buf)), 0);
	file_put(rd);
	EXPECT_EQ(pipe_splice_in(wr, 10, flat_fill, &fl), -EPIPE);
	file_put(wr);
}

TEST(an_actor_error_is_returned_only_when_nothing_moved)
{
	struct flat fl = { (char *)"abc", 0, 3, true };
	struct file *rd, *wr;
	char buf[8];

	ASSERT_EQ(pipe_create(0, 0, 0, &rd, &wr), 0);
	EXPECT_EQ(pipe_splice_in(wr, 3, flat_fill, &fl), -EIO);
	EXPECT_EQ(pipe_splice_out(rd, 3, flat_drain, &fl), -EAGAIN);
	fl.fail = false;
	EXPECT_EQ(pipe_splice_in(wr, 3, flat_fill, &fl), 3);
	fl = (struct flat){ buf, 0, sizeof(buf), true };
	EXPECT_EQ(pipe_splice_out(rd, 3, flat_drain, &fl), -EIO);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 3);
	file_put(wr);
	EXPECT_EQ(pipe_splice_out(rd, 3, flat_drain, &fl), 0); /* no writers: EOF */
	file_put(rd);
}

TEST(spliced_slots_are_not_merged_into)
{
	struct flat fl = { (char *)"x", 0, 1, false };
	static char page[4096];
	struct file *rd, *wr;
	int writes = 0;

	ASSERT_EQ(pipe_create(0, 0, O_NONBLOCK, &rd, &wr), 0);
	EXPECT_EQ(pipe_splice_in(wr, 1, flat_fill, &fl), 1);
	/* a small write takes a fresh slot, so 15 more slots of room, not 15 and a bit */
	EXPECT_EQ(wr_bytes(wr, page, 1), 1);
	while (wr_bytes(wr, page, sizeof(page)) == (ssize_t)sizeof(page))
		writes++;
	EXPECT_EQ(writes, 14);
	file_put(rd);
	file_put(wr);
}

TEST(splice_out_consumes_exactly_what_the_actor_took)
{
	char got[8] = { 0 }, rest[16] = { 0 };
	struct flat fl = { got, 0, 5, false };
	struct file *rd, *wr;

	ASSERT_EQ(pipe_create(0, 0, 0, &rd, &wr), 0);
	ASSERT_EQ(wr_bytes(wr, "hello world", 11), 11);
	EXPECT_EQ(pipe_splice_out(rd, 100, flat_drain, &fl), 5);
	EXPECT_STREQ(got, "hello");
	EXPECT_EQ(rd_bytes(rd, rest, sizeof(rest)), 6);
	EXPECT_STREQ(rest, " world");
	file_put(rd);
	file_put(wr);
}

TEST(pipe_to_pipe_moves_whole_slots_and_copies_a_partial_one)
{
	struct file *ard, *awr, *brd, *bwr;
	char buf[32] = { 0 };

	ASSERT_EQ(pipe_create(0, 0, 0, &ard, &awr), 0);
	ASSERT_EQ(pipe_create(0, 0, 0, &brd, &bwr), 0);
	EXPECT_EQ(pipe_splice_pipe(ard, awr, 1, false), -EINVAL);
	EXPECT_EQ(pipe_splice_pipe(ard, bwr, 1, false), -EAGAIN);
	ASSERT_EQ(wr_bytes(awr, "abcdef", 6), 6);
	EXPECT_EQ(pipe_splice_pipe(ard, bwr, 2, true), 2);
	EXPECT_EQ(pipe_splice_pipe(ard, bwr, 4, false), 4);
	EXPECT_EQ(pipe_splice_pipe(ard, bwr, 100, false), 2);
	EXPECT_EQ(rd_bytes(brd, buf, sizeof(buf)), 8);
	EXPECT_STREQ(buf, "ababcdef");
	file_put(awr);
	EXPECT_EQ(pipe_splice_pipe(ard, bwr, 100, true), 0); /* empty without writers */
	file_put(brd);
	EXPECT_EQ(pipe_splice_pipe(ard, bwr, 100, false), -EPIPE);
	file_put(ard);
	file_put(bwr);
}

/* fix_teardown, except for pipefs's superblock and internal mount (its root dentry and
 * inode), which live as long as the process: every pipe's own objects must be gone. */
static void teardown_with_pipefs(struct fsfix *fx)
{
	struct vfs_live live;

	fs_view_put(fx->v);
	fx->v = NULL;
	vfs_live_counts(&live);
	EXPECT_EQ(live.files, 0);
	EXPECT_EQ(live.mounts, 1);
	EXPECT_EQ(live.dentries, 1);
	EXPECT_EQ(live.inodes, 1);
	EXPECT_EQ(live.sbs, 1);
	EXPECT_EQ(memfile_used_pages(), 0);
}

TEST(a_tmpfs_file_goes_through_a_pipe_and_back)
{
	struct fsfix fx;
	struct file *in, *out, *rd, *wr;
	char buf[64] = { 0 };
	int64_t pos = 2;

	fix_setup(&fx);
	ASSERT_EQ(fix_write_file(&fx, "/in", "0123456789"), 0);
	ASSERT_EQ(fix_open(&fx, "/in", O_RDONLY, &in), 0);
	ASSERT_EQ(fix_open(&fx, "/out", O_RDWR | O_CREAT, &out), 0);
	ASSERT_EQ(pipe_create(0, 0, 0, &rd, &wr), 0);
	EXPECT_EQ(vfs_splice_read(in, &pos, wr, 5), 5);
	EXPECT_EQ(pos, 7);
	EXPECT_EQ(vfs_splice_read(in, NULL, wr, 100), 10);
	EXPECT_EQ(in->pos, 10);
	EXPECT_EQ(vfs_splice_read(in, NULL, wr, 100), 0);
	EXPECT_EQ(vfs_splice_write(rd, out, NULL, 100), 15);
	EXPECT_EQ(fix_read_file(&fx, "/out", buf, sizeof(buf)), 15);
	EXPECT_STREQ(buf, "234560123456789");
	EXPECT_EQ(vfs_splice_read(rd, NULL, wr, 1), -EINVAL); /* a pipe has no splice_read */
	file_put(rd);
	file_put(wr);
	file_put(in);
	file_put(out);
	teardown_with_pipefs(&fx);
}

struct pingpong {
	struct file *rd, *wr;
	int rounds;
	long moved;
};

static void *pingpong_thread(void *arg)
{
	struct pingpong *pp = arg;

	for (int i = 0; i < pp->rounds; i++) {
		ssize_t n = pipe_splice_pipe(pp->rd, pp->wr, 4096, false);

		if (n > 0)
			pp->moved += n;
	}
	return NULL;
}

TEST(splicing_both_ways_at_once_does_not_deadlock)
{
	struct file *ard, *awr, *brd, *bwr;
	static char page[4096];
	struct pingpong ab, ba;
	pthread_t t1, t2;
	char buf[4096];
	long total = 0;
	ssize_t n;

	ASSERT_EQ(pipe_create(0, 0, O_NONBLOCK, &ard, &awr), 0);
	ASSERT_EQ(pipe_create(0, 0, O_NONBLOCK, &brd, &bwr), 0);
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(wr_bytes(awr, page, sizeof(page)), 4096);
		ASSERT_EQ(wr_bytes(bwr, page, sizeof(page)), 4096);
	}
	ab = (struct pingpong){ ard, bwr, 20000, 0 };
	ba = (struct pingpong){ brd, awr, 20000, 0 };
	ASSERT_EQ(pthread_create(&t1, NULL, pingpong_thread, &ab), 0);
	ASSERT_EQ(pthread_create(&t2, NULL, pingpong_thread, &ba), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	/* no byte was lost or made up on the way */
	while ((n = rd_bytes(ard, buf, sizeof(buf))) > 0)
		total += n;
	while ((n = rd_bytes(brd, buf, sizeof(buf))) > 0)
		total += n;
	EXPECT_EQ(total, 16 * 4096);
	file_put(ard);
	file_put(awr);
	file_put(brd);
	file_put(bwr);
}
