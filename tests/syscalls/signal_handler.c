// SPDX-License-Identifier: MIT
/*
 * Signal handlers with self-sent signals: delivery, siginfo, masks during a handler,
 * SA_NODEFER/SA_RESETHAND, coalescing and RT queueing, the frame (alignment, ucontext,
 * registers and FPU state restored by sigreturn) and sigaltstack.
 */
#include <fenv.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "tests/harness/harness.h"
#include "tests/syscalls/signal_sigutil.h"

static volatile int hits, depth, max_depth;
static volatile siginfo_t last_info;
static volatile sigset_t mask_in_handler;
static volatile uintptr_t uc_addr;

static void count_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	hits++;
	last_info = *si;
	uc_addr = (uintptr_t)uc;
	sigprocmask(SIG_SETMASK, NULL, (sigset_t *)&mask_in_handler);
}

TEST(handler_runs_before_raise_returns)
{
	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, count_handler, 0);
	ASSERT_OK(raise(SIGUSR1));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(last_info.si_signo, SIGUSR1);
}

TEST(kill_siginfo_has_sender_pid_and_uid)
{
	sig_reset();
	hits = 0;
	sig_install(SIGUSR2, count_handler, 0);
	ASSERT_OK(kill(getpid(), SIGUSR2));
	ASSERT_EQ(hits, 1);
	EXPECT_EQ(last_info.si_code, SI_USER);
	EXPECT_EQ(last_info.si_pid, getpid());
	EXPECT_EQ(last_info.si_uid, getuid());
}

TEST(tgkill_siginfo_code_is_tkill)
{
	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, count_handler, 0);
	ASSERT_OK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1));
	ASSERT_EQ(hits, 1);
	EXPECT_EQ(last_info.si_code, SI_TKILL);
	EXPECT_EQ(last_info.si_pid, getpid());
}

TEST(blocked_signal_is_pending_until_unblocked)
{
	sigset_t pend;

	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, count_handler, 0);
	sig_block(SIGUSR1);
	ASSERT_OK(raise(SIGUSR1));
	EXPECT_EQ(hits, 0);
	ASSERT_OK(sigpending(&pend));
	EXPECT_TRUE(sigismember(&pend, SIGUSR1));
	sig_unblock(SIGUSR1);
	EXPECT_EQ(hits, 1);
	ASSERT_OK(sigpending(&pend));
	EXPECT_FALSE(sigismember(&pend, SIGUSR1));
}

TEST(handler_runs_with_sa_mask_and_the_signal_blocked)
{
	struct sigaction sa;
	sigset_t after;

	sig_reset();
	hits = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = count_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	ASSERT_OK(raise(SIGUSR1));
	ASSERT_EQ(hits, 1);
	EXPECT_TRUE(sigismember((sigset_t *)&mask_in_handler, SIGUSR1));
	EXPECT_TRUE(sigismember((sigset_t *)&mask_in_handler, SIGUSR2));
	ASSERT_OK(sigprocmask(SIG_SETMASK, NULL, &after));
	EXPECT_FALSE(sigismember(&after, SIGUSR1));
	EXPECT_FALSE(sigismember(&after, SIGUSR2));
}

static void nesting_handler(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	hits++;
	if (hits == 1)
		raise(sig);
	depth--;
}

TEST(nodefer_lets_a_handler_nest)
{
	sig_reset();
	hits = depth = max_depth = 0;
	sig_install(SIGUSR1, nesting_handler, SA_NODEFER);
	ASSERT_OK(raise(SIGUSR1));
	EXPECT_EQ(hits, 2);
	EXPECT_EQ(max_depth, 2);
}

TEST(without_nodefer_the_signal_waits_for_the_handler)
{
	sig_reset();
	hits = depth = max_depth = 0;
	sig_install(SIGUSR1, nesting_handler, 0);
	ASSERT_OK(raise(SIGUSR1));
	EXPECT_EQ(hits, 2);
	EXPECT_EQ(max_depth, 1);
}

