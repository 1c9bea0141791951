#!/usr/bin/env bash
# Wall-clock bench through a real PC/SC stack: `sscard info --reader "Virtual PCD 00 00"` against
# the floor — a raw C PC/SC client (bench/raw-pcsc-replay.c, built here with the system C
# compiler) replaying the identical APDU list — and against pcsc-tools' `scriptor`, on the same
# virtual card (`sscard emulate` serving a freshly personalised image through pcscd + vpcd).
# The figure that counts is the ratio sscard / raw C client (goal <= 1.2).
#
#   scripts/bench-pcsc.sh            # 30 runs each
#   BENCH_RUNS=100 scripts/bench-pcsc.sh
#
# The APDU list is taken from `sscard -v info` (its trace of every C-APDU), so both clients send
# exactly the same commands, every T=0 leg included, and must get the same status words. Each run is a whole process: connect
# to pcscd, SCardConnect, the APDUs, disconnect — what an operator or a HIS integration pays per
# card read. Timing uses hyperfine when installed (Debian package hyperfine), else a bash loop
# over `date +%s%N`; both report the median.
#
# Environment: BENCH_RUNS (default 30), BENCH_PROFILE (release | debug, default release),
# CARGO_TARGET_DIR (honoured). Needs what scripts/setup.sh installs (pcscd, vsmartcard-vpcd,
# pcsc-tools, opensc) and root for pcscd's network namespace (see scripts/pcscd-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/pcscd-lib.sh
. scripts/pcscd-lib.sh

runs="${BENCH_RUNS:-30}"
profile="${BENCH_PROFILE:-release}"
reader="Virtual PCD 00 00"
target_dir="${CARGO_TARGET_DIR:-target}"

for tool in scriptor opensc-tool; do
  command -v "$tool" >/dev/null || { echo "bench-pcsc: missing $tool (scripts/setup.sh)" >&2; exit 2; }
done

echo "== build sscard ($profile)"
if [ "$profile" = "release" ]; then
  cargo build --release -q -p sscard-cli --bin sscard
else
  cargo build -q -p sscard-cli --bin sscard
fi
sscard="$(realpath "$target_dir/$profile/sscard")"

