/*
 * Warden's vDSO: clock_gettime, gettimeofday, time, clock_getres and getcpu served in the
 * guest without a trap, from the vvar page the sentry keeps current (vdso_data.h) and the
 * TSC. Whatever it cannot serve (CPU-time clocks, unknown ids, a host without a usable
 * TSC) it passes to the real system call, which traps to the sentry like any other.
 *
 * Freestanding and position independent: linked at 0 by vdso.lds with no relocations,
 * it reaches vvar RIP-relative at a fixed distance below the image.
 */
#include <stddef.h>
#include <stdint.h>

#include "sentry/vdso/vdso_data.h"

/* The guest ABI values this file needs (no libc headers in a freestanding image). */
#define NR_GETTIMEOFDAY 96
#define NR_TIME 201
#define NR_CLOCK_GETTIME 228
#define NR_CLOCK_GETRES 229
#define NR_GETCPU 309

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_TAI 11

#define NSEC_PER_SEC 1000000000LL

struct vdso_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct vdso_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

struct vdso_timezone {
	int32_t tz_minuteswest;
	int32_t tz_dsttime;
};

/* Defined by the linker script: the vvar data, a fixed distance below the image. */
extern const struct vdso_data vvar_page __attribute__((visibility("hidden")));

#define barrier() __asm__ __volatile__("" ::: "memory")
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))

static long vsys2(long nr, long a, long b)
{
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a), "S"(b)
			     : "rcx", "r11", "memory");
	return ret;
}

static long vsys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a), "S"(b), "d"(c)
			     : "rcx", "r11", "memory");
	return ret;
}

/* rdtsc ordered after earlier loads, as Linux's rdtsc_ordered(). */
static uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Which linear clock serves id and the offset added to it; 0 if the vDSO cannot. */
static int clock_route(int id, int *clk, int64_t *off, const struct vdso_data *d)
{
	switch (id) {
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_COARSE:
		*clk = VDSO_CLK_MONO;
		*off = 0;
		return 1;
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*clk = VDSO_CLK_MONO;
		*off = READ_ONCE(d->realtime_off);
		return 1;
	case CLOCK_BOOTTIME:
		*clk = VDSO_CLK_MONO;
		*off = READ_ONCE(d->boottime_off);
		return 1;
	case CLOCK_TAI:
		*clk = VDSO_CLK_MONO;
		*off = READ_ONCE(d->tai_off);
		return 1;
	case CLOCK_MONOTONIC_RAW:
		*clk = VDSO_CLK_RAW;
		*off = 0;
		return 1;
	default:
		return 0;
	}
}

/* The clock id in ns, or 0 with *ok = 0 when the syscall must serve it. */
static int64_t read_clock(int id, int *ok)
{
	const struct vdso_data *d = &vvar_page;
	uint32_t seq;
	int64_t ns, off;
	int clk;

	for (;;) {
		uint64_t tsc, base, delta;

		seq = READ_ONCE(d->seq);
		if (seq & 1) {
			__asm__ __volatile__("pause");
			continue;
		}
		barrier();
		if (!(READ_ONCE(d->flags) & VDSO_F_TSC) || !clock_route(id, &clk, &off, d)) {
			*ok = 0;
			return 0;
		}
		base = READ_ONCE(d->tsc_base);
		tsc = rdtsc_ordered();
		/* A TSC a few ticks behind the sentry's CPU reads as the base, never before. */
		delta = tsc > base ? tsc - base : 0;
		ns = READ_ONCE(d->clk[clk].base_ns) +
		     (int64_t)(((unsigned __int128)delta * READ_ONCE(d->clk[clk].mult)) >>
			       VDSO_SHIFT);
		barrier();
		if (READ_ONCE(d->seq) == seq)
			break;
	}
	*ok = 1;
	return ns + off;
}

int __vdso_clock_gettime(int id, struct vdso_timespec *ts)
{
	int ok;
	int64_t ns = read_clock(id, &ok);

	if (!ok)
		return (int)vsys2(NR_CLOCK_GETTIME, id, (long)ts);
	ts->tv_sec = ns / NSEC_PER_SEC;
	ts->tv_nsec = ns % NSEC_PER_SEC;
	return 0;
}

int __vdso_gettimeofday(struct vdso_timeval *tv, struct vdso_timezone *tz)
{
	int ok;
	int64_t ns;

	if (tv) {
		ns = read_clock(CLOCK_REALTIME, &ok);
		if (!ok)
			return (int)vsys2(NR_GETTIMEOFDAY, (long)tv, (long)tz);
		tv->tv_sec = ns / NSEC_PER_SEC;
		tv->tv_usec = ns % NSEC_PER_SEC / 1000;
	}
	if (tz) {
		/* The sandbox's kernel timezone is UTC, as sys_gettimeofday reports it. */
		tz->tz_minuteswest = 0;
		tz->tz_dsttime = 0;
	}
	return 0;
}

int64_t __vdso_time(int64_t *t)
{
	int ok;
	int64_t s = read_clock(CLOCK_REALTIME, &ok) / NSEC_PER_SEC;

	if (!ok)
		return vsys2(NR_TIME, (long)t, 0);
	if (t)
		*t = s;
	return s;
}

int __vdso_clock_getres(int id, struct vdso_timespec *res)
{
	const struct vdso_data *d = &vvar_page;
	int64_t ns;
	int64_t off;
	int clk;

	if (!(READ_ONCE(d->flags) & VDSO_F_TSC) || !clock_route(id, &clk, &off, d))
		return (int)vsys2(NR_CLOCK_GETRES, id, (long)res);
	ns = (id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE) ?
		     READ_ONCE(d->coarse_res_ns) :
		     1;
	if (res) {
		res->tv_sec = ns / NSEC_PER_SEC;
		res->tv_nsec = ns % NSEC_PER_SEC;
	}
	return 0;
}

/* TSC_AUX holds cpu | node << 12 (Linux's vdso_encode_cpunode). */
int __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	uint32_t flags = READ_ONCE(vvar_page.flags);
	uint32_t aux;

	if (flags & VDSO_F_RDPID) {
		uint64_t p;

		__asm__ __volatile__("rdpid %0" : "=r"(p));
		aux = (uint32_t)p;
	} else if (flags & VDSO_F_RDTSCP) {
		uint32_t lo, hi;

		__asm__ __volatile__("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	} else {
		return (int)vsys3(NR_GETCPU, (long)cpu, (long)node, (long)cache);
	}
	if (cpu)
		*cpu = aux & 0xfff;
	if (node)
		*node = aux >> 12;
	return 0;
}

int clock_gettime(int, struct vdso_timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct vdso_timeval *, struct vdso_timezone *)
	__attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct vdso_timespec *) __attribute__((weak, alias("__vdso_clock_getres")));
int getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
