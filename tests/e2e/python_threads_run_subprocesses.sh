#!/bin/sh
# Issue 3: 8 python threads each run a subprocess and collect its output; a python that
# SIGKILLs itself exits 137.
. "$(dirname "$0")/lib.sh"

sandbox -- /usr/bin/python3 -c '
import subprocess, threading
out = [None] * 8
def run(i):
    out[i] = subprocess.run(["/bin/echo", "job%d" % i], capture_output=True, text=True).stdout.strip()
ts = [threading.Thread(target=run, args=(i,)) for i in range(8)]
[t.start() for t in ts]
[t.join() for t in ts]
print(" ".join(out))
'
expect_status 0 "python threads + subprocess"
printf 'job0 job1 job2 job3 job4 job5 job6 job7\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "python threads + subprocess output"
sandbox -- /usr/bin/python3 -c 'import os; os.kill(os.getpid(), 9)'
expect_status 137 "python os.kill(self, SIGKILL)"
finish
