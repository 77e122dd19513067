/*
 * The liburing experiment: one thread serving every channel through an io_uring (recvmsg
 * and sendmsg submitted to the ring) instead of a blocking thread per channel. Kept beside
 * the benchmark that compares the two, not in the gofer: the thread per channel won.
 */
#ifndef TESTS_UNIT_GOFER_URING_SERVE_H
#define TESTS_UNIT_GOFER_URING_SERVE_H

struct gofer_server;

/* Like gofer_server_serve: serves fds[0..n) (closed at the end) until all are closed. */
int uring_serve(struct gofer_server *s, const int *fds, int n);
/* A thread and a ring per channel: one io_uring_enter per request (send + next recv). */
int uring_serve_per_channel(struct gofer_server *s, const int *fds, int n);

#endif
