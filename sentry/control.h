/*
 * The runtime's control channel into a running sandbox (`warden start/kill/exec/ps`): a
 * SOCK_SEQPACKET socket in the container's state directory, bound by the runtime before
 * the seccomp filter, served by a sentry thread. One message per request and reply; the
 * fields of a message are NUL-separated strings:
 *
 *   start                      -> ok                    init runs (once)
 *   kill SIG ALL(0|1)          -> ok | err ERRNO MSG    to init (as from a parent pid
 *                                                       namespace) or to every process
 *   ps                         -> ok LINE...            "PID PPID UID STIME_S CPU_MS COMM"
 *   exec KEY=VALUE... +3 fds   -> ok PID, later exit WAIT_STATUS
 *        keys: arg= (repeated), env= (repeated), cwd=, uid=, gid=, group= (repeated),
 *        caps=EFF,PRM,INH,BND (hex), nnp=1, umask= (octal); the fds (SCM_RIGHTS) are
 *        the process's stdin, stdout and stderr.
 */
#ifndef SENTRY_CONTROL_H
#define SENTRY_CONTROL_H

#define CONTROL_MSG_MAX (256 * 1024) /* a request's size, argv and env included */

struct kernel;

/* Serves listen_fd (a listening SOCK_SEQPACKET socket) on a thread of its own for the
 * sandbox's lifetime. 0 or -errno. */
int control_serve(struct kernel *k, int listen_fd);

#endif
