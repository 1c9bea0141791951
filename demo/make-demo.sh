#!/usr/bin/env bash
# Regenerates the demo card image demo/card.img from demo/holder.toml, through the same APDUs a
# real personalisation uses: `sscard init` (factory: blank card, keys diversified from
# demo/test-keys.toml) then `sscard personalize` (UK external authentication + UPDATE RECORD,
# each item read back, PIN RELOAD to the holder's PIN).
#
# demo/test-keys.toml is kept when it exists (regenerating it would make the old image's keys
# unknown); delete it to get a fresh random TEST key set.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -p sscard-cli --release
SSCARD="${CARGO_TARGET_DIR:-target}/release/sscard"

field() { sed -n "s/^$1 *= *\"\([^\"]*\)\".*/\1/p" demo/holder.toml | head -n1; }
REGION="$(field region)"
SERIAL="$(field serial)"
VERSION="$(field spec_version)"
SUITE="sscard-2"
[ "$VERSION" = "3.00" ] && SUITE="sscard-3"

if [ ! -f demo/test-keys.toml ]; then
  "$SSCARD" keys generate --out demo/test-keys.toml --suite "$SUITE"
fi
"$SSCARD" init --emulator demo/card.img --keys demo/test-keys.toml \
  --spec-version "$VERSION" --region "$REGION" --serial "$SERIAL" --force
"$SSCARD" personalize --emulator demo/card.img --keys demo/test-keys.toml --holder demo/holder.toml
"$SSCARD" info --emulator demo/card.img -v
