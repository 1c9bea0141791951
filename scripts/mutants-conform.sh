#!/usr/bin/env bash
# The conformance suite measured by a tool: cargo-mutants mutates the card OS (card-os/src) and
# runs the suite against each mutated card. A mutant is CAUGHT when the suite fails on it (the
# test `terminal/conform/tests/conform.rs` asserts that the correct card passes every case:
# 2.00/3DES and 3.00/SM4 destructive, T=1 and T=0 answers), MISSED when the suite still passes.
#
#   scripts/mutants-conform.sh K N [extra cargo-mutants args]   # shard K of N (0-based K)
#   scripts/mutants-conform.sh --list                           # the mutants, no run
#
# A full run is ~900 mutants (hours on 2 cores): run shards in the background, in later sessions
# too, and commit each shard's summary (docs/conformance-mutants/shard-K-of-N.txt). Missed mutants
# are either killed by a sharper case or listed in docs/conformance-mutants.md with the reason
# they are unobservable at the APDU level or equivalent. Not part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-mutants >/dev/null || cargo install --locked cargo-mutants
# Mutants are chosen by file (`-f`); each mutant is tested with `cargo test -p sscard-conform --test
# conform`. cargo-mutants 27 runs its unmutated baseline with the *mutated* package's tests only
# (lab.rs run_baseline), where `--test conform` does not exist, so the baseline is skipped: the
# correct card passing the suite is what `scripts/test.sh` checks. Extra `-f GLOB` arguments narrow
# the set (e.g. `-f 'card-os/src/handlers/**'`); without any, every file of card-os/src is mutated.
files=(-f 'card-os/src/**')
for a in "$@"; do [ "$a" = -f ] || [ "$a" = --file ] && files=(); done
common=("${files[@]}" --test-package sscard-conform --baseline=skip --timeout 60 --no-shuffle
        --exclude 'card-os/src/faults.rs' --exclude 'card-os/tools/*' --exclude 'card-os/qemu/*')
if [ "${1:-}" = "--list" ]; then
  shift
  exec cargo mutants "${common[@]}" "$@" --list
fi
k="${1:?shard index K (0-based)}"; n="${2:?shard count N}"; shift 2
out="target/mutants-conform/shard-$k-of-$n"
mkdir -p "$out" docs/conformance-mutants
nice -n 19 cargo mutants "${common[@]}" --shard "$k/$n" --output "$out" "$@" -- --test conform || true
summary="docs/conformance-mutants/shard-$k-of-$n.txt"
{
  echo "# cargo mutants shard $k/$n on $(git rev-parse --short HEAD) ($(date -u +%F))"
  for f in caught missed unviable timeout; do
    printf '%-9s %s\n' "$f" "$(wc -l < "$out/mutants.out/$f.txt" 2>/dev/null || echo 0)"
  done
  echo "## missed"
  cat "$out/mutants.out/missed.txt" 2>/dev/null || true
  echo "## timeout"
  cat "$out/mutants.out/timeout.txt" 2>/dev/null || true
} > "$summary"
cat "$summary"
