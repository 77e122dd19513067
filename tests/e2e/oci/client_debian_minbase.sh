#!/bin/sh
# `RUNTIME run` of a Debian bookworm minbase rootfs: apt-get --version and dpkg -l work in it.
# The rootfs is made once by debootstrap into ${WARDEN_CACHE:-/var/cache/warden}/
# debian-minbase-bookworm (under a lock, so parallel runs wait for one debootstrap; a marker
# file says it finished) and is used read-only: the test checks nothing in it changed.
# The mirror is ${WARDEN_DEBIAN_MIRROR:-http://deb.debian.org/debian}; skipped (77) when it
# cannot be reached and there is no cached rootfs yet.
. "$(dirname "$0")/clients_lib.sh"
need_cmd flock

CACHE_DIR=${WARDEN_CACHE:-/var/cache/warden}
ROOT=$CACHE_DIR/debian-minbase-bookworm
MARKER=$ROOT/.warden-debootstrap-complete
MIRROR=${WARDEN_DEBIAN_MIRROR:-http://deb.debian.org/debian}

# mirror_reachable: the suite's Release file can be fetched (20 s bound)
mirror_reachable() {
	url=$MIRROR/dists/bookworm/Release
	if command -v curl >/dev/null 2>&1; then
		timeout 20 curl -fsS -o /dev/null "$url"
	elif command -v wget >/dev/null 2>&1; then
		timeout 20 wget -q -O /dev/null "$url"
	else
		timeout 20 python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=15).read()' "$url"
	fi
}

# make_rootfs: debootstrap into a scratch dir next to the cache, renamed into place when
# complete, so an interrupted run never leaves a half rootfs that looks finished
make_rootfs() {
	need_cmd debootstrap
	if ! mirror_reachable >/dev/null 2>&1; then
		skip "the Debian mirror $MIRROR is unreachable (no network?) and $ROOT is not cached yet"
	fi
	scratch=$CACHE_DIR/.debootstrap.$$
	rm -rf --one-file-system "$scratch"
	echo "debootstrap --variant=minbase bookworm $ROOT from $MIRROR (once; cached)"
	if ! timeout -k 10 1200 debootstrap --variant=minbase bookworm "$scratch" "$MIRROR" \
		>"$WT_TMP/debootstrap.log" 2>&1; then
		echo "FAIL: debootstrap failed (last lines of its log):"
		tail -20 "$WT_TMP/debootstrap.log"
		tail -20 "$scratch/debootstrap/debootstrap.log" 2>/dev/null
		rm -rf --one-file-system "$scratch"
		exit 1
	fi
	rm -rf --one-file-system "$ROOT"
	mv "$scratch" "$ROOT" && touch "$MARKER"
}

mkdir -p "$CACHE_DIR" || exit 1
exec 9>"$CACHE_DIR/debian-minbase-bookworm.lock"
if ! flock -w 1500 9; then
	echo "FAIL: could not lock $CACHE_DIR/debian-minbase-bookworm.lock within 25 minutes"
	exit 1
fi
[ -f "$MARKER" ] || make_rootfs
# the rootfs is only read from here on: others may use it at the same time
flock -u 9
exec 9>&-

# the bundle: the runtime's own default spec, with our command, no terminal, the cached
# rootfs by absolute path and read-only (never written: the checks below would see it)
B=$WT_TMP/bundle
mkdir -p "$B"
if ! (cd "$B" && timeout 30 "$RUNTIME" spec); then
	echo "FAIL: '$RUNTIME spec' failed"
	exit 1
fi
cmd='apt-get --version | head -1; dpkg -l | wc -l'
sed -i -e "0,/\"sh\"/s//\"sh\", \"-c\", \"$cmd\"/" \
	-e 's/"terminal":\( *\)true/"terminal":\1false/' \
	-e "s|\"path\":\( *\)\"rootfs\"|\"path\":\1\"$ROOT\"|" "$B/config.json"
for want in "\"$cmd\"" '"terminal": *false' "\"path\": *\"$ROOT\"" '"readonly": *true'; do
	if ! grep -q -- "$want" "$B/config.json"; then
		echo "FAIL: could not make the bundle's config.json (no $want in it):"
		cat "$B/config.json"
		exit 1
	fi
done

id=wt-debian-$$
at_exit delete_container
delete_container() {
	timeout 30 "$RUNTIME" delete --force "$id" >/dev/null 2>&1
	return 0
}
run_to 120 "$RUNTIME" run --bundle "$B" "$id" </dev/null >"$WT_TMP/out" 2>"$WT_TMP/err"
rc=$?
expect_eq "'$RUNTIME run' of the Debian rootfs: exit status" "$rc" 0
[ "$rc" -eq 0 ] || cat "$WT_TMP/err"
set -- $(cat "$WT_TMP/out")
# apt 2.6.1 (amd64)
case "$1 $2" in
"apt 2.6."*) ;;
*) fail "apt-get --version printed '$(head -1 "$WT_TMP/out")', expected 'apt 2.6...'" ;;
esac
count=$4
case "$count" in
"" | *[!0-9]*) fail "dpkg -l | wc -l printed '$count'" ;;
*) [ "$count" -gt 50 ] || fail "dpkg -l lists $count lines, expected more than 50" ;;
esac

# `run` deletes the container once its process exits: no state, no cgroup
if timeout 30 "$RUNTIME" list -q 2>/dev/null | grep -qxF "$id"; then
	fail "'$RUNTIME run' left container $id in its state after the process exited"
fi
left=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "$id" 2>/dev/null | head -3)
expect_eq "cgroups of container $id after its run" "$left" ""
changed=$(find "$ROOT" -xdev -newer "$MARKER" 2>/dev/null | head -5)
expect_eq "files of the cached rootfs changed by the run" "$changed" ""
sed "s/^/  container: /" "$WT_TMP/out"
finish
