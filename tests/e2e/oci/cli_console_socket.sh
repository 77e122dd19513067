#!/bin/sh
# terminal: true with --console-socket: the runtime connects to the socket and sends the
# pty master with SCM_RIGHTS; the process's output comes out of it, the pty has the
# config's consoleSize. Without --console-socket, create fails; with terminal: false a
# console socket is an error.
. "$(dirname "$0")/oci_lib.sh"

# recv.py SOCK OUT: listens on SOCK (touching SOCK.ready when it does), takes one
# connection, receives the fd, and copies what the fd reads to OUT until a line END (or EOF
# or EIO) - the sandbox may keep the pty's other end open after the process exits.
cat >"$WORK/recv.py" <<'PY'
import array, os, socket, sys
sock_path, out_path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sock_path)
s.listen(1)
open(sock_path + ".ready", "w").close()
c, _ = s.accept()
fds = array.array("i")
msg, anc, flags, addr = c.recvmsg(4096, socket.CMSG_SPACE(4 * fds.itemsize))
for level, typ, data in anc:
    if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
        fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
with open(out_path, "wb") as out:
    if len(fds) != 1:
        out.write(b"FDS:%d\n" % len(fds))
        sys.exit(1)
    out.write(b"ISATTY:%d\n" % os.isatty(fds[0]))
    out.flush()
    got = b""
    while b"END\r\n" not in got and b"END\n" not in got:
        try:
            b = os.read(fds[0], 4096)
        except OSError:
            break
        if not b:
            break
        got += b
    out.write(got)
PY

# receiver NAME: starts recv.py on $WORK/NAME.sock in the background ($RECV_PID), and
# waits until it listens.
receiver() {
	rm -f "$WORK/$1.sock" "$WORK/$1.sock.ready"
	timeout -k 5 30 "$PYTHON" "$WORK/recv.py" "$WORK/$1.sock" "$WORK/$1.pty" &
	RECV_PID=$!
	_i=0
	while [ ! -e "$WORK/$1.sock.ready" ] && [ "$_i" -lt "$WAIT_TRIES" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -e "$WORK/$1.sock.ready" ] || fail "the console socket receiver did not start"
}

# The process prints hi, its tty and the pty size, then END.
B=$(mkbundle tty /bin/sh -c 'echo hi; tty; stty size; echo END')
bundle_edit "$B" 'c["process"]["terminal"] = True; c["process"]["consoleSize"] = {"height": 25, "width": 81}'
ID=$(cid tty)
receiver tty
RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B" --console-socket "$WORK/tty.sock" "$ID"
RT_ERR=$WORK/c.err expect_status 0 "create with terminal: true and --console-socket"
expect_eq 0 "$(cat "$WORK/c.out" "$WORK/c.err" | wc -c)" "bytes create wrote (the process's output goes to the pty)"
rt start "$ID"
expect_status 0 "start"
wait "$RECV_PID"
expect_eq 0 "$?" "status of the console socket receiver"
# the pty turns \n into \r\n
# `tty` names the terminal by finding a node in /dev/pts with its device and inode: the
# sentry has no devpts yet (the terminals issue), so under warden it says "not a tty"
# while isatty, the window size and the output are right.
if [ "$IS_WARDEN" -eq 1 ]; then
	printf 'ISATTY:1\nhi\nnot a tty\n25 81\nEND\n' >"$WORK/want"
else
	printf 'ISATTY:1\nhi\n/dev/pts/0\n25 81\nEND\n' >"$WORK/want"
fi
tr -d '\r' <"$WORK/tty.pty" >"$WORK/got"
cmp -s "$WORK/want" "$WORK/got" || fail "what the pty master read: expected '$(cat "$WORK/want")', got '$(cat "$WORK/got")'"
wait_status "$ID" stopped "after the process exited"

# run --detach with a console socket works the same way
ID=$(cid rund)
receiver rund
rt run --detach --bundle "$B" --console-socket "$WORK/rund.sock" "$ID"
expect_status 0 "run --detach with terminal: true and --console-socket"
wait "$RECV_PID"
expect_eq 0 "$?" "status of the console socket receiver (run -d)"
tr -d '\r' <"$WORK/rund.pty" >"$WORK/got"
cmp -s "$WORK/want" "$WORK/got" || fail "what the pty master read (run -d): expected '$(cat "$WORK/want")', got '$(cat "$WORK/got")'"

# exec --tty --console-socket --detach: the exec'd process gets a pty of its own
B2=$(mkbundle init /bin/wtest init)
ID2=$(cid init)
rt run -d --bundle "$B2" "$ID2"
expect_status 0 "run -d"
receiver exec
rt exec --tty --detach --console-socket "$WORK/exec.sock" "$ID2" sh -c 'echo hi; [ -t 0 ] && [ -t 1 ] && echo tty; echo END'
expect_status 0 "exec --tty --detach --console-socket"
wait "$RECV_PID"
expect_eq 0 "$?" "status of the console socket receiver (exec)"
printf 'ISATTY:1\nhi\ntty\nEND\n' >"$WORK/want"
tr -d '\r' <"$WORK/exec.pty" >"$WORK/got"
cmp -s "$WORK/want" "$WORK/got" || fail "what the exec pty master read: expected '$(cat "$WORK/want")', got '$(cat "$WORK/got")'"

# terminal: true without --console-socket: create (which detaches) cannot allocate a tty
ID=$(cid nosock)
RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B" "$ID"
RT_ERR=$WORK/c.err expect_fail "create with terminal: true and no --console-socket"
expect_grep "$WORK/c.err" "console socket" "create with terminal: true and no --console-socket: message"
expect_gone "$ID" "failed create (terminal without console socket)"
rt run -d --bundle "$B" "$ID"
expect_fail "run -d with terminal: true and no --console-socket"
expect_gone "$ID" "failed run -d (terminal without console socket)"

# a console socket that does not exist
ID=$(cid missing)
RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B" --console-socket "$WORK/missing.sock" "$ID"
RT_ERR=$WORK/c.err expect_fail "create with a --console-socket that does not exist"
expect_grep "$WORK/c.err" "missing.sock" "create with a missing console socket: message names it"
expect_gone "$ID" "failed create (missing console socket)"

# --console-socket with terminal: false is an error (checked before connecting)
B3=$(mkbundle notty /bin/echo hi)
ID=$(cid notty)
RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B3" --console-socket "$WORK/missing.sock" "$ID"
RT_ERR=$WORK/c.err expect_fail "create with --console-socket and terminal: false"
expect_grep "$WORK/c.err" "console socket" "create with --console-socket and terminal: false: message"
expect_gone "$ID" "failed create (console socket without terminal)"
finish
