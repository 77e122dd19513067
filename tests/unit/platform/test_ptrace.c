/*
 * The ptrace platform against a tiny machine-code guest: syscalls and their results,
 * faults and resuming after a map, interrupts, several contexts and address spaces, a
 * guest that kills its own stub, and no stub process left behind. Prints (does not
 * assert) the switch_to round trip of a getpid-style syscall and the cost of map().
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "common/memfile.h"
#include "platform/platform.h"
#include "tests/harness/harness.h"

/* Guest layout: code, a data/stack page, and pages the tests map on demand. */
#define G_CODE 0x400000UL
#define G_DATA 0x500000UL
#define G_FAULT 0x600000UL
#define G_LATE 0x700000UL

#define FAULT_MAGIC 0x1234567887654321UL
#define LATE_MAGIC 0x0badc0ffee0ddf00UL

/* Position-independent guest code, copied into one memory-file page at G_CODE. */
extern const char guest_start[], guest_end[], g_basic[], g_spin[], g_getpid_loop[], g_count[],
	g_peek[], g_vsyscall[], g_ud2[], g_int3[], g_mxcsr[];
__asm__(".pushsection .rodata\n"
	".globl guest_start, guest_end, g_basic, g_spin, g_getpid_loop, g_count, g_peek\n"
	".globl g_vsyscall, g_ud2, g_int3, g_mxcsr\n"
	".hidden guest_start, guest_end, g_basic, g_spin, g_getpid_loop, g_count, g_peek\n"
	".hidden g_vsyscall, g_ud2, g_int3, g_mxcsr\n"
	"guest_start:\n"
	"g_basic:\n"
	"	mov $39, %eax\n"
	"	syscall\n"
	"	mov %rax, 0x500000\n"
	"	mov $1, %eax\n"
	"	mov $1, %edi\n"
	"	mov $0x500100, %esi\n"
	"	mov $5, %edx\n"
	"	mov $0x1111, %r10d\n"
	"	mov $0x2222, %r8d\n"
	"	mov $0x3333, %r9d\n"
	"	syscall\n"
	"	mov %rax, 0x500008\n"
	"	mov 0x600000, %rax\n" /* faults until the test maps it */
	"	mov %rax, 0x500010\n"
	"	mov $9, %eax\n" /* the test maps G_LATE from this syscall stop */
	"	syscall\n"
	"	mov 0x700000, %rax\n"
	"	mov %rax, 0x500018\n"
	"	mov $39, %eax\n" /* the test unmaps G_FAULT from this stop */
	"	syscall\n"
	"	mov 0x600000, %rsi\n"
	"	mov $60, %eax\n"
	"	mov $7, %edi\n"
	"	syscall\n"
	"	ud2\n"
	"g_spin:\n" /* counts in rbx and at G_DATA + 0x400 */
	"1:	inc %rbx\n"
	"	incq 0x500400\n"
	"	jmp 1b\n"
	"g_getpid_loop:\n"
	"2:	mov $39, %eax\n"
	"	syscall\n"
	"	jmp 2b\n"
	"g_count:\n" /* rdi: a counter, rsi: rounds; adds each gettid result to it */
	"3:	mov $186, %eax\n"
	"	syscall\n"
	"	add %rax, (%rdi)\n"
	"	dec %rsi\n"
	"	jnz 3b\n"
	"	mov $60, %eax\n"
	"	syscall\n"
	"	ud2\n"
	"g_peek:\n" /* reports the word at G_DATA + 0x800 in rdi */
	"	mov 0x500800, %rdi\n"
	"	mov $39, %eax\n"
	"	syscall\n"
	"	ud2\n"
	"g_vsyscall:\n" /* legacy gettimeofday: the stub's seccomp filter kills it */
	"	mov $0xffffffffff600000, %rax\n"
	"	xor %edi, %edi\n"
	"	xor %esi, %esi\n"
	"	call *%rax\n"
	"	ud2\n"
	"g_ud2:\n"
	"	ud2\n"
	"g_int3:\n"
	"	int3\n"
	"	ud2\n"
	"g_mxcsr:\n" /* reports MXCSR in rdi */
	"	sub $8, %rsp\n"
	"	stmxcsr (%rsp)\n"
	"	mov (%rsp), %edi\n"
	"	add $8, %rsp\n"
	"	mov $39, %eax\n"
	"	syscall\n"
	"	ud2\n"
	"guest_end:\n"
	".popsection\n");

