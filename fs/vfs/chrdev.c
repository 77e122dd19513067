/*
 * The table of character devices implemented in the sentry (fs/dev), by st_rdev: a
 * device-node inode on a filesystem that honours device nodes opens through it.
 */
#include <errno.h>
#include <pthread.h>

#include "fs/vfs/vfs.h"

#define CHRDEV_MAX 32

static struct {
	uint64_t rdev;
	const struct file_ops *fops;
} chrdevs[CHRDEV_MAX];
static int nchrdevs;
static pthread_mutex_t chrdev_lock = PTHREAD_MUTEX_INITIALIZER;

int vfs_chrdev_register(uint64_t rdev, const struct file_ops *fops)
{
	int err = 0, i;

	pthread_mutex_lock(&chrdev_lock);
	for (i = 0; i < nchrdevs; i++) {
		if (chrdevs[i].rdev == rdev)
			break;
	}
	if (i < nchrdevs)
		chrdevs[i].fops = fops;
	else if (nchrdevs == CHRDEV_MAX)
		err = -ENOSPC;
	else
		chrdevs[nchrdevs++] = (typeof(chrdevs[0])){ rdev, fops };
	pthread_mutex_unlock(&chrdev_lock);
	return err;
}

const struct file_ops *vfs_chrdev_lookup(uint64_t rdev)
{
	const struct file_ops *fops = NULL;

	pthread_mutex_lock(&chrdev_lock);
	for (int i = 0; i < nchrdevs; i++) {
		if (chrdevs[i].rdev == rdev)
			fops = chrdevs[i].fops;
	}
	pthread_mutex_unlock(&chrdev_lock);
	return fops;
}
