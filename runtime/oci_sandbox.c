/* `create`: the sandbox process and the container's state (see oci_sandbox.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/cmd.h"
#include "runtime/oci_cli.h"
#include "runtime/oci_console.h"
#include "runtime/oci_control.h"
#include "runtime/oci_hooks.h"
#include "runtime/oci_sandbox.h"
#include "runtime/oci_spec.h"
#include "runtime/oci_state.h"
#include "sentry/sentry.h"

#define ROOT_CHANNELS 4 /* gofer channels for the root: task threads don't queue on one */
#define MAX_GOFERS 64
#define MAX_MOUNTS 256
#define MSG_MAX 1024

/* Everything the sandbox process needs, made by the CLI before the fork. */
struct sandbox {
	const struct oci_create_opts *o;
	struct oci_spec *spec;
	char rootfs[PATH_MAX];
	char bundle[PATH_MAX];
	int control_fd;
	int ready_w, go_r;
	int console_fd; /* the pty's replica when process.terminal, else -1 */
	/* filled in the sandbox process */
	struct sentry_mount mounts[MAX_MOUNTS + 1];
	int nmounts;
	struct {
		char *dir;
		bool ro;
		int fds[ROOT_CHANNELS];
	} gofers[MAX_GOFERS];
	int ngofers;
	char staging[PATH_MAX]; /* file binds (stage_file), "" until the first */
	int nstaged;
	struct sentry_rlimit rlimits[64];
};

int oci_exit_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return OCI_EXIT_ERROR;
}

/* ---- in the sandbox process ---- */

/* The setup's outcome for the CLI: "ok", or "err ERRNO MESSAGE". */
static void report(struct sandbox *x, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(struct sandbox *x, int err, const char *fmt, ...)
{
	char msg[MSG_MAX], line[MSG_MAX + 32];
	va_list ap;
	int n;

	if (x->ready_w < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = err ? snprintf(line, sizeof(line), "err %d %s", -err, msg) :
		  snprintf(line, sizeof(line), "ok");
	if (write(x->ready_w, line, (size_t)n) < 0) {
		/* the CLI is gone: nobody to tell */
	}
	close(x->ready_w);
	x->ready_w = -1;
}

static void on_ready(void *arg)
{
	report(arg, 0, "ok");
}

/* Closes every inherited fd but stdio and the ones the sandbox uses (conmon and the shim
 * leak their sync pipes into the runtime; holding them would hang them). */
static void close_inherited(const struct sandbox *x)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int dfd = d ? dirfd(d) : -1;

	while (d && (e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd < 3 || fd == dfd || fd == x->ready_w ||
		    fd == x->control_fd)
			continue;
		close(fd);
	}
	if (d)
		closedir(d);
}

static int gofer_for(struct sandbox *x, const char *dir, bool ro, int nchan, const int **fds)
{
	pid_t pid;
	int err;

	for (int i = 0; i < x->ngofers; i++) {
		if (!strcmp(x->gofers[i].dir, dir) && x->gofers[i].ro == ro) {
			*fds = x->gofers[i].fds;
			return 0;
		}
	}
	if (x->ngofers == MAX_GOFERS)
		return -ENOSPC;
	x->gofers[x->ngofers].dir = strdup(dir);
	if (!x->gofers[x->ngofers].dir)
		return -ENOMEM;
	x->gofers[x->ngofers].ro = ro;
	err = cmd_gofer_spawn(dir, ro, nchan, x->gofers[x->ngofers].fds, &pid);
	if (err)
		return err;
	*fds = x->gofers[x->ngofers++].fds;
	return 0;
}

/* Mount options only a host mount understands: dropped from a tmpfs's data. */
static bool host_only_option(const char *o)
{
	static const char *const drop[] = { "tmpcopyup", "notmpcopyup", "copy-symlink",
					    "idmap",	 "z",		"Z",
					    "U" };

	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		if (!strcmp(o, drop[i]))
			return true;
	return false;
}

static char *tmpfs_data(const char *data)
{
	char *copy = strdup(data), *out = calloc(1, strlen(data) + 1), *save = NULL;

	if (!copy || !out) {
		free(copy);
		free(out);
		return NULL;
	}
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (host_only_option(w))
			continue;
		if (*out)
			strcat(out, ",");
		strcat(out, w);
	}
	free(copy);
	return out;
}