static struct platform *plat;
static uint64_t code_off;

static uint64_t page_alloc(void)
{
	uint64_t off;

	ASSERT_OK(memfile_alloc(1, &off));
	return off;
}

static uint64_t *page_u64(uint64_t off, size_t byte)
{
	return (uint64_t *)((char *)memfile_ptr(off) + byte);
}

/* memfile + platform, or SKIP when the host does not let us trace. */
static void setup(void)
{
	int err;

	ASSERT_OK(memfile_init(1UL << 30));
	err = platform_create("ptrace", memfile_fd(), &plat);
	if (err == -EPERM || err == -ENOSYS || err == -EACCES)
		SKIP("ptrace unavailable: %s", harness_errname(-err));
	ASSERT_EQ(err, 0);
	code_off = page_alloc();
	memcpy(memfile_ptr(code_off), guest_start, (size_t)(guest_end - guest_start));
}

/* An address space with the guest code mapped and a fresh data page; its offset out. */
static struct plat_as *new_as(uint64_t *data_off)
{
	struct plat_as *as;

	ASSERT_OK(plat_new_as(plat, &as));
	*data_off = page_alloc();
	ASSERT_EQ(plat_as_map(as, G_CODE, PAGE_SIZE, PLAT_PROT_READ | PLAT_PROT_EXEC, code_off), 0);
	ASSERT_EQ(plat_as_map(as, G_DATA, PAGE_SIZE, PLAT_PROT_READ | PLAT_PROT_WRITE, *data_off),
		  0);
	return as;
}

/* First-run registers: cs/ss as the stub reports them (0 would also be accepted). */
static void regs_at(struct plat_regs *r, const char *entry)
{
	memset(r, 0, sizeof(*r));
	r->rip = G_CODE + (uint64_t)(entry - guest_start);
	r->rsp = G_DATA + 0xf00;
	r->eflags = 0x202;
	r->cs = 0x33;
	r->ss = 0x2b;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Children of any thread of this process, zombies included. */
static int count_children(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], buf[4096];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);

		buf[len] = '\0';
		fclose(f);
		for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n"))
			n++;
	}
	closedir(d);
	return n;
}

/* Waits (up to 5 s) for the factory to reap every stub. */
static void expect_no_children(void)
{
	int n = -1, st;

	for (int i = 0; i < 500 && (n = count_children()) != 0; i++)
		usleep(10000);
	EXPECT_EQ(n, 0);
	EXPECT_EQ(waitpid(-1, &st, WNOHANG | __WALL), -1);
	EXPECT_EQ(errno, ECHILD);
}

