// SPDX-License-Identifier: MIT
/*
 * The system-wide files of /proc and /sys: meminfo, cpuinfo against /sys's CPU list,
 * uptime, stat, loadavg, version and the sysctls against uname(2), the enforced limits
 * (nr_open), random/uuid and boot_id, filesystems, mounts and mountinfo, statfs's magic
 * numbers, ns links.
 */
#include <stdlib.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

static ssize_t slurp(const char *path, char *buf, size_t len)
{
	int fd = ASSERT_OK(open(path, O_RDONLY | O_CLOEXEC));
	size_t got = 0;
	ssize_t n;

	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

static unsigned long meminfo(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	unsigned long v = 0;

	if (!p)
		return ~0UL;
	sscanf(p + strlen(key), ": %lu kB", &v);
	return v;
}

static char big[1 << 16];

TEST(meminfo_fields)
{
	slurp("/proc/meminfo", big, sizeof(big));
	EXPECT_TRUE(!strncmp(big, "MemTotal:", 9));
	EXPECT_GT(meminfo(big, "MemTotal"), 0);
	EXPECT_LE(meminfo(big, "MemFree"), meminfo(big, "MemTotal"));
	EXPECT_LE(meminfo(big, "MemAvailable"), meminfo(big, "MemTotal"));
	EXPECT_NE(meminfo(big, "SwapTotal"), ~0UL);
	EXPECT_NE(meminfo(big, "Cached"), ~0UL);
	EXPECT_NE(meminfo(big, "Buffers"), ~0UL);
}

/* CPUs in a kernel cpulist ("0-3,6"). */
static int cpulist_count(const char *s)
{
	int n = 0;

	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b = a;

		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		n += (int)(b - a + 1);
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

TEST(cpuinfo_matches_sys_online)
{
	char online[256];
	int processors = 0;

	slurp("/sys/devices/system/cpu/online", online, sizeof(online));
	slurp("/proc/cpuinfo", big, sizeof(big));
	for (char *p = big; (p = strstr(p, "processor\t:")); p++)
		processors++;
	EXPECT_GT(processors, 0);
	EXPECT_EQ(processors, cpulist_count(online));
	EXPECT_TRUE(strstr(big, "vendor_id\t: ") != NULL);
	EXPECT_TRUE(strstr(big, "flags\t\t: ") != NULL);
	slurp("/sys/devices/system/cpu/possible", online, sizeof(online));
	EXPECT_GE(cpulist_count(online), processors);
}

TEST(uptime_grows)
{
	char buf[128];
	double up1, idle1, up2, idle2;

	slurp("/proc/uptime", buf, sizeof(buf));
	ASSERT_EQ(sscanf(buf, "%lf %lf", &up1, &idle1), 2);
	slurp("/proc/uptime", buf, sizeof(buf));
	ASSERT_EQ(sscanf(buf, "%lf %lf", &up2, &idle2), 2);
	/* "%lu.%02lu %lu.%02lu\n", as Linux prints it. */
	EXPECT_TRUE(strchr(buf, '.') && strchr(buf, '.')[3] == ' ');
	EXPECT_GE(up1, 0);
	EXPECT_GE(idle1, 0);
	EXPECT_GE(up2, up1);
}

TEST(stat_has_cpu_and_btime)
{
	unsigned long long user, nice, sys, idle;
	long long btime = 0;
	char *p;

	slurp("/proc/stat", big, sizeof(big));
	ASSERT_EQ(sscanf(big, "cpu %llu %llu %llu %llu", &user, &nice, &sys, &idle), 4);
	EXPECT_TRUE(strstr(big, "\ncpu0 ") != NULL);
	p = strstr(big, "\nbtime ");
	ASSERT_TRUE(p != NULL);
	sscanf(p, "\nbtime %lld", &btime);
	EXPECT_GT(btime, 0);
	EXPECT_LE(btime, (long long)time(NULL));
	EXPECT_TRUE(strstr(big, "\nprocesses ") != NULL);
	EXPECT_TRUE(strstr(big, "\nprocs_running ") != NULL);
}

TEST(loadavg_format)
{
	char buf[128];
	double a, b, c;
	int running, total, last;

	slurp("/proc/loadavg", buf, sizeof(buf));
	ASSERT_EQ(sscanf(buf, "%lf %lf %lf %d/%d %d", &a, &b, &c, &running, &total, &last), 6);
	EXPECT_GE(running, 1);
	EXPECT_GE(total, running);
	EXPECT_GT(last, 0);
}

TEST(version_and_kernel_sysctls_match_uname)
{
	struct utsname u;
	char buf[512], want[512];

	ASSERT_OK(uname(&u));
	slurp("/proc/version", buf, sizeof(buf));
	snprintf(want, sizeof(want), "Linux version %s ", u.release);
	EXPECT_TRUE(!strncmp(buf, want, strlen(want)));
	slurp("/proc/sys/kernel/ostype", buf, sizeof(buf));
	EXPECT_STREQ(buf, "Linux\n");
	slurp("/proc/sys/kernel/osrelease", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", u.release);
	EXPECT_STREQ(buf, want);
	slurp("/proc/sys/kernel/hostname", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", u.nodename);
	EXPECT_STREQ(buf, want);
}

TEST(pid_and_group_limits)
{
	char buf[64];

	slurp("/proc/sys/kernel/pid_max", buf, sizeof(buf));
	EXPECT_GT(atol(buf), (long)getpid());
	slurp("/proc/sys/kernel/ngroups_max", buf, sizeof(buf));
	EXPECT_EQ(atol(buf), sysconf(_SC_NGROUPS_MAX));
	slurp("/proc/sys/vm/max_map_count", buf, sizeof(buf));
	EXPECT_GT(atol(buf), 0);
	slurp("/proc/sys/vm/overcommit_memory", buf, sizeof(buf));
	EXPECT_TRUE(buf[0] >= '0' && buf[0] <= '2');
}

TEST(nr_open_is_the_enforced_limit)
{
	char buf[64];
	struct rlimit rl;
	long nr_open;

	slurp("/proc/sys/fs/nr_open", buf, sizeof(buf));
	nr_open = atol(buf);
	ASSERT_GT(nr_open, 0);
	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_max = (rlim_t)nr_open + 1;
	if (rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	/* Beyond nr_open is refused whatever the capabilities. */
	EXPECT_ERRNO(setrlimit(RLIMIT_NOFILE, &rl), EPERM);
}

TEST(random_ids)
{
	char a[64], b[64];

	slurp("/proc/sys/kernel/random/boot_id", a, sizeof(a));
	slurp("/proc/sys/kernel/random/boot_id", b, sizeof(b));
	EXPECT_STREQ(a, b);
	EXPECT_EQ(strlen(a), 37);
	slurp("/proc/sys/kernel/random/uuid", a, sizeof(a));
	slurp("/proc/sys/kernel/random/uuid", b, sizeof(b));
	EXPECT_EQ(strlen(a), 37);
	EXPECT_EQ(a[14], '4');
	EXPECT_TRUE(strcmp(a, b) != 0);
}

TEST(filesystems_and_mounts)
{
	char link[64];
	ssize_t n;

	slurp("/proc/filesystems", big, sizeof(big));
	EXPECT_TRUE(strstr(big, "nodev\tproc\n") != NULL);
	EXPECT_TRUE(strstr(big, "nodev\tsysfs\n") != NULL);
	EXPECT_TRUE(strstr(big, "nodev\ttmpfs\n") != NULL);
	n = ASSERT_OK(readlink("/proc/mounts", link, sizeof(link) - 1));
	link[n] = '\0';
	EXPECT_STREQ(link, "self/mounts");
	slurp("/proc/mounts", big, sizeof(big));
	EXPECT_TRUE(strstr(big, "proc /proc proc rw") != NULL);
	slurp("/proc/self/mountinfo", big, sizeof(big));
	EXPECT_TRUE(strstr(big, " / /proc rw") != NULL);
	EXPECT_TRUE(strstr(big, " - proc proc rw") != NULL);
}

TEST(statfs_magic)
{
	struct statfs sf;

	ASSERT_OK(statfs("/proc", &sf));
	EXPECT_EQ(sf.f_type, 0x9fa0);
	ASSERT_OK(statfs("/proc/self/status", &sf));
	EXPECT_EQ(sf.f_type, 0x9fa0);
	ASSERT_OK(statfs("/sys/devices/system/cpu", &sf));
	EXPECT_EQ(sf.f_type, 0x62656572);
}

TEST(ns_links)
{
	char a[64], b[64], path[64];
	ssize_t n = ASSERT_OK(readlink("/proc/self/ns/pid", a, sizeof(a) - 1));
	unsigned long ino;

	a[n] = '\0';
	EXPECT_EQ(sscanf(a, "pid:[%lu]", &ino), 1);
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", getppid());
	n = ASSERT_OK(readlink(path, b, sizeof(b) - 1));
	b[n] = '\0';
	EXPECT_STREQ(a, b);
	n = ASSERT_OK(readlink("/proc/self/ns/mnt", a, sizeof(a) - 1));
	a[n] = '\0';
	EXPECT_TRUE(!strncmp(a, "mnt:[", 5));
}
