#!/bin/sh
# Issue 4 acceptance: `tar czf` of /usr/include into the sandbox's /tmp and `tar tzf | wc -l`
# of the archive give the host's count: every file, directory and symlink is walked, read
# and written through Warden's VFS (gofer-served root, tmpfs /tmp). Slow: the archive is
# a few MB made from thousands of files, so this script bounds the run itself (300 s).
. "$(dirname "$0")/lib.sh"

[ -d /usr/include ] || { echo "SKIP: no /usr/include on the host: NOT TESTED"; exit 77; }
command -v tar >/dev/null && command -v gzip >/dev/null || { echo "SKIP: no tar/gzip"; exit 77; }

# The host's count, from an archive made the same way in a directory of our own.
host=$(mktemp -d) || exit 1
trap 'rm -rf "$WORK" "$host"' EXIT
(cd "$host" && tar czf a.tgz /usr/include 2>/dev/null && tar tzf a.tgz | wc -l) >"$WORK/want"
[ "$(cat "$WORK/want")" -gt 1000 ] || { fail "host count $(cat "$WORK/want") is implausible"; finish; }

start=$(date +%s)
timeout -k 5 300 "$WARDEN" do $VOLUME -- /bin/sh -c \
	'cd /tmp && tar czf a.tgz /usr/include 2>/dev/null && tar tzf a.tgz | wc -l' \
	</dev/null >"$WORK/out" 2>"$WORK/err"
STATUS=$?
echo "sandboxed tar czf + tar tzf took $(($(date +%s) - start)) s"
[ "$STATUS" -eq 124 ] && fail "the sandboxed tar did not finish within 300 s"
expect_status 0 "tar czf /usr/include in the sandbox"
expect_same_file "$WORK/want" "$WORK/out" "the number of archive members"
finish
