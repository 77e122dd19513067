/* Boots the sandbox kernel: memory file, platform, root mounts, the init process. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common/bug.h"
#include "common/log.h"
#include "common/memfile.h"
#include "fs/hostfd/hostfd.h"
#include "fs/gofer/client.h"
#include "fs/gofer/goferfs.h"
#include "fs/gofer/pagecache.h"
#include "fs/overlay/overlay.h"
#include "fs/tmpfs/fstype.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/dev/devfs.h"
#include "fs/vfs/vfs.h"
#include "sentry/filter/filter.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/mm/mm.h"
#include "sentry/procfs/procfs.h"
#include "sentry/sentry.h"
#include "sentry/sysfs/sysfs.h"

#define MEMFILE_SIZE (64ULL << 30) /* address space only: pages are allocated on use */
#define TMPFS_SIZE_LIMIT (0ULL) /* 0 = bounded by memory only */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Mounts a filesystem on an existing directory of the root (e.g. /tmp, /dev). */
static int mount_on(struct fs_view *v, const char *where, struct super_block *sb,
		    struct inode *root)
{
	struct vfs_cred vc = { .cap_dac_override = true, .cap_dac_read_search = true };
	struct path p;
	int err = vfs_walk(v, NULL, where, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &vc, &p);

	if (err)
		return err;
	err = vfs_mount_at(&p, sb, root, 0);
	path_put(&p);
	return err;
}

/* A goferfs over the gofer channels: the sentry itself never opens host paths. */
static int gofer_mount_fs(const int *fds, int nchan, bool readonly, struct super_block **sb,
			  struct inode **root)
{
	struct gofer_client *gc;
	int err;

	if (nchan <= 0)
		return -EINVAL;
	err = gofer_client_new(fds, nchan, &gc);
	if (err)
		return err;
	return goferfs_new(gc, readonly, sb, root);
}

/* mkdir -p inside the sandbox (only where it is writable, e.g. under /tmp). */
static int mkdir_p(struct fs_view *v, const char *path, const struct vfs_cred *vc)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf) || path[0] != '/')
		return -EINVAL;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == 0) {
			char c = *p;
			int err;

			*p = 0;
			err = vfs_mkdirat(v, NULL, buf, 0755, vc);
			if (err && err != -EEXIST)
				return err;
			*p = c;
			if (!c)
				return 0;
		}
	}
}

static int mount_volume(struct fs_view *v, const struct sentry_volume *vol)
{
	struct vfs_cred vc = { .cap_dac_override = true, .cap_dac_read_search = true };
	struct super_block *sb;
	struct inode *root;
	struct path p;
	int err;

	err = vfs_walk(v, NULL, vol->guest, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &vc, &p);
	if (err == -ENOENT)
		err = mkdir_p(v, vol->guest, &vc);
	else if (!err)
		path_put(&p);
	if (err)
		return err;
	err = gofer_mount_fs(vol->gofer_fds, vol->gofer_nchan, vol->readonly, &sb, &root);
	if (err)
		return err;
	err = mount_on(v, vol->guest, sb, root);
	inode_put(root);
	sb_put(sb);
	return err;
}

/*
 * The root filesystem: by default an overlay whose writes stay in memory over the
 * read-only gofer-served host root; with host_root_rw (--overlay=none) the host root
 * itself, served read-write.
 */
static int root_fs(const struct sentry_config *cfg, struct super_block **sb, struct inode **root)
{
	struct super_block *lsb, *usb;
	struct inode *lroot, *uroot;
	int err;

	if (cfg->host_root_rw)
		return gofer_mount_fs(cfg->gofer_fds, cfg->gofer_nchan, false, sb, root);
	err = gofer_mount_fs(cfg->gofer_fds, cfg->gofer_nchan, true, &lsb, &lroot);
	if (err)
		return err;
	err = tmpfs_new(&usb, &uroot, 0755, TMPFS_SIZE_LIMIT);
	if (!err) {
		err = ovl_new(uroot, lroot, sb, root);
		inode_put(uroot);
		sb_put(usb);
	}
	inode_put(lroot);
	sb_put(lsb);
	return err;
}

/* /proc and /sys, where the root has directories for them (a rootfs without them
 * simply goes without, as a container without those mounts would). */
static int mount_synthetic(struct fs_view *v)
{
	static const struct {
		const char *where;
		int (*make)(struct super_block **sb, struct inode **root);
	} fss[] = { { "/proc", procfs_new }, { "/sys", sysfs_new } };
	struct super_block *sb;
	struct inode *root;
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(fss); i++) {
		err = fss[i].make(&sb, &root);
		if (err)
			return err;
		err = mount_on(v, fss[i].where, sb, root);
		inode_put(root);
		sb_put(sb);
		if (err == -ENOENT || err == -ENOTDIR)
			log_warn("no %s directory in the root: not mounted", fss[i].where);
		else if (err)
			return err;
	}
	return 0;
}

