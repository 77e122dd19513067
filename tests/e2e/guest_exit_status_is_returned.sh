#!/bin/sh
# `warden do -- /usr/bin/env -i /bin/busybox sh -c 'exit 3'` exits 3: warden's exit status
# is the guest's, here through an execve chain with an empty environment.
. "$(dirname "$0")/lib.sh"

sandbox -- /usr/bin/env -i /bin/busybox sh -c 'exit 3'
expect_status 3 "warden do -- env -i busybox sh -c 'exit 3'"
sandbox -- /bin/busybox sh -c 'exit 0'
expect_status 0 "warden do -- busybox sh -c 'exit 0'"
sandbox -- /bin/busybox sh -c 'exit 255'
expect_status 255 "warden do -- busybox sh -c 'exit 255'"
sandbox -- /bin/busybox false
expect_status 1 "warden do -- busybox false"
finish
