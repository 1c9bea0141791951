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

echo "== module import graph: no cycles in any crate"
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

echo "== workspace tests"
cargo test --workspace --all-targets
cargo test --workspace --doc
echo "== sscard conform --fault (the CLI built with its non-default feature \`faults\`)"
cargo test -p sscard-cli --features faults --test cli_faults

if [ -x scripts/e2e-pcsc.sh ]; then
  echo "== end-to-end through pcscd + vpcd"
  scripts/e2e-pcsc.sh
fi
