// SPDX-License-Identifier: MIT
/*
 * Synchronous signals from faults: SIGSEGV (si_addr, MAPERR/ACCERR), SIGBUS past the end
 * of a file mapping, SIGFPE from integer division by zero, SIGTRAP from int3, SIGILL from
 * ud2; recovery with siglongjmp or by moving rip in the ucontext; blocked or ignored
 * fault signals kill; a bad sigreturn frame kills with SIGSEGV.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "tests/syscalls/signal_sigutil.h"
#include "tests/syscalls/sysutil.h"

static sigjmp_buf jb;
static volatile siginfo_t fault_info;
static volatile int fault_hits;
static volatile uint64_t fault_rip, fault_trapno;

static void jump_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	fault_info = *si;
	fault_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	fault_trapno = (uint64_t)uc->uc_mcontext.gregs[REG_TRAPNO];
	fault_hits++;
	siglongjmp(jb, 1);
}

TEST(segv_on_an_unmapped_address_reports_it)
{
	volatile int *bad = (volatile int *)unmapped_page();

	sig_reset();
	fault_hits = 0;
	sig_install(SIGSEGV, jump_handler, 0);
	if (!sigsetjmp(jb, 1))
		*bad = 1;
	ASSERT_EQ(fault_hits, 1);
	EXPECT_EQ(fault_info.si_signo, SIGSEGV);
	EXPECT_EQ(fault_info.si_code, SEGV_MAPERR);
	EXPECT_TRUE(fault_info.si_addr == (void *)bad);
	EXPECT_EQ(fault_trapno, 14);
	sig_reset();
}

TEST(segv_on_a_read_only_page_is_accerr)
{
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	sig_reset();
	fault_hits = 0;
	sig_install(SIGSEGV, jump_handler, 0);
	if (!sigsetjmp(jb, 1))
		*(volatile char *)(p + 100) = 1;
	ASSERT_EQ(fault_hits, 1);
	EXPECT_EQ(fault_info.si_code, SEGV_ACCERR);
	EXPECT_TRUE(fault_info.si_addr == (void *)(p + 100));
	/* The handler's mask was restored by siglongjmp(.., 1): SIGSEGV is not blocked. */
	fault_hits = 0;
	if (!sigsetjmp(jb, 1))
		*(volatile char *)(p + 200) = 1;
	EXPECT_EQ(fault_hits, 1);
	munmap(p, PAGE);
	sig_reset();
}

TEST(segv_on_prot_none_is_accerr)
{
	char *p = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile char c;

	ASSERT_TRUE(p != MAP_FAILED);
	sig_reset();
	fault_hits = 0;
	sig_install(SIGSEGV, jump_handler, 0);
	if (!sigsetjmp(jb, 1))
		c = *(volatile char *)p;
	(void)c;
	ASSERT_EQ(fault_hits, 1);
	EXPECT_EQ(fault_info.si_code, SEGV_ACCERR);
	EXPECT_TRUE(fault_info.si_addr == (void *)p);
	munmap(p, PAGE);
	sig_reset();
}

TEST(sigbus_past_the_end_of_a_file_mapping)
{
	char path[256];
	int fd = tmp_file_with("f", "x", 1, path, sizeof(path));
	char *p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	volatile char c;

	ASSERT_TRUE(p != MAP_FAILED);
	sig_reset();
	fault_hits = 0;
	sig_install(SIGBUS, jump_handler, 0);
	EXPECT_EQ(p[0], 'x');
	if (!sigsetjmp(jb, 1))
		c = p[PAGE + 1];
	(void)c;
	ASSERT_EQ(fault_hits, 1);
	EXPECT_EQ(fault_info.si_signo, SIGBUS);
	EXPECT_EQ(fault_info.si_code, BUS_ADRERR);
	EXPECT_TRUE(fault_info.si_addr == (void *)(p + PAGE + 1));
	munmap(p, 2 * PAGE);
	close(fd);
	sig_reset();
}

TEST(sigfpe_from_integer_division_by_zero)
{
	volatile int zero = 0, r;

	sig_reset();
	fault_hits = 0;
	sig_install(SIGFPE, jump_handler, 0);
	if (!sigsetjmp(jb, 1))
		r = 10 / zero;
	(void)r;
	ASSERT_EQ(fault_hits, 1);
	EXPECT_EQ(fault_info.si_signo, SIGFPE);
	EXPECT_EQ(fault_info.si_code, FPE_INTDIV);
	EXPECT_TRUE(fault_info.si_addr == (void *)(uintptr_t)fault_rip);
	EXPECT_EQ(fault_trapno, 0);
	sig_reset();
}

static void count_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	fault_info = *si;
	fault_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	fault_trapno = (uint64_t)uc->uc_mcontext.gregs[REG_TRAPNO];
	fault_hits++;
}

