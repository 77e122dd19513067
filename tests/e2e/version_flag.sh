#!/bin/sh
# `warden --version` exits 0 and prints the project version ($2).
. "$(dirname "$0")/lib.sh"
version=$2

w --version
expect_status 0 "warden --version"
grep -qF "$version" "$WORK/out" || { fail "stdout does not contain version $version"; show; }
finish
