#!/usr/bin/env bash
# Shows that scripts/module-graph.py catches what it is for: the real tree is acyclic; in a
# scratch workspace a planted cycle between two modules fails the check and is printed with the
# lines that make it, while a re-export facade (`pub use error::Error;` at the root, `use
# crate::Error;` in a module) and a root that only declares modules do not count as cycles.
set -euo pipefail
cd "$(dirname "$0")/../.."
check="$PWD/scripts/module-graph.py"
"$check" >/dev/null || { "$check"; echo "module-graph: FAIL: the tree has an import cycle" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "module-graph: FAIL: $*" >&2; exit 1; }
printf '[workspace]\nmembers = ["k"]\n' >"$work/Cargo.toml"
mkdir -p "$work/k/src"

printf 'mod a;\nmod b;\n' >"$work/k/src/lib.rs"
printf 'use crate::b::Y;\npub struct X;\n' >"$work/k/src/a.rs"
printf 'use crate::a::X;\npub struct Y;\n' >"$work/k/src/b.rs"
if out="$("$check" "$work" 2>&1)"; then fail "planted cycle a -> b -> a not caught"; fi
grep -q "cycle: a -> b -> a" <<<"$out" || fail "cycle not printed as a path: $out"
grep -q "k/src/a.rs:1: use crate::b::Y;" <<<"$out" || fail "edge line not shown: $out"

printf 'mod error;\nmod x;\npub use error::Error;\n' >"$work/k/src/lib.rs"
printf 'pub struct Error;\n' >"$work/k/src/error.rs"
printf 'use crate::Error;\npub fn f() -> Option<Error> { None }\n' >"$work/k/src/x.rs"
rm "$work/k/src/a.rs" "$work/k/src/b.rs"
"$check" "$work" >/dev/null || fail "a re-export facade is reported as a cycle: $("$check" "$work" 2>&1)"

printf 'use crate::x::g;\npub struct Error;\npub fn e() { g() }\n' >"$work/k/src/error.rs"
printf 'use crate::Error;\npub fn g() {}\npub fn f() -> Option<Error> { None }\n' >"$work/k/src/x.rs"
if "$check" "$work" >/dev/null 2>&1; then fail "a cycle through a re-export (x -> error -> x) not caught"; fi
echo "module-graph: ok (the tree is acyclic; a planted cycle and a cycle through a re-export are caught; a re-export facade is not)"
