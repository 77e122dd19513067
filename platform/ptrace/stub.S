/*
 * Stub code: copied verbatim into the stub region of the sentry at platform init, so a
 * stub process (cloned from the sentry, then stripped of everything but the region) can
 * keep running it. Position independent, no stack, no libc: raw syscalls and
 * rip-relative references inside this blob only. Offsets come from stub.h.
 */
#include "platform/ptrace/stub.h"

#define NR_munmap 11
#define NR_rt_sigaction 13
#define NR_rt_sigprocmask 14
#define NR_pause 34
#define NR_getpid 39
#define NR_clone 56
#define NR_kill 62
#define NR_ptrace 101
#define NR_getppid 110
#define NR_prctl 157
#define NR_exit_group 231
#define NR_seccomp 317

#define PR_SET_PDEATHSIG 1
#define PR_SET_NO_NEW_PRIVS 38
#define SIG_SETMASK 2
#define SECCOMP_SET_MODE_FILTER 1
#define PTRACE_TRACEME 0
#define SIGSTOP 19

	.text
	.globl stub_code_start, stub_code_end, stub_entry_create
	.globl stub_gadget_syscall, stub_gadget_syscall_trap
	.globl stub_gadget_clone, stub_gadget_clone_trap, stub_idle
	.hidden stub_code_start, stub_code_end, stub_entry_create
	.hidden stub_gadget_syscall, stub_gadget_syscall_trap
	.hidden stub_gadget_clone, stub_gadget_clone_trap, stub_idle

stub_code_start:
.Lbase:

/*
 * long stub_entry_create(unsigned long clone_flags): called by the factory thread through
 * the region's copy, so that the child of this fork-like clone resumes inside the region,
 * the only thing it keeps. The parent returns the pid or -errno.
 */
	.type stub_entry_create, @function
stub_entry_create:
	mov $NR_clone, %eax
	xor %esi, %esi
	xor %edx, %edx
	xor %r10d, %r10d
	xor %r8d, %r8d
	syscall
	test %rax, %rax
	jz .Lchild
	ret

.Lchild:
	lea .Lbase(%rip), %rbx
	lea STUB_DATA_OFF(%rbx), %rbp

	/* Die with the factory thread; and if it is already gone, do not linger. */
	mov $NR_prctl, %eax
	mov $PR_SET_PDEATHSIG, %edi
	mov $9, %esi
	syscall
	mov $NR_getppid, %eax
	syscall
	cmp STUB_D_PPID(%rbp), %rax
	jne .Ldie

	/* Let the factory trace the setup from here: it then learns, without polling,
	 * when the filter is on (the master's clone is an event) and what the master is. */
	mov $NR_ptrace, %eax
	mov $PTRACE_TRACEME, %edi
	xor %esi, %esi
	xor %edx, %edx
	xor %r10d, %r10d
	syscall
	test %rax, %rax
	jnz .Ldie
	mov $NR_getpid, %eax
	syscall
	mov %rax, %rdi
	mov $NR_kill, %eax
	mov $SIGSTOP, %esi
	syscall

	/* Drop the sentry's memory: below the region, then above it. Holes are fine. */
	mov $NR_munmap, %eax
	xor %edi, %edi
	mov %rbx, %rsi
	syscall
	test %rax, %rax
	jnz .Ldie
	mov $NR_munmap, %eax
	lea STUB_REGION_SIZE(%rbx), %rdi
	movabs $STUB_USER_TOP, %rsi
	sub %rdi, %rsi
	syscall
	test %rax, %rax
	jnz .Ldie

	/*
	 * Signal state comes from the factory thread: unblock everything (the interrupt
	 * signal must stop traced threads) and drop handlers that pointed into the sentry.
	 */
	mov $NR_rt_sigprocmask, %eax
	mov $SIG_SETMASK, %edi
	lea STUB_D_ZERO(%rbp), %rsi
	xor %edx, %edx
	mov $8, %r10d
	syscall
	mov $1, %r12d
1:	mov $NR_rt_sigaction, %eax
	mov %r12d, %edi
	lea STUB_D_ZERO(%rbp), %rsi
	xor %edx, %edx
	mov $8, %r10d
	syscall
	inc %r12d
	cmp $64, %r12d
	jbe 1b

	mov $NR_prctl, %eax
	mov $PR_SET_NO_NEW_PRIVS, %edi
	mov $1, %esi
	xor %edx, %edx
	xor %r10d, %r10d
	xor %r8d, %r8d
	syscall
	test %rax, %rax
	jnz .Ldie
	mov $NR_seccomp, %eax
	mov $SECCOMP_SET_MODE_FILTER, %edi
	xor %esi, %esi
	lea STUB_D_PROG(%rbp), %rdx
	syscall
	test %rax, %rax
	jnz .Ldie

	/* The master thread (stub.h), filtered like everything cloned from now on. */
	mov $NR_clone, %eax
	mov $STUB_THREAD_FLAGS, %edi
	xor %esi, %esi
	xor %edx, %edx
	xor %r10d, %r10d
	xor %r8d, %r8d
	syscall
	test %rax, %rax
	js .Ldie
	jmp stub_idle /* both of them */

.Ldie:
	mov $NR_exit_group, %eax
	mov $127, %edi
	syscall
	ud2

/* Injected syscalls: the tracer sets rax and the arguments, rip here, and waits for the
 * SIGTRAP of the int3. */
stub_gadget_syscall:
	syscall
stub_gadget_syscall_trap:
	int3
	ud2

/* Injected thread clone: the new thread (rax == 0) idles untraced, the injector traps. */
stub_gadget_clone:
	syscall
	test %rax, %rax
	jz stub_idle
stub_gadget_clone_trap:
	int3
	ud2

stub_idle:
	mov $NR_pause, %eax
	syscall
	jmp stub_idle

stub_code_end:

	.section .note.GNU-stack, "", @progbits
