/*
 * A standalone driver for fuzz_oci.c (gcc builds): the files named on the command line,
 * then a built-in corpus made from two valid config.json documents: every truncation,
 * every byte replaced by JSON's structural characters, numbers at their edges, random
 * damage, and deep nesting. Deterministic, so a failure reproduces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/driver.h"

static const char full_doc[] =
	"{\"ociVersion\":\"1.2.0\",\"process\":{\"terminal\":true,\"consoleSize\":{\"height\":24,"
	"\"width\":80},\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,\"additionalGids\":[10]},"
	"\"args\":[\"/bin/sh\",\"-c\",\"echo hi\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/root\","
	"\"capabilities\":{\"bounding\":[\"CAP_CHOWN\"],\"effective\":[\"CAP_KILL\"]},"
	"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":512}],"
	"\"noNewPrivileges\":true,\"oomScoreAdj\":-17},\"root\":{\"path\":\"rootfs\","
	"\"readonly\":true},\"hostname\":\"box\",\"mounts\":[{\"destination\":\"/proc\","
	"\"type\":\"proc\",\"source\":\"proc\"},{\"destination\":\"/d\",\"type\":\"bind\","
	"\"source\":\"/srv\",\"options\":[\"rbind\",\"ro\"]}],\"hooks\":{\"prestart\":"
	"[{\"path\":\"/bin/true\",\"args\":[\"true\"],\"timeout\":5}]},\"annotations\":"
	"{\"k\":\"v\"},\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"}],"
	"\"resources\":{\"memory\":{\"limit\":536870912},\"cpu\":{\"shares\":512},"
	"\"pids\":{\"limit\":64}},\"sysctl\":{\"a\":\"1\"},\"maskedPaths\":[\"/proc/kcore\"],"
	"\"readonlyPaths\":[\"/proc/sys\"],\"cgroupsPath\":\"/w\"}}";
static const char min_doc[] = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/r\"}}";

static void mutate(const char *doc)
{
	static const char structural[] = "{}[]:,\"\\0-9eE.tfn \n\x01\xff";
	static const char *const numbers[] = { "-1",
					       "0",
					       "4294967295",
					       "4294967296",
					       "18446744073709551615",
					       "18446744073709551616",
					       "-9223372036854775809",
					       "1e400",
					       "1.5",
					       "-0" };
	size_t len = strlen(doc);
	char *m = malloc(len + 64);

	if (!m)
		exit(1);
	for (size_t n = 0; n <= len; n++)
		fuzz_run(doc, n);
	for (size_t i = 0; i < len; i++) {
		for (size_t k = 0; k < sizeof(structural) - 1; k++) {
			memcpy(m, doc, len);
			m[i] = structural[k];
			fuzz_run(m, len);
		}
	}
	/* each number in the document replaced by an edge value */
	for (size_t i = 0; i < len; i++) {
		size_t j = i;

		if (!(doc[i] == '-' || (doc[i] >= '0' && doc[i] <= '9')) || doc[i - 1] != ':')
			continue;
		while (j < len && (doc[j] == '-' || (doc[j] >= '0' && doc[j] <= '9')))
			j++;
		for (size_t k = 0; k < sizeof(numbers) / sizeof(numbers[0]); k++) {
			size_t nl = strlen(numbers[k]);

			if (i + nl + (len - j) > len + 63)
				continue;
			memcpy(m, doc, i);
			memcpy(m + i, numbers[k], nl);
			memcpy(m + i + nl, doc + j, len - j);
			fuzz_run(m, i + nl + (len - j));
		}
	}
	for (int r = 0; r < 20000; r++) {
		int k = 1 + (int)(fuzz_rng() % 6);

		memcpy(m, doc, len);
		while (k--)
			m[fuzz_rng() % len] = (char)fuzz_rng();
		fuzz_run(m, fuzz_rng() % 4 ? len : fuzz_rng() % (len + 1));
	}
	free(m);
}

int main(int argc, char **argv)
{
	enum { DEPTH = 100000 };
	char *deep = malloc(2 * DEPTH + 64);

	for (int i = 1; i < argc; i++)
		if (fuzz_run_file(argv[i]))
			return 1;
	mutate(full_doc);
	mutate(min_doc);
	/* nesting far past json-c's depth limit, in a field and at the top */
	if (!deep)
		return 1;
	strcpy(deep, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"annotations\":");
	for (size_t i = strlen(deep), d = 0; d < DEPTH; d++)
		deep[i++] = '[', deep[i] = 0;
	fuzz_run(deep, strlen(deep));
	memset(deep, '{', DEPTH);
	fuzz_run(deep, DEPTH);
	free(deep);
	printf("fuzz_oci: %lu inputs, no invariant broken\n", fuzz_runs);
	return 0;
}
