/*
 * The sentry's side of the vDSO: the embedded image (vdso_blob.S, built from image/),
 * the vvar page, the TSC calibration and the refresh thread that keeps the vvar page
 * close to the host's clocks.
 *
 * Each linear clock (MONOTONIC, MONOTONIC_RAW) is base_ns + (tsc - tsc_base) * mult.
 * Every VDSO_REFRESH_NS the refresh thread samples the host clock and the TSC together
 * and starts a new segment at that TSC whose base is the old segment's value there, so
 * the guest's clock is continuous and never steps back; the error against the host is
 * slewed away over the next period by tilting mult (at most VDSO_MAX_SLEW_PPM), and only
 * a forward error past VDSO_STEP_NS (a stalled sentry) is stepped. REALTIME, BOOTTIME and
 * TAI are MONOTONIC plus offsets that change only when the host's do (settimeofday,
 * suspend), which a refresh notices.
 */
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "common/bug.h"
#include "common/log.h"
#include "common/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/vdso/vdso.h"
#include "sentry/vdso/vdso_data.h"

#define NSEC_PER_SEC 1000000000LL
#define VDSO_REFRESH_NS (50 * 1000000LL)
#define VDSO_CALIBRATE_NS (5 * 1000000LL)
#define VDSO_MAX_SLEW_PPM 1000
#define VDSO_STEP_NS 1000000LL
/* An offset (REALTIME - MONOTONIC...) that moved this much was stepped on the host. */
#define VDSO_OFFSET_STEP_NS 20000LL
/* A host sample whose TSC bracket is wider than this was preempted: sample again. */
#define VDSO_SAMPLE_MAX_TICKS 20000

extern const unsigned char vdso_image_start[], vdso_image_end[];

/* One reading of the host's clocks at (about) one TSC value. */
struct vdso_sample {
	uint64_t tsc;
	int64_t clk[VDSO_NR_CLK]; /* MONOTONIC, MONOTONIC_RAW */
	int64_t realtime, boottime, tai;
};

static struct {
	pthread_once_t once;
	int err; /* init failed: no vDSO */
	/* Memory-file pages, references held forever: [vvar] then [vvar_vclock], and the
	 * image. */
	uint64_t vvar_off, image_off;
	uint64_t image_pages;
	struct vdso_data *data; /* the sentry's view of the vvar page */
	struct vdso_sample first; /* the calibration's start: the long baseline */
	pthread_t thread;
} vd = { .once = PTHREAD_ONCE_INIT };

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static int64_t host_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts_ns(&ts);
}

static uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/* The host's clocks with the TSC between the two MONOTONIC reads; the tightest of a few
 * tries, so a preempted sample does not skew the calibration. */
static void vdso_sample(struct vdso_sample *s)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 8 && best > VDSO_SAMPLE_MAX_TICKS; i++) {
		struct vdso_sample t;
		uint64_t t0 = rdtsc_ordered();
		int64_t m = host_ns(CLOCK_MONOTONIC);
		uint64_t t1 = rdtsc_ordered();

		t.tsc = t0 + (t1 - t0) / 2;
		t.clk[VDSO_CLK_MONO] = m;
		/* The others are read next to it and kept as offsets from it. */
		t.realtime = host_ns(CLOCK_REALTIME) - m;
		t.boottime = host_ns(CLOCK_BOOTTIME) - m;
		t.tai = host_ns(CLOCK_TAI) - m;
		t.clk[VDSO_CLK_RAW] = host_ns(CLOCK_MONOTONIC_RAW) - (host_ns(CLOCK_MONOTONIC) - m);
		if (t1 - t0 < best) {
			best = t1 - t0;
			*s = t;
		}
	}
}

/* ns per tick << VDSO_SHIFT between two samples of clock c. */
static uint64_t vdso_rate(const struct vdso_sample *a, const struct vdso_sample *b, int c)
{
	uint64_t ticks = b->tsc - a->tsc;
	int64_t ns = b->clk[c] - a->clk[c];

	if (!ticks || ns <= 0)
		return 0;
	return (uint64_t)(((unsigned __int128)ns << VDSO_SHIFT) / ticks);
}

/* Clock c of the published segment at tsc. */
static int64_t vdso_eval(const struct vdso_data *d, int c, uint64_t tsc)
{
	uint64_t delta = tsc > d->tsc_base ? tsc - d->tsc_base : 0;

	return d->clk[c].base_ns +
	       (int64_t)(((unsigned __int128)delta * d->clk[c].mult) >> VDSO_SHIFT);
}

