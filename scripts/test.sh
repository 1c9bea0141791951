#!/usr/bin/env bash
# The one command that runs every sscard test: unit, property, integration, the no_std Cortex-M
# builds, the card OS under QEMU and the end-to-end PC/SC tests through a real pcscd + vpcd.
# It first runs scripts/setup.sh, which installs whatever is missing (and does nothing when all
# is there).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export PROPTEST_CASES="${PROPTEST_CASES:-256}"

echo "== the newcomer's door: scripts/demo.sh without libpcsclite-dev (simulated)"
scripts/tests/door.sh

echo "== names: no FID, item path, tag or key-name literal outside specs/ (and the check catches planted ones)"
scripts/check-literals.py
scripts/tests/literals.sh

echo "== module import graph: no cycles in any crate (and the check catches planted ones)"
scripts/module-graph.py
scripts/tests/module-graph.sh

echo "== no_std builds for thumbv7em-none-eabi"
cargo build -p sscard-apdu -p sscard-keys --target thumbv7em-none-eabi
if grep -q '^#!\[cfg_attr\|^#!\[no_std' card-os/src/lib.rs; then
  cargo build -p sscard-card-os --target thumbv7em-none-eabi --release
  echo "== card OS size (firmware profile): flash <= 64 KiB, static RAM <= 8 KiB, no core::fmt"
  card-os/tools/size.sh --check
  if command -v qemu-system-arm >/dev/null; then
    echo "== card OS on a Cortex-M4 (QEMU mps2-an386): APDU session, stack high-water + card object <= 8 KiB"
    card-os/qemu/run.sh
  else
    echo "SKIP card OS under QEMU: qemu-system-arm not installed (scripts/setup.sh installs it)"
  fi
fi

echo "== fuzz targets compile (run them with cargo fuzz, see fuzz/Cargo.toml)"
cargo check -q --manifest-path fuzz/Cargo.toml --bins --target-dir "${CARGO_TARGET_DIR:-target}"

echo "== libSSCardDriver for 32-bit Windows (stdcall, undecorated names via SSCardDriver.def)"
if rustup target list --installed | grep -q i686-pc-windows-msvc; then
  cargo check -q -p sscard-driver --target i686-pc-windows-msvc
else
  echo "SKIP i686-pc-windows-msvc check: rustup target add i686-pc-windows-msvc"
fi

echo "== workspace tests (the emulated card in T=0, the default)"
SSCARD_CARD_PROTOCOL=t0 cargo test --workspace --all-targets
cargo test --workspace --doc
echo "== the emulated card in T=1 (SSCARD_CARD_PROTOCOL=t1): terminal library, conform's correct card, CLI"
SSCARD_CARD_PROTOCOL=t1 cargo test -p sscard-terminal --tests
SSCARD_CARD_PROTOCOL=t1 cargo test -p sscard-conform --test conform
SSCARD_CARD_PROTOCOL=t1 cargo test -p sscard-cli --test cli
echo "== sscard conform --fault (the CLI built with its non-default feature \`faults\`)"
cargo test -p sscard-cli --features faults --test cli_faults

echo "== libSSCardDriver.so exports the national names"
cargo build -q -p sscard-driver --lib
exports="$(nm -D --defined-only "${CARGO_TARGET_DIR:-target}/debug/libSSCardDriver.so" | awk '$2 == "T" {print $3}')"
for f in $(sed -n 's/^    \([A-Za-z_0-9]*\)$/\1/p' terminal/driver/SSCardDriver.def); do
  grep -qx "$f" <<<"$exports" || { echo "libSSCardDriver.so does not export $f" >&2; exit 1; }
done
echo "exports: every name of terminal/driver/SSCardDriver.def is in libSSCardDriver.so"

if [ -x scripts/e2e-pcsc.sh ]; then
  echo "== end-to-end through pcscd + vpcd"
  scripts/e2e-pcsc.sh
fi
