/* The standalone fuzz drivers' shared input runner and generator (see driver.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/driver.h"

unsigned long fuzz_runs;

void fuzz_run(const void *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy) {
		perror("malloc");
		exit(1);
	}
	memcpy(copy, data, size);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
	fuzz_runs++;
}

int fuzz_run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	fuzz_run(buf, len);
	free(buf);
	return 0;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

uint64_t fuzz_rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}
