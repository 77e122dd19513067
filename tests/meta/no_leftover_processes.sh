#!/bin/sh
# After every sandboxed test has run: no process whose executable is this build's warden
# (a sentry, or a stub process, which is a fork of it) may be left on the host.
warden=$(readlink -f "$1")
left=""
for p in /proc/[0-9]*; do
	[ "$(readlink "$p/exe" 2>/dev/null)" = "$warden" ] && left="$left ${p#/proc/}"
done
if [ -n "$left" ]; then
	echo "FAIL: warden processes left behind:$left"
	ps -o pid,ppid,stat,args -p $(echo $left | tr ' ' ',')
	exit 1
fi
echo "no warden process left"
