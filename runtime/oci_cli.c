/* The OCI commands' global flags and error log (see oci_cli.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "runtime/cmd.h"
#include "runtime/oci_cli.h"
#include "runtime/oci_state.h"

struct oci_globals oci_globals = {
	.root = OCI_DEFAULT_ROOT,
	.platform = "ptrace",
	.network = "sandbox",
	.overlay = "memory",
};

/* "--name=value" or "--name value" at argv[*i]; NULL if argv[*i] is not --name. */
static const char *flag_value(const char *name, int argc, char **argv, int *i, bool *missing)
{
	size_t n = strlen(name);

	*missing = false;
	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n])
		return NULL;
	if (*i + 1 < argc)
		return argv[++*i];
	*missing = true;
	return NULL;
}

int oci_globals_parse(int argc, char **argv)
{
	struct oci_globals *g = &oci_globals;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *v;
		bool missing;

		if (!strcmp(argv[i], "--debug")) {
			g->debug = true;
		} else if (!strcmp(argv[i], "--systemd-cgroup")) {
			g->systemd_cgroup = true;
		} else if (!strcmp(argv[i], "--strace")) {
			g->strace = true;
		} else if ((v = flag_value("--root", argc, argv, &i, &missing))) {
			g->root = v;
		} else if ((v = flag_value("--log", argc, argv, &i, &missing)) && !missing) {
			g->log = v;
		} else if ((v = flag_value("--log-format", argc, argv, &i, &missing))) {
			if (strcmp(v, "text") && strcmp(v, "json")) {
				cmd_error("--log-format %s: expected 'text' or 'json'", v);
				return -1;
			}
			g->log_json = !strcmp(v, "json");
		} else if ((v = flag_value("--platform", argc, argv, &i, &missing))) {
			g->platform = v;
		} else if ((v = flag_value("--network", argc, argv, &i, &missing))) {
			if (strcmp(v, "sandbox") && strcmp(v, "none")) {
				cmd_error("--network %s: expected 'sandbox' or 'none'", v);
				return -1;
			}
			g->network = v;
		} else if ((v = flag_value("--debug-log", argc, argv, &i, &missing))) {
			g->debug_log = v;
		} else if ((v = flag_value("--overlay", argc, argv, &i, &missing))) {
			if (strcmp(v, "memory") && strcmp(v, "none")) {
				cmd_error("--overlay %s: expected 'memory' or 'none'", v);
				return -1;
			}
			g->overlay = v;
		} else if (!strcmp(argv[i], "--rootless") || !strncmp(argv[i], "--rootless=", 11) ||
			   !strncmp(argv[i], "--criu", 6)) {
			/* runc flags clients may pass that change nothing here */
			if (!strcmp(argv[i], "--rootless") && i + 1 < argc &&
			    (!strcmp(argv[i + 1], "true") || !strcmp(argv[i + 1], "false") ||
			     !strcmp(argv[i + 1], "auto")))
				i++;
		} else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-v") ||
			   !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			break; /* main handles these */
		} else {
			if (missing)
				cmd_error("flag needs an argument: %s", argv[i]);
			else
				cmd_error("flag provided but not defined: %s", argv[i]);
			return -1;
		}
	}
	return i - 1;
}

static void log_line(FILE *f, const char *level, const char *msg)
{
	char now[64];

	oci_now_rfc3339(now, sizeof(now));
	if (oci_globals.log_json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "level", json_object_new_string(level));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		json_object_object_add(o, "time", json_object_new_string(now));
		fprintf(f, "%s\n",
			json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		fprintf(f, "time=\"%s\" level=%s msg=\"%s\"\n", now, level, msg);
	}
}

void oci_log(const char *level, const char *msg)
{
	FILE *f;

	if (!oci_globals.log)
		return;
	f = fopen(oci_globals.log, "ae");
	if (!f)
		return;
	log_line(f, level, msg);
	fclose(f);
}

void oci_log_stderr(const char *level, const char *msg)
{
	if (oci_globals.log_json)
		log_line(stderr, level, msg);
	else
		fprintf(stderr, "warden: %s\n", msg);
}

void oci_debug_command(int argc, char **argv)
{
	char msg[1024];
	size_t used = 0;

	for (int i = 1; i < argc && used < sizeof(msg) - 1; i++)
		used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%s%s", i > 1 ? " " : "",
					 argv[i]);
	if (oci_globals.log)
		oci_log("debug", msg);
	else
		oci_log_stderr("debug", msg);
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },	 { "INT", SIGINT },   { "QUIT", SIGQUIT },     { "ILL", SIGILL },
	{ "TRAP", SIGTRAP },	 { "ABRT", SIGABRT }, { "IOT", SIGIOT },       { "BUS", SIGBUS },
	{ "FPE", SIGFPE },	 { "KILL", SIGKILL }, { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },	 { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },     { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },     { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP },	 { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },     { "URG", SIGURG },
	{ "XCPU", SIGXCPU },	 { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH },	 { "IO", SIGIO },     { "POLL", SIGPOLL },     { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};

int oci_signal_parse(const char *s)
{
	char up[32];
	size_t n = strlen(s);
	char *end;
	long v;

	if (isdigit((unsigned char)s[0])) {
		v = strtol(s, &end, 10);
		return *end || v < 0 || v > 1000 ? -1 : (int)v;
	}
	if (n >= sizeof(up))
		return -1;
	for (size_t i = 0; i <= n; i++)
		up[i] = (char)toupper((unsigned char)s[i]);
	if (!strncmp(up, "SIG", 3))
		memmove(up, up + 3, n - 2);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (!strcmp(up, signals[i].name))
			return signals[i].sig;
	if (!strncmp(up, "RTMIN", 5) || !strncmp(up, "RTMAX", 5)) {
		long off = up[5] ? strtol(up + 5, &end, 10) : 0;

		if (up[5] && *end)
			return -1;
		v = (up[4] == 'N' ? SIGRTMIN : SIGRTMAX) + off;
		return v >= SIGRTMIN && v <= SIGRTMAX ? (int)v : -1;
	}
	return -1;
}

int oci_write_pid_file(const char *path, int pid)
{
	char tmp[PATH_MAX], num[16];
	int fd, n = snprintf(num, sizeof(num), "%d", pid);

	if (snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, num, (size_t)n) != n || close(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -EIO;
	}
	return 0;
}
