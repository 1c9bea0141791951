#!/usr/bin/env python3
"""Fails when a file identifier, item path, item tag or key name is spelled out as a literal
outside `specs/` in non-test Rust code (issue: `specs/` is the one place they are written).

    scripts/check-literals.py [ROOT]      # exit 0: clean; 1: literals found (listed)

What counts as a literal (in code, not in comments or doc comments):
  - FIDs: 0xEFxx, 0xDFxx, 0x3F00 (and the same as byte pairs 0xEF, 0x05 in one array);
  - item paths: "SSSE/EF05", "DF04/EF05/81", ...;
  - key names: "RKSSSE", "UK1DF01", "IRK", "PUK", "STK", "CIDK", "DPK", "DLK", "DTK", ...;
  - item tags compared or looked up by number: `tag == 0x09`, `.tag() == 0x4E`, `by_tag(0x07)`,
    `ByTag(0x08)`, `Tag(0x01)`.
Skipped: `specs/`, everything under a `tests/`, `benches/`, `examples/` or `fuzz/` folder,
`#[cfg(test)]` modules (from the attribute to the end of the file — the convention in this tree),
and lines marked `// literal-ok: <reason>` (a deliberate value the spec does not name, e.g. a FID
that must not exist).
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
SKIP_DIRS = {"specs", "tests", "benches", "examples", "fuzz", "target", ".git", "qemu", "tools"}
KEY = r"(?:(?:RK|UK)[0-9A-F]?(?:SSSE|DF0[1-7])|IRK|PUK|STK(?:DF0[56])?|CIDK|DPK|DLK|DTK|LKDF06)"
PATTERNS = [
    ("FID", re.compile(r"\b0x(?:EF|DF)[0-9A-Fa-f]{2}\b|\b0x3F00\b")),
    ("item path", re.compile(r'"(?:SSSE|MF|DF0[1-7])/EF[0-9A-Fa-f]{2}')),
    ("key name", re.compile(r'"' + KEY + r'"')),
    ("item tag", re.compile(r"(?:\btag\(?\)?\s*==\s*|by_tag\(|ByTag\(|\bTag\()0x[0-9A-Fa-f]{2}\b")),
]
COMMENT = re.compile(r"^\s*//")


def code_part(line):
    """The line without a trailing // comment (strings containing // are rare here)."""
    i = line.find("//")
    return line if i < 0 else line[:i]


def scan(path):
    hits = []
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    for n, line in enumerate(lines, 1):
        if line.strip().startswith("#[cfg(test)]"):
            break
        if COMMENT.match(line) or "literal-ok:" in line:
            continue
        code = code_part(line)
        for what, rx in PATTERNS:
            for m in rx.finditer(code):
                hits.append((n, what, m.group(0), line.rstrip()))
    return hits


def main():
    found = 0
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel = os.path.relpath(dirpath, ROOT)
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for name in filenames:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(dirpath, name)
            for n, what, lit, line in scan(path):
                found += 1
                print(f"{os.path.relpath(path, ROOT)}:{n}: {what} literal {lit}: {line.strip()}")
    if found:
        print(f"check-literals: {found} literal(s) outside specs/ — use the names sscard_specs exports", file=sys.stderr)
        return 1
    print("check-literals: ok (no FID, item path, item tag or key-name literal outside specs/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
