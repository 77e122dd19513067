/* Processes started from outside the guest: init, and `warden exec`'s. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/bug.h"
#include "fs/hostfd/hostfd.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/signal.h"
#include "sentry/mm/mm.h"
#include "sentry/spawn.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* A process's group: default signal actions, the host's limits and the configured ones. */
static struct thread_group *spawn_tg(struct kernel *k, const struct sentry_process *p)
{
	struct thread_group *tg = tg_new(k);

	if (!tg)
		return NULL;
	tg->sighand = calloc(1, sizeof(*tg->sighand));
	if (!tg->sighand) {
		tg_put(tg);
		return NULL;
	}
	ref_init(&tg->sighand->ref);
	pthread_mutex_init(&tg->sighand->lock, NULL);
	tg->dumpable = true;
	/* the host's limits (the sandbox's own resources), then the configured ones */
	for (int r = 0; r < RLIM_NLIMITS && r < (int)ARRAY_SIZE(tg->rlimits); r++) {
		struct rlimit rl;

		if (getrlimit(r, &rl) == 0) {
			tg->rlimits[r].rlim_cur = rl.rlim_cur;
			tg->rlimits[r].rlim_max = rl.rlim_max;
		}
	}
	for (int i = 0; i < p->nrlimits; i++) {
		int r = p->rlimits[i].resource;

		if (r >= 0 && r < (int)ARRAY_SIZE(tg->rlimits)) {
			tg->rlimits[r].rlim_cur = p->rlimits[i].soft;
			tg->rlimits[r].rlim_max = p->rlimits[i].hard;
		}
	}
	if (p->has_oom_score_adj)
		tg->oom_score_adj = p->oom_score_adj;
	return tg;
}

