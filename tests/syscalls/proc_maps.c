// SPDX-License-Identifier: MIT
/*
 * /proc/self/maps, smaps and statm: the mappings a process just made appear with their
 * exact range, permissions (p/s), offset, device, inode and path; splits after mprotect;
 * [stack] and [heap]; the executable's own mapping.
 */
#include <limits.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

#include "tests/syscalls/sysutil.h"

static char maps[1 << 20];

static void read_maps(const char *file)
{
	int fd = ASSERT_OK(open(file, O_RDONLY | O_CLOEXEC));
	size_t got = 0;
	ssize_t n;

	/* Small reads: the file must read consistently at any size and offset. */
	while (got < sizeof(maps) - 1 &&
	       (n = read(fd, maps + got,
			 (sizeof(maps) - 1 - got < 333 ? sizeof(maps) - 1 - got : 333))) > 0)
		got += (size_t)n;
	close(fd);
	maps[got] = '\0';
}

struct line {
	unsigned long start, end, off, ino;
	char perms[5];
	unsigned maj, min;
	char path[PATH_MAX];
};

/* The maps line starting at addr, parsed; false if none. */
static bool find_line(unsigned long addr, struct line *l)
{
	for (char *p = maps; *p; p = strchr(p, '\n') + 1) {
		int used = 0;

		memset(l, 0, sizeof(*l));
		if (sscanf(p, "%lx-%lx %4s %lx %x:%x %lu%n", &l->start, &l->end, l->perms, &l->off,
			   &l->maj, &l->min, &l->ino, &used) < 7)
			return false;
		while (p[used] == ' ')
			used++;
		if (l->start == addr) {
			size_t n = strcspn(p + used, "\n");

			memcpy(l->path, p + used, n);
			l->path[n] = '\0';
			return true;
		}
	}
	return false;
}

TEST(anonymous_private_mapping)
{
	struct line l;
	char *m = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(m != MAP_FAILED);
	read_maps("/proc/self/maps");
	ASSERT_TRUE(find_line((unsigned long)m, &l));
	EXPECT_EQ(l.end, (unsigned long)m + 3 * PAGE);
	EXPECT_STREQ(l.perms, "r--p");
	EXPECT_EQ(l.off, 0);
	EXPECT_EQ(l.maj, 0);
	EXPECT_EQ(l.min, 0);
	EXPECT_EQ(l.ino, 0);
	EXPECT_STREQ(l.path, "");
	munmap(m, 3 * PAGE);
}

TEST(shared_and_split_by_mprotect)
{
	struct line l;
	char *m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *q = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(m != MAP_FAILED && q != MAP_FAILED);
	ASSERT_OK(mprotect(q + PAGE, PAGE, PROT_READ | PROT_EXEC));
	read_maps("/proc/self/maps");
	ASSERT_TRUE(find_line((unsigned long)m, &l));
	EXPECT_EQ(l.perms[3], 's');
	EXPECT_EQ(l.perms[1], 'w');
	ASSERT_TRUE(find_line((unsigned long)q, &l));
	EXPECT_EQ(l.end, (unsigned long)q + PAGE);
	EXPECT_STREQ(l.perms, "rw-p");
	ASSERT_TRUE(find_line((unsigned long)q + PAGE, &l));
	EXPECT_EQ(l.end, (unsigned long)q + 2 * PAGE);
	EXPECT_STREQ(l.perms, "r-xp");
	ASSERT_TRUE(find_line((unsigned long)q + 2 * PAGE, &l));
	EXPECT_STREQ(l.perms, "rw-p");
	munmap(m, 3 * PAGE);
	munmap(q, 3 * PAGE);
}