static void vdso_write_begin(struct vdso_data *d)
{
	__atomic_store_n(&d->seq, d->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void vdso_write_end(struct vdso_data *d)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&d->seq, d->seq + 1, __ATOMIC_RELAXED);
}

/* Moves an offset only when the host stepped it, so sampling jitter never shows. */
static void vdso_offset(int64_t *cur, int64_t host)
{
	if (host - *cur > VDSO_OFFSET_STEP_NS || *cur - host > VDSO_OFFSET_STEP_NS)
		*cur = host;
}

/* Starts a new segment at sample s (see the top of the file). */
static void vdso_refresh(void)
{
	struct vdso_data *d = vd.data;
	struct vdso_sample s;
	int64_t base[VDSO_NR_CLK];
	uint64_t mult[VDSO_NR_CLK];

	vdso_sample(&s);
	for (int c = 0; c < VDSO_NR_CLK; c++) {
		uint64_t nominal = vdso_rate(&vd.first, &s, c);
		int64_t g = vdso_eval(d, c, s.tsc);
		int64_t err = s.clk[c] - g;
		int64_t max = VDSO_REFRESH_NS / 1000000 * VDSO_MAX_SLEW_PPM;

		if (!nominal)
			nominal = d->clk[c].mult;
		if (err > VDSO_STEP_NS) {
			g = s.clk[c];
			err = 0;
		}
		err = MAX(MIN(err, max), -max);
		base[c] = g;
		/* Gains err over the next period: the slope times (P + err) / P. */
		mult[c] = nominal + (uint64_t)((__int128)nominal * err / VDSO_REFRESH_NS);
	}
	vdso_write_begin(d);
	d->tsc_base = s.tsc;
	for (int c = 0; c < VDSO_NR_CLK; c++) {
		d->clk[c].base_ns = base[c];
		d->clk[c].mult = mult[c];
	}
	vdso_offset(&d->realtime_off, s.realtime);
	vdso_offset(&d->boottime_off, s.boottime);
	vdso_offset(&d->tai_off, s.tai);
	vdso_write_end(d);
}

static void *vdso_thread(void *arg)
{
	struct timespec period = { 0, VDSO_REFRESH_NS };

	for (;;) {
		while (clock_nanosleep(CLOCK_MONOTONIC, 0, &period, NULL) == EINTR)
			;
		vdso_refresh();
	}
	return NULL;
}

/* An invariant TSC (CPUID 0x80000007 EDX bit 8) runs at one rate in every power state,
 * which is what makes it a clock; without one the vDSO traps for every clock. */
static bool vdso_tsc_usable(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(0x80000007, &a, &b, &c, &d) && (d & (1u << 8));
}

static uint32_t vdso_cpu_flags(void)
{
	unsigned a, b, c, d;
	uint32_t f = 0;

	if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (c & (1u << 22)))
		f |= VDSO_F_RDPID;
	if (__get_cpuid(0x80000001, &a, &b, &c, &d) && (d & (1u << 27)))
		f |= VDSO_F_RDTSCP;
	return f;
}

/* Measures the TSC against the host and publishes the first segment. */
static void vdso_calibrate(struct vdso_data *d)
{
	struct timespec wait = { 0, VDSO_CALIBRATE_NS };
	struct vdso_sample s;
	uint64_t ghz_low = ((uint64_t)1 << VDSO_SHIFT) / 20; /* 20 GHz */
	uint64_t ghz_high = ((uint64_t)1 << VDSO_SHIFT) * 10; /* 100 MHz */

	vdso_sample(&vd.first);
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &wait, NULL) == EINTR)
		;
	vdso_sample(&s);
	d->tsc_base = s.tsc;
	for (int c = 0; c < VDSO_NR_CLK; c++) {
		d->clk[c].base_ns = s.clk[c];
		d->clk[c].mult = vdso_rate(&vd.first, &s, c);
		if (d->clk[c].mult < ghz_low || d->clk[c].mult > ghz_high)
			return; /* not a TSC we can tell time by: leave VDSO_F_TSC clear */
	}
	d->realtime_off = s.realtime;
	d->boottime_off = s.boottime;
	d->tai_off = s.tai;
	d->flags |= VDSO_F_TSC;
}

