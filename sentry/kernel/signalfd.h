/*
 * signalfd: pending signals as a file. read(2) dequeues signals of the file's mask from
 * the *reading* task's pending queues (thread, then process) as struct
 * linux_signalfd_siginfo records; poll says POLLIN while the polling task has one
 * pending. The mask never includes SIGKILL or SIGSTOP.
 *
 * Readiness follows whichever task asks, so there is no per-file event source: every
 * signalfd shares one waitq, notified whenever any signal becomes pending (a spurious
 * wake-up only makes a waiter look again).
 */
#ifndef SENTRY_KERNEL_SIGNALFD_H
#define SENTRY_KERNEL_SIGNALFD_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/abi/linux.h"

struct file;
struct task;

/* Linux's struct signalfd_siginfo (uapi/linux/signalfd.h). */
struct linux_signalfd_siginfo {
	uint32_t ssi_signo;
	int32_t ssi_errno;
	int32_t ssi_code;
	uint32_t ssi_pid;
	uint32_t ssi_uid;
	int32_t ssi_fd;
	uint32_t ssi_tid;
	uint32_t ssi_band;
	uint32_t ssi_overrun;
	uint32_t ssi_trapno;
	int32_t ssi_status;
	int32_t ssi_int;
	uint64_t ssi_ptr;
	uint64_t ssi_utime;
	uint64_t ssi_stime;
	uint64_t ssi_addr;
	uint16_t ssi_addr_lsb;
	uint16_t __pad2;
	int32_t ssi_syscall;
	uint64_t ssi_call_addr;
	uint32_t ssi_arch;
	uint8_t __pad[28];
};
_Static_assert(sizeof(struct linux_signalfd_siginfo) == 128, "signalfd_siginfo is 128 bytes");

/* A new signalfd for mask (SIGKILL/SIGSTOP dropped); flags O_NONBLOCK. 0 and *out (+1)
 * or -ENOMEM. */
int signalfd_create(struct task *t, linux_sigset_t mask, unsigned flags, struct file **out);
bool signalfd_is_signalfd(const struct file *f);
/* signalfd(2) on an existing signalfd: replaces its mask. */
void signalfd_set_mask(struct file *f, linux_sigset_t mask);
/* Signals code: a signal became pending somewhere. Called with no signal lock held (the
 * waitq's waiters may be pollers that call back into signalfd_poll). */
void signalfd_notify(void);

#endif
