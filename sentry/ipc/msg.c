/*
 * System V message queues. A queue is a list of messages in send order; receivers
 * pick by type (0: the first, > 0: the first of that type or, with MSG_EXCEPT, of
 * another, < 0: the first of the lowest type <= |type|). Senders sleep while the queue
 * is full (by bytes or by count, both against msg_qbytes), receivers while nothing
 * matches, both on the namespace's condition variable (with the namespace lock).
 * Guest memory is copied outside the lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs/synth/synth.h"
#include "sentry/ipc/internal.h"
#include "sentry/kernel/task.h"

#define MSG_NOERROR 010000
#define MSG_EXCEPT 020000
#define MSG_COPY 040000
#define MSG_STAT 11
#define MSG_INFO 12
#define MSG_STAT_ANY 13
#define CAP_SYS_RESOURCE 24

struct msg {
	struct list_head node;
	int64_t type;
	size_t len;
	char text[];
};

struct msg_queue {
	struct ipc_obj obj;
	struct list_head msgs;
	uint64_t cbytes, qnum, qbytes;
	int64_t stime, rtime;
	int lspid, lrpid;
	int refs; /* the table's (until IPC_RMID) plus one per sleeping task */
	bool removed;
};

static struct msg_queue *queue_of(struct ipc_obj *o)
{
	return (struct msg_queue *)o;
}

static void msg_queue_put_locked(struct msg_queue *q)
{
	struct msg *m, *n;

	if (--q->refs)
		return;
	list_for_each_entry_safe(m, n, &q->msgs, node)
		free(m);
	free(q);
}

long ipc_msgget(struct task *t, int32_t key, int flags)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct msg_queue *q;
	struct ipc_obj *o;
	long ret;

	if (!ns)
		return -ENOMEM;
	pthread_mutex_lock(&ns->lock);
	o = key == IPC_KEY_PRIVATE ? NULL : ipc_ids_find_key(&ns->msg, key);
	if (o) {
		if ((flags & IPC_F_CREAT) && (flags & IPC_F_EXCL))
			ret = -EEXIST;
		else
			ret = ipc_perm_check(t, o, flags) ?: o->id;
		goto out_unlock;
	}
	if (key != IPC_KEY_PRIVATE && !(flags & IPC_F_CREAT)) {
		ret = -ENOENT;
		goto out_unlock;
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	list_init(&q->msgs);
	q->qbytes = MSG_MNB;
	q->refs = 1;
	ipc_obj_init(t, &q->obj, key, flags);
	ret = ipc_ids_add(&ns->msg, &q->obj);
	if (ret) {
		free(q);
		goto out_unlock;
	}
	ret = q->obj.id;
out_unlock:
	pthread_mutex_unlock(&ns->lock);
	return ret;
}

/* Finds q (+1 ref, for a sleep) and checks flag access. Under ns->lock. */
static struct msg_queue *msg_queue_find_locked(struct task *t, struct ipc_ns *ns, int id, int flag,
					       long *err)
{
	struct ipc_obj *o = ipc_ids_find(&ns->msg, id, err);

	if (!o)
		return NULL;
	*err = ipc_perm_check(t, o, flag);
	if (*err)
		return NULL;
	queue_of(o)->refs++;
	return queue_of(o);
}

long ipc_msgsnd(struct task *t, int id, uaddr_t msgp, uint64_t size, int flags)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct msg_queue *q;
	struct msg *m;
	long ret;

	if (!ns)
		return -ENOMEM;
	if (size > MSG_MAX || id < 0)
		return -EINVAL;
	m = malloc(sizeof(*m) + size);
	if (!m)
		return -ENOMEM;
	m->len = size;
	if (task_copy_in(t, msgp, &m->type, sizeof(m->type))) {
		ret = -EFAULT;
		goto out_free;
	}
	if (m->type < 1) {
		ret = -EINVAL;
		goto out_free;
	}
	if (task_copy_in(t, msgp + sizeof(int64_t), m->text, size)) {
		ret = -EFAULT;
		goto out_free;
	}
	pthread_mutex_lock(&ns->lock);
	q = msg_queue_find_locked(t, ns, id, 0222, &ret);
	if (!q)
		goto out_unlock;
	for (;;) {
		if (q->removed) {
			ret = -EIDRM;
			break;
		}
		if (q->cbytes + size <= q->qbytes && q->qnum + 1 <= q->qbytes) {
			list_add_tail(&m->node, &q->msgs);
			q->cbytes += size;
			q->qnum++;
			q->lspid = ipc_tgid(t);
			q->stime = ipc_now();
			pthread_cond_broadcast(&ns->cv);
			m = NULL;
			ret = 0;
			break;
		}
		if (flags & IPC_F_NOWAIT) {
			ret = -EAGAIN;
			break;
		}
		/* never restarted after a handler (signal(7)) */
		ret = task_block(t, &ns->lock, &ns->cv, NULL);
		if (ret && !q->removed)
			break;
	}
	msg_queue_put_locked(q);