TEST(resethand_restores_the_default_after_one_delivery)
{
	struct sigaction old;

	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, count_handler, SA_RESETHAND);
	ASSERT_OK(raise(SIGUSR1));
	EXPECT_EQ(hits, 1);
	ASSERT_OK(sigaction(SIGUSR1, NULL, &old));
	EXPECT_TRUE(old.sa_handler == SIG_DFL);
}

TEST(standard_signals_coalesce)
{
	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, count_handler, 0);
	sig_block(SIGUSR1);
	raise(SIGUSR1);
	raise(SIGUSR1);
	raise(SIGUSR1);
	sig_unblock(SIGUSR1);
	EXPECT_EQ(hits, 1);
}

static volatile int rt_order[8], rt_values[8], rt_n;

static void rt_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (rt_n < 8) {
		rt_order[rt_n] = sig;
		rt_values[rt_n] = si->si_value.sival_int;
		rt_n++;
	}
}

TEST(rt_signals_queue_with_their_values_lowest_first)
{
	union sigval v;
	sigset_t s;

	sig_reset();
	rt_n = 0;
	sig_install(SIGRTMIN, rt_handler, 0);
	sig_install(SIGRTMIN + 1, rt_handler, 0);
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	sigaddset(&s, SIGRTMIN + 1);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &s, NULL));
	v.sival_int = 10;
	ASSERT_OK(sigqueue(getpid(), SIGRTMIN + 1, v));
	v.sival_int = 1;
	ASSERT_OK(sigqueue(getpid(), SIGRTMIN, v));
	v.sival_int = 2;
	ASSERT_OK(sigqueue(getpid(), SIGRTMIN, v));
	v.sival_int = 3;
	ASSERT_OK(sigqueue(getpid(), SIGRTMIN, v));
	EXPECT_EQ(rt_n, 0);
	ASSERT_OK(sigprocmask(SIG_UNBLOCK, &s, NULL));
	ASSERT_EQ(rt_n, 4);
	/* Each instance runs with the signal blocked, so the next one comes after it. */
	/* Each pending signal gets its frame before any handler runs: SIGRTMIN's first, then
	 * (SIGRTMIN blocked by its handler) SIGRTMIN+1's on top, which therefore runs first. */
	EXPECT_EQ(rt_order[0], SIGRTMIN + 1);
	EXPECT_EQ(rt_values[0], 10);
	EXPECT_EQ(rt_order[1], SIGRTMIN);
	EXPECT_EQ(rt_values[1], 1);
	EXPECT_EQ(rt_values[2], 2);
	EXPECT_EQ(rt_values[3], 3);
}

TEST(sigqueue_siginfo_carries_the_value)
{
	union sigval v = { .sival_int = 1234 };

	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, count_handler, 0);
	ASSERT_OK(sigqueue(getpid(), SIGUSR1, v));
	ASSERT_EQ(hits, 1);
	EXPECT_EQ(last_info.si_code, SI_QUEUE);
	EXPECT_EQ(last_info.si_value.sival_int, 1234);
	EXPECT_EQ(last_info.si_pid, getpid());
}

TEST(sigqueueinfo_may_not_forge_kernel_codes_for_others)
{
	siginfo_t si;

	sig_reset();
	memset(&si, 0, sizeof(si));
	si.si_code = SI_USER;
	/* The check comes before the lookup: no such thread is needed. */
	EXPECT_ERRNO(syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid() + 100000, SIGUSR1, &si),
		     EPERM);
	si.si_code = SI_TKILL;
	EXPECT_ERRNO(syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid() + 100000, SIGUSR1, &si),
		     EPERM);
	si.si_code = SI_QUEUE;
	EXPECT_ERRNO(syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid() + 100000, SIGUSR1, &si),
		     ESRCH);
	EXPECT_ERRNO(syscall(SYS_rt_tgsigqueueinfo, 0, gettid(), SIGUSR1, &si), EINVAL);
	EXPECT_ERRNO(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, (void *)8), EFAULT);
}

TEST(frame_is_aligned_like_a_call)
{
	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, count_handler, 0);
	ASSERT_OK(raise(SIGUSR1));
	ASSERT_EQ(hits, 1);
	/* rsp at entry is the frame (pretcode), 8 below the ucontext: rsp % 16 == 8. */
	EXPECT_EQ((uc_addr - 8) % 16, 8);
}

