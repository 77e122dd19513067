/*
 * The ptrace platform: guest threads run on threads of stub processes (one process per
 * address space), each traced by the task thread that owns its context; guest syscalls
 * are caught with PTRACE_SYSEMU, faults as signal-delivery stops.
 *
 * The sentry must know:
 *  - max_user_address() is the base of the stub region (64 KiB of stub code and data that
 *    every stub keeps); map/unmap refuse ranges that reach it (-EINVAL).
 *  - A first switch_to may pass cs == 0: cs/ss are then taken from the stub thread
 *    (0x33/0x2b on x86-64 Linux). ds/es/fs/gs 0 are fine.
 *  - On PLAT_SYSCALL, regs->rip is just past the syscall instruction and regs->rax is
 *    what the guest sees when it resumes; the host never restarts anything itself.
 *    int 0x80 stops like syscall (but numbers are of the 32-bit table); code running
 *    in a 32-bit segment shows regs->cs == 0x23.
 *  - PLAT_FAULT never knows the access type (write = 0).
 *  - A ctx belongs to the task thread that first ran it: switch_to and release from any
 *    other thread fail (-EPERM) or leak. That thread gets pinned to one CPU.
 *  - SIGCHLD must stay at SIG_DFL in the sentry (every ptrace stop raises one).
 *  - The sentry's own seccomp filter is inherited by stubs created after it: it must let
 *    them prctl, getppid, ptrace(TRACEME), getpid, kill, munmap, rt_sigprocmask,
 *    rt_sigaction, seccomp, clone, pause, mmap and exit.
 */
#ifndef PLATFORM_PTRACE_PTRACE_H
#define PLATFORM_PTRACE_PTRACE_H

#include "platform/platform.h"

extern const struct platform_ops ptrace_platform_ops;

#endif
