/*
 * The registry of filesystem types mount(2) can name. Types register once at boot
 * (before any guest runs) and never go away, so lookups need no references.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "fs/vfs/vfs.h"

#define MAX_FSTYPES 32

static const struct fs_type *types[MAX_FSTYPES];
static int ntypes;
static pthread_mutex_t types_lock = PTHREAD_MUTEX_INITIALIZER;

int vfs_register_fstype(const struct fs_type *t)
{
	int err = 0;

	pthread_mutex_lock(&types_lock);
	for (int i = 0; i < ntypes; i++) {
		if (strcmp(types[i]->name, t->name) == 0)
			err = -EEXIST;
	}
	if (!err && ntypes == MAX_FSTYPES)
		err = -ENOSPC;
	if (!err)
		types[ntypes++] = t;
	pthread_mutex_unlock(&types_lock);
	return err;
}

const struct fs_type *vfs_fstype_lookup(const char *name)
{
	const struct fs_type *found = NULL;

	pthread_mutex_lock(&types_lock);
	for (int i = 0; i < ntypes && !found; i++) {
		if (strcmp(types[i]->name, name) == 0)
			found = types[i];
	}
	pthread_mutex_unlock(&types_lock);
	return found;
}

void vfs_fstype_iterate(void (*fn)(const struct fs_type *t, void *arg), void *arg)
{
	const struct fs_type *snap[MAX_FSTYPES];
	int n;

	pthread_mutex_lock(&types_lock);
	n = ntypes;
	memcpy(snap, types, sizeof(*types) * (size_t)n);
	pthread_mutex_unlock(&types_lock);
	for (int i = 0; i < n; i++)
		fn(snap[i], arg);
}