static int build_root(const struct sentry_config *cfg, struct fs_view **out)
{
	struct super_block *sb;
	struct inode *root;
	struct mount *mnt;
	struct fs_view *v;
	struct path rp;
	int err;

	/* the types mount(2) can name; -EEXIST: registered by an earlier boot */
	err = tmpfs_register_fstype();
	if (err && err != -EEXIST)
		return err;
	err = root_fs(cfg, &sb, &root);
	if (err)
		return err;
	err = vfs_mount_root(sb, root, &mnt);
	inode_put(root);
	sb_put(sb);
	if (err)
		return err;
	rp.mnt = mnt;
	rp.dentry = mnt->root;
	v = fs_view_new(&rp, &rp);
	mount_put(mnt);
	if (!v)
		return -ENOMEM;

	err = tmpfs_new(&sb, &root, 01777, TMPFS_SIZE_LIMIT);
	if (!err) {
		err = mount_on(v, "/tmp", sb, root);
		inode_put(root);
		sb_put(sb);
	}
	if (err)
		goto fail;
	err = devfs_new(&sb, &root);
	if (!err) {
		err = mount_on(v, "/dev", sb, root);
		inode_put(root);
		sb_put(sb);
	}
	if (!err)
		err = devfs_mount_shm(v, "/dev/shm");
	if (err)
		goto fail;
	err = mount_synthetic(v);
	if (err)
		goto fail;
	for (int i = 0; i < cfg->nvolumes; i++) {
		err = mount_volume(v, &cfg->volumes[i]);
		if (err) {
			log_warn("volume %s:%s: %s", cfg->volumes[i].host, cfg->volumes[i].guest,
				 strerror(-err));
			goto fail;
		}
	}
	*out = v;
	return 0;
fail:
	fs_view_put(v);
	return err;
}

/* Sets the guest's cwd to cfg->cwd when it resolves inside the sandbox, else "/". */
static void set_cwd(struct fs_view *v, const char *cwd, const struct vfs_cred *vc)
{
	struct path p;

	if (!cwd || vfs_walk(v, NULL, cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, vc, &p))
		return;
	vfs_chdir(v, &p, vc);
	path_put(&p);
}

/* execvp-style lookup of a command without a slash on the guest's PATH. */
static char *resolve_command(struct fs_view *v, const struct vfs_cred *vc, const char *cmd,
			     char *const *envp)
{
	const char *path = DEFAULT_PATH;
	char buf[PATH_MAX];

	if (strchr(cmd, '/'))
		return strdup(cmd);
	for (char *const *e = envp; e && *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			path = *e + 5;
	while (*path) {
		const char *end = strchrnul(path, ':');
		int n = snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - path), path, cmd);

		if (n > 0 && n < (int)sizeof(buf) &&
		    vfs_accessat(v, NULL, buf, X_OK, LOOKUP_FOLLOW, vc) == 0)
			return strdup(buf);
		path = *end ? end + 1 : end;
	}
	return strdup(cmd); /* let exec report ENOENT for it */
}

static int stdio_files(struct fdtable *fdt)
{
	for (int fd = 0; fd < 3; fd++) {
		struct file *f;
		int fl = fcntl(fd, F_GETFL);
		int err;

		if (fl < 0)
			continue; /* closed on the host: closed in the guest too */
		err = hostfd_file_new(fd, (unsigned)fl, &f);
		if (err)
			return err;
		err = fdt_install_at(fdt, fd, f, false, INT_MAX);
		file_put(f);
		if (err < 0)
			return err;
	}
	return 0;
}

static void *exit_at_once(void *arg)
{
	pthread_exit(arg);
}

/* glibc loads libgcc_s (for unwinding) the first time a thread calls pthread_exit; after
 * the seccomp filter that open would fail, so make it happen once before. */
static int warm_up_thread_exit(void)
{
	pthread_t th;
	int err = pthread_create(&th, NULL, exit_at_once, NULL);

	if (err)
		return -err;
	return -pthread_join(th, NULL);
}

static struct kernel *kernel_new(const struct sentry_config *cfg)
{
	struct kernel *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->cond, NULL);
	k->strace = cfg->strace;
	k->max_tasks = cfg->max_tasks > 0 ? cfg->max_tasks : KERNEL_MAX_TASKS;
	k->strace_fd = -1;
	snprintf(k->hostname, sizeof(k->hostname), "%s", cfg->hostname ? cfg->hostname : "warden");
	snprintf(k->domainname, sizeof(k->domainname), "(none)");
	clock_gettime(CLOCK_MONOTONIC, &k->boot_time);
	return k;
}

