#!/usr/bin/env bash
# libSSCardDriver's iReadCardBas through pcscd + vpcd (PSAM mode, 2.00 demo card, the PSAM in the
# second reader) against the raw C client (bench/raw-pcsc-replay.c) sending the same card AND PSAM
# APDUs (every leg, each checked for the status word the driver got):
# APDUs per call on the card and on the PSAM (from the driver's debug log) and the time per call,
# both measured in-process over BENCH_RUNS calls (default 200). One run; prints the ratio (goal ≤ 1.2).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pcscd-lib.sh
runs="${BENCH_RUNS:-200}"
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p sscard-cli --bin sscard
cargo build --release -q -p sscard-driver --lib
sscard="$(realpath "$target_dir/release/sscard")"
lib="$(realpath "$target_dir/release")"
work="$(mktemp -d "${TMPDIR:-/tmp}/sscard-bench-driver.XXXXXX")"
emu_pid="" started=0
cleanup() {
  [ -n "$emu_pid" ] && kill -TERM "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  [ "$started" = 1 ] && scripts/pcscd-stop.sh >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
if ! vpcd_readers_present; then scripts/pcscd-start.sh; started=1; fi
read -r -a prefix <<<"$(card_side_prefix)"
"$sscard" keys generate --out "$work/keys.toml" >/dev/null 2>&1
"$sscard" init --emulator "$work/card.img" --keys "$work/keys.toml" >/dev/null
"$sscard" personalize --emulator "$work/card.img" --keys "$work/keys.toml" --holder demo/holder.toml >/dev/null
"$sscard" --keys "$work/keys.toml" psam init --out "$work/psam.img" >/dev/null
"${prefix[@]}" "$sscard" emulate --image "$work/card.img" --psam "$work/psam.img" 2>"$work/emulate.log" &
emu_pid=$!
for _ in $(seq 1 100); do "$sscard" --reader "Virtual PCD 00 01" readers >/dev/null 2>&1 && "$sscard" --reader "Virtual PCD 00 00" info >/dev/null 2>&1 && break; sleep 0.1; done
cat >"$work/SSCardDriver.toml" <<EOT
reader = "Virtual PCD 00 00"
psam_reader = "Virtual PCD 00 01"
log = "$work/driver.log"
log_level = "debug"
EOT
cc -O2 -I terminal/driver/include bench/driver-bas.c -L"$lib" -lSSCardDriver -Wl,-rpath,"$lib" -o "$work/driver-bas"
cc -O2 $(pkg-config --cflags libpcsclite) bench/raw-pcsc-replay.c $(pkg-config --libs libpcsclite) -o "$work/raw"
# One logged call: the APDU counts and the card's APDU list for the raw client.
SSCARD_DRIVER_CONFIG="$work/SSCardDriver.toml" "$work/driver-bas" 1 >/dev/null
card_apdus=$(grep -c 'sscard::apdu: > .*reader="Virtual PCD 00 00"' "$work/driver.log" || true)
psam_apdus=$(grep -c 'sscard::apdu: > .*reader="Virtual PCD 00 01"' "$work/driver.log" || true)
calls=2
# The first call's legs in order, card and PSAM interleaved as the driver sent them (PSAM lines
# prefixed `P `), each with the status word the driver got (`:SSSS`), for the raw client. Data
# the log redacts (`<8 bytes redacted>`, e.g. the challenge of the PSAM's 80FA) is replayed as
# that many zero bytes: the same APDU shape, and the PSAM answers it the same way.
grep 'sscard::apdu: [<>] ' "$work/driver.log" | sed 's/.*sscard::apdu: //' | head -n $(((card_apdus + psam_apdus) / calls * 2)) |
  perl -ne 's/<(\d+) bytes redacted>/"00" x $1/e; s/^(\S+) ([0-9A-F]+) *([0-9A-F]*).*reader="Virtual PCD 00 0([01])".*/$1 $2$3 $4/ and print' |
  awk '$1 == ">" {c = ($3 == "1" ? "P " : "") $2} $1 == "<" {print c ":" substr($2, length($2) - 3)}' >"$work/apdus.hex"
sed -i 's/^log_level = "debug"/log_level = "error"/' "$work/SSCardDriver.toml"
us_driver=$(SSCARD_DRIVER_CONFIG="$work/SSCardDriver.toml" "$work/driver-bas" "$runs")
if ! "$work/raw" "Virtual PCD 00 00" "$work/apdus.hex" 1 "Virtual PCD 00 01"; then
  echo "bench-driver: the raw C client failed on the driver's APDU list:" >&2
  cat "$work/apdus.hex" >&2
  grep 'sscard::apdu' "$work/driver.log" | head -40 >&2
  exit 1
fi
t0=$(date +%s%N); "$work/raw" "Virtual PCD 00 00" "$work/apdus.hex" "$runs" "Virtual PCD 00 01" >/dev/null; t1=$(date +%s%N)
us_raw=$(awk -v a="$t0" -v b="$t1" -v n="$runs" 'BEGIN{printf "%.1f", (b-a)/1e3/n}')
echo "card APDUs per iReadCardBas: $((card_apdus / calls)) ($(grep -v '^P ' "$work/apdus.hex" | tr '\n' ' '))"
echo "PSAM APDUs per iReadCardBas: $((psam_apdus / calls)) ($(grep '^P ' "$work/apdus.hex" | cut -c3- | tr '\n' ' '))"
echo "iReadCardBas (libSSCardDriver, card + PSAM): $us_driver us per call ($runs calls)"
echo "raw C client, the same card + PSAM APDUs:    $us_raw us per call ($runs runs)"
echo "ratio driver/raw: $(awk -v a="$us_driver" -v b="$us_raw" 'BEGIN{printf "%.2f", a/b}') (goal <= 1.2)"
