/* The OCI lifecycle: create, start, run, kill, delete, pause, resume (runc's CLI). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/cmd.h"
#include "runtime/oci_args.h"
#include "runtime/oci_cli.h"
#include "runtime/oci_control.h"
#include "runtime/oci_hooks.h"
#include "runtime/oci_sandbox.h"
#include "runtime/oci_spec.h"
#include "runtime/oci_state.h"

struct oci_state *oci_container_load(const char *id, int *lock_fd)
{
	struct oci_state *st = NULL;
	int err;

	if (lock_fd) {
		*lock_fd = -1;
		err = oci_state_lock(oci_globals.root, id, lock_fd);
		if (err) {
			cmd_error("%s", err == -ENOENT || err == -EINVAL ?
						"container does not exist" :
						strerror(-err));
			return NULL;
		}
	}
	err = oci_state_load(oci_globals.root, id, &st);
	if (err) {
		cmd_error("%s", err == -ENOENT ? "container does not exist" :
				err == -EINVAL ? "container state is damaged" :
						 strerror(-err));
		if (lock_fd)
			oci_state_unlock(*lock_fd);
		return NULL;
	}
	oci_state_refresh(st);
	return st;
}

/* Runs one hook stage with the current state; prints and returns nonzero on failure. */
static int run_hooks(struct oci_state *st, enum oci_hook_stage stage)
{
	struct oci_spec *spec;
	char err[1024];
	char *json;
	int ret;

	if (!st->config || oci_spec_load(st->config, &spec, err, sizeof(err)))
		return 0;
	if (!spec->n_hooks[stage]) {
		oci_spec_free(spec);
		return 0;
	}
	json = oci_state_json(st, false);
	ret = json ? oci_hooks_run(spec, stage, json, err, sizeof(err)) : -ENOMEM;
	if (ret)
		cmd_error("%s", json ? err : strerror(-ret));
	free(json);
	oci_spec_free(spec);
	return ret;
}

int cmd_create(int argc, char **argv)
{
	struct oci_create_opts o = { .bundle = ".", .detached = true };
	bool ignored = false;
	const char *ignored_v = NULL;
	const struct oci_opt opts[] = {
		OPT_ARG("bundle", 'b', &o.bundle),
		OPT_ARG("pid-file", 0, &o.pid_file),
		OPT_ARG("console-socket", 0, &o.console_socket),
		OPT_FLAG("no-pivot", 0, &ignored),
		OPT_FLAG("no-new-keyring", 0, &ignored),
		OPT_ARG("preserve-fds", 0, &ignored_v),
		OPT_END,
	};
	int i = oci_args_parse("create", argc, argv, opts);
	pid_t pid;

	if (i < 0 || oci_args_need("create", argc - i, 1, false))
		return OCI_EXIT_ERROR;
	o.id = argv[i];
	return oci_create(&o, &pid);
}

/* start's work on a locked, created container. */
static int start_locked(struct oci_state *st)
{
	const char *req[] = { "start" };
	char buf[256], *f[4];
	int n;

	if (st->status == OCI_STOPPED) {
		cmd_error("cannot start a container that has stopped");
		return OCI_EXIT_ERROR;
	}
	if (st->status == OCI_PAUSED) {
		cmd_error("cannot start a paused container (resume it first)");
		return OCI_EXIT_ERROR;
	}
	if (st->status != OCI_CREATED) {
		cmd_error("cannot start an already running container");
		return OCI_EXIT_ERROR;
	}
	/* startContainer hooks run on the host here, not in the guest's namespaces */
	if (run_hooks(st, OCI_HOOK_START_CONTAINER))
		return OCI_EXIT_ERROR;
	n = oci_control_call(oci_globals.root, st->id, req, 1, buf, sizeof(buf), f, 4);
	if (n < 0) {
		cmd_error("cannot start the container: %s",
			  n == -EPROTO ? "bad reply from the sandbox" : strerror(-n));
		return OCI_EXIT_ERROR;
	}
	st->status = OCI_RUNNING;
	st->started = true;
	oci_state_save(oci_globals.root, st);
	return 0;
}

int cmd_start(int argc, char **argv)
{
	const struct oci_opt opts[] = { OPT_END };
	int i = oci_args_parse("start", argc, argv, opts), lock, ret;
	struct oci_state *st;

	if (i < 0 || oci_args_need("start", argc - i, 1, false))
		return OCI_EXIT_ERROR;
	st = oci_container_load(argv[i], &lock);
	if (!st)
		return OCI_EXIT_ERROR;
	ret = start_locked(st);
	oci_state_unlock(lock);
	if (!ret && run_hooks(st, OCI_HOOK_POSTSTART))
		ret = OCI_EXIT_ERROR;
	oci_state_free(st);
	return ret;
}

