/*
 * wtest: the static multi-call program the OCI tests put in their rootfs beside
 * busybox. Called as `wtest VERB ARGS...` or by a symlink named w + VERB (wgetpid):
 *   init [READY]    reaps children forever; exits on SIGTERM/SIGINT with status 0;
 *                   creates the file READY once those handlers are installed
 *   getpid          prints its pid and its parent's pid
 *   sleep SECONDS   sleeps (restarts after signal handlers), then exits 0
 *   exit N          exits with status N
 *   cat [FILE...]   copies files (or stdin) to stdout
 *   env             prints its environment, one variable a line
 *   ids             prints uid gid euid egid and the supplementary groups
 *   cwd             prints the working directory
 *   rlimit NAME     prints the soft and hard limit of RLIMIT_NOFILE / NPROC / CORE
 *   hostname        prints uname's nodename and domainname
 *   uname-r         prints uname's release
 *   pids            prints the pids listed in /proc, one a line
 * Kept free of libc features that need files at run time: it is linked statically.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * A pid-namespace init ignores a signal it has no handler for, so a test may send SIGTERM
 * only once the handler is in place: READY, if given, is created right after.
 */
static int do_init(const char *ready)
{
	struct sigaction sa = { .sa_handler = on_term };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0) {
			fprintf(stderr, "init: %s: %s\n", ready, strerror(errno));
			return 1;
		}
		close(fd);
	}
	while (!stop) {
		pid_t p = wait(NULL);

		if (p < 0 && errno == ECHILD)
			pause();
	}
	return 0;
}

static int do_cat(int argc, char **argv)
{
	char buf[65536];
	int rc = 0;

	for (int i = 1; i < argc || i == 1; i++) {
		int fd = i < argc ? open(argv[i], O_RDONLY) : 0;
		ssize_t n;

		if (fd < 0) {
			fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (write(1, buf, (size_t)n) != n)
				return 1;
		if (fd)
			close(fd);
		if (argc == 1)
			break;
	}
	return rc;
}

static int do_sleep(const char *arg)
{
	struct timespec ts = { .tv_sec = arg ? atol(arg) : 1 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 0;
}

static int do_ids(void)
{
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);

	printf("uid=%d gid=%d euid=%d egid=%d groups=", (int)getuid(), (int)getgid(),
	       (int)geteuid(), (int)getegid());
	for (int i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", (int)groups[i]);
	printf("\n");
	return 0;
}

static int do_rlimit(const char *name)
{
	static const struct {
		const char *name;
		int res;
	} names[] = { { "NOFILE", RLIMIT_NOFILE },
		      { "NPROC", RLIMIT_NPROC },
		      { "CORE", RLIMIT_CORE } };
	struct rlimit rl;

	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i].name))
			continue;
		if (getrlimit(names[i].res, &rl) < 0)
			return 1;
		printf("%llu %llu\n", (unsigned long long)rl.rlim_cur,
		       (unsigned long long)rl.rlim_max);
		return 0;
	}
	fprintf(stderr, "rlimit: NOFILE, NPROC or CORE\n");
	return 2;
}

static int do_pids(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return 1;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			printf("%s\n", e->d_name);
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	const char *verb = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	struct utsname u;
	char buf[PATH_MAX];

	/* the rootfs's symlinks are named w + verb (wgetpid, wids...) */
	if (verb[0] == 'w' && strcmp(verb, "wtest"))
		verb++;
	if (!strcmp(verb, "wtest")) {
		if (argc < 2) {
			fprintf(stderr, "usage: wtest VERB [ARG...]\n");
			return 2;
		}
		argv++;
		argc--;
		verb = argv[0];
	}
	if (!strcmp(verb, "init"))
		return do_init(argv[1]);
	if (!strcmp(verb, "getpid"))
		return printf("%d %d\n", (int)getpid(), (int)getppid()) < 0;
	if (!strcmp(verb, "sleep"))
		return do_sleep(argv[1]);
	if (!strcmp(verb, "exit"))
		return argc > 1 ? atoi(argv[1]) : 0;
	if (!strcmp(verb, "cat"))
		return do_cat(argc, argv);
	if (!strcmp(verb, "env")) {
		for (char **e = environ; *e; e++)
			printf("%s\n", *e);
		return 0;
	}
	if (!strcmp(verb, "ids"))
		return do_ids();
	if (!strcmp(verb, "cwd"))
		return getcwd(buf, sizeof(buf)) ? printf("%s\n", buf) < 0 : 1;
	if (!strcmp(verb, "rlimit"))
		return do_rlimit(argv[1]);
	if (!strcmp(verb, "hostname"))
		return uname(&u) < 0 || printf("%s %s\n", u.nodename, u.domainname) < 0;
	if (!strcmp(verb, "uname-r"))
		return uname(&u) < 0 || printf("%s\n", u.release) < 0;
	if (!strcmp(verb, "pids"))
		return do_pids();
	fprintf(stderr, "wtest: unknown verb %s\n", verb);
	return 2;
}
