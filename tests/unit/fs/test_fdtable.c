/* The fd table: lowest free fd, limits, dup2 semantics, cloexec, copies, close_range. */
#include <errno.h>
#include <linux/close_range.h>

#include "fs/dev/devfs.h"
#include "sentry/kernel/fdtable.h"
#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

static struct file *some_file(struct fsfix *fx)
{
	struct file *f;

	ASSERT_EQ(fix_open(fx, "/", O_RDONLY, &f), 0);
	return f;
}

TEST(install_takes_the_lowest_free_fd_below_the_limit)
{
	struct fsfix fx;
	struct fdtable *t;
	struct file *f, *g;

	fix_setup(&fx);
	t = fdt_new();
	f = some_file(&fx);
	EXPECT_EQ(fdt_install(t, f, 0, false, 4), 0);
	EXPECT_EQ(fdt_install(t, f, 0, false, 4), 1);
	EXPECT_EQ(fdt_install(t, f, 3, true, 4), 3);
	EXPECT_EQ(fdt_install(t, f, 0, false, 4), 2);
	EXPECT_EQ(fdt_install(t, f, 0, false, 4), -EMFILE);
	EXPECT_EQ(fdt_install(t, f, 4, false, 4), -EMFILE);
	EXPECT_EQ(fdt_install(t, f, -1, false, 4), -EINVAL);
	EXPECT_EQ(fdt_install(t, f, 0, false, 0), -EMFILE);
	EXPECT_EQ(fdt_close(t, 1), 0);
	EXPECT_EQ(fdt_close(t, 1), -EBADF);
	EXPECT_EQ(fdt_install(t, f, 0, false, 4), 1);
	EXPECT_EQ(fdt_get_cloexec(t, 3), 1);
	EXPECT_EQ(fdt_get_cloexec(t, 2), 0);
	EXPECT_EQ(fdt_get_cloexec(t, 9), -EBADF);
	g = fdt_get(t, 0);
	EXPECT_TRUE(g == f);
	file_put(g);
	EXPECT_TRUE(fdt_get(t, -1) == NULL);
	EXPECT_TRUE(fdt_get(t, 100000) == NULL);
	file_put(f);
	fdt_put(t);
	fix_teardown(&fx);
}

TEST(install_at_replaces_and_grows)
{
	struct fsfix fx;
	struct fdtable *t, *c;
	struct file *f;

	fix_setup(&fx);
	t = fdt_new();
	f = some_file(&fx);
	EXPECT_EQ(fdt_install_at(t, 1000, f, true, 1024), 1000);
	EXPECT_EQ(fdt_install_at(t, 1000, f, false, 1024), 1000);
	EXPECT_EQ(fdt_get_cloexec(t, 1000), 0);
	EXPECT_EQ(fdt_install_at(t, 1024, f, false, 1024), -EBADF);
	EXPECT_EQ(fdt_install(t, f, 0, true, 1024), 0);
	c = fdt_copy(t);
	EXPECT_EQ(fdt_get_cloexec(c, 0), 1);
	fdt_close_on_exec(c);
	EXPECT_EQ(fdt_get_cloexec(c, 0), -EBADF);
	EXPECT_EQ(fdt_get_cloexec(c, 1000), 0);
	EXPECT_EQ(fdt_get_cloexec(t, 0), 1);
	fdt_put(c);
	file_put(f);
	fdt_put(t);
	fix_teardown(&fx);
}

TEST(close_range_closes_or_marks)
{
	struct fsfix fx;
	struct fdtable *t;
	struct file *f;

	fix_setup(&fx);
	t = fdt_new();
	f = some_file(&fx);
	for (int i = 0; i < 200; i++)
		ASSERT_EQ(fdt_install(t, f, 0, false, 1024), i);
	EXPECT_EQ(fdt_close_range(t, 10, 5, 0), -EINVAL);
	EXPECT_EQ(fdt_close_range(t, 0, 10, 0x80), -EINVAL);
	EXPECT_EQ(fdt_close_range(t, 0, 9, CLOSE_RANGE_CLOEXEC), 0);
	EXPECT_EQ(fdt_get_cloexec(t, 9), 1);
	EXPECT_EQ(fdt_close_range(t, 10, ~0u, 0), 0);
	EXPECT_EQ(fdt_get_cloexec(t, 10), -EBADF);
	EXPECT_EQ(fdt_get_cloexec(t, 199), -EBADF);
	fdt_close_on_exec(t);
	EXPECT_EQ(fdt_get_cloexec(t, 0), -EBADF);
	file_put(f);
	fdt_put(t);
	fix_teardown(&fx);
}
