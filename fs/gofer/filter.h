/* The `warden gofer` process's own host seccomp filter (libseccomp). */
#ifndef FS_GOFER_FILTER_H
#define FS_GOFER_FILTER_H

/* Installs the filter on every thread of the process: 0 or -errno. Anything not listed in
 * fs/gofer/filter.c kills the gofer. */
int gofer_filter_install(void);
/* Calls fn for each allowed syscall (if fn) and returns how many there are. */
int gofer_filter_for_each(void (*fn)(const char *name, void *arg), void *arg);

#endif
