#!/usr/bin/env python3
"""No module import cycles in any crate of the workspace.

    scripts/module-graph.py [--print] [ROOT]     # exit 0: every crate acyclic; 1: a cycle (printed)

For every crate (the root Cargo.toml's workspace members, plus fuzz/ and card-os/qemu/), each
`.rs` file under `src/` is a module (`src/a/b.rs` and `src/a/b/mod.rs` are `a::b`; `lib.rs` and
`main.rs` the crate root; a file under `src/bin/` is a crate of its own). Inline `mod x { … }`
blocks belong to their file. Comments and everything from a `#[cfg(test)]` line to the end of a
file (this tree's convention for test modules) are left out.

An edge m → n means m's code names a path into n: `crate::…`, `super::…`, `self::…`, or a child
module by relative path (`select::cases()` in the module holding `select`). A path is followed
segment by segment through modules; a segment that is an item **re-exported** by the module
reached so far (`pub use self::error::Error;`, `pub use error::{Error, Result};`,
`pub use crate::x::Y as Z;`) leads to the module that defines it, so `use crate::Error` is an edge
to `error`, not to the root. The re-export lines themselves (`pub use …`, `pub(crate) use …`) are
aliases, not code: they make no edge, which is what lets a root or `mod.rs` act as a facade. A
plain `use` or any other code naming a module is an edge. Glob re-exports (`pub use a::*`) point
every unknown name of that module at `a`.

A cycle is a strongly connected component of more than one module; it is printed as a path
`a -> b -> a` with the line that makes each edge.
"""
import os
import re
import sys

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PATH_START = re.compile(r"(?<![A-Za-z0-9_:$])(crate|super|self)::")


def crates(root):
    """(name, src dir, [root files]) of every crate of the workspace."""
    text = open(os.path.join(root, "Cargo.toml"), encoding="utf-8").read()
    m = re.search(r"members\s*=\s*\[(.*?)\]", text, re.S)
    members = re.findall(r'"([^"]+)"', m.group(1)) if m else []
    for extra in ("fuzz", "card-os/qemu"):
        if os.path.isfile(os.path.join(root, extra, "Cargo.toml")):
            members.append(extra)
    out = []
    for mem in members:
        src = os.path.join(root, mem, "src")
        if not os.path.isdir(src):
            continue
        for top in ("lib.rs", "main.rs"):
            if os.path.isfile(os.path.join(src, top)):
                out.append((f"{mem} ({top})", src, top))
        bindir = os.path.join(src, "bin")
        if os.path.isdir(bindir):
            for f in sorted(os.listdir(bindir)):
                if f.endswith(".rs"):
                    out.append((f"{mem} (bin/{f})", bindir, f))
        if mem == "fuzz":
            fz = os.path.join(root, mem, "fuzz_targets")
            for f in sorted(os.listdir(fz)) if os.path.isdir(fz) else []:
                out.append((f"fuzz ({f})", fz, f))
    return out


def module_files(src, top):
    """{module name: file} for the crate rooted at src/top (bin crates: that file alone)."""
    mods = {"crate": os.path.join(src, top)}
    if top not in ("lib.rs", "main.rs") or os.path.basename(src) == "bin":
        return mods
    if top == "main.rs" and os.path.isfile(os.path.join(src, "lib.rs")):
        return mods  # a binary over the crate's own library: main.rs alone
    for dirpath, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d != "bin"]
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), src)
            parts = rel[:-3].split(os.sep)
            if parts[-1] == "mod":
                parts.pop()
            if parts in (["lib"], ["main"]):
                continue
            mods["::".join(parts)] = os.path.join(dirpath, f)
    return mods


def code_lines(path):
    out = []
    block = False
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        s = line.strip()
        if s.startswith("#[cfg(test)]"):
            break
        if block:
            if "*/" in line:
                block = False
            continue
        if s.startswith("/*") and "*/" not in s:
            block = True
            continue
        i = line.find("//")
        out.append((n, line if i < 0 else line[:i]))
    return out


def join_statements(lines):
    """(first line number, text) of each `use` statement (joined over lines) and every other line."""
    out, buf, start = [], "", 0
    for n, text in lines:
        s = text.strip()
        if buf:
            buf += " " + s
            if ";" in s:
                out.append((start, buf))
                buf = ""
        elif re.match(r"(pub(\([^)]*\))?\s+)?use\s", s) and ";" not in s:
            buf, start = s, n
        else:
            out.append((n, text))
    return out


def split_top(group):
    """`a::B, c::{D, E}` → ['a::B', 'c::{D, E}']."""
    parts, depth, cur = [], 0, ""
    for ch in group:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def expand(path):
    """`a::{b::C, D}` → ['a::b::C', 'a::D'] (one level of braces per call, recursively)."""
    i = path.find("{")
    if i < 0:
        return [path.split(" as ")[0].strip()]
    head, inner = path[:i], path[i + 1 : path.rfind("}")]
    out = []
    for p in split_top(inner):
        out.extend(expand(head + p) if p != "self" else [head.rstrip(":")])
    return out


