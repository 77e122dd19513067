/*
 * Open files of a pty: the master (from /dev/ptmx) and the replica (/dev/pts/N, or
 * /dev/tty for the caller's controlling terminal): read/write/poll and the tty ioctls
 * (termios, window size, the pty lock and number, controlling terminal and foreground
 * group), with the job-control checks of Linux's tty_check_change and n_tty's
 * background read/write rules.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "common/util.h"
#include "fs/devpts/pty.h"
#include "fs/vfs/iov.h"
#include "fs/vfs/vfs.h"

/* The kernel's restart code (sentry/abi/linux.h; fs/ does not include sentry/): the
 * syscall restarts once the job-control signal is handled. */
#define PTY_ERESTARTSYS 512

/* struct termios2 (TCGETS2/TCSETS2): termios plus the two speeds. */
struct pty_termios2 {
	struct pty_termios t;
	uint32_t c_ispeed, c_ospeed;
};

/* asm/ioctls.h spells these with struct termios2, which glibc's termios.h lacks. */
#define PTY_TCGETS2 _IOR('T', 0x2A, struct pty_termios2)
#define PTY_TCSETS2 _IOW('T', 0x2B, struct pty_termios2)
#define PTY_TCSETSW2 _IOW('T', 0x2C, struct pty_termios2)
#define PTY_TCSETSF2 _IOW('T', 0x2D, struct pty_termios2)

static const struct file_ops pty_master_fops, pty_replica_fops;

static void caller_of(struct pty_caller *c)
{
	*c = (struct pty_caller){ 0 };
	if (pty_jc)
		pty_jc->caller(c);
}

static bool is_ctty_of(struct pty *p, const struct pty_caller *c)
{
	bool yes;

	pthread_mutex_lock(&p->lock);
	yes = c->sid > 0 && p->session == c->sid;
	pthread_mutex_unlock(&p->lock);
	return yes;
}

/*
 * A process outside the foreground group of its controlling terminal: SIGTTIN for a
 * read, SIGTTOU for a write with TOSTOP or a change of the terminal's settings.
 * 0 = go ahead, -EIO (ignored SIGTTIN, or an orphaned group), or -ERESTARTSYS once
 * the signal went to the caller's group.
 */
static int job_check(struct pty *p, int sig)
{
	struct pty_caller c;
	int pgrp;

	if (!pty_jc)
		return 0;
	caller_of(&c);
	pthread_mutex_lock(&p->lock);
	pgrp = c.sid > 0 && p->session == c.sid ? p->pgrp : 0;
	pthread_mutex_unlock(&p->lock);
	if (pgrp <= 0 || c.pgid == pgrp)
		return 0;
	if (pty_jc->sig_ignored(sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (pty_jc->pgrp_orphaned(c.pgid))
		return -EIO;
	pty_jc->kill_pgrp(c.pgid, sig);
	return -PTY_ERESTARTSYS;
}

/* ---- open / release ---- */

int pty_open_master(struct file *f)
{
	struct pty_caller c;
	struct pty *p;
	int err;

	caller_of(&c);
	err = pty_alloc(c.fsuid, c.fsgid, &p);
	if (err)
		return err;
	f->ops = &pty_master_fops;
	f->priv = p;
	return 0;
}

int pty_open_replica(struct pty *p, struct file *f, bool ignore_lock)
{
	pthread_mutex_lock(&p->lock);
	if ((p->locked && !ignore_lock) || !p->masters) {
		pthread_mutex_unlock(&p->lock);
		return -EIO;
	}
	p->replicas++;
	p->other_closed = false;
	pthread_mutex_unlock(&p->lock);
	pty_get(p);
	f->ops = &pty_replica_fops;
	f->priv = p;
	return 0;
}

static void master_release(struct file *f)
{
	struct pty *p = f->priv;
	bool last;

	pthread_mutex_lock(&p->lock);
	last = --p->masters == 0;
	pthread_mutex_unlock(&p->lock);
	if (last)
		pty_master_closed(p);
	pty_put(p);
}

static void replica_release(struct file *f)
{
	struct pty *p = f->priv;
	bool last;

	pthread_mutex_lock(&p->lock);
	last = --p->replicas == 0;
	if (last)
		p->other_closed = true;
	pthread_mutex_unlock(&p->lock);
	if (last)
		waitq_notify(&p->mwq, POLLIN | POLLHUP | POLLRDNORM);
	pty_put(p);
}

/* ---- read / write ---- */

static ssize_t master_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	size_t want = iov_length(iov, iovcnt);
	char buf[PTY_BUF];
	struct iov_iter it;
	ssize_t n;

	if (!want)
		return 0;
	n = pty_master_read(f->priv, buf, MIN(want, sizeof(buf)));
	if (n <= 0)
		return n;
	iov_iter_init(&it, iov, iovcnt);
	return (ssize_t)iov_iter_copy_to(&it, buf, (size_t)n);
}

static ssize_t master_write(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	size_t want = iov_length(iov, iovcnt);
	char buf[PTY_BUF];
	struct iov_iter it;
	size_t n;

	if (!want)
		return 0;
	iov_iter_init(&it, iov, iovcnt);
	n = iov_iter_copy_from(&it, buf, MIN(want, sizeof(buf)));
	return pty_master_write(f->priv, buf, n);
}

static ssize_t replica_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct pty *p = f->priv;
	size_t want = iov_length(iov, iovcnt);
	char buf[PTY_BUF];
	struct iov_iter it;
	ssize_t n;
	int err;

	err = job_check(p, SIGTTIN);
	if (err)
		return err;
	if (!want)
		return 0;
	pthread_mutex_lock(&p->lock);
	n = ldisc_read(p, buf, MIN(want, sizeof(buf)), f->flags & O_NONBLOCK);
	if (n == -EAGAIN && !p->masters)
		n = 0; /* hung up: end of file */
	pthread_mutex_unlock(&p->lock);
	if (n <= 0)
		return n;
	waitq_notify(&p->mwq, POLLOUT | POLLWRNORM);
	iov_iter_init(&it, iov, iovcnt);
	return (ssize_t)iov_iter_copy_to(&it, buf, (size_t)n);
}