static void vdso_init(void)
{
	size_t len = (size_t)(vdso_image_end - vdso_image_start);
	struct timespec res;
	sigset_t all, old;
	int err;

	if (len < SELFMAG || memcmp(vdso_image_start, ELFMAG, SELFMAG))
		BUG();
	vd.image_pages = PAGE_ALIGN_UP(len) >> PAGE_SHIFT;
	err = memfile_alloc(VDSO_VVAR_PAGES + VDSO_VCLOCK_PAGES, &vd.vvar_off);
	if (!err)
		err = memfile_alloc(vd.image_pages, &vd.image_off);
	if (err) {
		vd.err = err;
		return;
	}
	memcpy(memfile_ptr(vd.image_off), vdso_image_start, len);
	vd.data = memfile_ptr(vd.vvar_off);
	vd.data->flags = vdso_cpu_flags();
	clock_getres(CLOCK_MONOTONIC_COARSE, &res);
	vd.data->coarse_res_ns = ts_ns(&res);
	if (!vdso_tsc_usable()) {
		log_debug("vdso: no invariant TSC, clocks will trap to the sentry");
		return;
	}
	vdso_calibrate(vd.data);
	if (!(vd.data->flags & VDSO_F_TSC))
		return;
	/* Like the timer thread, it takes no host signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&vd.thread, NULL, vdso_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		/* Without refreshes the clocks would drift: let them trap instead. */
		vd.data->flags &= ~VDSO_F_TSC;
		return;
	}
	pthread_detach(vd.thread);
}

int vdso_map(struct mm *mm, uaddr_t *base)
{
	struct mm_special segs[3];
	uaddr_t addr;
	int err;

	pthread_once(&vd.once, vdso_init);
	*base = 0;
	if (vd.err)
		return 0;
	/* Private, as Linux shows them ("r--p"): never written through, so every process
	 * keeps reading the sentry's page. */
	segs[0] = (struct mm_special){ .memfile_off = vd.vvar_off,
				       .npages = VDSO_VVAR_PAGES,
				       .prot = PROT_READ,
				       .no_write = true,
				       .name = "[vvar]" };
	segs[1] = (struct mm_special){ .memfile_off = vd.vvar_off + VDSO_VVAR_PAGES * PAGE_SIZE,
				       .npages = VDSO_VCLOCK_PAGES,
				       .prot = PROT_READ,
				       .no_write = true,
				       .name = "[vvar_vclock]" };
	segs[2] = (struct mm_special){ .memfile_off = vd.image_off,
				       .npages = vd.image_pages,
				       .prot = PROT_READ | PROT_EXEC,
				       .name = "[vdso]" };
	err = mm_map_special(mm, segs, 3, &addr);
	if (err)
		return err;
	*base = addr + (VDSO_VVAR_PAGES + VDSO_VCLOCK_PAGES) * PAGE_SIZE;
	return 0;
}

/* Which linear clock serves id, and its offset field (NULL: none). */
static int vclock_route(int id, int *clk, const int64_t **off)
{
	const struct vdso_data *d = vd.data;

	*clk = VDSO_CLK_MONO;
	*off = NULL;
	switch (id) {
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_COARSE:
		return 0;
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_REALTIME_ALARM:
		*off = &d->realtime_off;
		return 0;
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		*off = &d->boottime_off;
		return 0;
	case CLOCK_TAI:
		*off = &d->tai_off;
		return 0;
	case CLOCK_MONOTONIC_RAW:
		*clk = VDSO_CLK_RAW;
		return 0;
	default:
		return -EINVAL;
	}
}

int vclock_gettime(int id, struct timespec *ts)
{
	const struct vdso_data *d;
	const int64_t *off;
	int64_t ns;
	uint32_t seq;
	int clk;

	pthread_once(&vd.once, vdso_init);
	d = vd.data;
	if (!d || !(__atomic_load_n(&d->flags, __ATOMIC_RELAXED) & VDSO_F_TSC)) {
		/* No vvar clock: the host's, mapping the ALARM clocks as Linux does. */
		if (id == CLOCK_REALTIME_ALARM)
			id = CLOCK_REALTIME;
		else if (id == CLOCK_BOOTTIME_ALARM)
			id = CLOCK_BOOTTIME;
		else if (id < 0 || id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID)
			return -EINVAL;
		return clock_gettime(id, ts) ? -EINVAL : 0;
	}
	if (vclock_route(id, &clk, &off))
		return -EINVAL;
	do {
		seq = __atomic_load_n(&d->seq, __ATOMIC_ACQUIRE);
		ns = vdso_eval(d, clk, rdtsc_ordered()) + (off ? *off : 0);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || __atomic_load_n(&d->seq, __ATOMIC_RELAXED) != seq);
	ts->tv_sec = ns / NSEC_PER_SEC;
	ts->tv_nsec = ns % NSEC_PER_SEC;
	return 0;
}
