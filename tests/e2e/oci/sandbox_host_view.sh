#!/bin/sh
# What the host sees of a running container: only Warden's own processes (the sentry, its
# gofers and the stubs guest code runs in), all in the sandbox's own pid namespace, none
# of them a program of the container's image; the guest's programs exist only inside the
# sentry. (Warden only: runc runs the container's programs as host processes.)
. "$(dirname "$0")/oci_lib.sh"

if [ "$IS_WARDEN" -eq 0 ]; then
	echo "SKIP: $TEST checks Warden's sandbox; runc runs the container's programs on the host"
	exit 77
fi
WEXE=$(readlink -f "$RUNTIME")

B=$(mkbundle kids /bin/sh -c 'wtest sleep 1000 & wtest sleep 1000 & exec wtest init')
# a file bound from a directory that holds a secret beside it
SRC=$(share src)
echo visible >"$SRC/bound"
echo secret >"$SRC/secret"
bundle_bind "$B" "$SRC/bound" /etc/bound ro
ID=$(cid kids)
rt run -d --bundle "$B" "$ID"
expect_status 0 "run -d"
wait_status "$ID" running "after run -d"
rt state "$ID"
S=$(jget "$WORK/out" 'd["pid"]')
NS=$(readlink "/proc/$S/ns/pid")
[ -n "$NS" ] || fail "no pid namespace for the sandbox pid $S"
[ "$NS" != "$(readlink /proc/self/ns/pid)" ] || fail "the sandbox shares the host's pid namespace"

# every host process in the sandbox's pid namespace
: >"$WORK/procs"
for d in /proc/[0-9]*; do
	[ "$(readlink "$d/ns/pid" 2>/dev/null)" = "$NS" ] || continue
	printf '%s %s %s\n' "${d#/proc/}" "$(readlink -f "$d/exe" 2>/dev/null)" \
		"$(cat "$d/comm" 2>/dev/null)" >>"$WORK/procs"
done
n=$(grep -c . "$WORK/procs")
[ "$n" -ge 3 ] || fail "expected the sentry, a gofer and stubs in the sandbox's pid namespace, found $n: $(cat "$WORK/procs")"
grep -q "^$S " "$WORK/procs" || fail "the state's pid $S is not in its own pid namespace"
while read -r pid exe comm; do
	[ "$exe" = "$WEXE" ] ||
		fail "host process $pid ($comm) in the sandbox runs $exe, not $WEXE"
done <"$WORK/procs"
# the image's programs never run on the host
for prog in "$ROOTFS/bin/busybox" "$ROOTFS/bin/wtest"; do
	grep -q " $(readlink -f "$prog") " "$WORK/procs" && fail "the host runs $prog"
done

# every gofer is chrooted to the rootfs, or to the staging dir of file binds: none serves
# the bound file's directory, whose other files the sandbox must never reach
for pid in $(awk '$3 == "warden-gofer" { print $1 }' "$WORK/procs"); do
	r=$(readlink "/proc/$pid/root")
	case "$r" in
	"$ROOTFS" | "$STATE/$ID/files") ;;
	*) fail "gofer $pid serves $r (expected the rootfs or $STATE/$ID/files)" ;;
	esac
	[ "$r" = "$SRC" ] && fail "a gofer serves the bound file's directory $SRC"
done
RT_OUT=$WORK/bound.out rt exec "$ID" cat /etc/bound
expect_eq visible "$(cat "$WORK/bound.out")" "the bound file inside"

# and inside, the guest sees its own three processes with init as pid 1
RT_OUT=$WORK/pids.out rt exec "$ID" cat /proc/1/comm
expect_status 0 "exec cat /proc/1/comm"
expect_eq wtest "$(cat "$WORK/pids.out")" "the guest's pid 1"
finish
