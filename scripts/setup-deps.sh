#!/bin/sh
# Installs the Debian packages Warden builds and tests with, only when one is missing,
# so that `make run` and `make test` work on a fresh Debian 12 machine.
set -e
PKGS="build-essential cmake pkg-config libseccomp-dev libunwind-dev liburing-dev libjson-c-dev"
# What the tests run in or around the sandbox (e2e: busybox, strace of the sentry, sqlite3,
# procps's ps/top/free against procfs, tmux driving `warden do -t`).
PKGS="$PKGS busybox-static strace sqlite3 procps tmux"
# `setup-deps.sh bench` adds the peers the benchmarks compare against (and the e2e set:
# runc is one of them).
[ "${1:-}" = bench ] && PKGS="$PKGS proot"
# `setup-deps.sh e2e` adds the OCI clients the e2e tests drive (tests/e2e/oci/client_*.sh):
# podman (conmon; runc satisfies its crun|runc; golang-github-containers-common ships
# policy.json, which `podman import` needs, and wants a container-network-stack:
# containernetworking-plugins), containerd (ctr, containerd-shim-runc-v2), runc as the
# reference runtime, debootstrap (+ the archive keyring) for the Debian minbase rootfs.
# Checked with `apt-get install -s --no-install-recommends` in a fresh bookworm minbase.
case "${1:-}" in e2e | bench) PKGS="$PKGS podman conmon containerd runc containernetworking-plugins debootstrap debian-archive-keyring" ;; esac
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
