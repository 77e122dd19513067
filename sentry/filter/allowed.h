/*
 * The host system calls the sentry may make: the whole list, one line each, with the
 * reason. Anything else kills the sentry (SIGSYS) before it runs. Arguments are checked
 * where the use is narrow enough to say so.
 *
 *   ALLOW(name)                  any arguments
 *   ALLOW_ARG(name, idx, value)  only when argument idx equals value (may repeat)
 *
 * While host files are still opened by the sentry (hostfs, until the gofer takes them
 * over), openat is here; it leaves with the gofer.
 */
/* I/O on fds the sentry holds: host stdio, hostfs files, the memory file */
ALLOW(read)
ALLOW(write)
ALLOW(readv)
ALLOW(writev)
ALLOW(pread64)
ALLOW(pwrite64)
ALLOW(preadv)
ALLOW(pwritev)
ALLOW(lseek)
ALLOW(close)
ALLOW(fstat)
ALLOW(newfstatat)
ALLOW(statx)
ALLOW(fstatfs)
ALLOW(getdents64)
ALLOW(readlinkat)
ALLOW(openat) /* hostfs: O_PATH walks under the root fd; goes with the gofer */
ALLOW(fcntl)
ALLOW(dup)
ALLOW(ioctl) /* host tty ioctls for passed-through stdio */
ALLOW(fallocate) /* punching freed memory-file pages */
ALLOW(ftruncate)
/* memory */
ALLOW(mmap)
ALLOW(munmap)
ALLOW(mprotect)
ALLOW(mremap)
ALLOW(madvise)
ALLOW(brk)
/* threads, signals, time */
ALLOW(clone)
ALLOW(clone3)
ALLOW(exit)
ALLOW(exit_group)
ALLOW(futex)
ALLOW(set_robust_list)
ALLOW(rseq)
ALLOW(sched_yield)
ALLOW(sched_getaffinity)
ALLOW(sched_setaffinity) /* pinning a task thread and its stub to one CPU */
ALLOW(getpid)
ALLOW(getppid) /* stub start-up checks its parent */
ALLOW(gettid)
ALLOW(getuid)
ALLOW(getgid)
ALLOW(rt_sigaction)
ALLOW(rt_sigprocmask)
ALLOW(rt_sigreturn)
ALLOW(sigaltstack)
ALLOW(restart_syscall)
ALLOW(clock_gettime)
ALLOW(clock_getres)
ALLOW(clock_nanosleep)
ALLOW(nanosleep)
ALLOW(gettimeofday)
ALLOW(getrandom)
ALLOW(sysinfo)
ALLOW(getrlimit)
ALLOW(prlimit64)
ALLOW(uname)
ALLOW(getcpu)
/* the ptrace platform: driving stub processes */
ALLOW(ptrace)
ALLOW(wait4)
ALLOW(waitid)
ALLOW(tgkill)
ALLOW(kill)
ALLOW(prctl)
ALLOW(pause)
ALLOW(seccomp) /* stubs install their own, narrower filter after cloning */