out_unlock:
	pthread_mutex_unlock(&ns->lock);
out_free:
	free(m);
	return ret;
}

static struct msg *msg_pick_locked(struct msg_queue *q, int64_t type, int flags)
{
	struct msg *m, *best = NULL;

	list_for_each_entry(m, &q->msgs, node) {
		if (type == 0)
			return m;
		if (type > 0) {
			if ((flags & MSG_EXCEPT) ? m->type != type : m->type == type)
				return m;
		} else if (m->type <= -type && (!best || m->type < best->type)) {
			best = m;
		}
	}
	return best;
}

long ipc_msgrcv(struct task *t, int id, uaddr_t msgp, uint64_t size, int64_t type, int flags)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct msg_queue *q;
	struct msg *m = NULL;
	long ret;

	if (!ns)
		return -ENOMEM;
	if ((int64_t)size < 0 || id < 0)
		return -EINVAL;
	/* MSG_COPY (checkpoint/restore's peek by index) is not supported */
	if (flags & MSG_COPY)
		return -ENOSYS;
	if (type == INT64_MIN)
		type = INT64_MIN + 1;
	pthread_mutex_lock(&ns->lock);
	q = msg_queue_find_locked(t, ns, id, 0444, &ret);
	if (!q)
		goto out_unlock;
	for (;;) {
		if (q->removed) {
			ret = -EIDRM;
			break;
		}
		m = msg_pick_locked(q, type, flags);
		if (m) {
			if (m->len > size && !(flags & MSG_NOERROR)) {
				ret = -E2BIG;
				m = NULL;
				break;
			}
			list_del(&m->node);
			q->cbytes -= m->len;
			q->qnum--;
			q->lrpid = ipc_tgid(t);
			q->rtime = ipc_now();
			pthread_cond_broadcast(&ns->cv);
			ret = 0;
			break;
		}
		if (flags & IPC_F_NOWAIT) {
			ret = -ENOMSG;
			break;
		}
		ret = task_block(t, &ns->lock, &ns->cv, NULL);
		if (ret && !q->removed)
			break;
	}
	msg_queue_put_locked(q);
out_unlock:
	pthread_mutex_unlock(&ns->lock);
	if (!m)
		return ret;
	/* the message is gone from the queue even if the copy faults, as on Linux */
	size = MIN(size, m->len);
	if (task_copy_out(t, msgp, &m->type, sizeof(m->type)) ||
	    task_copy_out(t, msgp + sizeof(int64_t), m->text, size))
		ret = -EFAULT;
	else
		ret = (long)size;
	free(m);
	return ret;
}

static void msg_fill_ds(const struct msg_queue *q, struct linux_msqid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_obj_to_perm(&q->obj, &ds->msg_perm);
	ds->msg_stime = q->stime;
	ds->msg_rtime = q->rtime;
	ds->msg_ctime = q->obj.ctime;
	ds->msg_cbytes = q->cbytes;
	ds->msg_qnum = q->qnum;
	ds->msg_qbytes = q->qbytes;
	ds->msg_lspid = q->lspid;
	ds->msg_lrpid = q->lrpid;
}

