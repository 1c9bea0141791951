//! The card OS's modules import each other without cycles. Every `crate::…`, `super::…` and
//! `self::…` path (followed to the deepest module it names, and through a module's `pub use`
//! re-exports to where the item is defined) and every use of a child module by a relative path
//! (`rng::Rng` in `chip`) in `src/` is an edge; re-export statements themselves are not, and the
//! edges must form a DAG. Prints the graph (`-- --nocapture`). Test modules and comments are left
//! out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `src/psam/os.rs` → `psam::os`, `src/lib.rs` → `crate`, `src/psam/mod.rs` → `psam`.
fn module_of(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    if parts.is_empty() {
        "crate".to_string()
    } else {
        parts.join("::")
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths of a use tree at the start of `s` (`a::{b, c::D}` → `[a, b]`, `[a, c, D]`).
fn tree(s: &str) -> Vec<Vec<String>> {
    fn parse(s: &str, i: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
        let b = s.as_bytes();
        let mut path = prefix.to_vec();
        loop {
            while *i < b.len() && b[*i].is_ascii_whitespace() {
                *i += 1;
            }
            if *i < b.len() && b[*i] == b'{' {
                *i += 1;
                loop {
                    parse(s, i, &path, out);
                    while *i < b.len() && b[*i].is_ascii_whitespace() {
                        *i += 1;
                    }
                    match b.get(*i) {
                        Some(b',') => *i += 1,
                        Some(b'}') => {
                            *i += 1;
                            return;
                        }
                        _ => return,
                    }
                    while *i < b.len() && b[*i].is_ascii_whitespace() {
                        *i += 1;
                    }
                    if b.get(*i) == Some(&b'}') {
                        *i += 1;
                        return;
                    }
                }
            }
            let start = *i;
            while *i < b.len() && is_ident(b[*i] as char) {
                *i += 1;
            }
            if start == *i {
                out.push(path);
                return;
            }
            path.push(s[start..*i].to_string());
            if s[*i..].starts_with("::") {
                *i += 2;
            } else {
                out.push(path);
                return;
            }
        }
    }
    let mut out = Vec::new();
    parse(s, &mut 0, &[], &mut out);
    out
}

/// Every path that follows `prefix` in `code` (not as the tail of a longer path).
fn after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = code[at..].find(prefix) {
        let i = at + i;
        at = i + prefix.len();
        let before = code[..i].chars().last();
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        out.extend(tree(&code[at..]));
    }
    out
}

struct Crate {
    modules: BTreeSet<String>,
    /// `(module, name)` → the module path the name is re-exported from.
    reexports: BTreeMap<(String, String), (String, Vec<String>)>,
}

impl Crate {
    fn child(m: &str, c: &str) -> String {
        if m == "crate" {
            c.to_string()
        } else {
            format!("{m}::{c}")
        }
    }

    fn parent(m: &str) -> String {
        m.rsplit_once("::")
            .map_or("crate".to_string(), |(p, _)| p.to_string())
    }

    /// The module `path` (relative to `base`) ends in: the deepest module it names, followed
    /// through re-exports.
    fn resolve(&self, mut base: String, path: &[String], depth: usize) -> String {
        for (k, seg) in path.iter().enumerate() {
            let m = Self::child(&base, seg);
            if self.modules.contains(&m) {
                base = m;
                continue;
            }
            if let Some((from, rest)) = self.reexports.get(&(base.clone(), seg.clone())) {
                if depth < 8 {
                    let mut p = rest.clone();
                    p.extend(path[k + 1..].iter().cloned());
                    return self.resolve(from.clone(), &p, depth + 1);
                }
            }
            break;
        }
        base
    }
}

#[test]
fn module_graph_is_acyclic() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    files(&src, &mut paths);
    // Where the test module starts: a `#[cfg(...test...)]` followed (after more attributes) by
    // `mod`.
    let test_mod = |text: &str| {
        text.match_indices("#[cfg(")
            .map(|(i, _)| i)
            .find(|&i| {
                let attr_end = text[i..].find(']').map_or(text.len(), |e| i + e);
                if !text[i..attr_end].contains("test") {
                    return false;
                }
                let mut rest = text[attr_end + 1..].trim_start();
                while rest.starts_with("#[") {
                    rest = rest.find(']').map_or("", |e| rest[e + 1..].trim_start());
                }
                rest.starts_with("mod ")
            })
            .unwrap_or(text.len())
    };
    let mut code: BTreeMap<String, String> = BTreeMap::new();
    for p in &paths {
        let text = std::fs::read_to_string(p).unwrap();
        let text = &text[..test_mod(&text)];
        let no_comments: Vec<&str> = text
            .lines()
            .map(|l| l.find("//").map_or(l, |i| &l[..i]))
            .collect();
        code.insert(
            module_of(p.strip_prefix(&src).unwrap()),
            no_comments.join("\n"),
        );
    }
    let mut krate = Crate {
        modules: code.keys().cloned().collect(),
        reexports: BTreeMap::new(),
    };
    // Re-export statements: recorded, then removed from the code the edges come from.
    let mut bodies: BTreeMap<String, String> = BTreeMap::new();
    for (m, text) in &code {
        let mut body = String::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("pub") {
            let tail = &rest[i..];
            let after_vis = match tail.strip_prefix("pub(") {
                Some(t) => t.split_once(')').map_or("", |(_, r)| r),
                None => &tail[3..],
            };
            let is_use = after_vis.trim_start().starts_with("use ");
            let boundary = rest[..i].chars().last().is_none_or(|c| !is_ident(c));
            if !(is_use && boundary) {
                body.push_str(&rest[..i + 3]);
                rest = &rest[i + 3..];
                continue;
            }
            body.push_str(&rest[..i]);
            let stmt_start = after_vis.trim_start().strip_prefix("use ").unwrap();
            let end = stmt_start.find(';').unwrap();
            for p in tree(stmt_start[..end].trim_start()) {
                let (first, base) = match p.first().map(String::as_str) {
                    Some("crate") => (1, "crate".to_string()),
                    Some("super") => (1, Crate::parent(m)),
                    Some("self") => (1, m.clone()),
                    _ => (0, m.clone()),
                };
                let Some(name) = p.last() else { continue };
                let src_path = p[first..p.len() - 1].to_vec();
                let from = Crate::child(&base, src_path.first().map_or("", String::as_str));
                if src_path.is_empty() || !krate.modules.contains(&from) && first == 0 {
                    continue; // external crate
                }
                krate.reexports.insert(
                    (m.clone(), name.clone()),
                    (base, [src_path, vec![name.clone()]].concat()),
                );
            }
            let consumed = tail.len() - stmt_start.len() + end + 1;
            rest = &tail[consumed..];
        }
        body.push_str(rest);
        bodies.insert(m.clone(), body);
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, text) in &bodies {
        let mut deps = BTreeSet::new();
        for p in after(text, "crate::") {
            deps.insert(krate.resolve("crate".to_string(), &p, 0));
        }
        for p in after(text, "super::") {
            deps.insert(krate.resolve(Crate::parent(m), &p, 0));
        }
        for p in after(text, "self::") {
            deps.insert(krate.resolve(m.clone(), &p, 0));
        }
        // Children used by a relative path (`rng::Rng` in `chip`).
        for c in krate
            .modules
            .iter()
            .filter(|c| Crate::parent(c) == *m && *c != m)
        {
            let name = c.rsplit("::").next().unwrap_or(c);
            for p in after(text, &format!("{name}::")) {
                deps.insert(krate.resolve(c.clone(), &p, 0));
            }
        }
        deps.remove(m);
        graph.insert(m.clone(), deps);
    }
    for (m, deps) in &graph {
        let list: Vec<&str> = deps.iter().map(String::as_str).collect();
        println!("{m:<24} -> {}", list.join(", "));
    }
    // Kahn's algorithm: repeatedly take a module whose dependencies are all taken.
    let mut done: Vec<String> = Vec::new();
    while done.len() < graph.len() {
        let next = graph
            .iter()
            .find(|(m, deps)| !done.contains(m) && deps.iter().all(|d| done.contains(d)))
            .map(|(m, _)| m.clone());
        match next {
            Some(m) => done.push(m),
            None => {
                let left: Vec<_> = graph.keys().filter(|m| !done.contains(m)).collect();
                panic!("import cycle among {left:?}");
            }
        }
    }
    println!("topological order: {}", done.join(" < "));
    let deps = |m: &str| graph.get(m).unwrap_or_else(|| panic!("no module {m}"));
    // The layout is computed from the specs; the file system stands on it, not the reverse.
    assert!(
        deps("layout").iter().all(|d| !d.starts_with("fs")),
        "layout imports {:?}",
        deps("layout")
    );
    // The chip frame knows neither application.
    for m in ["chip", "chip::t0", "chip::rng"] {
        assert!(
            deps(m).iter().all(|d| !d.starts_with("card")
                && !d.starts_with("psam")
                && !d.starts_with("handlers")),
            "{m} imports {:?}",
            deps(m)
        );
    }
    // The security area does not know the commands.
    for m in ["security::state", "security::access", "security::tries"] {
        assert!(
            deps(m)
                .iter()
                .all(|d| !d.starts_with("handlers") && d != "card"),
            "{m} imports {:?}",
            deps(m)
        );
    }
}
