#!/usr/bin/env python3
"""Fails when the modules of a crate of the workspace import each other in a cycle.

    scripts/module-graph.py [--print] [--allow FILE] [ROOT]      # Python 3.11+, stdlib only
    # exit 0: every crate acyclic; 1: a cycle, printed as `a -> b -> a`; 2: bad input

Crates: every package of ROOT/Cargo.toml's [workspace] members and excludes (fuzz/, card-os/qemu/;
and ROOT when it is a package itself), one crate per target: the lib (`[lib] path`, default
src/lib.rs) and each bin (`[[bin]] path`, src/main.rs, src/bin/*.rs). Prints one line per crate
(modules, edges, acyclic), each cycle with the line that makes each of its edges; `--print` adds
the graph.

Modules: the files reached from the crate root by `mod x;` (`src/a/b.rs`, `src/a/b/mod.rs`:
`a::b`; the root: `crate`). An inline `mod x { ... }` belongs to its file (`super::` inside it
first leaves the inline level). Not read: comments, string and char literals, and every item
under `#[cfg(test)]` (from the attribute to the item's `;` or closing brace: a test module at the
end of a file, a test-only fn, a `#[cfg(test)] mod tests;` whose file is then never reached).

Edges m -> n (n != m):
  1. a path in m's code outside its `use` declarations that starts with `crate::`, `$crate::`,
     `super::`, `self::`, a child module (`n::f()`) or a name m imports, resolved into n;
  2. a `use` in m that is not `pub` (`use crate::n::X;`, `use super::*;`), resolved into n;
  3. a re-export, `pub use n::X;` (any `pub(...)`), only when m's own code uses `X` as well.
  So neither `mod x;` nor a re-export by itself is an edge: a root or mod.rs that only declares
  modules and re-exports (`pub use error::{Error, Result};`, `pub use crate::x::*;`) is a facade
  without edges. When its own code uses a child (`fn run() { cases::all() }`, `pub type R =
  Y<..>` or a variant `E(#[from] XError)` after `pub use x::{XError, Y};`), that is an edge like
  any other.
Resolution: a path follows child modules as far as they go; the name it then reaches, when the
module imports it (any `use`, pub or not: child modules see private imports too) or glob-imports
it from a module that has it, is followed to that import's source. So `crate::Error`, re-exported
by the root from `error`, is an edge to `error`, not to the root. Names from other crates (and
anything else not resolved in the crate) are no edge. Not seen: method calls (`x.spec()` into an
`impl` in another module) and macros' textual scope (`#[macro_use]`): the graph is of names.

Allow-list: ROOT/scripts/module-graph.allow (or --allow FILE), lines `crate: a -> b  # reason`
(the reason is required); those edges are left out of the check and counted as allowed. An entry
that is no longer an edge is warned about (remove it).
"""
import argparse
import glob
import os
import re
import sys
import tomllib

ID = r"[A-Za-z_]\w*"
LITERAL = re.compile(r'//[^\n]*|/\*|b?r(#*)"|b?"(?:\\.|[^"\\])*"|'
                     r"b?'(?:\\(?:x..|u\{\w+\}|.)|[^\\'])'", re.S)
ITEM = r"\b(?:fn|struct|enum|trait|type|const|static|union|mod|macro_rules!)\s+{}\b"


def blank(code, a, b):
    """code with code[a:b] spaced out (newlines and every other position kept)."""
    return code[:a] + re.sub(r"[^\n]", " ", code[a:b]) + code[b:]


def clean(code):
    """The code without comments and string or char literals."""
    out, i = [], 0
    while (m := LITERAL.search(code, i)):
        end = m.end()
        if m.group(0) == "/*":  # block comments nest
            depth = 1
            while depth and end < len(code):
                step = code[end:end + 2]
                depth += (step == "/*") - (step == "*/")
                end += 2 if step in ("/*", "*/") else 1
        elif m.group(1) is not None:  # r#"..."#
            end = code.find('"' + m.group(1), end) + 1 + len(m.group(1))
        out += [code[i:m.start()], re.sub(r"[^\n]", " ", code[m.start():end])]
        i = end
    return "".join(out) + code[i:]


