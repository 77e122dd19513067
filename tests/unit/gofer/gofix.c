/* The gofer test fixture: servers in a thread or a child process, and small helpers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs/gofer/server.h"
#include "tests/harness/harness.h"
#include "tests/unit/gofer/gofix.h"

struct serve_args {
	struct gofer_server *s;
	int fds[16];
	int n;
};

static void *serve_main(void *arg)
{
	struct serve_args *a = arg;

	gofer_server_serve(a->s, a->fds, a->n);
	free(a);
	return NULL;
}

static void pairs(int n, int *cli, int *srv)
{
	for (int i = 0; i < n; i++) {
		int sv[2];

		ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
		cli[i] = sv[0];
		srv[i] = sv[1];
	}
}

static void start_thread(struct gofix *fx, const char *dir, int *srv, int n, bool ro)
{
	struct serve_args *a = calloc(1, sizeof(*a));
	int root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	ASSERT_TRUE(a && root >= 0 && n <= 16);
	ASSERT_EQ(gofer_server_new(root, ro, &fx->s), 0);
	close(root);
	a->s = fx->s;
	a->n = n;
	memcpy(a->fds, srv, (size_t)n * sizeof(int));
	ASSERT_EQ(pthread_create(&fx->thread, NULL, serve_main, a), 0);
}

void gofix_start(struct gofix *fx, const char *dir, int nchan, bool readonly)
{
	int cli[16], srv[16];

	memset(fx, 0, sizeof(*fx));
	fx->raw = -1;
	fx->nchan = nchan;
	pairs(nchan, cli, srv);
	start_thread(fx, dir, srv, nchan, readonly);
	ASSERT_EQ(gofer_client_new(cli, nchan, &fx->c), 0);
}

int gofix_start_raw(struct gofix *fx, const char *dir)
{
	int cli, srv;

	memset(fx, 0, sizeof(*fx));
	fx->raw = -1;
	pairs(1, &cli, &srv);
	start_thread(fx, dir, &srv, 1, false);
	fx->raw = cli;
	return cli;
}

void gofix_start_process(struct gofix *fx, const char *dir, int nchan, bool readonly)
{
	int cli[16], srv[16];
	pid_t pid;

	memset(fx, 0, sizeof(*fx));
	fx->raw = -1;
	fx->nchan = nchan;
	if (access(WARDEN_BIN, X_OK))
		SKIP("%s not built", WARDEN_BIN);
	pairs(nchan, cli, srv);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *argv[64], num[16][16];
		int k = 0;

		argv[k++] = "warden";
		argv[k++] = "gofer";
		argv[k++] = "--root";
		argv[k++] = (char *)dir;
		for (int i = 0; i < nchan; i++) {
			int fd = dup(srv[i]); /* without O_CLOEXEC */

			snprintf(num[i], sizeof(num[i]), "%d", fd);
			argv[k++] = "--fd";
			argv[k++] = num[i];
		}
		if (readonly)
			argv[k++] = "--ro";
		argv[k] = NULL;
		/* in the ASan build, LeakSanitizer's exit-time check clones a ptrace tracer,
		 * which the gofer's filter rightly kills */
		setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
		execv(WARDEN_BIN, argv);
		_exit(127);
	}
	for (int i = 0; i < nchan; i++)
		close(srv[i]);
	fx->child = pid;
	ASSERT_EQ(gofer_client_new(cli, nchan, &fx->c), 0);
}

void gofix_stop(struct gofix *fx)
{
	gofer_client_free(fx->c);
	fx->c = NULL;
	if (fx->raw >= 0)
		close(fx->raw);
	fx->raw = -1;
	if (fx->child > 0) {
		int st;

		ASSERT_EQ(waitpid(fx->child, &st, 0), fx->child);
		EXPECT_TRUE(WIFEXITED(st));
		if (WIFSIGNALED(st))
			harness_diag("gofer killed by signal %d", WTERMSIG(st));
		EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
		fx->child = 0;
		return;
	}
	pthread_join(fx->thread, NULL);
	gofer_server_free(fx->s);
	fx->s = NULL;
}

int gofix_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

void gofix_write(const char *dir, const char *name, const char *s)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

int gofix_walk_path(struct gofer_client *c, uint32_t fid, const char *path, uint32_t *out)
{
	char buf[4096], *save = NULL, *comp;
	uint32_t cur = fid;
	bool owned = false;
	int err = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	for (comp = strtok_r(buf, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		struct gofer_stat st;
		uint32_t next;

		err = gofer_walk(c, cur, comp, &next, &st);
		if (owned)
			gofer_clunk(c, cur);
		if (err < 0)
			return err;
		cur = next;
		owned = true;
	}
	if (!owned)
		return -EINVAL;
	*out = cur;
	return 0;
}
