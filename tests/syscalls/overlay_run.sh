#!/bin/sh
# Runs an overlay_* test program (the arguments: the program, or `warden do ... -- program`)
# over a tree made here first, in the build directory, and passed as OVERLAY_TEST_DIR.
# Natively the program changes that scratch tree. Sandboxed, the tree is part of the
# overlay's lower layer (the host root), so the program's changes must stay in the sandbox:
# the tree must be byte for byte, mode for mode, what it was.
if [ $# -lt 1 ]; then
	echo "usage: $0 COMMAND..." >&2
	exit 2
fi
case "$PWD" in
/tmp/*)
	# the build tree is then a read-only volume in the sandbox, not the overlay
	echo "1..0 # SKIP the build tree is under /tmp"
	exit 77
	;;
esac
dir=$(mktemp -d "$PWD/overlay-tree.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT

mk() { # file content [mode]
	mkdir -p "$dir/$(dirname "$1")"
	printf '%s' "$2" >"$dir/$1"
	[ -z "$3" ] || chmod "$3" "$dir/$1"
}
mk write/file 'lower data
' 640
mk append/file abc
mk trunc/file 0123456789
mk chmod/file keep
for f in a b c; do mk "unlink/$f" "$f"; done
mk rmdir/d/x x
mk rmdir/d/y y
mkdir -p "$dir/rmdir/empty"
mk rename/file r
mk rename/dir/f f
mk rename/dir/sub/g G
mkdir -p "$dir/rename/empty"
mk rename/x/1 1
mk rename/y/2 2
mk link/file L
mk symlink/target T
ln -s target "$dir/symlink/link"
for f in 1 2 3 4 5; do mk "readdir/$f" "$f"; done
mkdir -p "$dir/mmap"
head -c 8192 /dev/zero | tr '\0' a >"$dir/mmap/file"
mk opaque/d/y y
mk opaque/d/sub/x x
mk xattr/file data
mk xattr/other other
# best effort: without it the xattr case skips
python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.origin", b"lower")' \
	"$dir/xattr/file" 2>/dev/null

manifest() {
	(cd "$dir" && find . -printf '%p %y %m %U %G %s %n %T@ %l\n' | sort &&
		find . -type f -exec cat {} + &&
		python3 -c 'import os, sys
for f in sys.argv[1:]:
	print(f, sorted((n, os.getxattr(f, n)) for n in os.listxattr(f)))' \
			$(find . -type f) 2>/dev/null)
}
before=$(manifest)

OVERLAY_TEST_DIR=$dir "$@"
status=$?

case "$(basename "$1")" in
warden)
	if [ "$(manifest)" != "$before" ]; then
		echo "not ok - the sandbox changed the host's tree $dir:"
		echo "$before" >"$dir.before"
		manifest | diff "$dir.before" - | head -n 40
		rm -f "$dir.before"
		exit 1
	fi
	echo "# the host's tree is unchanged"
	;;
esac
exit "$status"
