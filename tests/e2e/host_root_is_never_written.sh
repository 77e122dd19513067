#!/bin/sh
# The guest's root is an overlay: writing a host file or making a directory succeeds in the
# guest (which reads back what it wrote) and nothing appears on the host.
. "$(dirname "$0")/lib.sh"

probe="/etc/warden-e2e-probe.$$"
sandbox -- /bin/busybox sh -c "echo x > $probe && cat $probe"
expect_status 0 "writing $probe in the guest"
[ "$(cat "$WORK/out")" = x ] || { fail "the guest did not read back $probe"; show; }
if [ -e "$probe" ]; then
	fail "the guest created $probe on the host"
	rm -f "$probe"
fi
sandbox -- /bin/busybox mkdir "$WORK/guest-dir"
# a build tree under /tmp is a read-only volume: there the mkdir fails instead
if [ -z "$VOLUME" ]; then
	expect_status 0 "mkdir in the build tree in the guest"
else
	[ "$STATUS" -ne 0 ] || fail "mkdir in a read-only volume succeeded"
fi
[ -e "$WORK/guest-dir" ] && fail "the guest created a directory on the host"
finish
