/*
 * Pseudo-terminals (Linux's drivers/tty/pty.c + n_tty.c, in the sentry): a pair of a
 * master (/dev/ptmx) and a replica (/dev/pts/N) joined by a line discipline.
 *
 * Bytes written to the master are input: the line discipline turns them into what the
 * replica reads (canonical line editing, ICRNL, echo, ISIG signals); bytes written to
 * the replica are output (OPOST/ONLCR) that the master reads. Readiness: the master's
 * waitq is notified when output arrives or input room frees up, the replica's when
 * input becomes readable or output room frees up; both on hangup.
 *
 * Job control needs the caller's process group and session and a way to signal a
 * process group: fs/ cannot see the sentry's tasks, so the sentry registers those as
 * struct pty_jobctl (sentry/tty_jobctl.c). A pty is the controlling terminal of the
 * session in pty->session (0: none); the foreground group is pty->pgrp.
 *
 * Lifetime: each open file of either end holds a reference; the index (and the
 * /dev/pts/N entry) goes when the last master file closes, as on Linux.
 */
#ifndef FS_DEVPTS_PTY_H
#define FS_DEVPTS_PTY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/ref.h"
#include "common/waitq.h"

struct file;
struct inode;

#define PTY_MAX 256 /* /dev/pts/0..255 in one sandbox */
#define PTY_BUF 4096 /* N_TTY_BUF_SIZE: each direction's queue */
#define PTY_MAJOR 136 /* UNIX98_PTY_SLAVE_MAJOR */

/* The kernel's struct termios (TCGETS/TCSETS): 36 bytes, no speed fields. */
struct pty_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

struct pty_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* A byte ring of PTY_BUF bytes; head and tail run free. */
struct pty_ring {
	char buf[PTY_BUF];
	unsigned head, tail;
};

struct pty {
	struct ref ref;
	int index;
	pthread_mutex_t lock;
	struct waitq mwq, rwq; /* master's and replica's readiness */
	/* under lock: */
	struct pty_termios termios; /* the replica's (the line discipline's) */
	struct pty_termios mtermios; /* the master's own, as Linux keeps one per end */
	struct pty_winsize ws;
	bool locked; /* TIOCSPTLCK: the replica cannot be opened */
	unsigned masters, replicas; /* open files of each end */
	bool other_closed; /* the last replica closed (master reads say -EIO) */
	struct pty_ring in; /* cooked input the replica reads */
	/* canonical mode: lengths of the complete lines at the front of in (an EOF is a
	 * line of length 0 that read takes as end of file) */
	uint16_t lines[PTY_BUF + 1];
	unsigned nlines, line0; /* count and first slot of lines */
	char edit[PTY_BUF]; /* the line being edited (canonical mode) */
	unsigned edit_len;
	bool lnext; /* the last input byte was VLNEXT: take the next one literally */
	struct pty_ring out; /* output (and echoes) the master reads */
	int session, pgrp; /* controlling terminal of session; foreground group */
	uint32_t mode, uid, gid; /* the /dev/pts/N node's */
};

/* ---- job control, provided by the sentry ---- */
struct pty_caller {
	int tgid, pgid, sid;
	uint32_t fsuid, fsgid;
	bool cap_sys_admin;
};

struct pty_jobctl {
	/* The calling task's ids. */
	void (*caller)(struct pty_caller *out);
	/* Whether process group pgid exists in session sid: 0, -ESRCH (no such group) or
	 * -EPERM (in another session). */
	int (*pgrp_check)(int pgid, int sid);
	/* Sends sig to every process of group pgid. */
	void (*kill_pgrp)(int pgid, int sig);
	/* Whether the caller ignores or blocks sig (SIGTTIN/SIGTTOU would not stop it). */
	bool (*sig_ignored)(int sig);
	bool (*pgrp_orphaned)(int pgid);
	/* Whether session sid still has its leader (a terminal is let go when it exits). */
	bool (*session_alive)(int sid);
};

/* Registered once at boot; without it every caller is a process without a terminal. */
void pty_set_jobctl(const struct pty_jobctl *ops);
extern const struct pty_jobctl *pty_jc;

/* ---- the pty table (pty.c) ---- */
/* A new pair with the default termios, at the lowest free index, with one master
 * counted open. +1 reference. -ENOSPC when all indices are taken. */
int pty_alloc(uint32_t uid, uint32_t gid, struct pty **out);
/* The pty at index (+1), or NULL. */
struct pty *pty_lookup(int index);
void pty_get(struct pty *p);
void pty_put(struct pty *p);
/* Calls fn on each allocated index in order until it returns false. */
void pty_for_each(bool (*fn)(struct pty *p, void *arg), void *arg);
/* The caller's controlling terminal (+1), or NULL. */
struct pty *pty_ctty_of(const struct pty_caller *c);
/* Makes p the controlling terminal of session sid with foreground group pgid (the
 * runtime giving init its terminal). */
void pty_set_ctty(struct pty *p, int sid, int pgid);
/* Hangs up: the master is gone. Under no lock. */
void pty_master_closed(struct pty *p);

/* ---- the line discipline (ldisc.c), all under p->lock ---- */
void pty_termios_default(struct pty_termios *t);
/* Feeds input bytes (a master write). Returns how many were taken (fewer when the
 * input queue is full); signals the line discipline raised go into *sigs as a mask of
 * (1 << sig), for the caller to send once p->lock is dropped. */
size_t ldisc_receive(struct pty *p, const char *buf, size_t len, uint32_t *sigs);
/* Output processing of a replica write into p->out; the bytes of buf consumed. */
size_t ldisc_output(struct pty *p, const char *buf, size_t len);
/* What a replica read could return now, in bytes (FIONREAD; canonical mode: the
 * complete lines). */
size_t ldisc_readable(const struct pty *p);
/* Whether the replica polls readable: a line or an EOF mark (canonical), VMIN bytes. */
bool ldisc_read_ready(const struct pty *p);
/* A replica read of up to len bytes into buf: bytes, 0 at an EOF mark (or raw with
 * VMIN 0), -EAGAIN. nonblock: O_NONBLOCK, which overrides VMIN. */
ssize_t ldisc_read(struct pty *p, char *buf, size_t len, bool nonblock);
/* New termios: moves a half-edited line into the readable queue when ICANON goes. */
void ldisc_set_termios(struct pty *p, const struct pty_termios *t);
/* TCFLSH's queues: input (the readable data and the edited line) and/or output. */
void ldisc_flush(struct pty *p, bool input, bool output);

static inline unsigned ring_len(const struct pty_ring *r)
{
	return r->head - r->tail;
}

static inline unsigned ring_room(const struct pty_ring *r)
{
	return PTY_BUF - ring_len(r);
}

/* ---- files (pty_file.c) ---- */
/* Opens a new master on f (a /dev/ptmx open). */
int pty_open_master(struct file *f);
/* Opens p's replica on f (+1 reference on p taken here). -EIO when locked (unless
 * ignore_lock: /dev/tty, the runtime) or hung up. */
int pty_open_replica(struct pty *p, struct file *f, bool ignore_lock);

/* Kernel-side master I/O for the sentry's terminal relay (no job control): bytes, or
 * -EAGAIN (nothing to read / no room), -EIO (the replica side is closed and drained). */
ssize_t pty_master_read(struct pty *p, char *buf, size_t len);
ssize_t pty_master_write(struct pty *p, const char *buf, size_t len);
/* TIOCSWINSZ from the outside: SIGWINCH to the foreground group if it changed. */
void pty_set_winsize(struct pty *p, const struct pty_winsize *ws);

#endif