TEST(syscall_args_result_fault_and_maps)
{
	struct plat_regs r;
	struct plat_fault f;
	struct plat_ctx *c;
	struct plat_as *as;
	uint64_t data, fpage, late;

	setup();
	fpage = page_alloc();
	late = page_alloc();
	as = new_as(&data);
	*page_u64(fpage, 0) = FAULT_MAGIC;
	*page_u64(late, 0) = LATE_MAGIC;
	ASSERT_OK(plat_new_ctx(plat, &c));
	regs_at(&r, g_basic);

	ASSERT_EQ(plat_switch_to(c, as, &r, &f), PLAT_SYSCALL);
	EXPECT_EQ(r.orig_rax, 39);
	EXPECT_EQ(r.rip, G_CODE + (uint64_t)(g_basic - guest_start) + 7);
	harness_diag("stub thread cs %#lx ss %#lx ds %#lx fs %#lx eflags %#lx", (unsigned long)r.cs,
		     (unsigned long)r.ss, (unsigned long)r.ds, (unsigned long)r.fs,
		     (unsigned long)r.eflags);
	r.rax = 4242;

	ASSERT_EQ(plat_switch_to(c, as, &r, &f), PLAT_SYSCALL);
	EXPECT_EQ(*page_u64(data, 0), 4242);
	EXPECT_EQ(r.orig_rax, 1);
	EXPECT_EQ(r.rdi, 1);
	EXPECT_EQ(r.rsi, 0x500100);
	EXPECT_EQ(r.rdx, 5);
	EXPECT_EQ(r.r10, 0x1111);
	EXPECT_EQ(r.r8, 0x2222);
	EXPECT_EQ(r.r9, 0x3333);
	r.rax = 5;

	ASSERT_EQ(plat_switch_to(c, as, &r, &f), PLAT_FAULT);
	EXPECT_EQ(*page_u64(data, 8), 5);
	EXPECT_EQ(f.signo, SIGSEGV);
	EXPECT_EQ(f.code, SEGV_MAPERR);
	EXPECT_EQ(f.addr, G_FAULT);
	/* From a fault stop, on this thread's own stub thread. */
	ASSERT_EQ(plat_as_map(as, G_FAULT, PAGE_SIZE, PLAT_PROT_READ, fpage), 0);

	ASSERT_EQ(plat_switch_to(c, as, &r, &f), PLAT_SYSCALL);
	EXPECT_EQ(*page_u64(data, 16), FAULT_MAGIC);
	EXPECT_EQ(r.orig_rax, 9);
	/* From a SYSEMU syscall-entry stop: the skipped syscall must stay skipped. */
	ASSERT_EQ(plat_as_map(as, G_LATE, PAGE_SIZE, PLAT_PROT_READ, late), 0);
	r.rax = 0;

	ASSERT_EQ(plat_switch_to(c, as, &r, &f), PLAT_SYSCALL);
	EXPECT_EQ(*page_u64(data, 24), LATE_MAGIC);
	EXPECT_EQ(r.orig_rax, 39);
	ASSERT_EQ(plat_as_unmap(as, G_FAULT, PAGE_SIZE), 0);

	ASSERT_EQ(plat_switch_to(c, as, &r, &f), PLAT_FAULT);
	EXPECT_EQ(f.signo, SIGSEGV);
	EXPECT_EQ(f.addr, G_FAULT);
	ASSERT_EQ(plat_as_map(as, G_FAULT, PAGE_SIZE, PLAT_PROT_READ, fpage), 0);

	ASSERT_EQ(plat_switch_to(c, as, &r, &f), PLAT_SYSCALL);
	EXPECT_EQ(r.orig_rax, 60);
	EXPECT_EQ(r.rdi, 7);
	EXPECT_EQ(r.rsi, FAULT_MAGIC);

	plat_ctx_release(c);
	plat_as_release(as);
	expect_no_children();
}

TEST(sigill_sigtrap_and_stub_code_are_contained)
{
	struct plat_regs r;
	struct plat_fault f;
	struct plat_ctx *c;
	struct plat_as *as;
	uint64_t data;

	setup();
	as = new_as(&data);
	ASSERT_OK(plat_new_ctx(plat, &c));

	/* A new context starts with a clean FPU: default MXCSR, nothing of the sentry's. */
	regs_at(&r, g_mxcsr);
	r.cs = r.ss = 0; /* the platform fills them in */
	ASSERT_EQ(plat_switch_to(c, as, &r, &f), PLAT_SYSCALL);
	EXPECT_EQ(r.rdi, 0x1f80);
	EXPECT_EQ(r.cs, 0x33);

	regs_at(&r, g_ud2);
	ASSERT_EQ(plat_switch_to(c, as, &r, &f), PLAT_FAULT);
	EXPECT_EQ(f.signo, SIGILL);
	EXPECT_EQ(r.rip, G_CODE + (uint64_t)(g_ud2 - guest_start));

	regs_at(&r, g_int3);
	ASSERT_EQ(plat_switch_to(c, as, &r, &f), PLAT_FAULT);
	EXPECT_EQ(f.signo, SIGTRAP);
	EXPECT_EQ(r.rip, G_CODE + (uint64_t)(g_int3 - guest_start) + 1);

	/* The stub's own code, run as guest code: its syscalls are the guest's, caught. */
	regs_at(&r, g_ud2);
	r.rip = plat->ops->max_user_address(plat);
	r.rdi = 0x50f00;
	ASSERT_EQ(plat_switch_to(c, as, &r, &f), PLAT_SYSCALL);
	EXPECT_EQ(r.orig_rax, 56);

	/* A non-canonical or kernel rip is the guest's problem, not ours. */
	regs_at(&r, g_ud2);
	r.rip = 0xffffffff81000000UL;
	EXPECT_EQ(plat_switch_to(c, as, &r, &f), PLAT_FAULT);
	EXPECT_EQ(f.signo, SIGSEGV);

	plat_ctx_release(c);
	plat_as_release(as);
	expect_no_children();
}

