#!/bin/sh
# Installs the Debian packages Warden builds and tests with, only when one is missing,
# so that `make run` and `make test` work on a fresh Debian 12 machine.
set -e
PKGS="build-essential cmake pkg-config libseccomp-dev libunwind-dev liburing-dev libjson-c-dev"
# What the tests run in or around the sandbox (e2e: busybox, strace of the sentry, sqlite3,
# procps's ps/top/free against procfs).
PKGS="$PKGS busybox-static strace sqlite3 procps"
# `setup-deps.sh bench` adds the peers the benchmarks compare against.
[ "${1:-}" = bench ] && PKGS="$PKGS proot"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "setup: installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
