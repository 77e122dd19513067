/*
 * System V shared memory. A segment is an unnamed file on an internal tmpfs; shmat maps
 * it MAP_SHARED like mmap of a tmpfs file, so fork, exit and exec need nothing of their
 * own: every VMA holds a reference on the segment's file and drops it with the VMA.
 *
 * The segment keeps one open file per access mode (read-write, read-only: SHM_RDONLY
 * must stop a later mprotect(PROT_WRITE) with EACCES). shm_nattch is the number of
 * references the VMAs hold on those files. Until IPC_RMID the segment holds a reference
 * of its own on each; after it, the segment dies when the last file is released (the last
 * detach), which is Linux's deferred destruction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/vfs.h"
#include "fs/synth/synth.h"
#include "sentry/ipc/internal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

#define SHM_RDONLY 010000
#define SHM_RND 020000
#define SHM_REMAP 040000
#define SHM_EXEC 0100000
#define SHM_DEST 01000
#define SHM_LOCKED 02000
#define SHM_LOCK 11
#define SHM_UNLOCK 12
#define SHM_STAT 13
#define SHM_INFO 14
#define SHM_STAT_ANY 15
#define SHMLBA PAGE_SIZE
#define CAP_IPC_LOCK 14

struct shm_seg {
	struct ipc_obj obj;
	struct ipc_ns *ns;
	uint64_t size;
	struct inode *inode; /* +1 */
	struct file *files[2]; /* [0] O_RDWR, [1] O_RDONLY; NULL once released */
	int64_t atime, dtime;
	int cpid, lpid;
};

static const struct file_ops shm_file_ops;

static struct shm_seg *seg_of(struct ipc_obj *o)
{
	return (struct shm_seg *)o;
}

/* A reference unless the file's last one is already gone (its release is pending on the
 * namespace lock, which the caller holds): file_get would resurrect it. */
