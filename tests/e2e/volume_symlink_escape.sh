#!/bin/sh
# Symlinks never lead a volume's gofer out of the volume. A symlink is resolved by the sentry
# in the sandbox's own namespace: absolute targets name the sandbox's files, relative ones
# that climb out of the volume land in the sandbox's tree above the mountpoint, never in the
# host directory around the volume. Checked with a host file the sandbox cannot otherwise
# see (it sits in the host's /tmp, the sandbox has a private one), for symlinks made on the
# host and by the guest (the `ln -s /etc/shadow` acceptance case).
. "$(dirname "$0")/lib.sh"

base=$(mktemp -d /tmp/warden-e2e-esc.XXXXXX) || exit 1
trap 'rm -rf "$WORK" "$base"' EXIT
mkdir "$base/vol"
printf 'HOSTSECRET\n' >"$base/secret"
ln -s "$base/secret" "$base/vol/abs"
ln -s ../secret "$base/vol/rel"
ln -s ../../../../../../../../../.."$base/secret" "$base/vol/deep"
mkdir "$base/vol/sub"
ln -s "$base" "$base/vol/sub/dirlink"

sandbox --volume "$base/vol:/tmp/vol" -- /bin/busybox sh -c '
	for f in abs rel deep sub/dirlink/secret; do cat /tmp/vol/$f 2>/dev/null; done
	cd /tmp/vol/sub/dirlink 2>/dev/null && cat secret 2>/dev/null
	echo done'
expect_status 0 "reading host-made symlinks in the volume"
grep -q HOSTSECRET "$WORK/out" && { fail "a host symlink led outside the volume"; show; }
grep -q done "$WORK/out" || { fail "the guest script did not finish"; show; }

# Guest-made symlinks: absolute to a host path outside the volume, and relative ones climbing
# out of it. Each resolves in the sandbox (where $base is not there) or stays inside.
sandbox --volume "$base/vol:/tmp/vol" -- /bin/busybox sh -c "
	ln -s $base/secret /tmp/vol/g_abs && ln -s ../secret /tmp/vol/g_rel &&
	ln -s ../../../../../../../..$base/secret /tmp/vol/g_deep &&
	ln -s /etc/shadow /tmp/vol/g_shadow &&
	for f in g_abs g_rel g_deep; do cat /tmp/vol/\$f 2>/dev/null; done
	cmp /tmp/vol/g_shadow /etc/shadow && echo same-as-sandbox-shadow
	echo done"
expect_status 0 "guest symlinks in the volume"
grep -q HOSTSECRET "$WORK/out" && { fail "a guest symlink led outside the volume"; show; }
grep -q same-as-sandbox-shadow "$WORK/out" ||
	{ fail "/tmp/vol/g_shadow is not the sandbox's own /etc/shadow"; show; }
[ "$(readlink "$base/vol/g_shadow")" = /etc/shadow ] ||
	fail "the guest's symlink is not a plain symlink to /etc/shadow on the host"
[ "$(readlink "$base/vol/g_abs")" = "$base/secret" ] || fail "g_abs is not on the host as made"

# The acceptance case: a symlink made in the sandbox's /tmp, read through a volume.
sandbox --volume "$base/vol:/tmp/vol" -- /bin/busybox sh -c "
	ln -s $base/secret /tmp/x && cat /tmp/x 2>/dev/null; ln -s /tmp/x /tmp/vol/via && cat /tmp/vol/via 2>/dev/null; echo done"
grep -q HOSTSECRET "$WORK/out" && { fail "/tmp/x read through the volume left it"; show; }
finish