TEST(file_mapping_shows_the_file)
{
	static char data[4 * PAGE];
	char path[256], real[PATH_MAX];
	struct stat st;
	struct line l;
	int fd = tmp_file_with("mapped", data, sizeof(data), path, sizeof(path));
	char *m = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);

	ASSERT_TRUE(m != MAP_FAILED);
	ASSERT_OK(fstat(fd, &st));
	ASSERT_TRUE(realpath(path, real) != NULL);
	read_maps("/proc/self/maps");
	ASSERT_TRUE(find_line((unsigned long)m, &l));
	EXPECT_EQ(l.end, (unsigned long)m + 2 * PAGE);
	EXPECT_STREQ(l.perms, "r--p");
	EXPECT_EQ(l.off, PAGE);
	EXPECT_EQ(l.ino, (unsigned long)st.st_ino);
	EXPECT_EQ(l.maj, major(st.st_dev));
	EXPECT_EQ(l.min, minor(st.st_dev));
	EXPECT_STREQ(l.path, real);
	munmap(m, 2 * PAGE);
	close(fd);
}

TEST(stack_heap_and_executable)
{
	char exe[PATH_MAX];
	unsigned long local = (unsigned long)&exe, brk_end;
	bool stack = false, heap = false, text = false;
	ssize_t n = ASSERT_OK(readlink("/proc/self/exe", exe, sizeof(exe) - 1));

	exe[n] = '\0';
	ASSERT_TRUE(sbrk(PAGE) != (void *)-1);
	brk_end = (unsigned long)sbrk(0);
	read_maps("/proc/self/maps");
	for (char *p = maps; *p; p = strchr(p, '\n') + 1) {
		unsigned long s, e;
		char perms[5], rest[PATH_MAX] = "";

		ASSERT_GE(sscanf(p, "%lx-%lx %4s %*x %*x:%*x %*u %4095[^\n]", &s, &e, perms, rest),
			  3);
		if (!strcmp(rest, "[stack]") && s <= local && local < e)
			stack = true;
		if (!strcmp(rest, "[heap]") && s < brk_end && brk_end <= e)
			heap = true;
		if (!strcmp(rest, exe) && perms[2] == 'x')
			text = true;
	}
	EXPECT_TRUE(stack);
	EXPECT_TRUE(heap);
	EXPECT_TRUE(text);
}

TEST(lines_are_sorted_and_disjoint)
{
	unsigned long last = 0;
	int lines = 0;

	read_maps("/proc/self/maps");
	for (char *p = maps; *p; p = strchr(p, '\n') + 1) {
		unsigned long s, e;

		ASSERT_EQ(sscanf(p, "%lx-%lx", &s, &e), 2);
		if (strstr(p, "[vsyscall]") && strstr(p, "[vsyscall]") < strchr(p, '\n'))
			continue; /* Linux's fixed legacy page above the user range */
		EXPECT_LT(s, e);
		EXPECT_GE(s, last);
		EXPECT_EQ(s % PAGE, 0);
		last = e;
		lines++;
	}
	EXPECT_GT(lines, 3);
}

TEST(smaps_sizes_and_rss)
{
	char *m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char head[64], *p;
	unsigned long size = 0, rss = 0;

	ASSERT_TRUE(m != MAP_FAILED);
	m[0] = 1;
	m[PAGE] = 1;
	read_maps("/proc/self/smaps");
	snprintf(head, sizeof(head), "%08lx-", (unsigned long)m);
	p = strstr(maps, head);
	ASSERT_TRUE(p != NULL);
	p = strstr(p, "\nSize:");
	ASSERT_TRUE(p != NULL);
	EXPECT_EQ(sscanf(p, "\nSize: %lu kB", &size), 1);
	EXPECT_EQ(size, 16);
	p = strstr(p, "\nRss:");
	ASSERT_TRUE(p != NULL);
	EXPECT_EQ(sscanf(p, "\nRss: %lu kB", &rss), 1);
	EXPECT_GE(rss, 8);
	EXPECT_LE(rss, 16);
	munmap(m, 4 * PAGE);
}

TEST(statm_counts_a_new_mapping)
{
	unsigned long before, after, rss;
	char *m;

	read_maps("/proc/self/statm");
	ASSERT_EQ(sscanf(maps, "%lu %lu", &before, &rss), 2);
	EXPECT_GT(rss, 0);
	m = mmap(NULL, 64 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	read_maps("/proc/self/statm");
	ASSERT_EQ(sscanf(maps, "%lu", &after), 1);
	EXPECT_EQ(after, before + 64);
	munmap(m, 64 * PAGE);
}
