/*
 * timerfd: a timer as a file. Each expiry (a periodic timer's missed periods included)
 * adds to a count that read(2) returns as 8 bytes and resets; readable while it is
 * nonzero. The timer runs on the sentry's one timer thread (timer.h, KTIMER_FN).
 */
#ifndef SENTRY_KERNEL_TIMERFD_H
#define SENTRY_KERNEL_TIMERFD_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct task;
struct ktimer_spec;

/* timerfd_create: clock is CLOCK_REALTIME, _MONOTONIC, _BOOTTIME or an _ALARM one (the
 * caller checks CAP_WAKE_ALARM); flags O_NONBLOCK. 0 and *out (+1), -EINVAL, -ENOMEM. */
int timerfd_new(struct task *t, int clock, unsigned flags, struct file **out);
bool timerfd_is_timerfd(const struct file *f);
/* timerfd_settime on a timerfd: abs is TFD_TIMER_ABSTIME (nv->value is then a time on
 * the timer's clock), cancel_on_set TFD_TIMER_CANCEL_ON_SET; the count restarts at 0.
 * *old gets the previous setting (time left, interval). 0 or -ENOMEM. */
int timerfd_set(struct file *f, bool abs, bool cancel_on_set, const struct ktimer_spec *nv,
		struct ktimer_spec *old);
/* timerfd_gettime: time left to the next expiry (0: disarmed) and the interval. */
void timerfd_get(struct file *f, struct ktimer_spec *cur);

#endif
