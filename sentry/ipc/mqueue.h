/*
 * POSIX message queues: files of the IPC namespace's mqueue filesystem (mountable as
 * type "mqueue"; mq_open names are looked up in the namespace's own instance, whatever
 * the caller's mounts). Messages leave by priority, then in send order.
 *
 * The operations here never block: send and receive return -EAGAIN and the syscall layer
 * waits on the file's waitq (sys_wait_file) like any pollable file.
 *
 * Lock order: mqueue dentry locks (the VFS) -> the mqueue sb lock -> a queue's lock ->
 * its waitq lock. A notification signal is sent after the queue lock is dropped.
 */
#ifndef SENTRY_IPC_MQUEUE_H
#define SENTRY_IPC_MQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;
struct file;

struct linux_mq_attr {
	int64_t mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs;
	int64_t reserved[4];
};

#define MQ_PRIO_MAX 32768

/* Registers the "mqueue" filesystem type (-EEXIST if done already). */
int mqueue_register_fstype(void);

/* mq_open on a name without its leading '/': -EACCES for a name with '/' or "." / "..",
 * -ENOENT, -EEXIST, -EINVAL (O_ACCMODE 3, attributes out of range)... +1 file. */
int mqueue_open(struct task *t, const char *name, int oflag, uint32_t mode,
		const struct linux_mq_attr *attr, struct file **out);
int mqueue_unlink(struct task *t, const char *name);

/* Whether f is an open message queue. */
bool mqueue_is(const struct file *f);
/* The queue's attributes (mq_flags from the file's O_NONBLOCK). */
void mqueue_getattr(struct file *f, struct linux_mq_attr *out);
/* Enqueues a message. 0, -EMSGSIZE, or -EAGAIN (full). May send the queue's notification
 * (from t's process). */
int mqueue_send(struct task *t, struct file *f, const void *buf, size_t len, unsigned prio);
/* Dequeues the first message into a malloc'd *buf (freed by the caller). Its length, or
 * -EMSGSIZE (len smaller than mq_msgsize), -EAGAIN (empty). */
long mqueue_receive(struct file *f, size_t len, void **buf, unsigned *prio);
/* A receiver starts (+1) or stops (-1) sleeping: no notification while one does. */
void mqueue_receiver_sleeping(struct file *f, int delta);
/*
 * mq_notify: ev NULL removes t's process's registration; otherwise registers it (-EBUSY
 * if another is registered). notify is SIGEV_NONE or SIGEV_SIGNAL, signo checked.
 */
int mqueue_notify(struct task *t, struct file *f, bool set, int notify, int signo, int64_t value);

#endif
