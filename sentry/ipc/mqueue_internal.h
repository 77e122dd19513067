/* POSIX message queue internals shared by the filesystem (mqueue_fs.c) and the queue
 * operations (mqueue.c). */
#ifndef SENTRY_IPC_MQUEUE_INTERNAL_H
#define SENTRY_IPC_MQUEUE_INTERNAL_H

#include <pthread.h>

#include "common/list.h"
#include "common/waitq.h"
#include "fs/vfs/vfs.h"
#include "sentry/ipc/mqueue.h"

/* Linux's defaults and hard limits (ipc/mqueue.c, /proc/sys/fs/mqueue). */
#define MQ_QUEUES_MAX 256
#define MQ_MSG_MAX 10
#define MQ_MSGSIZE_MAX 8192
#define MQ_MSG_DEFAULT 10
#define MQ_MSGSIZE_DEFAULT 8192
#define MQ_HARD_MSGMAX 65536
#define MQ_HARD_MSGSIZEMAX (16 * 1024 * 1024)
#define MQ_FILENT_SIZE 80 /* st_size of a queue */

struct mq_msg {
	struct list_head node;
	unsigned prio;
	size_t len;
	char data[];
};

/* A queue: the priv of its inode, freed when the inode is evicted. */
struct mq_queue {
	pthread_mutex_t lock;
	struct waitq wq; /* POLLIN: a message came; POLLOUT: room */
	struct list_head msgs; /* by priority (highest first), then send order */
	int64_t maxmsg, msgsize, curmsgs;
	uint64_t qsize; /* bytes of message data */
	int receivers; /* tasks sleeping in mq_timedreceive */
	int notify_tgid; /* 0: no registration */
	int notify, signo;
	int64_t value;
};

/* The filesystem: one directory of queues. */
struct mq_sb {
	pthread_mutex_t lock;
	struct list_head entries; /* struct mq_dirent.node, in cookie order */
	int64_t next_cookie;
	uint64_t next_ino;
	int nqueues;
};

extern const struct file_ops mq_file_ops;

/* A new queue inode in sb (+1) with attr (validated by the caller). */
int mq_inode_new(struct super_block *sb, uint32_t mode, const struct vfs_cred *c,
		 const struct linux_mq_attr *attr, struct inode **out);
void mq_queue_free(struct mq_queue *q);

/* The namespace's mqueue mount root (+1 path). */
int mq_ns_root(struct task *t, struct path *out);

#endif
