/*
 * The gofer's host seccomp filter: the whole list of host system calls a running gofer
 * makes, one line each with its reason. It is installed after chroot and before the first
 * request, so none of the set-up calls (open of the root, chroot, capset) stay allowed.
 * There is no execve, no socket or connect, no ptrace, no path-based open outside openat.
 */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>

#include "common/log.h"
#include "common/util.h"
#include "fs/gofer/filter.h"

static const char *const allowed[] = {
	/* the channels */
	"recvmsg",
	"sendmsg",
	/* nodes: every path call is relative to a node fd with O_NOFOLLOW semantics */
	"openat",
	"close",
	"fstat",
	"newfstatat",
	"fstatfs",
	"getdents64",
	"lseek",
	"readlinkat",
	"mkdirat",
	"mknodat",
	"symlinkat",
	"linkat",
	"unlinkat",
	"renameat2",
	/* setattr and xattrs */
	"fchmod",
	"fchownat",
	"ftruncate",
	"utimensat",
	"fgetxattr",
	"fsetxattr",
	"flistxattr",
	"fremovexattr",
	/* threads (one per channel) and their memory: malloc, stacks */
	"mmap",
	"mremap", /* realloc of a big block: the fid table past 16k fids */
	"munmap",
	"mprotect",
	"madvise",
	"brk",
	"futex",
	"set_robust_list",
	"rseq",
	"rt_sigprocmask",
	"rt_sigaction",
	"rt_sigreturn",
	"exit",
	"exit_group",
	"restart_syscall",
	/* messages for people */
	"write",
#if defined(__SANITIZE_ADDRESS__)
	/* the sanitizers' runtime, in the ASan+UBSan test build only */
	"sched_getaffinity",
	"prctl",
	"sigaltstack",
	"gettid",
	/* its allocator's spin locks yield under contention between the channel threads
	 * (a rare SIGSYS seen in unit.gofer.escape under load) */
	"sched_yield",
#endif
};

int gofer_filter_for_each(void (*fn)(const char *name, void *arg), void *arg)
{
	for (size_t i = 0; fn && i < ARRAY_SIZE(allowed); i++)
		fn(allowed[i], arg);
	/* clone, threads only, and sched_setaffinity, of the caller only (below) */
	if (fn) {
		fn("clone", arg);
		fn("sched_setaffinity", arg);
	}
	return (int)ARRAY_SIZE(allowed) + 2;
}

int gofer_filter_install(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int err = 0;

	if (!ctx)
		return -ENOMEM;
	err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; !err && i < ARRAY_SIZE(allowed); i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);

		if (nr == __NR_SCMP_ERROR) {
			log_warn("gofer filter: unknown syscall %s", allowed[i]);
			err = -EINVAL;
			break;
		}
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	/* a channel's thread pins itself to its CPU: pid 0 (the caller), nobody else */
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sched_setaffinity), 1,
				       SCMP_A0(SCMP_CMP_EQ, 0));
	/* new threads yes, new processes no: clone must carry CLONE_THREAD; clone3 hides its
	 * flags behind a pointer, so it gets ENOSYS and glibc falls back to clone */
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err < 0 ? err : 0;
}
