// SPDX-License-Identifier: MIT
/*
 * EFAULT for every kind of bad user pointer on every pointer-taking syscall: NULL (where
 * NULL is not a documented "none"), (void *)1, an unmapped page, a PROT_NONE page, a
 * kernel-half address, a non-canonical address, and, for buffers the kernel writes, a
 * read-only page. All calls go through syscall() so no libc wrapper or vDSO touches the
 * pointer first. A sandbox kernel must answer each with -EFAULT and keep running.
 */
#include <signal.h>
#include <sys/uio.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

enum {
	WITH_NULL = 1, /* NULL is invalid here, not "none" */
	KERNEL_WRITES = 2, /* an output buffer: a read-only page is bad too */
};

struct bad_set {
	void *p[8];
	const char *what[8];
	int n;
};

static void add(struct bad_set *b, void *p, const char *what)
{
	b->p[b->n] = p;
	b->what[b->n] = what;
	b->n++;
}

static struct bad_set bad_pointers(int flags)
{
	struct bad_set b = { .n = 0 };
	void *none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(none != MAP_FAILED);
	if (flags & WITH_NULL)
		add(&b, NULL, "NULL");
	add(&b, (void *)1, "(void *)1");
	add(&b, unmapped_page(), "an unmapped page");
	add(&b, none, "a PROT_NONE page");
	add(&b, (void *)0xffff888000000000UL, "a kernel address");
	add(&b, (void *)0x0000800000000000UL, "a non-canonical address");
	if (flags & KERNEL_WRITES) {
		void *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ASSERT_TRUE(ro != MAP_FAILED);
		add(&b, ro, "a read-only page");
	}
	return b;
}

/* Evaluates call once per bad pointer, bound to the name bad; each must fail with EFAULT. */
#define EXPECT_EFAULT_FOR_EACH(flags, call)                                                    \
	do {                                                                                   \
		struct bad_set set_ = bad_pointers(flags);                                     \
		int i_;                                                                        \
		for (i_ = 0; i_ < set_.n; i_++) {                                              \
			void *bad = set_.p[i_];                                                \
			long r_;                                                               \
			int e_;                                                                \
			errno = 0;                                                             \
			r_ = (long)(call);                                                     \
			e_ = errno;                                                            \
			if (r_ != -1 || e_ != EFAULT)                                          \
				harness_fail(__FILE__, __LINE__,                               \
					     "%s with bad = %s (%p): returned %ld, errno %s, " \
					     "expected EFAULT",                                \
					     #call, set_.what[i_], bad, r_,                    \
					     r_ == -1 ? harness_errname(e_) : "-");            \
		}                                                                              \
	} while (0)

static const char content[] = "0123456789abcdef";

/* A regular file with some content, opened read-write. */
static int data_file(void)
{
	char path[256];

	return tmp_file_with("data", content, sizeof(content), path, sizeof(path));
}

TEST(read_into_a_bad_buffer)
{
	int fd = data_file();
	int zero = ASSERT_OK(open("/dev/zero", O_RDONLY));

	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_read, fd, bad, 16));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_read, zero, bad, 16));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_pread64, fd, bad, 16, 0));
	/* The failed reads did not move the offset. */
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
	close(zero);
	close(fd);
}

TEST(write_from_a_bad_buffer)
{
	int fd = data_file();

	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_write, fd, bad, 16));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_pwrite64, fd, bad, 16, 0));
	close(fd);
}

TEST(readv_writev_with_a_bad_iovec_array)
{
	int fd = data_file();

	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_readv, fd, bad, 1));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_writev, fd, bad, 1));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_preadv, fd, bad, 1, 0, 0));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_pwritev, fd, bad, 1, 0, 0));
	close(fd);
}

TEST(readv_writev_with_a_bad_iov_base)
{
	int fd = data_file();
	struct iovec iov;

	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES,
			       (iov = (struct iovec){ bad, 16 }, syscall(SYS_readv, fd, &iov, 1)));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL,
			       (iov = (struct iovec){ bad, 16 }, syscall(SYS_writev, fd, &iov, 1)));
	close(fd);
}

TEST(open_with_a_bad_path)
{
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_open, bad, O_RDONLY));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_open, bad, O_RDWR | O_CREAT, 0600));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_openat, AT_FDCWD, bad, O_RDONLY));
}

TEST(stat_family_with_a_bad_path)
{
	struct stat st;
	struct statx sx;

	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_stat, bad, &st));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_lstat, bad, &st));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_newfstatat, AT_FDCWD, bad, &st, 0));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL,
			       syscall(SYS_statx, AT_FDCWD, bad, 0, STATX_BASIC_STATS, &sx));
}

