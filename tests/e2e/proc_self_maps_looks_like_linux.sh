#!/bin/sh
# `cat /proc/self/maps` in the sandbox has Linux's layout (range, perms with p/s, offset,
# major:minor, inode, the path at column 74) and maps the same files as on the host.
. "$(dirname "$0")/lib.sh"

cat /proc/self/maps >"$WORK/host"
sandbox -- /bin/cat /proc/self/maps
expect_status 0 "cat /proc/self/maps"
cp "$WORK/out" "$WORK/guest"

line='^[0-9a-f]{8,16}-[0-9a-f]{8,16} [r-][w-][x-][ps] [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} [0-9]+ '
if grep -Evq "$line" "$WORK/guest"; then
	fail "lines that do not look like Linux's:"
	grep -Ev "$line" "$WORK/guest" | head
fi
# Named lines put the name at column 74, as Linux pads them.
awk 'NF >= 6 && substr($0, 74, 1) == " " { bad = 1 } END { exit bad }' "$WORK/guest" ||
	fail "a name does not start at column 74"
# The files mapped (the program, its libraries, locale data) and [heap]/[stack] match the host's;
# the kernel's own pages ([vdso], [vvar], [vsyscall]) are left out of the comparison.
paths() {
	awk 'NF >= 6 { print $6 }' "$1" | grep -Ev '^\[(vdso|vvar|vvar_vclock|vsyscall)\]$' | sort -u
}
paths "$WORK/host" >"$WORK/want"
paths "$WORK/guest" >"$WORK/got"
expect_same_file "$WORK/want" "$WORK/got" "mapped files"
grep -q ' r-xp .*/cat$' "$WORK/guest" || fail "no executable mapping of cat"
finish
