//! The crate's modules import each other without cycles: every `crate::…`, `super::…` and
//! `self::…` path and every use of a child module (`select::cases()`) in `src/` is an edge, and
//! the edges must form a DAG. Prints the graph (`-- --nocapture`). Test modules
//! (`#[cfg(test)]`, at the end of a file) and comments are left out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `src/cases/pin.rs` → `cases::pin`, `src/lib.rs` → `crate`, `src/cases/mod.rs` → `cases`.
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

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The identifiers that follow `prefix` in `code` (`crate::{a, b::c}` gives `a`, `b`).
fn after(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(
                inner
                    .split(',')
                    .map(|p| ident_at(p.trim()).to_string())
                    .filter(|p| !p.is_empty()),
            );
        } else {
            out.push(ident_at(rest).to_string());
        }
    }
    out
}

#[test]
fn module_graph_is_acyclic() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    files(&src, &mut paths);
    let mut code: BTreeMap<String, String> = BTreeMap::new();
    for p in &paths {
        let text = std::fs::read_to_string(p).unwrap();
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let no_comments: Vec<&str> = text
            .lines()
            .map(|l| l.find("//").map_or(l, |i| &l[..i]))
            .collect();
        code.insert(
            module_of(p.strip_prefix(&src).unwrap()),
            no_comments.join("\n"),
        );
    }
    let modules: BTreeSet<String> = code.keys().cloned().collect();
    let parent = |m: &str| {
        m.rsplit_once("::")
            .map_or("crate".to_string(), |(p, _)| p.to_string())
    };
    let child = |m: &str, c: &str| {
        if m == "crate" {
            c.to_string()
        } else {
            format!("{m}::{c}")
        }
    };
    // A path's target: the longest module the path names; else the module it starts from.
    let resolve = |base: String, first: &str| {
        let m = child(&base, first);
        if modules.contains(&m) {
            m
        } else {
            base
        }
    };
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, text) in &code {
        let mut deps = BTreeSet::new();
        for first in after(text, "crate::") {
            deps.insert(resolve("crate".to_string(), &first));
        }
        for first in after(text, "super::") {
            deps.insert(resolve(parent(m), &first));
        }
        for first in after(text, "self::") {
            deps.insert(resolve(m.clone(), &first));
        }
        // Children used by a relative path (`select::cases()` in `cases`).
        for c in modules.iter().filter(|c| parent(c) == *m && *c != m) {
            let name = c.rsplit("::").next().unwrap_or(c);
            if !after(text, &format!("{name}::")).is_empty() {
                deps.insert(c.clone());
            }
        }
        deps.remove(m);
        graph.insert(m.clone(), deps);
    }
    for (m, deps) in &graph {
        let list: Vec<&str> = deps.iter().map(String::as_str).collect();
        println!("{m:<18} -> {}", list.join(", "));
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
    // The vocabulary modules depend on nothing in the crate.
    for leaf in ["verdict", "area", "power"] {
        assert!(graph[leaf].is_empty(), "{leaf} imports {:?}", graph[leaf]);
    }
    // The report does not know about cases or their context.
    for m in ["report", "html", "junit"] {
        assert!(
            !graph[m].contains("case") && !graph[m].contains("ctx"),
            "{m} imports {:?}",
            graph[m]
        );
    }
}
