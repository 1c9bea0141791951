#!/usr/bin/env bash
# Code size of the card OS on Cortex-M4 (thumbv7em-none-eabi, release, opt-level 3 as configured):
# builds the crate, compiles tools/size_probe.rs as a staticlib against it, links with
# `rust-lld --gc-sections` rooted at the probe's exported functions and prints llvm-size.
# Usage: card-os/tools/size.sh   (honours CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
T="${CARGO_TARGET_DIR:-target}"
TRIPLE=thumbv7em-none-eabi
cargo build -p sscard-card-os --target "$TRIPLE" --release 2>/dev/null
DEPS="$T/$TRIPLE/release/deps"
rlib() { ls -t "$DEPS"/lib"$1"-*.rlib | head -1; }
OUT="$(mktemp -d)"
rustc --edition 2021 --target "$TRIPLE" -C opt-level="${OPT:-3}" -C panic=abort -C codegen-units=1 --crate-type staticlib \
  --crate-name size_probe card-os/tools/size_probe.rs -o "$OUT/libsize_probe.a" -L "dependency=$DEPS" -L "dependency=$T/release/deps" \
  --extern sscard_card_os="$(rlib sscard_card_os)" --extern sscard_keys="$(rlib sscard_keys)" \
  --extern sscard_specs="$(rlib sscard_specs)"
LLD="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/host: //p')/bin/rust-lld"
for root in sscard_process sscard_format; do
  "$LLD" -flavor gnu --gc-sections -e "$root" -u sscard_open "$OUT/libsize_probe.a" -o "$OUT/$root.elf"
  echo "== rooted at $root (+ sscard_open)"
  llvm-size "$OUT/$root.elf"
  [ -n "${TOP:-}" ] && llvm-nm --size-sort -S -C "$OUT/$root.elf" | tail -"$TOP"
done
rm -rf "$OUT"