#define MNT_FLAGS                                                                                  \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME)

/*
 * A file bind's source, bind-mounted (in the sandbox's own mount namespace) on a file of
 * a staging tmpfs in the state directory: one gofer serves the staging files and sees
 * nothing beside them (a gofer on the source's directory would serve its siblings too:
 * /etc/shadow beside /etc/resolv.conf). name gets the file's name there.
 */
static int stage_file(struct sandbox *x, const char *src, bool ro, char *name, size_t len)
{
	char path[PATH_MAX];
	int fd;

	if (!x->staging[0]) {
		if (oci_state_path(oci_globals.root, x->o->id, "files", x->staging,
				   sizeof(x->staging)) < 0)
			return -ENAMETOOLONG;
		if (mkdir(x->staging, 0700) < 0 && errno != EEXIST)
			return -errno;
		if (mount("tmpfs", x->staging, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "mode=0700,size=64k") < 0)
			return -errno;
	}
	snprintf(name, len, "%d", x->nstaged++);
	if (snprintf(path, sizeof(path), "%s/%s", x->staging, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	if (mount(src, path, NULL, MS_BIND, NULL) < 0)
		return -errno;
	if (ro && mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return -errno;
	return 0;
}

/* A bind mount's source through a gofer: a directory is its gofer's root; a file is one
 * of the staging files (stage_file). */
static int bind_mount(struct sandbox *x, const struct oci_mount *m, unsigned long flags,
		      struct sentry_mount *sm)
{
	char src[PATH_MAX], name[16];
	struct stat st;
	bool ro = flags & MS_RDONLY;
	int n, err;

	if (m->source[0] == '/')
		n = snprintf(src, sizeof(src), "%s", m->source);
	else
		n = snprintf(src, sizeof(src), "%s/%s", x->bundle, m->source);
	if (n < 0 || n >= (int)sizeof(src))
		return -ENAMETOOLONG;
	if (stat(src, &st) < 0)
		return -errno;
	sm->type = "bind";
	sm->flags = flags & MNT_FLAGS;
	if (S_ISDIR(st.st_mode)) {
		err = gofer_for(x, src, ro, 1, &sm->gofer_fds);
		sm->gofer_nchan = 1;
		return err;
	}
	err = stage_file(x, src, ro, name, sizeof(name));
	if (err)
		return err;
	sm->file = strdup(name);
	if (!sm->file)
		return -ENOMEM;
	err = gofer_for(x, x->staging, false, 1, &sm->gofer_fds);
	sm->gofer_nchan = 1;
	return err;
}

/* config.json's mounts as the sentry's; ones Warden's own /dev and /sys already cover
 * (devpts, cgroup) are left out. A message names a mount that cannot be served. */
static int build_mounts(struct sandbox *x, char *msg, size_t msglen)
{
	bool have_dev = false;

	for (size_t i = 0; i < x->spec->n_mounts; i++)
		if (!strcmp(x->spec->mounts[i].destination, "/dev"))
			have_dev = true;
	if (!have_dev)
		x->mounts[x->nmounts++] = (struct sentry_mount){ .dest = "/dev",
								 .type = "devfs",
								 .flags = MS_NOSUID };
	for (size_t i = 0; i < x->spec->n_mounts && x->nmounts < MAX_MOUNTS; i++) {
		const struct oci_mount *m = &x->spec->mounts[i];
		struct sentry_mount *sm = &x->mounts[x->nmounts];
		struct oci_mount_opts mo;
		int err;

		if (oci_mount_options(m, &mo))
			return -ENOMEM;
		memset(sm, 0, sizeof(*sm));
		sm->dest = m->destination;
		sm->flags = mo.flags & MNT_FLAGS;
		err = 0;
		if (mo.flags & MS_BIND) {
			err = bind_mount(x, m, mo.flags, sm);
			if (err)
				snprintf(msg, msglen, "mounts[%zu]: bind source %s: %s", i,
					 m->source, strerror(-err));
		} else if (!strcmp(m->type, "tmpfs") && !strcmp(m->destination, "/dev")) {
			sm->type = "devfs"; /* Warden's own device nodes, never the host's */
		} else if (!strcmp(m->type, "tmpfs")) {
			sm->type = "tmpfs";
			sm->data = tmpfs_data(mo.data);
		} else if (!strcmp(m->type, "proc") || !strcmp(m->type, "sysfs") ||
			   !strcmp(m->type, "mqueue")) {
			sm->type = m->type;
		} else if (!strcmp(m->type, "devpts") || !strcmp(m->type, "cgroup") ||
			   !strcmp(m->type, "cgroup2")) {
			free(mo.data);
			continue; /* devfs has /dev/pts, sysfs has /sys/fs/cgroup */
		} else {
			err = -EINVAL;
			snprintf(msg, msglen, "mounts[%zu].type: \"%s\" is not supported", i,
				 m->type);
		}
		free(mo.data);
		if (err)
			return err;
		x->nmounts++;
	}
	return 0;
}

static int namespaces(const struct oci_spec *s, char *msg, size_t msglen)
{
	const struct oci_namespace *net = oci_spec_namespace(s, "network");
	int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
	int fd;

	/* the sandbox never shares the host's network: its guests use Warden's stack */
	if (!net || !net->path[0])
		flags |= CLONE_NEWNET;
	if (unshare(flags) < 0) {
		snprintf(msg, msglen, "unshare: %s", strerror(errno));
		return -errno;
	}
	if (net && net->path[0]) {
		fd = open(net->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
			snprintf(msg, msglen, "linux.namespaces: network %s: %s", net->path,
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			return -errno;
		}
		close(fd);
	}
	/* nothing the sandbox does to mounts reaches the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		snprintf(msg, msglen, "making / private: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static void init_process(struct sandbox *x, struct sentry_process *p)
{
	const struct oci_process *op = &x->spec->process;

	p->argv = op->args;
	p->envp = op->env;
	p->cwd = op->cwd;
	p->cwd_strict = true;
	p->has_user = true;
	p->uid = op->uid;
	p->gid = op->gid;
	p->groups = op->additional_gids;
	p->ngroups = (uint32_t)op->n_additional_gids;
	p->has_caps = true;
	p->cap_effective = op->cap_effective;
	p->cap_permitted = op->cap_permitted;
	p->cap_inheritable = op->cap_inheritable;
	p->cap_bounding = op->cap_bounding;
	p->no_new_privs = op->no_new_privileges;
	for (size_t i = 0; i < op->n_rlimits && i < 64; i++) {
		x->rlimits[i].resource = op->rlimits[i].resource;
		x->rlimits[i].soft = op->rlimits[i].soft;
		x->rlimits[i].hard = op->rlimits[i].hard;
		p->nrlimits++;
	}
	p->rlimits = x->rlimits;
	p->has_umask = op->has_umask;
	p->umask = op->umask;
	p->has_oom_score_adj = op->has_oom_score_adj;
	p->oom_score_adj = op->oom_score_adj;
}

static int sandbox_main(struct sandbox *x)
{
	struct sentry_config cfg = { 0 };
	const int *root_fds;
	char msg[MSG_MAX] = "";
	enum sentry_stage stage;
	char go;
	int st, err;

	/* the CLI puts this process in the container's cgroup first */
	if (read(x->go_r, &go, 1) != 1)
		_exit(OCI_EXIT_ERROR);
	close(x->go_r);
	setsid();
	prctl(PR_SET_NAME, "warden-sandbox");
	if (x->console_fd >= 0) {
		for (int fd = 0; fd < 3; fd++)
			dup2(x->console_fd, fd);
		close(x->console_fd);
		ioctl(0, TIOCSCTTY, 0);
	}
	close_inherited(x);
	err = namespaces(x->spec, msg, sizeof(msg));
	if (err) {
		report(x, err, "%s", msg);
		_exit(OCI_EXIT_ERROR);
	}
	err = gofer_for(x, x->rootfs, strcmp(oci_globals.overlay, "none"), ROOT_CHANNELS,
			&root_fds);
	if (err) {
		report(x, err, "cannot start the gofer for %s: %s", x->rootfs, strerror(-err));
		_exit(OCI_EXIT_ERROR);
	}
	err = build_mounts(x, msg, sizeof(msg));
	if (err) {
		report(x, err, "%s", msg[0] ? msg : strerror(-err));
		_exit(OCI_EXIT_ERROR);
	}
	cfg.platform = oci_globals.platform;
	cfg.strace = oci_globals.strace;
	cfg.debug_log = oci_globals.debug_log;
	cfg.host_root_rw = !strcmp(oci_globals.overlay, "none");
	cfg.root_readonly = x->spec->root_readonly;
	cfg.gofer_fds = root_fds;
	cfg.gofer_nchan = ROOT_CHANNELS;
	init_process(x, &cfg.init);
	if (x->spec->resources.pids_limit > 0)
		cfg.max_tasks = (int)(x->spec->resources.pids_limit < 32767 ?
					      x->spec->resources.pids_limit :
					      32767);
	cfg.hostname = x->spec->hostname[0] ? x->spec->hostname : x->o->id;
	cfg.domainname = x->spec->domainname;
	cfg.mounts = x->mounts;
	cfg.nmounts = x->nmounts;
	cfg.masked_paths = x->spec->masked_paths;
	cfg.readonly_paths = x->spec->readonly_paths;
	cfg.control_fd = x->control_fd;
	cfg.start_gate = true;
	cfg.on_ready = on_ready;
	cfg.ready_arg = x;
	err = sentry_run(&cfg, &st, &stage);
	if (err) {
		if (stage == SENTRY_STAGE_CWD)
			report(x, err, "chdir to cwd (\"%s\") set in config.json failed: %s",
			       x->spec->process.cwd, strerror(-err));
		else if (stage == SENTRY_STAGE_EXEC)
			report(x, err, "exec: \"%s\": %s", x->spec->process.args[0],
			       err == -ENOENT && !strchr(x->spec->process.args[0], '/') ?
				       "executable file not found in $PATH" :
				       strerror(-err));
		else
			report(x, err, "cannot start the sandbox: %s", strerror(-err));
		_exit(OCI_EXIT_ERROR);
	}
	_exit(oci_exit_status(st));
}

/* ---- in the CLI ---- */

static char **copy_annotations(const struct oci_spec *s)
{
	char **a = calloc(2 * s->n_annotations + 1, sizeof(char *));

	for (size_t i = 0; a && i < s->n_annotations; i++) {
		a[2 * i] = strdup(s->annotations[i].key);
		a[2 * i + 1] = strdup(s->annotations[i].value);
	}
	return a;
}

/* Reads the sandbox's setup report: 0, or -errno with the message in msg. */
static int await_ready(int fd, char *msg, size_t len)
{
	char buf[MSG_MAX + 32];
	ssize_t n;
	int e;

	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		snprintf(msg, len, "the sandbox exited during setup");
		return -EIO;
	}
	buf[n] = 0;
	if (!strcmp(buf, "ok"))
		return 0;
	if (sscanf(buf, "err %d", &e) == 1 && strchr(buf + 4, ' ')) {
		snprintf(msg, len, "%s", strchr(buf + 4, ' ') + 1);
		return -(e > 0 ? e : EIO);
	}
	snprintf(msg, len, "the sandbox's setup failed");
	return -EIO;
}

/* Validates what runc checks before anything is made. */
static int check_spec(const struct oci_create_opts *o, struct sandbox *x)
{
	const struct oci_spec *s = x->spec;
	struct stat st;
	int n;

	if (!s->has_process) {
		cmd_error("config.json: process: required to create a container");
		return -1;
	}
	if (s->process.terminal && !o->console_socket && o->detached) {
		cmd_error("cannot allocate tty if warden will detach without setting console "
			  "socket");
		return -1;
	}
	if (o->console_socket && !s->process.terminal) {
		cmd_error("cannot use console socket if warden will not detach or allocate tty");
		return -1;
	}
	if (s->process.terminal && !o->console_socket && !isatty(0)) {
		cmd_error("process.terminal: no terminal on stdin to give the container");
		return -1;
	}
	for (size_t i = 0; i < s->n_namespaces; i++) {
		const struct oci_namespace *ns = &s->namespaces[i];

		if (!strcmp(ns->type, "user")) {
			cmd_error("linux.namespaces[%zu]: user namespaces are not supported", i);
			return -1;
		}
		if (ns->path[0] && strcmp(ns->type, "network")) {
			cmd_error("linux.namespaces[%zu].path: joining an existing %s namespace is "
				  "not supported",
				  i, ns->type);
			return -1;
		}
	}
	if (s->root_path[0] == '/')
		n = snprintf(x->rootfs, sizeof(x->rootfs), "%s", s->root_path);
	else
		n = snprintf(x->rootfs, sizeof(x->rootfs), "%s/%s", x->bundle, s->root_path);
	if (n < 0 || n >= (int)sizeof(x->rootfs) || stat(x->rootfs, &st) < 0) {
		cmd_error("invalid rootfs: stat %s: %s", x->rootfs,
			  n < 0 || n >= (int)sizeof(x->rootfs) ? "name too long" : strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		cmd_error("invalid rootfs: %s is not a directory", x->rootfs);
		return -1;
	}
	return 0;
}

static int load_bundle(const struct oci_create_opts *o, struct sandbox *x)
{
	char path[PATH_MAX + 16], err[512];
	int ret;

	if (!realpath(o->bundle ? o->bundle : ".", x->bundle)) {
		cmd_error("bundle %s: %s", o->bundle ? o->bundle : ".", strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/config.json", x->bundle);
	ret = oci_spec_load(path, &x->spec, err, sizeof(err));
	if (ret == -ENOENT) {
		cmd_error("JSON specification file config.json not found");
		return -1;
	}
	if (ret) {
		cmd_error("%s", ret == -EINVAL ? err : strerror(-ret));
		return -1;
	}
	for (size_t i = 0; i < x->spec->n_warnings; i++)
		fprintf(stderr, "warden: warning: %s\n", x->spec->warnings[i]);
	return 0;
}

/* Runs the create-time hooks in order; the state is "creating" for them. */
static int create_hooks(struct sandbox *x, struct oci_state *st)
{
	static const enum oci_hook_stage stages[] = { OCI_HOOK_PRESTART, OCI_HOOK_CREATE_RUNTIME,
						      OCI_HOOK_CREATE_CONTAINER };
	char *json;
	char err[1024];
	int ret = 0;

	st->status = OCI_CREATING;
	json = oci_state_json(st, false);
	for (size_t i = 0; !ret && json && i < sizeof(stages) / sizeof(stages[0]); i++) {
		ret = oci_hooks_run(x->spec, stages[i], json, err, sizeof(err));
		if (ret)
			cmd_error("%s", err);
	}
	free(json);
	st->status = OCI_CREATED;
	return ret;
}

/*
 * The cgroup's limits. linux.resources.pids.limit counts the container's processes: the
 * sentry enforces it on the guest's tasks exactly (fork fails with EAGAIN, as under a
 * pids cgroup), while every guest task costs the host a stub process and a sentry thread;
 * the host's pids.max is a backstop sized to that, so it never trips first.
 */
static const struct oci_resources *host_resources(const struct oci_resources *r,
						  struct oci_resources *out)
{
	*out = *r;
	if (r->pids_limit > 0)
		out->pids_limit = OCI_HOST_PIDS(r->pids_limit);
	return out;
}

int oci_create(const struct oci_create_opts *o, pid_t *pid_out)
{
	struct oci_resources hr;
	const char *root = oci_globals.root;
	struct sandbox *x = calloc(1, sizeof(*x));
	struct oci_state st = { 0 };
	struct cgroup *cg = NULL;
	char cgpath[PATH_MAX], msg[MSG_MAX], now[64], cfgpath[PATH_MAX + 16];
	int ready[2] = { -1, -1 }, go[2] = { -1, -1 }, lock = -1, err, status;
	pid_t pid = -1;

	if (!x)
		return OCI_EXIT_ERROR;
	x->o = o;
	x->control_fd = x->console_fd = x->ready_w = x->go_r = -1;
	if (!o->id[0]) {
		cmd_error("container id cannot be empty");
		goto fail_free;
	}
	if (!oci_id_valid(o->id)) {
		cmd_error("invalid container ID format");
		goto fail_free;
	}
	if (load_bundle(o, x) || check_spec(o, x))
		goto fail_free;
	if (mkdir(root, 0711) < 0 && errno != EEXIST) {
		cmd_error("--root %s: %s", root, strerror(errno));
		goto fail_free;
	}
	err = oci_state_create_dir(root, o->id, &lock);
	if (err) {
		cmd_error("%s", err == -EEXIST ? "container with given ID already exists" :
						 strerror(-err));
		goto fail_free;
	}
	err = cgroup_path_from_spec(x->spec->cgroups_path, o->id, oci_globals.systemd_cgroup,
				    cgpath, sizeof(cgpath));
	/* runc resolves a relative path against its caller's cgroup; later commands may run
	 * elsewhere (conmon, the shim), so Warden anchors it at the hierarchy's root */
	if (!err && cgpath[0] != '/') {
		memmove(cgpath + 1, cgpath, strnlen(cgpath, sizeof(cgpath) - 2) + 1);
		cgpath[0] = '/';
	}
	if (!err)
		err = cgroup_create(cgpath, host_resources(&x->spec->resources, &hr), &cg, msg,
				    sizeof(msg));
	if (err) {
		cmd_error("cgroup %s: %s", x->spec->cgroups_path,
			  err == -EINVAL && msg[0] ? msg : strerror(-err));
		cg = NULL;
		goto fail_state;
	}
	x->control_fd = oci_control_listen(root, o->id);
	if (x->control_fd < 0) {
		cmd_error("control socket: %s", strerror(-x->control_fd));
		goto fail_state;
	}
	if (x->spec->process.terminal && o->console_socket) {
		err = oci_console_open(o->console_socket, x->spec->process.console_height,
				       x->spec->process.console_width, &x->console_fd);
		if (err) {
			cmd_error("console socket %s: %s", o->console_socket, strerror(-err));
			goto fail_state;
		}
	}
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
		cmd_error("pipe: %s", strerror(errno));
		goto fail_state;
	}
	x->ready_w = ready[1];
	x->go_r = go[0];
	/* the sandbox is its own pid namespace's init: when it goes, all of it goes. A
	 * fork-like clone keeps the CLI itself (and the hooks it runs) outside. */
	fflush(NULL);
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, NULL, NULL, 0);
	if (pid < 0) {
		cmd_error("clone(CLONE_NEWPID): %s", strerror(errno));
		goto fail_state;
	}
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		close(lock);
		sandbox_main(x);
	}
	close(ready[1]);
	close(go[0]);
	ready[1] = go[0] = -1;
	if (x->console_fd >= 0) {
		close(x->console_fd);
		x->console_fd = -1;
	}
	close(x->control_fd);
	x->control_fd = -1;
	err = cgroup_add_pid(cg, pid);
	if (err) {
		cmd_error("cgroup: adding the sandbox: %s", strerror(-err));
		goto fail_kill;
	}
	if (write(go[1], "g", 1) != 1) {
		cmd_error("starting the sandbox: %s", strerror(errno));
		goto fail_kill;
	}
	close(go[1]);
	go[1] = -1;
	err = await_ready(ready[0], msg, sizeof(msg));
	if (err) {
		cmd_error("%s", msg);
		goto fail_kill;
	}

	oci_now_rfc3339(now, sizeof(now));
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.json", x->bundle);
	st.id = (char *)o->id;
	st.pid = pid;
	st.pid_start = oci_pid_start_time(pid);
	st.status = OCI_CREATED;
	st.bundle = x->bundle;
	st.rootfs = x->rootfs;
	st.created = now;
	st.owner = "";
	st.config = cfgpath;
	st.cgroup = cgpath;
	st.annotations = copy_annotations(x->spec);
	err = oci_state_save(root, &st);
	if (err) {
		cmd_error("saving the state: %s", strerror(-err));
		goto fail_kill;
	}
	if (o->pid_file && (err = oci_write_pid_file(o->pid_file, pid))) {
		cmd_error("--pid-file %s: %s", o->pid_file, strerror(-err));
		goto fail_kill;
	}
	if (create_hooks(x, &st))
		goto fail_kill;
	for (char **a = st.annotations; a && *a; a++)
		free(*a);
	free(st.annotations);
	close(ready[0]);
	oci_state_unlock(lock);
	cgroup_free(cg);
	oci_spec_free(x->spec);
	free(x);
	*pid_out = pid;
	return 0;

fail_kill:
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (st.annotations) {
		for (char **a = st.annotations; *a; a++)
			free(*a);
		free(st.annotations);
	}
	if (o->pid_file)
		unlink(o->pid_file);
fail_state:
	if (cg) {
		cgroup_destroy(cg);
		cgroup_free(cg);
	}
	for (int i = 0; i < 2; i++) {
		if (ready[i] >= 0)
			close(ready[i]);
		if (go[i] >= 0)
			close(go[i]);
	}
	if (x->control_fd >= 0)
		close(x->control_fd);
	if (x->console_fd >= 0)
		close(x->console_fd);
	oci_state_remove(root, o->id);
	oci_state_unlock(lock);
fail_free:
	oci_spec_free(x->spec);
	free(x);
	return OCI_EXIT_ERROR;
}

/* Waits (bounded) for a process that is not our child to be gone. */
static void wait_gone(pid_t pid, uint64_t start)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };

		if (oci_pid_alive(pid, start))
			poll(&p, 1, 10000);
		close(pfd);
		return;
	}
	for (int i = 0; i < 1000 && oci_pid_alive(pid, start); i++)
		usleep(10000);
}

int oci_destroy(struct oci_state *st)
{
	struct oci_spec *spec = NULL;
	struct cgroup *cg = NULL;
	char err[1024];
	char *json;

	if (st->cgroup && st->cgroup[0] && cgroup_open(st->cgroup, &cg) == 0)
		cgroup_freeze(cg, false); /* a frozen sandbox cannot die */
	if (st->pid > 0 && oci_pid_alive(st->pid, st->pid_start)) {
		kill(st->pid, SIGKILL);
		wait_gone(st->pid, st->pid_start);
	}
	if (cg) {
		cgroup_destroy(cg);
		cgroup_free(cg);
	}
	oci_state_remove(oci_globals.root, st->id);
	st->status = OCI_STOPPED;
	if (st->config && oci_spec_load(st->config, &spec, err, sizeof(err)) == 0) {
		json = oci_state_json(st, false);
		if (json && oci_hooks_run(spec, OCI_HOOK_POSTSTOP, json, err, sizeof(err)))
			cmd_error("%s", err);
		free(json);
		oci_spec_free(spec);
	}
	return 0;
}
