#!/bin/sh
# Directories under /usr and /etc in the overlay root: mkdir, rename and rmdir of new ones,
# rename of a host directory with content (its subtree is copied up), rm -rf of a host
# directory and a new one in its place (opaque: the host's entries stay hidden). The host
# tree is the same afterwards.
. "$(dirname "$0")/lib.sh"

# a host directory with a few regular files and no subdirectories, to move around
src=
for d in /usr/share/doc/*/; do
	d=${d%/}
	n=$(find "$d" -mindepth 1 | wc -l)
	if [ "$n" -ge 2 ] && [ "$n" -le 20 ] && [ -z "$(find "$d" -mindepth 1 ! -type f)" ]; then
		src=$d
		break
	fi
done
[ -n "$src" ] || { echo "SKIP: no small directory under /usr/share/doc: NOT TESTED"; exit 77; }
snapshot() {
	find "$src" /etc/default -printf '%p %y %m %s %T@\n' | sort
	ls -la /usr /etc
}
snapshot >"$WORK/before"
(cd "$src" && ls -a) >"$WORK/want-list"

cat >"$WORK/script" <<SCRIPT
set -e
mkdir /usr/warden-new /etc/warden-new
echo data > /usr/warden-new/f
mv /usr/warden-new /etc/warden-moved
cat /etc/warden-moved/f
test ! -e /usr/warden-new
rm /etc/warden-moved/f
rmdir /etc/warden-moved /etc/warden-new
test ! -e /etc/warden-moved
mv "$src" /usr/share/warden-moved
test ! -e "$src"
(cd /usr/share/warden-moved && ls -a) > /tmp/moved-list
cat /tmp/moved-list
rm -rf /usr/share/warden-moved
test ! -e /usr/share/warden-moved
rm -rf /etc/default
mkdir /etc/default
ls -A /etc/default | wc -l
SCRIPT
sandbox -- /bin/sh "$WORK/script"
expect_status 0 "the directory script"
{
	echo data
	cat "$WORK/want-list"
	echo 0
} >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "what the script printed"

snapshot >"$WORK/after"
expect_same_file "$WORK/before" "$WORK/after" "the host's directories"
[ -e /usr/warden-new ] || [ -e /etc/warden-moved ] || [ -e /usr/share/warden-moved ] &&
	fail "a directory made in the sandbox appeared on the host"
finish
