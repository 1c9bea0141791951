#!/usr/bin/env bash
# End-to-end tests through a real pcscd + vsmartcard vpcd:
#   start pcscd (scripts/pcscd-start.sh), run the e2e test targets with SSCARD_PCSC_E2E=1, stop
#   pcscd again (always, via trap). Called by scripts/test.sh; also fine on its own:
#
#   scripts/e2e-pcsc.sh                 # all e2e targets
#   scripts/e2e-pcsc.sh two_readers     # extra args go to the test binaries (a name filter)
#
# The emulated card is a genuine T=0 card by default (SELECT answers 61xx, GET RESPONSE, 6Cxx on
# a wrong Le); every target runs so. A second pass runs E2E_T1_TARGETS with the card in T=1
# (SSCARD_CARD_PROTOCOL=t1: its ATR announces T=1, pcscd negotiates T=1): `sscard info` and
# `read`, `conform`, the scriptor/opensc peers. SSCARD_E2E_T1=0 skips that pass.
#
# The tests play the card, so they run inside pcscd's private network namespace
# (`ip netns exec`, see scripts/pcscd-lib.sh); they are compiled outside it first.
# They are `#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]` (a plain `cargo test`
# reports them ignored, never passed), so they run here with `--include-ignored` (the ignored
# e2e tests plus any not-ignored test of the same binary); with SSCARD_PCSC_E2E=1 set, a test
# fails when pcscd does not answer.
# Missing prerequisites (pcscd, vpcd, opensc-tool, root for the namespace) make this print SKIP
# and exit 0, unless SSCARD_E2E_REQUIRED=1.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/pcscd-lib.sh
. scripts/pcscd-lib.sh

# Each entry: the cargo test selection of one e2e target. Add new e2e targets here.
E2E_TARGETS=(
  "-p sscard-emulate --test pcsc_vpcd"
  "-p sscard-conform --test conform_pcsc"
  "-p sscard-e2e --test pcsc_cli"
  "-p sscard-e2e --test pcsc_psam"
  "-p sscard-e2e --test pcsc_purse"
  "-p sscard-e2e --test pcsc_peers"
  "-p sscard-e2e --test pcsc_faults"
  "-p sscard-e2e --test pcsc_driver"
  "-p sscard-serve --test serve_pcsc"
  "-p sscard-serve --test serve_security"
  "-p sscard-serve --test serve_page"
  "-p sscard-serve --test serve_load"
  "-p sscard-serve --test serve_tls"
)

# The T=1 pass: target and the test-name filter it runs with (a filter given on the command line
# replaces it).
E2E_T1_TARGETS=(
  "-p sscard-e2e --test pcsc_cli|info_through_pcsc read_items_through_pcsc emulate_command"
  "-p sscard-conform --test conform_pcsc|conform_through_pcscd"
  "-p sscard-e2e --test pcsc_peers|scriptor opensc"
)

rc=0
scripts/pcscd-start.sh || rc=$?
if [ "$rc" -eq 2 ]; then
  if [ "${SSCARD_E2E_REQUIRED:-0}" = "1" ]; then
    echo "e2e-pcsc: prerequisites missing (see above) and SSCARD_E2E_REQUIRED=1" >&2
    exit 1
  fi
  echo "e2e-pcsc: SKIP (prerequisites missing, see above; scripts/setup.sh installs them)" >&2
  exit 0
elif [ "$rc" -ne 0 ]; then
  echo "e2e-pcsc: pcscd did not start; log: $PCSCD_LOG" >&2
  exit "$rc"
fi
trap 'scripts/pcscd-stop.sh' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

read -r -a prefix <<<"$(card_side_prefix)"

# pcsc_driver runs the test HSM back end, a binary of sscard-driver (not built as a dependency).
cargo build -p sscard-driver --bins

for target in "${E2E_TARGETS[@]}"; do
  read -r -a sel <<<"$target"
  echo "== e2e: cargo test ${sel[*]}"
  cargo test "${sel[@]}" --no-run
  # Run inside the namespace; cargo only runs the already built binary there.
  SSCARD_CARD_PROTOCOL=t0 SSCARD_PCSC_E2E=1 "${prefix[@]}" cargo test --offline "${sel[@]}" -- --test-threads=1 --include-ignored "$@"
done
if [ "${SSCARD_E2E_T1:-1}" != "0" ]; then
  for entry in "${E2E_T1_TARGETS[@]}"; do
    read -r -a sel <<<"${entry%%|*}"
    read -r -a filter <<<"${entry#*|}"
    [ "$#" -gt 0 ] && filter=("$@")
    echo "== e2e (card in T=1): cargo test ${sel[*]} -- ${filter[*]}"
    SSCARD_CARD_PROTOCOL=t1 SSCARD_PCSC_E2E=1 "${prefix[@]}" cargo test --offline "${sel[@]}" -- --test-threads=1 --include-ignored "${filter[@]}"
  done
fi
echo "e2e-pcsc: all passed (pcscd log: $PCSCD_LOG)"
