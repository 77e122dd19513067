// SPDX-License-Identifier: MIT
/* Credentials: set*id rules, setgroups, capabilities lost with root (run as root). */
#include <grp.h>
#include <linux/capability.h>
#include <sys/fsuid.h>

#include "tests/syscalls/sysutil.h"

static void need_root(void)
{
	if (geteuid() != 0)
		SKIP("needs root");
}

static int run(void (*fn)(void))
{
	int st;
	pid_t pid = ASSERT_OK(fork());

	if (pid == 0) {
		fn();
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static uint64_t caps(int which)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		_exit(80);
	if (which == 0)
		return d[0].effective | (uint64_t)d[1].effective << 32;
	return d[0].permitted | (uint64_t)d[1].permitted << 32;
}

static void drop_everything(void)
{
	gid_t g[] = { 3000, 3001 }, got[4];
	uid_t r, e, s;

	if (setgroups(2, g) || setresgid(2000, 2000, 2000) || setresuid(1000, 1000, 1000))
		_exit(1);
	if (getresuid(&r, &e, &s) || r != 1000 || e != 1000 || s != 1000)
		_exit(2);
	if (getgroups(4, got) != 2 || got[0] != 3000 || got[1] != 3001)
		_exit(3);
	if (caps(0) || caps(1))
		_exit(4);
	if (setuid(0) != -1 || errno != EPERM)
		_exit(5);
	if (setresuid(-1, 0, -1) != -1 || errno != EPERM)
		_exit(6);
	if (setgroups(0, NULL) != -1 || errno != EPERM)
		_exit(7);
	if (setgid(0) != -1 || errno != EPERM)
		_exit(8);
	/* Moving among one's own ids is allowed. */
	if (setuid(1000))
		_exit(9);
}

TEST(dropping_root_loses_capabilities)
{
	need_root();
	EXPECT_EQ(run(drop_everything), 0);
}

static void effective_only(void)
{
	uid_t r, e, s;

	if (setresuid(0, 1000, 0))
		_exit(1);
	if (caps(0) != 0 || caps(1) == 0)
		_exit(2); /* effective gone, permitted kept: the saved uid is still root */
	if (seteuid(0))
		_exit(3);
	if (caps(0) != caps(1))
		_exit(4);
	/* setreuid: the saved uid follows a new effective one off the real one. */
	if (setreuid(1000, 2000) || getresuid(&r, &e, &s) || r != 1000 || e != 2000 || s != 2000)
		_exit(5);
	if (setreuid(-1, 1000) || getresuid(&r, &e, &s) || e != 1000 || s != 2000)
		_exit(6);
	if (setreuid(-1, 0) != -1 || errno != EPERM)
		_exit(7);
}

TEST(effective_uid_moves_capabilities)
{
	need_root();
	EXPECT_EQ(run(effective_only), 0);
}

static void fsuid_rules(void)
{
	if (setfsuid(1234) != 0)
		_exit(1);
	if (setfsuid(-1) != 1234)
		_exit(2);
	if (setresuid(1000, 1000, 1000))
		_exit(3);
	/* fsuid follows euid; an unprivileged change to a foreign id is ignored. */
	if (setfsuid(4321) != 1000 || setfsuid(-1) != 1000)
		_exit(4);
}

TEST(setfsuid_returns_the_old_id)
{
	need_root();
	EXPECT_EQ(run(fsuid_rules), 0);
}

static void capset_rules(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		_exit(1);
	d[0].effective &= ~(1u << CAP_CHOWN);
	if (syscall(SYS_capset, &h, d))
		_exit(2);
	if (caps(0) & (1u << CAP_CHOWN))
		_exit(3);
	d[0].permitted &= ~(1u << CAP_KILL);
	d[0].effective &= ~(1u << CAP_KILL);
	if (syscall(SYS_capset, &h, d))
		_exit(4);
	d[0].permitted |= 1u << CAP_KILL; /* never regained */
	if (syscall(SYS_capset, &h, d) != -1 || errno != EPERM)
		_exit(5);
	d[0].permitted &= ~(1u << CAP_KILL);
	d[0].effective |= 1u << CAP_KILL; /* effective within permitted */
	if (syscall(SYS_capset, &h, d) != -1 || errno != EPERM)
		_exit(6);
}

TEST(capset_never_gains)
{
	need_root();
	EXPECT_EQ(run(capset_rules), 0);
}

TEST(capget_bad_version_says_which)
{
	struct __user_cap_header_struct h = { 0x1234, 0 };
	struct __user_cap_data_struct d[2];

	EXPECT_ERRNO(syscall(SYS_capget, &h, d), EINVAL);
	EXPECT_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	h.version = _LINUX_CAPABILITY_VERSION_3;
	EXPECT_OK(syscall(SYS_capget, &h, NULL));
}
