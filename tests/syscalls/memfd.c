// SPDX-License-Identifier: MIT
/*
 * memfd_create and file sealing: the file memfd_create gives (mode, size, flags, its
 * /proc names), flag and name validation, and each seal enforced on write, ftruncate,
 * fallocate, mmap and mprotect, with F_SEAL_WRITE's EBUSY while a writable shared
 * mapping exists.
 */
#include <linux/falloc.h>
#include <linux/memfd.h>
#include <stdlib.h>

#include "tests/syscalls/sysutil.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

static int memfd(const char *name, unsigned flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

/* A sealable memfd holding len bytes of 'a'. */
static int sealable_with(size_t len)
{
	int fd = ASSERT_OK(memfd("seals", MFD_ALLOW_SEALING | MFD_CLOEXEC));
	char *buf = malloc(len + 1);

	ASSERT_TRUE(buf != NULL);
	memset(buf, 'a', len);
	if (len)
		ASSERT_EQ(write(fd, buf, len), (long)len);
	free(buf);
	return fd;
}

static void readlink_fd(int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	ASSERT_GT(n, 0);
	buf[n] = '\0';
}

TEST(memfd_create_gives_an_empty_unlinked_read_write_file)
{
	int fd = ASSERT_OK(memfd("hello", 0));
	struct stat st;
	char buf[256];

	ASSERT_OK(fstat(fd, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0777);
	EXPECT_EQ(st.st_size, 0);
	EXPECT_EQ(st.st_nlink, 0);
	EXPECT_EQ(st.st_uid, getuid());
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	readlink_fd(fd, buf, sizeof(buf));
	EXPECT_STREQ(buf, "/memfd:hello (deleted)");
	close(fd);

	fd = ASSERT_OK(memfd("c", MFD_CLOEXEC));
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
}

TEST(data_written_reads_back_and_shared_mappings_see_it)
{
	int fd = ASSERT_OK(memfd("data", 0));
	char buf[16] = { 0 }, *m;

	ASSERT_EQ(write(fd, "hello", 5), 5);
	ASSERT_EQ(pread(fd, buf, sizeof(buf), 0), 5);
	EXPECT_STREQ(buf, "hello");
	ASSERT_OK(ftruncate(fd, PAGE));
	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	EXPECT_EQ(memcmp(m, "hello", 5), 0);
	memcpy(m, "HE", 2);
	ASSERT_EQ(pread(fd, buf, 5, 0), 5);
	EXPECT_EQ(memcmp(buf, "HEllo", 5), 0);
	munmap(m, PAGE);
	close(fd);
}

TEST(maps_name_the_memfd)
{
	int fd = ASSERT_OK(memfd("mapped", 0));
	char line[512];
	bool found = false;
	void *m;
	FILE *f;

	ASSERT_OK(ftruncate(fd, PAGE));
	m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	f = fopen("/proc/self/maps", "r");
	ASSERT_TRUE(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "/memfd:mapped (deleted)"))
			found = true;
	fclose(f);
	EXPECT_TRUE(found);
	munmap(m, PAGE);
	close(fd);
}

TEST(bad_flags_names_and_pointers_are_refused)
{
	char name[300];
	int fd;

	EXPECT_ERRNO(memfd("x", 0x100), EINVAL);
	EXPECT_ERRNO(memfd("x", MFD_EXEC | MFD_NOEXEC_SEAL), EINVAL);
	/* huge page size bits only go with MFD_HUGETLB */
	EXPECT_ERRNO(memfd("x", 21u << 26), EINVAL);
	EXPECT_ERRNO(memfd((const char *)8, 0), EFAULT);
	memset(name, 'n', sizeof(name));
	name[250] = '\0';
	EXPECT_ERRNO(memfd(name, 0), EINVAL);
	name[249] = '\0';
	fd = ASSERT_OK(memfd(name, 0));
	close(fd);
}

TEST(mfd_hugetlb_works_or_is_enosys_without_hugetlbfs)
{
	int fd = memfd("huge", MFD_HUGETLB);

	if (fd < 0)
		EXPECT_EQ(errno, ENOSYS);
	else
		close(fd);
}

TEST(without_allow_sealing_the_seal_seal_is_set)
{
	int fd = ASSERT_OK(memfd("noseal", 0));

	EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL);
	EXPECT_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	close(fd);
}

TEST(seals_accumulate_until_f_seal_seal)
{
	int fd = sealable_with(0);

	EXPECT_EQ(fcntl(fd, F_GET_SEALS), 0);
	EXPECT_ERRNO(fcntl(fd, F_ADD_SEALS, 0x4000), EINVAL);
	ASSERT_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	ASSERT_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW);
	ASSERT_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	EXPECT_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	close(fd);
}

