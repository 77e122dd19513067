#!/bin/sh
# podman (with conmon) runs a container through the runtime and prints its output:
# `podman --runtime RUNTIME run --rm --network none IMG /bin/echo hi` prints hi, where IMG is the
# busybox test rootfs imported with `podman import` into a private vfs storage.
. "$(dirname "$0")/clients_lib.sh"
podman_setup

out=$(pm run --rm --cidfile "$WT_TMP/cid" $PM_RUN_FLAGS localhost/wardentest /bin/echo hi 2>"$WT_TMP/err")
rc=$?
expect_eq "podman run --rm ... /bin/echo hi: exit status" "$rc" 0
expect_eq "podman run --rm ... /bin/echo hi: output" "$out" hi
[ "$rc" -eq 0 ] || cat "$WT_TMP/err"

# the container's first process is pid 1 of its own pid namespace (its parent is outside)
out=$(pm run --rm $PM_RUN_FLAGS localhost/wardentest wgetpid)
expect_eq "wgetpid as the container's process (pid ppid)" "$out" "1 0"

# --rm removed the container: podman and the runtime know of none
left=$(pm ps -a -q)
expect_eq "containers left after run --rm" "$left" ""
cid=$(cat "$WT_TMP/cid" 2>/dev/null)
if [ -z "$cid" ]; then
	fail "podman wrote no --cidfile"
else
	wait_runtime_forgets "$cid"
fi
finish
