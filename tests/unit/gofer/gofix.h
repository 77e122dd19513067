/*
 * A gofer for unit tests: a server over a host directory, run in a thread of the test (or
 * as a `warden gofer` child), connected to a client over socketpairs.
 */
#ifndef TESTS_UNIT_GOFER_GOFIX_H
#define TESTS_UNIT_GOFER_GOFIX_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "fs/gofer/client.h"

struct gofix {
	struct gofer_client *c;
	struct gofer_server *s;
	pthread_t thread;
	pid_t child; /* a `warden gofer` process, or 0 */
	int nchan;
	int raw; /* a second end of channel 0's pair kept for raw-message tests, or -1 */
};

/* Serves dir from a thread over nchan channels. */
void gofix_start(struct gofix *fx, const char *dir, int nchan, bool readonly);
/* Serves dir from `warden gofer` (chrooted, filtered) over nchan channels. */
void gofix_start_process(struct gofix *fx, const char *dir, int nchan, bool readonly);
/* Closes the client and waits for the server to end: EXPECTs a clean exit. */
void gofix_stop(struct gofix *fx);
/* A raw channel to an in-process server over dir, for malformed messages: its fd. */
int gofix_start_raw(struct gofix *fx, const char *dir);

int gofix_count_fds(void);
/* Writes s into dir/name (created or truncated). */
void gofix_write(const char *dir, const char *name, const char *s);
/* Walks a '/'-separated relative path from fid: the new fid or -errno. */
int gofix_walk_path(struct gofer_client *c, uint32_t fid, const char *path, uint32_t *out);

#endif
