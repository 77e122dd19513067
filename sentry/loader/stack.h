/*
 * The initial process stack, laid out byte for byte like Linux's create_elf_tables():
 *
 *   top ->  8 zero bytes
 *           execfn string (AT_EXECFN)
 *           envp strings, argv strings (in order, argv[0] lowest)
 *           padding to 16 bytes
 *           "x86_64\0" (AT_PLATFORM)
 *           16 random bytes (AT_RANDOM)
 *           padding
 *           auxv pairs ... AT_NULL
 *           NULL, envp[envc-1] ... envp[0]
 *           NULL, argv[argc-1] ... argv[0]
 *   sp ->   argc                       (sp % 16 == 0)
 *
 * The image is built in sentry memory (pure, testable) and copied out in one go.
 */
#ifndef SENTRY_LOADER_STACK_H
#define SENTRY_LOADER_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/util.h"

/* RLIMIT_STACK's default (the main thread's stack when no limit is given). */
#define LOADER_STACK_SIZE (8UL << 20)
/* The stack is mapped whole at exec (it does not grow on faults), so the limit is clamped:
 * at least what Linux's setup_arg_pages() always leaves (128 KiB) and at most 1 GiB. */
#define LOADER_STACK_MIN (128UL << 10)
#define LOADER_STACK_MAX (1UL << 30)
/* Linux's bprm_stack_limits(): argv + envp (strings and pointers) may take a quarter of
 * RLIMIT_STACK, at most 3/4 of the 8 MiB default, at least ARG_MAX (32 pages). */
#define LOADER_ARG_MAX (32 * PAGE_SIZE)
#define LOADER_ARG_LIMIT_MAX (LOADER_STACK_SIZE / 4 * 3)
/* The argument limit for the default RLIMIT_STACK. */
#define LOADER_ARG_LIMIT (LOADER_STACK_SIZE / 4)
/* Linux's MAX_ARG_STRLEN: one string, NUL included. */
#define LOADER_MAX_ARG_STRLEN (32 * PAGE_SIZE)
/* The most auxv pairs loader_stack_image() writes, AT_NULL included. */
#define LOADER_AUXV_MAX 24

struct loader_stack_spec {
	const char *const *argv; /* argc strings (the array need not be NULL-terminated) */
	size_t argc;
	const char *const *envp;
	size_t envc;
	const char *execfn;
	/* The auxv values that depend on what was loaded. */
	uint64_t phdr, phnum, base, entry;
	uint32_t uid, euid, gid, egid;
	uint64_t vdso; /* AT_SYSINFO_EHDR, 0 = no vDSO (the entry is left out) */
	uint64_t stack_limit; /* RLIMIT_STACK's soft limit; 0 = LOADER_STACK_SIZE */
	unsigned char random[16];
};

struct loader_stack_image {
	void *buf; /* the bytes of [sp, top); free() it */
	size_t len;
	uaddr_t sp; /* where argc is */
	uaddr_t execfn; /* AT_EXECFN */
	uaddr_t random; /* AT_RANDOM */
	uaddr_t platform; /* AT_PLATFORM */
	uint64_t auxv[2 * LOADER_AUXV_MAX]; /* what was written, for tests and /proc/pid/auxv */
	size_t auxv_len; /* in words, AT_NULL pair included */
};

/* The bytes the main thread's stack gets for an RLIMIT_STACK soft limit (0 = default). */
uint64_t loader_stack_size(uint64_t stack_limit);

/*
 * Checks the argument strings against Linux's exec limits: each at most
 * LOADER_MAX_ARG_STRLEN bytes, and all strings (execfn too) plus one pointer per string
 * below limit (loader_arg_limit). 0 or -E2BIG.
 */
int loader_check_args(const char *const *argv, size_t argc, const char *const *envp, size_t envc,
		      const char *execfn, uint64_t limit);

/* Counts a NULL-terminated string array (NULL counts as empty). */
size_t loader_count_strings(const char *const *v);

/*
 * Builds the stack image for a stack whose highest address + 1 is top (16-aligned).
 * 0, -E2BIG (the limits above) or -ENOMEM. On success img->buf is allocated.
 */
int loader_stack_image(const struct loader_stack_spec *s, uaddr_t top,
		       struct loader_stack_image *img);

#endif
