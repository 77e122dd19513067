/*
 * `warden do -t`: init's stdio is the replica of a pty inside the sandbox (its
 * controlling terminal), and a sentry thread relays the host terminal to the master:
 * host stdin -> master, master -> host stdout, the host's window size (SIGWINCH) ->
 * TIOCSWINSZ. The host terminal is in raw mode meanwhile (the guest's line discipline
 * does the cooking) and gets its settings back at the end, also when the sentry dies:
 * a small guardian process restores them once the sentry's end of a pipe closes. A
 * hangup of the host terminal (SIGHUP, end of file) hangs up the pty: the shell gets
 * SIGHUP and the sandbox ends as it would on a closed terminal emulator.
 */
#ifndef SENTRY_TTY_RELAY_H
#define SENTRY_TTY_RELAY_H

struct task;
struct tty_relay;

/*
 * Gives init (loaded, not started) a new pty as fds 0-2 and controlling terminal, puts
 * the host terminal on fd 0 in raw mode and starts relaying. Call before the sentry's
 * seccomp filter goes on. -ENOTTY when fd 0 is not a terminal (nothing changed).
 */
int tty_relay_start(struct task *init, struct tty_relay **out);
/* Once init has exited: relays the last output, stops, restores the host terminal. */
void tty_relay_stop(struct tty_relay *r);

#endif
