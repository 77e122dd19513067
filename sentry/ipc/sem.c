/*
 * System V semaphores. semop applies all of its operations at once or none: a caller
 * that cannot proceed sleeps on the namespace's condition variable (with the namespace
 * lock) and retries whenever a value changes. SEM_UNDO adjustments are kept
 * per process and set (struct sem_undo) and applied when the process's last thread exits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs/synth/synth.h"
#include "sentry/ipc/internal.h"
#include "sentry/kernel/task.h"

#define SEM_UNDO 0x1000
#define GETPID 11
#define GETVAL 12
#define GETALL 13
#define GETNCNT 14
#define GETZCNT 15
#define SETVAL 16
#define SETALL 17
#define SEM_STAT 18
#define SEM_INFO 19
#define SEM_STAT_ANY 20

struct sem {
	int val;
	int pid; /* the last process to change it */
};

struct sem_set {
	struct ipc_obj obj;
	int nsems;
	int64_t otime;
	struct list_head waiters; /* struct sem_waiter.node */
	int refs; /* the table's (until IPC_RMID) plus one per sleeping task */
	bool removed;
	struct sem sems[];
};

/* A task sleeping in semop, counted by GETNCNT / GETZCNT. */
struct sem_waiter {
	struct list_head node;
	int num; /* the semaphore it waits on */
	bool zero; /* for it to become 0 (else to grow) */
};

/* One process's adjustments for one set. */
struct sem_undo {
	struct list_head ns_node;
	struct thread_group *tg;
	int semid;
	int nsems;
	int adj[];
};

static struct sem_set *set_of(struct ipc_obj *o)
{
	return (struct sem_set *)o;
}

static void sem_set_put_locked(struct sem_set *s)
{
	if (--s->refs == 0)
		free(s);
}

static void sem_undo_drop_set_locked(struct ipc_ns *ns, int semid)
{
	struct sem_undo *u, *n;

	list_for_each_entry_safe(u, n, &ns->undo, ns_node) {
		if (u->semid == semid) {
			list_del(&u->ns_node);
			free(u);
		}
	}
}

static void sem_rmid_locked(struct ipc_ns *ns, struct sem_set *s)
{
	ipc_ids_remove(&ns->sem, &s->obj);
	ns->sem_total -= s->nsems;
	sem_undo_drop_set_locked(ns, s->obj.id);
	s->removed = true;
	pthread_cond_broadcast(&ns->cv);
	sem_set_put_locked(s);
}

long ipc_semget(struct task *t, int32_t key, int nsems, int flags)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct sem_set *s;
	struct ipc_obj *o;
	long ret;

	if (!ns)
		return -ENOMEM;
	if (nsems < 0 || nsems > SEM_MSL)
		return -EINVAL;
	pthread_mutex_lock(&ns->lock);
	o = key == IPC_KEY_PRIVATE ? NULL : ipc_ids_find_key(&ns->sem, key);
	if (o) {
		if ((flags & IPC_F_CREAT) && (flags & IPC_F_EXCL))
			ret = -EEXIST;
		else if (nsems > set_of(o)->nsems)
			ret = -EINVAL;
		else
			ret = ipc_perm_check(t, o, flags) ?: o->id;
		goto out_unlock;
	}
	if (key != IPC_KEY_PRIVATE && !(flags & IPC_F_CREAT)) {
		ret = -ENOENT;
		goto out_unlock;
	}
	if (nsems == 0) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (ns->sem_total + nsems > SEM_MNS) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	s = calloc(1, sizeof(*s) + nsems * sizeof(s->sems[0]));
	if (!s) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	list_init(&s->waiters);
	s->nsems = nsems;
	s->refs = 1;
	ipc_obj_init(t, &s->obj, key, flags);
	ret = ipc_ids_add(&ns->sem, &s->obj);
	if (ret) {
		free(s);
		goto out_unlock;
	}
	ns->sem_total += nsems;
	ret = s->obj.id;
out_unlock:
	pthread_mutex_unlock(&ns->lock);
	return ret;
}

static struct sem_undo *sem_undo_find_locked(struct ipc_ns *ns, struct thread_group *tg,
					     struct sem_set *s, bool create)
{
	struct sem_undo *u;

	list_for_each_entry(u, &ns->undo, ns_node)
		if (u->tg == tg && u->semid == s->obj.id)
			return u;
	if (!create)
		return NULL;
	u = calloc(1, sizeof(*u) + s->nsems * sizeof(u->adj[0]));
	if (!u)
		return NULL;
	u->tg = tg;
	u->semid = s->obj.id;
	u->nsems = s->nsems;
	list_add_tail(&u->ns_node, &ns->undo);
	return u;
}

