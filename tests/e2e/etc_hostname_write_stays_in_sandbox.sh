#!/bin/sh
# Issue 4 acceptance: the root is an overlay whose writes stay in the sandbox. Writing
# /etc/hostname works and reads back in the guest, removing it hides it in the guest, and
# the host's file is the same before and after.
. "$(dirname "$0")/lib.sh"

[ -f /etc/hostname ] || { echo "SKIP: the host has no /etc/hostname: NOT TESTED"; exit 77; }
cp -p /etc/hostname "$WORK/hostname.before"
ls -l --time-style=full-iso /etc/hostname >"$WORK/ls.before"

sandbox -- /bin/sh -c 'echo x > /etc/hostname; cat /etc/hostname'
expect_status 0 "echo x > /etc/hostname; cat /etc/hostname"
printf 'x\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "the guest's /etc/hostname after writing it"

sandbox -- /bin/sh -c 'rm /etc/hostname; ls /etc/hostname'
[ "$STATUS" -ne 0 ] || { fail "ls /etc/hostname after rm succeeded in the guest"; show; }
grep -q 'No such file' "$WORK/err" || { fail "ls did not say 'No such file'"; show; }

# both writes were in separate sandboxes: each starts from the host's file
sandbox -- /bin/cat /etc/hostname
expect_status 0 "cat /etc/hostname in a fresh sandbox"
expect_same_file /etc/hostname "$WORK/out" "a fresh sandbox's /etc/hostname"

cmp -s /etc/hostname "$WORK/hostname.before" || fail "the host's /etc/hostname changed"
ls -l --time-style=full-iso /etc/hostname >"$WORK/ls.after"
expect_same_file "$WORK/ls.before" "$WORK/ls.after" "the host's /etc/hostname metadata"
finish