static volatile uint64_t seen_fpstate, seen_uc_mask_has_usr2, seen_uc_mask_has_usr1;

static void uc_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	seen_fpstate = (uintptr_t)uc->uc_mcontext.fpregs;
	seen_uc_mask_has_usr2 = sigismember(&uc->uc_sigmask, SIGUSR2);
	seen_uc_mask_has_usr1 = sigismember(&uc->uc_sigmask, SIGUSR1);
	hits++;
}

TEST(ucontext_holds_the_old_mask_and_an_aligned_fpstate)
{
	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, uc_handler, 0);
	sig_block(SIGUSR2);
	ASSERT_OK(raise(SIGUSR1));
	ASSERT_EQ(hits, 1);
	EXPECT_NE(seen_fpstate, 0);
	EXPECT_EQ(seen_fpstate % 64, 0);
	EXPECT_EQ(seen_uc_mask_has_usr2, 1);
	EXPECT_EQ(seen_uc_mask_has_usr1, 0);
}

static void set_r12_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	uc->uc_mcontext.gregs[REG_R12] = 0x1234567890abcdefLL;
	/* Clobber caller-saved registers: sigreturn must bring them back. */
	__asm__ volatile("xor %%r8, %%r8\n\txor %%r9, %%r9\n\txor %%r10, %%r10" ::
				 : "r8", "r9", "r10");
	hits++;
}

TEST(sigreturn_restores_registers_from_the_ucontext)
{
	uint64_t r8, r9, r10, r12;
	long ret, pid = getpid();

	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, set_r12_handler, 0);
	register long rax __asm__("rax") = SYS_kill;
	register long rdi __asm__("rdi") = pid;
	register long rsi __asm__("rsi") = SIGUSR1;
	register uint64_t rr8 __asm__("r8") = 0x8888;
	register uint64_t rr9 __asm__("r9") = 0x9999;
	register uint64_t rr10 __asm__("r10") = 0xaaaa;
	register uint64_t rr12 __asm__("r12") = 0x1212;
	__asm__ volatile("syscall"
			 : "+r"(rax), "+r"(rr8), "+r"(rr9), "+r"(rr10), "+r"(rr12)
			 : "r"(rdi), "r"(rsi)
			 : "rcx", "r11", "memory");
	ret = rax;
	r8 = rr8;
	r9 = rr9;
	r10 = rr10;
	r12 = rr12;
	EXPECT_EQ(ret, 0);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(r8, 0x8888);
	EXPECT_EQ(r9, 0x9999);
	EXPECT_EQ(r10, 0xaaaa);
	EXPECT_EQ(r12, 0x1234567890abcdefULL);
}

static volatile int handler_round;

static void fpu_handler(int sig, siginfo_t *si, void *uc)
{
	volatile double x = 1.0;

	(void)sig;
	(void)si;
	(void)uc;
	/* A handler starts with the default FPU environment and may trash the registers. */
	handler_round = fegetround();
	fesetround(FE_DOWNWARD);
	__asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm7, %%xmm7" ::: "xmm0", "xmm7");
	x = x / 3.0;
	hits++;
}

TEST(fpu_state_survives_a_handler)
{
	uint64_t in[2] = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL }, out[2];

	sig_reset();
	hits = 0;
	sig_install(SIGUSR1, fpu_handler, 0);
	ASSERT_OK(fesetround(FE_UPWARD));
	__asm__ volatile("movdqu %[in], %%xmm7\n\t"
			 "mov %[nr], %%eax\n\t"
			 "mov %[pid], %%edi\n\t"
			 "mov %[sig], %%esi\n\t"
			 "syscall\n\t"
			 "movdqu %%xmm7, %[out]"
			 : [out] "=m"(out)
			 : [in] "m"(in), [nr] "i"(SYS_kill), [pid] "r"(getpid()), [sig] "i"(SIGUSR1)
			 : "rax", "rdi", "rsi", "rcx", "r11", "xmm7", "memory");
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(handler_round, FE_TONEAREST);
	EXPECT_EQ(fegetround(), FE_UPWARD);
	EXPECT_EQ(out[0], in[0]);
	EXPECT_EQ(out[1], in[1]);
	fesetround(FE_TONEAREST);
}

