// SPDX-License-Identifier: MIT
/*
 * The full XSAVE state (AVX's ymm upper halves) in signal frames and across fork: a
 * handler that scribbles on the ymm registers does not disturb the interrupted code, the
 * frame has Linux's layout (fpx_sw_bytes with FP_XSTATE_MAGIC1 and the host's xstate size,
 * FP_XSTATE_MAGIC2 after the area), an edited frame is what sigreturn restores, a frame
 * with a bad magic restores the legacy area only, a reserved header bit is SIGSEGV, and
 * a fork child has its parent's ymm values.
 */
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <ucontext.h>

#include "tests/syscalls/sysutil.h"

#define FP_MAGIC1 0x46505853U
#define FP_MAGIC2 0x46505845U
#define SW_BYTES 464
#define XSAVE_HDR 512

/* What the interrupted code holds in ymm0, ymm1, ymm8 and ymm15, and reads back. */
struct ymm4 {
	uint8_t r[4][32];
};

static size_t xstate_size; /* CPUID 0xD: the XSAVE area for XCR0's features */
static size_t avx_off; /* where the ymm upper halves are in it (16 bytes per register) */

static void need_avx(void)
{
	unsigned int a, b, c, d;
	uint32_t lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX))
		SKIP("no AVX");
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	if ((lo & 6) != 6)
		SKIP("AVX not enabled in XCR0");
	__cpuid_count(0xd, 0, a, b, c, d);
	xstate_size = b;
	__cpuid_count(0xd, 2, a, b, c, d);
	avx_off = b;
}

static void fill(struct ymm4 *y, uint8_t seed)
{
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 32; j++)
			y->r[i][j] = (uint8_t)(seed + i * 32 + j);
}

/* Loads in into ymm0/1/8/15, sends sig to this thread with a raw syscall (no library
 * code between the load and the store may touch the registers), stores them into out. */
static void ymm_around_signal(const struct ymm4 *in, struct ymm4 *out, int sig)
{
	long ret;

	__asm__ volatile("vmovdqu 0(%[in]), %%ymm0\n\t"
			 "vmovdqu 32(%[in]), %%ymm1\n\t"
			 "vmovdqu 64(%[in]), %%ymm8\n\t"
			 "vmovdqu 96(%[in]), %%ymm15\n\t"
			 "syscall\n\t"
			 "vmovdqu %%ymm0, 0(%[out])\n\t"
			 "vmovdqu %%ymm1, 32(%[out])\n\t"
			 "vmovdqu %%ymm8, 64(%[out])\n\t"
			 "vmovdqu %%ymm15, 96(%[out])\n\t"
			 "vzeroupper"
			 : "=a"(ret)
			 : [in] "r"(in), [out] "r"(out), "a"((long)SYS_tgkill), "D"((long)getpid()),
			   "S"((long)gettid()), "d"((long)sig)
			 : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm8", "xmm15");
	(void)ret;
}

static void scribble(void)
{
	static const uint8_t junk[32] = { [0 ... 31] = 0xee };

	__asm__ volatile("vmovdqu %0, %%ymm0\n\t"
			 "vmovdqu %0, %%ymm1\n\t"
			 "vmovdqu %0, %%ymm8\n\t"
			 "vmovdqu %0, %%ymm15"
			 :
			 : "m"(junk)
			 : "xmm0", "xmm1", "xmm8", "xmm15");
}

static uint8_t handler_ymm15[32];

static void read_ymm15(void)
{
	__asm__ volatile("vmovdqu %%ymm15, %0" : "=m"(handler_ymm15));
}

/* What the handler saw in its frame. */
static struct {
	uint32_t magic1, magic2, xstate_size, extended_size;
	uint64_t xfeatures, xstate_bv;
	uint8_t ymm0_hi[16];
} seen;

enum mode { PLAIN, EDIT, BAD_MAGIC, BAD_SIZE, RESERVED_BIT };
static enum mode mode;

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
	uint32_t v;

	(void)sig;
	(void)si;
	read_ymm15();
	memcpy(&seen.magic1, fp + SW_BYTES, 4);
	memcpy(&seen.extended_size, fp + SW_BYTES + 4, 4);
	memcpy(&seen.xfeatures, fp + SW_BYTES + 8, 8);
	memcpy(&seen.xstate_size, fp + SW_BYTES + 16, 4);
	memcpy(&seen.xstate_bv, fp + XSAVE_HDR, 8);
	if (seen.xstate_size >= avx_off + 256)
		memcpy(&seen.ymm0_hi, fp + avx_off, 16);
	if (seen.xstate_size < 100000)
		memcpy(&seen.magic2, fp + seen.xstate_size, 4);
	scribble();
	switch (mode) {
	case PLAIN:
		break;
	case EDIT:
		memset(fp + avx_off + 16, 0x5a, 16); /* ymm1's upper half */
		break;
	case BAD_MAGIC:
		v = 0;
		memcpy(fp + seen.xstate_size, &v, 4);
		break;
	case BAD_SIZE:
		v = 0xfffffff0;
		memcpy(fp + SW_BYTES + 4, &v, 4);
		memcpy(fp + SW_BYTES + 16, &v, 4);
		break;
	case RESERVED_BIT:
		fp[XSAVE_HDR + 20] = 1; /* in the header's reserved bytes */
		break;
	}
}

