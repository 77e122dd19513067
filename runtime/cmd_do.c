/* warden do: sandbox a command over the host's root, like `runsc do`. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cmd.h"
#include "sentry/sentry.h"

extern char **environ;

/* Parses "--name=value" or "--name value"; returns the value or NULL. */
static const char *opt_value(const char *name, int argc, char **argv, int *i)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] == 0 && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

/* Gofer channels per served tree: task threads don't queue behind one socket. */
#define GOFER_CHANNELS 4

/* The sentry's client ends live in this process, so a gofer never sees EOF while we run:
 * end them explicitly. */
static void stop_gofers(const pid_t *pids, int n)
{
	for (int i = 0; i < n; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
}

/* HOST:GUEST[:ro|:rw]: both absolute; read-write unless ':ro'. */
struct volume {
	const char *host, *guest;
	bool readonly;
};

static int parse_volume(const char *spec, struct volume *out, int have)
{
	char *copy, *host, *guest, *mode;

	if (have >= 16) {
		cmd_error("do: at most 16 --volume flags");
		return -1;
	}
	copy = strdup(spec);
	if (!copy)
		return -1;
	host = copy;
	guest = strchr(copy, ':');
	if (guest)
		*guest++ = 0;
	mode = guest ? strchr(guest, ':') : NULL;
	if (mode)
		*mode++ = 0;
	if (!guest || host[0] != '/' || guest[0] != '/') {
		cmd_error("do: --volume %s: expected HOST:GUEST[:ro|:rw] with absolute paths",
			  spec);
		free(copy);
		return -1;
	}
	if (mode && strcmp(mode, "ro") && strcmp(mode, "rw")) {
		cmd_error("do: --volume %s: unknown mode '%s' (expected 'ro' or 'rw')", spec, mode);
		free(copy);
		return -1;
	}
	out->host = host;
	out->guest = guest;
	out->readonly = mode && !strcmp(mode, "ro");
	return 0;
}

int cmd_do(int argc, char **argv)
{
	struct sentry_config cfg = { .platform = "ptrace", .control_fd = -1 };
	struct volume vols[16];
	int nvols = 0;
	/* the sandbox's own /tmp, /dev, /proc, /sys, then the volumes */
	struct sentry_mount mounts[4 + 16] = {
		{ .dest = "/tmp", .type = "tmpfs", .data = "mode=1777" },
		{ .dest = "/dev", .type = "devfs", .flags = MS_NOSUID },
		{ .dest = "/proc", .type = "proc", .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC },
		{ .dest = "/sys", .type = "sysfs", .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC },
	};
	int root_fds[GOFER_CHANNELS], vol_fds[16][GOFER_CHANNELS], ngofers = 0;
	pid_t gofers[17];
	char cwd[PATH_MAX];
	enum sentry_stage stage;
	int i, st, err;
	const char *v;

	cfg.mounts = mounts;
	cfg.nmounts = 4;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (argv[i][0] != '-')
			break;
		if ((v = opt_value("--platform", argc, argv, &i))) {
			cfg.platform = v;
		} else if (!strcmp(argv[i], "--strace")) {
			cfg.strace = true;
		} else if (!strcmp(argv[i], "-t") || !strcmp(argv[i], "--tty")) {
			cfg.tty = true; /* a pty in the sandbox, relayed to this terminal */
		} else if ((v = opt_value("--debug-log", argc, argv, &i))) {
			cfg.debug_log = v;
		} else if ((v = opt_value("--max-tasks", argc, argv, &i))) {
			char *end;
			long n = strtol(v, &end, 10);

			if (*end || n < 1 || n > 32767) {
				cmd_error("do: --max-tasks %s: expected a number from 1 to 32767",
					  v);
				return EXIT_USAGE;
			}
			cfg.max_tasks = (int)n;
		} else if ((v = opt_value("--overlay", argc, argv, &i))) {
			/* memory: writes to the root stay in the sandbox; none: they reach
			 * the host */
			if (strcmp(v, "memory") && strcmp(v, "none")) {
				cmd_error("do: --overlay=%s: expected 'memory' or 'none'", v);
				return EXIT_USAGE;
			}
			cfg.host_root_rw = !strcmp(v, "none");
		} else if ((v = opt_value("--volume", argc, argv, &i))) {
			if (parse_volume(v, &vols[nvols], nvols))
				return EXIT_USAGE;
			nvols++;
		} else {
			cmd_error("do: unknown flag '%s'", argv[i]);
			return cmd_usage("do");
		}
	}
	if (i >= argc) {
		cmd_error("do: no command given");
		return cmd_usage("do");
	}
	if (strcmp(cfg.platform, "ptrace")) {
		cmd_error("do: unknown platform '%s' (available: ptrace)", cfg.platform);
		return EXIT_USAGE;
	}
	cfg.init.argv = argv + i;
	cfg.init.envp = environ;
	cfg.init.cwd = getcwd(cwd, sizeof(cwd));
	/* The gofers open host files for the sentry; they start while the CLI is still
	 * single-threaded, so their parent-death signal is tied to this thread. */
	err = cmd_gofer_spawn("/", !cfg.host_root_rw, GOFER_CHANNELS, root_fds, &gofers[ngofers]);
	if (err) {
		cmd_error("cannot start the gofer: %s", strerror(-err));
		return 125;
	}
	ngofers++;
	cfg.gofer_fds = root_fds;
	cfg.gofer_nchan = GOFER_CHANNELS;
	for (int v = 0; v < nvols; v++) {
		err = cmd_gofer_spawn(vols[v].host, vols[v].readonly, GOFER_CHANNELS, vol_fds[v],
				      &gofers[ngofers]);
		if (err) {
			cmd_error("--volume %s: cannot start its gofer: %s", vols[v].host,
				  strerror(-err));
			stop_gofers(gofers, ngofers);
			return 125;
		}
		ngofers++;
		mounts[cfg.nmounts++] = (struct sentry_mount){
			.dest = vols[v].guest,
			.type = "bind",
			.flags = vols[v].readonly ? MS_RDONLY : 0,
			.gofer_fds = vol_fds[v],
			.gofer_nchan = GOFER_CHANNELS,
		};
	}
	err = sentry_run(&cfg, &st, &stage);
	stop_gofers(gofers, ngofers);
	if (err) {
		if (stage == SENTRY_STAGE_EXEC) {
			cmd_error("%s: %s", argv[i], strerror(-err));
			/* The shell's convention: 127 not found, 126 found but not runnable. */
			return err == -ENOENT || err == -ENOTDIR ? 127 : 126;
		}
		cmd_error("cannot start the sandbox: %s", strerror(-err));
		return 125;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 125;
}
