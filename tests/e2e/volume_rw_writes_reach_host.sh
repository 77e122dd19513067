#!/bin/sh
# --volume HOST:GUEST (and :rw) mounts HOST read-write through a gofer without --ro: files the
# guest creates, appends to, renames, chmods, removes and stores to through a MAP_SHARED
# mapping are on the host afterwards. ':ro' stays read-only.
. "$(dirname "$0")/lib.sh"

host=$(mktemp -d /tmp/warden-e2e-vol.XXXXXX) || exit 1
trap 'rm -rf "$WORK" "$host"' EXIT
printf 'pre\n' >"$host/pre"
printf 'bye\n' >"$host/gone"
printf '0123456789abcdef' >"$host/mapped"

sandbox --volume "$host:/tmp/vol" -- /bin/busybox sh -c '
	echo hello > /tmp/vol/new &&
	mkdir /tmp/vol/d && echo x > /tmp/vol/d/f && mv /tmp/vol/d/f /tmp/vol/d/g &&
	echo app >> /tmp/vol/pre && rm /tmp/vol/gone && chmod 600 /tmp/vol/new && cat /tmp/vol/new'
expect_status 0 "guest writes to a read-write volume"
printf 'hello\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "guest reads back its file"
[ "$(cat "$host/new" 2>/dev/null)" = hello ] || fail "the guest's new file is not on the host"
[ "$(cat "$host/d/g" 2>/dev/null)" = x ] || fail "the guest's renamed file is not on the host"
[ -e "$host/d/f" ] && fail "the rename left the old name on the host"
printf 'pre\napp\n' >"$WORK/want"
expect_same_file "$WORK/want" "$host/pre" "append through the volume"
[ -e "$host/gone" ] && fail "the guest's rm did not reach the host"
[ "$(stat -c %a "$host/new" 2>/dev/null)" = 600 ] || fail "chmod 600 did not reach the host"

# A store through a shared mapping reaches the host file: after msync, and after munmap
# while the file is still open. /tmp/vol2 is the same host directory through a second gofer
# (no shared page cache), so what it reads is what the host has.
sandbox --volume "$host:/tmp/vol:rw" --volume "$host:/tmp/vol2:ro" -- /usr/bin/python3 -c '
import mmap
def host():
    with open("/tmp/vol2/mapped", "rb") as g:
        return g.read().decode()
with open("/tmp/vol/mapped", "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    m[0:4] = b"SYNC"
    m.flush()
    print(host())
    m[8:12] = b"UNMP"
    m.close()
    print(host())
with open("/tmp/vol/mapped", "rb") as f:
    print(f.read().decode())
'
expect_status 0 "python mmap stores on a volume"
printf 'SYNC456789abcdef\nSYNC4567UNMPcdef\nSYNC4567UNMPcdef\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "the guest reads its stores back"
printf 'SYNC4567UNMPcdef' >"$WORK/want"
expect_same_file "$WORK/want" "$host/mapped" "mapped stores on the host"

# ':ro' is still read-only, and the host keeps its file.
sandbox --volume "$host:/tmp/vol:ro" -- /bin/busybox sh -c 'cat /tmp/vol/new; echo y > /tmp/vol/new'
[ "$STATUS" -ne 0 ] || fail "writing a :ro volume succeeded"
grep -q 'Read-only file system' "$WORK/err" || { fail "no 'Read-only file system' for :ro"; show; }
[ "$(cat "$host/new")" = hello ] || fail "a :ro volume's file changed on the host"

w do --volume "$host:/tmp/vol:rx" -- /bin/true
expect_status 2 "an unknown volume mode"
finish