TEST(sigtrap_from_int3_resumes_after_it)
{
	uintptr_t after;

	sig_reset();
	fault_hits = 0;
	sig_install(SIGTRAP, count_handler, 0);
	__asm__ volatile("int3\n\t"
			 "lea (%%rip), %0"
			 : "=r"(after));
	ASSERT_EQ(fault_hits, 1);
	EXPECT_EQ(fault_info.si_signo, SIGTRAP);
	EXPECT_EQ(fault_info.si_code, SI_KERNEL);
	EXPECT_EQ(fault_trapno, 3);
	/* rip points just past the int3, at the lea (7 bytes before `after`). */
	EXPECT_EQ(fault_rip, after - 7);
	sig_reset();
}

static void skip_ud2_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	fault_info = *si;
	fault_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	fault_trapno = (uint64_t)uc->uc_mcontext.gregs[REG_TRAPNO];
	fault_hits++;
	uc->uc_mcontext.gregs[REG_RIP] += 2; /* ud2 is two bytes */
}

TEST(sigill_from_ud2_and_resuming_past_it)
{
	uintptr_t at;

	sig_reset();
	fault_hits = 0;
	sig_install(SIGILL, skip_ud2_handler, 0);
	__asm__ volatile("lea 0f(%%rip), %0\n\t"
			 "0: ud2"
			 : "=r"(at));
	ASSERT_EQ(fault_hits, 1);
	EXPECT_EQ(fault_info.si_signo, SIGILL);
	EXPECT_EQ(fault_info.si_code, ILL_ILLOPN);
	EXPECT_TRUE(fault_info.si_addr == (void *)at);
	EXPECT_EQ(fault_rip, at);
	EXPECT_EQ(fault_trapno, 6);
	sig_reset();
}

static void segv_blocked(void *arg)
{
	(void)arg;
	sig_install(SIGSEGV, jump_handler, 0);
	sig_block(SIGSEGV);
	*(volatile int *)unmapped_page() = 1;
}

TEST(a_blocked_fault_signal_kills)
{
	int st = status_of_child(segv_blocked, NULL);

	EXPECT_KILLED_BY(st, SIGSEGV);
	EXPECT_FALSE(WCOREDUMP(st)); /* RLIMIT_CORE is 0 */
}

static void fpe_ignored(void *arg)
{
	volatile int zero = 0, r;
	struct sigaction sa;

	(void)arg;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGFPE, &sa, NULL);
	r = 10 / zero;
	(void)r;
}

TEST(an_ignored_fault_signal_kills)
{
	EXPECT_KILLED_BY(status_of_child(fpe_ignored, NULL), SIGFPE);
}

static void bad_sigreturn(void *arg)
{
	(void)arg;
	/* A frame on an unmapped stack: the kernel can't read it. */
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "mov $15, %%eax\n\t"
			 "syscall" ::"r"((uintptr_t)unmapped_page() + 64)
			 : "rax", "memory");
}

TEST(sigreturn_with_an_unreadable_frame_kills_with_segv)
{
	EXPECT_KILLED_BY(status_of_child(bad_sigreturn, NULL), SIGSEGV);
}

static void garbage_sigreturn(void *arg)
{
	static uint64_t junk[128];

	(void)arg;
	/* Readable garbage: the registers come from it, rip included, then it crashes. */
	memset(junk, 0x41, sizeof(junk));
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "mov $15, %%eax\n\t"
			 "syscall" ::"r"((uintptr_t)&junk[16])
			 : "rax", "memory");
}

TEST(sigreturn_with_a_garbage_frame_crashes_the_guest_only)
{
	EXPECT_KILLED_BY(status_of_child(garbage_sigreturn, NULL), SIGSEGV);
}

static void segv_handler_overflow(void *arg)
{
	static char small[4096] __attribute__((aligned(16)));
	stack_t ss = { .ss_sp = small, .ss_size = sizeof(small) };

	(void)arg;
	sigaltstack(&ss, NULL);
	sig_install(SIGSEGV, jump_handler, SA_ONSTACK);
	/* rsp inside the altstack, too low for a frame: the delivery itself fails. */
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "movl $1, (0)" ::"r"((uintptr_t)small + 64)
			 : "memory");
}

TEST(no_room_for_a_frame_kills_with_segv)
{
	EXPECT_KILLED_BY(status_of_child(segv_handler_overflow, NULL), SIGSEGV);
}

static void int3_default(void *arg)
{
	(void)arg;
	__asm__ volatile("int3");
}

TEST(default_sigtrap_kills)
{
	EXPECT_KILLED_BY(status_of_child(int3_default, NULL), SIGTRAP);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
