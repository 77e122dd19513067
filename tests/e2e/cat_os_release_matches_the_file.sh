#!/bin/sh
# `warden do -- /bin/cat /etc/os-release` prints the host file byte for byte (through a
# relative symlink on Debian).
. "$(dirname "$0")/lib.sh"

sandbox -- /bin/cat /etc/os-release
expect_status 0 "warden do -- /bin/cat /etc/os-release"
expect_same_file /etc/os-release "$WORK/out" "cat /etc/os-release"
finish