def item_end(code, i):
    """End of the item starting at i: after its `;` or `{...}` (or at the enclosing `}`)."""
    depth = 0
    for j in range(i, len(code)):
        depth += (code[j] in "([{") - (code[j] in ")]}")
        if depth < 0 or (depth == 0 and code[j] in ";}"):
            return j + (depth == 0)
    return len(code)


def parse_use(tree):
    """The leaves of a use tree: (path segments, bound name | '*' | None for `as _`)."""
    leaves, tok = [], re.findall(r"::|\{|\}|,|\*|\$?\w+", tree)

    def walk(i, prefix):
        while tok[i] == "::" or (i + 1 < len(tok) and tok[i + 1] == "::"):
            prefix, i = (prefix, i + 1) if tok[i] == "::" else (prefix + [tok[i]], i + 2)
        if tok[i] == "{":
            i += 1
            while tok[i] != "}":
                i = walk(i, prefix)
                i += tok[i] == ","
            return i + 1
        if tok[i] == "*":
            leaves.append((prefix, "*"))
            return i + 1
        seg, name, i = tok[i], tok[i], i + 1
        if i < len(tok) and tok[i] == "as":
            name, i = tok[i + 1], i + 2
        if seg == "self":  # `use a::{self, ...}`
            seg, name = None, prefix[-1] if name == "self" else name
        leaves.append((prefix + ([seg] if seg else []), None if name == "_" else name))
        return i

    walk(0, [])
    return leaves


class Module:
    """One file: its code, `mod x;` children, `use` imports and the code outside them (body)."""

    def __init__(self, path):
        code = clean(open(path, encoding="utf-8").read())
        while (m := re.search(r"#\[cfg\(test\)\]", code)):
            code = blank(code, m.start(), item_end(code, m.end()))
        self.path, self.lines = path, open(path, encoding="utf-8").read().split("\n")
        self.code, body = code, code
        self.inline = [(m.start(), item_end(code, m.start()))
                       for m in re.finditer(rf"\bmod\s+{ID}\s*\{{", code)]
        self.uses = []  # (segments, bound name, pub, inline depth, position)
        for m in re.finditer(rf"(?<![\w:])(pub(?:\s*\([^)]*\))?\s+)?use\s+", code):
            end = code.index(";", m.end())
            self.uses += [(segs, name, bool(m.group(1)), self.depth(m.start()), m.start())
                          for segs, name in parse_use(code[m.end():end])]
            body = blank(body, m.start(), end + 1)
        self.children = []
        for m in re.finditer(rf"(?<![\w:])mod\s+({ID})\s*;", code):
            self.children.append(m.group(1))
            body = blank(body, m.start(), m.end())
        self.body = body

    def depth(self, pos):
        return sum(a <= pos < b for a, b in self.inline)

    def imported(self, name):
        return next((u for u in self.uses if u[1] == name), None)

    def line(self, pos):
        """`file:line: text` of the source line at pos."""
        n = self.code.count("\n", 0, pos)
        return f"{self.path}:{n + 1}: {self.lines[n].strip()[:100]}"


def child_file(parent, name):
    base = os.path.basename(parent) in ("lib.rs", "main.rs", "mod.rs")
    d = os.path.dirname(parent) if base else parent[:-3]
    for p in (os.path.join(d, name + ".rs"), os.path.join(d, name, "mod.rs")):
        if os.path.exists(p):
            return p
    sys.exit(f"module-graph: {parent}: no file for `mod {name};`")


