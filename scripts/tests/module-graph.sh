#!/usr/bin/env bash
# Shows that scripts/module-graph.py catches what it is for:
#  a. the real tree is acyclic (known cycles only through scripts/module-graph.allow);
#  b. in a scratch workspace, a planted cycle (`a` uses crate::b::X, `b` uses crate::a::Y) fails
#     and is printed as a path with the line that makes each edge, also after a #[cfg(test)] fn;
#     the same cycle allow-listed, or made only by a #[cfg(test)] module, passes;
#  c. re-exports: the root's `pub use error::Error;` and `x`'s `use crate::Error;` are the edge
#     x -> error (a facade root has no edges; its own code calling into x is one), while a cycle
#     through re-exports (error re-exports x's g and calls it, x uses crate::Error) is caught.
set -euo pipefail
cd "$(dirname "$0")/../.."
check="$PWD/scripts/module-graph.py"
fail() { echo "module-graph: FAIL: $*" >&2; exit 1; }

# a. The tree.
out="$("$check")" || fail "the tree has a module import cycle:"$'\n'"$out"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '[workspace]\nmembers = ["k"]\n' >"$work/Cargo.toml"
mkdir -p "$work/k/src"
printf '[package]\nname = "k"\nversion = "0.0.0"\nedition = "2021"\n' >"$work/k/Cargo.toml"

# b. A planted cycle.
printf 'mod a;\nmod b;\n' >"$work/k/src/lib.rs"
printf 'pub struct Y;\npub fn f() -> crate::b::X {\n    crate::b::X\n}\n' >"$work/k/src/a.rs"
printf 'use crate::a::Y;\npub struct X;\npub fn g() -> Y {\n    Y\n}\n' >"$work/k/src/b.rs"
if out="$("$check" "$work")"; then fail "planted cycle a -> b -> a not caught: $out"; fi
grep -q "^k: 3 modules, 2 edges, 1 cycle(s)" <<<"$out" || fail "wrong summary: $out"
grep -q "cycle: a -> b -> a" <<<"$out" || fail "cycle not printed as a path: $out"
grep -q "a -> b: k/src/a.rs:2: pub fn f() -> crate::b::X {" <<<"$out" || fail "edge line not shown: $out"
grep -q "b -> a: k/src/b.rs:1: use crate::a::Y;" <<<"$out" || fail "edge line not shown: $out"

mkdir -p "$work/scripts"
echo 'k: b -> a  # test: an allowed edge' >"$work/scripts/module-graph.allow"
out="$("$check" "$work")" || fail "an allow-listed edge still fails: $out"
grep -q "^k: 3 modules, 1 edges, acyclic (1 allowed edges left out)" <<<"$out" || fail "allowed edge not counted: $out"
rm -r "$work/scripts"

printf '#[cfg(test)]\nfn t() {}\npub struct Y;\npub fn f() -> crate::b::X {\n    crate::b::X\n}\n' >"$work/k/src/a.rs"
"$check" "$work" >/dev/null && fail "code after a #[cfg(test)] fn is not read"
printf 'pub struct Y;\n#[cfg(test)]\nmod tests {\n    use crate::b::X;\n}\n' >"$work/k/src/a.rs"
"$check" "$work" >/dev/null || fail "a cycle made by a #[cfg(test)] module is reported"

# c. Re-exports.
rm "$work/k/src/a.rs" "$work/k/src/b.rs"
printf 'mod error;\nmod x;\n\npub use error::Error;\n' >"$work/k/src/lib.rs"
printf 'pub struct Error;\n' >"$work/k/src/error.rs"
printf '// crate::lib is a comment, not a path\nuse crate::Error;\npub fn g() {}\npub fn f() -> Option<Error> {\n    None\n}\n' \
  >"$work/k/src/x.rs"
out="$("$check" --print "$work")" || fail "a re-export facade is reported as a cycle: $out"
grep -Eq "^  x +-> error$" <<<"$out" || fail "use crate::Error is not the edge x -> error: $out"
grep -Eq "^  crate +-> $" <<<"$out" || fail "the facade root has edges: $out"

printf 'pub fn run() {\n    x::g();\n}\n' >>"$work/k/src/lib.rs"
out="$("$check" --print "$work")" || fail "a root calling into x is reported as a cycle: $out"
grep -Eq "^  crate +-> x$" <<<"$out" || fail "the root's call into x is not an edge: $out"

printf 'pub use crate::x::g;\npub struct Error;\npub fn e() {\n    g()\n}\n' >"$work/k/src/error.rs"
if out="$("$check" "$work")"; then fail "a cycle through a re-export (x -> error -> x) not caught: $out"; fi
grep -q "cycle: error -> x -> error" <<<"$out" || fail "cycle through a re-export not printed: $out"
echo "module-graph: ok (the tree is acyclic; planted cycles are caught, through a re-export too; a re-export facade, allowed edges and test code are not cycles)"