static ssize_t replica_write(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct pty *p = f->priv;
	size_t want = iov_length(iov, iovcnt), done = 0;
	char buf[PTY_BUF / 2];
	struct iov_iter it;
	bool tostop;

	pthread_mutex_lock(&p->lock);
	tostop = p->termios.c_lflag & TOSTOP;
	pthread_mutex_unlock(&p->lock);
	if (tostop) {
		int err = job_check(p, SIGTTOU);

		if (err)
			return err;
	}
	iov_iter_init(&it, iov, iovcnt);
	pthread_mutex_lock(&p->lock);
	if (!p->masters) {
		pthread_mutex_unlock(&p->lock);
		return -EIO;
	}
	while (done < want) {
		/* ONLCR may double every byte: take what surely fits */
		size_t room = ring_room(&p->out) / 2, n;

		if (!room)
			break;
		n = iov_iter_copy_from(&it, buf, MIN(MIN(room, sizeof(buf)), want - done));
		if (!n)
			break;
		ldisc_output(p, buf, n);
		done += n;
	}
	pthread_mutex_unlock(&p->lock);
	if (!done)
		return -EAGAIN;
	waitq_notify(&p->mwq, POLLIN | POLLRDNORM);
	return (ssize_t)done;
}

/* A terminal is a stream: no position to seek. */
static int64_t pty_llseek(struct file *f, int64_t off, int whence)
{
	return -ESPIPE;
}

/* ---- poll ---- */

static short master_poll(struct file *f, short events)
{
	struct pty *p = f->priv;
	short r = 0;

	pthread_mutex_lock(&p->lock);
	if (ring_len(&p->out))
		r |= POLLIN | POLLRDNORM;
	if (ring_room(&p->in) && p->edit_len + 1 < PTY_BUF)
		r |= POLLOUT | POLLWRNORM;
	if (p->other_closed && !p->replicas)
		r |= POLLHUP;
	pthread_mutex_unlock(&p->lock);
	return r & (events | POLLHUP | POLLERR);
}

static short replica_poll(struct file *f, short events)
{
	struct pty *p = f->priv;
	short r = 0;

	pthread_mutex_lock(&p->lock);
	if (!p->masters)
		r |= POLLIN | POLLRDNORM | POLLHUP;
	else if (ldisc_read_ready(p))
		r |= POLLIN | POLLRDNORM;
	if (p->masters && ring_room(&p->out) >= 2)
		r |= POLLOUT | POLLWRNORM;
	pthread_mutex_unlock(&p->lock);
	return r & (events | POLLHUP | POLLERR);
}

static struct waitq *master_waitq(struct file *f)
{
	return &((struct pty *)f->priv)->mwq;
}

static struct waitq *replica_waitq(struct file *f)
{
	return &((struct pty *)f->priv)->rwq;
}

