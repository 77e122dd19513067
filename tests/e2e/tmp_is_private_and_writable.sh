#!/bin/sh
# The guest's /tmp is a private writable tmpfs: it does not see the host's /tmp files, can
# write and read back its own, and they do not appear on the host.
. "$(dirname "$0")/lib.sh"

marker=$(mktemp /tmp/warden-e2e-host.XXXXXX)
guest="/tmp/warden-e2e-guest.$$"
trap 'rm -rf "$WORK" "$marker" "$guest"' EXIT
sandbox -- /bin/busybox sh -c "test -e $marker && echo host-tmp-visible; echo data > $guest && read v < $guest && echo \$v"
expect_status 0 "guest shell writing /tmp"
printf 'data\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "guest /tmp round trip"
[ -e "$guest" ] && fail "the guest's /tmp file appeared on the host"
finish
