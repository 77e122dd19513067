#!/bin/sh
# `warden do --strace -- /bin/busybox true` logs the guest's syscalls on stderr, one line
# each, ending with exit_group(0); every syscall the host's strace sees for the same program
# (when strace is installed; a fixed list otherwise) appears by name.
. "$(dirname "$0")/lib.sh"

sandbox --strace -- /bin/busybox true
expect_status 0 "warden do --strace -- /bin/busybox true"
[ -s "$WORK/out" ] && fail "busybox true printed on stdout: strace lines belong on stderr"
grep -q 'exit_group(0)' "$WORK/err" || { fail "no exit_group(0) line on stderr"; show; }
lines=$(grep -cE '[a-z_][a-z0-9_]*\(.*\)' "$WORK/err")
[ "$lines" -ge 2 ] || { fail "only $lines syscall-like lines on stderr"; show; }
grep -qE '[a-z_][a-z0-9_]*\(.*\) += ' "$WORK/err" ||
	{ fail "no line shows a syscall result ('name(args) = value')"; show; }

if command -v strace >/dev/null 2>&1; then
	names=$(strace -qq /bin/busybox true 2>&1 >/dev/null |
		sed -n 's/^\([a-z_][a-z0-9_]*\)(.*/\1/p' | grep -vx execve | sort -u)
	source="the host's strace"
else
	names="brk arch_prctl getuid exit_group"
	source="a fixed list (strace not installed)"
fi
for n in $names; do
	grep -qE "(^|[^a-z0-9_])$n\(" "$WORK/err" || fail "syscall $n (from $source) not logged"
done
[ "$FAILED" -eq 0 ] || show
finish