TEST(map_refuses_bad_ranges)
{
	struct plat_as *as;
	uint64_t data, top, pg;

	setup();
	pg = page_alloc();
	as = new_as(&data);
	top = plat->ops->max_user_address(plat);
	harness_diag("max_user_address %#lx", (unsigned long)top);
	EXPECT_TRUE(top >= 0x7f0000000000UL && IS_PAGE_ALIGNED(top));
	EXPECT_EQ(plat_as_map(as, top - PAGE_SIZE, PAGE_SIZE, PLAT_PROT_READ, pg), 0);
	EXPECT_EQ(plat_as_map(as, top - PAGE_SIZE, 2 * PAGE_SIZE, PLAT_PROT_READ, pg), -EINVAL);
	EXPECT_EQ(plat_as_map(as, top, PAGE_SIZE, PLAT_PROT_READ, pg), -EINVAL);
	EXPECT_EQ(plat_as_map(as, -PAGE_SIZE, 2 * PAGE_SIZE, PLAT_PROT_READ, pg), -EINVAL);
	EXPECT_EQ(plat_as_map(as, G_LATE + 1, PAGE_SIZE, PLAT_PROT_READ, pg), -EINVAL);
	EXPECT_EQ(plat_as_map(as, G_LATE, 0, PLAT_PROT_READ, pg), -EINVAL);
	EXPECT_EQ(plat_as_map(as, G_LATE, PAGE_SIZE, 8, pg), -EINVAL);
	EXPECT_EQ(plat_as_unmap(as, top - PAGE_SIZE, 2 * PAGE_SIZE), -EINVAL);
	EXPECT_EQ(plat_as_unmap(as, top - PAGE_SIZE, PAGE_SIZE), 0);
	plat_as_release(as);
	expect_no_children();
}

struct spinner {
	struct plat_ctx *c;
	struct plat_as *as;
	struct plat_regs r;
	int ret;
	double returned_us;
};

static void *spin_thread(void *arg)
{
	struct spinner *s = arg;
	struct plat_fault f;

	regs_at(&s->r, g_spin);
	s->ret = plat_switch_to(s->c, s->as, &s->r, &f);
	s->returned_us = now_us();
	plat_ctx_release(s->c);
	return NULL;
}

TEST(interrupt_stops_a_spinning_guest)
{
	struct spinner s = { 0 };
	struct plat_regs r;
	struct plat_fault f;
	struct plat_ctx *c;
	uint64_t data, spin = G_CODE + (uint64_t)(g_spin - guest_start);
	pthread_t t;

	setup();
	s.as = new_as(&data);

	/* Before the run: the next switch_to returns at once. */
	ASSERT_OK(plat_new_ctx(plat, &c));
	plat_interrupt(c);
	regs_at(&r, g_spin);
	EXPECT_EQ(plat_switch_to(c, s.as, &r, &f), PLAT_INTERRUPTED);
	plat_ctx_release(c);

	ASSERT_OK(plat_new_ctx(plat, &s.c));
	ASSERT_EQ(pthread_create(&t, NULL, spin_thread, &s), 0);
	/* Until the guest really spins: the first run may take a while on a busy host. */
	while (__atomic_load_n(page_u64(data, 0x400), __ATOMIC_RELAXED) < 100000)
		usleep(1000);
	double t0 = now_us();

	plat_interrupt(s.c);
	pthread_join(t, NULL);
	harness_diag("interrupt to switch_to return: %.1f us", s.returned_us - t0);
	EXPECT_EQ(s.ret, PLAT_INTERRUPTED);
	EXPECT_TRUE(s.r.rip >= spin && s.r.rip < spin + 13);
	EXPECT_GT(s.r.rbx, 100000);
	plat_as_release(s.as);
	expect_no_children();
}