static bool shm_file_tryget(struct file *f)
{
	int c = __atomic_load_n(&f->ref.count, __ATOMIC_RELAXED);

	while (c > 0)
		if (__atomic_compare_exchange_n(&f->ref.count, &c, c + 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

static uint64_t shm_nattch_locked(const struct shm_seg *s)
{
	uint64_t n = 0;
	int own = (s->obj.mode & SHM_DEST) ? 0 : 1;

	for (int i = 0; i < 2; i++)
		if (s->files[i])
			n += (uint64_t)MAX(ref_read(&s->files[i]->ref) - own, 0);
	return n;
}

static void shm_seg_free(struct shm_seg *s)
{
	inode_put(s->inode);
	free(s);
}

/* Removes s from the table: the caller frees it (shm_seg_free) after unlocking. */
static void shm_unlink_locked(struct ipc_ns *ns, struct shm_seg *s)
{
	ipc_ids_remove(&ns->shm, &s->obj);
	ns->shm_pages -= PAGE_ALIGN_UP(s->size) >> PAGE_SHIFT;
}

static void shm_file_release(struct file *f)
{
	struct shm_seg *s = f->priv;
	struct ipc_ns *ns = s->ns;
	bool dead;

	pthread_mutex_lock(&ns->lock);
	for (int i = 0; i < 2; i++)
		if (s->files[i] == f)
			s->files[i] = NULL;
	dead = (s->obj.mode & SHM_DEST) && !s->files[0] && !s->files[1];
	if (dead)
		shm_unlink_locked(ns, s);
	pthread_mutex_unlock(&ns->lock);
	if (dead)
		shm_seg_free(s);
}

static int shm_get_page(struct file *f, uint64_t pgoff, bool write, uint64_t *memfile_off)
{
	return f->inode->fops->get_page(f, pgoff, write, memfile_off);
}

static int shm_fsync(struct file *f, bool datasync)
{
	(void)f;
	(void)datasync;
	return 0;
}

static const struct file_ops shm_file_ops = {
	.get_page = shm_get_page,
	.fsync = shm_fsync,
	.release = shm_file_release,
};

/* The internal tmpfs segments live on. */
static int shm_mount_locked(struct ipc_ns *ns)
{
	struct super_block *sb;
	struct inode *root;
	int err;

	if (ns->shm_mnt)
		return 0;
	err = tmpfs_new(&sb, &root, 01777, 0);
	if (err)
		return err;
	err = vfs_mount_root(sb, root, &ns->shm_mnt);
	inode_put(root);
	sb_put(sb);
	return err;
}

/* A +1 file of s for the access mode (made anew if the last one was released). */
static int shm_file_locked(struct ipc_ns *ns, struct shm_seg *s, bool rdonly, struct file **out)
{
	struct file **slot = &s->files[rdonly ? 1 : 0];
	struct path path;
	char name[32];
	int err;

	if (*slot && shm_file_tryget(*slot)) {
		*out = *slot;
		return 0;
	}
	snprintf(name, sizeof(name), "SYSV%08x", (uint32_t)s->obj.key);
	err = vfs_anon_path(ns->shm_mnt, name, s->inode, &path);
	if (err)
		return err;
	err = file_new(&path, s->inode, rdonly ? O_RDONLY : O_RDWR, out);
	path_put(&path);
	if (err)
		return err;
	(*out)->ops = &shm_file_ops;
	(*out)->priv = s;
	*slot = *out;
	/* the segment's own reference, until IPC_RMID */
	if (!(s->obj.mode & SHM_DEST))
		file_get(*out);
	return 0;
}

static long shm_new_locked(struct task *t, struct ipc_ns *ns, int32_t key, uint64_t size, int flags)
{
	uint64_t pages = PAGE_ALIGN_UP(size) >> PAGE_SHIFT;
	struct iattr ia = { .valid = ATTR_SIZE, .size = (int64_t)size };
	struct shm_seg *s;
	struct inode *root;
	long err;

	if (size < 1 || size > SHM_MAX || pages == 0)
		return -EINVAL;
	if (ns->shm_pages + pages < ns->shm_pages || ns->shm_pages + pages > SHM_ALL)
		return -ENOSPC;
	err = shm_mount_locked(ns);
	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->ns = ns;
	root = ns->shm_mnt->root->inode;
	err = root->iops->tmpfile(root, S_IFREG | (flags & 0777), NULL, &s->inode);
	if (err)
		goto out_free;
	err = s->inode->iops->setattr(s->inode, &ia);
	if (err)
		goto out_free;
	ipc_obj_init(t, &s->obj, key, flags);
	s->size = size;
	s->cpid = ipc_tgid(t);
	err = ipc_ids_add(&ns->shm, &s->obj);
	if (err)
		goto out_free;
	ns->shm_pages += pages;
	return s->obj.id;

out_free:
	if (s->inode)
		inode_put(s->inode);
	free(s);
	return err;
}

long ipc_shmget(struct task *t, int32_t key, uint64_t size, int flags)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct ipc_obj *o;
	long ret;

	if (!ns)
		return -ENOMEM;
	pthread_mutex_lock(&ns->lock);
	o = key == IPC_KEY_PRIVATE ? NULL : ipc_ids_find_key(&ns->shm, key);
	if (!o) {
		if (key != IPC_KEY_PRIVATE && !(flags & IPC_F_CREAT))
			ret = -ENOENT;
		else
			ret = shm_new_locked(t, ns, key, size, flags);
	} else if ((flags & IPC_F_CREAT) && (flags & IPC_F_EXCL)) {
		ret = -EEXIST;
	} else if (seg_of(o)->size < size) {
		ret = -EINVAL;
	} else {
		ret = ipc_perm_check(t, o, flags);
		if (!ret)
			ret = o->id;
	}
	pthread_mutex_unlock(&ns->lock);
	return ret;
}

long ipc_shmat(struct task *t, int id, uaddr_t addr, int flags)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	bool rdonly = flags & SHM_RDONLY;
	int prot = PROT_READ | (rdonly ? 0 : PROT_WRITE) | ((flags & SHM_EXEC) ? PROT_EXEC : 0);
	int mflags = MAP_SHARED;
	struct shm_seg *s = NULL;
	struct ipc_obj *o;
	struct file *f = NULL;
	uint64_t size = 0;
	long ret;

	if (!ns)
		return -ENOMEM;
	if (addr & (SHMLBA - 1)) {
		if (!(flags & SHM_RND))
			return -EINVAL;
		addr &= ~(uaddr_t)(SHMLBA - 1);
		if (!addr && (flags & SHM_REMAP))
			return -EINVAL;
	}
	if (addr)
		mflags |= (flags & SHM_REMAP) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	else if (flags & SHM_REMAP)
		return -EINVAL;
	pthread_mutex_lock(&ns->lock);
	o = ipc_ids_find(&ns->shm, id, &ret);
	if (o)
		ret = ipc_perm_check(t, o,
				     (rdonly ? 0444 : 0666) | ((flags & SHM_EXEC) ? 0111 : 0));
	if (!ret) {
		s = seg_of(o);
		size = s->size;
		ret = shm_file_locked(ns, s, rdonly, &f);
	}
	pthread_mutex_unlock(&ns->lock);
	if (ret)
		return ret;
	ret = mm_mmap(t->mm, addr, size, prot, mflags, f, 0);
	/* shmat without SHM_REMAP fails on a range already in use, with EINVAL */
	if (ret == -EEXIST)
		ret = -EINVAL;
	if (ret >= 0) {
		pthread_mutex_lock(&ns->lock);
		s->atime = ipc_now();
		s->lpid = ipc_tgid(t);
		pthread_mutex_unlock(&ns->lock);
	}
	file_put(f); /* the mapping holds its own; may release a removed segment */
	return ret;
}

long ipc_shmdt(struct task *t, uaddr_t addr)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct mm_vma_info *v;
	struct file *seg_file = NULL;
	struct shm_seg *s = NULL;
	uaddr_t end = 0;
	size_t n, i;
	long err;

	if (!ns)
		return -ENOMEM;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	err = mm_vma_snapshot(t->mm, &v, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		if (v[i].start == addr && v[i].file && v[i].file->ops == &shm_file_ops &&
		    v[i].off == 0) {
			seg_file = v[i].file;
			s = seg_file->priv;
			break;
		}
	}
	if (!s) {
		mm_vma_snapshot_free(v, n);
		return -EINVAL;
	}
	/* every piece of this attachment (mprotect may have split it) up to its size */
	end = addr + PAGE_ALIGN_UP(s->size);
	for (; i < n && v[i].start < end; i++)
		if (v[i].file == seg_file)
			mm_munmap(t->mm, v[i].start, MIN(v[i].end, end) - v[i].start);
	pthread_mutex_lock(&ns->lock);
	s->dtime = ipc_now();
	s->lpid = ipc_tgid(t);
	pthread_mutex_unlock(&ns->lock);
	/* the snapshot's references kept s alive until here */
	mm_vma_snapshot_free(v, n);
	return 0;
}

