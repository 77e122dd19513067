#!/bin/sh
# /dev/null, /dev/zero, /dev/full, /dev/random and /dev/urandom behave as on the host.
. "$(dirname "$0")/lib.sh"

sandbox -- /bin/busybox od -An -tx1 -N16 /dev/zero
expect_status 0 "od /dev/zero"
/bin/busybox od -An -tx1 -N16 /dev/zero >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "od of /dev/zero"

sandbox -- /bin/busybox cat /dev/null
expect_status 0 "cat /dev/null"
[ -s "$WORK/out" ] && fail "cat /dev/null printed something"

for dev in /dev/urandom /dev/random; do
	sandbox -- /bin/busybox od -An -tx1 -N16 $dev
	expect_status 0 "od $dev"
	n=$(wc -w <"$WORK/out")
	[ "$n" -eq 16 ] || { fail "od $dev printed $n bytes, expected 16"; show; }
done

sandbox -- /bin/busybox sh -c 'echo x > /dev/full'
[ "$STATUS" -ne 0 ] || fail "writing /dev/full succeeded"
grep -q 'No space left on device' "$WORK/err" || { fail "no ENOSPC message for /dev/full"; show; }
finish
