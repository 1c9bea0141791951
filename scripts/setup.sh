#!/usr/bin/env bash
# Installs what sscard's tests need on a fresh Debian machine: the PC/SC stack with the vsmartcard
# virtual reader driver, peer tools used by the end-to-end tests, and the Cortex-M target and QEMU
# for the card OS. Idempotent and quick when everything is there; `scripts/test.sh` calls it.
# Installing needs root or sudo (it says so); without either it prints the one command to run.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/prereq-lib.sh
. scripts/prereq-lib.sh
# chromium: the conformance HTML report is checked in headless Chromium; iproute2: pcscd runs in a
# private network namespace (vpcd listens on 0.0.0.0); hyperfine: scripts/bench-pcsc.sh;
# qemu-system-arm: the card OS firmware on an emulated Cortex-M4 (card-os/qemu/run.sh);
# fonts-wqy-zenhei: Chinese glyphs in the `sscard serve` page screenshot (headless Chromium).
PKGS=(pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools opensc pkg-config iproute2 chromium hyperfine
  qemu-system-arm fonts-wqy-zenhei)
ensure_debs "the sscard test suite" "${PKGS[@]}"
if ! rustup target list --installed | grep -q thumbv7em-none-eabi; then
  echo "setup: adding the Rust target thumbv7em-none-eabi (the card OS's Cortex-M build)" >&2
  rustup target add thumbv7em-none-eabi
fi
echo "setup: ok"
