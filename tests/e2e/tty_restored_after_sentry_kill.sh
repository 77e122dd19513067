# warden do -t puts the host terminal in raw mode; if the sentry is killed (SIGKILL: no
# chance to clean up), its guardian process (under a seccomp filter of its own) puts the
# terminal back. Runs under script(1) for a terminal; waits poll the terminal's state,
# bounded, never a fixed sleep.
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null 2>&1 || { echo "SKIP: no script(1) (bsdutils)"; exit 77; }
# The inner script runs on script(1)'s terminal: warden in the foreground (a background
# job's stdin would not be the terminal), a killer in the background.
cat >"$WORK/inner.sh" <<'EOS'
W=$1
WARDEN=$2
stty -g >"$W/before"
(
	i=0
	while [ $i -lt 200 ] && { [ ! -s "$W/wpid" ] ||
		[ "$(stty -g </dev/tty)" = "$(cat "$W/before")" ]; }; do
		sleep 0.05
		i=$((i + 1))
	done
	stty -g </dev/tty >"$W/during"
	kill -9 "$(cat "$W/wpid")"
) &
sh -c 'echo $$ >"$1/wpid"; exec "$2" do -t -- /bin/sh -c "sleep 60"' sh "$W" "$WARDEN"
wait
i=0
while [ $i -lt 200 ] && [ "$(stty -g)" != "$(cat "$W/before")" ]; do
	sleep 0.05
	i=$((i + 1))
done
stty -g >"$W/after"
EOS
timeout -k 5 60 script -qec "sh $WORK/inner.sh $WORK $WARDEN" /dev/null </dev/null \
	>"$WORK/script.out" 2>&1
[ -s "$WORK/during" ] || fail "the inner script did not run: $(head -c 500 "$WORK/script.out")"
cmp -s "$WORK/before" "$WORK/during" && fail "the terminal never went raw: the relay did not start"
cmp -s "$WORK/before" "$WORK/after" ||
	fail "the terminal was not restored after the sentry was killed: $(cat "$WORK/before") vs $(cat "$WORK/after")"
finish