static long msg_info(struct task *t, struct ipc_ns *ns, int cmd, uaddr_t buf)
{
	struct linux_msginfo mi = {
		.msgpool = IPC_MNI * MSG_MNB / 1024,
		.msgmap = IPC_MNI * MSG_MNB / 1024,
		.msgmax = MSG_MAX,
		.msgmnb = MSG_MNB,
		.msgmni = IPC_MNI,
		.msgssz = 16,
		.msgtql = IPC_MNI * MSG_MNB / 1024,
		.msgseg = 0xffff,
	};
	long ret;

	pthread_mutex_lock(&ns->lock);
	if (cmd == MSG_INFO) {
		mi.msgpool = ns->msg.in_use;
		mi.msgmap = mi.msgtql = 0;
		for (int i = 0; i <= ns->msg.max_idx; i++) {
			struct msg_queue *q = (struct msg_queue *)ns->msg.slots[i];

			if (q) {
				mi.msgmap += (int32_t)q->qnum;
				mi.msgtql += (int32_t)q->cbytes;
			}
		}
	}
	ret = MAX(ns->msg.max_idx, 0);
	pthread_mutex_unlock(&ns->lock);
	return task_copy_out(t, buf, &mi, sizeof(mi)) ?: ret;
}

long ipc_msgctl(struct task *t, int id, int cmd, uaddr_t buf)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct linux_msqid64_ds ds;
	struct msg_queue *q;
	struct ipc_obj *o;
	long ret;

	if (!ns)
		return -ENOMEM;
	if (id < 0 || cmd < 0)
		return -EINVAL;
	if (cmd == IPC_C_INFO || cmd == MSG_INFO)
		return msg_info(t, ns, cmd, buf);
	if (cmd == IPC_C_SET && task_copy_in(t, buf, &ds, sizeof(ds)))
		return -EFAULT;
	pthread_mutex_lock(&ns->lock);
	o = ipc_ids_ctl_lookup(&ns->msg, id, cmd == MSG_STAT || cmd == MSG_STAT_ANY, &ret);
	if (!o)
		goto out_unlock;
	q = queue_of(o);
	switch (cmd) {
	case IPC_C_STAT:
	case MSG_STAT:
	case MSG_STAT_ANY:
		ret = cmd == MSG_STAT_ANY ? 0 : ipc_perm_check(t, o, 0444);
		if (ret)
			break;
		msg_fill_ds(q, &ds);
		ret = cmd == IPC_C_STAT ? 0 : o->id;
		break;
	case IPC_C_SET:
		ret = ipc_owner_check(t, o);
		if (!ret && ds.msg_qbytes > MSG_MNB && !cred_capable(t->cred, CAP_SYS_RESOURCE))
			ret = -EPERM;
		if (ret)
			break;
		ipc_obj_set(o, &ds.msg_perm);
		q->qbytes = ds.msg_qbytes;
		pthread_cond_broadcast(&ns->cv);
		break;
	case IPC_C_RMID:
		ret = ipc_owner_check(t, o);
		if (ret)
			break;
		ipc_ids_remove(&ns->msg, o);
		q->removed = true;
		pthread_cond_broadcast(&ns->cv);
		msg_queue_put_locked(q);
		break;
	default:
		ret = -EINVAL;
	}
out_unlock:
	pthread_mutex_unlock(&ns->lock);
	if (ret >= 0 && (cmd == IPC_C_STAT || cmd == MSG_STAT || cmd == MSG_STAT_ANY) &&
	    task_copy_out(t, buf, &ds, sizeof(ds)))
		ret = -EFAULT;
	return ret;
}

void ipc_msg_proc_show(struct ipc_ns *ns, struct synth_buf *b)
{
	synth_puts(
		b,
		"       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid"
		"  cgid      stime      rtime      ctime\n");
	pthread_mutex_lock(&ns->lock);
	for (int i = 0; i <= ns->msg.max_idx; i++) {
		struct msg_queue *q = ns->msg.slots[i] ? queue_of(ns->msg.slots[i]) : NULL;

		if (!q)
			continue;
		synth_printf(
			b,
			"%10d %10d  %4o  %10lu %10lu %5u %5u %5u %5u %5u %5u %10lld %10lld %10lld\n",
			q->obj.key, q->obj.id, q->obj.mode, (unsigned long)q->cbytes,
			(unsigned long)q->qnum, q->lspid, q->lrpid, q->obj.uid, q->obj.gid,
			q->obj.cuid, q->obj.cgid, (long long)q->stime, (long long)q->rtime,
			(long long)q->obj.ctime);
	}
	pthread_mutex_unlock(&ns->lock);
}