/*
 * Tries sops on s all at once. 0 (done), -EAGAIN with *block set to the operation that
 * must wait, -ERANGE (a value or an undo adjustment out of range).
 */
static int sem_try_locked(struct sem_set *s, const struct linux_sembuf *sops, size_t nsops,
			  struct sem_undo *u, int pid, const struct linux_sembuf **block)
{
	int vals[nsops];

	for (size_t i = 0; i < nsops; i++) {
		const struct linux_sembuf *op = &sops[i];
		int v = s->sems[op->sem_num].val;

		/* an earlier op on the same semaphore in this call counts */
		for (size_t j = 0; j < i; j++)
			if (sops[j].sem_num == op->sem_num)
				v = vals[j];
		if (op->sem_op == 0 ? v != 0 : v + op->sem_op < 0) {
			*block = op;
			return -EAGAIN;
		}
		v += op->sem_op;
		if (v > SEM_VMX)
			return -ERANGE;
		vals[i] = v;
		if ((op->sem_flg & SEM_UNDO) && u) {
			int a = u->adj[op->sem_num] - op->sem_op;

			for (size_t j = 0; j < i; j++)
				if (sops[j].sem_num == op->sem_num && (sops[j].sem_flg & SEM_UNDO))
					a -= sops[j].sem_op;
			if (a < -(SEM_AEM + 1) || a > SEM_AEM)
				return -ERANGE;
		}
	}
	for (size_t i = 0; i < nsops; i++) {
		s->sems[sops[i].sem_num].val = vals[i];
		s->sems[sops[i].sem_num].pid = pid;
		if ((sops[i].sem_flg & SEM_UNDO) && u)
			u->adj[sops[i].sem_num] -= sops[i].sem_op;
	}
	return 0;
}

static int sem_timeout(struct task *t, uaddr_t uts, struct timespec *abs)
{
	struct linux_timespec lt;
	struct timespec now;
	int64_t ns;

	if (task_copy_in(t, uts, &lt, sizeof(lt)))
		return -EFAULT;
	if (lt.tv_sec < 0 || lt.tv_nsec < 0 || lt.tv_nsec >= 1000000000)
		return -EINVAL;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = now.tv_nsec + lt.tv_nsec;
	abs->tv_sec =
		now.tv_sec + (lt.tv_sec > INT32_MAX ? INT32_MAX : lt.tv_sec) + ns / 1000000000;
	abs->tv_nsec = ns % 1000000000;
	return 0;
}

long ipc_semtimedop(struct task *t, int id, uaddr_t usops, uint64_t nsops, uaddr_t uts)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	const struct linux_sembuf *block;
	struct linux_sembuf *sops;
	struct timespec abs, *absp = NULL;
	struct sem_undo *u = NULL;
	struct sem_waiter w;
	struct sem_set *s;
	struct ipc_obj *o;
	bool alter = false, undo = false;
	uint16_t max = 0;
	long ret;

	if (!ns)
		return -ENOMEM;
	if (id < 0 || nsops < 1)
		return -EINVAL;
	if (nsops > SEM_OPM)
		return -E2BIG;
	sops = malloc(nsops * sizeof(*sops));
	if (!sops)
		return -ENOMEM;
	ret = task_copy_in(t, usops, sops, nsops * sizeof(*sops));
	if (!ret && uts)
		ret = sem_timeout(t, uts, &abs);
	if (ret)
		goto out_free;
	if (uts)
		absp = &abs;
	for (size_t i = 0; i < nsops; i++) {
		max = MAX(max, sops[i].sem_num);
		alter |= sops[i].sem_op != 0;
		undo |= (sops[i].sem_flg & SEM_UNDO) != 0;
	}
	pthread_mutex_lock(&ns->lock);
	o = ipc_ids_find(&ns->sem, id, &ret);
	if (!o)
		goto out_unlock;
	s = set_of(o);
	if (max >= s->nsems) {
		ret = -EFBIG;
		goto out_unlock;
	}
	ret = ipc_perm_check(t, o, alter ? 0222 : 0444);
	if (ret)
		goto out_unlock;
	if (undo) {
		u = sem_undo_find_locked(ns, t->tg, s, true);
		if (!u) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	}
	s->refs++;
	for (;;) {
		ret = sem_try_locked(s, sops, nsops, u, ipc_tgid(t), &block);
		if (ret != -EAGAIN)
			break;
		if (block->sem_flg & IPC_F_NOWAIT)
			break;
		w.num = block->sem_num;
		w.zero = block->sem_op == 0;
		list_add_tail(&w.node, &s->waiters);
		ret = task_block(t, &ns->lock, &ns->cv, absp);
		list_del(&w.node);
		if (s->removed) {
			ret = -EIDRM;
			break;
		}
		/* semop is never restarted after a signal handler (signal(7)) */
		if (ret == -ETIMEDOUT) {
			ret = -EAGAIN;
			break;
		}
		if (ret == -EINTR)
			break;
	}
	if (ret == 0) {
		s->otime = ipc_now();
		if (alter)
			pthread_cond_broadcast(&ns->cv);
	}
	sem_set_put_locked(s);