TEST(seal_fcntls_on_other_files_are_einval_and_need_a_writable_fd)
{
	int p[2], fd = sealable_with(0), ro;
	char link[64];

	ASSERT_OK(pipe(p));
	EXPECT_ERRNO(fcntl(p[0], F_GET_SEALS), EINVAL);
	EXPECT_ERRNO(fcntl(p[1], F_ADD_SEALS, F_SEAL_WRITE), EINVAL);
	close(p[0]);
	close(p[1]);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ro = ASSERT_OK(open(link, O_RDONLY));
	EXPECT_EQ(fcntl(ro, F_GET_SEALS), 0);
	EXPECT_ERRNO(fcntl(ro, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	close(ro);
	close(fd);
}

TEST(f_seal_shrink_stops_truncating_down)
{
	int fd = sealable_with(100);

	ASSERT_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	EXPECT_ERRNO(ftruncate(fd, 50), EPERM);
	EXPECT_OK(ftruncate(fd, 100));
	EXPECT_OK(ftruncate(fd, 200));
	EXPECT_ERRNO(ftruncate(fd, 199), EPERM);
	close(fd);
}

TEST(f_seal_grow_stops_truncating_up_writing_and_allocating_past_eof)
{
	int fd = sealable_with(6000);
	static char big[8192];

	ASSERT_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	EXPECT_ERRNO(ftruncate(fd, 6001), EPERM);
	EXPECT_EQ(pwrite(fd, "xy", 2, 10), 2);
	EXPECT_ERRNO(pwrite(fd, "xy", 2, 5999), EPERM);
	/* the write stops at the last page boundary below EOF */
	EXPECT_EQ(pwrite(fd, big, sizeof(big), 0), 4096);
	EXPECT_ERRNO(fallocate(fd, 0, 0, 8192), EPERM);
	EXPECT_ERRNO(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 8192), EPERM);
	EXPECT_OK(fallocate(fd, 0, 0, 4096));
	EXPECT_OK(ftruncate(fd, 10));
	close(fd);
}

TEST(f_seal_write_stops_writes_punches_and_writable_shared_maps)
{
	int fd = sealable_with(PAGE);
	char *m;

	ASSERT_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	EXPECT_ERRNO(write(fd, "x", 1), EPERM);
	EXPECT_ERRNO(pwrite(fd, "x", 1, 0), EPERM);
	EXPECT_EQ(write(fd, "", 0), 0);
	EXPECT_ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, PAGE), EPERM);
	EXPECT_TRUE(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
	EXPECT_EQ(errno, EPERM);
	/* a private copy may be written, a read-only shared mapping may not become writable */
	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	m[0] = 'p';
	munmap(m, PAGE);
	m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	EXPECT_EQ(m[0], 'a');
	EXPECT_ERRNO(mprotect(m, PAGE, PROT_READ | PROT_WRITE), EACCES);
	munmap(m, PAGE);
	/* shrinking and growing are still allowed */
	EXPECT_OK(ftruncate(fd, 2 * PAGE));
	close(fd);
}

TEST(f_seal_write_is_ebusy_while_a_writable_shared_mapping_exists)
{
	int fd = sealable_with(PAGE);
	char *m;

	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	EXPECT_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	EXPECT_EQ(fcntl(fd, F_GET_SEALS), 0);
	EXPECT_EQ(write(fd, "w", 1), 1);
	munmap(m, PAGE);
	EXPECT_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_WRITE);
	close(fd);
}

TEST(f_seal_future_write_keeps_existing_mappings_writable)
{
	int fd = sealable_with(PAGE);
	char buf[2] = { 0 }, *m;

	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	ASSERT_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	m[0] = 'z';
	ASSERT_EQ(pread(fd, buf, 1, 0), 1);
	EXPECT_EQ(buf[0], 'z');
	EXPECT_ERRNO(write(fd, "x", 1), EPERM);
	EXPECT_TRUE(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
	EXPECT_EQ(errno, EPERM);
	munmap(m, PAGE);
	close(fd);
}

TEST(mfd_noexec_seal_clears_exec_bits_for_good)
{
	int fd = memfd("noexec", MFD_NOEXEC_SEAL);
	struct stat st;

	if (fd < 0 && errno == EINVAL)
		SKIP("MFD_NOEXEC_SEAL: a kernel before 6.3");
	ASSERT_OK(fd);
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_mode & 0777, 0666);
	EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_EXEC);
	EXPECT_ERRNO(fchmod(fd, 0755), EPERM);
	EXPECT_OK(fchmod(fd, 0600));
	/* sealable: other seals may still be added */
	EXPECT_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	close(fd);
}

TEST(f_seal_exec_on_an_executable_memfd_also_seals_writes)
{
	int fd = sealable_with(0);

	if (fcntl(fd, F_ADD_SEALS, F_SEAL_EXEC) < 0 && errno == EINVAL)
		SKIP("F_SEAL_EXEC: a kernel before 6.3");
	EXPECT_EQ(fcntl(fd, F_GET_SEALS),
		  F_SEAL_EXEC | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE);
	EXPECT_ERRNO(write(fd, "x", 1), EPERM);
	close(fd);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
