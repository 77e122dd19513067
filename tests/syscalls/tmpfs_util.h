/* SPDX-License-Identifier: MIT */
/*
 * A scratch file on a tmpfs, for tests of tmpfs's own behaviour: in the case's tmpdir
 * when that is a tmpfs (the sandbox's /tmp), else in /dev/shm (natively). The file is
 * unlinked at once, so a failing case leaves nothing behind.
 */
#ifndef WARDEN_TESTS_SYSCALLS_TMPFS_UTIL_H
#define WARDEN_TESTS_SYSCALLS_TMPFS_UTIL_H

#include <linux/magic.h>
#include <sys/vfs.h>

#include "tests/syscalls/sysutil.h"

/* A directory on a tmpfs, into buf. */
static inline const char *tmpfs_dir(char *buf, size_t size)
{
	struct statfs sf;

	if (statfs(harness_tmpdir(), &sf) == 0 && sf.f_type == TMPFS_MAGIC)
		snprintf(buf, size, "%s", harness_tmpdir());
	else if (statfs("/dev/shm", &sf) == 0 && sf.f_type == TMPFS_MAGIC)
		snprintf(buf, size, "/dev/shm");
	else
		SKIP("no tmpfs to test on");
	return buf;
}

/* An unlinked, empty read-write file on a tmpfs. */
static inline int tmpfs_scratch(void)
{
	char dir[200], path[256];
	int fd;

	tmpfs_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/warden-scratch-%d", dir, (int)getpid());
	fd = ASSERT_OK(open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
	ASSERT_OK(unlink(path));
	return fd;
}

#endif
