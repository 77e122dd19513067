/* The IPC namespace: id tables, keys, and the permission rules all three kinds share. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sentry/ipc/internal.h"
#include "sentry/kernel/task.h"

#define CAP_IPC_OWNER 15
#define CAP_SYS_ADMIN 21

/* Guards k->ipc's creation (a namespace is made once per kernel and lives as long). */
static pthread_mutex_t ipc_ns_create_lock = PTHREAD_MUTEX_INITIALIZER;

struct ipc_ns *ipc_ns_peek(struct kernel *k)
{
	return __atomic_load_n(&k->ipc, __ATOMIC_ACQUIRE);
}

struct ipc_ns *ipc_ns_of(struct task *t)
{
	struct ipc_ns *ns = ipc_ns_peek(t->k);

	if (ns)
		return ns;
	pthread_mutex_lock(&ipc_ns_create_lock);
	ns = t->k->ipc;
	if (!ns) {
		ns = calloc(1, sizeof(*ns));
		if (ns) {
			pthread_condattr_t ca;

			pthread_mutex_init(&ns->lock, NULL);
			pthread_condattr_init(&ca);
			pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
			pthread_cond_init(&ns->cv, &ca);
			pthread_condattr_destroy(&ca);
			ns->shm.limit = SHM_MNI;
			ns->sem.limit = IPC_MNI;
			ns->msg.limit = IPC_MNI;
			ns->shm.max_idx = ns->sem.max_idx = ns->msg.max_idx = -1;
			list_init(&ns->undo);
			__atomic_store_n(&t->k->ipc, ns, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&ipc_ns_create_lock);
	return ns;
}

int ipc_ids_add(struct ipc_ids *ids, struct ipc_obj *o)
{
	struct ipc_obj **n;
	int idx, size;

	if (ids->in_use >= ids->limit)
		return -ENOSPC;
	for (idx = 0; idx < ids->nslots && ids->slots[idx]; idx++)
		;
	if (idx == ids->nslots) {
		size = ids->nslots ? ids->nslots * 2 : 16;
		n = realloc(ids->slots, size * sizeof(*n));
		if (!n)
			return -ENOMEM;
		memset(n + ids->nslots, 0, (size - ids->nslots) * sizeof(*n));
		ids->slots = n;
		ids->nslots = size;
	}
	ids->slots[idx] = o;
	ids->in_use++;
	if (idx > ids->max_idx)
		ids->max_idx = idx;
	/* a new seq per object, so a stale id of a removed object does not name this one */
	o->seq = ids->seq;
	ids->seq = (uint16_t)((ids->seq + 1) % (INT32_MAX / IPC_SEQ_MULT));
	o->id = o->seq * IPC_SEQ_MULT + idx;
	return 0;
}

void ipc_ids_remove(struct ipc_ids *ids, struct ipc_obj *o)
{
	int idx = o->id % IPC_SEQ_MULT;

	if (idx >= ids->nslots || ids->slots[idx] != o)
		return;
	ids->slots[idx] = NULL;
	ids->in_use--;
	while (ids->max_idx >= 0 && !ids->slots[ids->max_idx])
		ids->max_idx--;
}

struct ipc_obj *ipc_ids_find(struct ipc_ids *ids, int id, long *err)
{
	struct ipc_obj *o;

	*err = -EINVAL;
	if (id < 0)
		return NULL;
	o = ipc_ids_at(ids, id % IPC_SEQ_MULT);
	if (!o || o->id != id)
		return NULL;
	*err = 0;
	return o;
}

struct ipc_obj *ipc_ids_find_key(struct ipc_ids *ids, int32_t key)
{
	for (int i = 0; i <= ids->max_idx; i++)
		if (ids->slots[i] && ids->slots[i]->key == key)
			return ids->slots[i];
	return NULL;
}

struct ipc_obj *ipc_ids_at(struct ipc_ids *ids, int idx)
{
	if (idx < 0 || idx >= ids->nslots)
		return NULL;
	return ids->slots[idx];
}

int64_t ipc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

int ipc_tgid(struct task *t)
{
	return t->tg->tgid;
}

void ipc_obj_init(struct task *t, struct ipc_obj *o, int32_t key, int flags)
{
	o->key = key;
	o->uid = o->cuid = t->cred->euid;
	o->gid = o->cgid = t->cred->egid;
	o->mode = flags & 0777;
	o->ctime = ipc_now();
}

static bool in_group(const struct cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (uint32_t i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

int ipc_perm_check(struct task *t, const struct ipc_obj *o, int flag)
{
	const struct cred *c = t->cred;
	int requested = (flag >> 6) | (flag >> 3) | flag;
	uint32_t granted = o->mode;

	if (c->euid == o->cuid || c->euid == o->uid)
		granted >>= 6;
	else if (in_group(c, o->cgid) || in_group(c, o->gid))
		granted >>= 3;
	if ((requested & ~granted & 07) && !cred_capable(c, CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

int ipc_owner_check(struct task *t, const struct ipc_obj *o)
{
	const struct cred *c = t->cred;

	if (c->euid == o->cuid || c->euid == o->uid || cred_capable(c, CAP_SYS_ADMIN))
		return 0;
	return -EPERM;
}

void ipc_obj_to_perm(const struct ipc_obj *o, struct linux_ipc64_perm *p)
{
	memset(p, 0, sizeof(*p));
	p->key = o->key;
	p->uid = o->uid;
	p->gid = o->gid;
	p->cuid = o->cuid;
	p->cgid = o->cgid;
	p->mode = o->mode;
	p->seq = o->seq;
}

void ipc_obj_set(struct ipc_obj *o, const struct linux_ipc64_perm *p)
{
	o->uid = p->uid;
	o->gid = p->gid;
	o->mode = (o->mode & ~0777u) | (p->mode & 0777);
	o->ctime = ipc_now();
}

void ipc_exit_group(struct kernel *k, struct thread_group *tg)
{
	struct ipc_ns *ns = ipc_ns_peek(k);

	if (!ns)
		return;
	pthread_mutex_lock(&ns->lock);
	ipc_sem_undo_exit_locked(ns, tg);
	pthread_mutex_unlock(&ns->lock);
}

struct ipc_obj *ipc_ids_ctl_lookup(struct ipc_ids *ids, int id, bool by_index, long *err)
{
	struct ipc_obj *o;

	if (!by_index)
		return ipc_ids_find(ids, id, err);
	o = ipc_ids_at(ids, id);
	*err = o ? 0 : -EINVAL;
	return o;
}
