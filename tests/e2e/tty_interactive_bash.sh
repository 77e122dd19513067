#!/bin/sh
# `warden do -t -- /bin/bash` on a terminal (a detached tmux pane): a prompt, commands and
# their output, the window size and its changes, Ctrl-C ending `sleep 100`, job control
# (`sleep 100 &`, fg, Ctrl-Z, bg, jobs), busybox vi opening and quitting, exit; and the
# host terminal's settings are the same afterwards (stty -g). Every wait polls the pane
# for the text it needs, bounded at 20 s: nothing depends on timing.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "SKIP: no tmux"; exit 77; }
[ -x /bin/bash ] || { echo "SKIP: no /bin/bash"; exit 77; }

SOCK="warden-e2e-tty-$$"
S=tty
T="tmux -L $SOCK"
trap '$T kill-server 2>/dev/null; rm -rf "$WORK"' EXIT

# The pane runs this: the host terminal's settings around the sandboxed shell.
cat >"$WORK/run.sh" <<EOF
stty -g >"$WORK/before"
PS1='W> ' timeout --foreground -k 5 100 "$WARDEN" do -t -- /bin/bash --norc --noprofile
echo "\$?" >"$WORK/status"
stty -g >"$WORK/after"
echo PANE-DONE
exec sleep 100
EOF

pane() {
	$T capture-pane -p -t "$S" 2>/dev/null
}

# wait_line PATTERN WHAT: until a line of the pane matches the grep -E PATTERN.
wait_line() {
	i=0
	while [ $i -lt 100 ]; do
		pane | grep -Eq -- "$1" && return 0
		sleep 0.2
		i=$((i + 1))
	done
	fail "$2: no line matching '$1' within 20 s"
	echo "--- pane:"
	pane
	echo "---"
	return 1
}

# wait_last PATTERN WHAT: until the pane's last non-empty line matches PATTERN.
wait_last() {
	i=0
	while [ $i -lt 100 ]; do
		pane | grep -v '^$' | tail -n 1 | grep -Eq -- "$1" && return 0
		sleep 0.2
		i=$((i + 1))
	done
	fail "$2: the last line does not match '$1' within 20 s"
	pane
	return 1
}

keys() {
	$T send-keys -t "$S" "$@"
}

$T new-session -d -s "$S" -x 100 -y 30 "sh $WORK/run.sh" || { echo "SKIP: tmux cannot start"; exit 77; }
$T set-option -g window-size manual >/dev/null 2>&1

wait_line '^W>' "the first prompt" || { finish; exit 1; }

keys 'echo hi' Enter
wait_line '^hi$' "echo hi"

keys 'ls /dev/pts' Enter
wait_line 'ptmx' "ls /dev/pts"

keys 'stty size' Enter
wait_line '^30 100$' "the window size inside"
$T resize-window -t "$S" -x 120 -y 40 >/dev/null 2>&1
keys 'stty size' Enter
wait_line '^40 120$' "the window size after a resize (SIGWINCH)"

# The job prints once it runs in the foreground, so Ctrl-C goes to it, not to bash.
keys "sh -c 'echo sleep''ing; exec sleep 100'" Enter
wait_line '^sleeping$' "sleep 100 started"
keys C-c
wait_last '^W>$' "a prompt after Ctrl-C"
keys 'echo after-$((6*7))' Enter
wait_line '^after-42$' "a command after Ctrl-C"

keys 'sleep 100 &' Enter
wait_line '^\[1\] [0-9]+$' "sleep 100 & in the background"
keys 'fg' Enter
wait_line '^sleep 100$' "fg"
# fg prints the job before it hands it the terminal: Ctrl-Z again until it stops
i=0
while [ $i -lt 20 ] && ! pane | grep -Eq 'Stopped +sleep 100'; do
	keys C-z
	sleep 1
	i=$((i + 1))
done
wait_line 'Stopped +sleep 100' "Ctrl-Z stops it"
keys 'bg' Enter
wait_line '^\[1\]\+ sleep 100 &$' "bg"
keys 'jobs' Enter
wait_line 'Running +sleep 100 &' "jobs shows it running"

if busybox --list 2>/dev/null | grep -qx vi; then
	keys 'busybox vi vi.txt' Enter
	wait_line '^~ *$' "vi opens"
	keys ':q' Enter
	keys 'echo vi-$((40+2))' Enter
	wait_line '^vi-42$' "a prompt after vi quits"
fi

keys 'kill %1; exit' Enter
wait_line '^PANE-DONE$' "the shell exits"

if [ "$(cat "$WORK/status" 2>/dev/null)" != 0 ]; then
	fail "warden do -t exited $(cat "$WORK/status" 2>/dev/null), expected 0"
fi
if [ ! -s "$WORK/before" ] || ! cmp -s "$WORK/before" "$WORK/after"; then
	fail "the host terminal changed: stty -g before '$(cat "$WORK/before")'," \
		"after '$(cat "$WORK/after" 2>/dev/null)'"
fi
finish
