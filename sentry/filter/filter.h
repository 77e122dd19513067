/* The sentry's host seccomp filter (allowed.h is the list). */
#ifndef SENTRY_FILTER_FILTER_H
#define SENTRY_FILTER_FILTER_H

/* Installs the filter on every thread of the sentry (TSYNC). 0 or -errno. After this, a
 * host syscall not in allowed.h kills the sentry with SIGSYS. */
int filter_install(void);

/* Calls fn(name, nargs_rules, arg) for each allowed syscall; returns how many there are. */
int filter_for_each(void (*fn)(const char *name, int arg_rules, void *arg), void *arg);

#endif
