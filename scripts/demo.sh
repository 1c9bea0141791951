#!/usr/bin/env bash
# One command for a newcomer: build sscard and read the bundled demo card (an emulated,
# personalised social security card; fictional holder, TEST keys). Needs only Rust.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p sscard-cli
SSCARD=target/release/sscard
if [ -n "${CARGO_TARGET_DIR:-}" ]; then SSCARD="$CARGO_TARGET_DIR/release/sscard"; fi
echo "== sscard info --emulator demo/card.img -v   (in-process card OS)"
"$SSCARD" info --emulator demo/card.img -v
echo
echo "== the same as JSON"
"$SSCARD" info --emulator demo/card.img --json
