/* Threads racing lookups, creates, unlinks, renames and `..` walks in one tmpfs: no
 * deadlock, no crash, and nothing leaks once they are done. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

#define NTHREADS 4
#define ROUNDS 3000

static struct fsfix fx;

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	char a[64], b[64];
	struct kstat st;
	struct file *f;

	for (int i = 0; i < ROUNDS; i++) {
		int x = rand_r(&seed) % 8, y = rand_r(&seed) % 8;

		snprintf(a, sizeof(a), "/d%d/f%d", x % 2, x);
		snprintf(b, sizeof(b), "/d%d/f%d", y % 2, y);
		switch (rand_r(&seed) % 7) {
		case 0:
			if (fix_open(&fx, a, O_RDWR | O_CREAT, &f) == 0) {
				fix_write(f, "data", 4, NULL);
				file_put(f);
			}
			break;
		case 1:
			vfs_unlinkat(fx.v, NULL, a, 0, NULL);
			break;
		case 2:
			vfs_renameat(fx.v, NULL, a, NULL, b, 0, NULL);
			break;
		case 3:
			vfs_statat(fx.v, NULL, a, LOOKUP_FOLLOW, NULL, &st);
			break;
		case 4:
			snprintf(a, sizeof(a), "/d%d/sub/../../d%d/./sub", x % 2, y % 2);
			vfs_statat(fx.v, NULL, a, 0, NULL, &st);
			break;
		case 5:
			snprintf(a, sizeof(a), "/d%d/sub", x % 2);
			snprintf(b, sizeof(b), "/d%d/sub", y % 2);
			vfs_renameat(fx.v, NULL, a, NULL, b, RENAME_EXCHANGE, NULL);
			break;
		default:
			vfs_linkat(fx.v, NULL, a, NULL, b, 0, NULL);
			break;
		}
	}
	return NULL;
}

TEST_TIMEOUT(racing_namespace_operations_neither_deadlock_nor_leak, 60)
{
	pthread_t th[NTHREADS];

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/d0"), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/d1"), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/d0/sub"), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/d1/sub"), 0);
	for (int i = 0; i < NTHREADS; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(i + 1)), 0);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	fix_teardown(&fx);
}
