#!/bin/sh
# What the container's process sees: pid 1, only its own processes in /proc, the config's
# hostname, env, cwd, user, rlimits and mounts, a read-only root; uname -r is
# the host's under runc and must NOT be under warden (the sandbox's kernel answers).
. "$(dirname "$0")/oci_lib.sh"

RO=$(share ro)
RW=$(share rw)
echo "from the host" >"$RO/file"
B=$(mkbundle view /bin/true)
# The mounts go under a tmpfs on /tmp: the rootfs has no /mnt, and runc would create a
# missing mountpoint inside the (shared, build-tree) rootfs directory.
bundle_edit "$B" "
c['hostname'] = 'wardentest'
c['process']['env'] = ['PATH=/bin:/usr/bin', 'FOO=bar baz', 'EMPTY=']
c['process']['cwd'] = '/etc'
c['process']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': 123, 'hard': 456},
	{'type': 'RLIMIT_CORE', 'soft': 0, 'hard': 4096}]
c['mounts'] += [
	{'destination': '/tmp', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nosuid', 'size=1m']},
	{'destination': '/tmp/t', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nosuid', 'size=2m', 'mode=1777']},
	{'destination': '/tmp/ro', 'type': 'bind', 'source': '$RO', 'options': ['rbind', 'ro']},
	{'destination': '/tmp/rw', 'type': 'bind', 'source': '$RW', 'options': ['rbind', 'rw']}]
"

# view NAME ARGS...: runs ARGS in the bundle, expecting status 0 (stdout in $WORK/out)
n=0
view() {
	_what=$1
	shift
	n=$((n + 1))
	bundle_args "$B" "$@"
	rt run --bundle "$B" "$(cid "v$n")"
	expect_status 0 "$_what: run of '$*'"
}

view "own pid" /bin/wgetpid
expect_out "1 0" "the container's init: its pid and its parent's"
view "/proc with the init alone" /bin/wpids
expect_out "1" "pids in /proc seen by the init"
# sh (1), its background child, and wpids: three, none of the host's. (`; true`: busybox
# sh execs the last command of -c in place of itself.)
view "/proc with three processes" /bin/sh -c 'wtest sleep 1000 & wpids; true'
expect_eq 3 "$(wc -l <"$WORK/out")" "pids in /proc with sh, a child and wpids ($(tr '\n' ' ' <"$WORK/out"))"

# runc 1.1 does not support the `domainname` field (it stays "(none)"): not set here.
view "hostname" /bin/whostname
expect_out "wardentest (none)" "uname's nodename and domainname"
view "hostname command" /bin/hostname
expect_out wardentest "hostname"

view "uname -r" /bin/wuname-r
if [ "$IS_WARDEN" -eq 1 ]; then
	if [ "$(cat "$WORK/out")" = "$(uname -r)" ]; then
		fail "uname -r in the sandbox is the host's ($(uname -r)): warden's kernel must answer"
	fi
	[ -s "$WORK/out" ] || fail "uname -r in the sandbox printed nothing"
else
	expect_out "$(uname -r)" "uname -r under runc (the host kernel)"
fi

# env exactly as configured; HOME is added (from the rootfs's /etc/passwd: root -> /root)
view "env" /bin/wtest env
printf 'PATH=/bin:/usr/bin\nFOO=bar baz\nEMPTY=\nHOME=/root\n' >"$WORK/want"
cmp -s "$WORK/want" "$WORK/out" || fail "env: expected '$(cat "$WORK/want")', got '$(cat "$WORK/out")'"
view "cwd" /bin/wcwd
expect_out /etc "process.cwd"
view "ids" /bin/wids
expect_out "uid=0 gid=0 euid=0 egid=0 groups=" "process.user (root)"
view "NOFILE" /bin/wrlimit NOFILE
expect_out "123 456" "RLIMIT_NOFILE from process.rlimits"
view "CORE" /bin/wrlimit CORE
expect_out "0 4096" "RLIMIT_CORE from process.rlimits"

# tmpfs with size=2m: statfs's total is 2048 KiB; it is writable
view "tmpfs size" /bin/sh -c 'df -k /tmp/t | tail -n 1'
expect_eq 2048 "$(awk '{print $2}' "$WORK/out")" "1K-blocks of the tmpfs mounted with size=2m ($(cat "$WORK/out"))"
view "tmpfs write" /bin/sh -c 'echo data >/tmp/t/f && cat /tmp/t/f'
expect_out data "a file written to the tmpfs"
view "tmpfs in /proc/mounts" /bin/sh -c 'grep " /tmp/t " /proc/mounts | cut -d" " -f3'
expect_out tmpfs "the fs type of /tmp/t in /proc/mounts"

# read-only bind: readable, writes fail with EROFS, the host dir is untouched
view "ro bind read" /bin/cat /tmp/ro/file
expect_out "from the host" "a host file through the read-only bind mount"
bundle_args "$B" /bin/sh -c 'echo x >/tmp/ro/new'
RT_ERR=$WORK/w.err rt run --bundle "$B" "$(cid rowrite2)"
expect_status 1 "writing to the read-only bind mount (busybox sh: can't create -> 1)"
expect_grep "$WORK/w.err" "Read-only file system" "writing to the read-only bind mount: EROFS"
[ -e "$RO/new" ] && fail "a write to the read-only bind mount reached the host"

# read-write bind: the write reaches the host
view "rw bind write" /bin/sh -c 'echo written >/tmp/rw/new'
expect_eq written "$(cat "$RW/new" 2>/dev/null)" "the host file written through the read-write bind mount"

# root.readonly: / is read-only (EROFS), even for root
bundle_args "$B" /bin/sh -c 'touch /newfile'
RT_ERR=$WORK/w.err rt run --bundle "$B" "$(cid rootro)"
expect_status 1 "touch /newfile on a read-only root"
expect_grep "$WORK/w.err" "Read-only file system" "touch /newfile on a read-only root: EROFS"
[ -e "$ROOTFS/newfile" ] && fail "touch /newfile reached the rootfs on the host"
view "root in /proc/mounts" /bin/sh -c 'grep " / " /proc/mounts | grep -c "[ ,]ro[ ,]"'
expect_out 1 "/ is mounted ro in /proc/mounts"

# process.user with additionalGids (uid 1000 is not in /etc/passwd: HOME=/)
bundle_edit "$B" "c['process']['user'] = {'uid': 1000, 'gid': 1000, 'additionalGids': [5, 7]}"
view "ids of user 1000" /bin/wids
expect_out "uid=1000 gid=1000 euid=1000 egid=1000 groups=5,7" "process.user with additionalGids"
view "HOME of user 1000" /bin/sh -c 'echo $HOME'
expect_out / "HOME of a uid not in /etc/passwd"
finish
