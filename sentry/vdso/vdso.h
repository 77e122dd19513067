/*
 * Warden's vDSO: an ELF image of our own (image/) mapped into every guest process with
 * the vvar page below it, so glibc's clock_gettime, gettimeofday, time, clock_getres and
 * getcpu run without a trap. The sentry calibrates the TSC against the host's clocks and
 * keeps the vvar page current from a refresh thread (vdso.c).
 *
 * The guest's clocks are the vvar's everywhere: the vDSO reads them and so do the
 * sentry's own clock_gettime and sleeps (vclock_gettime), so a guest never sees a
 * syscall's time and the vDSO's disagree or a sleep end before its deadline.
 */
#ifndef SENTRY_VDSO_VDSO_H
#define SENTRY_VDSO_VDSO_H

#include <time.h>

#include "common/util.h"

struct mm;

/*
 * Maps [vvar] and [vdso] into mm (a fresh exec image), top-down in its mmap area, and
 * sets *base to the vDSO's ELF header (AT_SYSINFO_EHDR). If the vDSO could not be set up
 * at all, *base = 0 and the program runs without one. 0 or -ENOMEM.
 */
int vdso_map(struct mm *mm, uaddr_t *base);

/*
 * The guest's view of a wall or monotonic clock (REALTIME, MONOTONIC, MONOTONIC_RAW, the
 * COARSE ones, BOOTTIME, TAI and the ALARM ones): what the vDSO would return now. 0 or
 * -EINVAL for any other id (CPU clocks are rusage.c's).
 */
int vclock_gettime(int clockid, struct timespec *ts);

#endif
