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
}