out_unlock:
	pthread_mutex_unlock(&ns->lock);
out_free:
	free(sops);
	return ret;
}

void ipc_sem_undo_exit_locked(struct ipc_ns *ns, struct thread_group *tg)
{
	struct sem_undo *u, *n;
	struct sem_set *s;
	struct ipc_obj *o;
	long err;

	list_for_each_entry_safe(u, n, &ns->undo, ns_node) {
		if (u->tg != tg)
			continue;
		o = ipc_ids_find(&ns->sem, u->semid, &err);
		if (o) {
			s = set_of(o);
			for (int i = 0; i < u->nsems && i < s->nsems; i++) {
				if (!u->adj[i])
					continue;
				/* clamped, as Linux does, rather than failing */
				s->sems[i].val = MIN(MAX(s->sems[i].val + u->adj[i], 0), SEM_VMX);
				s->sems[i].pid = tg->tgid;
			}
			pthread_cond_broadcast(&ns->cv);
		}
		list_del(&u->ns_node);
		free(u);
	}
}

/* SETVAL / SETALL: every process's adjustment for the changed semaphores is cleared. */
static void sem_undo_clear_locked(struct ipc_ns *ns, int semid, int num)
{
	struct sem_undo *u;

	list_for_each_entry(u, &ns->undo, ns_node) {
		if (u->semid != semid)
			continue;
		if (num < 0)
			memset(u->adj, 0, u->nsems * sizeof(u->adj[0]));
		else if (num < u->nsems)
			u->adj[num] = 0;
	}
}

static int sem_count_locked(struct sem_set *s, int num, bool zero)
{
	struct sem_waiter *w;
	int n = 0;

	list_for_each_entry(w, &s->waiters, node)
		n += w->num == num && w->zero == zero;
	return n;
}

static void sem_fill_ds(const struct sem_set *s, struct linux_semid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_obj_to_perm(&s->obj, &ds->sem_perm);
	ds->sem_otime = s->otime;
	ds->sem_ctime = s->obj.ctime;
	ds->sem_nsems = s->nsems;
}

static long sem_info(struct task *t, struct ipc_ns *ns, int cmd, uaddr_t buf)
{
	struct linux_seminfo si = {
		.semmap = SEM_MNS,
		.semmni = IPC_MNI,
		.semmns = SEM_MNS,
		.semmnu = SEM_MNS,
		.semmsl = SEM_MSL,
		.semopm = SEM_OPM,
		.semume = SEM_OPM,
		.semusz = 20,
		.semvmx = SEM_VMX,
		.semaem = SEM_AEM,
	};
	long ret;

	pthread_mutex_lock(&ns->lock);
	if (cmd == SEM_INFO) {
		si.semusz = ns->sem.in_use;
		si.semaem = ns->sem_total;
	}
	ret = MAX(ns->sem.max_idx, 0);
	pthread_mutex_unlock(&ns->lock);
	return task_copy_out(t, buf, &si, sizeof(si)) ?: ret;
}