static void run_with(enum mode m, struct ymm4 *in, struct ymm4 *out)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };

	need_avx();
	mode = m;
	memset(&seen, 0, sizeof(seen));
	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	fill(in, 1);
	memset(out, 0, sizeof(*out));
	ymm_around_signal(in, out, SIGUSR1);
}

TEST(handler_does_not_disturb_the_interrupted_ymm)
{
	struct ymm4 in, out;
	static const uint8_t zero[32];

	run_with(PLAIN, &in, &out);
	EXPECT_MEMEQ(&out, &in, sizeof(in));
	/* The handler starts from the init state, upper halves included. */
	EXPECT_MEMEQ(handler_ymm15 + 16, zero + 16, 16);
}

TEST(frame_has_linux_xstate_layout)
{
	struct ymm4 in, out;

	run_with(PLAIN, &in, &out);
	EXPECT_EQ(seen.magic1, FP_MAGIC1);
	EXPECT_EQ(seen.magic2, FP_MAGIC2);
	EXPECT_EQ(seen.xstate_size, xstate_size);
	EXPECT_EQ(seen.extended_size, xstate_size + 4);
	EXPECT_EQ(seen.xfeatures & 7, 7);
	EXPECT_EQ(seen.xstate_bv & 4, 4); /* AVX in use: its component is saved */
	EXPECT_MEMEQ(seen.ymm0_hi, in.r[0] + 16, 16);
}

TEST(sigreturn_restores_an_edited_frame)
{
	struct ymm4 in, out;
	uint8_t fives[16];

	run_with(EDIT, &in, &out);
	memset(fives, 0x5a, sizeof(fives));
	EXPECT_MEMEQ(out.r[1], in.r[1], 16);
	EXPECT_MEMEQ(out.r[1] + 16, fives, 16);
	EXPECT_MEMEQ(out.r[0], in.r[0], 32);
}

/* Without a valid extended frame only the legacy area comes back (xmm), and the upper
 * halves are in their init state: Linux's fx_only restore. */
static void expect_fx_only(const struct ymm4 *in, const struct ymm4 *out)
{
	static const uint8_t zero[16];

	for (int i = 0; i < 4; i++) {
		EXPECT_MEMEQ(out->r[i], in->r[i], 16);
		EXPECT_MEMEQ(out->r[i] + 16, zero, 16);
	}
}

TEST(bad_magic2_restores_the_legacy_area_only)
{
	struct ymm4 in, out;

	run_with(BAD_MAGIC, &in, &out);
	expect_fx_only(&in, &out);
}

TEST(bad_xstate_size_restores_the_legacy_area_only)
{
	struct ymm4 in, out;

	run_with(BAD_SIZE, &in, &out);
	expect_fx_only(&in, &out);
}

static void reserved_bit(void *arg)
{
	struct ymm4 in, out;

	(void)arg;
	run_with(RESERVED_BIT, &in, &out);
}

TEST(reserved_header_bit_is_sigsegv)
{
	int st;

	need_avx();
	st = status_of_child(reserved_bit, NULL);
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(WTERMSIG(st), SIGSEGV);
}

TEST(fork_child_inherits_ymm)
{
	struct ymm4 in, out;
	long pid;
	int st;

	need_avx();
	fill(&in, 77);
	memset(&out, 0, sizeof(out));
	fflush(NULL);
	__asm__ volatile("vmovdqu 0(%[in]), %%ymm0\n\t"
			 "vmovdqu 32(%[in]), %%ymm1\n\t"
			 "vmovdqu 64(%[in]), %%ymm8\n\t"
			 "vmovdqu 96(%[in]), %%ymm15\n\t"
			 "syscall\n\t"
			 "vmovdqu %%ymm0, 0(%[out])\n\t"
			 "vmovdqu %%ymm1, 32(%[out])\n\t"
			 "vmovdqu %%ymm8, 64(%[out])\n\t"
			 "vmovdqu %%ymm15, 96(%[out])\n\t"
			 "vzeroupper"
			 : "=a"(pid)
			 : [in] "r"(&in), [out] "r"(&out), "a"((long)SYS_fork)
			 : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm8", "xmm15");
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(memcmp(&in, &out, sizeof(in)) ? 1 : 0);
	EXPECT_MEMEQ(&out, &in, sizeof(in));
	ASSERT_EQ(waitpid((pid_t)pid, &st, 0), (pid_t)pid);
	EXPECT_EXITED_OK(st);
}