/* `run` in the foreground passes the signals a shell sends on to the container. */
static volatile sig_atomic_t pending_sig;

static void on_signal(int sig)
{
	pending_sig = sig;
}

static void forward_signal(const char *id, int sig)
{
	char num[16], buf[256], *f[4];
	const char *req[] = { "kill", num, "0" };

	snprintf(num, sizeof(num), "%d", sig);
	oci_control_call(oci_globals.root, id, req, 3, buf, sizeof(buf), f, 4);
}

int cmd_run(int argc, char **argv)
{
	struct oci_create_opts o = { .bundle = "." };
	bool detach = false, keep = false, ignored = false;
	const char *ignored_v = NULL;
	const struct oci_opt opts[] = {
		OPT_ARG("bundle", 'b', &o.bundle),
		OPT_ARG("pid-file", 0, &o.pid_file),
		OPT_ARG("console-socket", 0, &o.console_socket),
		OPT_FLAG("detach", 'd', &detach),
		OPT_FLAG("keep", 0, &keep),
		OPT_FLAG("no-pivot", 0, &ignored),
		OPT_FLAG("no-new-keyring", 0, &ignored),
		OPT_FLAG("no-subreaper", 0, &ignored),
		OPT_ARG("preserve-fds", 0, &ignored_v),
		OPT_END,
	};
	int i = oci_args_parse("run", argc, argv, opts), lock, ret, status;
	struct sigaction sa = { .sa_handler = on_signal };
	struct oci_state *st;
	pid_t pid, w;

	if (i < 0 || oci_args_need("run", argc - i, 1, false))
		return OCI_EXIT_ERROR;
	o.id = argv[i];
	o.detached = detach;
	if (oci_create(&o, &pid))
		return OCI_EXIT_ERROR;
	st = oci_container_load(o.id, &lock);
	if (!st) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return OCI_EXIT_ERROR;
	}
	ret = start_locked(st);
	oci_state_unlock(lock);
	if (ret) {
		if (oci_state_lock(oci_globals.root, o.id, &lock) == 0) {
			oci_destroy(st);
			oci_state_unlock(lock);
		}
		waitpid(pid, NULL, 0);
		oci_state_free(st);
		return ret;
	}
	ret = run_hooks(st, OCI_HOOK_POSTSTART) ? OCI_EXIT_ERROR : 0;
	if (detach) {
		oci_state_free(st);
		return ret;
	}
	for (int s = 1; s < 32; s++) {
		if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD && s != SIGPIPE && s != SIGWINCH &&
		    s != SIGTSTP && s != SIGTTIN && s != SIGTTOU)
			sigaction(s, &sa, NULL);
	}
	do {
		w = waitpid(pid, &status, 0);
		if (w < 0 && errno == EINTR && pending_sig) {
			forward_signal(o.id, pending_sig);
			pending_sig = 0;
		}
	} while (w < 0 && errno == EINTR);
	ret = w == pid ? oci_exit_status(status) : OCI_EXIT_ERROR;
	if (!keep && oci_state_lock(oci_globals.root, o.id, &lock) == 0) {
		oci_destroy(st);
		oci_state_unlock(lock);
	}
	oci_state_free(st);
	return ret;
}