long ipc_semctl(struct task *t, int id, int num, int cmd, uint64_t arg)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct linux_semid64_ds ds;
	uint16_t *vals = NULL;
	struct sem_set *s;
	struct ipc_obj *o;
	int nsems = 0;
	long ret;

	if (!ns)
		return -ENOMEM;
	if (id < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_C_INFO:
	case SEM_INFO:
		return sem_info(t, ns, cmd, arg);
	case IPC_C_SET:
		if (task_copy_in(t, arg, &ds, sizeof(ds)))
			return -EFAULT;
		break;
	case SETALL:
		/* copied before the lock: the count is rechecked under it */
		pthread_mutex_lock(&ns->lock);
		o = ipc_ids_find(&ns->sem, id, &ret);
		nsems = o ? set_of(o)->nsems : 0;
		pthread_mutex_unlock(&ns->lock);
		if (!o)
			return ret;
		vals = malloc(nsems * sizeof(*vals));
		if (!vals)
			return -ENOMEM;
		if (task_copy_in(t, arg, vals, nsems * sizeof(*vals))) {
			free(vals);
			return -EFAULT;
		}
		break;
	}
	pthread_mutex_lock(&ns->lock);
	o = ipc_ids_ctl_lookup(&ns->sem, id, cmd == SEM_STAT || cmd == SEM_STAT_ANY, &ret);
	if (!o)
		goto out_unlock;
	s = set_of(o);
	switch (cmd) {
	case IPC_C_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		ret = cmd == SEM_STAT_ANY ? 0 : ipc_perm_check(t, o, 0444);
		if (ret)
			break;
		sem_fill_ds(s, &ds);
		ret = cmd == IPC_C_STAT ? 0 : o->id;
		break;
	case IPC_C_SET:
		ret = ipc_owner_check(t, o);
		if (!ret)
			ipc_obj_set(o, &ds.sem_perm);
		break;
	case IPC_C_RMID:
		ret = ipc_owner_check(t, o);
		if (!ret)
			sem_rmid_locked(ns, s);
		break;
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
		if (num < 0 || num >= s->nsems) {
			ret = -EINVAL;
			break;
		}
		ret = ipc_perm_check(t, o, 0444);
		if (ret)
			break;
		if (cmd == GETVAL)
			ret = s->sems[num].val;
		else if (cmd == GETPID)
			ret = s->sems[num].pid;
		else
			ret = sem_count_locked(s, num, cmd == GETZCNT);
		break;
	case GETALL:
		ret = ipc_perm_check(t, o, 0444);
		if (ret)
			break;
		nsems = s->nsems;
		vals = malloc(nsems * sizeof(*vals));
		if (!vals) {
			ret = -ENOMEM;
			break;
		}
		for (int i = 0; i < nsems; i++)
			vals[i] = (uint16_t)s->sems[i].val;
		break;
	case SETVAL:
		if (num < 0 || num >= s->nsems) {
			ret = -EINVAL;
			break;
		}
		if ((int)arg < 0 || (int)arg > SEM_VMX) {
			ret = -ERANGE;
			break;
		}
		ret = ipc_perm_check(t, o, 0222);
		if (ret)
			break;
		s->sems[num].val = (int)arg;
		s->sems[num].pid = ipc_tgid(t);
		s->obj.ctime = ipc_now();
		sem_undo_clear_locked(ns, o->id, num);
		pthread_cond_broadcast(&ns->cv);
		break;
	case SETALL:
		if (nsems != s->nsems) {
			ret = -EINVAL; /* not the set it was: removed and replaced */
			break;
		}
		ret = ipc_perm_check(t, o, 0222);
		for (int i = 0; !ret && i < nsems; i++)
			if (vals[i] > SEM_VMX)
				ret = -ERANGE;
		if (ret)
			break;
		for (int i = 0; i < nsems; i++) {
			s->sems[i].val = vals[i];
			s->sems[i].pid = ipc_tgid(t);
		}
		s->obj.ctime = ipc_now();
		sem_undo_clear_locked(ns, o->id, -1);
		pthread_cond_broadcast(&ns->cv);
		break;
	default:
		ret = -EINVAL;
	}
out_unlock:
	pthread_mutex_unlock(&ns->lock);
	if (!ret && (cmd == IPC_C_STAT) && task_copy_out(t, arg, &ds, sizeof(ds)))
		ret = -EFAULT;
	if (ret >= 0 && (cmd == SEM_STAT || cmd == SEM_STAT_ANY) &&
	    task_copy_out(t, arg, &ds, sizeof(ds)))
		ret = -EFAULT;
	if (!ret && cmd == GETALL && task_copy_out(t, arg, vals, nsems * sizeof(*vals)))
		ret = -EFAULT;
	free(vals);
	return ret;
}

void ipc_sem_proc_show(struct ipc_ns *ns, struct synth_buf *b)
{
	synth_puts(
		b,
		"       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
	pthread_mutex_lock(&ns->lock);
	for (int i = 0; i <= ns->sem.max_idx; i++) {
		struct sem_set *s = ns->sem.slots[i] ? set_of(ns->sem.slots[i]) : NULL;

		if (!s)
			continue;
		synth_printf(b, "%10d %10d  %4o %10u %5u %5u %5u %5u %10lld %10lld\n", s->obj.key,
			     s->obj.id, s->obj.mode, s->nsems, s->obj.uid, s->obj.gid, s->obj.cuid,
			     s->obj.cgid, (long long)s->otime, (long long)s->obj.ctime);
	}
	pthread_mutex_unlock(&ns->lock);
}