/* ---- ioctl ---- */

static long get_termios(struct pty *p, bool master, uint64_t arg, const struct umem *um, bool two)
{
	struct pty_termios2 t2;

	pthread_mutex_lock(&p->lock);
	t2.t = master ? p->mtermios : p->termios;
	pthread_mutex_unlock(&p->lock);
	t2.c_ispeed = t2.c_ospeed = 38400;
	return um->copy_out(um, arg, &t2, two ? sizeof(t2) : sizeof(t2.t));
}

static long set_termios(struct pty *p, bool master, uint64_t arg, const struct umem *um, bool two,
			bool flush)
{
	struct pty_termios2 t2;
	int err;

	if (!master) {
		err = job_check(p, SIGTTOU);
		if (err)
			return err;
	}
	err = um->copy_in(um, arg, &t2, two ? sizeof(t2) : sizeof(t2.t));
	if (err)
		return err;
	pthread_mutex_lock(&p->lock);
	if (master) {
		p->mtermios = t2.t;
	} else {
		if (flush)
			ldisc_flush(p, true, false);
		ldisc_set_termios(p, &t2.t);
	}
	pthread_mutex_unlock(&p->lock);
	/* ICANON going, or a shorter VMIN, may make the queued input readable */
	waitq_notify(&p->rwq, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
	waitq_notify(&p->mwq, POLLOUT | POLLWRNORM);
	return 0;
}

/* TIOCSCTTY: the caller, a session leader without a terminal, takes p. */
static long set_ctty(struct pty *p, uint64_t arg)
{
	struct pty_caller c;
	struct pty *cur;
	long ret = 0;
	int owner;

	caller_of(&c);
	if (c.sid <= 0 || c.sid != c.tgid)
		return -EPERM;
	cur = pty_ctty_of(&c);
	if (cur) {
		pty_put(cur);
		return cur == p ? 0 : -EPERM;
	}
	/* session_alive takes the sentry's process lock: never under p->lock */
	pthread_mutex_lock(&p->lock);
	owner = p->session;
	pthread_mutex_unlock(&p->lock);
	if (owner && pty_jc->session_alive(owner) && !(arg == 1 && c.cap_sys_admin))
		return -EPERM;
	pthread_mutex_lock(&p->lock);
	if (p->session != owner) {
		ret = -EPERM; /* another session took it meanwhile */
	} else {
		p->session = c.sid;
		p->pgrp = c.pgid;
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

/* TIOCNOTTY: a session leader lets its terminal go (SIGHUP and SIGCONT to the
 * foreground group); another member just forgets it. */
static long drop_ctty(struct pty *p)
{
	struct pty_caller c;
	int pgrp = 0;

	caller_of(&c);
	if (!is_ctty_of(p, &c))
		return -ENOTTY;
	if (c.sid != c.tgid)
		return 0;
	pthread_mutex_lock(&p->lock);
	pgrp = p->pgrp;
	p->session = p->pgrp = 0;
	pthread_mutex_unlock(&p->lock);
	if (pgrp > 0) {
		pty_jc->kill_pgrp(pgrp, SIGHUP);
		pty_jc->kill_pgrp(pgrp, SIGCONT);
	}
	return 0;
}

static long set_pgrp(struct pty *p, uint64_t arg, const struct umem *um)
{
	struct pty_caller c;
	int32_t pgrp;
	long err;

	err = job_check(p, SIGTTOU);
	if (err)
		return err == -EIO ? -ENOTTY : err;
	caller_of(&c);
	if (!is_ctty_of(p, &c))
		return -ENOTTY;
	err = um->copy_in(um, arg, &pgrp, sizeof(pgrp));
	if (err)
		return err;
	if (pgrp < 0)
		return -EINVAL;
	err = pty_jc->pgrp_check(pgrp, c.sid);
	if (err)
		return err;
	pthread_mutex_lock(&p->lock);
	p->pgrp = pgrp;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static long put_int(const struct umem *um, uint64_t arg, int32_t v)
{
	return um->copy_out(um, arg, &v, sizeof(v));
}

static long pty_ioctl(struct pty *p, bool master, unsigned cmd, uint64_t arg, const struct umem *um)
{
	struct pty_caller c;
	struct pty_winsize ws;
	int32_t v;
	long err;

	switch (cmd) {
	case TCGETS:
		return get_termios(p, master, arg, um, false);
	case PTY_TCGETS2:
		return get_termios(p, master, arg, um, true);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return set_termios(p, master, arg, um, false, cmd == TCSETSF);
	case PTY_TCSETS2:
	case PTY_TCSETSW2:
	case PTY_TCSETSF2:
		return set_termios(p, master, arg, um, true, cmd == PTY_TCSETSF2);
	case TIOCGWINSZ:
		pthread_mutex_lock(&p->lock);
		ws = p->ws;
		pthread_mutex_unlock(&p->lock);
		return um->copy_out(um, arg, &ws, sizeof(ws));
	case TIOCSWINSZ:
		err = um->copy_in(um, arg, &ws, sizeof(ws));
		if (!err)
			pty_set_winsize(p, &ws);
		return err;
	case FIONREAD: /* TIOCINQ */
		pthread_mutex_lock(&p->lock);
		v = (int32_t)(master ? ring_len(&p->out) : ldisc_readable(p));
		pthread_mutex_unlock(&p->lock);
		return put_int(um, arg, v);
	case TIOCOUTQ:
		pthread_mutex_lock(&p->lock);
		v = (int32_t)(master ? 0 : ring_len(&p->out));
		pthread_mutex_unlock(&p->lock);
		return put_int(um, arg, v);
	case TCFLSH:
		if (arg > TCIOFLUSH)
			return -EINVAL;
		pthread_mutex_lock(&p->lock);
		/* the master's input queue is the replica's output */
		if (master)
			ldisc_flush(p, arg != TCIFLUSH, arg != TCOFLUSH);
		else
			ldisc_flush(p, arg != TCOFLUSH, arg != TCIFLUSH);
		pthread_mutex_unlock(&p->lock);
		waitq_notify(&p->rwq, POLLOUT | POLLWRNORM);
		waitq_notify(&p->mwq, POLLOUT | POLLWRNORM);
		return 0;
	case TCSBRK:
	case TCSBRKP:
		return 0; /* output is never held back: drained already */
	case TCXONC:
		return arg <= TCION ? 0 : -EINVAL;
	case TIOCGETD:
		return put_int(um, arg, 0); /* N_TTY */
	case TIOCEXCL:
	case TIOCNXCL:
		return 0;
	case TIOCSCTTY:
		return set_ctty(p, arg);
	case TIOCNOTTY:
		return drop_ctty(p);
	case TIOCGPGRP:
		caller_of(&c);
		if (!master && !is_ctty_of(p, &c))
			return -ENOTTY;
		pthread_mutex_lock(&p->lock);
		v = p->pgrp;
		pthread_mutex_unlock(&p->lock);
		return put_int(um, arg, v);
	case TIOCSPGRP:
		return set_pgrp(p, arg, um);
	case TIOCGSID:
		caller_of(&c);
		if (!master && !is_ctty_of(p, &c))
			return -ENOTTY;
		pthread_mutex_lock(&p->lock);
		v = p->session;
		pthread_mutex_unlock(&p->lock);
		return v ? put_int(um, arg, v) : -ENOTTY;
	}
	if (!master)
		return -ENOTTY;
	switch (cmd) {
	case TIOCGPTN:
		return put_int(um, arg, p->index);
	case TIOCSPTLCK:
		err = um->copy_in(um, arg, &v, sizeof(v));
		if (err)
			return err;
		pthread_mutex_lock(&p->lock);
		p->locked = v != 0;
		pthread_mutex_unlock(&p->lock);
		return 0;
	case TIOCGPTLCK:
		pthread_mutex_lock(&p->lock);
		v = p->locked;
		pthread_mutex_unlock(&p->lock);
		return put_int(um, arg, v);
	}
	return -ENOTTY;
}

static long master_ioctl(struct file *f, unsigned cmd, uint64_t arg, const struct umem *um)
{
	return pty_ioctl(f->priv, true, cmd, arg, um);
}

static long replica_ioctl(struct file *f, unsigned cmd, uint64_t arg, const struct umem *um)
{
	return pty_ioctl(f->priv, false, cmd, arg, um);
}

static const struct file_ops pty_master_fops = {
	.read = master_read,
	.write = master_write,
	.llseek = pty_llseek,
	.ioctl = master_ioctl,
	.poll = master_poll,
	.waitq = master_waitq,
	.release = master_release,
};

static const struct file_ops pty_replica_fops = {
	.read = replica_read,
	.write = replica_write,
	.llseek = pty_llseek,
	.ioctl = replica_ioctl,
	.poll = replica_poll,
	.waitq = replica_waitq,
	.release = replica_release,
};
