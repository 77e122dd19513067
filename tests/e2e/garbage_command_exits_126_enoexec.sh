#!/bin/sh
# An executable file of random bytes as the command: warden exits 126 and says
# "Exec format error" (execve's ENOEXEC), instead of running it some other way.
. "$(dirname "$0")/lib.sh"

bin="$WORK/garbage"
# A fixed non-ELF, non-#! start, then random bytes.
{ printf 'GARBAGE\001\002'; head -c 4096 /dev/urandom; } >"$bin"
chmod +x "$bin"
sandbox -- "$bin"
expect_status 126 "warden do -- <random bytes>"
grep -q 'Exec format error' "$WORK/err" || { fail "no 'Exec format error' on stderr"; show; }
finish