static struct thread_group *tg_new(struct kernel *k)
{
	struct thread_group *tg = calloc(1, sizeof(*tg));

	if (!tg)
		return NULL;
	tg->sighand = calloc(1, sizeof(*tg->sighand));
	if (!tg->sighand) {
		free(tg);
		return NULL;
	}
	ref_init(&tg->ref);
	ref_init(&tg->sighand->ref);
	pthread_mutex_init(&tg->sighand->lock, NULL);
	pthread_mutex_init(&tg->lock, NULL);
	pthread_cond_init(&tg->cond, NULL);
	list_init(&tg->tasks);
	list_init(&tg->children);
	list_init(&tg->sibling);
	tg->k = k;
	tg->dumpable = true;
	for (int r = 0; r < RLIM_NLIMITS && r < (int)ARRAY_SIZE(tg->rlimits); r++) {
		struct rlimit rl;

		if (getrlimit(r, &rl) == 0) {
			tg->rlimits[r].rlim_cur = rl.rlim_cur;
			tg->rlimits[r].rlim_max = rl.rlim_max;
		}
	}
	return tg;
}

int sentry_run(const struct sentry_config *cfg, int *wait_status, enum sentry_stage *stage)
{
	struct vfs_cred vc;
	struct kernel *k;
	struct thread_group *tg;
	struct task *t;
	char *cmd = NULL;
	int err;

	*stage = SENTRY_STAGE_SETUP;
	bug_install_crash_handlers();
	if (cfg->debug_log && log_open(cfg->debug_log) < 0)
		return -errno;
	err = memfile_init(MEMFILE_SIZE);
	if (err)
		return err;
	/* a shrinking goferfs file takes its pages out of the guests' mappings */
	vfs_set_unmap_hook(mm_zap_file_range);
	k = kernel_new(cfg);
	if (!k)
		return -ENOMEM;
	err = platform_create(cfg->platform, memfile_fd(), &k->platform);
	if (err)
		return err;
	err = procfs_init(k);
	if (!err)
		err = sysfs_init();
	if (err)
		return err;

	tg = tg_new(k);
	t = calloc(1, sizeof(*t));
	if (!tg || !t)
		return -ENOMEM;
	t->k = k;
	t->tg = tg;
	t->start_time = k->boot_time;
	pthread_mutex_init(&t->lock, NULL);
	t->cred = cred_new_root();
	if (!t->cred)
		return -ENOMEM;
	t->cred->uid = t->cred->euid = t->cred->suid = t->cred->fsuid = getuid();
	t->cred->gid = t->cred->egid = t->cred->sgid = t->cred->fsgid = getgid();
	if (getuid() != 0)
		t->cred->cap_effective = t->cred->cap_permitted = 0;
	t->altstack.flags = SS_DISABLE;
	t->tid = kernel_alloc_pid(k, t);
	if (t->tid != 1)
		return -EAGAIN;
	tg->tgid = tg->pgid = tg->sid = t->tid;
	tg->leader = t;
	list_add_tail(&t->tg_node, &tg->tasks);
	tg->ntasks = 1;
	k->init = tg;
	k->nr_live = 1;

	err = build_root(cfg, &t->fs);
	if (err)
		return err;
	task_vfs_cred(t, &vc);
	set_cwd(t->fs, cfg->cwd, &vc);
	t->fdt = fdt_new();
	if (!t->fdt)
		return -ENOMEM;
	err = stdio_files(t->fdt);
	if (err)
		return err;

	*stage = SENTRY_STAGE_EXEC;
	cmd = resolve_command(t->fs, &vc, cfg->argv[0], cfg->envp);
	if (!cmd)
		return -ENOMEM;
	err = task_execve(t, cmd, cfg->argv, cfg->envp);
	free(cmd);
	if (err)
		return err;
	*stage = SENTRY_STAGE_SETUP;
	/* From here on the host sees only the syscalls in sentry/filter/allowed.h. */
	err = warm_up_thread_exit();
	if (err)
		return err;
	err = filter_install();
	if (err)
		return err;
	err = task_start(t);
	if (err)
		return err;

	pthread_mutex_lock(&k->lock);
	while (!k->init_exited)
		pthread_cond_wait(&k->cond, &k->lock);
	*wait_status = k->init_status;
	pthread_mutex_unlock(&k->lock);
	timer_shutdown(); /* the timer thread ends with the sandbox */
	return 0;
}