work="$(mktemp -d "${TMPDIR:-/tmp}/sscard-bench.XXXXXX")"
emu_pid=""
started_pcscd=0
cleanup() {
  if [ -n "$emu_pid" ] && kill -0 "$emu_pid" 2>/dev/null; then
    kill -TERM "$emu_pid" 2>/dev/null || true
    wait "$emu_pid" 2>/dev/null || true
  fi
  if [ "$started_pcscd" = 1 ]; then scripts/pcscd-stop.sh >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# pcscd: reuse a running one (e.g. inside scripts/e2e-pcsc.sh), else start and later stop ours.
if vpcd_readers_present; then
  echo "== pcscd already running"
else
  rc=0
  scripts/pcscd-start.sh || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "bench-pcsc: pcscd did not start (rc $rc); see scripts/setup.sh" >&2
    exit "$rc"
  fi
  started_pcscd=1
fi
read -r -a prefix <<<"$(card_side_prefix)"

echo "== a personalised card image"
"$sscard" keys generate --out "$work/keys.toml" >/dev/null 2>&1
"$sscard" init --emulator "$work/card.img" --keys "$work/keys.toml" >/dev/null
"$sscard" personalize --emulator "$work/card.img" --keys "$work/keys.toml" \
  --holder demo/holder.toml >/dev/null

echo "== sscard emulate (in pcscd's namespace)"
"${prefix[@]}" "$sscard" emulate --image "$work/card.img" 2>"$work/emulate.log" &
emu_pid=$!
for _ in $(seq 1 100); do
  if "$sscard" --reader "$reader" info >/dev/null 2>&1; then break; fi
  sleep 0.1
done
"$sscard" --reader "$reader" info >/dev/null

# The APDU list from sscard's own trace (`DEBUG > <hex> reader=...`).
"$sscard" -v --reader "$reader" info 2>"$work/trace.txt" >/dev/null
# Every leg counts (a T=0 GET RESPONSE after 61xx is an APDU too); each line carries the status
# word sscard got (`APDU:SSSS`), so the raw client checks the same answers — e.g. the 6A82 of
# the family probe's SELECT EF0D on a national 2.00 card.
grep -o 'DEBUG [<>] [0-9A-F]*' "$work/trace.txt" |
  awk '$2 == ">" {c = $3} $2 == "<" {print c ":" substr($3, length($3) - 3)}' >"$work/apdus.hex"
sscard_apdus="$(grep -c 'DEBUG > ' "$work/trace.txt")"
cut -d: -f1 "$work/apdus.hex" | sed 's/\(..\)/\1 /g; s/ $//' >"$work/script.txt"
echo "APDU list (from sscard -v info):"
sed 's/^/  /' "$work/script.txt"

# scriptor: the card's ATR announces T=0 only, so pcscd refuses -p T=1 (protocol mismatch).
scriptor -r "$reader" -p T=0 "$work/script.txt" >"$work/scriptor.txt" 2>&1
scriptor_apdus="$(grep -c '^> ' "$work/scriptor.txt")"
# scriptor ends each answer (possibly over several lines) with `SW1 SW2 : text`; they must be the status words sscard got.
scriptor_sws="$(grep ' : ' "$work/scriptor.txt" | sed 's/ : .*//' | awk '{print $(NF-1) $NF}' | tr '\n' ' ')"
sscard_sws="$(cut -d: -f2 "$work/apdus.hex" | tr '\n' ' ')"
if [ "$scriptor_apdus" = "$sscard_apdus" ] && [ "$scriptor_sws" = "$sscard_sws" ]; then :; else
  echo "bench-pcsc: scriptor did not get the $sscard_apdus answers sscard got ($sscard_sws):" >&2
  cat "$work/scriptor.txt" >&2
  exit 1
fi

# The raw C client: the same APDUs, nothing else.
cc -O2 -Wall -Wextra $(pkg-config --cflags libpcsclite) bench/raw-pcsc-replay.c \
  $(pkg-config --libs libpcsclite) -o "$work/raw-pcsc-replay"
"$work/raw-pcsc-replay" "$reader" "$work/apdus.hex" || {
  echo "bench-pcsc: the raw C client failed on the APDU list" >&2
  exit 1
}

sscard_cmd="$sscard --reader '$reader' info"
scriptor_cmd="scriptor -r '$reader' -p T=0 $work/script.txt"
raw_cmd="$work/raw-pcsc-replay '$reader' $work/apdus.hex"

median_loop() { # median_loop CMD -> median seconds (bash loop, date +%s%N)
  local cmd="$1" i t0 t1
  : >"$work/times"
  for i in $(seq 1 "$runs"); do
    t0=$(date +%s%N)
    bash -c "$cmd" >/dev/null 2>&1
    t1=$(date +%s%N)
    echo $((t1 - t0)) >>"$work/times"
  done
  sort -n "$work/times" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.6f\n", m / 1e9}'
}

if command -v hyperfine >/dev/null; then
  tool="hyperfine"
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/hf.json" \
    -n sscard "$sscard_cmd" -n raw-c "$raw_cmd" -n scriptor "$scriptor_cmd" >&2
  read -r m_sscard m_raw m_scriptor < <(python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))["results"]
print(r[0]["median"], r[1]["median"], r[2]["median"])' "$work/hf.json")
else
  tool="bash loop (date +%s%N; hyperfine not installed)"
  bash -c "$sscard_cmd" >/dev/null 2>&1; bash -c "$scriptor_cmd" >/dev/null 2>&1 # warm-up
  m_sscard="$(median_loop "$sscard_cmd")"
  m_raw="$(median_loop "$raw_cmd")"
  m_scriptor="$(median_loop "$scriptor_cmd")"
fi

ratio="$(awk -v a="$m_sscard" -v b="$m_scriptor" 'BEGIN {printf "%.2f", a / b}')"
ratio_raw="$(awk -v a="$m_sscard" -v b="$m_raw" 'BEGIN {printf "%.2f", a / b}')"
echo
echo "bench-pcsc: $runs runs each, timed with $tool, sscard $profile build"
printf 'sscard info   median %8.2f ms   APDUs %s\n' "$(awk -v s="$m_sscard" 'BEGIN{print s*1000}')" "$sscard_apdus"
printf 'raw C client  median %8.2f ms   APDUs %s\n' "$(awk -v s="$m_raw" 'BEGIN{print s*1000}')" "$(wc -l <"$work/apdus.hex")"
printf 'scriptor      median %8.2f ms   APDUs %s\n' "$(awk -v s="$m_scriptor" 'BEGIN{print s*1000}')" "$scriptor_apdus"
echo "ratio sscard/raw C client: $ratio_raw (goal <= 1.2)"
echo "ratio sscard/scriptor: $ratio"
