/*
 * The host system calls the sentry may make: the whole list, one line each, with the
 * reason. Anything else kills the sentry (SIGSYS) before it runs. Arguments are checked
 * where the use is narrow enough to say so.
 *
 *   ALLOW(name)                  any arguments
 *   ALLOW_ARG(name, idx, value)  only when argument idx equals value (may repeat)
 *   DENY(name, errno)            fails with errno instead of killing (see the reason)
 *
 * The sentry opens no host path after start: the gofer does (fs/gofer), and the sentry
 * reads and writes the fds it donates.
 */
/* I/O on fds the sentry holds: host stdio, files the gofer donated, the memory file */
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
/* glibc's fstat(fd) is newfstatat(fd, "", buf, AT_EMPTY_PATH): only that flag word, so a
 * path-based stat (flags 0 or AT_SYMLINK_NOFOLLOW) dies. No statx, no readlinkat: the
 * sentry names no host path after start. */
ALLOW_ARG(newfstatat, 3, AT_EMPTY_PATH)
ALLOW(fstatfs)
ALLOW(getdents64)
ALLOW(poll) /* waiting on host stdio for a guest poll/select (sys_poll, hostfd) */
ALLOW(recvmsg) /* gofer channels: replies and donated fds (SCM_RIGHTS) */
ALLOW(sendmsg) /* gofer channels: requests */
ALLOW(accept4) /* the runtime's control socket (sentry/control.c) */
ALLOW(fsync) /* fsync(2) of a guest file on a donated fd */
ALLOW(fdatasync)
/* libunwind opens ELF files to name frames in a crash dump: let that fail (addresses are
 * still printed) rather than kill the dump half way. */
DENY(open, EACCES)
DENY(openat, EACCES)
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
