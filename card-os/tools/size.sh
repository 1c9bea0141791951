#!/usr/bin/env bash
# Code size and static RAM of the card OS on Cortex-M4 (thumbv7em-none-eabi), as firmware carries it.
#
# Builds the crate with the workspace's `firmware` profile (Cargo.toml: release + opt-level "z",
# fat LTO, one codegen unit, panic = abort; the host, test and release profiles are untouched) and
# without default features of sscard-keys/sscard-specs (no AES, no table text), compiles
# tools/size_probe.rs as a staticlib against it with the same settings, links it with
# `rust-lld --gc-sections` rooted at the probe's exported functions (sscard_process, resp.
# sscard_format, each + sscard_open) and prints the sections and one summary line per root:
#   flash = .text + .rodata + .ARM.exidx + .data (load image); ram = .data + .bss (static RAM;
#   the card store is the host's flash region, the `Card` object is wherever the host puts it:
#   its size is printed as `card object`). `core::fmt` counts the formatting symbols linked in
#   (0: no panic message or Debug formatting reaches the card OS).
#
# Usage: card-os/tools/size.sh [--check]      (honours CARGO_TARGET_DIR; scripts/test.sh runs --check)
#   --check       exit 1 if the sscard_process root needs more than MAX_FLASH bytes of flash
#                 (default 65536), more than MAX_RAM bytes of static RAM (default 8192), or links
#                 any core::fmt code.
#   PROFILE=...   cargo profile to measure (default firmware; `release` = opt-level 3, no LTO).
#   TOP=n         also list the n largest symbols of each root.   KEEP=dir  keep the linked ELFs.
# Needs llvm-size/llvm-nm (Debian package llvm) or binutils' size/nm, and rust-lld (rustup).
set -euo pipefail
cd "$(dirname "$0")/../.."
T="${CARGO_TARGET_DIR:-target}"
TRIPLE=thumbv7em-none-eabi
PROFILE="${PROFILE:-firmware}"
MAX_FLASH="${MAX_FLASH:-65536}"
MAX_RAM="${MAX_RAM:-8192}"
CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1

# The probe is compiled with the profile's settings (rustc cannot read cargo profiles).
case "$PROFILE" in
  firmware) PROBE_FLAGS=(-C opt-level=z -C lto=fat -C codegen-units=1 -C panic=abort) ;;
  release) PROBE_FLAGS=(-C opt-level=3 -C codegen-units=1 -C panic=abort) ;;
  *) echo "size.sh: unknown PROFILE $PROFILE" >&2; exit 2 ;;
esac
SIZE="$(command -v llvm-size || command -v size || true)"
NM="$(command -v llvm-nm || command -v nm || true)"
LLD="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/host: //p')/bin/rust-lld"
if [ -z "$SIZE" ] || [ -z "$NM" ] || [ ! -x "$LLD" ]; then
  echo "size.sh: needs llvm-size + llvm-nm (apt install llvm) or size + nm (binutils), and rust-lld" >&2
  exit 2
fi

OUT="$(mktemp -d)"
trap 'if [ -n "${KEEP:-}" ]; then cp "$OUT"/*.elf "$KEEP"/; fi; rm -rf "$OUT"' EXIT
# The exact rlibs of this build (several feature/profile variants can share the deps folder).
cargo build -q -p sscard-card-os --target "$TRIPLE" --profile "$PROFILE" \
  --message-format=json-render-diagnostics >"$OUT/build.json"
rlib() { grep -oE "\"[^\"]*/lib$1(-[0-9a-f]+)?\.rlib\"" "$OUT/build.json" | tail -1 | tr -d '"'; }
rustc --edition 2021 --target "$TRIPLE" "${PROBE_FLAGS[@]}" --crate-type staticlib \
  --crate-name size_probe card-os/tools/size_probe.rs -o "$OUT/libsize_probe.a" \
  -L "dependency=$T/$TRIPLE/$PROFILE/deps" -L "dependency=$T/$PROFILE/deps" \
  --extern sscard_card_os="$(rlib sscard_card_os)" --extern sscard_keys="$(rlib sscard_keys)" \
  --extern sscard_specs="$(rlib sscard_specs)"

# Sum the sizes of the named section (size -A: "name size addr").
sect() { "$SIZE" -A "$2" | awk -v s="$1" '$1 == s { n += $2 } END { print n + 0 }'; }
card=$("$NM" -S "$OUT/libsize_probe.a" 2>/dev/null | awk '$4 == "SSCARD_CARD_OBJECT" { c = $2 } END { print c }' || true)
card=$((16#${card:-0}))

FAIL=""
for root in sscard_process sscard_format; do
  "$LLD" -flavor gnu --gc-sections -e "$root" -u sscard_open "$OUT/libsize_probe.a" -o "$OUT/$root.elf"
  echo "== rooted at $root (+ sscard_open), profile $PROFILE"
  "$SIZE" -A "$OUT/$root.elf" | grep -E '^(section|\.text|\.rodata|\.data|\.bss|\.ARM\.ex)' || true
  text=$(sect .text "$OUT/$root.elf")
  rodata=$(sect .rodata "$OUT/$root.elf")
  exidx=$(($(sect .ARM.exidx "$OUT/$root.elf") + $(sect .ARM.extab "$OUT/$root.elf")))
  data=$(sect .data "$OUT/$root.elf")
  bss=$(sect .bss "$OUT/$root.elf")
  fmt=$("$NM" -C "$OUT/$root.elf" | grep -c 'core::fmt' || true)
  flash=$((text + rodata + exidx + data))
  ram=$((data + bss))
  echo "$root: text=$text rodata=$rodata flash=$flash (limit $MAX_FLASH) data=$data bss=$bss" \
    "ram=$ram (limit $MAX_RAM) core::fmt=$fmt card object=${card:-?}"
  if [ "$root" = sscard_process ]; then
    [ "$flash" -le "$MAX_FLASH" ] || FAIL="$FAIL flash $flash > $MAX_FLASH;"
    [ "$ram" -le "$MAX_RAM" ] || FAIL="$FAIL static RAM $ram > $MAX_RAM;"
    [ "$fmt" -eq 0 ] || FAIL="$FAIL $fmt core::fmt symbols linked;"
  fi
  if [ -n "${TOP:-}" ]; then "$NM" --size-sort -S -C "$OUT/$root.elf" | tail -"$TOP"; fi
done
if [ "$CHECK" = 1 ] && [ -n "$FAIL" ]; then
  echo "size.sh: FAIL (card OS, sscard_process root):$FAIL" >&2
  exit 1
fi
