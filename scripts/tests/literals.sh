#!/usr/bin/env bash
# Shows that scripts/check-literals.py catches what it is for: in a scratch tree, each planted
# literal (a FID, an item path, a key name, an item tag) in non-test code fails the check, while
# the same literal in a test module, a specs/ file or a line marked `literal-ok:` does not.
set -euo pipefail
cd "$(dirname "$0")/../.."
check="$PWD/scripts/check-literals.py"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "literals: FAIL: $*" >&2; exit 1; }

mkdir -p "$work/card-os/src" "$work/specs/src"
clean='pub fn f() -> u16 { sscard_specs::ef::SSSE_EF05.fid() }'
echo "$clean" >"$work/card-os/src/lib.rs"
"$check" "$work" >/dev/null || fail "a clean tree is reported"

for planted in \
  'pub fn f() -> u16 { 0xEF05 }' \
  'pub fn f() -> &'"'"'static str { "SSSE/EF06/09" }' \
  'pub fn f() -> &'"'"'static str { "RKSSSE" }' \
  'pub fn f(tag: u8) -> bool { tag == 0x4E }'; do
  printf '%s\n' "$clean" "$planted" >"$work/card-os/src/lib.rs"
  if out="$("$check" "$work" 2>/dev/null)"; then fail "planted literal not caught: $planted"; fi
  grep -q "card-os/src/lib.rs:2:" <<<"$out" || fail "wrong place reported for $planted: $out"
done

printf '%s\n' "$clean" '#[cfg(test)]' 'mod tests { const F: u16 = 0xEF05; }' >"$work/card-os/src/lib.rs"
echo 'pub const F: u16 = 0xEF05;' >"$work/specs/src/lib.rs"
echo 'pub const NOT_A_FILE: u16 = 0xEF3E; // literal-ok: a FID the spec never assigns' >"$work/card-os/src/x.rs"
"$check" "$work" >/dev/null || fail "test modules, specs/ or literal-ok lines are reported"
echo "literals: ok (4 planted literals caught; tests, specs/ and literal-ok lines allowed)"
