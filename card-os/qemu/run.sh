#!/usr/bin/env bash
# The card OS on a Cortex-M4 under QEMU: builds the firmware of this folder (thumbv7em-none-eabi,
# the workspace's firmware settings: opt-level "z", fat LTO, one codegen unit, panic = abort), runs
# it on the mps2-an386 machine with semihosting, prints its output and the run time, and fails if
# any status word check fails (the firmware exits 1), the run exceeds 120 s, or the measured stack
# high-water mark of `Card::process` plus the card object exceeds RAM_BUDGET bytes (default 8192,
# the card OS's RAM goal without the store).
#
# Usage: card-os/qemu/run.sh      (honours CARGO_TARGET_DIR; scripts/test.sh runs it when
#                                  qemu-system-arm is installed; scripts/setup.sh installs it)
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(cd ../.. && pwd)"
T="${CARGO_TARGET_DIR:-$ROOT/target}"
RAM_BUDGET="${RAM_BUDGET:-8192}"
if ! command -v qemu-system-arm >/dev/null; then
  echo "run.sh: needs qemu-system-arm (Debian package qemu-system-arm; scripts/setup.sh)" >&2
  exit 2
fi
cargo build -q --release --target thumbv7em-none-eabi --target-dir "$T"
ELF="$T/thumbv7em-none-eabi/release/sscard-card-os-qemu"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
t0=$(date +%s%N)
rc=0
timeout 120 qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic -monitor none \
  -semihosting-config enable=on,target=native -kernel "$ELF" </dev/null >"$LOG" 2>&1 || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
cat "$LOG"
echo "run time: $ms ms (qemu exit status $rc)"
if [ "$rc" -ne 0 ]; then
  [ "$rc" -eq 124 ] && echo "run.sh: FAIL: timed out after 120 s" >&2
  echo "run.sh: FAIL (exit status $rc)" >&2
  exit 1
fi
stack=$(sed -n 's/^stack high-water: \([0-9]*\) bytes$/\1/p' "$LOG")
card=$(sed -n 's/.* + card object \([0-9]*\) + .*/\1/p' "$LOG")
if [ -z "$stack" ] || [ -z "$card" ] || ! grep -qx PASS "$LOG"; then
  echo "run.sh: FAIL: no PASS / figures in the firmware output" >&2
  exit 1
fi
total=$((stack + card))
echo "stack high-water $stack B + card object $card B = $total B (limit $RAM_BUDGET B)"
if [ "$total" -gt "$RAM_BUDGET" ]; then
  echo "run.sh: FAIL: $total B > $RAM_BUDGET B" >&2
  exit 1
fi
