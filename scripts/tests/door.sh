#!/usr/bin/env bash
# Checks the newcomer's door without touching the machine: scripts/demo.sh on a machine that lacks
# libpcsclite-dev, simulated with stand-ins for dpkg-query, id, sudo, apt-get and cargo on PATH.
#  1. not root, no sudo: demo.sh stops (exit 2) before building and names the exact command;
#  2. root: demo.sh says what it installs, installs exactly the missing packages, then builds.
# Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bin="$work/bin"
mkdir -p "$bin"
log="$work/calls.log"
# dpkg-query: everything is installed except libpcsclite-dev.
cat >"$bin/dpkg-query" <<'S'
#!/bin/sh
for last; do :; done
[ "$last" = libpcsclite-dev ] && exit 1
echo "install ok installed"
S
cat >"$bin/apt-get" <<S
#!/bin/sh
echo "apt-get \$*" >>"$log"
S
cat >"$bin/cargo" <<S
#!/bin/sh
echo "cargo \$*" >>"$log"
exit 0
S
cat >"$bin/sudo" <<'S'
#!/bin/sh
exit 1
S
chmod +x "$bin"/*
fail() { echo "door: FAIL: $*" >&2; exit 1; }

# 1. An ordinary user without sudo rights.
cat >"$bin/id" <<'S'
#!/bin/sh
echo 1000
S
chmod +x "$bin/id"
: >"$log"
set +e
out="$(PATH="$bin:$PATH" CARGO_TARGET_DIR="$work/target" scripts/demo.sh 2>&1)"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "without root: exit $rc, expected 2: $out"
grep -qF "sudo apt-get update && sudo apt-get install -y -qq libpcsclite-dev" <<<"$out" ||
  fail "without root: the command to run is not named: $out"
! grep -q cargo "$log" || fail "without root: it built anyway: $(cat "$log")"

# 2. As root: installs the one missing package, saying so, then builds the CLI.
cat >"$bin/id" <<'S'
#!/bin/sh
echo 0
S
: >"$log"
set +e
out="$(PATH="$bin:$PATH" CARGO_TARGET_DIR="$work/target" scripts/demo.sh 2>&1)"
rc=$?
set -e
grep -qF "installing with apt-get" <<<"$out" || fail "as root: it does not say it installs: $out"
grep -qx "apt-get install -y -qq libpcsclite-dev" "$log" || fail "as root: wrong install: $(cat "$log")"
grep -q "^cargo build -q --release -p sscard-cli" "$log" || fail "as root: no build: $(cat "$log")"
# (the stand-in cargo builds nothing, so the demo's run of the binary fails afterwards: rc != 0 is expected)
echo "door: ok (no root: stops with the command; root: installs libpcsclite-dev, then builds)"
