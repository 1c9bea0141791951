#!/usr/bin/env bash
# Installs what sscard needs on a fresh Debian machine: the PC/SC stack with the vsmartcard virtual
# reader driver, peer tools used by the end-to-end tests, and the Cortex-M target and QEMU for the
# card OS.
# Idempotent; safe to run again.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
# chromium: the conformance HTML report is checked in headless Chromium; iproute2: pcscd runs in a
# private network namespace (vpcd listens on 0.0.0.0); hyperfine: scripts/bench-pcsc.sh;
# qemu-system-arm: the card OS firmware on an emulated Cortex-M4 (card-os/qemu/run.sh).
PKGS=(pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools opensc pkg-config iproute2 chromium hyperfine
  qemu-system-arm)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! rustup target list --installed | grep -q thumbv7em-none-eabi; then
  rustup target add thumbv7em-none-eabi
fi
echo "setup: ok"
