/*
 * The pty table (indices 0..PTY_MAX-1, lowest free first, as devpts hands them out),
 * pty lifetime, controlling-terminal lookup and the master-side I/O that both the
 * master file and the sentry's terminal relay use.
 *
 * Lock order: pty_table_lock -> p->lock -> waitq locks. Signals are sent with no pty
 * lock held (the sentry takes its task locks to send them).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fs/devpts/pty.h"

static pthread_mutex_t pty_table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pty *pty_table[PTY_MAX];

const struct pty_jobctl *pty_jc;

void pty_set_jobctl(const struct pty_jobctl *ops)
{
	pty_jc = ops;
}

int pty_alloc(uint32_t uid, uint32_t gid, struct pty **out)
{
	struct pty *p = calloc(1, sizeof(*p));
	int i;

	if (!p)
		return -ENOMEM;
	ref_init(&p->ref);
	pthread_mutex_init(&p->lock, NULL);
	waitq_init(&p->mwq);
	waitq_init(&p->rwq);
	pty_termios_default(&p->termios);
	/* the master's own termios, as pty_unix98_install sets it */
	p->mtermios = p->termios;
	p->mtermios.c_iflag = 0;
	p->mtermios.c_oflag = 0;
	p->mtermios.c_lflag = 0;
	p->locked = true;
	p->masters = 1;
	p->mode = 0620;
	p->uid = uid;
	p->gid = gid;
	pthread_mutex_lock(&pty_table_lock);
	for (i = 0; i < PTY_MAX && pty_table[i]; i++)
		;
	if (i == PTY_MAX) {
		pthread_mutex_unlock(&pty_table_lock);
		waitq_destroy(&p->mwq);
		waitq_destroy(&p->rwq);
		free(p);
		return -ENOSPC;
	}
	p->index = i;
	pty_table[i] = p;
	pthread_mutex_unlock(&pty_table_lock);
	*out = p;
	return 0;
}

void pty_get(struct pty *p)
{
	ref_get(&p->ref);
}

void pty_put(struct pty *p)
{
	if (!p || !ref_put(&p->ref))
		return;
	waitq_destroy(&p->mwq);
	waitq_destroy(&p->rwq);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

struct pty *pty_lookup(int index)
{
	struct pty *p = NULL;

	if (index < 0 || index >= PTY_MAX)
		return NULL;
	pthread_mutex_lock(&pty_table_lock);
	p = pty_table[index];
	if (p)
		pty_get(p);
	pthread_mutex_unlock(&pty_table_lock);
	return p;
}

void pty_for_each(bool (*fn)(struct pty *p, void *arg), void *arg)
{
	for (int i = 0; i < PTY_MAX; i++) {
		struct pty *p = pty_lookup(i);
		bool more;

		if (!p)
			continue;
		more = fn(p, arg);
		pty_put(p);
		if (!more)
			break;
	}
}

struct pty *pty_ctty_of(const struct pty_caller *c)
{
	struct pty *found = NULL;

	if (c->sid <= 0)
		return NULL;
	pthread_mutex_lock(&pty_table_lock);
	for (int i = 0; i < PTY_MAX && !found; i++) {
		struct pty *p = pty_table[i];

		if (!p)
			continue;
		pthread_mutex_lock(&p->lock);
		if (p->session == c->sid) {
			found = p;
			pty_get(p);
		}
		pthread_mutex_unlock(&p->lock);
	}
	pthread_mutex_unlock(&pty_table_lock);
	/* a session whose leader is gone has lost its terminal (disassociate_ctty) */
	if (found && pty_jc && !pty_jc->session_alive(c->sid)) {
		pthread_mutex_lock(&found->lock);
		if (found->session == c->sid)
			found->session = found->pgrp = 0;
		pthread_mutex_unlock(&found->lock);
		pty_put(found);
		found = NULL;
	}
	return found;
}

void pty_set_ctty(struct pty *p, int sid, int pgid)
{
	pthread_mutex_lock(&p->lock);
	p->session = sid;
	p->pgrp = pgid;
	pthread_mutex_unlock(&p->lock);
}

void pty_master_closed(struct pty *p)
{
	int pgrp;

	pthread_mutex_lock(&pty_table_lock);
	if (pty_table[p->index] == p)
		pty_table[p->index] = NULL;
	pthread_mutex_unlock(&pty_table_lock);
	pthread_mutex_lock(&p->lock);
	pgrp = p->session ? p->pgrp : 0;
	p->session = 0;
	p->pgrp = 0;
	pthread_mutex_unlock(&p->lock);
	/* the replica's side sees a hangup: its foreground group gets SIGHUP and SIGCONT */
	if (pgrp > 0 && pty_jc) {
		pty_jc->kill_pgrp(pgrp, SIGHUP);
		pty_jc->kill_pgrp(pgrp, SIGCONT);
	}
	waitq_notify(&p->rwq, POLLIN | POLLOUT | POLLHUP | POLLRDNORM | POLLWRNORM);
}

/* Sends the line discipline's signals (a mask of 1 << sig) to p's foreground group. */
static void send_sigs(struct pty *p, uint32_t sigs)
{
	int pgrp;

	if (!sigs || !pty_jc)
		return;
	pthread_mutex_lock(&p->lock);
	pgrp = p->pgrp;
	pthread_mutex_unlock(&p->lock);
	for (int sig = 1; pgrp > 0 && sig < 32; sig++)
		if (sigs & (1u << sig))
			pty_jc->kill_pgrp(pgrp, sig);
}

ssize_t pty_master_read(struct pty *p, char *buf, size_t len)
{
	bool was_full;
	size_t n;

	pthread_mutex_lock(&p->lock);
	if (!ring_len(&p->out)) {
		bool eio = p->other_closed && !p->replicas;

		pthread_mutex_unlock(&p->lock);
		return eio ? -EIO : -EAGAIN;
	}
	was_full = ring_room(&p->out) < 2;
	n = MIN(len, (size_t)ring_len(&p->out));
	for (size_t i = 0; i < n; i++)
		buf[i] = p->out.buf[p->out.tail++ % PTY_BUF];
	pthread_mutex_unlock(&p->lock);
	if (was_full)
		waitq_notify(&p->rwq, POLLOUT | POLLWRNORM);
	return (ssize_t)n;
}

ssize_t pty_master_write(struct pty *p, const char *buf, size_t len)
{
	uint32_t sigs = 0;
	bool echoed, readable;
	unsigned out0;
	size_t n;

	if (!len)
		return 0;
	pthread_mutex_lock(&p->lock);
	out0 = ring_len(&p->out);
	n = ldisc_receive(p, buf, len, &sigs);
	echoed = ring_len(&p->out) != out0;
	readable = ldisc_read_ready(p);
	pthread_mutex_unlock(&p->lock);
	send_sigs(p, sigs);
	if (readable)
		waitq_notify(&p->rwq, POLLIN | POLLRDNORM);
	if (echoed)
		waitq_notify(&p->mwq, POLLIN | POLLRDNORM);
	return n ? (ssize_t)n : -EAGAIN;
}

void pty_set_winsize(struct pty *p, const struct pty_winsize *ws)
{
	bool changed;
	int pgrp;

	pthread_mutex_lock(&p->lock);
	changed = memcmp(&p->ws, ws, sizeof(*ws)) != 0;
	p->ws = *ws;
	pgrp = p->pgrp;
	pthread_mutex_unlock(&p->lock);
	if (changed && pgrp > 0 && pty_jc)
		pty_jc->kill_pgrp(pgrp, SIGWINCH);
}
