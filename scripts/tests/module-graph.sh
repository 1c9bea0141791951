#!/usr/bin/env bash
# Checks scripts/module-graph.py (no module import cycles in any crate):
#  a. the workspace passes (every crate acyclic; known cycles only through the allow-list);
#  b. a planted cycle in a tiny crate (`a` uses crate::b::X, `b` uses crate::a::Y) fails, printed
#     as a path; the same cycle inside #[cfg(test)] modules, or allow-listed, passes;
#  c. re-exports are no cycle: the root's `pub use error::Error;` and `x`'s `use crate::Error;`
#     make the edge x -> error (not x -> crate), also when the root's own code calls into x.
# Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
graph="$PWD/scripts/module-graph.py"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "module-graph: FAIL: $*" >&2; exit 1; }

# a. The workspace.
out="$("$graph")" || fail "the workspace has a module import cycle:"$'\n'"$out"
echo "$out"

# A one-package "workspace": $work/Cargo.toml, sources in $work/src.
fake() {
  rm -rf "$work/src" "$work/scripts"
  mkdir -p "$work/src"
  printf '[package]\nname = "fake"\nversion = "0.0.0"\nedition = "2021"\n' >"$work/Cargo.toml"
}

# b. A cycle.
fake
printf 'mod a;\nmod b;\n' >"$work/src/lib.rs"
printf 'pub struct Y;\npub fn f() -> crate::b::X {\n    crate::b::X\n}\n' >"$work/src/a.rs"
printf 'use crate::a::Y;\npub struct X;\npub fn g() -> Y {\n    Y\n}\n' >"$work/src/b.rs"
if out="$("$graph" "$work")"; then fail "planted cycle not found: $out"; fi
grep -q "^fake: 3 modules, 2 edges, 1 cycles" <<<"$out" || fail "wrong summary: $out"
grep -q "cycle: a -> b -> a" <<<"$out" || fail "cycle not printed as a path: $out"

mkdir -p "$work/scripts"
echo 'fake: b -> a  # test: an allowed edge' >"$work/scripts/module-graph.allow"
out="$("$graph" "$work")" || fail "allow-listed edge still fails: $out"
grep -q "acyclic (1 allowed edges left out)" <<<"$out" || fail "allowed edge not reported: $out"
rm -r "$work/scripts"

printf 'pub struct Y;\n#[cfg(test)]\nmod tests {\n    use crate::b::X;\n}\n' >"$work/src/a.rs"
"$graph" "$work" >/dev/null || fail "a cycle through a #[cfg(test)] module is reported"

# c. Re-exports from the root are edges to the defining module.
fake
printf 'mod error;\nmod x;\n\npub use error::Error;\n' >"$work/src/lib.rs"
printf 'pub struct Error;\n' >"$work/src/error.rs"
printf '// crate::x::f is not a path into x: comments are not read\nuse crate::Error;\npub fn f() -> Error {\n    Error\n}\n' \
  >"$work/src/x.rs"
out="$("$graph" --print "$work")" || fail "a re-export makes a cycle: $out"
grep -Eq "^  x +-> error$" <<<"$out" || fail "use crate::Error is not an edge to error: $out"
grep -Eq "^  crate +-> $" <<<"$out" || fail "the facade root has edges: $out"

printf 'pub fn run() {\n    let _ = x::f();\n}\n' >>"$work/src/lib.rs"
out="$("$graph" --print "$work")" || fail "a root calling into x makes a cycle: $out"
grep -Eq "^  crate +-> x$" <<<"$out" || fail "the root's call into x is not an edge: $out"
echo "module-graph: ok (a planted cycle fails, re-exports and test modules do not)"
