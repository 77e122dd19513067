/*
 * warden exec: a new process in a running container, served by the sentry (it has no
 * parent inside; runsc's do the same). The CLI hands the sentry its stdio (or a pty's
 * replica) over the control socket and waits for the exit status there; with --detach a
 * small waiter process does the waiting, and its pid goes in --pid-file: conmon and the
 * containerd shim reap it and take its exit status as the exec's, as with runc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/cmd.h"
#include "runtime/oci_args.h"
#include "runtime/oci_cli.h"
#include "runtime/oci_console.h"
#include "runtime/oci_control.h"
#include "runtime/oci_sandbox.h"
#include "runtime/oci_spec.h"
#include "runtime/oci_state.h"

#define EXEC_EXIT_ERROR 255 /* runc's status for an exec that could not run */
#define PROCESS_FILE_MAX (1 << 20)
#define MAX_FIELDS 4096

struct exec_opts {
	const char *process, *pid_file, *console_socket, *cwd, *user;
	const char *env[257], *gids[257], *caps[257];
	bool detach, tty, nnp, ignore_paused;
};

/* The process: from --process, else the container's own with the flags over it. */
static struct oci_spec *load_process(const struct exec_opts *x, const struct oci_state *st,
				     int nargs, char **args)
{
	char err[512], *text = NULL, *doc;
	struct oci_spec *s = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (x->process) {
		f = fopen(x->process, "re");
		if (!f) {
			cmd_error("exec failed: --process %s: %s", x->process, strerror(errno));
			return NULL;
		}
		text = calloc(1, PROCESS_FILE_MAX + 1);
		len = text ? fread(text, 1, PROCESS_FILE_MAX + 1, f) : 0;
		fclose(f);
		if (!text || len > PROCESS_FILE_MAX) {
			cmd_error("exec failed: --process %s: too large", x->process);
			free(text);
			return NULL;
		}
		text[len] = 0;
		/* a process object parses as the "process" of a minimal config */
		doc = malloc(len + 96);
		if (!doc) {
			free(text);
			return NULL;
		}
		snprintf(doc, len + 96,
			 "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"/\"},"
			 "\"process\":%s}",
			 text);
		free(text);
		ret = oci_spec_parse(doc, strlen(doc), &s, err, sizeof(err));
		free(doc);
		if (ret) {
			cmd_error("exec failed: --process %s: %s", x->process,
				  ret == -EINVAL ? err : strerror(-ret));
			return NULL;
		}
		return s;
	}
	ret = oci_spec_load(st->config, &s, err, sizeof(err));
	if (ret) {
		cmd_error("exec failed: %s: %s", st->config, ret == -EINVAL ? err : strerror(-ret));
		return NULL;
	}
	if (nargs < 1) {
		cmd_error("exec failed: args must not be empty");
		oci_spec_free(s);
		return NULL;
	}
	for (char **a = s->process.args; *a; a++)
		free(*a);
	free(s->process.args);
	s->process.args = calloc((size_t)nargs + 1, sizeof(char *));
	for (int i = 0; s->process.args && i < nargs; i++)
		s->process.args[i] = strdup(args[i]);
	s->process.terminal = x->tty;
	return s;
}

static int add(const char **f, int *n, char *s)
{
	if (!s || *n >= MAX_FIELDS)
		return -1;
	f[(*n)++] = s;
	return 0;
}

static char *fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* The exec request's fields (see sentry/control.h); flags override the process's. */
static int build_request(const struct exec_opts *x, const struct oci_process *p, const char **f,
			 int *n)
{
	unsigned uid = p->uid, gid = p->gid;
	uint64_t add_caps = 0;
	int err = 0;

	/* --cap NAME: added to every set, as runc does */
	for (int i = 0; x->caps[i]; i++) {
		const char *want = x->caps[i], *name;
		unsigned c;

		for (c = 0; (name = oci_cap_name(c)); c++)
			if (!strcasecmp(name, want) || !strcasecmp(name + 4, want))
				break;
		if (!name) {
			cmd_error("exec failed: --cap %s: unknown capability", want);
			return -1;
		}
		add_caps |= 1ULL << c;
	}
	if (x->user && sscanf(x->user, "%u:%u", &uid, &gid) < 1) {
		cmd_error("exec failed: --user %s: expected UID[:GID]", x->user);
		return -1;
	}
	f[(*n)++] = "exec";
	for (char **a = p->args; *a && !err; a++)
		err = add(f, n, fmt("arg=%s", *a));
	for (char **e = p->env; e && *e && !err; e++)
		err = add(f, n, fmt("env=%s", *e));
	for (int i = 0; x->env[i] && !err; i++)
		err = add(f, n, fmt("env=%s", x->env[i]));
	if (!err)
		err = add(f, n, fmt("cwd=%s", x->cwd ? x->cwd : p->cwd));
	if (!err)
		err = add(f, n, fmt("uid=%u", uid));
	if (!err)
		err = add(f, n, fmt("gid=%u", gid));
	for (size_t i = 0; !x->user && i < p->n_additional_gids && !err; i++)
		err = add(f, n, fmt("group=%u", p->additional_gids[i]));
	for (int i = 0; x->gids[i] && !err; i++)
		err = add(f, n, fmt("group=%s", x->gids[i]));
	if (!err)
		err = add(f, n,
			  fmt("caps=%llx,%llx,%llx,%llx", (unsigned long long)p->cap_effective,
			      (unsigned long long)p->cap_permitted,
			      (unsigned long long)p->cap_inheritable,
			      (unsigned long long)p->cap_bounding));
	if (!err && (p->no_new_privileges || x->nnp))
		err = add(f, n, fmt("nnp=1"));
	if (!err && p->has_umask)
		err = add(f, n, fmt("umask=%o", p->umask));
	if (err)
		cmd_error("exec failed: request too large");
	return err;
}

