// SPDX-License-Identifier: MIT
/*
 * stat_files create DIR N: makes DIR (it must not exist) with N empty files, then times one
 * stat(2) of each; removes them and DIR afterwards (untimed).
 * stat_files list FILE [PASSES]: stats each path listed in FILE (one a line), so that every
 * run stats the same, fixed set of existing files; PASSES (default 1) times over, timing
 * only the last pass: 1 measures cold lookups, 2 what a cache in the kernel under test keeps.
 * Prints "seconds=S files=N"; exits 1 without a seconds= line if any step fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* Stats every path of the n in paths; 0, or -1 after a message. */
static int stat_all(char **paths, long n, double *seconds)
{
	struct timespec a;
	struct stat st;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		if (stat(paths[i], &st) < 0) {
			fprintf(stderr, "stat_files: stat %s: %s\n", paths[i], strerror(errno));
			return -1;
		}
	}
	*seconds = since(&a);
	return 0;
}

static char **make_files(const char *dir, long n)
{
	char **paths = calloc((size_t)n, sizeof(*paths));

	if (!paths || mkdir(dir, 0700) < 0) {
		perror(dir);
		return NULL;
	}
	for (long i = 0; i < n; i++) {
		int fd;

		if (asprintf(&paths[i], "%s/f%06ld", dir, i) < 0)
			return NULL;
		fd = open(paths[i], O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0) {
			perror(paths[i]);
			return NULL;
		}
		close(fd);
	}
	return paths;
}

static char **read_list(const char *file, long *n)
{
	FILE *f = fopen(file, "r");
	char **paths = NULL, *line = NULL;
	size_t cap = 0, lcap = 0;
	ssize_t len;

	if (!f) {
		perror(file);
		return NULL;
	}
	*n = 0;
	while ((len = getline(&line, &lcap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if ((size_t)*n == cap) {
			cap = cap ? 2 * cap : 1024;
			paths = realloc(paths, cap * sizeof(*paths));
			if (!paths)
				return NULL;
		}
		paths[*n] = strdup(line);
		if (!paths[(*n)++])
			return NULL;
	}
	free(line);
	fclose(f);
	return paths;
}

int main(int argc, char **argv)
{
	double seconds = 0;
	long n = 0, passes = 1;
	char **paths;
	int ret = 0;

	if (argc == 4 && !strcmp(argv[1], "create")) {
		n = atol(argv[3]);
		paths = make_files(argv[2], n);
	} else if ((argc == 3 || argc == 4) && !strcmp(argv[1], "list")) {
		paths = read_list(argv[2], &n);
		passes = argc == 4 ? atol(argv[3]) : 1;
	} else {
		fprintf(stderr, "usage: %s create DIR N | list FILE [PASSES]\n", argv[0]);
		return 2;
	}
	if (!paths || n <= 0 || passes < 1)
		return 1;
	for (long p = 0; p < passes && !ret; p++)
		ret = stat_all(paths, n, &seconds);
	if (!strcmp(argv[1], "create")) {
		for (long i = 0; i < n; i++)
			unlink(paths[i]);
		rmdir(argv[2]);
	}
	if (ret)
		return 1;
	printf("seconds=%.6f files=%ld\n", seconds, n);
	return 0;
}