TEST(stat_family_with_a_bad_stat_buffer)
{
	int fd = ASSERT_OK(open("/", O_RDONLY | O_DIRECTORY));

	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_stat, "/", bad));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_lstat, "/", bad));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_fstat, fd, bad));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES,
			       syscall(SYS_newfstatat, AT_FDCWD, "/", bad, 0));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES,
			       syscall(SYS_statx, AT_FDCWD, "/", 0, STATX_BASIC_STATS, bad));
	close(fd);
}

TEST(access_and_faccessat_with_a_bad_path)
{
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_access, bad, F_OK));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_faccessat, AT_FDCWD, bad, F_OK));
}

TEST(readlink_with_a_bad_path_or_buffer)
{
	char path[256], buf[64];

	ASSERT_OK(symlink("target", tmp_path(path, sizeof(path), "link")));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_readlink, bad, buf, sizeof(buf)));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_readlink, path, bad, 64));
}

TEST(getcwd_into_a_bad_buffer)
{
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_getcwd, bad, 4096));
}

TEST(chdir_mkdir_unlink_with_a_bad_path)
{
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_chdir, bad));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_mkdir, bad, 0700));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_unlink, bad));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_rmdir, bad));
}

TEST(rename_with_a_bad_old_or_new_path)
{
	char a[256], b[256];
	int fd = ASSERT_OK(open(tmp_path(a, sizeof(a), "a"), O_CREAT | O_RDWR, 0600));

	close(fd);
	tmp_path(b, sizeof(b), "b");
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_rename, bad, b));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_rename, a, bad));
	EXPECT_OK(access(a, F_OK));
}

TEST(getdents64_into_a_bad_buffer)
{
	int dfd = ASSERT_OK(open("/", O_RDONLY | O_DIRECTORY));

	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_getdents64, dfd, bad, 4096));
	close(dfd);
}

TEST(uname_sysinfo_getrandom_into_a_bad_buffer)
{
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_uname, bad));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_sysinfo, bad));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_getrandom, bad, 16, 0));
}

TEST(clocks_into_a_bad_buffer)
{
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES,
			       syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES,
			       syscall(SYS_clock_gettime, CLOCK_REALTIME, bad));
	EXPECT_EFAULT_FOR_EACH(KERNEL_WRITES, syscall(SYS_clock_getres, CLOCK_MONOTONIC, bad));
	/* gettimeofday and time take NULL as "not wanted". */
	EXPECT_EFAULT_FOR_EACH(KERNEL_WRITES, syscall(SYS_gettimeofday, bad, NULL));
	EXPECT_EFAULT_FOR_EACH(KERNEL_WRITES, syscall(SYS_gettimeofday, NULL, bad));
	EXPECT_EFAULT_FOR_EACH(KERNEL_WRITES, syscall(SYS_time, bad));
}

TEST(nanosleep_with_a_bad_request)
{
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_nanosleep, bad, NULL));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL,
			       syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, bad, NULL));
}

TEST(rlimits_with_a_bad_buffer)
{
	struct rlimit rl;

	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	/* NULL means "none" for prlimit64's new and old limits. */
	EXPECT_EFAULT_FOR_EACH(0, syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, bad, NULL));
	EXPECT_EFAULT_FOR_EACH(KERNEL_WRITES, syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, bad));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES,
			       syscall(SYS_getrlimit, RLIMIT_NOFILE, bad));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL, syscall(SYS_setrlimit, RLIMIT_NOFILE, bad));
	/* Nothing was changed by the failed calls. */
	{
		struct rlimit now;

		ASSERT_OK(getrlimit(RLIMIT_NOFILE, &now));
		EXPECT_EQ(now.rlim_cur, rl.rlim_cur);
		EXPECT_EQ(now.rlim_max, rl.rlim_max);
	}
}

TEST(rt_sigaction_with_a_bad_action)
{
	/* NULL means "none" for both the new and the old action. */
	EXPECT_EFAULT_FOR_EACH(0, syscall(SYS_rt_sigaction, SIGUSR1, bad, NULL, 8));
	EXPECT_EFAULT_FOR_EACH(KERNEL_WRITES, syscall(SYS_rt_sigaction, SIGUSR1, NULL, bad, 8));
}

TEST(rt_sigprocmask_with_a_bad_set)
{
	EXPECT_EFAULT_FOR_EACH(0, syscall(SYS_rt_sigprocmask, SIG_BLOCK, bad, NULL, 8));
	EXPECT_EFAULT_FOR_EACH(KERNEL_WRITES, syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, bad, 8));
}

TEST(id_queries_into_a_bad_buffer)
{
	uid_t u;

	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_getresuid, bad, &u, &u));
	EXPECT_EFAULT_FOR_EACH(WITH_NULL | KERNEL_WRITES, syscall(SYS_getresgid, &u, &u, bad));
}
