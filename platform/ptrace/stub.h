/*
 * The stub region: a small fixed-address mapping (code page + read-only data) that every
 * stub process keeps after it unmapped the copy of the sentry it was cloned from. Its
 * layout is shared by stub.S (which may only use these offsets, never absolute
 * addresses) and the C side, so this header is included by both.
 *
 * Region layout (STUB_REGION_SIZE bytes at ptrace_platform.stub_base):
 *   [0, STUB_CODE_MAX)              stub code from stub.S, r-x
 *   [STUB_DATA_OFF, REGION_SIZE)    struct stub_data, r--: zeros for the signal-state
 *                                   reset, the sentry's pid and the seccomp program
 *
 * A stub process has two threads before any guest runs: the leader, which is never traced
 * (so that its exit reaches the factory, its parent, without waiting on any tracer), and
 * the "master", a non-leader thread that task threads borrow under ptrace to inject the
 * clones of guest threads and the map/unmap calls of threads not running in that stub.
 * Both idle in pause().
 */
#ifndef PLATFORM_PTRACE_STUB_H
#define PLATFORM_PTRACE_STUB_H

#define STUB_REGION_SIZE 0x10000
#define STUB_CODE_MAX 0x1000
#define STUB_DATA_OFF 0x1000

/* Offsets inside the data area (see struct stub_data). */
#define STUB_D_ZERO 0x0 /* 64 zero bytes: an empty sigset and a SIG_DFL sigaction */
#define STUB_D_PPID 0x40 /* the sentry's pid: a stub whose parent died exits */
#define STUB_D_PROG 0x48 /* struct sock_fprog for seccomp(2) */
#define STUB_D_FILTER 0x80 /* struct sock_filter[] the program points to */

/* The stub's top of unmapping: everything up to here except the region goes away. */
#define STUB_USER_TOP 0x7ffffffff000

/*
 * Flags of every stub thread clone (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
 * CLONE_THREAD | CLONE_SYSVSEM): no CLONE_PTRACE, the new thread idles untraced until a
 * task thread seizes it. The seccomp filter allows clone with exactly these flags.
 */
#define STUB_THREAD_FLAGS 0x50f00

#ifndef __ASSEMBLER__

#include <stdint.h>
#include <sys/types.h>
#include <linux/filter.h>

struct stub_data {
	uint8_t zero[64];
	uint64_t ppid;
	struct sock_fprog prog;
	uint8_t pad[STUB_D_FILTER - STUB_D_PROG - sizeof(struct sock_fprog)];
	struct sock_filter filter[];
};

#define STUB_FILTER_MAX \
	((STUB_REGION_SIZE - STUB_DATA_OFF - STUB_D_FILTER) / sizeof(struct sock_filter))

/* Symbols of stub.S; only their offsets from stub_code_start mean anything. */
extern const char stub_code_start[], stub_code_end[];
extern const char stub_entry_create[]; /* long (*)(unsigned long clone_flags) */
extern const char stub_gadget_syscall[]; /* syscall; int3 */
extern const char stub_gadget_syscall_trap[]; /* the int3 above */
extern const char stub_gadget_clone[]; /* syscall; child: idle, parent: int3 */
extern const char stub_gadget_clone_trap[]; /* the parent's int3 */
extern const char stub_idle[]; /* pause() forever */

/* Address of a stub.S symbol inside the region at base. */
#define STUB_ADDR(base, sym) ((uint64_t)(base) + (uint64_t)((sym)-stub_code_start))

struct ptrace_platform;

/* Maps the region and fills it (code, seccomp program). 0 or -errno. */
int stub_region_init(struct ptrace_platform *p);
/* Starts the factory thread that creates and reaps stub processes. 0 or -errno. */
int stub_factory_start(struct ptrace_platform *p);
/* Creates a stub process idling in its stub region, seccomp filter on. 0 or -errno. */
int stub_process_create(struct ptrace_platform *p, pid_t *pid, pid_t *master);
/* SIGKILLs a stub process and hands it to the factory to reap. */
void stub_process_kill(struct ptrace_platform *p, pid_t pid);

#endif /* __ASSEMBLER__ */
#endif
