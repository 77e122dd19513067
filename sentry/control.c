/* The sentry's side of the runtime's control channel (see control.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/bug.h"
#include "common/log.h"
#include "sentry/control.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/spawn.h"

#define EXEC_MAX_STRINGS 16384 /* argv + env + groups of one exec request */

/* A connection; exec'd processes hold a reference until they report their exit. */
struct conn {
	struct kernel *k;
	int fd;
	atomic_int refs;
	pthread_mutex_t send_lock;
};

static void conn_put(struct conn *c)
{
	if (atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	close(c->fd);
	pthread_mutex_destroy(&c->send_lock);
	free(c);
}

/* Sends the n fields as one message (send(2) is not among the sentry's host calls). */
static int reply(struct conn *c, const char *const *fields, int n)
{
	char buf[4096];
	size_t len = 0;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;

	for (int i = 0; i < n; i++) {
		size_t l = strlen(fields[i]) + 1;

		if (len + l > sizeof(buf))
			return -EMSGSIZE;
		memcpy(buf + len, fields[i], l);
		len += l;
	}
	iov.iov_base = buf;
	iov.iov_len = len;
	pthread_mutex_lock(&c->send_lock);
	r = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
	pthread_mutex_unlock(&c->send_lock);
	return r < 0 ? -errno : 0;
}

static int reply_ok(struct conn *c)
{
	const char *f[] = { "ok" };

	return reply(c, f, 1);
}

static int reply_err(struct conn *c, int err, const char *msg)
{
	char num[16];
	const char *f[] = { "err", num, msg ? msg : strerror(-err) };

	snprintf(num, sizeof(num), "%d", -err);
	return reply(c, f, 3);
}

/* ---- start ---- */

static void do_start(struct conn *c)
{
	struct kernel *k = c->k;
	struct task *init = NULL;
	int err = 0;

	pthread_mutex_lock(&k->lock);
	if (k->started)
		err = -EBUSY;
	else if (k->init_exited || !k->init || !k->init->leader)
		err = -ESRCH;
	else
		init = k->init->leader;
	if (!err)
		k->started = true;
	pthread_mutex_unlock(&k->lock);
	if (!err)
		err = task_start(init);
	if (err)
		reply_err(c, err, err == -EBUSY ? "already started" : NULL);
	else
		reply_ok(c);
}

/* ---- kill ---- */

/* Before start, init is only loaded: a signal that would end it ends the sandbox. */
static void kill_unstarted(struct kernel *k, int sig)
{
	enum sig_default d = sig_default_action(sig);

	if (d != SIG_DEF_TERM && d != SIG_DEF_CORE)
		return;
	if (!k->init_exited) {
		k->init_exited = true;
		k->init_status = sig; /* a wait status: killed by sig */
		pthread_cond_broadcast(&k->cond);
	}
}

/* As from a parent pid namespace: init gets only SIGKILL, SIGSTOP and what it handles. */
static bool init_takes(struct thread_group *init, int sig)
{
	bool dfl;

	if (sig == SIGKILL || sig == SIGSTOP)
		return true;
	pthread_mutex_lock(&init->sighand->lock);
	dfl = init->sighand->action[sig - 1].handler == (uint64_t)(uintptr_t)SIG_DFL;
	pthread_mutex_unlock(&init->sighand->lock);
	return !dfl;
}

static void do_kill(struct conn *c, char **f, int n)
{
	struct kernel *k = c->k;
	char *end;
	long sig = n >= 2 ? strtol(f[1], &end, 10) : 0;
	bool all = n >= 3 && !strcmp(f[2], "1");
	int err = 0;

	if (n < 2 || *end || sig < 1 || sig >= LINUX_NSIG) {
		reply_err(c, -EINVAL, "bad signal");
		return;
	}
	pthread_mutex_lock(&k->lock);
	if (k->init_exited || !k->init) {
		err = -ESRCH;
	} else if (!k->started) {
		kill_unstarted(k, (int)sig);
	} else if (all) {
		/* everyone else first, as runc's kill --all walks the cgroup */
		for (int i = 2; i < KERNEL_MAX_PID; i++) {
			struct task *o = k->pid_table[i];

			if (o && o->tg->tgid == i && !o->tg->zombie && o->tg != k->init)
				sig_send(o, (int)sig, true);
		}
		if (k->init->leader && init_takes(k->init, (int)sig))
			sig_send(k->init->leader, (int)sig, true);
	} else if (k->init->leader && init_takes(k->init, (int)sig)) {
		err = sig_send(k->init->leader, (int)sig, true);
	}
	pthread_mutex_unlock(&k->lock);
	if (err)
		reply_err(c, err, err == -ESRCH ? "container not running" : NULL);
	else
		reply_ok(c);
}

/* ---- ps ---- */

static void do_ps(struct conn *c)
{
	struct kernel *k = c->k;
	size_t cap = 64, n = 1;
	const char **fields = malloc(cap * sizeof(*fields));
	char *lines = NULL;
	size_t used = 0, lcap = 0;
	struct timespec now;

	if (!fields) {
		reply_err(c, -ENOMEM, NULL);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&k->lock);
	for (int i = 1; i < KERNEL_MAX_PID; i++) {
		struct task *o = k->pid_table[i];
		struct thread_group *g;
		char line[128];
		int len;

		if (!o || o->tg->tgid != i || o->tg->zombie)
			continue;
		g = o->tg;
		len = snprintf(line, sizeof(line), "%d %d %u %lld %s", g->tgid,
			       g->parent ? g->parent->tgid : 0, o->cred ? o->cred->uid : 0,
			       (long long)(o->start_time.tv_sec - k->boot_time.tv_sec), o->comm);
		if (len < 0 || (size_t)len >= sizeof(line))
			continue;
		if (used + (size_t)len + 1 > lcap) {
			size_t ncap = lcap ? lcap * 2 : 4096;
			char *nl = realloc(lines, ncap);

			if (!nl)
				break;
			lines = nl;
			lcap = ncap;
		}
		memcpy(lines + used, line, (size_t)len + 1);
		used += (size_t)len + 1;
	}
	pthread_mutex_unlock(&k->lock);
	fields[0] = "ok";
	for (size_t off = 0; off < used; off += strlen(lines + off) + 1) {
		if (n == cap) {
			const char **nf = realloc(fields, 2 * cap * sizeof(*fields));

			if (!nf)
				break;
			fields = nf;
			cap *= 2;
		}
		fields[n++] = lines + off;
	}
	if (reply(c, fields, (int)n) == -EMSGSIZE)
		reply_err(c, -EMSGSIZE, "too many processes to list");
	free(fields);
	free(lines);
}

/* ---- exec ---- */

struct exec_req {
	char *argv[EXEC_MAX_STRINGS + 1];
	char *envp[EXEC_MAX_STRINGS + 1];
	uint32_t groups[EXEC_MAX_STRINGS];
	int nargv, nenvp;
	struct sentry_process p;
};

static bool parse_u32(const char *s, int base, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || !*s || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int parse_exec(struct exec_req *r, char **f, int n)
{
	memset(&r->p, 0, sizeof(r->p));
	r->nargv = r->nenvp = 0;
	r->p.groups = r->groups;
	r->p.cwd_strict = true;
	for (int i = 1; i < n; i++) {
		char *v = strchr(f[i], '=');
		unsigned long long caps[4];

		if (!v)
			return -EINVAL;
		*v++ = 0;
		if (!strcmp(f[i], "arg") && r->nargv < EXEC_MAX_STRINGS) {
			r->argv[r->nargv++] = v;
		} else if (!strcmp(f[i], "env") && r->nenvp < EXEC_MAX_STRINGS) {
			r->envp[r->nenvp++] = v;
		} else if (!strcmp(f[i], "cwd")) {
			r->p.cwd = v;
		} else if (!strcmp(f[i], "uid")) {
			r->p.has_user = true;
			if (!parse_u32(v, 10, &r->p.uid))
				return -EINVAL;
		} else if (!strcmp(f[i], "gid")) {
			r->p.has_user = true;
			if (!parse_u32(v, 10, &r->p.gid))
				return -EINVAL;
		} else if (!strcmp(f[i], "group") && r->p.ngroups < EXEC_MAX_STRINGS) {
			if (!parse_u32(v, 10, &r->groups[r->p.ngroups++]))
				return -EINVAL;
		} else if (!strcmp(f[i], "caps")) {
			if (sscanf(v, "%llx,%llx,%llx,%llx", &caps[0], &caps[1], &caps[2],
				   &caps[3]) != 4)
				return -EINVAL;
			r->p.has_caps = true;
			r->p.cap_effective = caps[0];
			r->p.cap_permitted = caps[1];
			r->p.cap_inheritable = caps[2];
			r->p.cap_bounding = caps[3];
		} else if (!strcmp(f[i], "nnp")) {
			r->p.no_new_privs = !strcmp(v, "1");
		} else if (!strcmp(f[i], "umask")) {
			r->p.has_umask = true;
			if (!parse_u32(v, 8, &r->p.umask))
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	if (!r->nargv)
		return -EINVAL;
	r->argv[r->nargv] = NULL;
	r->envp[r->nenvp] = NULL;
	r->p.argv = r->argv;
	r->p.envp = r->envp;
	return 0;
}

static void exec_exited(void *arg, int wait_status)
{
	struct conn *c = arg;
	char num[16];
	const char *f[] = { "exit", num };

	snprintf(num, sizeof(num), "%d", wait_status);
	reply(c, f, 2);
	conn_put(c);
}

static void do_exec(struct conn *c, char **f, int n, const int fds[3])
{
	struct kernel *k = c->k;
	struct exec_req *r = malloc(sizeof(*r));
	enum sentry_stage stage;
	struct task *t;
	char pid[16];
	const char *ok[] = { "ok", pid };
	bool started;
	int err;

	if (!r) {
		reply_err(c, -ENOMEM, NULL);
		return;
	}
	pthread_mutex_lock(&k->lock);
	/* as runc, a created container takes exec'd processes before its init starts */
	started = k->init && !k->init_exited;
	pthread_mutex_unlock(&k->lock);
	err = started ? parse_exec(r, f, n) : -ESRCH;
	if (err) {
		reply_err(c, err, err == -ESRCH ? "container not running" : "bad exec request");
		free(r);
		return;
	}
	err = spawn_process(k, &r->p, k->container_root, fds, &t, &stage);
	if (err) {
		char msg[256];

		if (stage == SENTRY_STAGE_EXEC)
			snprintf(msg, sizeof(msg), "exec: \"%s\": %s", r->argv[0], strerror(-err));
		else if (stage == SENTRY_STAGE_CWD)
			snprintf(msg, sizeof(msg), "chdir to cwd (\"%s\"): %s", r->p.cwd,
				 strerror(-err));
		else
			snprintf(msg, sizeof(msg), "cannot start the process: %s", strerror(-err));
		reply_err(c, err, msg);
		free(r);
		return;
	}
	free(r);
	atomic_fetch_add(&c->refs, 1);
	t->tg->exit_hook = exec_exited;
	t->tg->exit_hook_arg = c;
	snprintf(pid, sizeof(pid), "%d", t->tid);
	reply(c, ok, 2);
	err = task_start(t);
	if (err)
		log_warn("control: exec'd process %d did not start: %s", t->tid, strerror(-err));
}

/* ---- the connection ---- */

/* Splits a message into its NUL-terminated fields (the last must be terminated too). */
static int split(char *buf, size_t len, char **f, int max)
{
	int n = 0;

	if (!len || buf[len - 1])
		return -EINVAL;
	for (size_t off = 0; off < len && n < max; off += strlen(buf + off) + 1)
		f[n++] = buf + off;
	return n;
}

static void serve_one(struct conn *c, char *buf, size_t len, const int fds[3], int nfds)
{
	static char *f[2 * EXEC_MAX_STRINGS + 16];
	static pthread_mutex_t f_lock = PTHREAD_MUTEX_INITIALIZER;
	int n;

	/* one request at a time across connections: the field table is shared */
	pthread_mutex_lock(&f_lock);
	n = split(buf, len, f, (int)ARRAY_SIZE(f));
	if (n < 1)
		reply_err(c, -EINVAL, "malformed request");
	else if (!strcmp(f[0], "start"))
		do_start(c);
	else if (!strcmp(f[0], "kill"))
		do_kill(c, f, n);
	else if (!strcmp(f[0], "ps"))
		do_ps(c);
	else if (!strcmp(f[0], "exec") && nfds == 3)
		do_exec(c, f, n, fds);
	else
		reply_err(c, -EINVAL, "unknown request");
	pthread_mutex_unlock(&f_lock);
}

static void *conn_thread(void *arg)
{
	struct conn *c = arg;
	char *buf = malloc(CONTROL_MSG_MAX);

	while (buf) {
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(3 * sizeof(int))];
		} cm;
		struct iovec iov = { .iov_base = buf, .iov_len = CONTROL_MSG_MAX };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = cm.b,
				     .msg_controllen = sizeof(cm.b) };
		int fds[3] = { -1, -1, -1 }, nfds = 0;
		ssize_t r = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);

		if (r <= 0)
			break;
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h)) {
			if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
				continue;
			for (size_t i = 0; i < (h->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
				if (nfds < 3)
					fds[nfds++] = fd;
				else
					close(fd);
			}
		}
		if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
			reply_err(c, -EMSGSIZE, "request too large");
		else
			serve_one(c, buf, (size_t)r, fds, nfds);
		for (int i = 0; i < nfds; i++)
			close(fds[i]); /* the guest's files hold duplicates */
	}
	free(buf);
	conn_put(c);
	return NULL;
}

struct server {
	struct kernel *k;
	int fd;
};

static void *accept_thread(void *arg)
{
	struct server *s = arg;

	for (;;) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		struct conn *c;
		pthread_attr_t attr;
		pthread_t th;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			log_warn("control: accept: %s", strerror(errno));
			break;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->k = s->k;
		c->fd = fd;
		atomic_init(&c->refs, 1);
		pthread_mutex_init(&c->send_lock, NULL);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&th, &attr, conn_thread, c))
			conn_put(c);
		pthread_attr_destroy(&attr);
	}
	free(s);
	return NULL;
}

int control_serve(struct kernel *k, int listen_fd)
{
	struct server *s = malloc(sizeof(*s));
	pthread_attr_t attr;
	pthread_t th;
	sigset_t all, old;
	int err;

	if (!s)
		return -ENOMEM;
	s->k = k;
	s->fd = listen_fd;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* like task threads, these never take host signals as handlers */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&th, &attr, accept_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (err)
		free(s);
	return err;
}
