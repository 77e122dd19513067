/*
 * The line discipline (Linux's n_tty, the parts programs rely on): input flags (ISTRIP,
 * IGNCR, ICRNL, INLCR), ISIG's VINTR/VQUIT/VSUSP, canonical line editing (VERASE,
 * VWERASE, VKILL, VEOF, VEOL/VEOL2, VLNEXT), echo (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL,
 * ECHOCTL) and output processing (OPOST with ONLCR, OCRNL). Everything runs under
 * p->lock; nothing here blocks or signals: signals are handed back to the caller.
 *
 * Not done: flow control (IXON's ^S/^Q pass through as data), VTIME (a raw read with
 * VMIN 0 and VTIME > 0 does not wait), VREPRINT/VDISCARD, IUCLC/OLCUC, tab expansion.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>

#include "common/util.h"
#include "fs/devpts/pty.h"

#define L(p, f) ((p)->termios.c_lflag & (f))
#define I(p, f) ((p)->termios.c_iflag & (f))
#define O(p, f) ((p)->termios.c_oflag & (f))
#define CC(p, i) ((p)->termios.c_cc[i])

void pty_termios_default(struct pty_termios *t)
{
	/* tty_std_termios with the pty driver's c_cflag */
	static const uint8_t cc[19] = { 003, 034, 0177, 025, 004, 0,   1, 0, 021, 023,
					032, 0,	  022,	017, 027, 026, 0, 0, 0 };

	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(t->c_cc, cc, sizeof(cc));
}

static void ring_put(struct pty_ring *r, char c)
{
	if (ring_room(r))
		r->buf[r->head++ % PTY_BUF] = c;
}

/* One output byte through OPOST: what the master reads. */
static void out_char(struct pty *p, char c)
{
	if (O(p, OPOST)) {
		if (c == '\n' && O(p, ONLCR)) {
			ring_put(&p->out, '\r');
		} else if (c == '\r' && O(p, OCRNL)) {
			c = '\n';
		}
	}
	ring_put(&p->out, c);
}

static bool is_ctl(char c)
{
	return ((unsigned char)c < 32 && c != '\t' && c != '\n') || c == 0177;
}

static void echo_char(struct pty *p, char c)
{
	if (L(p, ECHOCTL) && is_ctl(c)) {
		out_char(p, '^');
		out_char(p, c ^ 0100);
	} else {
		out_char(p, c);
	}
}

/* Takes the last edited byte back, and off the screen with ECHOE. */
static void erase_one(struct pty *p)
{
	char c = p->edit[--p->edit_len];

	if (!L(p, ECHO))
		return;
	if (L(p, ECHOE)) {
		int cols = L(p, ECHOCTL) && is_ctl(c) ? 2 : 1;

		while (cols--) {
			out_char(p, '\b');
			out_char(p, ' ');
			out_char(p, '\b');
		}
	}
}

static void do_erase(struct pty *p, char c, bool word, bool kill)
{
	if (!p->edit_len)
		return;
	if (kill) {
		if (L(p, ECHO) && !(L(p, ECHOKE) && L(p, ECHOE))) {
			echo_char(p, c);
			if (L(p, ECHOK))
				out_char(p, '\n');
			p->edit_len = 0;
			return;
		}
		while (p->edit_len)
			erase_one(p);
		return;
	}
	if (L(p, ECHO) && !L(p, ECHOE))
		echo_char(p, c);
	if (!word) {
		erase_one(p);
		return;
	}
	while (p->edit_len && (p->edit[p->edit_len - 1] == ' ' || p->edit[p->edit_len - 1] == '\t'))
		erase_one(p);
	while (p->edit_len && p->edit[p->edit_len - 1] != ' ' && p->edit[p->edit_len - 1] != '\t')
		erase_one(p);
}

/* The edited line becomes readable (with c, its terminator, unless it is an EOF). */
static void commit_line(struct pty *p)
{
	for (unsigned i = 0; i < p->edit_len; i++)
		ring_put(&p->in, p->edit[i]);
	p->lines[(p->line0 + p->nlines++) % (PTY_BUF + 1)] = (uint16_t)p->edit_len;
	p->edit_len = 0;
}

void ldisc_flush(struct pty *p, bool input, bool output)
{
	if (input) {
		p->in.tail = p->in.head;
		p->nlines = 0;
		p->edit_len = 0;
		p->lnext = false;
	}
	if (output)
		p->out.tail = p->out.head;
}

static bool cc_is(const struct pty *p, char c, int i)
{
	return CC(p, i) != 0 && (uint8_t)c == CC(p, i);
}

/* Room for one more input byte: raw mode needs a byte in p->in; canonical mode room in
 * the edit buffer and, to commit it, in p->in (a terminator makes the line). */
static bool input_room(const struct pty *p)
{
	if (!L(p, ICANON))
		return ring_room(&p->in) > 0;
	return p->edit_len + 1 < PTY_BUF && ring_room(&p->in) > p->edit_len && p->nlines < PTY_BUF;
}

