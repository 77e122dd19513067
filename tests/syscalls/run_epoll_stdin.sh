#!/bin/sh
# Runs the epoll_stdin program (the command given as arguments: the program itself or
# `warden do ... -- program`) with stdin a pipe that gets one byte after a pause and then
# hangs up, and again with stdin /dev/null. Exit 1 if either run fails.
(sleep 0.2; printf x) | "$@" || exit 1
"$@" </dev/null || exit 1
