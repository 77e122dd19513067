#!/bin/sh
# Issue 4 acceptance: the host's strace -f of `warden do` shows no path-based file syscall
# by the sentry once start-up is over, while the guest reads files, lists a directory and
# follows symlinks (/bin is one on Debian 12; awk is one through /etc/alternatives).
#
# Who is who in the trace: the traced command is the CLI, which becomes the sentry (same
# process: its threads are the sentry's). A process that execs `warden gofer`, and every
# thread or child it makes, is a gofer: it is meant to open host files. Stub processes are
# cloned with CLONE_UNTRACED, so strace cannot take them from the sentry, and never appear.
# Start-up ends when a sentry thread's seccomp filter install succeeds; after it, any
# %file syscall by a sentry thread fails the test - a denied one (the filter answers open
# and openat with EACCES) too - except fd-based forms: ("", AT_EMPTY_PATH).
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null 2>&1 || { echo "SKIP: strace is not installed: NOT TESTED"; exit 77; }

log="$WORK/strace.log"
timeout -k 5 120 strace -f -qq -e trace=%file,clone,clone3,fork,vfork,seccomp,prctl -o "$log" \
	"$WARDEN" do $VOLUME -- /bin/sh -c \
	'cat /etc/os-release >/dev/null; ls / >/dev/null; ls -lL /bin/sh /usr/bin/awk >/dev/null' \
	</dev/null >"$WORK/out" 2>"$WORK/err"
STATUS=$?
expect_status 0 "warden do under strace -f"
[ -s "$log" ] || { fail "strace wrote no log"; finish; }

# The whole log first: gofer pids (those that exec `warden gofer`, closed over their
# clones) and the line of the first successful filter install by a non-gofer pid.
# Then every %file syscall by a non-gofer pid after that line.
awk -v out="$WORK/verdict" '
# record(I): notes what joined line I says about the process tree.
function record(i,    l, pid) {
	l = lines[i]
	pid = l + 0
	if (l ~ /^[0-9]+ +execve\(/ && l ~ /\["[^"]*", "gofer"/)
		gofer[pid] = 1
	if (l ~ /^[0-9]+ +(clone|clone3|fork|vfork)\(/ && match(l, /= [0-9]+$/))
		parent[substr(l, RSTART + 2) + 0] = pid
}
# strace splits a call another tracee interrupts into "... <unfinished ...>" and
# "PID <... NAME resumed>...": join the two at the place of the first (the entry).
/ <unfinished \.\.\.>$/ {
	n++
	pending[$1 + 0] = n
	lines[n] = substr($0, 1, length($0) - length(" <unfinished ...>"))
	next
}
/^[0-9]+ +<\.\.\. [a-z0-9_]+ resumed>/ {
	pid = $1 + 0
	if (pid in pending) {
		j = pending[pid]
		delete pending[pid]
		rest = $0
		sub(/^[0-9]+ +<\.\.\. [a-z0-9_]+ resumed>/, "", rest)
		lines[j] = lines[j] rest
		record(j)
	}
	next
}
{
	n++
	lines[n] = $0
	record(n)
	next
}
END {
	do {
		changed = 0
		for (c in parent)
			if (!(c in gofer) && (parent[c] in gofer)) {
				gofer[c] = 1
				changed = 1
			}
	} while (changed)
	marker = 0
	for (i = 1; i <= n && !marker; i++) {
		split(lines[i], f, " ")
		if ((f[1] + 0) in gofer)
			continue
		if (lines[i] ~ /^[0-9]+ +(seccomp\(SECCOMP_SET_MODE_FILTER|prctl\(PR_SET_SECCOMP, SECCOMP_MODE_FILTER), .*\{len=/ &&
		    lines[i] ~ /= 0$/)
			marker = i
	}
	ngofer = 0
	for (p in gofer)
		ngofer++
	gofer_read = 0
	before = 0
	bad = 0
	for (i = 1; i <= n; i++) {
		l = lines[i]
		split(l, f, " ")
		p = f[1] + 0
		if (p in gofer) {
			if (l ~ /"os-release"/)
				gofer_read = 1
			continue
		}
		if (l ~ /^[0-9]+ +(---|\+\+\+)/)
			continue
		if (l ~ /^[0-9]+ +(clone|clone3|fork|vfork|seccomp|prctl)\(/)
			continue
		if (l ~ /\(([^,]*, )?"", / && l ~ /AT_EMPTY_PATH/)
			continue
		if (!marker || i < marker) {
			before++
			continue
		}
		print "sentry file syscall after start-up: " l
		bad++
	}
	printf "gofer pids: %d; filter installed at log line %d; sentry file syscalls during start-up: %d, after: %d\n", ngofer, marker, before, bad
	printf "%d %d %d %d\n", ngofer, marker, gofer_read, bad > out
}' "$log"

read -r ngofer marker gofer_read bad <"$WORK/verdict" || { fail "no verdict"; finish; }
[ "$ngofer" -ge 1 ] || fail "no 'warden gofer' process in the trace"
[ "$marker" -gt 0 ] || fail "the sentry never installed its seccomp filter (no marker)"
[ "$gofer_read" -eq 1 ] || fail "no gofer opened os-release: did the guest read through another path?"
[ "$bad" -eq 0 ] || fail "$bad path-based file syscalls by the sentry after start-up (above)"
[ "$FAILED" -eq 0 ] || { echo "--- strace log (first 80 lines):"; head -n 80 "$log"; show; }
finish