size_t ldisc_receive(struct pty *p, const char *buf, size_t len, uint32_t *sigs)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (!input_room(p))
			break;
		if (p->lnext) {
			p->lnext = false;
			goto literal;
		}
		if (I(p, ISTRIP))
			c &= 0x7f;
		if (c == '\r') {
			if (I(p, IGNCR))
				continue;
			if (I(p, ICRNL))
				c = '\n';
		} else if (c == '\n' && I(p, INLCR)) {
			c = '\r';
		}
		if (L(p, ISIG)) {
			int sig = cc_is(p, c, VINTR) ? SIGINT :
				  cc_is(p, c, VQUIT) ? SIGQUIT :
				  cc_is(p, c, VSUSP) ? SIGTSTP :
						       0;

			if (sig) {
				*sigs |= 1u << sig;
				if (!L(p, NOFLSH))
					ldisc_flush(p, true, true);
				if (L(p, ECHO))
					echo_char(p, c);
				continue;
			}
		}
		if (L(p, ICANON)) {
			if (cc_is(p, c, VERASE) || (L(p, IEXTEN) && cc_is(p, c, VWERASE))) {
				do_erase(p, c, !cc_is(p, c, VERASE), false);
				continue;
			}
			if (cc_is(p, c, VKILL)) {
				do_erase(p, c, false, true);
				continue;
			}
			if (L(p, IEXTEN) && cc_is(p, c, VLNEXT)) {
				p->lnext = true;
				if (L(p, ECHO) && L(p, ECHOCTL)) {
					out_char(p, '^');
					out_char(p, '\b');
				}
				continue;
			}
			if (cc_is(p, c, VEOF)) {
				commit_line(p);
				continue;
			}
			if (c == '\n' || cc_is(p, c, VEOL) ||
			    (L(p, IEXTEN) && cc_is(p, c, VEOL2))) {
				if (L(p, ECHO) || (c == '\n' && L(p, ECHONL)))
					echo_char(p, c);
				p->edit[p->edit_len++] = c;
				commit_line(p);
				continue;
			}
		}
literal:
		if (L(p, ECHO))
			echo_char(p, c);
		if (L(p, ICANON))
			p->edit[p->edit_len++] = c;
		else
			ring_put(&p->in, c);
	}
	return i;
}

size_t ldisc_output(struct pty *p, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len && ring_room(&p->out) >= 2; i++)
		out_char(p, buf[i]);
	return i;
}

size_t ldisc_readable(const struct pty *p)
{
	size_t n = 0;

	if (!L(p, ICANON))
		return ring_len(&p->in);
	for (unsigned i = 0; i < p->nlines; i++)
		n += p->lines[(p->line0 + i) % (PTY_BUF + 1)];
	return n;
}

bool ldisc_read_ready(const struct pty *p)
{
	if (L(p, ICANON))
		return p->nlines > 0;
	/* poll says readable for data only, even when VMIN 0 makes a read return 0 */
	return ring_len(&p->in) > 0 && ring_len(&p->in) >= CC(p, VMIN);
}

static size_t ring_take(struct pty_ring *r, char *buf, size_t len)
{
	size_t n = MIN(len, (size_t)ring_len(r));

	for (size_t i = 0; i < n; i++)
		buf[i] = r->buf[r->tail++ % PTY_BUF];
	return n;
}

ssize_t ldisc_read(struct pty *p, char *buf, size_t len, bool nonblock)
{
	size_t n;

	if (L(p, ICANON)) {
		uint16_t *l;

		if (!p->nlines)
			return -EAGAIN;
		l = &p->lines[p->line0];
		n = ring_take(&p->in, buf, MIN(len, (size_t)*l));
		*l -= (uint16_t)n;
		if (*l == 0) {
			p->line0 = (p->line0 + 1) % (PTY_BUF + 1);
			p->nlines--;
		}
		return (ssize_t)n;
	}
	/* VMIN bytes (or as many as asked, if fewer) make a blocking read complete; a
	 * non-blocking one takes what there is */
	if (!ring_len(&p->in))
		return CC(p, VMIN) ? -EAGAIN : 0;
	if (!nonblock && CC(p, VMIN) && ring_len(&p->in) < MIN((size_t)CC(p, VMIN), len))
		return -EAGAIN;
	return (ssize_t)ring_take(&p->in, buf, len);
}

void ldisc_set_termios(struct pty *p, const struct pty_termios *t)
{
	bool was_canon = L(p, ICANON);

	p->termios = *t;
	if (was_canon && !L(p, ICANON)) {
		/* what was typed stays readable, as raw bytes */
		for (unsigned i = 0; i < p->edit_len; i++)
			ring_put(&p->in, p->edit[i]);
		p->edit_len = 0;
		p->nlines = 0;
		p->line0 = 0;
	} else if (!was_canon && L(p, ICANON)) {
		/* raw bytes already queued read as one line */
		p->nlines = 0;
		p->line0 = 0;
		if (ring_len(&p->in))
			p->lines[p->nlines++] = (uint16_t)ring_len(&p->in);
	}
}
