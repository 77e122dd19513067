/* 32 threads hammering a pthread mutex, a condition variable and a barrier: the counts come
 * out exactly as natively (futex wait/wake/requeue under contention). */
#include <pthread.h>
#include <stdint.h>

#include "tests/harness/harness.h"

#define NTHREADS 32
#define ROUNDS 200

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static long counter, turns_taken;
static int turn;

/* Each round: everyone increments under the mutex, meets at the barrier, then the
 * threads take turns in id order through the condvar. */
static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;

	for (int r = 0; r < ROUNDS; r++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
		pthread_barrier_wait(&barrier);
		if (r % 20 == 0) {
			pthread_mutex_lock(&mu);
			while (turn != id)
				pthread_cond_wait(&cv, &mu);
			turns_taken++;
			turn = (turn + 1) % NTHREADS;
			pthread_cond_broadcast(&cv);
			pthread_mutex_unlock(&mu);
			pthread_barrier_wait(&barrier);
		}
	}
	return NULL;
}

TEST_TIMEOUT(mutex_condvar_barrier_counts_are_exact, 120)
{
	pthread_t th[NTHREADS];

	ASSERT_EQ(pthread_barrier_init(&barrier, NULL, NTHREADS), 0);
	for (int i = 0; i < NTHREADS; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i), 0);
	for (int i = 0; i < NTHREADS; i++)
		ASSERT_EQ(pthread_join(th[i], NULL), 0);
	EXPECT_EQ(counter, (long)NTHREADS * ROUNDS);
	EXPECT_EQ(turns_taken, (long)NTHREADS * (ROUNDS / 20));
	EXPECT_EQ(turn, 0);
	pthread_barrier_destroy(&barrier);
}
