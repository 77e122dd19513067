/*
 * The platform: how guest instructions run and how their traps reach the sentry.
 *
 * A plat_as is one guest address space; a plat_ctx is one guest thread's execution
 * context, owned by exactly one sentry task thread (the host thread that calls
 * plat_switch_to on it). Guest memory is always a range of the memory file
 * (common/memfile.h): the platform never owns guest pages, it only maps file ranges.
 *
 * Threading: plat_switch_to, plat_ctx_release and the plat_as_* calls are made by task
 * threads; plat_interrupt may be called from any thread. plat_as_map/unmap may be
 * called concurrently for the same address space by different task threads.
 */
#ifndef PLATFORM_PLATFORM_H
#define PLATFORM_PLATFORM_H

#include <errno.h>
#include <stdint.h>
#include "common/util.h"

/* x86-64 general registers, in the layout of the kernel's struct user_regs_struct. */
struct plat_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax;
	uint64_t rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base;
	uint64_t ds, es, fs, gs;
};

/* The x86-64 FXSAVE area (512 bytes); the full XSAVE area goes through get/set_xstate. */
struct plat_fpregs {
	uint8_t fxsave[512];
};

/* What stopped the guest when switch_to returned PLAT_FAULT. */
struct plat_fault {
	int signo; /* SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP */
	int code; /* si_code as the host reported it */
	uint64_t addr; /* si_addr */
	int write; /* 1 if known to be a write access, 0 unknown/read */
};

enum plat_event {
	PLAT_SYSCALL = 1, /* regs->orig_rax = syscall number, args in the usual registers */
	PLAT_FAULT = 2, /* *fault filled in */
	PLAT_INTERRUPTED = 3, /* plat_interrupt() was called (or a spurious host stop) */
};

/* Protection bits, same values as PROT_* */
#define PLAT_PROT_READ 1
#define PLAT_PROT_WRITE 2
#define PLAT_PROT_EXEC 4

struct platform;
struct plat_as;
struct plat_ctx;

struct plat_as_ops {
	int (*map)(struct plat_as *as, uaddr_t addr, uint64_t len, int prot, uint64_t memfile_off);
	int (*unmap)(struct plat_as *as, uaddr_t addr, uint64_t len);
	void (*release)(struct plat_as *as);
	/* Optional: a host clock id (clock_gettime) reading the CPU time guest threads have
	 * used in this address space, exited ones included. Any thread; reading it after
	 * the address space is gone fails or gives a meaningless value, never harm.
	 * 0 or -errno (-ENOSYS when NULL). */
	int (*cpu_clock)(struct plat_as *as, int *clockid);
};

struct plat_ctx_ops {
	int (*switch_to)(struct plat_ctx *ctx, struct plat_as *as, struct plat_regs *regs,
			 struct plat_fault *fault);
	void (*interrupt)(struct plat_ctx *ctx);
	int (*get_fpregs)(struct plat_ctx *ctx, struct plat_fpregs *fp);
	int (*set_fpregs)(struct plat_ctx *ctx, const struct plat_fpregs *fp);
	/* Optional (NULL: only the FXSAVE part is carried): the whole XSAVE area, in the
	 * standard (uncompacted) layout of Linux's NT_X86_XSTATE regset and signal frames,
	 * len == plat_xstate_size() bytes. set rejects a malformed header (-EINVAL), leaving
	 * the state as it was. 0 or -errno. */
	int (*get_xstate)(struct plat_ctx *ctx, void *buf, size_t len);
	int (*set_xstate)(struct plat_ctx *ctx, const void *buf, size_t len);
	void (*release)(struct plat_ctx *ctx);
};

struct plat_as {
	const struct plat_as_ops *ops;
};

struct plat_ctx {
	const struct plat_ctx_ops *ops;
};

struct platform_ops {
	const char *name;
	/* Probes the host: 0 if usable, -errno (e.g. -ENODEV without /dev/kvm) if not. */
	int (*probe)(void);
	int (*init)(struct platform **out, int memfd);
	int (*new_address_space)(struct platform *p, struct plat_as **out);
	int (*new_context)(struct platform *p, struct plat_ctx **out);
	/* The highest guest address + 1 this platform can give the guest. */
	uaddr_t (*max_user_address)(struct platform *p);
};

struct platform {
	const struct platform_ops *ops;
};

/* The host's user XSAVE area: its size for the features enabled in XCR0 (CPUID leaf 0xD),
 * and those features in *xfeatures. 0 when the CPU or host has no XSAVE. */
size_t plat_xstate_size(uint64_t *xfeatures);

/* Looks up a platform by name ("ptrace", "kvm"); NULL if unknown. */
const struct platform_ops *platform_lookup(const char *name);
/* Creates the named platform over the memory file. 0 or -errno (-ENOENT unknown name). */
int platform_create(const char *name, int memfd, struct platform **out);

static inline int plat_new_as(struct platform *p, struct plat_as **out)
{
	return p->ops->new_address_space(p, out);
}
static inline int plat_new_ctx(struct platform *p, struct plat_ctx **out)
{
	return p->ops->new_context(p, out);
}
/* Maps [addr, addr+len) of the guest to memory-file range [off, off+len) with prot. */
static inline int plat_as_map(struct plat_as *as, uaddr_t addr, uint64_t len, int prot,
			      uint64_t off)
{
	return as->ops->map(as, addr, len, prot, off);
}
static inline int plat_as_unmap(struct plat_as *as, uaddr_t addr, uint64_t len)
{
	return as->ops->unmap(as, addr, len);
}
static inline void plat_as_release(struct plat_as *as)
{
	as->ops->release(as);
}
static inline int plat_as_cpu_clock(struct plat_as *as, int *clockid)
{
	return as->ops->cpu_clock ? as->ops->cpu_clock(as, clockid) : -ENOSYS;
}
/* Runs the guest with regs until it traps. Returns enum plat_event or -errno; regs hold
 * the guest's registers at the trap. */
static inline int plat_switch_to(struct plat_ctx *c, struct plat_as *as, struct plat_regs *r,
				 struct plat_fault *f)
{
	return c->ops->switch_to(c, as, r, f);
}
/* Makes a running (or the next) switch_to return PLAT_INTERRUPTED soon. Any thread. */
static inline void plat_interrupt(struct plat_ctx *c)
{
	c->ops->interrupt(c);
}
static inline void plat_ctx_release(struct plat_ctx *c)
{
	c->ops->release(c);
}

#endif