static char *strdup_printf(const char *fmt, const char *s)
{
	char *out;

	return asprintf(&out, fmt, s) < 0 ? NULL : out;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static struct cred *process_cred(const struct sentry_process *p)
{
	uint32_t n = p->has_user ? p->ngroups : 0;
	struct cred *base = cred_new_root(), *c;

	if (!base || n > CRED_MAX_GROUPS)
		return base;
	c = cred_dup(base, n);
	cred_put(base);
	if (!c)
		return NULL;
	if (p->has_user) {
		c->uid = c->euid = c->suid = c->fsuid = p->uid;
		c->gid = c->egid = c->sgid = c->fsgid = p->gid;
		memcpy(c->groups, p->groups, n * sizeof(*c->groups));
		qsort(c->groups, n, sizeof(*c->groups), cmp_u32);
	} else {
		c->uid = c->euid = c->suid = c->fsuid = getuid();
		c->gid = c->egid = c->sgid = c->fsgid = getgid();
	}
	if (p->has_caps) {
		c->cap_effective = p->cap_effective;
		c->cap_permitted = p->cap_permitted;
		c->cap_inheritable = p->cap_inheritable;
		c->cap_bounding = p->cap_bounding;
	} else if (c->uid != 0) {
		c->cap_effective = c->cap_permitted = 0;
	}
	return c;
}

/* Sets the cwd. A missing one is made for init (as runc makes process.cwd) and is an
 * error for a process exec'd later; cwd NULL is "/". */
static int set_cwd(struct fs_view *v, const char *cwd, bool make, const struct vfs_cred *vc)
{
	struct path p;
	int err;

	if (!cwd)
		return 0;
	err = vfs_walk(v, NULL, cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, vc, &p);
	if (err == -ENOENT && make) {
		char buf[PATH_MAX];
		size_t n = strlen(cwd);

		if (n >= sizeof(buf) || cwd[0] != '/')
			return -ENAMETOOLONG;
		memcpy(buf, cwd, n + 1);
		for (char *c = buf + 1;; c++) {
			if (*c == '/' || !*c) {
				char save = *c;

				*c = 0;
				err = vfs_mkdirat(v, NULL, buf, 0755, vc);
				*c = save;
				if (err && err != -EEXIST)
					return err;
				if (!save)
					break;
			}
		}
		err = vfs_walk(v, NULL, cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, vc, &p);
	}
	if (err)
		return err;
	err = vfs_chdir(v, &p, vc);
	path_put(&p);
	return err;
}

/* runc's HOME when the environment has none: the user's entry in the guest's
 * /etc/passwd, else "/". Returns a malloc'd "HOME=..." or NULL. */
static char *default_home(struct fs_view *v, uint32_t uid, const struct vfs_cred *vc)
{
	char buf[64 * 1024], *line, *save = NULL, *home = NULL;
	struct file *f;
	ssize_t n;

	if (vfs_openat(v, NULL, "/etc/passwd", O_RDONLY | O_CLOEXEC, 0, vc, &f) == 0) {
		n = vfs_kernel_read(f, buf, sizeof(buf) - 1, 0);
		file_put(f);
		buf[n > 0 ? n : 0] = 0;
		for (line = strtok_r(buf, "\n", &save); line && !home;
		     line = strtok_r(NULL, "\n", &save)) {
			char *fld[7];
			int k = 0;

			for (char *c = line; k < 7; k++) {
				fld[k] = c;
				c = strchr(c, ':');
				if (!c)
					break;
				*c++ = 0;
			}
			if (k >= 5 && strtoul(fld[2], NULL, 10) == uid && fld[2][0])
				home = fld[5];
		}
	}
	return home && *home ? strdup_printf("HOME=%s", home) : strdup("HOME=/");
}

/* envp with HOME added when it lacks one: a new NULL-terminated array (strings shared
 * but for the new one, which is its last entry), or NULL. */
static char **env_with_home(char *const *envp, char *home)
{
	size_t n = 0;
	char **e;

	while (envp && envp[n])
		n++;
	e = calloc(n + 2, sizeof(*e));
	if (!e)
		return NULL;
	for (size_t i = 0; i < n; i++)
		e[i] = envp[i];
	e[n] = home;
	return e;
}

static bool has_home(char *const *envp)
{
	for (char *const *e = envp; e && *e; e++)
		if (!strncmp(*e, "HOME=", 5))
			return true;
	return false;
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

static int stdio_files(struct fdtable *fdt, const int stdio[3])
{
	for (int fd = 0; fd < 3; fd++) {
		struct file *f;
		int fl = stdio[fd] >= 0 ? fcntl(stdio[fd], F_GETFL) : -1;
		int err;

		if (fl < 0)
			continue; /* closed on the host: closed in the guest too */
		err = hostfd_file_new(stdio[fd], (unsigned)fl, &f);
		if (err)
			return err;
		err = fdt_install_at(fdt, fd, f, false, INT_MAX);
		file_put(f);
		if (err < 0)
			return err;
	}
	return 0;
}

/* Takes a pid and links t in as its group's leader; pid 1 makes it init. */
static int spawn_link(struct kernel *k, struct task *t)
{
	struct thread_group *tg = t->tg;
	int pid;

	pthread_mutex_lock(&k->lock);
	if (k->init && (k->init_exited || k->nr_live >= k->max_tasks)) {
		pthread_mutex_unlock(&k->lock);
		return k->init_exited ? -ESRCH : -EAGAIN;
	}
	pid = kernel_alloc_pid_locked(k, t);
	if (pid < 0) {
		pthread_mutex_unlock(&k->lock);
		return pid;
	}
	t->tid = pid;
	tg->tgid = tg->pgid = tg->sid = pid;
	tg->leader = t;
	list_add_tail(&t->tg_node, &tg->tasks);
	tg->ntasks = 1;
	if (!k->init)
		k->init = tg;
	k->nr_live++;
	pthread_mutex_unlock(&k->lock);
	return 0;
}

/* Undoes spawn_link and the rest for a process that failed to load. */
static void spawn_unlink(struct kernel *k, struct task *t)
{
	pthread_mutex_lock(&k->lock);
	if (t->tid > 0 && k->pid_table[t->tid] == t) {
		k->pid_table[t->tid] = NULL;
		k->ntasks--;
	}
	if (t->tid > 0) {
		k->nr_live--;
		if (k->init == t->tg)
			k->init = NULL;
	}
	pthread_mutex_unlock(&k->lock);
}

int spawn_process(struct kernel *k, const struct sentry_process *p, struct fs_view *root,
		  const int stdio[3], struct task **out, enum sentry_stage *stage)
{
	struct thread_group *tg;
	struct vfs_cred vc;
	char *cmd, *home = NULL, **envp = NULL;
	struct task *t;
	int err;

	*stage = SENTRY_STAGE_SETUP;
	if (!p->argv || !p->argv[0])
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	tg = spawn_tg(k, p);
	if (!t || !tg) {
		free(t);
		tg_put(tg);
		return -ENOMEM;
	}
	t->k = k;
	t->tg = tg;
	clock_gettime(CLOCK_MONOTONIC, &t->start_time);
	pthread_mutex_init(&t->lock, NULL);
	t->altstack.flags = SS_DISABLE;
	t->no_new_privs = p->no_new_privs;
	t->cred = process_cred(p);
	t->fs = fs_view_new(&root->root, &root->root);
	t->fdt = fdt_new();
	err = -ENOMEM;
	if (!t->cred || !t->fs || !t->fdt)
		goto fail;
	if (p->has_umask)
		t->fs->umask = p->umask & 0777;
	err = spawn_link(k, t);
	if (err)
		goto fail;
	task_vfs_cred(t, &vc);
	err = set_cwd(t->fs, p->cwd, k->init == tg, &vc);
	if (err && !p->cwd_strict)
		err = 0; /* stays at / */
	if (err) {
		*stage = SENTRY_STAGE_CWD;
		goto fail_unlink;
	}
	err = stdio_files(t->fdt, stdio);
	if (err)
		goto fail_unlink;
	if (p->has_user && !has_home(p->envp)) {
		home = default_home(t->fs, p->uid, &vc);
		envp = home ? env_with_home(p->envp, home) : NULL;
	}

	*stage = SENTRY_STAGE_EXEC;
	cmd = resolve_command(t->fs, &vc, p->argv[0], envp ? envp : p->envp);
	err = -ENOMEM;
	if (!cmd)
		goto fail_unlink;
	err = task_execve(t, cmd, p->argv, envp ? envp : p->envp);
	free(cmd);
	free(envp);
	free(home);
	envp = NULL;
	home = NULL;
	if (err)
		goto fail_unlink;
	*out = t;
	return 0;

fail_unlink:
	free(envp);
	free(home);
	spawn_unlink(k, t);
fail:
	if (t->mm)
		mm_put(t->mm);
	if (t->fdt)
		fdt_put(t->fdt);
	if (t->fs)
		fs_view_put(t->fs);
	cred_put(t->cred);
	pthread_mutex_destroy(&t->lock);
	free(t);
	tg->leader = NULL;
	tg_put(tg);
	return err;
}
