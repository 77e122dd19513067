/*
 * The x86-64 signal frame (struct rt_sigframe) a handler runs on, and rt_sigreturn.
 *
 * Frame, from the handler's rsp up: pretcode (sa_restorer, the handler's return
 * address), the ucontext (flags, link, the altstack, sigcontext, the saved mask), the
 * siginfo; above it, 64-byte aligned, the XSAVE area as Linux lays it out: the legacy
 * (FXSAVE) part whose software bytes hold fpx_sw_bytes (FP_XSTATE_MAGIC1, the area's size
 * and features), the XSAVE header and components (the host's whole area when the platform
 * carries it, else a header saying x87|SSE), then FP_XSTATE_MAGIC2. The frame is then as
 * big as the host's own, so the host's AT_MINSIGSTKSZ, which the loader passes on, covers it.
 */
#ifndef SENTRY_KERNEL_SIGFRAME_H
#define SENTRY_KERNEL_SIGFRAME_H

#include "sentry/abi/linux.h"

struct task;

struct linux_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct linux_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate; /* guest address of the XSAVE area, 0 = none */
	uint64_t reserved1[8];
};

struct linux_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct linux_stack uc_stack;
	struct linux_sigcontext uc_mcontext;
	linux_sigset_t uc_sigmask;
};

struct linux_rt_sigframe {
	uint64_t pretcode;
	struct linux_ucontext uc;
	struct linux_siginfo info;
};

_Static_assert(sizeof(struct linux_sigcontext) == 256, "sigcontext is 256 bytes");
_Static_assert(sizeof(struct linux_ucontext) == 304, "ucontext is 304 bytes");
_Static_assert(sizeof(struct linux_rt_sigframe) == 440, "rt_sigframe is 440 bytes");

/*
 * Builds the frame for a handler of sig on t's stack (or altstack) and points t's
 * registers at the handler. oldmask is the mask sigreturn restores. 0, or -EFAULT if the
 * frame cannot be written (the caller sends SIGSEGV).
 */
int sigframe_setup(struct task *t, int sig, const struct linux_siginfo *info,
		   const struct linux_sigaction *act, linux_sigset_t oldmask);
/* rt_sigreturn: restores registers, mask, altstack and FPU state from the frame at
 * rsp - 8. 0, or -EFAULT for a frame that cannot be read (the caller sends SIGSEGV). */
int sigframe_restore(struct task *t);

/* sigaltstack(2) with sp the guest's stack pointer: ss (may be NULL) replaces the
 * altstack, old (may be NULL) gets the previous one. 0, -EPERM (on it), -EINVAL, -ENOMEM. */
int sig_altstack(struct task *t, const struct linux_stack *ss, struct linux_stack *old,
		 uint64_t sp);

#endif