/* Waits for the exec'd process's "exit STATUS": its exit status as a shell reports it. */
static int wait_exit(int fd)
{
	char buf[128], *f[4];
	int n = oci_control_recv(fd, buf, sizeof(buf), f, 4);

	if (n < 2 || strcmp(f[0], "exit"))
		return 128 + 9; /* the sandbox went away under it: as if killed */
	return oci_exit_status(atoi(f[1]));
}

int cmd_exec(int argc, char **argv)
{
	struct exec_opts x = { 0 };
	const char *ignored_v = NULL;
	bool ignored = false;
	const struct oci_opt opts[] = {
		OPT_ARG("process", 'p', &x.process),
		OPT_FLAG("detach", 'd', &x.detach),
		OPT_ARG("pid-file", 0, &x.pid_file),
		OPT_ARG("console-socket", 0, &x.console_socket),
		OPT_FLAG("tty", 't', &x.tty),
		OPT_ARG("cwd", 0, &x.cwd),
		OPT_LIST("env", 'e', x.env),
		OPT_ARG("user", 'u', &x.user),
		OPT_LIST("additional-gids", 'g', x.gids),
		OPT_LIST("cap", 'c', x.caps),
		OPT_FLAG("no-new-privs", 0, &x.nnp),
		OPT_FLAG("ignore-paused", 0, &x.ignore_paused),
		OPT_ARG("preserve-fds", 0, &ignored_v),
		OPT_ARG("apparmor", 0, &ignored_v),
		OPT_ARG("process-label", 0, &ignored_v),
		OPT_ARG("cgroup", 0, &ignored_v),
		OPT_FLAG("no-subreaper", 0, &ignored),
		OPT_END,
	};
	int i = oci_args_parse("exec", argc, argv, opts), n = 0, fd, ret, err, replica = -1;
	const char **f = NULL;
	struct oci_spec *s = NULL;
	struct oci_state *st;
	char buf[1024], *r[4] = { NULL, NULL, NULL, NULL };
	int fds[3] = { 0, 1, 2 };
	pid_t w;

	if (i < 0 || oci_args_need("exec", argc - i, 1, true))
		return EXEC_EXIT_ERROR;
	st = oci_container_load(argv[i], NULL);
	if (!st)
		return EXEC_EXIT_ERROR;
	ret = EXEC_EXIT_ERROR;
	if (st->status == OCI_STOPPED) {
		cmd_error("exec failed: cannot exec in a stopped container");
		goto out;
	}
	if (st->status == OCI_PAUSED && !x.ignore_paused) {
		cmd_error("exec failed: cannot exec in a paused container (use --ignore-paused to "
			  "override)");
		goto out;
	}
	s = load_process(&x, st, argc - i - 1, argv + i + 1);
	f = calloc(MAX_FIELDS, sizeof(*f));
	if (!s || !f || build_request(&x, &s->process, f, &n))
		goto out;
	if (s->process.terminal) {
		if (x.console_socket) {
			int err = oci_console_open(x.console_socket, s->process.console_height,
						   s->process.console_width, &replica);

			if (err) {
				cmd_error("exec failed: console socket %s: %s", x.console_socket,
					  strerror(-err));
				goto out;
			}
			fds[0] = fds[1] = fds[2] = replica;
		} else if (x.detach || !isatty(0)) {
			cmd_error("exec failed: cannot allocate tty if warden will detach without "
				  "setting console socket");
			goto out;
		}
	}
	fd = oci_control_connect(oci_globals.root, st->id);
	ret = fd < 0 ? fd : oci_control_send(fd, f, n, fds, 3);
	if (!ret)
		ret = oci_control_recv(fd, buf, sizeof(buf), r, 4);
	if (replica >= 0)
		close(replica);
	if (ret < 0) {
		if (r[2])
			cmd_error("exec failed: %s", r[2]); /* the sentry's own message */
		else if (ret == -ENOENT || ret == -ECONNREFUSED || ret == -EPIPE)
			cmd_error("exec failed: cannot exec in a stopped container");
		else
			cmd_error("exec failed: %s", strerror(-ret));
		if (fd >= 0)
			close(fd);
		ret = EXEC_EXIT_ERROR;
		goto out;
	}
	if (!x.detach) {
		ret = wait_exit(fd);
		close(fd);
		goto out;
	}
	fflush(NULL);
	w = fork();
	if (w == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		/* the waiter holds none of the caller's pipes: their readers see EOF when
		 * the process itself is done with them */
		for (int k = 0; k < 3 && null >= 0; k++)
			dup2(null, k);
		_exit(wait_exit(fd));
	}
	close(fd);
	ret = 0;
	if (w < 0) {
		cmd_error("exec failed: fork: %s", strerror(errno));
		ret = EXEC_EXIT_ERROR;
	} else if (x.pid_file && (err = oci_write_pid_file(x.pid_file, w))) {
		cmd_error("exec failed: --pid-file %s: %s", x.pid_file, strerror(-err));
		ret = EXEC_EXIT_ERROR;
	}
out:
	for (int k = 1; f && k < n; k++)
		free((char *)f[k]);
	free(f);
	oci_spec_free(s);
	oci_state_free(st);
	return ret;
}