struct counter {
	struct plat_as *as;
	uint64_t slot, rounds, value, late_off;
	int ret;
};

/* A task thread: counts with gettid results, mapping a page from its own stub thread. */
static void *count_thread(void *arg)
{
	struct counter *k = arg;
	struct plat_regs r;
	struct plat_fault f;
	struct plat_ctx *c;
	int ret;

	if (plat_new_ctx(plat, &c)) {
		k->ret = -1;
		return NULL;
	}
	regs_at(&r, g_count);
	r.rdi = k->slot;
	r.rsi = k->rounds;
	for (;;) {
		ret = plat_switch_to(c, k->as, &r, &f);
		if (ret != PLAT_SYSCALL)
			break;
		if (r.orig_rax == 60)
			break;
		if (r.rsi == k->rounds / 2 && k->late_off &&
		    plat_as_map(k->as, G_LATE, PAGE_SIZE, PLAT_PROT_READ, k->late_off)) {
			ret = -2;
			break;
		}
		r.rax = k->value;
	}
	k->ret = ret == PLAT_SYSCALL ? 0 : ret;
	plat_ctx_release(c);
	return NULL;
}

TEST(two_contexts_in_one_address_space)
{
	struct counter k[2];
	pthread_t t[2];
	uint64_t data, late;
	struct plat_as *as;

	setup();
	late = page_alloc();
	as = new_as(&data);
	*page_u64(late, 0) = LATE_MAGIC;
	for (int i = 0; i < 2; i++) {
		k[i] = (struct counter){ .as = as,
					 .slot = G_DATA + 0x200 + 8 * (uint64_t)i,
					 .rounds = 20000,
					 .value = (uint64_t)i + 1,
					 .late_off = i ? late : 0 };
		ASSERT_EQ(pthread_create(&t[i], NULL, count_thread, &k[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(k[i].ret, 0);
		EXPECT_EQ(*page_u64(data, 0x200 + 8 * (size_t)i), (i + 1) * 20000);
	}
	/* Mapped by a task thread from its own stub thread: visible to the others. */
	struct plat_regs r;
	struct plat_fault f;
	struct plat_ctx *c;
	uint64_t one = page_alloc();

	*page_u64(one, 0x800) = 77;
	ASSERT_OK(plat_new_ctx(plat, &c));
	regs_at(&r, g_peek);
	ASSERT_EQ(plat_as_map(as, G_DATA, PAGE_SIZE, PLAT_PROT_READ | PLAT_PROT_WRITE, one), 0);
	ASSERT_EQ(plat_switch_to(c, as, &r, &f), PLAT_SYSCALL);
	EXPECT_EQ(r.rdi, 77);
	plat_ctx_release(c);
	plat_as_release(as);
	expect_no_children();
}

TEST(address_spaces_are_isolated_and_ctx_can_move)
{
	struct plat_as *as[2];
	uint64_t data[2];
	struct plat_regs r;
	struct plat_fault f;
	struct plat_fpregs fp;
	struct plat_ctx *c;

	setup();
	for (int i = 0; i < 2; i++) {
		as[i] = new_as(&data[i]);
		*page_u64(data[i], 0x800) = 100 + (uint64_t)i;
	}
	ASSERT_OK(plat_new_ctx(plat, &c));
	/* Before any thread exists, fpregs are kept for the first one. */
	ASSERT_EQ(c->ops->get_fpregs(c, &fp), 0);
	EXPECT_EQ(fp.fxsave[24] | fp.fxsave[25] << 8, 0x1f80);
	fp.fxsave[24] = 0x80;
	fp.fxsave[25] = 0x3f; /* MXCSR rounding toward -inf */
	ASSERT_EQ(c->ops->set_fpregs(c, &fp), 0);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 2; i++) {
			regs_at(&r, g_mxcsr);
			ASSERT_EQ(plat_switch_to(c, as[i], &r, &f), PLAT_SYSCALL);
			EXPECT_EQ(r.rdi, 0x3f80); /* the FPU state moves with the ctx */
			regs_at(&r, g_peek);
			ASSERT_EQ(plat_switch_to(c, as[i], &r, &f), PLAT_SYSCALL);
			EXPECT_EQ(r.rdi, 100 + (uint64_t)i);
		}
	}
	ASSERT_EQ(c->ops->get_fpregs(c, &fp), 0);
	EXPECT_EQ(fp.fxsave[24] | fp.fxsave[25] << 8, 0x3f80);
	/* Different contents at the same address, mapped from a thread not in it. */
	*page_u64(data[1], 0x800) = 555;
	regs_at(&r, g_peek);
	ASSERT_EQ(plat_switch_to(c, as[0], &r, &f), PLAT_SYSCALL);
	EXPECT_EQ(r.rdi, 100);
	plat_ctx_release(c);
	plat_as_release(as[0]);
	plat_as_release(as[1]);
	expect_no_children();
}

TEST(guest_that_kills_its_stub_only_ends_itself)
{
	struct plat_as *bad, *good;
	uint64_t d1, d2;
	struct plat_regs r;
	struct plat_fault f;
	struct plat_ctx *c, *c2;
	int ret;

	setup();
	bad = new_as(&d1);
	good = new_as(&d2);
	ASSERT_OK(plat_new_ctx(plat, &c));
	ASSERT_OK(plat_new_ctx(plat, &c2));
	regs_at(&r, g_vsyscall);
	ret = plat_switch_to(c, bad, &r, &f);
	harness_diag("vsyscall call: switch_to %d (signo %d addr %#lx)", ret,
		     ret == PLAT_FAULT ? f.signo : 0,
		     ret == PLAT_FAULT ? (unsigned long)f.addr : 0);
	EXPECT_TRUE(ret == -ESRCH || ret == PLAT_FAULT);
	if (ret == -ESRCH) {
		EXPECT_EQ(plat_switch_to(c, bad, &r, &f), -ESRCH);
		EXPECT_EQ(plat_as_map(bad, G_LATE, PAGE_SIZE, PLAT_PROT_READ, d1), -ESRCH);
	}
	/* The ctx can still move to a live address space. */
	*page_u64(d2, 0x800) = 9;
	regs_at(&r, g_peek);
	ASSERT_EQ(plat_switch_to(c, good, &r, &f), PLAT_SYSCALL);
	EXPECT_EQ(r.rdi, 9);
	/* An address space that dies under a waiting ctx: killed while it is stopped. */
	regs_at(&r, g_peek);
	ASSERT_EQ(plat_switch_to(c2, good, &r, &f), PLAT_SYSCALL);
	plat_as_release(bad);
	plat_as_release(good);
	usleep(10000);
	EXPECT_EQ(plat_switch_to(c2, good, &r, &f), -ESRCH);
	plat_ctx_release(c);
	plat_ctx_release(c2);
	expect_no_children();
}

struct storm {
	struct plat_as *as;
	struct plat_ctx *c;
	int ready, stop;
	long syscalls, interrupts, errors;
};

/* Counts with gettid results (g_count) while being interrupted all the time. */
static void *storm_thread(void *arg)
{
	struct storm *s = arg;
	struct plat_regs r;
	struct plat_fault f;
	int ret;

	regs_at(&r, g_count);
	r.rdi = G_DATA + 0x300;
	r.rsi = 1000000;
	__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
	while (s->syscalls < 10000) {
		ret = plat_switch_to(s->c, s->as, &r, &f);
		if (ret == PLAT_INTERRUPTED) {
			s->interrupts++;
			continue;
		}
		if (ret != PLAT_SYSCALL || r.orig_rax != 186) {
			s->errors++;
			break;
		}
		s->syscalls++;
		r.rax = 1;
	}
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	plat_ctx_release(s->c);
	return NULL;
}

TEST(interrupt_storm_loses_no_syscall)
{
	struct storm s = { 0 };
	uint64_t data;
	pthread_t t;

	setup();
	s.as = new_as(&data);
	ASSERT_OK(plat_new_ctx(plat, &s.c));
	ASSERT_EQ(pthread_create(&t, NULL, storm_thread, &s), 0);
	while (!__atomic_load_n(&s.ready, __ATOMIC_ACQUIRE))
		usleep(100);
	/* Paced, so that kicks land both while the guest runs and while it is stopped;
	 * back-to-back interrupts would only starve the guest. */
	while (!__atomic_load_n(&s.stop, __ATOMIC_ACQUIRE)) {
		plat_interrupt(s.c);
		usleep(20);
	}
	pthread_join(t, NULL);
	EXPECT_EQ(s.errors, 0);
	EXPECT_GT(s.interrupts, 0);
	/* Every syscall the sentry answered was seen exactly once by the guest. */
	EXPECT_TRUE(*page_u64(data, 0x300) == (uint64_t)s.syscalls ||
		    *page_u64(data, 0x300) == (uint64_t)s.syscalls - 1);
	harness_diag("%ld syscalls, %ld interrupts", s.syscalls, s.interrupts);
	plat_as_release(s.as);
	expect_no_children();
}

TEST(release_under_a_running_guest)
{
	struct spinner s = { 0 };
	uint64_t data;
	pthread_t t;

	setup();
	s.as = new_as(&data);
	ASSERT_OK(plat_new_ctx(plat, &s.c));
	ASSERT_EQ(pthread_create(&t, NULL, spin_thread, &s), 0);
	while (__atomic_load_n(page_u64(data, 0x400), __ATOMIC_RELAXED) < 100000)
		usleep(1000);
	plat_as_release(s.as);
	pthread_join(t, NULL);
	EXPECT_EQ(s.ret, -ESRCH);
	expect_no_children();
}

struct slow_map {
	struct plat_as *as;
	uint64_t off;
	int n;
	double us;
};

static void *slow_map_thread(void *arg)
{
	struct slow_map *m = arg;
	double t0 = now_us();

	for (int i = 0; i < m->n; i++)
		if (plat_as_map(m->as, G_LATE, PAGE_SIZE, PLAT_PROT_READ, m->off))
			return NULL;
	m->us = (now_us() - t0) / m->n;
	return NULL;
}

TEST_TIMEOUT(bench_roundtrip_and_map, 120)
{
	const int iters = 100000, maps = 2000;
	struct slow_map m = { .n = maps };
	struct plat_regs r;
	struct plat_fault f;
	struct plat_ctx *c;
	struct plat_as *as;
	uint64_t data;
	pthread_t t;
	double t0, dt;

	setup();
	as = new_as(&data);
	ASSERT_OK(plat_new_ctx(plat, &c));
	regs_at(&r, g_getpid_loop);
	t0 = now_us();
	ASSERT_EQ(plat_switch_to(c, as, &r, &f), PLAT_SYSCALL);
	harness_diag("first switch_to (new stub thread): %.1f us", now_us() - t0);
	t0 = now_us();
	for (int i = 0; i < iters; i++) {
		r.rax = 1;
		if (plat_switch_to(c, as, &r, &f) != PLAT_SYSCALL || r.orig_rax != 39)
			ASSERT_TRUE(!"unexpected stop");
	}
	dt = now_us() - t0;
	harness_diag("switch_to round trip (getpid): %.2f us avg over %d", dt / iters, iters);

	m.as = as;
	m.off = page_alloc();
	t0 = now_us();
	for (int i = 0; i < maps; i++)
		ASSERT_EQ(plat_as_map(as, G_LATE, PAGE_SIZE, PLAT_PROT_READ, m.off), 0);
	harness_diag("map, own stub thread: %.2f us avg", (now_us() - t0) / maps);
	ASSERT_EQ(pthread_create(&t, NULL, slow_map_thread, &m), 0);
	pthread_join(t, NULL);
	EXPECT_GT(m.us, 0);
	harness_diag("map, borrowed master thread: %.2f us avg", m.us);
	t0 = now_us();
	struct plat_as *as2;

	for (int i = 0; i < 20; i++) {
		ASSERT_OK(plat_new_as(plat, &as2));
		plat_as_release(as2);
	}
	harness_diag("new_address_space + release: %.0f us avg", (now_us() - t0) / 20);
	plat_ctx_release(c);
	plat_as_release(as);
	expect_no_children();
}
