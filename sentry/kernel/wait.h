/* wait: what wait4/waitid ask for and what they get back. */
#ifndef SENTRY_KERNEL_WAIT_H
#define SENTRY_KERNEL_WAIT_H

#include <stdint.h>

struct task;
struct thread_group;

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

struct wait_req {
	int idtype; /* P_ALL, P_PID, P_PGID, P_PIDFD */
	int id;
	struct thread_group *pidfd_tg; /* P_PIDFD */
	int options; /* WEXITED, WSTOPPED, WCONTINUED, WNOHANG, WNOWAIT, __W* */
};

struct wait_result {
	int pid; /* 0: WNOHANG and nothing to report */
	uint32_t uid;
	int code; /* CLD_* */
	int status; /* si_status: exit code or signal */
	int wstatus; /* the wait4 status word */
	uint64_t utime_ns, stime_ns, maxrss_kb; /* the child's, for rusage and si_utime */
};

/* Waits for a child of t's group as w says. 1 with *r filled, 0 (WNOHANG, nothing yet),
 * -ECHILD (no such child), -ERESTARTSYS (interrupted). */
long proc_wait(struct task *t, const struct wait_req *w, struct wait_result *r);

#endif