def paths_in(text):
    """The module paths a line names, each as (anchor, [segments])."""
    out = []
    for m in PATH_START.finditer(text):
        rest = text[m.end() :]
        if rest.startswith("{"):
            depth, j = 0, 0
            for j, ch in enumerate(rest):
                depth += ch == "{"
                depth -= ch == "}"
                if depth == 0:
                    break
            full = [m.group(1) + "::" + p for p in expand(rest[: j + 1])]
        else:
            seg = re.match(r"[A-Za-z0-9_:]*", rest).group(0)
            full = [m.group(1) + "::" + seg]
        for f in full:
            segs = [s for s in f.split("::") if s]
            out.append((segs[0], segs[1:]))
    return out


def parent(m):
    return m.rsplit("::", 1)[0] if "::" in m else "crate"


def child(m, c):
    return c if m == "crate" else f"{m}::{c}"


class Crate:
    def __init__(self, src, top):
        self.files = module_files(src, top)
        self.stmts = {m: join_statements(code_lines(f)) for m, f in self.files.items()}
        self.reexports = {}  # (module, name) -> (anchor module, segments)
        self.globs = {}  # module -> [(anchor module, segments)]
        for m, stmts in self.stmts.items():
            for _, text in stmts:
                s = text.strip()
                r = re.match(r"pub(\([^)]*\))?\s+use\s+(.*);", s)
                if not r:
                    continue
                for p in expand(r.group(2)):
                    alias = re.search(r"\bas\s+(\w+)\s*$", p)
                    segs = [x for x in p.split(" as ")[0].strip().split("::") if x]
                    base, segs = self.anchor(m, segs)
                    if not segs:
                        continue
                    if segs[-1] == "*":
                        self.globs.setdefault(m, []).append((base, segs[:-1]))
                    else:
                        self.reexports[(m, alias.group(1) if alias else segs[-1])] = (base, segs)

    def anchor(self, m, segs):
        if segs and segs[0] == "crate":
            return "crate", segs[1:]
        if segs and segs[0] == "self":
            return m, segs[1:]
        if segs and segs[0] == "super":
            base = m
            while segs and segs[0] == "super":
                base, segs = parent(base), segs[1:]
            return base, segs
        if segs and child(m, segs[0]) in self.files:
            return m, segs
        return None, segs  # an external crate

    def resolve(self, base, segs, seen=()):
        """The module a path starting at module `base` leads to."""
        cur = base
        for s in segs:
            if base is None:
                return None
            c = child(cur, s)
            if c in self.files:
                cur = c
                continue
            key = (cur, s)
            if key in self.reexports and key not in seen:
                b, sg = self.reexports[key]
                return self.resolve(b, sg, seen + (key,))
            for b, sg in self.globs.get(cur, []):
                t = self.resolve(b, sg + [s], seen + ((cur, s),))
                if t is not None and t != cur:
                    return t
            return cur
        return cur

    def edges(self):
        graph = {m: {} for m in self.files}
        for m, stmts in self.stmts.items():
            kids = [c for c in self.files if c != m and parent(c) == m]
            for n, text in stmts:
                if re.match(r"\s*pub(\([^)]*\))?\s+use\s", text) or re.match(r"\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*;", text):
                    continue
                targets = []
                for anchor, segs in paths_in(text):
                    base, segs = self.anchor(m, [anchor] + segs)
                    targets.append(self.resolve(base, segs))
                for c in kids:
                    name = c.rsplit("::", 1)[-1]
                    if re.search(r"(?<![A-Za-z0-9_:])" + re.escape(name) + r"::", text):
                        targets.append(self.resolve(c, []))
                for t in targets:
                    if t is not None and t != m:
                        graph[m].setdefault(t, (n, text.strip()))
        return graph


def sccs(graph):
    index, low, on, stack, out, i = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = i[0]
        i[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [c for c in out if len(c) > 1]


def cycle_path(graph, comp):
    """One cycle inside the component, as a list of modules (first == last)."""
    comp = set(comp)
    start = min(comp)
    prev, frontier = {start: None}, [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v]):
                if w == start:
                    path = [v]
                    while prev[path[-1]] is not None:
                        path.append(prev[path[-1]])
                    return [start] + path[::-1][1:] + [start] if len(path) > 1 else [start, v, start]
                if w in comp and w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    return [start]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    show = "--print" in sys.argv
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    bad = 0
    for name, src, top in crates(root):
        c = Crate(src, top)
        g = c.edges()
        nedges = sum(len(v) for v in g.values())
        cyc = sccs(g)
        print(f"{name}: {len(g)} modules, {nedges} edges, {'acyclic' if not cyc else f'{len(cyc)} cycle(s)'}")
        if show:
            for m in sorted(g):
                print(f"    {m} -> {', '.join(sorted(g[m])) or '-'}")
        for comp in cyc:
            bad += 1
            path = cycle_path(g, comp)
            print(f"  cycle: {' -> '.join(path)}")
            for a, b in zip(path, path[1:]):
                n, text = g[a][b]
                print(f"    {a} -> {b}: {os.path.relpath(c.files[a], root)}:{n}: {text[:100]}")
    if bad:
        print(f"module-graph: {bad} import cycle(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