int cmd_kill(int argc, char **argv)
{
	bool all = false;
	const struct oci_opt opts[] = { OPT_FLAG("all", 'a', &all), OPT_END };
	int i = oci_args_parse("kill", argc, argv, opts), lock, sig, n;
	char num[16], buf[256], *f[4];
	const char *req[] = { "kill", num, NULL };
	struct oci_state *st;

	if (i < 0 || oci_args_need("kill", argc - i, 1, true))
		return OCI_EXIT_ERROR;
	sig = argc - i >= 2 ? oci_signal_parse(argv[i + 1]) : SIGTERM;
	if (sig < 0) {
		cmd_error("unknown signal \"%s\"", argv[i + 1]);
		return OCI_EXIT_ERROR;
	}
	st = oci_container_load(argv[i], &lock);
	if (!st)
		return OCI_EXIT_ERROR;
	n = 0;
	if (all && (st->status == OCI_STOPPED || st->status == OCI_CREATED) && sig != SIGKILL) {
		n = 0; /* runc: --all over no running process is no error */
	} else if (st->status == OCI_STOPPED && all) {
		n = 0;
	} else if (st->status == OCI_STOPPED) {
		cmd_error("container not running");
		n = -1;
	} else if (sig >= 65) {
		cmd_error("unable to signal init: invalid argument");
		n = -1;
	} else if (sig == 0) {
		n = 0; /* kill(2)'s signal 0: only whether it is there */
	} else if (st->status == OCI_PAUSED && sig == SIGKILL) {
		/* a frozen sentry cannot take a request; SIGKILL ends the sandbox at once,
		 * and thawing lets it die */
		struct cgroup *cg;

		kill(st->pid, SIGKILL);
		if (cgroup_open(st->cgroup, &cg) == 0) {
			cgroup_freeze(cg, false);
			cgroup_free(cg);
		}
	} else {
		int fd = oci_control_connect(oci_globals.root, st->id);

		snprintf(num, sizeof(num), "%d", sig);
		req[2] = all ? "1" : "0";
		n = fd < 0 ? fd : oci_control_send(fd, req, 3, NULL, 0);
		/* a paused sandbox takes the request when it resumes, as a frozen task would
		 * take the signal */
		if (!n && st->status != OCI_PAUSED)
			n = oci_control_recv(fd, buf, sizeof(buf), f, 4);
		if (fd >= 0)
			close(fd);
		if (n == -ESRCH || n == -ENOENT || n == -ECONNREFUSED || n == -EPIPE)
			cmd_error("container not running");
		else if (n < 0)
			cmd_error("unable to signal init: %s", strerror(-n));
	}
	oci_state_unlock(lock);
	oci_state_free(st);
	return n < 0 ? OCI_EXIT_ERROR : 0;
}

int cmd_delete(int argc, char **argv)
{
	bool force = false;
	const struct oci_opt opts[] = { OPT_FLAG("force", 'f', &force), OPT_END };
	int i = oci_args_parse("delete", argc, argv, opts), lock, ret = 0;
	struct oci_state *st;

	if (i < 0 || oci_args_need("delete", argc - i, 1, false))
		return OCI_EXIT_ERROR;
	if (force && oci_state_lock(oci_globals.root, argv[i], &lock) == -ENOENT)
		return 0; /* runc: deleting what is not there by force is not an error */
	if (force)
		oci_state_unlock(lock);
	st = oci_container_load(argv[i], &lock);
	if (!st)
		return OCI_EXIT_ERROR;
	if (!force && st->status != OCI_STOPPED && st->status != OCI_CREATED) {
		cmd_error("cannot delete container %s that is not stopped: %s", st->id,
			  oci_status_name(st->status));
		ret = OCI_EXIT_ERROR;
	} else {
		ret = oci_destroy(st);
	}
	oci_state_unlock(lock);
	oci_state_free(st);
	return ret;
}

static int pause_resume(int argc, char **argv, bool pause)
{
	const char *cmd = pause ? "pause" : "resume";
	const struct oci_opt opts[] = { OPT_END };
	int i = oci_args_parse(cmd, argc, argv, opts), lock, err, ret = 0;
	struct oci_state *st;
	struct cgroup *cg;

	if (i < 0 || oci_args_need(cmd, argc - i, 1, false))
		return OCI_EXIT_ERROR;
	st = oci_container_load(argv[i], &lock);
	if (!st)
		return OCI_EXIT_ERROR;
	if (pause && st->status != OCI_RUNNING && st->status != OCI_CREATED) {
		cmd_error("container not running");
		ret = OCI_EXIT_ERROR;
	} else if (!pause && st->status != OCI_PAUSED) {
		cmd_error("container not paused");
		ret = OCI_EXIT_ERROR;
	} else if ((err = cgroup_open(st->cgroup, &cg)) ||
		   (err = cgroup_freeze(cg, pause), cgroup_free(cg), err)) {
		cmd_error("%s: freezer: %s", cmd, strerror(-err));
		ret = OCI_EXIT_ERROR;
	} else {
		/* a created container pauses too; it resumes to running only once started */
		st->status = pause ? OCI_PAUSED : st->started ? OCI_RUNNING : OCI_CREATED;
		oci_state_save(oci_globals.root, st);
	}
	oci_state_unlock(lock);
	oci_state_free(st);
	return ret;
}

int cmd_pause(int argc, char **argv)
{
	return pause_resume(argc, argv, true);
}

int cmd_resume(int argc, char **argv)
{
	return pause_resume(argc, argv, false);
}
