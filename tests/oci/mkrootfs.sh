#!/bin/sh
# tests/oci/mkrootfs.sh DIR WTEST: makes a small container rootfs in DIR from the host's
# busybox-static (Debian package busybox-static: /bin/busybox) and the static test helper
# WTEST, with an applet symlink for each busybox command and each wtest verb. Idempotent:
# a finished rootfs (DIR/.complete) is left alone unless WTEST is newer.
set -eu
dir=$1
wtest=$2
if [ -f "$dir/.complete" ] && [ ! "$wtest" -nt "$dir/.complete" ]; then
	exit 0
fi
# busybox-static installs /bin/busybox; a dynamic one would not run in this rootfs
busybox=/bin/busybox
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
	echo "mkrootfs: $busybox missing or not static (install busybox-static)" >&2
	exit 1
fi
rm -rf "$dir"
mkdir -p "$dir/bin" "$dir/sbin" "$dir/usr/bin" "$dir/etc" "$dir/proc" "$dir/sys" \
	"$dir/dev" "$dir/tmp" "$dir/root" "$dir/var/tmp"
chmod 1777 "$dir/tmp" "$dir/var/tmp"
cp "$busybox" "$dir/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
done
cp "$wtest" "$dir/bin/wtest"
for verb in init getpid pids ids cwd rlimit hostname uname-r; do
	ln -sf wtest "$dir/bin/w$verb"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir/etc/passwd"
printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' >"$dir/etc/group"
echo rootfs >"$dir/etc/hostname"
touch "$dir/.complete"
