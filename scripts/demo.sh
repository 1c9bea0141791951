#!/usr/bin/env bash
# One command for a newcomer: build sscard and read the bundled demo card (an emulated,
# personalised social security card; fictional holder, TEST keys).
#
# Needs Rust (rustup) and, to build the PC/SC transport, the Debian packages pkg-config and
# libpcsclite-dev: when they are missing this script installs them (as root or with sudo, saying
# so) or stops with the one command to run.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/prereq-lib.sh
. scripts/prereq-lib.sh

if ! command -v cargo >/dev/null 2>&1; then
  echo "sscard: the demo needs Rust; install it, then run this again:" >&2
  echo "    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh" >&2
  exit 2
fi
ensure_debs "building sscard (the PC/SC transport links libpcsclite)" pkg-config libpcsclite-dev || exit $?

cargo build -q --release -p sscard-cli
SSCARD="${CARGO_TARGET_DIR:-target}/release/sscard"
echo "== sscard info --emulator demo/card.img -v   (in-process card OS)"
"$SSCARD" info --emulator demo/card.img -v
echo
echo "== the same as JSON"
"$SSCARD" info --emulator demo/card.img --json
