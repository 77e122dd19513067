#!/bin/sh
# The guest sees the host root read-only: writing a host file fails with EROFS ("Read-only
# file system") and nothing appears on the host.
. "$(dirname "$0")/lib.sh"

probe="/etc/warden-e2e-probe.$$"
sandbox -- /bin/busybox sh -c "echo x > $probe"
[ "$STATUS" -ne 0 ] || fail "writing $probe in the guest succeeded"
grep -q 'Read-only file system' "$WORK/err" || { fail "no 'Read-only file system' message"; show; }
if [ -e "$probe" ]; then
	fail "the guest created $probe on the host"
	rm -f "$probe"
fi
sandbox -- /bin/busybox mkdir "$WORK/guest-dir"
[ "$STATUS" -ne 0 ] || fail "mkdir in the build tree succeeded in the guest"
[ -e "$WORK/guest-dir" ] && fail "the guest created a directory on the host"
finish
