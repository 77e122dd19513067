#!/bin/sh
# containerd's ctr runs a container through the runtime (io.containerd.runc.v2 shim with
# --runc-binary RUNTIME): `ctr run --rm ... IMG ID /bin/echo hi` prints hi, where IMG is the
# busybox test rootfs imported with `ctr image import`. A private containerd serves it.
. "$(dirname "$0")/clients_lib.sh"
containerd_setup

id=wt-ctr-echo-$$
out=$(ctr_ run --rm $CTR_RUN_FLAGS localhost/wardentest:latest "$id" /bin/echo hi 2>"$WT_TMP/err")
rc=$?
expect_eq "ctr run --rm ... /bin/echo hi: exit status" "$rc" 0
expect_eq "ctr run --rm ... /bin/echo hi: output" "$out" hi
[ "$rc" -eq 0 ] || cat "$WT_TMP/err"

# the exit status comes through the shim
id=wt-ctr-exit-$$
ctr_ run --rm $CTR_RUN_FLAGS localhost/wardentest:latest "$id" sh -c 'exit 3'
expect_eq "ctr run --rm ... sh -c 'exit 3': exit status" "$?" 3

# --rm removed both containers: containerd and the runtime know of none
out=$(ctr_ container ls -q)
expect_eq "containerd containers after run --rm" "$out" ""
out=$(timeout 30 "$RUNTIME" --root "$CD/runc-root/default" list -q)
expect_eq "runtime list (the shim's --root) after run --rm" "$out" ""
finish
