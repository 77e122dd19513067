/* Credentials: the set*id family, setgroups, capget/capset (Linux's permission rules). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/task.h"
#include "sentry/syscalls/syscalls.h"

#define CAP_SETGID 6
#define CAP_SETUID 7
#define CAP_SETPCAP 8
#define ID_KEEP ((uint32_t)-1)

#define LINUX_CAPABILITY_VERSION_1 0x19980330
#define LINUX_CAPABILITY_VERSION_2 0x20071026
#define LINUX_CAPABILITY_VERSION_3 0x20080522

/* The uid or gid triple (real, effective, saved) and the fs id of a cred. */
struct ids {
	uint32_t *r, *e, *s, *fs;
};

static struct ids cred_ids(struct cred *c, bool gid)
{
	if (gid)
		return (struct ids){ &c->gid, &c->egid, &c->sgid, &c->fsgid };
	return (struct ids){ &c->uid, &c->euid, &c->suid, &c->fsuid };
}

static bool id_is_current(const struct ids *o, uint32_t id)
{
	return id == *o->r || id == *o->e || id == *o->s;
}

/* setresuid/setresgid, the general form: ID_KEEP leaves one unchanged. */
static long set_res(struct task *t, bool gid, uint32_t r, uint32_t e, uint32_t s)
{
	struct cred *n = cred_dup(t->cred, t->cred->ngroups);
	struct ids o = cred_ids(t->cred, gid), ni;

	if (!n)
		return -ENOMEM;
	ni = cred_ids(n, gid);
	if (!cred_capable(t->cred, gid ? CAP_SETGID : CAP_SETUID) &&
	    ((r != ID_KEEP && !id_is_current(&o, r)) || (e != ID_KEEP && !id_is_current(&o, e)) ||
	     (s != ID_KEEP && !id_is_current(&o, s)))) {
		cred_put(n);
		return -EPERM;
	}
	if (r != ID_KEEP)
		*ni.r = r;
	if (e != ID_KEEP)
		*ni.e = e;
	if (s != ID_KEEP)
		*ni.s = s;
	*ni.fs = *ni.e;
	task_commit_cred(t, n, !gid);
	return 0;
}

long sys_setresuid(struct task *t, const struct sysargs *a)
{
	return set_res(t, false, sysarg_uint(a, 0), sysarg_uint(a, 1), sysarg_uint(a, 2));
}

long sys_setresgid(struct task *t, const struct sysargs *a)
{
	return set_res(t, true, sysarg_uint(a, 0), sysarg_uint(a, 1), sysarg_uint(a, 2));
}

/* setreuid/setregid: the real id may become the effective one, the effective any of the
 * three; the saved id follows the new effective one when the real one is set or the
 * effective one moves off the old real id. */
static long set_re(struct task *t, bool gid, uint32_t r, uint32_t e)
{
	struct ids o = cred_ids(t->cred, gid);
	bool priv = cred_capable(t->cred, gid ? CAP_SETGID : CAP_SETUID);
	uint32_t s = ID_KEEP;

	if (!priv) {
		if (r != ID_KEEP && r != *o.r && r != *o.e)
			return -EPERM;
		if (e != ID_KEEP && !id_is_current(&o, e))
			return -EPERM;
	}
	if (r != ID_KEEP || (e != ID_KEEP && e != *o.r))
		s = e != ID_KEEP ? e : *o.e;
	/* The checks are done: set_res must not apply its own (stricter) ones. */
	{
		struct cred *n = cred_dup(t->cred, t->cred->ngroups);
		struct ids ni;

		if (!n)
			return -ENOMEM;
		ni = cred_ids(n, gid);
		if (r != ID_KEEP)
			*ni.r = r;
		if (e != ID_KEEP)
			*ni.e = e;
		if (s != ID_KEEP)
			*ni.s = s;
		*ni.fs = *ni.e;
		task_commit_cred(t, n, !gid);
	}
	return 0;
}

long sys_setreuid(struct task *t, const struct sysargs *a)
{
	return set_re(t, false, sysarg_uint(a, 0), sysarg_uint(a, 1));
}

long sys_setregid(struct task *t, const struct sysargs *a)
{
	return set_re(t, true, sysarg_uint(a, 0), sysarg_uint(a, 1));
}

/* setuid/setgid: privileged, all four ids; otherwise the effective (and fs) id becomes
 * the real or saved one. */
static long set_one(struct task *t, bool gid, uint32_t id)
{
	struct ids o = cred_ids(t->cred, gid);

	if (id == ID_KEEP)
		return -EINVAL;
	if (cred_capable(t->cred, gid ? CAP_SETGID : CAP_SETUID))
		return set_res(t, gid, id, id, id);
	if (id != *o.r && id != *o.s)
		return -EPERM;
	return set_res(t, gid, ID_KEEP, id, ID_KEEP);
}

long sys_setuid(struct task *t, const struct sysargs *a)
{
	return set_one(t, false, sysarg_uint(a, 0));
}

long sys_setgid(struct task *t, const struct sysargs *a)
{
	return set_one(t, true, sysarg_uint(a, 0));
}