static char altstack_mem[65536] __attribute__((aligned(16)));
static volatile uintptr_t handler_sp;
static volatile int alt_flags_in_handler, alt_change_errno, alt_try_change;

static void alt_handler(int sig, siginfo_t *si, void *uc)
{
	stack_t cur, ss = { .ss_sp = altstack_mem, .ss_size = sizeof(altstack_mem) };
	volatile char here;

	(void)sig;
	(void)si;
	(void)uc;
	handler_sp = (uintptr_t)&here;
	sigaltstack(NULL, &cur);
	alt_flags_in_handler = cur.ss_flags;
	if (alt_try_change)
		alt_change_errno = sigaltstack(&ss, NULL) ? errno : 0;
	hits++;
}

TEST(onstack_handler_runs_on_the_altstack)
{
	stack_t ss = { .ss_sp = altstack_mem, .ss_size = sizeof(altstack_mem) }, cur;

	sig_reset();
	hits = 0;
	ASSERT_OK(sigaltstack(&ss, NULL));
	sig_install(SIGUSR1, alt_handler, SA_ONSTACK);
	alt_try_change = 1;
	ASSERT_OK(raise(SIGUSR1));
	alt_try_change = 0;
	ASSERT_EQ(hits, 1);
	EXPECT_GT(handler_sp, (uintptr_t)altstack_mem);
	EXPECT_LT(handler_sp, (uintptr_t)altstack_mem + sizeof(altstack_mem));
	EXPECT_EQ(alt_flags_in_handler, SS_ONSTACK);
	EXPECT_EQ(alt_change_errno, EPERM);
	ASSERT_OK(sigaltstack(NULL, &cur));
	EXPECT_EQ(cur.ss_flags, 0);
	EXPECT_TRUE(cur.ss_sp == altstack_mem);
	EXPECT_EQ(cur.ss_size, sizeof(altstack_mem));
	sig_reset();
}

TEST(handler_without_onstack_stays_on_the_stack)
{
	stack_t ss = { .ss_sp = altstack_mem, .ss_size = sizeof(altstack_mem) };

	sig_reset();
	hits = 0;
	ASSERT_OK(sigaltstack(&ss, NULL));
	sig_install(SIGUSR1, alt_handler, 0);
	ASSERT_OK(raise(SIGUSR1));
	ASSERT_EQ(hits, 1);
	EXPECT_FALSE(handler_sp > (uintptr_t)altstack_mem &&
		     handler_sp < (uintptr_t)altstack_mem + sizeof(altstack_mem));
	EXPECT_EQ(alt_flags_in_handler, 0);
	sig_reset();
}

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

TEST(autodisarm_frees_the_altstack_during_the_handler)
{
	stack_t ss = { .ss_sp = altstack_mem,
		       .ss_size = sizeof(altstack_mem),
		       .ss_flags = (int)SS_AUTODISARM },
		cur;

	sig_reset();
	hits = 0;
	ASSERT_OK(sigaltstack(&ss, NULL));
	sig_install(SIGUSR1, alt_handler, SA_ONSTACK);
	ASSERT_OK(raise(SIGUSR1));
	ASSERT_EQ(hits, 1);
	EXPECT_GT(handler_sp, (uintptr_t)altstack_mem);
	EXPECT_LT(handler_sp, (uintptr_t)altstack_mem + sizeof(altstack_mem));
	/* Disarmed while the handler runs; sigreturn restores it. */
	EXPECT_EQ(alt_flags_in_handler, SS_DISABLE);
	ASSERT_OK(sigaltstack(NULL, &cur));
	EXPECT_EQ((unsigned)cur.ss_flags, SS_AUTODISARM);
	sig_reset();
}

