#!/bin/sh
# A process that forks until it can't hits the sandbox's task limit (--max-tasks) with
# EAGAIN; the sandbox then ends normally (init's exit kills the forked children).
. "$(dirname "$0")/lib.sh"

sandbox --max-tasks=32 -- /usr/bin/python3 -c '
import os, time
n = 0
try:
    while n < 1000:
        if os.fork() == 0:
            time.sleep(100)
            os._exit(0)
        n += 1
except OSError as e:
    print("stopped after", n, "forks:", os.strerror(e.errno))
'
expect_status 0 "fork until the task limit"
grep -q "stopped after .* forks: Resource temporarily unavailable" "$WORK/out" ||
	{ fail "the fork loop did not stop with EAGAIN"; show; }
finish
