/*
 * Program loading for execve and the sandbox's first process: resolves the file, follows
 * #! interpreters (5 rewrites, as Linux allows), maps ELF64
 * executables (ET_EXEC, ET_DYN/PIE) and their PT_INTERP dynamic loader into a fresh mm,
 * and builds the initial stack (argc, argv, envp, auxv, AT_RANDOM bytes, AT_EXECFN).
 *
 * Every byte of the file is untrusted: a malformed header, an out-of-range segment or an
 * overflowing size is -ENOEXEC (or -EINVAL/-ENOMEM as Linux gives), never a crash.
 */
#ifndef SENTRY_LOADER_LOADER_H
#define SENTRY_LOADER_LOADER_H

#include <stdbool.h>
#include <stdint.h>
#include "common/util.h"

struct mm;
struct fs_view;
struct vfs_cred;
struct file;
struct path;

struct loader_args {
	const char *path; /* as the guest passed it to execve */
	int dirfd_is_cwd; /* reserved for execveat; 1 for now */
	/* execveat: name is resolved from start (NULL: the cwd), a trailing symlink refused
	 * if nofollow; file (AT_EMPTY_PATH) is a file opened for exec by the caller (the
	 * loader takes its own reference). path is then only what AT_EXECFN and a script's
	 * argv show ("/dev/fd/N/name"). */
	const struct path *start;
	const char *name;
	bool nofollow;
	struct file *file;
	char *const *argv; /* sentry copies, NULL-terminated */
	char *const *envp;
	struct fs_view *fs; /* where path is resolved */
	const struct vfs_cred *cred;
	/* RLIMIT_STACK's soft limit: the stack's size, the argv + envp limit and where mmap
	 * starts. 0 = the 8 MiB default; RLIM_INFINITY is clamped. */
	uint64_t stack_limit;
};

struct loader_result {
	uaddr_t entry; /* where the guest starts (the interpreter's entry if any) */
	uaddr_t sp; /* initial stack pointer (points at argc) */
	uaddr_t brk_start;
	struct file *exe; /* +1: the executable finally loaded (for /proc/self/exe) */
	char comm[16]; /* basename of the executable, for the task's comm */
};

/* The argv + envp limit (strings and pointers, E2BIG past it) for an RLIMIT_STACK soft
 * limit (0 = default): Linux's bprm_stack_limits(). */
uint64_t loader_arg_limit(uint64_t stack_limit);

/*
 * Loads args->path into mm (which must be empty) and sets up its stack.
 * Returns 0 or -errno: -ENOENT, -EACCES (not executable / noexec mount),
 * -ENOEXEC (not a format we run), -ELIBBAD (bad ELF interpreter), -EPERM (segment
 * below the minimum address), -EIO, -ELOOP (#! too deep), -E2BIG (argv+envp
 * too large), -ENOMEM, -EFAULT.
 */
int loader_load(struct mm *mm, const struct loader_args *args, struct loader_result *out);

#endif