TEST(sigaltstack_checks_its_arguments)
{
	stack_t ss = { .ss_sp = altstack_mem, .ss_size = 1024 }, cur;

	sig_reset();
	EXPECT_ERRNO(sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_size = sizeof(altstack_mem);
	ss.ss_flags = 0x40;
	EXPECT_ERRNO(sigaltstack(&ss, NULL), EINVAL);
	EXPECT_ERRNO(sigaltstack((stack_t *)8, NULL), EFAULT);
	ASSERT_OK(sigaltstack(NULL, &cur));
	EXPECT_EQ(cur.ss_flags, SS_DISABLE);
	ss.ss_flags = SS_ONSTACK; /* accepted as 0 for old programs */
	EXPECT_OK(sigaltstack(&ss, NULL));
	ASSERT_OK(sigaltstack(NULL, &cur));
	EXPECT_EQ(cur.ss_flags, 0);
	sig_reset();
}

TEST(sigaction_and_sigprocmask_reject_what_linux_rejects)
{
	struct sigaction sa;
	sigset_t all, cur;

	sig_reset();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	EXPECT_ERRNO(sigaction(SIGKILL, &sa, NULL), EINVAL);
	EXPECT_ERRNO(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	EXPECT_ERRNO(syscall(SYS_rt_sigaction, 0, NULL, NULL, 8), EINVAL);
	EXPECT_ERRNO(syscall(SYS_rt_sigaction, 65, NULL, NULL, 8), EINVAL);
	EXPECT_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4), EINVAL);
	EXPECT_OK(sigaction(SIGKILL, NULL, &sa));
	EXPECT_ERRNO(syscall(SYS_rt_sigprocmask, 7, &all, NULL, 8), EINVAL);
	sigfillset(&all);
	ASSERT_OK(sigprocmask(SIG_SETMASK, &all, NULL));
	ASSERT_OK(sigprocmask(SIG_SETMASK, NULL, &cur));
	EXPECT_FALSE(sigismember(&cur, SIGKILL));
	EXPECT_FALSE(sigismember(&cur, SIGSTOP));
	EXPECT_TRUE(sigismember(&cur, SIGUSR1));
	sig_reset();
}

TEST(ignoring_a_pending_signal_discards_it)
{
	struct sigaction sa;
	sigset_t pend;

	sig_reset();
	sig_block(SIGUSR1);
	raise(SIGUSR1);
	ASSERT_OK(sigpending(&pend));
	EXPECT_TRUE(sigismember(&pend, SIGUSR1));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	ASSERT_OK(sigpending(&pend));
	EXPECT_FALSE(sigismember(&pend, SIGUSR1));
	sig_reset();
}

TEST(ignored_and_default_ignored_signals_do_nothing)
{
	struct sigaction sa;

	sig_reset();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	EXPECT_OK(raise(SIGUSR1));
	EXPECT_OK(raise(SIGCHLD));
	EXPECT_OK(raise(SIGWINCH));
	EXPECT_OK(raise(SIGCONT));
	sig_reset();
}

TEST(kill_checks_its_arguments)
{
	sig_reset();
	EXPECT_OK(kill(getpid(), 0));
	EXPECT_ERRNO(kill(getpid(), 65), EINVAL);
	EXPECT_ERRNO(kill(getpid(), -1), EINVAL);
	EXPECT_ERRNO(kill(0x3fffffff, SIGUSR1), ESRCH);
	EXPECT_ERRNO(syscall(SYS_tgkill, getpid(), 0, SIGUSR1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_tgkill, getpid(), gettid(), 65), EINVAL);
	EXPECT_ERRNO(syscall(SYS_tkill, -5, SIGUSR1), EINVAL);
}

TEST(sa_restorer_is_required_on_x86_64)
{
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} ka = { (void *)1 /* anything: the frame fails before it runs */, 0, NULL, 0 }, old;

	sig_reset();
	ASSERT_OK(syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8));
	ASSERT_OK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8));
	EXPECT_EQ(old.flags, 0);
	/* Unknown flag bits read back as 0 so programs can probe for support. */
	ka.handler = SIG_IGN;
	ka.flags = 0x00000200;
	ASSERT_OK(syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8));
	ASSERT_OK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8));
	EXPECT_EQ(old.flags, 0);
	sig_reset();
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
