#!/bin/sh
# The sandbox's /dev lists the nodes Linux's devtmpfs has with the same type, mode and device
# numbers as the host's, the fd links, /dev/pts and a tmpfs on /dev/shm, and a shell can use
# /dev/stdout and /dev/shm.
. "$(dirname "$0")/lib.sh"

nodes="/dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/console /dev/ptmx /dev/pts /dev/shm"
for n in $nodes; do
	[ -e "$n" ] || { echo "SKIP: the host has no $n"; exit 77; }
done
/bin/busybox stat -L -c '%n %F %a %t:%T' $nodes >"$WORK/want"
sandbox -- /bin/busybox stat -L -c '%n %F %a %t:%T' $nodes
expect_status 0 "stat of the /dev nodes"
expect_same_file "$WORK/want" "$WORK/out" "/dev nodes"

links="/dev/fd /dev/stdin /dev/stdout /dev/stderr"
for l in $links; do /bin/busybox readlink $l; done >"$WORK/want"
sandbox -- /bin/busybox sh -c "for l in $links; do readlink \$l; done"
expect_status 0 "readlink of the /dev links"
expect_same_file "$WORK/want" "$WORK/out" "/dev links"

sandbox -- /bin/busybox sh -c 'echo seg > /dev/shm/e2e && cat /dev/shm/e2e && stat -f -c %T /dev/shm'
expect_status 0 "a file in /dev/shm"
printf 'seg\ntmpfs\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "/dev/shm file and type"
finish
