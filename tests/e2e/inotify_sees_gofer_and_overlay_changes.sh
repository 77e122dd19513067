#!/bin/sh
# Issue 6: inotify events come from the sentry's VFS whatever the filesystem: the inotify
# syscall test passes with /tmp on a gofer-served volume (not tmpfs), and a watch on the
# overlay root's /etc sees a new file, a copied-up write, a rename and an unlink.
. "$(dirname "$0")/lib.sh"

BIN="$PWD/../syscalls/bin/syscall_inotify"
[ -x "$BIN" ] || { echo "SKIP: $BIN is not built"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "SKIP: no /usr/bin/python3"; exit 77; }

mkdir "$WORK/vol"
cp "$BIN" "$WORK/vol/syscall_inotify"
w do "--volume=$WORK/vol:/tmp:rw" -- /tmp/syscall_inotify
expect_status 0 "the inotify syscall test on a gofer-served /tmp"
grep -q '^not ok' "$WORK/out" && fail "inotify cases failed on goferfs: $(grep '^not ok' "$WORK/out")"

cat >"$WORK/vol/watch.py" <<'PY'
import ctypes, os, struct
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_NONBLOCK)
d = libc.inotify_add_watch(fd, b"/etc", 0xfff)
f = libc.inotify_add_watch(fd, b"/etc/hostname", 0xfff)
with open("/etc/inotify-new", "w") as new:
    new.write("x")
with open("/etc/hostname", "a") as h:
    h.write("x")
os.rename("/etc/inotify-new", "/etc/inotify-renamed")
os.unlink("/etc/inotify-renamed")
buf, i, names = os.read(fd, 65536), 0, {d: "etc", f: "hostname"}
while i < len(buf):
    wd, mask, cookie, n = struct.unpack_from("iIII", buf, i)
    print(names[wd], hex(mask), "cookie" if cookie else "-", buf[i + 16:i + 16 + n].rstrip(b"\0").decode())
    i += 16 + n
PY
w do "--volume=$WORK/vol:/mnt:ro" -- /usr/bin/python3 /mnt/watch.py
expect_status 0 "inotify on the overlay root"
cat >"$WORK/want" <<'TXT'
etc 0x100 - inotify-new
etc 0x20 - inotify-new
etc 0x2 - inotify-new
etc 0x8 - inotify-new
hostname 0x20 - 
etc 0x20 - hostname
hostname 0x2 - 
etc 0x2 - hostname
hostname 0x8 - 
etc 0x8 - hostname
etc 0x40 cookie inotify-new
etc 0x80 cookie inotify-renamed
etc 0x200 - inotify-renamed
TXT
expect_same_file "$WORK/want" "$WORK/out" "inotify events on the overlay root"
finish
