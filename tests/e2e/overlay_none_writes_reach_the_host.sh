#!/bin/sh
# --overlay=none serves the host root read-write: a file the guest writes in the build tree
# appears on the host. --overlay=memory (the default) keeps it in the sandbox, and an
# unknown mode is a usage error.
. "$(dirname "$0")/lib.sh"

# a build tree under /tmp is a volume, not the root: the flag would not be what is tested
[ -z "$VOLUME" ] || { echo "SKIP: the build tree is under /tmp: NOT TESTED"; exit 77; }

sandbox --overlay=memory -- /bin/sh -c "echo mem > $WORK/mem && cat $WORK/mem"
expect_status 0 "writing with --overlay=memory"
[ "$(cat "$WORK/out")" = mem ] || { fail "the guest did not read back its file"; show; }
[ -e "$WORK/mem" ] && fail "--overlay=memory: the guest's file reached the host"

sandbox --overlay=none -- /bin/sh -c "echo host > $WORK/none && mkdir $WORK/dir"
expect_status 0 "writing with --overlay=none"
[ "$(cat "$WORK/none" 2>/dev/null)" = host ] || fail "--overlay=none: the file is not on the host"
[ -d "$WORK/dir" ] || fail "--overlay=none: the directory is not on the host"

sandbox --overlay=none -- /bin/rm "$WORK/none"
expect_status 0 "rm with --overlay=none"
[ -e "$WORK/none" ] && fail "--overlay=none: rm did not remove the host's file"

w do --overlay=bogus -- /bin/true
expect_status 2 "--overlay=bogus"
grep -q "overlay" "$WORK/err" || { fail "no message about --overlay"; show; }
finish