static void shm_fill_ds(const struct shm_seg *s, struct linux_shmid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_obj_to_perm(&s->obj, &ds->shm_perm);
	ds->shm_segsz = s->size;
	ds->shm_atime = s->atime;
	ds->shm_dtime = s->dtime;
	ds->shm_ctime = s->obj.ctime;
	ds->shm_cpid = s->cpid;
	ds->shm_lpid = s->lpid;
	ds->shm_nattch = shm_nattch_locked(s);
}

/* IPC_RMID: the segment goes now if unattached, else at the last detach. */
static void shm_rmid_locked(struct ipc_ns *ns, struct shm_seg *s, struct file *drop[2])
{
	s->obj.mode |= SHM_DEST;
	/* a new shmget of the key makes a new segment */
	s->obj.key = IPC_KEY_PRIVATE;
	for (int i = 0; i < 2; i++)
		drop[i] = s->files[i];
	if (!s->files[0] && !s->files[1])
		shm_unlink_locked(ns, s);
}

long ipc_shmctl(struct task *t, int id, int cmd, uaddr_t buf)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct linux_shmid64_ds ds;
	struct shm_seg *s = NULL;
	struct file *drop[2] = { NULL, NULL };
	struct ipc_obj *o;
	bool free_seg = false;
	long ret = 0;

	if (!ns)
		return -ENOMEM;
	if (cmd < 0)
		return -EINVAL;
	if (cmd == IPC_C_SET && task_copy_in(t, buf, &ds, sizeof(ds)))
		return -EFAULT;
	pthread_mutex_lock(&ns->lock);
	switch (cmd) {
	case IPC_C_INFO: {
		struct linux_shminfo64 info = {
			.shmmax = SHM_MAX,
			.shmmin = 1,
			.shmmni = SHM_MNI,
			.shmseg = SHM_MNI,
			.shmall = SHM_ALL,
		};
		ret = MAX(ns->shm.max_idx, 0);
		pthread_mutex_unlock(&ns->lock);
		return task_copy_out(t, buf, &info, sizeof(info)) ?: ret;
	}
	case SHM_INFO: {
		struct linux_shm_info info = { .used_ids = ns->shm.in_use };

		for (int i = 0; i <= ns->shm.max_idx; i++) {
			if (!ns->shm.slots[i])
				continue;
			s = seg_of(ns->shm.slots[i]);
			info.shm_tot += PAGE_ALIGN_UP(s->size) >> PAGE_SHIFT;
			info.shm_rss += s->inode->blocks >> 3;
		}
		ret = MAX(ns->shm.max_idx, 0);
		pthread_mutex_unlock(&ns->lock);
		return task_copy_out(t, buf, &info, sizeof(info)) ?: ret;
	}
	case SHM_STAT:
	case SHM_STAT_ANY:
		/* id is an index into the table; the answer is the object's id */
		o = ipc_ids_at(&ns->shm, id);
		if (!o) {
			ret = -EINVAL;
			break;
		}
		if (cmd == SHM_STAT)
			ret = ipc_perm_check(t, o, 0444);
		if (!ret) {
			shm_fill_ds(seg_of(o), &ds);
			ret = o->id;
		}
		break;
	case IPC_C_STAT:
		o = ipc_ids_find(&ns->shm, id, &ret);
		if (o)
			ret = ipc_perm_check(t, o, 0444);
		if (!ret)
			shm_fill_ds(seg_of(o), &ds);
		break;
	case IPC_C_SET:
	case IPC_C_RMID:
		o = ipc_ids_find(&ns->shm, id, &ret);
		if (o)
			ret = ipc_owner_check(t, o);
		if (ret)
			break;
		s = seg_of(o);
		if (cmd == IPC_C_SET) {
			ipc_obj_set(o, &ds.shm_perm);
		} else if (!(o->mode & SHM_DEST)) {
			shm_rmid_locked(ns, s, drop);
			free_seg = !s->files[0] && !s->files[1];
		}
		break;
	case SHM_LOCK:
	case SHM_UNLOCK:
		o = ipc_ids_find(&ns->shm, id, &ret);
		if (o && !cred_capable(t->cred, CAP_IPC_LOCK))
			ret = ipc_owner_check(t, o);
		if (!ret)
			o->mode =
				cmd == SHM_LOCK ? (o->mode | SHM_LOCKED) : (o->mode & ~SHM_LOCKED);
		break;
	default:
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&ns->lock);
	if (free_seg)
		shm_seg_free(s);
	/* dropping the segment's own references may release (and free) it */
	for (int i = 0; i < 2; i++)
		if (drop[i])
			file_put(drop[i]);
	if (ret >= 0 && (cmd == IPC_C_STAT || cmd == SHM_STAT || cmd == SHM_STAT_ANY) &&
	    task_copy_out(t, buf, &ds, sizeof(ds)))
		return -EFAULT;
	return ret;
}

void ipc_shm_proc_show(struct ipc_ns *ns, struct synth_buf *b)
{
	synth_puts(
		b,
		"       key      shmid perms                  size  cpid  lpid nattch   uid   gid"
		"  cuid  cgid      atime      dtime      ctime                   rss                  swap\n");
	pthread_mutex_lock(&ns->lock);
	for (int i = 0; i <= ns->shm.max_idx; i++) {
		struct shm_seg *s = ns->shm.slots[i] ? seg_of(ns->shm.slots[i]) : NULL;

		if (!s)
			continue;
		synth_printf(
			b,
			"%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u %10lld %10lld %10lld "
			"%21lu %21lu\n",
			s->obj.key, s->obj.id, s->obj.mode, (unsigned long)s->size, s->cpid,
			s->lpid, (unsigned long)shm_nattch_locked(s), s->obj.uid, s->obj.gid,
			s->obj.cuid, s->obj.cgid, (long long)s->atime, (long long)s->dtime,
			(long long)s->obj.ctime, (unsigned long)s->inode->blocks * 512, 0ul);
	}
	pthread_mutex_unlock(&ns->lock);
}
