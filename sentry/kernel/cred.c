/* Credentials: immutable once shared; a change makes a new struct cred. */
#include <stdlib.h>
#include <string.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/task.h"

#define CAP_FULL_SET ((1ULL << 41) - 1) /* CAP_CHOWN .. CAP_CHECKPOINT_RESTORE */

struct cred *cred_new_root(void)
{
	struct cred *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	ref_init(&c->ref);
	c->cap_effective = c->cap_permitted = c->cap_bounding = CAP_FULL_SET;
	return c;
}

void cred_get(struct cred *c)
{
	ref_get(&c->ref);
}

void cred_put(struct cred *c)
{
	if (c && ref_put(&c->ref))
		free(c);
}

static bool has_cap(const struct cred *c, int cap)
{
	return c->cap_effective & (1ULL << cap);
}

void task_vfs_cred(struct task *t, struct vfs_cred *out)
{
	const struct cred *c = t->cred;

	memset(out, 0, sizeof(*out));
	out->fsuid = c->fsuid;
	out->fsgid = c->fsgid;
	out->ngroups = c->ngroups;
	out->groups = c->groups;
	out->cap_chown = has_cap(c, 0);
	out->cap_dac_override = has_cap(c, 1);
	out->cap_dac_read_search = has_cap(c, 2);
	out->cap_fowner = has_cap(c, 3);
	out->cap_fsetid = has_cap(c, 4);
	out->cap_mknod = has_cap(c, 27);
}

/* ---- changing credentials (set*id, setgroups, capset) ---- */

/* Capabilities that follow the fs uid (Linux's CAP_FS_MASK). */
#define CAP_FS_MASK                                                                          \
	((1ULL << 0) | (1ULL << 1) | (1ULL << 2) | (1ULL << 3) | (1ULL << 4) | (1ULL << 9) | \
	 (1ULL << 27) | (1ULL << 32))

struct cred *cred_dup(const struct cred *c, uint32_t ngroups)
{
	struct cred *n = malloc(sizeof(*n) + ngroups * sizeof(uint32_t));

	if (!n)
		return NULL;
	memcpy(n, c, sizeof(*n));
	ref_init(&n->ref);
	n->ngroups = ngroups;
	if (ngroups && ngroups == c->ngroups)
		memcpy(n->groups, c->groups, ngroups * sizeof(uint32_t));
	return n;
}

bool cred_capable(const struct cred *c, int cap)
{
	return has_cap(c, cap);
}

/* Linux's cap_task_fix_setuid(): root-ness lost or regained moves the capabilities. */
static void cred_fix_caps(const struct cred *old, struct cred *n)
{
	if ((old->uid == 0 || old->euid == 0 || old->suid == 0) &&
	    (n->uid != 0 && n->euid != 0 && n->suid != 0)) {
		n->cap_permitted = 0;
		n->cap_effective = 0;
	}
	if (old->euid == 0 && n->euid != 0)
		n->cap_effective = 0;
	if (old->euid != 0 && n->euid == 0)
		n->cap_effective = n->cap_permitted;
	if (old->fsuid == 0 && n->fsuid != 0)
		n->cap_effective &= ~CAP_FS_MASK;
	if (old->fsuid != 0 && n->fsuid == 0)
		n->cap_effective |= n->cap_permitted & CAP_FS_MASK;
}

void task_commit_cred(struct task *t, struct cred *n, bool fix_caps)
{
	struct cred *old = t->cred;

	if (fix_caps)
		cred_fix_caps(old, n);
	/* Linux: a task whose identity changed may no longer be dumped or get its parent's
	 * death signal. */
	if (old->euid != n->euid || old->egid != n->egid || old->fsuid != n->fsuid ||
	    old->fsgid != n->fsgid) {
		t->tg->dumpable = false;
		t->pdeathsig = 0;
	}
	pthread_mutex_lock(&t->k->lock);
	t->cred = n;
	pthread_mutex_unlock(&t->k->lock);
	cred_put(old);
}
