/*
 * A micro-benchmark of the gofer, printed, never asserted: walk+stat and open+read round
 * trips per second, one client thread and four, with the server's request loop as a thread
 * per channel (what the gofer uses) and two liburing variants (one ring thread for all
 * channels; a ring per channel thread, one io_uring_enter per request), next to the same
 * host calls made directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs/gofer/client.h"
#include "fs/gofer/server.h"
#include "tests/harness/harness.h"
#include "tests/unit/gofer/gofix.h"
#include "tests/unit/gofer/uring_serve.h"

#define ITERS 1500
/* best of ROUNDS, alternating the loops: the VM is shared and noisy (GOFER_BENCH_ROUNDS) */
#define ROUNDS 3
#define NTHREADS 4

struct bench {
	struct gofer_server *s;
	struct gofer_client *c;
	int srv[NTHREADS];
	int n;
	int uring; /* 0: gofer_server_serve, 1: one ring, 2: a ring per channel */
	pthread_t thread;
	uint32_t root;
};

static void *serve_main(void *arg)
{
	struct bench *b = arg;

	if (b->uring == 2)
		uring_serve_per_channel(b->s, b->srv, b->n);
	else if (b->uring)
		uring_serve(b->s, b->srv, b->n);
	else
		gofer_server_serve(b->s, b->srv, b->n);
	return NULL;
}

static void bench_start(struct bench *b, const char *dir, int nchan, int uring)
{
	int cli[NTHREADS], root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct gofer_stat st;

	memset(b, 0, sizeof(*b));
	b->n = nchan;
	b->uring = uring;
	for (int i = 0; i < nchan; i++) {
		int sv[2];

		ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
		cli[i] = sv[0];
		b->srv[i] = sv[1];
	}
	ASSERT_EQ(gofer_server_new(root, false, &b->s), 0);
	close(root);
	ASSERT_EQ(pthread_create(&b->thread, NULL, serve_main, b), 0);
	ASSERT_EQ(gofer_client_new(cli, nchan, &b->c), 0);
	ASSERT_EQ(gofer_attach(b->c, &b->root, &st), 0);
}

static void bench_stop(struct bench *b)
{
	gofer_client_free(b->c);
	pthread_join(b->thread, NULL);
	gofer_server_free(b->s);
}

/* CPU seconds of the whole process (client and server threads): what contention on the
 * shared VM disturbs least */
static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct worker {
	struct bench *b;
	bool open_read;
	int errors;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct gofer_stat st;
	char buf[4096];

	for (int i = 0; i < ITERS; i++) {
		uint32_t f;
		int fd;

		if (gofer_walk(w->b->c, w->b->root, "file", &f, &st)) {
			w->errors++;
			continue;
		}
		if (w->open_read) {
			if (gofer_open(w->b->c, f, O_RDONLY, &fd, NULL) == 0) {
				if (pread(fd, buf, sizeof(buf), 0) != sizeof(buf))
					w->errors++;
				close(fd);
			} else {
				w->errors++;
			}
		} else if (gofer_stat(w->b->c, f, &st)) {
			w->errors++;
		}
		if (gofer_clunk(w->b->c, f))
			w->errors++;
	}
	return NULL;
}

/* ops/s of nthreads workers over a fresh server with nthreads channels; CPU µs per op into
 * *cpu_us. */
static double run(const char *dir, int uring, int nthreads, bool open_read, double *cpu_us)
{
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	struct bench b;
	double t0, t1, c0;

	bench_start(&b, dir, nthreads, uring);
	t0 = now();
	c0 = cpu();
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct worker){ &b, open_read, 0 };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(w[i].errors, 0);
	}
	t1 = now();
	*cpu_us = (cpu() - c0) * 1e6 / ((double)ITERS * nthreads);
	bench_stop(&b);
	return (double)ITERS * nthreads / (t1 - t0);
}

static double native(const char *dir, bool open_read)
{
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char buf[4096];
	struct stat st;
	double t0 = now();

	for (int i = 0; i < ITERS; i++) {
		int fd = openat(dfd, "file", O_PATH | O_NOFOLLOW | O_CLOEXEC);

		fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
		if (open_read) {
			int rfd = openat(dfd, "file", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

			fstat(rfd, &st);
			if (pread(rfd, buf, sizeof(buf), 0) < 0)
				break;
			close(rfd);
		} else {
			fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
		}
		close(fd);
	}
	close(dfd);
	return ITERS / (now() - t0);
}

TEST_TIMEOUT(walk_stat_and_open_read_per_second, 50)
{
	const char *dir = harness_tmpdir();
	char data[4096];
	int fd, rounds = ROUNDS;

	if (getenv("GOFER_BENCH_ROUNDS"))
		rounds = atoi(getenv("GOFER_BENCH_ROUNDS"));
	memset(data, 'x', sizeof(data));
	fd = open(strcat(strcpy((char[4096]){ 0 }, dir), "/file"), O_WRONLY | O_CREAT, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	close(fd);
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("# host calls, no gofer: walk+stat %.0f/s, open+read 4 KiB %.0f/s\n",
	       native(dir, false), native(dir, true));
	for (int nt = 1; nt <= NTHREADS; nt += NTHREADS - 1) {
		for (int op = 0; op < 2; op++) {
			double best[3] = { 0, 0, 0 }, cheapest[3] = { 1e9, 1e9, 1e9 };

			for (int r = 0; r < rounds; r++) {
				for (int uring = 0; uring < 3; uring++) {
					double c, v = run(dir, uring, nt, op, &c);

					best[uring] = v > best[uring] ? v : best[uring];
					cheapest[uring] = c < cheapest[uring] ? c : cheapest[uring];
				}
			}
			printf("# %d client thread(s), %-22s thread per channel %6.0f/s, "
			       "one io_uring thread %6.0f/s, a ring per channel %6.0f/s\n",
			       nt, op ? "walk+open+read+clunk:" : "walk+stat+clunk:", best[0],
			       best[1], best[2]);
			printf("#   CPU per op:%*s thread per channel %6.1f us, "
			       "one io_uring thread %6.1f us, a ring per channel %6.1f us\n",
			       33, "", cheapest[0], cheapest[1], cheapest[2]);
		}
	}
	fflush(stdout);
}