/* setfsuid/setfsgid: always the old fs id; the change needs privilege or a current id. */
static long set_fs(struct task *t, bool gid, uint32_t id)
{
	struct ids o = cred_ids(t->cred, gid);
	uint32_t old = *o.fs;
	struct cred *n;

	if (id == ID_KEEP)
		return old;
	if (!cred_capable(t->cred, gid ? CAP_SETGID : CAP_SETUID) && !id_is_current(&o, id) &&
	    id != *o.fs)
		return old;
	if (id == old)
		return old;
	n = cred_dup(t->cred, t->cred->ngroups);
	if (!n)
		return old;
	*cred_ids(n, gid).fs = id;
	task_commit_cred(t, n, !gid);
	return old;
}

long sys_setfsuid(struct task *t, const struct sysargs *a)
{
	return set_fs(t, false, sysarg_uint(a, 0));
}

long sys_setfsgid(struct task *t, const struct sysargs *a)
{
	return set_fs(t, true, sysarg_uint(a, 0));
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

long sys_setgroups(struct task *t, const struct sysargs *a)
{
	int size = sysarg_int(a, 0);
	struct cred *n;
	int err;

	if (size < 0 || size > CRED_MAX_GROUPS)
		return -EINVAL;
	if (!cred_capable(t->cred, CAP_SETGID))
		return -EPERM;
	n = cred_dup(t->cred, (uint32_t)size);
	if (!n)
		return -ENOMEM;
	err = task_copy_in(t, sysarg_addr(a, 1), n->groups, (size_t)size * sizeof(uint32_t));
	if (err) {
		cred_put(n);
		return err;
	}
	qsort(n->groups, (size_t)size, sizeof(uint32_t), cmp_u32);
	task_commit_cred(t, n, false);
	return 0;
}

struct linux_cap_header {
	uint32_t version;
	int32_t pid;
};

struct linux_cap_data {
	uint32_t effective, permitted, inheritable;
};

/* The header's version: how many data words it uses, or -EINVAL after telling the guest
 * the version we prefer, as Linux does. */
static int cap_words(struct task *t, uaddr_t hdr, struct linux_cap_header *h)
{
	int err = task_copy_in(t, hdr, h, sizeof(*h));

	if (err)
		return err;
	switch (h->version) {
	case LINUX_CAPABILITY_VERSION_1:
		return 1;
	case LINUX_CAPABILITY_VERSION_2:
	case LINUX_CAPABILITY_VERSION_3:
		return 2;
	default:
		h->version = LINUX_CAPABILITY_VERSION_3;
		err = task_copy_out(t, hdr, &h->version, sizeof(h->version));
		return err ? err : -EINVAL;
	}
}

long sys_capget(struct task *t, const struct sysargs *a)
{
	struct linux_cap_header h;
	struct linux_cap_data d[2];
	uint64_t eff, perm, inh;
	int words = cap_words(t, sysarg_addr(a, 0), &h);

	if (words < 0)
		return words;
	if (!sysarg_addr(a, 1))
		return 0;
	if (h.pid < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	{
		struct task *o = h.pid ? kernel_find_task(t->k, h.pid) : t;

		if (!o || !o->cred || o->zombie) {
			pthread_mutex_unlock(&t->k->lock);
			return -ESRCH;
		}
		eff = o->cred->cap_effective;
		perm = o->cred->cap_permitted;
		inh = o->cred->cap_inheritable;
	}
	pthread_mutex_unlock(&t->k->lock);
	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(eff >> (32 * i));
		d[i].permitted = (uint32_t)(perm >> (32 * i));
		d[i].inheritable = (uint32_t)(inh >> (32 * i));
	}
	return task_copy_out(t, sysarg_addr(a, 1), d, (size_t)words * sizeof(d[0]));
}

long sys_capset(struct task *t, const struct sysargs *a)
{
	struct linux_cap_header h;
	struct linux_cap_data d[2] = { 0 };
	const struct cred *c = t->cred;
	uint64_t eff = 0, perm = 0, inh = 0;
	struct cred *n;
	int words = cap_words(t, sysarg_addr(a, 0), &h), err;

	if (words < 0)
		return words;
	if (h.pid != 0 && h.pid != t->tid)
		return -EPERM;
	err = task_copy_in(t, sysarg_addr(a, 1), d, (size_t)words * sizeof(d[0]));
	if (err)
		return err;
	for (int i = 0; i < words; i++) {
		eff |= (uint64_t)d[i].effective << (32 * i);
		perm |= (uint64_t)d[i].permitted << (32 * i);
		inh |= (uint64_t)d[i].inheritable << (32 * i);
	}
	if (words == 1) { /* version 1 leaves the upper capabilities as they are */
		eff |= c->cap_effective & ~0xffffffffULL;
		perm |= c->cap_permitted & ~0xffffffffULL;
		inh |= c->cap_inheritable & ~0xffffffffULL;
	}
	/* Linux's cap_capset(): nothing gained, effective within permitted. */
	if (!cred_capable(c, CAP_SETPCAP) && (inh & ~(c->cap_inheritable | c->cap_permitted)))
		return -EPERM;
	if (inh & ~(c->cap_inheritable | c->cap_bounding))
		return -EPERM;
	if (perm & ~c->cap_permitted)
		return -EPERM;
	if (eff & ~perm)
		return -EPERM;
	n = cred_dup(c, c->ngroups);
	if (!n)
		return -ENOMEM;
	n->cap_effective = eff;
	n->cap_permitted = perm;
	n->cap_inheritable = inh;
	task_commit_cred(t, n, false);
	return 0;
}