class Crate:
    def __init__(self, root_file):
        self.mods, todo = {}, [("crate", root_file)]
        while todo:
            name, path = todo.pop()
            self.mods[name] = Module(path)
            todo += [(self.sub(name, c), child_file(path, c)) for c in self.mods[name].children]

    @staticmethod
    def sub(m, child):
        return child if m == "crate" else f"{m}::{child}"

    def resolve(self, m, segs, depth=0, seen=()):
        """(module, named only modules?) a path written in m leads into; None: not this crate."""
        first, rest = segs[0], segs[1:]
        if first in ("crate", "$crate"):
            cur = "crate"
        elif first in ("self", "super"):
            cur, ups = m, int(first == "super")
            while rest[:1] == ["super"]:
                ups, rest = ups + 1, rest[1:]
            for _ in range(ups):  # out of an inline `mod x { }` first, then to the file's parent
                if depth:
                    depth -= 1
                elif cur == "crate":
                    return None
                else:
                    cur = cur.rpartition("::")[0] or "crate"
        elif first in self.mods[m].children:
            cur = self.sub(m, first)
        elif (u := self.mods[m].imported(first)) and (m, first) not in seen:
            return self.resolve(m, u[0] + rest, u[3], seen + ((m, first),))
        else:
            return None
        return self.follow(cur, rest, seen)

    def follow(self, cur, rest, seen):
        while rest and rest[0] in self.mods[cur].children:
            cur, rest = self.sub(cur, rest[0]), rest[1:]
        if not rest:
            return cur, True
        mod, name = self.mods[cur], rest[0]
        if (cur, name) in seen:
            return cur, False
        seen += ((cur, name),)
        if (u := mod.imported(name)):  # imported (re-exported) here: go to its source
            return self.resolve(cur, u[0] + rest[1:], u[3], seen)
        for segs, bound, _, depth, _ in mod.uses:  # glob-imported from a module that has it
            g = self.resolve(cur, segs, depth, seen) if bound == "*" else None
            if g and g[0] != cur and (re.search(ITEM.format(name), self.mods[g[0]].code)
                                      or self.mods[g[0]].imported(name)):
                return self.follow(g[0], rest, seen)
        return cur, False

    def edges(self, m):
        """{n: the position in m of the first code making the edge m -> n}."""
        mod, out = self.mods[m], {}
        scope = set(mod.children) | {u[1] for u in mod.uses} | {"crate", "$crate", "self", "super"}
        for p in re.finditer(rf"(?<![\w:$])(\$crate|{ID})(?:\s*::\s*{ID})+", mod.body):
            segs = re.findall(r"\$?\w+", p.group(0))
            if segs[0] in scope and (t := self.resolve(m, segs, mod.depth(p.start()))):
                out.setdefault(t[0], p.start())
        for segs, name, pub, depth, pos in mod.uses:
            if pub:  # a re-export: an edge from where m's code uses it
                use = name not in (None, "*") and re.search(rf"(?<![\w:.]){name}\b", mod.body)
                pos = use.start() if use else None
            if pos is not None and (t := self.resolve(m, segs, depth)):
                out.setdefault(t[0], pos)
        out.pop(m, None)
        return out


def targets(member):
    """[(crate label, root file)] of the package in `member`: its lib, then its bins."""
    cfg = tomllib.load(open(os.path.join(member, "Cargo.toml"), "rb"))
    pkg, exists = cfg["package"]["name"], lambda p: os.path.exists(os.path.join(member, p))
    lib = cfg.get("lib", {}).get("path", "src/lib.rs")
    found = [(pkg, lib)] if exists(lib) else []
    bins = {}
    for b in cfg.get("bin", []):
        default = f"src/bin/{b['name']}.rs" if exists(f"src/bin/{b['name']}.rs") else "src/main.rs"
        bins[os.path.normpath(b.get("path", default))] = b["name"]
    auto = ["src/main.rs"] if exists("src/main.rs") else []
    auto += [os.path.relpath(p, member) for p in glob.glob(os.path.join(member, "src/bin/*.rs"))]
    for p in sorted(set(bins) | set(auto)):
        name = bins.get(p) or (pkg if p == "src/main.rs" else os.path.basename(p)[:-3])
        found.append((f"{pkg}[bin {name}]", p))
    return [(label, os.path.join(member, p)) for label, p in found]


