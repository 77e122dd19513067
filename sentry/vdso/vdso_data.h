/*
 * The vvar page: what the sentry publishes and the guest's vDSO reads to tell the time
 * without a trap. One page of the memory file, mapped read-only into every guest address
 * space just below the vDSO; the sentry's refresh thread is its only writer.
 *
 * A clock is linear in the TSC between refreshes:
 *   ns = base_ns + ((tsc - tsc_base) * mult) >> VDSO_SHIFT
 * (128-bit product, so a stalled refresh never overflows). Readers retry while seq is odd
 * or changed across their read (a seqlock); x86's ordered loads make compiler barriers
 * enough on both sides.
 *
 * Shared by the sentry (vdso.c) and the freestanding vDSO image (image/vdso_image.c):
 * fixed-size types only, no sentry headers.
 */
#ifndef SENTRY_VDSO_VDSO_DATA_H
#define SENTRY_VDSO_VDSO_DATA_H

#include <stdint.h>

#define VDSO_SHIFT 32

/*
 * Below the image, as Linux 6.x lays it out: [vvar] (VDSO_VVAR_PAGES, this struct at its
 * start) then [vvar_vclock] (VDSO_VCLOCK_PAGES, paravirt clock pages: empty here). Same
 * sizes as the host's, so a guest's mmap layout matches the native one page for page.
 * image/vdso.lds hard-codes the distance to this struct: keep them in step.
 */
#define VDSO_VVAR_PAGES 4
#define VDSO_VCLOCK_PAGES 2

/* flags */
#define VDSO_F_TSC 0x1 /* the clocks below are valid: without it every call traps */
#define VDSO_F_RDPID 0x2 /* rdpid gives TSC_AUX (cpu | node << 12) for getcpu */
#define VDSO_F_RDTSCP 0x4 /* rdtscp gives TSC_AUX */

/* Linear clocks; the others are offsets from VDSO_CLK_MONO. */
#define VDSO_CLK_MONO 0 /* CLOCK_MONOTONIC */
#define VDSO_CLK_RAW 1 /* CLOCK_MONOTONIC_RAW */
#define VDSO_NR_CLK 2

struct vdso_clock {
	int64_t base_ns; /* the clock at tsc_base */
	uint64_t mult; /* ns per TSC tick << VDSO_SHIFT */
};

struct vdso_data {
	uint32_t seq; /* odd while the sentry writes */
	uint32_t flags; /* VDSO_F_* */
	uint64_t tsc_base;
	struct vdso_clock clk[VDSO_NR_CLK];
	int64_t realtime_off; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	int64_t boottime_off; /* CLOCK_BOOTTIME - CLOCK_MONOTONIC (host suspend time) */
	int64_t tai_off; /* CLOCK_TAI - CLOCK_MONOTONIC */
	int64_t coarse_res_ns; /* clock_getres of the *_COARSE clocks (the host's tick) */
};

#endif