def cycles(graph):
    """[(a shortest cycle [a, b, ..., a], its strongly connected component)]."""
    def reach(n):
        seen, todo = set(), [n]
        while todo:
            new = graph[todo.pop()] - seen
            seen |= new
            todo += new
        return seen

    reached, found, covered = {n: reach(n) for n in graph}, [], set()
    for n in sorted(graph):
        if n in reached[n] and n not in covered:
            comp = sorted(m for m in reached[n] if n in reached[m])
            covered |= set(comp)
            prev, todo = {}, [n]  # breadth first from n back to n
            while n not in prev:
                m = todo.pop(0)
                for d in sorted(graph[m] - prev.keys()):
                    prev[d] = m
                    todo.append(d)
            path = [n, prev[n]]
            while path[-1] != n:
                path.append(prev[path[-1]])
            found.append((path[::-1], comp))
    return found


def allow_list(path):
    allowed = set()
    for line in open(path, encoding="utf-8") if os.path.exists(path) else []:
        if line.strip() and not line.lstrip().startswith("#"):
            m = re.fullmatch(r"\s*(\S+):\s*(\S+)\s*->\s*(\S+)\s*#\s*\S.*", line.rstrip("\n"))
            if not m:
                print(f"module-graph: {path}: not `crate: a -> b  # reason`: {line.strip()}")
                sys.exit(2)
            allowed.add(m.groups())
    return allowed


def main():
    ap = argparse.ArgumentParser(description="No module import cycles in any crate.")
    ap.add_argument("--print", action="store_true", help="print each crate's graph")
    ap.add_argument("--allow", help="allow-list file (default: ROOT/scripts/module-graph.allow)")
    ap.add_argument("root", nargs="?", default=os.path.join(os.path.dirname(__file__), ".."))
    args = ap.parse_args()
    allowed = allow_list(args.allow or os.path.join(args.root, "scripts", "module-graph.allow"))
    cfg = tomllib.load(open(os.path.join(args.root, "Cargo.toml"), "rb"))
    ws = cfg.get("workspace", {})
    members = [p for pattern in ws.get("members", []) + ws.get("exclude", [])
               for p in sorted(glob.glob(os.path.join(args.root, pattern)))
               if os.path.exists(os.path.join(p, "Cargo.toml"))]
    members += [args.root] if "package" in cfg else []
    failed, used = False, set()
    for label, root_file in (t for member in members for t in targets(member)):
        crate = Crate(root_file)
        why = {m: crate.edges(m) for m in sorted(crate.mods)}
        graph = {m: set(why[m]) for m in why}
        skip = {(label, a, b) for a in graph for b in graph[a]} & allowed
        used |= skip
        for _, a, b in skip:
            graph[a].discard(b)
        if args.print:
            print(f"{label}:")
            for m, deps in graph.items():
                print(f"  {m:<24} -> {', '.join(sorted(deps))}")
        found = cycles(graph)
        summary = f"{label}: {len(graph)} modules, {sum(map(len, graph.values()))} edges, "
        summary += f"{len(found)} cycle(s)" if found else "acyclic"
        print(summary + (f" ({len(skip)} allowed edges left out)" if skip else ""))
        for path, comp in found:
            also = f" (on cycles: {', '.join(comp)})" if len(comp) >= len(path) else ""
            print(f"  cycle: {' -> '.join(path)}{also}")
            for a, b in zip(path, path[1:]):
                line = crate.mods[a].line(why[a][b])
                print(f"    {a} -> {b}: {os.path.relpath(line, args.root)}")
        failed |= bool(found)
    for label, a, b in sorted(allowed - used):
        print(f"module-graph: warning: allow-list entry is no edge: {label}: {a} -> {b}",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
